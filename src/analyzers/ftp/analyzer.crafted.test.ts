/**
 * The FTP analyzer on crafted captures: a 227 address behind NAT, a data connection opened after
 * the 150 reply, a size that contradicts the announcement, a transfer whose data connection is
 * not in the capture, and a reset data connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter, LINKTYPE_ETHERNET } from '../../capture/writer.ts';
import { ipv4, mac } from '../../../samples/gen/addr.ts';
import { ETHERTYPE_IPV4, IPPROTO_TCP, ethernet, ipv4Packet, tcpSegment } from '../../../samples/gen/layers.ts';
import { loadCapture } from '../../store/load.ts';
import type { Table } from '../../store/table.ts';
import type { Value } from '../../store/value.ts';
import { ftpStatBit } from './schema.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';
const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01, RST = 0x04;

interface Frame { readonly bytes: Uint8Array; readonly wireLen: number }

/** One TCP connection whose packets are appended to a shared frame list in the order called. */
class Conn {
  private cSeq: number;
  private sSeq: number;
  constructor(private readonly frames: Frame[], private readonly cPort: number, private readonly sPort: number, isn: number, private readonly clientOpens = true) {
    this.cSeq = isn;
    this.sSeq = isn + 100_000;
  }

  private emit(fromClient: boolean, flags: number, data: Uint8Array): void {
    const c = ipv4(CLIENT), s = ipv4(SERVER);
    const [src, dst, sport, dport] = fromClient ? [c, s, this.cPort, this.sPort] : [s, c, this.sPort, this.cPort];
    const seq = fromClient ? this.cSeq : this.sSeq, ack = fromClient ? this.sSeq : this.cSeq;
    const tcp = tcpSegment(src, dst, { srcPort: sport, dstPort: dport, seq: seq >>> 0, ack: ack >>> 0, flags, window: 65535 }, data);
    const frame = ethernet({ src: mac(fromClient ? '02:00:00:00:00:0a' : '02:00:00:00:00:15'), dst: mac(fromClient ? '02:00:00:00:00:15' : '02:00:00:00:00:0a'), etherType: ETHERTYPE_IPV4 },
      ipv4Packet({ src, dst, protocol: IPPROTO_TCP, id: this.frames.length + 1, ttl: 64 }, tcp));
    this.frames.push({ bytes: frame, wireLen: frame.length });
    const advance = data.length + (flags & (SYN | FIN) ? 1 : 0);
    if (fromClient) this.cSeq += advance; else this.sSeq += advance;
  }

  open(): this {
    // who sends the SYN: the client for control and passive data, the server for active data
    const opener = this.clientOpens;
    this.emit(opener, SYN, new Uint8Array(0));
    this.emit(!opener, SYN | ACK, new Uint8Array(0));
    this.emit(opener, ACK, new Uint8Array(0));
    return this;
  }

  client(text: string | Uint8Array): this { this.emit(true, PSH | ACK, typeof text === 'string' ? new TextEncoder().encode(text) : text); return this; }
  server(text: string | Uint8Array): this { this.emit(false, PSH | ACK, typeof text === 'string' ? new TextEncoder().encode(text) : text); return this; }
  serverFin(): this { this.emit(false, FIN | ACK, new Uint8Array(0)); this.emit(true, FIN | ACK, new Uint8Array(0)); return this; }
  serverRst(): this { this.emit(false, RST | ACK, new Uint8Array(0)); return this; }
}

