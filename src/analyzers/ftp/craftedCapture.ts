/**
 * Test helper: FTP sessions written packet by packet in the order the calls are made, so a test
 * can interleave control and data connections any way it likes (IPv4 or IPv6, any hosts and
 * ports), then load the capture and read the flows, packets, ftp and files tables as rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter, LINKTYPE_ETHERNET } from '../../capture/writer.ts';
import { ipv4, ipv6, mac } from '../../../samples/gen/addr.ts';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, IPPROTO_TCP, ethernet, ipv4Packet, ipv6Packet, tcpSegment } from '../../../samples/gen/layers.ts';
import { loadCapture, type LoadedCapture } from '../../store/load.ts';
import type { Table } from '../../store/table.ts';
import type { Value } from '../../store/value.ts';

export const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01, RST = 0x04;

export type Row = Record<string, Value>;

interface Frame { readonly bytes: Uint8Array; readonly wireLen: number }

export interface Endpoint { readonly ip: string; readonly port: number }

/** The frames of one capture, in the order written. */
export class CraftedCapture {
  readonly frames: Frame[] = [];
  /** frames whose payload is cut to this many bytes (0: none) */
  snaplen = 0;

  /** A TCP connection between `client` and `server`; `clientOpens` false for an active-mode data connection. */
  conn(client: Endpoint, server: Endpoint, isn: number, clientOpens = true): Conn {
    return new Conn(this, client, server, isn, clientOpens);
  }

  push(frame: Uint8Array): void {
    const cut = this.snaplen > 0 && frame.length > this.snaplen ? frame.subarray(0, this.snaplen) : frame;
    this.frames.push({ bytes: cut, wireLen: frame.length });
  }

  /** Writes the capture to a temporary file, loads it and hands it to `fn`; everything is removed afterwards. */
  async with<T>(fn: (capture: LoadedCapture) => T | Promise<T>): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), 'flowsh-ftp-'));
    try {
      const file = join(dir, 'ftp.pcap');
      const w = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET, nanosecond: true });
      this.frames.forEach((f, i) => w.writePacket(1_700_000_000 + Math.floor(i / 1000), (i % 1000) * 1_000_000, f.bytes, f.wireLen));
      w.close();
      const capture = await loadCapture(file);
      try {
        return await fn(capture);
      } finally {
        capture.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Loads the capture and returns its tables as rows. */
  load(): Promise<Tables> {
    return this.with((capture) => ({
      files: rows(capture.catalog.table('files')), ftp: rows(capture.catalog.table('ftp')),
      flows: rows(capture.flows), packets: rows(capture.packets), report: capture.report,
    }));
  }
}

export interface Tables {
  readonly files: Row[];
  readonly ftp: Row[];
  readonly flows: Row[];
  readonly packets: Row[];
  readonly report: unknown;
}

export function rows(t: Table | undefined): Row[] {
  assert.ok(t, 'table exists');
  return Array.from({ length: t.rowCount }, (_, r) => Object.fromEntries(t.columns.map((c) => [c.def.name, c.get(r)])));
}

/** One TCP connection whose packets are appended to the capture in the order called. */
export class Conn {
  private cSeq: number;
  private sSeq: number;
  private readonly v6: boolean;

  constructor(private readonly cap: CraftedCapture, readonly clientEnd: Endpoint, readonly serverEnd: Endpoint, isn: number, private readonly clientOpens = true) {
    this.cSeq = isn;
    this.sSeq = isn + 100_000;
    this.v6 = clientEnd.ip.includes(':');
  }

