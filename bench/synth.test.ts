import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticCapture, MAX_SYNTHETIC_FLOWS, type SyntheticCaptureOptions } from './synth.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'flowsh-synth-'));
test.after(() => rmSync(workDir, { recursive: true, force: true }));

let fileCounter = 0;
function generate(options: SyntheticCaptureOptions): { file: string; bytes: Buffer } {
  const file = path.join(workDir, `synth-${fileCounter++}.pcap`);
  const summary = writeSyntheticCapture(file, options);
  const bytes = readFileSync(file);
  assert.equal(summary.fileBytes, bytes.length);
  assert.equal(summary.packets, options.packets);
  return { file, bytes };
}

/** Ones' complement sum of 16-bit big-endian words. */
function wordSum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) & 1) sum += bytes[end - 1] << 8;
  return sum;
}
function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

interface ParsedPacket {
  readonly time: number; // microseconds since the epoch
  readonly frameLen: number;
  readonly key: string; // unordered 4-tuple
  readonly fromLow: boolean; // direction within the tuple
  readonly src: number;
  readonly dst: number;
  readonly flags: number;
  readonly seq: number;
  readonly ack: number;
  readonly payloadLen: number;
}

/** An independent reader of the generated pcap: checks framing and checksums while parsing. */
function parseCapture(bytes: Buffer): ParsedPacket[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(view.getUint32(0, true), 0xa1b2c3d4, 'microsecond pcap magic, little-endian');
  assert.equal(view.getUint16(4, true), 2);
  assert.equal(view.getUint16(6, true), 4);
  assert.equal(view.getUint32(20, true), 1, 'link type Ethernet');
  const snapLen = view.getUint32(16, true);
  const packets: ParsedPacket[] = [];
  let o = 24;
  while (o < bytes.length) {
    assert.ok(o + 16 <= bytes.length, 'record header complete');
    const capLen = view.getUint32(o + 8, true);
    const wireLen = view.getUint32(o + 12, true);
    assert.equal(capLen, wireLen, 'no truncation');
    assert.ok(capLen <= snapLen);
    const time = view.getUint32(o, true) * 1e6 + view.getUint32(o + 4, true);
    assert.ok(view.getUint32(o + 4, true) < 1e6, 'microseconds below one second');
    const e = o + 16;
    assert.ok(e + capLen <= bytes.length, 'record data complete');
    assert.equal(view.getUint16(e + 12), 0x0800, 'IPv4 ethertype');
    const ip = e + 14;
    assert.equal(bytes[ip], 0x45, 'IPv4 without options');
    assert.equal(bytes[ip + 9], 6, 'TCP');
    const ipTotal = view.getUint16(ip + 2);
    assert.equal(14 + ipTotal, capLen, 'IP total length matches the frame');
    assert.equal(fold(wordSum(bytes, ip, ip + 20)), 0xffff, 'IPv4 header checksum');
    const src = view.getUint32(ip + 12);
    const dst = view.getUint32(ip + 16);
    // MACs are 02:00 + IPv4 address
    assert.equal(view.getUint32(e + 2), dst);
    assert.equal(view.getUint32(e + 8), src);
    const tcp = ip + 20;
    const tcpLen = (bytes[tcp + 12] >> 4) * 4;
    const payloadLen = ipTotal - 20 - tcpLen;
    const pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + ipTotal - 20;
    assert.equal(fold(pseudo + wordSum(bytes, tcp, ip + ipTotal)), 0xffff, 'TCP checksum');
    const srcPort = view.getUint16(tcp);
    const dstPort = view.getUint16(tcp + 2);
    const a = `${src}:${srcPort}`;
    const b = `${dst}:${dstPort}`;
    packets.push({
      time, frameLen: capLen, key: a < b ? `${a}-${b}` : `${b}-${a}`, fromLow: a < b, src, dst,
      flags: bytes[tcp + 13], seq: view.getUint32(tcp + 4), ack: view.getUint32(tcp + 8), payloadLen,
    });
    o = e + capLen;
  }
  return packets;
}

