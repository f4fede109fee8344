/**
 * The DNS message decoder: every record type it decodes, name compression, and hostile input —
 * compression loops and forward pointers, pointer chains, reserved label types, names over 255
 * octets, lying counts, every truncation of real messages, random mutations and random bytes.
 * The decoder must never throw and must always stop within the message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsProblem, isResponse, opcodeOf, parseDnsMessage, rcodeOf, readName, type DnsMessage } from './message.ts';
import { dnsMessage, dnsName, optRecord, pointer, rdata } from './craft.ts';

const QUERY = dnsMessage({ id: 0x1234, flags: 0x0100, questions: [{ name: 'ftp.example.com', type: 1 }] });
const ANSWER = dnsMessage({
  id: 0x1234, flags: 0x8580, questions: [{ name: 'ftp.example.com', type: 255 }],
  answers: [
    { name: pointer(12), type: 5, ttl: 60, rdata: [3, 0x77, 0x77, 0x77, ...pointer(16)] }, // www.example.com
    { name: pointer(12), type: 1, ttl: 300, rdata: rdata.a('192.0.2.180') },
    { name: pointer(12), type: 28, rdata: rdata.aaaa([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x21]) },
    { name: pointer(16), type: 15, rdata: rdata.mx(10, [4, 0x6d, 0x61, 0x69, 0x6c, ...pointer(16)]) },
    { name: pointer(16), type: 16, rdata: rdata.txt('v=spf1 -all', 'second') },
    { name: [4, 0x5f, 0x73, 0x69, 0x70, 4, 0x5f, 0x74, 0x63, 0x70, ...pointer(16)], type: 33, rdata: rdata.srv(5, 60, 5060, 'sip.example.com') },
    { name: 'in-addr.arpa', type: 12, rdata: rdata.name('host.example.com') },
  ],
  authority: [
    { name: pointer(16), type: 2, rdata: rdata.name('ns1.example.com') },
    { name: pointer(16), type: 6, rdata: rdata.soa('ns1.example.com', 'hostmaster.example.com', 2024010101, 7200, 3600, 1209600, 300) },
  ],
  additional: [optRecord(1232, 1, 0, 0x8000)],
});

function parse(bytes: Uint8Array): DnsMessage {
  const m = parseDnsMessage(bytes);
  assert.ok(m);
  return m;
}

test('a query: id, flags, the question', () => {
  const m = parse(QUERY);
  assert.equal(m.id, 0x1234);
  assert.equal(isResponse(m), false);
  assert.equal(opcodeOf(m), 0);
  assert.deepEqual(m.questions, [{ name: 'ftp.example.com', type: 1, cls: 1 }]);
  assert.equal(m.problems, 0);
  assert.equal(m.end, QUERY.length);
  assert.equal(m.questionEnd, QUERY.length);
});

test('an answer with every decoded type, compressed names and an OPT record', () => {
  const m = parse(ANSWER);
  assert.equal(m.problems, 0);
  assert.equal(isResponse(m), true);
  assert.equal(m.end, ANSWER.length);
  assert.equal(rcodeOf(m), 16); // header 0 plus extended RCODE 1 << 4: BADVERS
  const [cname, a, aaaa, mx, txt, srv, ptr, ns, soa, opt] = m.records;
  assert.deepEqual([cname!.name, cname!.target, cname!.ttl], ['ftp.example.com', 'www.example.com', 60]);
  assert.equal(a!.address?.toString(), '192.0.2.180');
  assert.equal(aaaa!.address?.toString(), '2001:db8::21');
  assert.deepEqual([mx!.name, mx!.preference, mx!.target], ['example.com', 10, 'mail.example.com']);
  assert.deepEqual(txt!.texts, ['v=spf1 -all', 'second']);
  assert.deepEqual([srv!.name, srv!.srv, srv!.target], ['_sip._tcp.example.com', { priority: 5, weight: 60, port: 5060 }, 'sip.example.com']);
  assert.deepEqual([ptr!.name, ptr!.target], ['in-addr.arpa', 'host.example.com']);
  assert.deepEqual([ns!.section, ns!.target], ['authority', 'ns1.example.com']);
  assert.deepEqual([soa!.target, soa!.soa], ['ns1.example.com', { rname: 'hostmaster.example.com', serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 }]);
  assert.deepEqual([opt!.section, opt!.type, opt!.cls, opt!.ttl], ['additional', 41, 1232, 0x01008000]);
});

test('compression loops and bad pointers are cut, flagged and never followed forward', () => {
  const self = parse(dnsMessage({ questions: [{ name: pointer(12), type: 1 }] }));
  assert.ok(self.problems & DnsProblem.BadPointer);
  assert.equal(self.questions[0]!.name, '.');
  // a label, then back to the name's own start: a loop through one label
  const loop = parse(dnsMessage({ questions: [{ name: [1, 0x61, ...pointer(12)], type: 1 }] }));
  assert.ok(loop.problems & DnsProblem.BadPointer);
  assert.equal(loop.questions[0]!.name, 'a');
  // two names pointing at each other: the second points back (fine), the first forward (refused)
  const mutual = parse(dnsMessage({ flags: 0x8180, questions: [{ name: pointer(18), type: 1 }], answers: [{ name: pointer(12), type: 1, rdata: rdata.a('192.0.2.1') }] }));
  assert.ok(mutual.problems & DnsProblem.BadPointer);
  // a pointer past the end of the message
  assert.ok(parse(dnsMessage({ questions: [{ name: pointer(0x3fff), type: 1 }] })).problems & DnsProblem.BadPointer);
  // after a bad pointer the name's end is known: the next record is still read
  assert.equal(mutual.records.length, 1);
});

test('a pointer chain longer than any name needs is refused as a loop', () => {
  // 200 pointers, each to the one before, then the question pointing at the last
  const chain: number[] = [];
  const labels = [1, 0x61, 0];
  const start = 12 + 5 + 11; // the record data: after a root question and the record header
  chain.push(...labels);
  for (let i = 1; i <= 200; i++) chain.push(...pointer(start + (i === 1 ? 0 : 3 + 2 * (i - 2))));
  const msg = dnsMessage({ flags: 0x8180, questions: [{ name: [0], type: 1 }], answers: [{ name: [0], type: 10, rdata: chain }] });
  const pos = 12 + 5 + 11 + 3 + 2 * 199; // the last pointer
  const name = readName(msg, msg.length, pos);
  assert.ok(name.problems & DnsProblem.BadPointer);
  const short = readName(msg, msg.length, 12 + 5 + 11 + 3 + 2 * 9); // ten hops: fine
  assert.equal(short.problems, 0);
  assert.equal(short.text, 'a');
});

test('reserved label types, names over 255 octets, record data that does not fit', () => {
  assert.ok(parse(dnsMessage({ questions: [{ name: [0x81, 0x61, 0], type: 1 }] })).problems & DnsProblem.BadLabel);
  assert.ok(parse(dnsMessage({ questions: [{ name: [0x41, 8, 0xff, 0], type: 1 }] })).problems & DnsProblem.BadLabel);
  const long = parse(dnsMessage({ questions: [{ name: Array.from({ length: 5 }, () => 'x'.repeat(63)).join('.'), type: 1 }] }));
  assert.ok(long.problems & DnsProblem.NameTooLong);
  assert.ok(long.questions[0]!.name.length <= 255);
  const shortA = parse(dnsMessage({ flags: 0x8180, answers: [{ name: 'a', type: 1, rdata: [1, 2, 3] }] }));
  assert.ok(shortA.problems & DnsProblem.BadRdata);
  assert.equal(shortA.records[0]!.address, undefined);
  const txt = parse(dnsMessage({ flags: 0x8180, answers: [{ name: 'a', type: 16, rdata: [9, 0x61] }] }));
  assert.ok(txt.problems & DnsProblem.BadRdata);
  const cname = parse(dnsMessage({ flags: 0x8180, answers: [{ name: 'a', type: 5, rdata: [3, 0x61, 0x62] }] }));
  assert.ok(cname.problems & (DnsProblem.BadRdata | DnsProblem.Truncated));
});

test('counts that promise more than the bytes hold', () => {
  const m = parse(dnsMessage({ questions: [{ name: 'a', type: 1 }], counts: [65535, 65535, 65535, 65535] }));
  assert.ok(m.problems & DnsProblem.Truncated);
  assert.equal(m.questions.length, 1);
  assert.equal(m.records.length, 0);
  assert.equal(parseDnsMessage(new Uint8Array(11)), undefined);
  assert.equal(parse(new Uint8Array(12)).problems, 0);
});

test('every truncation of the sample messages is decoded without throwing, and flagged', () => {
  for (const full of [QUERY, ANSWER]) {
    for (let len = 12; len < full.length; len++) {
      const m = parse(full.subarray(0, len));
      assert.ok(m.problems & (DnsProblem.Truncated | DnsProblem.BadPointer | DnsProblem.BadRdata), `cut at ${len}`);
      assert.ok(m.end <= len);
    }
  }
});

/** xorshift: the same bytes on every run */
function random(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

function checkInvariants(m: DnsMessage | undefined, len: number): void {
  if (m === undefined) { assert.ok(len < 12); return; }
  assert.ok(m.end <= len && m.questionEnd <= m.end);
  assert.ok(m.questions.length <= m.qdCount);
  assert.ok(m.records.length <= m.anCount + m.nsCount + m.arCount);
  for (const q of m.questions) assert.ok(q.name.length <= 255 * 4);
  for (const r of m.records) assert.ok(r.name.length <= 255 * 4);
}

test('fuzz: mutated messages and random bytes never throw and stay within the message', () => {
  const rnd = random(20240611);
  let parsed = 0;
  for (let round = 0; round < 4000; round++) {
    const base = round % 2 ? ANSWER : QUERY;
    const bytes = Uint8Array.from(base);
    for (let flips = 1 + rnd(8); flips > 0; flips--) {
      const at = rnd(bytes.length);
      // favour the bytes that steer the decoder: length bytes, pointers, counts
      bytes[at] = [0xc0 | rnd(64), rnd(64), rnd(256), 0, 0xff][rnd(5)]!;
    }
    const len = rnd(4) === 0 ? rnd(bytes.length + 1) : bytes.length;
    const m = parseDnsMessage(bytes, 0, len);
    checkInvariants(m, len);
    parsed++;
  }
  for (let round = 0; round < 2000; round++) {
    const bytes = Uint8Array.from({ length: 12 + rnd(600) }, () => rnd(256));
    checkInvariants(parseDnsMessage(bytes), bytes.length);
    parsed++;
  }
  assert.equal(parsed, 6000);
});

test('a compression bomb (every record a long pointer chain) is decoded with every name cut', () => {
  // 64 KB: a chain of pointers, each to the previous, and thousands of records naming its end
  const chain: number[] = [1, 0x61, 0];
  for (let i = 0; i < 3000; i++) chain.push(...pointer(12 + 5 + 11 + (i === 0 ? 0 : 3 + 2 * (i - 1))));
  const head = { name: [0] as number[], type: 10, rdata: chain };
  const last = 12 + 5 + 11 + 3 + 2 * 2999;
  const records = Array.from({ length: 5000 }, () => ({ name: pointer(last), type: 1, rdata: rdata.a('192.0.2.1') }));
  const msg = dnsMessage({ flags: 0x8180, questions: [{ name: [0], type: 1 }], answers: [head, ...records] });
  const m = parse(msg);
  assert.ok(m.problems & DnsProblem.BadPointer);
  assert.equal(m.records.length, 5001);
  assert.equal(m.end, msg.length);
});

test('dnsName and the craft helpers build what the decoder reads back', () => {
  assert.deepEqual(dnsName('a.bc'), [1, 0x61, 2, 0x62, 0x63, 0]);
  assert.deepEqual(dnsName('.'), [0]);
  const m = parse(dnsMessage({ questions: [{ name: 'caf\u00e9.example', type: 1 }] }));
  assert.equal(m.questions[0]!.name, 'caf\u00e9.example');
});
