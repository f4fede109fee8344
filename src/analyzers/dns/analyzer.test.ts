/**
 * The DNS analyzer on crafted captures and the samples: the dns table (pairing, rtt, answers,
 * lone queries and replies), Tranalyzer's dnsDecode columns per direction, DNS over TCP (two
 * messages in a segment, one message over two segments, a stream ending inside a message, no
 * SYN), DNS by content on another port, NetBIOS names, and hostile messages in a capture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PcapWriter, LINKTYPE_ETHERNET } from '../../capture/writer.ts';
import { concat, ethernet, ipv4, tcp, udp } from '../../decode/craft.ts';
import { loadCapture } from '../../store/load.ts';
import { rows, type Row } from '../ftp/craftedCapture.ts';
import { dnsMessage, pointer, rdata } from './craft.ts';
import { DNS_STAT_BITS } from './schema.ts';
import { decodeNetbiosName, looksLikeDns } from './analyzer.ts';
import { parseDnsMessage } from './message.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const BIT = Object.fromEntries(DNS_STAT_BITS.map((b) => [b.name, Number(b.value)])) as Record<string, number>;
const CLIENT = '192.0.2.10', SERVER = '192.0.2.1';

interface Loaded { flows: Row[]; dns: Row[]; packets: Row[]; report: string[] }

async function load(frames: Uint8Array[], gapMs = 10): Promise<Loaded> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-dns-'));
  const file = join(dir, 'dns.pcap');
  const w = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET, nanosecond: true });
  frames.forEach((f, i) => {
    const ns = i * gapMs * 1_000_000;
    w.writePacket(1_700_000_000 + Math.floor(ns / 1e9), ns % 1e9, f);
  });
  w.close();
  const capture = await loadCapture(file);
  try {
    return {
      flows: rows(capture.flows), dns: rows(capture.catalog.table('dns')), packets: rows(capture.packets),
      report: capture.report.analyzerLines.map((l) => `${l.label}: ${typeof l.value === 'bigint' ? '0x' + l.value.toString(16) : l.value}`),
    };
  } finally {
    capture.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const v4 = (payload: Uint8Array, proto: number, fromClient: boolean): Uint8Array =>
  ethernet(0x0800, ipv4(payload, { proto, src: fromClient ? CLIENT : SERVER, dst: fromClient ? SERVER : CLIENT }));
const udpQ = (m: Uint8Array, sport = 40000, dport = 53) => v4(udp(m, sport, dport), 17, true);
const udpR = (m: Uint8Array, sport = 40000, dport = 53) => v4(udp(m, dport, sport), 17, false);

const q = (id: number, name: string, type = 1) => dnsMessage({ id, flags: 0x0100, questions: [{ name, type }] });
const a = (id: number, name: string, addr: string) =>
  dnsMessage({ id, flags: 0x8180, questions: [{ name, type: 1 }], answers: [{ name: pointer(12), type: 1, ttl: 60, rdata: rdata.a(addr) }] });

function flow(loaded: Loaded, ind: number, dir: 'A' | 'B'): Row {
  const row = loaded.flows.find((f) => f.flowInd === ind && f.dir === dir);
  assert.ok(row, `flow ${ind} ${dir}`);
  return row;
}

test('UDP: queries paired with replies by id and question; a lost reply and a lone reply have rows too', async () => {
  const loaded = await load([
    udpQ(q(1, 'ftp.example.com')), udpQ(q(2, 'lost.example.com')), udpR(a(1, 'ftp.example.com', '192.0.2.180')),
    udpR(a(9, 'unasked.example.com', '192.0.2.99')),
  ]);
  assert.deepEqual(loaded.dns.map((r) => [r.transId, r.query, r.rcodeName, r.answers, r.queryPkt, r.replyPkt]), [
    [1, 'ftp.example.com', 'NOERROR', ['192.0.2.180'], 1, 3],
    [2, 'lost.example.com', null, [], 2, 0],
    [9, 'unasked.example.com', 'NOERROR', ['192.0.2.99'], 0, 4],
  ]);
  const first = loaded.dns[0]!;
  assert.equal((first.rtt as number).toFixed(6), '0.020000');
  assert.equal(String(first.client), CLIENT);
  assert.equal(first.clientPort, 40000);
  assert.equal(String(first.server), SERVER);
  assert.deepEqual([first.RD, first.RA, first.AA, first.TC, first.rejected, first.TTLs], [true, true, false, false, false, [60]]);
  // the lone reply's client is where the reply went
  assert.equal(String(loaded.dns[2]!.client), CLIENT);
  const A = flow(loaded, 1, 'A'), B = flow(loaded, 1, 'B');
  assert.equal(Number(A.dnsStat) & BIT.DNS_NOREPLY!, BIT.DNS_NOREPLY);
  assert.equal(Number(B.dnsStat) & BIT.DNS_REPLYONLY!, BIT.DNS_REPLYONLY);
  assert.equal(Number(A.dnsStat) & BIT.DNS_PRTDT!, BIT.DNS_PRTDT);
  assert.deepEqual(A.dnsQname, ['ftp.example.com', 'lost.example.com']);
  assert.deepEqual(B.dnsAname, ['ftp.example.com', 'unasked.example.com']);
  assert.deepEqual((B.dns4Aaddress as object[]).map(String), ['192.0.2.180', '192.0.2.99']);
  assert.deepEqual([A.dnsHFlg, B.dnsHFlg], [0x10, 0x98]);
  assert.deepEqual([A.dnsCntQu, A.dnsCntAsw, B.dnsCntQu, B.dnsCntAsw], [2, 0, 2, 2]);
  assert.ok(loaded.report.includes('dnsDecode: DNS queries without reply: 1'));
});

test('a query repeated within 5 s is a retransmission; later it is a new transaction (as tshark)', async () => {
  // queries at 0 s, 3 s (retransmission of the first) and 6 s (new), the reply at 9 s
  const loaded = await load([udpQ(q(4, 'slow.example.com')), udpQ(q(4, 'slow.example.com')), udpQ(q(4, 'slow.example.com')), udpR(a(4, 'slow.example.com', '192.0.2.4'))], 3000);
  assert.deepEqual(loaded.dns.map((r) => [r.queryPkt, r.replyPkt, r.retransmission]), [[1, 0, false], [2, 0, true], [3, 4, false]]);
  assert.equal((loaded.dns[2]!.rtt as number).toFixed(3), '3.000');
});

test('flow columns for every decoded record type, aligned lists, the amplification factor', async () => {
  const answer = dnsMessage({
    id: 5, flags: 0x8583, questions: [{ name: 'example.com', type: 255 }],
    answers: [
      { name: pointer(12), type: 15, ttl: 10, rdata: rdata.mx(20, 'mail.example.com') },
      { name: pointer(12), type: 33, ttl: 11, rdata: rdata.srv(1, 2, 3, 'sip.example.com') },
      { name: pointer(12), type: 16, ttl: 12, rdata: rdata.txt('hello', 'world') },
      { name: pointer(12), type: 28, ttl: 13, rdata: rdata.aaaa([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]) },
      { name: pointer(12), type: 13, ttl: 14, rdata: [1, 0x61, 1, 0x62] },
    ],
    authority: [{ name: pointer(12), type: 6, ttl: 15, rdata: rdata.soa('ns.example.com', 'h.example.com', 1, 2, 3, 4, 5) }],
  });
  const loaded = await load([udpQ(q(5, 'example.com', 255)), udpR(answer)]);
  const B = flow(loaded, 1, 'B');
  assert.deepEqual(B.dnsAname, Array(6).fill('example.com'));
  assert.deepEqual(B.dnsAType, [15, 33, 16, 28, 13, 6]);
  assert.deepEqual(B.dnsATTL, [10, 11, 12, 13, 14, 15]);
  assert.deepEqual(B.dnsAPname, ['mail.example.com', 'sip.example.com', 'hello world', 'ns.example.com']);
  assert.deepEqual([B.dnsMXpref, B.dnsSRVprio, B.dnsSRVwgt, B.dnsSRVprt], [[20], [1], [2], [3]]);
  assert.deepEqual((B.dns6Aaddress as object[]).map(String), ['2001:db8::1']);
  assert.equal(B.dnsRetC, 1 << 3);
  assert.equal(B.dnsHdrOPField, 0x8583);
  const stat = Number(B.dnsStat);
  assert.ok(stat & BIT.DNS_ANY! && stat & BIT.DNS_WRNIGN!, stat.toString(16));
  // response bytes over its header and question bytes: 17 + 12 bytes of question, the rest answers
  assert.equal((B.dnsAAAqF as number).toFixed(4), (answer.length / (12 + 13 + 4)).toFixed(4));
  assert.deepEqual(loaded.dns[0]!.answers, ['mail.example.com', 'sip.example.com', 'TXT 10 hello world', '2001:db8::1', 'TYPE13']);
  assert.equal(loaded.dns[0]!.rcodeName, 'NXDOMAIN');
  assert.equal(loaded.dns[0]!.rejected, true);
  assert.equal(loaded.dns[0]!.qtypeName, '*');
});

/** A TCP connection from CLIENT:40001 to SERVER:53; `parts` are the client's then the server's segments. */
function tcpDns(clientSegs: Uint8Array[], serverSegs: Uint8Array[], handshake = true, port = 53): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let cs = 1000, ss = 5000;
  const c = (payload: Uint8Array, flags: number) => { frames.push(v4(tcp(payload, { sport: 40001, dport: port, seq: cs, ack: ss, flags }), 6, true)); cs += payload.length + (flags & 0x03 ? 1 : 0); };
  const s = (payload: Uint8Array, flags: number) => { frames.push(v4(tcp(payload, { sport: port, dport: 40001, seq: ss, ack: cs, flags }), 6, false)); ss += payload.length + (flags & 0x03 ? 1 : 0); };
  if (handshake) { c(new Uint8Array(0), 0x02); s(new Uint8Array(0), 0x12); c(new Uint8Array(0), 0x10); }
  for (const seg of clientSegs) c(seg, 0x18);
  for (const seg of serverSegs) s(seg, 0x18);
  return frames;
}
const framed = (m: Uint8Array) => concat([m.length >> 8, m.length & 255], m);