async function load(frames: Frame[]): Promise<{ files: Record<string, Value>[]; ftp: Record<string, Value>[]; flows: Record<string, Value>[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-ftp-'));
  const file = join(dir, 'ftp.pcap');
  const w = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET, nanosecond: true });
  frames.forEach((f, i) => w.writePacket(1_700_000_000, i * 1_000_000, f.bytes, f.wireLen));
  w.close();
  const capture = await loadCapture(file);
  const rows = (t: Table | undefined): Record<string, Value>[] => {
    assert.ok(t);
    return Array.from({ length: t.rowCount }, (_, r) => Object.fromEntries(t.columns.map((c) => [c.def.name, c.get(r)])));
  };
  try {
    return { files: rows(capture.catalog.table('files')), ftp: rows(capture.catalog.table('ftp')), flows: rows(capture.flows) };
  } finally {
    capture.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function bytesOf(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
}

test('crafted: NAT 227 address, data connection after the 150, size mismatch, missing data connection, reset', async () => {
  const frames: Frame[] = [];
  const ctl = new Conn(frames, 40001, 21, 1000).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  ctl.client('TYPE I\r\n').server('200 binary\r\n');
  // 1: the server announces a private-looking address (NAT): the data connection goes to the control server address
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,99,39,16).\r\n');
  ctl.client('RETR a.bin\r\n').server('150 Opening BINARY mode data connection for a.bin (300 bytes).\r\n');
  new Conn(frames, 50001, 10000, 5000).open().server(bytesOf(300)).serverFin();
  ctl.server('226 done\r\n');
  // 2: 150 announces 500 bytes, 400 arrive, 226: size-mismatch
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,21,39,17).\r\n');
  ctl.client('RETR b.bin\r\n').server('150 Opening BINARY mode data connection for b.bin (500 bytes).\r\n');
  new Conn(frames, 50002, 10001, 9000).open().server(bytesOf(400)).serverFin();
  ctl.server('226 done\r\n');
  // 3: a transfer whose data connection is not in the capture
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,21,39,18).\r\n');
  ctl.client('RETR c.bin\r\n').server('150 Opening BINARY mode data connection for c.bin (10 bytes).\r\n').server('226 done\r\n');
  // 4: active mode, the server resets the data connection: aborted
  ctl.client('PORT 192,0,2,10,195,81\r\n').server('200 PORT ok\r\n');
  ctl.client('RETR d.bin\r\n').server('150 Opening BINARY mode data connection for d.bin (1000 bytes).\r\n');
  new Conn(frames, 50001, 20, 13000, false).open().server(bytesOf(200)).serverRst();
  ctl.server('426 Failure writing network stream.\r\n');
  ctl.client('QUIT\r\n').server('221 bye\r\n').serverFin();

  const { files, ftp, flows } = await load(frames);
  assert.deepEqual(files.map((f) => [f.path, f.verdict, f.bytes, f.complete]), [
    ['a.bin', 'complete', 300, true],
    ['b.bin', 'size-mismatch', 400, false],
    ['c.bin', 'no-data-connection', 0, false],
    ['d.bin', 'aborted', 200, false],
  ]);
  const flowOf = (port: number): number => Number(flows.find((r) => r.srcPort === port || r.dstPort === port)!.flowInd);
  assert.equal(files[0]!.dataFlow, flowOf(10000));
  assert.equal(files[1]!.dataFlow, flowOf(10001));
  assert.equal(files[2]!.dataFlow, 0);
  assert.equal(files[3]!.dataFlow, flowOf(20));
  assert.equal(files[3]!.mode, 'PORT');
  assert.equal(ftp.find((r) => r.arg === 'd.bin')!.replyCode, 426);
  const controlStat = Number(flows.find((r) => r.dstPort === 21)!.ftpStat);
  for (const name of ['FTP_INIT', 'FTP_NAT_SERVER', 'FTP_NDFLW', 'FTP_XFER_INCOMPLETE', 'FTP_PASSIVE', 'FTP_ACTIVE', 'FTP_LOGIN_OK']) {
    assert.ok(controlStat & ftpStatBit(name), name);
  }
  // the first data connection opened after its 150 reply: no FTP_DATA_FIRST; b.bin carried fewer bytes than announced: no FTP_PPWF
  const statOf = (flowInd: number): number => Number(flows.find((r) => r.flowInd === flowInd)!.ftpStat);
  assert.equal(statOf(Number(files[0]!.dataFlow)) & ftpStatBit('FTP_DATA_FIRST'), 0);
  assert.ok(statOf(Number(files[1]!.dataFlow)) & ftpStatBit('FTP_XFER_INCOMPLETE'));
  assert.equal(statOf(Number(files[1]!.dataFlow)) & ftpStatBit('FTP_PPWF'), 0);
});

test('crafted: two sessions at once announcing the same passive port are linked to their own connections', async () => {
  const frames: Frame[] = [];
  const one = new Conn(frames, 40010, 21, 100).open();
  const two = new Conn(frames, 40011, 21, 200).open();
  one.server('220 a\r\n'); two.server('220 b\r\n');
  one.client('PASV\r\n'); two.client('PASV\r\n');
  one.server('227 Entering Passive Mode (192,0,2,21,39,20).\r\n');
  two.server('227 Entering Passive Mode (192,0,2,21,39,20).\r\n');
  one.client('RETR one\r\n'); two.client('RETR two\r\n');
  // the data connection of session one starts first, session two's after it (same server port, other client ports)
  new Conn(frames, 50010, 10004, 3000).open().server(bytesOf(11)).serverFin();
  new Conn(frames, 50011, 10004, 4000).open().server(bytesOf(22)).serverFin();
  one.server('150 go\r\n').server('226 done\r\n');
  two.server('150 go\r\n').server('226 done\r\n');
  const { files, flows } = await load(frames);
  const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
  const clientPortOf = (flowInd: Value): Value => flows.find((r) => r.flowInd === flowInd && r.dstPort === 10004)!.srcPort;
  assert.equal(clientPortOf(byPath.one!.dataFlow!), 50010);
  assert.equal(clientPortOf(byPath.two!.dataFlow!), 50011);
  assert.equal(byPath.one!.bytes, 11);
  assert.equal(byPath.two!.bytes, 22);
  assert.notEqual(byPath.one!.controlFlow, byPath.two!.controlFlow);
});
