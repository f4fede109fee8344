/**
 * The DNS part of the tcpdump view against the real tcpdump, whole lines: crafted queries and
 * answers of every record type tcpdump summarises, hostile names (compression loops, forward
 * pointers, bit labels, reserved label types, names over 255 octets), every truncation of a few
 * messages, DNS over TCP with right and wrong length prefixes, and multicast DNS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter, LINKTYPE_ETHERNET } from '../capture/writer.ts';
import { concat, ethernet, ipv4, ipv6, tcp, udp } from '../decode/craft.ts';
import { dnsMessage, optRecord, pointer, rdata, type MessageSpec } from '../analyzers/dns/craft.ts';
import { compareWithTcpdump, haveTcpdump } from './tcpdumpCompare.ts';
import { tcpdumpLine } from './tcpdump.ts';
import { DecodedPacket } from '../decode/packet.ts';
import { tcpdumpDnsKind } from './tcpdumpDns.ts';

const tcpdumpMissing = haveTcpdump() ? false : 'tcpdump is not installed';

const CLIENT = '192.0.2.10', RESOLVER = '192.0.2.1';
const query = (m: Uint8Array, sport = 40000, dport = 53): Uint8Array =>
  ethernet(0x0800, ipv4(udp(m, sport, dport), { proto: 17, src: CLIENT, dst: RESOLVER }));
const reply = (m: Uint8Array): Uint8Array =>
  ethernet(0x0800, ipv4(udp(m, 53, 40000), { proto: 17, src: RESOLVER, dst: CLIENT }));
const overTcp = (m: Uint8Array, prefix = m.length, fromServer = false): Uint8Array =>
  ethernet(0x0800, ipv4(tcp(concat([prefix >> 8, prefix & 255], m), { sport: fromServer ? 53 : 40001, dport: fromServer ? 40001 : 53, flags: 0x18 }),
    { proto: 6, src: fromServer ? RESOLVER : CLIENT, dst: fromServer ? CLIENT : RESOLVER }));

const Q = (name: string, type = 1): MessageSpec['questions'] => [{ name, type }];

function messages(): { frames: Uint8Array[]; cut: Uint8Array[] } {
  const ftp = dnsMessage({ id: 1, flags: 0x0100, questions: Q('ftp.example.com') });
  const answer = dnsMessage({
    id: 1, flags: 0x8180, questions: Q('ftp.example.com'),
    answers: [
      { name: pointer(12), type: 5, rdata: [...rdata.name([3, 0x77, 0x77, 0x77]).slice(0, 4), ...pointer(12)] },
      { name: pointer(12), type: 1, rdata: rdata.a('192.0.2.180') },
      { name: pointer(12), type: 28, rdata: rdata.aaaa([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x21]) },
    ],
    authority: [{ name: pointer(16), type: 2, rdata: rdata.name('ns1.example.com') }],
    additional: [optRecord(1232)],
  });
  const everyType = dnsMessage({
    id: 0xbeef, flags: 0x8580, questions: Q('example.com', 255),
    answers: [
      { name: pointer(12), type: 15, rdata: rdata.mx(10, 'mail.example.com') },
      { name: pointer(12), type: 16, rdata: rdata.txt('v=spf1 -all', 'two "quoted"', '\u0001ctl') },
      { name: pointer(12), type: 6, rdata: rdata.soa('ns1.example.com', 'hostmaster.example.com', 2024010101, 7200, 3600, 1209600, 300) },
      { name: [4, 0x5f, 0x73, 0x69, 0x70, 4, 0x5f, 0x74, 0x63, 0x70, ...pointer(12)], type: 33, rdata: rdata.srv(10, 60, 5060, 'sip.example.com') },
      { name: [1, 0x34, 1, 0x33, 1, 0x32, 1, 0x31, 7, ...new TextEncoder().encode('in-addr'), 4, ...new TextEncoder().encode('arpa'), 0], type: 12, rdata: rdata.name('host.example.com') },
      { name: pointer(12), type: 39, rdata: rdata.name('example.net') },
      { name: pointer(12), type: 38, rdata: [64, 0, 0, 0, 0, 0, 0, 0, 1, ...rdata.name('prefix.example.com')] },
      { name: pointer(12), type: 38, rdata: [200] },
      { name: pointer(12), type: 256, rdata: [0, 10, 0, 1, ...new TextEncoder().encode('https://example.com/')] },
      { name: pointer(12), type: 41, cls: 4096, ttl: 0x8000, rdata: [0, 12, 0, 3, 0, 0, 0, 0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 11, 0, 2, 0, 150, 0, 14, 0, 4, 1, 2, 3, 4, 0, 5, 0, 2, 8, 13, 0, 99, 0, 1, 0xaa] },
      { name: pointer(12), type: 250, rdata: [0] },
      { name: pointer(12), type: 64, cls: 3, rdata: [0, 1, 0] },
      { name: pointer(12), type: 99, cls: 254, rdata: rdata.txt('spf') },
    ],
  });
  const nx = dnsMessage({ id: 2, flags: 0x8183, questions: Q('nothere.example.com', 28), authority: [{ name: pointer(12), type: 6, rdata: rdata.soa('a', 'b', 1, 2, 3, 4, 5) }] });
  const hostile: Uint8Array[] = [
    dnsMessage({ id: 3, questions: [{ name: pointer(12), type: 1 }] }), // points at itself
    dnsMessage({ id: 4, questions: [{ name: [1, 0x61, ...pointer(12)], type: 1 }] }), // back to its own start
    dnsMessage({ id: 5, flags: 0x8180, questions: Q('a'), answers: [{ name: pointer(200), type: 1, rdata: rdata.a('192.0.2.9') }] }), // forward
    dnsMessage({ id: 6, flags: 0x8180, questions: Q('a'), answers: [{ name: pointer(12), type: 5, rdata: pointer(31) }] }), // rdata name pointing at itself
    dnsMessage({ id: 7, questions: [{ name: [0x41, 8, 0xa5, 0], type: 1 }] }), // bit label
    dnsMessage({ id: 8, questions: [{ name: [0x41, 0, 0], type: 1 }] }), // bit label of 256 bits, not captured
    dnsMessage({ id: 9, questions: [{ name: [0x4f, 1, 2, 0], type: 1 }] }), // unknown extended label type
    dnsMessage({ id: 10, questions: [{ name: [0x85, 1, 2, 0], type: 1 }] }), // reserved label type
    dnsMessage({ id: 11, questions: [{ name: Array.from({ length: 5 }, () => 'x'.repeat(63)).join('.'), type: 1 }] }), // 320 octets
    dnsMessage({ id: 12, questions: [{ name: 'caf\u00e9.\u0007bell.\u007f', type: 1 }] }), // non-ASCII and control bytes
    dnsMessage({ id: 13, flags: 0x0100, questions: Q('a'), counts: [65535, 65535, 65535, 65535] }), // counts that lie
    dnsMessage({ id: 14, flags: 0x8180, questions: Q('a'), answers: [{ name: pointer(12), type: 1, rdata: [192, 0, 2] }] }), // short A
    dnsMessage({ id: 15, flags: 0x8180, questions: Q('a'), answers: [{ name: pointer(12), type: 16, rdata: [9, 0x61] }] }), // TXT past its end
    dnsMessage({ id: 16, flags: 0x8180, counts: [0, 1, 0, 0], answers: [{ name: 'a', type: 1, rdata: rdata.a('192.0.2.1') }] }),
    dnsMessage({ id: 17, flags: 0x8180, questions: [...Q('a')!, ...Q('b')!], answers: [{ name: pointer(12), type: 1, rdata: rdata.a('192.0.2.1') }] }),
    dnsMessage({ id: 18, flags: 0x0900 }), // IQUERY without questions
    dnsMessage({ id: 19, flags: 0x2cff, questions: Q('weird.flags') }), // update opcode, AA/TC/RA/Z/RCODE bits in a query
    dnsMessage({ id: 20, flags: 0x8183, questions: Q('a'), additional: [optRecord(1232, 1)] }), // extended RCODE 19
    dnsMessage({ id: 21, flags: 0x8183, questions: Q('a'), additional: [optRecord(1232, 200)] }),
    new Uint8Array([0, 22, 1, 0, 0, 1]), // shorter than a header
  ];
  const frames = [query(ftp), reply(answer), reply(everyType), reply(nx), ...hostile.map((m, i) => (i % 2 ? reply(m) : query(m)))];
  // IPv6, mDNS (queries with QU bit, answers with cache flush), TCP with right and wrong prefixes
  frames.push(ethernet(0x86dd, ipv6(udp(ftp, 40000, 53), { next: 17, src: '2001:db8::10', dst: '2001:db8::1' })));
  const mdnsQuery = dnsMessage({ id: 0, flags: 0, questions: [{ name: 'printer.local', type: 12, cls: 0x8001 }] });
  const mdnsAnswer = dnsMessage({ id: 0, flags: 0x8400, answers: [{ name: 'printer.local', type: 1, cls: 0x8001, rdata: rdata.a('192.0.2.77') }] });
  frames.push(query(mdnsQuery, 5353, 5353), query(mdnsAnswer, 5353, 5353));
  frames.push(overTcp(ftp), overTcp(answer, answer.length, true), overTcp(ftp, ftp.length + 9), overTcp(new Uint8Array(0)));
  frames.push(ethernet(0x0800, ipv4(tcp([7], { sport: 53, dport: 40001, flags: 0x18 }), { proto: 6 })));
  // every cut of two messages: by the snaplen (cut) and by the UDP length (shorter datagram)
  const cut: Uint8Array[] = [];
  for (const m of [answer, everyType]) {
    const frame = reply(m);
    for (let len = 42; len < frame.length; len++) cut.push(frame.subarray(0, len));
    for (let len = 0; len < m.length; len++) frames.push(reply(m.subarray(0, len)));
  }
  return { frames, cut };
}

test('the headline query and answer print as tcpdump prints them', () => {
  const m = dnsMessage({ id: 1, flags: 0x0100, questions: Q('ftp.example.com') });
  const a = dnsMessage({ id: 1, flags: 0x8180, questions: Q('ftp.example.com'), answers: [{ name: pointer(12), type: 1, rdata: rdata.a('192.0.2.180') }] });
  const line = (bytes: Uint8Array): string =>
    tcpdumpLine({ bytes, capLen: bytes.length, wireLen: bytes.length, linkType: 1, interfaceId: 0, tsSec: 1, tsNsec: 0, fileOffset: 0 }, new DecodedPacket(), 6);
  assert.equal(line(query(m)), '1.000000 IP 192.0.2.10.40000 > 192.0.2.1.53: 1+ A? ftp.example.com. (33)');
  assert.equal(line(reply(a)), '1.000000 IP 192.0.2.1.53 > 192.0.2.10.40000: 1 1/0/0 A 192.0.2.180 (49)');
  assert.equal(line(query(dnsMessage({ id: 3, questions: [{ name: pointer(12), type: 1 }] }))), '1.000000 IP 192.0.2.10.40000 > 192.0.2.1.53: 3+ A? <BAD PTR> [|domain]');
});

test('which ports get tcpdump\'s DNS printer', () => {
  assert.equal(tcpdumpDnsKind(17, 40000, 53), 'dns');
  assert.equal(tcpdumpDnsKind(17, 53, 5353), 'dns');
  assert.equal(tcpdumpDnsKind(17, 5353, 5353), 'mdns');
  assert.equal(tcpdumpDnsKind(17, 137, 5353), undefined);
  assert.equal(tcpdumpDnsKind(6, 53, 40000), 'dns');
  assert.equal(tcpdumpDnsKind(6, 53, 80), undefined); // HTTP is tried first
  assert.equal(tcpdumpDnsKind(6, 5353, 40000), undefined);
});

test('crafted DNS messages, hostile names and every truncation print as tcpdump prints them', { skip: tcpdumpMissing }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsh-dns-tcpdump-'));
  try {
    const { frames, cut } = messages();
    const file = path.join(dir, 'dns.pcap');
    const writer = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET, overwrite: true });
    frames.forEach((f, i) => writer.writePacket(1700000000 + i, 1000 * i, f));
    // the cut frames claim their whole length on the wire
    cut.forEach((f, i) => writer.writePacket(1710000000 + i, 0, f, f.buffer.byteLength));
    writer.close();
    const r = await compareWithTcpdump(file);
    assert.equal(r.skipped, undefined);
    assert.equal(r.compared, frames.length + cut.length);
    const bad = r.mismatches.map((m) => `#${m.pktNo}\n  ours:    ${m.ours}\n  tcpdump: ${m.tcpdump}`);
    assert.deepEqual(bad, []);
    assert.equal(r.matched, r.compared);
  } finally {
    if (!process.env.FLOWSH_KEEP_TCPDUMP_DIR) fs.rmSync(dir, { recursive: true, force: true });
  }
});
