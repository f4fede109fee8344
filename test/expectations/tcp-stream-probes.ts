/**
 * Tiny crafted captures that show how tshark splits TCP connections into tcp.stream values and
 * `-z conv,tcp` rows (port reuse, SYN retries, resets, mid-stream starts). make-shared-expectations.sh
 * runs tshark on them and records the answers in tshark-tcp-stream-rules.json.
 *
 * Usage: node --import tsx test/expectations/tcp-stream-probes.ts OUT_DIR
 * Prints one line per probe: file name, TAB, description.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PcapChunkWriter, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../bench/synth.ts';

const CLIENT = 0xc0000201; // 192.0.2.1
const SERVER = 0xc6336401; // 198.51.100.1
const CLIENT_PORT = 50000;
const SERVER_PORT = 21;

/** Writes packets of one 4-tuple; keeps both sides' next sequence numbers and the clock. */
class Conversation {
  time = 1_700_000_000;
  client = 0;
  server = 0;
  constructor(private readonly writer: PcapChunkWriter) {}

  private send(fromClient: boolean, flags: number, len: number, synOptions = false): void {
    this.time += 0.001;
    const sec = Math.floor(this.time);
    const usec = Math.round((this.time - sec) * 1e6) % 1_000_000;
    if (fromClient) {
      this.writer.tcp(sec, usec, CLIENT, SERVER, CLIENT_PORT, SERVER_PORT, this.client, flags & TCP_ACK ? this.server : 0, flags, len, synOptions);
      this.client = (this.client + len + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
    } else {
      this.writer.tcp(sec, usec, SERVER, CLIENT, SERVER_PORT, CLIENT_PORT, this.server, flags & TCP_ACK ? this.client : 0, flags, len, synOptions);
      this.server = (this.server + len + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
    }
  }

  wait(seconds: number): this { this.time += seconds; return this; }
  syn(isn: number): this { this.client = isn; this.send(true, TCP_SYN, 0, true); return this; }
  /** a retransmitted SYN: same ISN as the last one */
  synAgain(): this { this.client = (this.client - 1) >>> 0; this.send(true, TCP_SYN, 0, true); return this; }
  synAck(isn: number): this { this.server = isn; this.send(false, TCP_SYN | TCP_ACK, 0, true); return this; }
  ack(fromClient = true): this { this.send(fromClient, TCP_ACK, 0); return this; }
  data(fromClient: boolean, len: number): this { this.send(fromClient, TCP_ACK | TCP_PSH, len); return this; }
  fin(fromClient: boolean): this { this.send(fromClient, TCP_FIN | TCP_ACK, 0); return this; }
  rst(fromClient: boolean): this { this.send(fromClient, TCP_RST | TCP_ACK, 0); return this; }
  /** server-side SYN towards the client's port (roles swapped on the same 4-tuple) */
  reverseSyn(isn: number): this { this.server = isn; this.send(false, TCP_SYN, 0, true); return this; }
  handshake(clientIsn: number, serverIsn: number): this { return this.syn(clientIsn).synAck(serverIsn).ack(); }
  exchange(): this { return this.data(true, 10).data(false, 100).ack(true); }
  close(): this { return this.fin(true).fin(false).ack(true); }
}

interface Probe { readonly name: string; readonly description: string; readonly build: (c: Conversation) => void }

export const PROBES: readonly Probe[] = [
  { name: 'syn-only', description: 'one unanswered SYN',
    build: (c) => { c.syn(1000); } },
  { name: 'syn-retransmitted-same-isn', description: 'three unanswered SYNs with the same ISN, 3 s apart',
    build: (c) => { c.syn(1000).wait(3).synAgain().wait(3).synAgain(); } },
  { name: 'syn-retried-new-isn', description: 'two unanswered SYNs on the same 4-tuple with different ISNs',
    build: (c) => { c.syn(1000).wait(3).syn(5000); } },
  { name: 'fin-close-then-new-syn', description: 'complete connection closed by FINs, then a new connection (new ISN) on the same 4-tuple',
    build: (c) => { c.handshake(1000, 9000).exchange().close().wait(5).handshake(200000, 900000).exchange().close(); } },
  { name: 'fin-close-then-syn-same-isn', description: 'complete connection closed by FINs, then a SYN with the SAME ISN as the first one',
    build: (c) => { c.handshake(1000, 9000).exchange().close().wait(5).syn(1000); } },
  { name: 'rst-close-then-new-syn', description: 'connection reset by the server, then a new connection (new ISN) on the same 4-tuple',
    build: (c) => { c.handshake(1000, 9000).exchange().rst(false).wait(5).handshake(200000, 900000).exchange().close(); } },
  { name: 'open-then-new-syn', description: 'connection still open (no FIN/RST), then a SYN with a new ISN on the same 4-tuple',
    build: (c) => { c.handshake(1000, 9000).exchange().wait(5).handshake(200000, 900000).exchange(); } },
  { name: 'fin-close-then-data-no-syn', description: 'connection closed by FINs, then more data on the same 4-tuple without a SYN, 1 h later',
    build: (c) => { c.handshake(1000, 9000).exchange().close().wait(3600).exchange(); } },
  { name: 'idle-gap-one-hour', description: 'open connection idle for an hour between two exchanges, then closed',
    build: (c) => { c.handshake(1000, 9000).exchange().wait(3600).exchange().close(); } },
  { name: 'midstream-then-syn', description: 'capture starts mid-connection (no SYN), then a SYN on the same 4-tuple',
    build: (c) => { c.client = 1000; c.server = 9000; c.exchange().wait(5).handshake(200000, 900000).exchange(); } },
  { name: 'fin-close-then-reverse-syn', description: 'connection closed by FINs, then the former server opens a connection to the former client (roles swapped, same 4-tuple)',
    build: (c) => { c.handshake(1000, 9000).exchange().close().wait(5).reverseSyn(700000); } },
  { name: 'open-then-new-synack', description: 'connection still open, then a SYN-ACK with a new server ISN (no new SYN) on the same 4-tuple',
    build: (c) => { c.handshake(1000, 9000).exchange().wait(5).synAck(700000).ack(); } },
  { name: 'open-then-reverse-syn', description: 'connection still open, then the server sends a SYN (new ISN) to the client on the same 4-tuple',
    build: (c) => { c.handshake(1000, 9000).exchange().wait(5).reverseSyn(700000); } },
];

/** Writes every probe as `<name>.pcap` into `outDir`; returns the file names. */
export function writeProbeCaptures(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  return PROBES.map((probe) => {
    const file = `${probe.name}.pcap`;
    const writer = new PcapChunkWriter(path.join(outDir, file), 64 * 1024);
    probe.build(new Conversation(writer));
    writer.close();
    return file;
  });
}

if (import.meta.filename === process.argv[1]) {
  const outDir = process.argv[2];
  if (!outDir) throw new Error('usage: tcp-stream-probes.ts OUT_DIR');
  const files = writeProbeCaptures(outDir);
  PROBES.forEach((probe, i) => process.stdout.write(`${files[i]}\t${probe.description}\n`));
}