  /** Writes one segment; `seq` overrides the sender's next sequence number (for retransmissions, reordering). */
  emit(fromClient: boolean, flags: number, data: Uint8Array, seq?: number): this {
    const addr = this.v6 ? ipv6 : ipv4;
    const c = addr(this.clientEnd.ip), s = addr(this.serverEnd.ip);
    const [src, dst, sport, dport] = fromClient ? [c, s, this.clientEnd.port, this.serverEnd.port] : [s, c, this.serverEnd.port, this.clientEnd.port];
    const next = fromClient ? this.cSeq : this.sSeq;
    const mySeq = seq ?? next, ack = fromClient ? this.sSeq : this.cSeq;
    const tcp = tcpSegment(src, dst, { srcPort: sport, dstPort: dport, seq: mySeq >>> 0, ack: flags & SYN && !(flags & ACK) ? 0 : ack >>> 0, flags, window: 65535 }, data);
    const ip = this.v6
      ? ipv6Packet({ src, dst, nextHeader: IPPROTO_TCP, hopLimit: 64 }, tcp)
      : ipv4Packet({ src, dst, protocol: IPPROTO_TCP, id: this.cap.frames.length + 1, ttl: 64 }, tcp);
    const frame = ethernet({
      src: mac(fromClient ? '02:00:00:00:00:0a' : '02:00:00:00:00:15'), dst: mac(fromClient ? '02:00:00:00:00:15' : '02:00:00:00:00:0a'),
      etherType: this.v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4,
    }, ip);
    this.cap.push(frame);
    if (seq === undefined) {
      const advance = data.length + (flags & (SYN | FIN) ? 1 : 0);
      if (fromClient) this.cSeq += advance; else this.sSeq += advance;
    }
    return this;
  }

  /** next sequence number of the client (true) or server side */
  nextSeq(fromClient: boolean): number {
    return fromClient ? this.cSeq : this.sSeq;
  }

  /** skips `n` bytes of a side's stream without writing them (bytes the capture lost) */
  lose(fromClient: boolean, n: number): this {
    if (fromClient) this.cSeq += n; else this.sSeq += n;
    return this;
  }

  open(): this {
    // who sends the SYN: the client for control and passive data, the server for active data
    const opener = this.clientOpens;
    this.emit(opener, SYN, new Uint8Array(0));
    this.emit(!opener, SYN | ACK, new Uint8Array(0));
    this.emit(opener, ACK, new Uint8Array(0));
    return this;
  }

  /** only the opener's SYN */
  syn(): this { return this.emit(this.clientOpens, SYN, new Uint8Array(0)); }
  /** the rest of the handshake after syn() */
  synAck(): this { this.emit(!this.clientOpens, SYN | ACK, new Uint8Array(0)); return this.emit(this.clientOpens, ACK, new Uint8Array(0)); }

  client(text: string | Uint8Array): this { return this.emit(true, PSH | ACK, typeof text === 'string' ? new TextEncoder().encode(text) : text); }
  server(text: string | Uint8Array): this { return this.emit(false, PSH | ACK, typeof text === 'string' ? new TextEncoder().encode(text) : text); }
  /** the server's FIN, answered by the client's */
  serverFin(): this { this.emit(false, FIN | ACK, new Uint8Array(0)); return this.emit(true, FIN | ACK, new Uint8Array(0)); }
  /** the client's FIN, answered by the server's */
  clientFin(): this { this.emit(true, FIN | ACK, new Uint8Array(0)); return this.emit(false, FIN | ACK, new Uint8Array(0)); }
  serverRst(): this { return this.emit(false, RST | ACK, new Uint8Array(0)); }
  clientRst(): this { return this.emit(true, RST | ACK, new Uint8Array(0)); }
  /** a pure ACK from the client (true) or server */
  ack(fromClient: boolean): this { return this.emit(fromClient, ACK, new Uint8Array(0)); }
}

/** Deterministic file content. */
export function bytesOf(n: number, salt = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3 + salt * 13) & 0xff);
}

/** flowInd of the flow that has `port` on either side (and `ip` as an address, if given). */
export function flowWith(flows: Row[], port: number, ip?: string): number {
  const r = flows.find((f) => (f.srcPort === port || f.dstPort === port) && (ip === undefined || String(f.srcIP) === ip || String(f.dstIP) === ip));
  assert.ok(r, `a flow with port ${port}${ip ? ' and ' + ip : ''}`);
  return Number(r.flowInd);
}