test('TCP: two queries in one segment, an answer over two segments, a stream ending inside a message', async () => {
  const q1 = framed(q(1, 'a.example.com')), q2 = framed(q(2, 'b.example.com'));
  const r1 = framed(a(1, 'a.example.com', '192.0.2.1')), r2 = framed(a(2, 'b.example.com', '192.0.2.2'));
  const loaded = await load(tcpDns([concat(q1, q2)], [r1.subarray(0, 10), r1.subarray(10), r2.subarray(0, 20)]));
  assert.deepEqual(loaded.dns.map((r) => [r.proto, r.transId, r.answers, r.queryPkt, r.replyPkt]), [
    ['tcp', 1, ['192.0.2.1'], 4, 5],
    ['tcp', 2, [], 4, 0],
  ]);
  const B = Number(flow(loaded, 1, 'B').dnsStat);
  assert.ok(B & BIT.DNS_FRAGA!, 'message over two segments');
  assert.ok(B & BIT.DNS_FRAGS!, 'stream ends inside a message');
  assert.equal(Number(flow(loaded, 1, 'A').dnsStat) & (BIT.DNS_FRAGA! | BIT.DNS_FRAGS!), 0);
});

test('TCP without the SYN: the length prefixes cannot be found, the direction is corrupt', async () => {
  const loaded = await load(tcpDns([framed(q(1, 'a.example.com'))], [], false));
  assert.equal(loaded.dns.length, 0);
  assert.ok(Number(flow(loaded, 1, 'A').dnsStat) & BIT.DNS_ERRCRPT!);
});