const SYN = 0x02, FIN = 0x01, ACK = 0x10, RST = 0x04;

interface FlowCheck { flows: number; maxOpen: number; synCount: number; lastSynIndex: number; firstPayloadIndex: number; lastPayloadIndex: number; firstFinIndex: number }

/**
 * Checks every connection is a complete, consistent TCP conversation (one handshake, contiguous
 * sequence numbers, acks equal to what the peer sent, FIN teardown) and measures concurrency.
 */
function checkFlows(packets: readonly ParsedPacket[]): FlowCheck {
  interface Side { next: number; started: boolean; fin: boolean }
  interface Flow { client: boolean | undefined; low: Side; high: Side; open: boolean; closed: boolean }
  const flows = new Map<string, Flow>();
  let open = 0, maxOpen = 0, synCount = 0, lastSynIndex = -1, firstPayloadIndex = -1, lastPayloadIndex = -1, firstFinIndex = -1;
  let previousTime = -1;
  packets.forEach((p, index) => {
    assert.ok(p.time >= previousTime, `timestamps non-decreasing at packet ${index + 1}`);
    previousTime = p.time;
    assert.ok(p.frameLen >= 54 && p.frameLen <= 1514, `frame size ${p.frameLen} in 54..1514`);
    assert.equal(p.flags & RST, 0, 'no resets');
    let flow = flows.get(p.key);
    if (flow === undefined) {
      assert.equal(p.flags, SYN, `first packet of ${p.key} is a SYN`);
      flow = { client: p.fromLow, low: { next: 0, started: false, fin: false }, high: { next: 0, started: false, fin: false }, open: true, closed: false };
      flows.set(p.key, flow);
      maxOpen = Math.max(maxOpen, ++open);
    }
    assert.ok(!flow.closed, `no packet after the last ACK of ${p.key}`);
    const me = p.fromLow ? flow.low : flow.high;
    const peer = p.fromLow ? flow.high : flow.low;
    if (p.flags & SYN) {
      synCount += (p.flags & ACK) ? 0 : 1;
      if (!(p.flags & ACK)) lastSynIndex = index;
      assert.ok(!me.started, 'one SYN per direction');
      assert.equal(p.flags & ACK ? p.fromLow !== flow.client : p.fromLow === flow.client, true, 'SYN from the client, SYN-ACK from the server');
      me.started = true;
      me.next = (p.seq + 1) >>> 0;
    } else {
      assert.ok(me.started && peer.started, 'data only after the handshake');
      assert.equal(p.seq, me.next, 'contiguous sequence numbers');
      me.next = (me.next + p.payloadLen + (p.flags & FIN ? 1 : 0)) >>> 0;
    }
    if (p.flags & ACK) assert.equal(p.ack, peer.next, 'ack equals the next sequence number of the peer');
    if (p.payloadLen > 0) {
      assert.ok(!me.fin, 'no data after FIN');
      if (firstPayloadIndex < 0) firstPayloadIndex = index;
      lastPayloadIndex = index;
    }
    if (p.flags & FIN) {
      me.fin = true;
      if (firstFinIndex < 0) firstFinIndex = index;
    } else if (flow.low.fin && flow.high.fin && p.payloadLen === 0) {
      // the ACK of the second FIN ends the connection
      assert.equal(p.fromLow, flow.client, 'the client sends the last ACK');
      flow.closed = true;
      open--;
    }
  });
  for (const [key, flow] of flows) assert.ok(flow.closed, `${key} is torn down`);
  assert.equal(open, 0);
  return { flows: flows.size, maxOpen, synCount, lastSynIndex, firstPayloadIndex, lastPayloadIndex, firstFinIndex };
}

const small: SyntheticCaptureOptions = { packets: 2000, flows: 100, concurrentFlows: 10, seed: 42 };