test('DNS on other ports is recognised by content; other payloads are not', async () => {
  const loaded = await load([
    udpQ(q(7, 'odd.example.com'), 40000, 5300), udpR(a(7, 'odd.example.com', '192.0.2.7'), 40000, 5300),
    udpQ(new TextEncoder().encode('this is not a DNS message at all.'), 40002, 5301),
    udpQ(dnsMessage({ id: 1, flags: 0x0100, questions: [{ name: 'x', type: 1 }], counts: [1, 0, 0, 1] }), 40003, 5302), // leftover count
    ...tcpDns([framed(q(8, 'tcp.example.com'))], [framed(a(8, 'tcp.example.com', '192.0.2.8'))], true, 8053),
  ]);
  assert.deepEqual(loaded.dns.map((r) => [r.flowInd, r.serverPort, r.query, r.answers]), [
    [1, 5300, 'odd.example.com', ['192.0.2.7']],
    [4, 8053, 'tcp.example.com', ['192.0.2.8']],
  ]);
  assert.ok(Number(flow(loaded, 1, 'A').dnsStat) & BIT.DNS_CONTENT!);
  assert.equal(flow(loaded, 2, 'A').dnsStat, 0);
  assert.equal(flow(loaded, 3, 'A').dnsStat, 0);
});