test('same seed gives the same bytes; another seed gives other bytes', () => {
  const first = generate(small);
  const second = generate(small);
  assert.ok(first.bytes.equals(second.bytes), 'identical output for identical options');
  const third = generate({ ...small, seed: 43 });
  assert.ok(!first.bytes.equals(third.bytes), 'seed changes the output');
  assert.ok(first.bytes.length > 2000 * 54);
});

test('rolling layout: exact packet and flow counts, valid headers, bounded concurrency', () => {
  const { bytes } = generate(small);
  const packets = parseCapture(bytes);
  assert.equal(packets.length, 2000);
  const check = checkFlows(packets);
  assert.equal(check.flows, 100);
  assert.equal(check.synCount, 100);
  assert.ok(check.maxOpen <= 10, `at most 10 connections open at once (saw ${check.maxOpen})`);
  assert.ok(check.maxOpen >= 5, `the window is used (saw ${check.maxOpen})`);
  // mixed sizes: pure ACKs, full-sized segments and partial segments
  const sizes = new Set(packets.map((p) => p.frameLen));
  assert.ok(sizes.has(54) && sizes.has(1514));
  assert.ok(sizes.size > 50, 'many distinct frame sizes');
  // documentation addresses only: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
  for (const p of packets) {
    for (const addr of [p.src, p.dst]) {
      const net = addr >>> 8;
      assert.ok(net === 0xc00002 || net === 0xc63364 || net === 0xcb0071, `documentation address ${addr.toString(16)}`);
    }
  }
});

test('allOpen layout: every handshake, then all data, then every teardown', () => {
  const { bytes } = generate({ packets: 1500, flows: 120, seed: 5, layout: 'allOpen' });
  const packets = parseCapture(bytes);
  assert.equal(packets.length, 1500);
  const check = checkFlows(packets);
  assert.equal(check.flows, 120);
  assert.equal(check.maxOpen, 120, 'all connections open at once');
  assert.ok(check.lastSynIndex < check.firstPayloadIndex, 'handshakes before data');
  assert.ok(check.lastPayloadIndex < check.firstFinIndex, 'data before teardowns');
});

test('minimal flows (no data) and option validation', () => {
  const packets = parseCapture(generate({ packets: 60, flows: 10, concurrentFlows: 3, seed: 9 }).bytes);
  assert.equal(packets.length, 60);
  assert.equal(checkFlows(packets).flows, 10);
  const file = path.join(workDir, 'invalid.pcap');
  assert.throws(() => writeSyntheticCapture(file, { packets: 59, flows: 10 }), RangeError);
  assert.throws(() => writeSyntheticCapture(file, { packets: 100, flows: 0 }), RangeError);
  assert.throws(() => writeSyntheticCapture(file, { flows: MAX_SYNTHETIC_FLOWS + 1, packets: 6 * (MAX_SYNTHETIC_FLOWS + 1) }), RangeError);
});

function tsharkAvailable(): boolean {
  const probe = spawnSync('tshark', ['-v'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
}

function tshark(args: readonly string[]): string {
  const run = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, `tshark ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

test('tshark agrees: packet count, one tcp.stream and one conversation per flow, no expert warnings', (t) => {
  if (!tsharkAvailable()) {
    t.skip('tshark is not installed');
    return;
  }
  for (const options of [small, { packets: 1500, flows: 120, seed: 5, layout: 'allOpen' } as const]) {
    const { file } = generate(options);
    const streams = tshark(['-r', file, '-T', 'fields', '-e', 'tcp.stream']).trim().split('\n');
    assert.equal(streams.length, options.packets);
    assert.equal(new Set(streams).size, options.flows);
    const report = tshark(['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-q', '-z', 'conv,tcp', '-z', 'expert']);
    const conversations = report.split('\n').filter((line) => line.includes('<->'));
    assert.equal(conversations.length, options.flows);
    assert.doesNotMatch(report, /^(Errors|Warns) \(/m, 'no expert errors or warnings');
    assert.match(report, /Connection establish request \(SYN\)/, 'expert output was produced');
  }
});