test('looksLikeDns needs a clean message with real questions', () => {
  const ok = parseDnsMessage(q(1, 'a.example.com'))!;
  assert.equal(looksLikeDns(ok), true);
  assert.equal(looksLikeDns(parseDnsMessage(dnsMessage({ id: 1, questions: [] }))!), false);
  assert.equal(looksLikeDns(parseDnsMessage(concat(q(1, 'a.example.com'), [0]))!), false); // trailing byte
  assert.equal(looksLikeDns(parseDnsMessage(dnsMessage({ id: 1, questions: [{ name: 'a', type: 1, cls: 77 }] }))!), false);
  assert.equal(looksLikeDns(parseDnsMessage(dnsMessage({ id: 1, flags: 0x7100, questions: [{ name: 'a', type: 1 }] }))!), false);
});

test('NetBIOS names (port 137) are decoded from the first-level encoding', async () => {
  assert.equal(decodeNetbiosName('FHEPFCELEHFCEPFFFACACACACACACABN'), 'WORKGROUP<1D>');
  assert.equal(decodeNetbiosName('EEEFFGEJEDEFCACACACACACACACACAAA.corp'), 'DEVICE<00>.corp');
  assert.equal(decodeNetbiosName('not-encoded'), 'not-encoded');
  const nbns = dnsMessage({ id: 3, flags: 0x0110, questions: [{ name: 'FHEPFCELEHFCEPFFFACACACACACACABN', type: 32 }] });
  const loaded = await load([v4(udp(nbns, 137, 137), 17, true)]);
  const A = flow(loaded, 1, 'A');
  assert.deepEqual(A.dnsQname, ['WORKGROUP<1D>']);
  assert.ok(Number(A.dnsStat) & BIT.DNS_NBIOS!);
});

test('hostile messages in a capture: loops, bad labels, cut and short messages are flagged, nothing is lost', async () => {
  const loaded = await load([
    udpQ(dnsMessage({ id: 1, questions: [{ name: pointer(12), type: 1 }] })),
    udpQ(dnsMessage({ id: 2, questions: [{ name: [0x81, 0x61, 0], type: 1 }] })),
    udpQ(q(3, 'cut.example.com').subarray(0, 20)),
    udpQ(new Uint8Array([0, 4, 1, 0])),
    udpQ(dnsMessage({ id: 5, flags: 0x0100, questions: [{ name: 'a', type: 252 }] })),
  ]);
  const A = Number(flow(loaded, 1, 'A').dnsStat);
  for (const name of ['DNS_ERRPTR', 'DNS_ERRLEN', 'DNS_WRNMLN', 'DNS_ZTRANS']) assert.ok(A & BIT[name]!, name);
  assert.deepEqual(loaded.dns.map((r) => r.transId), [1, 2, 3, 5]);
  assert.ok(Number(loaded.dns[0]!.problems) & BIT.DNS_ERRPTR!);
});

test('samples: the lookup before the FTP connection, over IPv4 and IPv6', async () => {
  for (const [file, name, answer, type] of [
    ['ftp-passive-dns.pcap', 'ftp.example.com', '192.0.2.180', 'A'],
    ['ftp-ipv6-epsv-eprt.pcap', 'ftp.example.com', '2001:db8:0:2::21', 'AAAA'],
  ] as const) {
    const capture = await loadCapture(join(ROOT, 'samples', file));
    try {
      const dns = rows(capture.catalog.table('dns'));
      assert.equal(dns.length, 1, file);
      assert.deepEqual([dns[0]!.query, dns[0]!.qtypeName, dns[0]!.answers, dns[0]!.rcodeName], [name, type, [answer], 'NOERROR']);
      const time = capture.packets.column('time')!;
      const rtt = (time.get((dns[0]!.replyPkt as number) - 1) as number) - (time.get((dns[0]!.queryPkt as number) - 1) as number);
      assert.ok(Math.abs((dns[0]!.rtt as number) - rtt) < 1e-6);
      // the lookup comes before the first TCP packet of the FTP connection
      const ftpStart = rows(capture.flows).filter((f) => f.dstPort === 21).map((f) => f.timeFirst as number)[0]!;
      assert.ok((dns[0]!.time as number) < ftpStart);
    } finally {
      capture.close();
    }
  }
});
