import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { readCapture } from './reader.ts';
import { openPayloadSource } from './payload.ts';
import { CaptureOpenError } from './types.ts';
import {
  ByteBuilder, CollectingSink, PcapngBuilder, packetBytes, pcapFile, type BuiltCapture, type PcapRecord,
} from './test-captures.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowsh-reader-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function writeTemp(bytes: Uint8Array, name = `cap${fileNo++}`): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function read(bytes: Uint8Array, opts: Parameters<typeof readCapture>[2] = {}) {
  const path = writeTemp(bytes);
  const sink = new CollectingSink();
  const info = await readCapture(path, sink, opts);
  assert.equal(sink.outOfBuffer, 0);
  return { path, sink, info };
}

function records(n: number, firstSec = 1_700_000_000): PcapRecord[] {
  return Array.from({ length: n }, (_, i) => ({ sec: firstSec + i, frac: i * 1000 + 7, data: packetBytes(i, 60 + i * 13) }));
}

/** Every delivered packet's bytes equal what the payload source reads at its file offset. */
function assertPayloadReadsBack(path: string, sink: CollectingSink, spillPath?: string): void {
  const src = openPayloadSource(path, spillPath);
  try {
    for (const p of sink.packets) assert.deepEqual(src.read(p.fileOffset, p.capLen), p.data);
  } finally {
    src.close();
  }
}

test('classic pcap, little-endian microseconds: packets, timestamps, link type, offsets', async () => {
  const recs = records(5);
  const built = pcapFile(recs, { le: true, linkType: 1, snapLen: 262144 });
  const { path, sink, info } = await read(built.bytes);
  assert.deepEqual(sink.warnings, []);
  assert.equal(info.format, 'pcap');
  assert.equal(info.littleEndian, true);
  assert.equal(info.compressed, false);
  assert.equal(info.packets, 5);
  assert.equal(info.tsDigits, 6);
  assert.equal(info.fileBytes, built.bytes.length);
  assert.deepEqual(info.interfaces, [{ linkType: 1, snapLen: 262144, tsDigits: 6 }]);
  assert.equal(info.cancelled, false);
  sink.packets.forEach((p, i) => {
    assert.deepEqual(p.data, recs[i]!.data);
    assert.equal(p.sec, recs[i]!.sec);
    assert.equal(p.nsec, recs[i]!.frac * 1000);
    assert.equal(p.linkType, 1);
    assert.equal(p.interfaceId, 0);
    assert.equal(p.fileOffset, built.dataOffsets[i]);
    assert.equal(p.wireLen, recs[i]!.data.length);
  });
  assertPayloadReadsBack(path, sink);
});

test('classic pcap, big-endian nanoseconds', async () => {
  const recs: PcapRecord[] = [
    { sec: 1_600_000_000, frac: 999_999_999, data: packetBytes(1, 100), wireLen: 1500 },
    { sec: 1_600_000_001, frac: 1, data: packetBytes(2, 54) },
  ];
  const built = pcapFile(recs, { le: false, nsec: true, linkType: 101, snapLen: 100 });
  const { path, sink, info } = await read(built.bytes);
  assert.deepEqual(sink.warnings, []);
  assert.equal(info.littleEndian, false);
  assert.equal(info.tsDigits, 9);
  assert.deepEqual(sink.packets.map((p) => [p.sec, p.nsec, p.capLen, p.wireLen, p.linkType]), [
    [1_600_000_000, 999_999_999, 100, 1500, 101],
    [1_600_000_001, 1, 54, 54, 101],
  ]);
  assertPayloadReadsBack(path, sink);
});

test('records spanning read chunks, an oversized buffer need, progress and byte totals', async () => {
  const recs: PcapRecord[] = [];
  let total = 24;
  for (let i = 0; total < 3_500_000; i++) {
    const len = i === 40 ? 200_000 : 1 + ((i * 7919) % 9000); // one near-maximal record
    recs.push({ sec: 1_700_000_000 + (i >> 10), frac: i % 1000, data: packetBytes(i, len) });
    total += 16 + len;
  }
  const built = pcapFile(recs, { snapLen: 262144 });
  const progress: number[] = [];
  const { path, sink, info } = await read(built.bytes, {
    progress: (bytes, totalBytes, packets) => {
      assert.equal(totalBytes, built.bytes.length);
      assert.ok(packets <= recs.length);
      progress.push(bytes);
    },
  });
  assert.deepEqual(sink.warnings, []);
  assert.equal(info.packets, recs.length);
  for (let i = 0; i < recs.length; i++) {
    assert.equal(sink.packets[i]!.fileOffset, built.dataOffsets[i]);
    assert.deepEqual(sink.packets[i]!.data, recs[i]!.data);
  }
  assert.ok(progress.length >= 3, `progress reported ${progress.length} times`);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
  assert.equal(progress.at(-1), built.bytes.length);
  assertPayloadReadsBack(path, sink);
});

test('an abort signal stops reading and reports cancelled', async () => {
  const recs = Array.from({ length: 4000 }, (_, i) => ({ sec: 1, frac: i, data: packetBytes(i, 1000) }));
  const ac = new AbortController();
  const path = writeTemp(pcapFile(recs).bytes);
  let seen = 0;
  const info = await readCapture(path, {
    packet() { if (++seen === 10) ac.abort(); },
    warning() { assert.fail('no warning expected'); },
  }, { signal: ac.signal });
  assert.equal(info.cancelled, true);
  assert.equal(info.packets, seen);
  assert.ok(seen >= 10 && seen < recs.length, `${seen} packets read`);
});

test('patched-libpcap (RedHat 6.1) records with 24-byte headers behind the standard magic', async () => {
  const recs = records(4);
  const built = pcapFile(recs, { recordHeaderBytes: 24 });
  const { sink } = await read(built.bytes);
  assert.deepEqual(sink.warnings, []);
  assert.deepEqual(sink.packets.map((p) => p.fileOffset), built.dataOffsets);
  assert.deepEqual(sink.packets.map((p) => p.data), recs.map((r) => r.data));
});

/** Two sections: LE with two interfaces (ns and us), then BE with one (2^-20 s, offset). */
function multiSectionPcapng() {
  const ng = new PcapngBuilder();
  const expected: { data: Uint8Array; sec: number; nsec: number; linkType: number; iface: number; offset: number; wireLen: number }[] = [];
  ng.section(true);
  ng.iface(1, 0, { tsresol: 9, name: 'eth0' });
  ng.iface(113, 96, { tsresol: 6 });
  let d = packetBytes(1, 70);
  expected.push({ data: d, sec: 1_700_000_000, nsec: 123_456_789, linkType: 1, iface: 0, wireLen: 70,
    offset: ng.packet(0, 1_700_000_000_123_456_789n, d) });
  ng.block(0x12345678, (b) => b.u32(0xdeadbeef, true)); // unknown block type
  d = packetBytes(2, 96);
  expected.push({ data: d, sec: 1_700_000_001, nsec: 654_321_000, linkType: 113, iface: 1, wireLen: 1400,
    offset: ng.packet(1, 1_700_000_001_654_321n, d, 1400) });
  ng.block(5, (b) => b.u32(0, true).u32(0, true).u32(0, true).u16(0, true).u16(0, true)); // statistics
  ng.block(4, (b) => b.u16(0, true).u16(0, true)); // empty name resolution
  d = packetBytes(3, 40);
  // SPB: interface 0, no timestamp of its own (the previous packet's is kept)
  expected.push({ data: d, sec: 1_700_000_001, nsec: 654_321_000, linkType: 1, iface: 0, wireLen: 40,
    offset: ng.simplePacket(d) });
  ng.block(0x40000bad, (b) => b.u32(32473, true).u32(1, true)); // custom block
  ng.section(false);
  ng.iface(101, 65535, { tsresol: 0x80 | 20, tsoffset: 1_000_000_000n });
  d = packetBytes(4, 33);
  // 700_000_005.5 s in 2^-20 units, plus the 1e9 s offset
  expected.push({ data: d, sec: 1_700_000_005, nsec: 500_000_000, linkType: 101, iface: 2, wireLen: 33,
    offset: ng.packet(0, (700_000_005n << 20n) + (1n << 19n), d) });
  d = packetBytes(5, 20);
  expected.push({ data: d, sec: 1_700_000_006, nsec: 250_000_000, linkType: 101, iface: 2, wireLen: 20,
    offset: ng.packet(0, (700_000_006n << 20n) + (1n << 18n), d, 20, 2) }); // obsolete Packet Block
  return { bytes: ng.finish(), expected };
}

test('pcapng: sections in both byte orders, interfaces, resolutions, SPB, obsolete and unknown blocks', async () => {
  const { bytes, expected } = multiSectionPcapng();
  const { path, sink, info } = await read(bytes);
  assert.deepEqual(sink.warnings, []);
  assert.equal(info.format, 'pcapng');
  assert.equal(info.littleEndian, true);
  assert.equal(info.tsDigits, 9);
  assert.equal(info.packets, expected.length);
  assert.equal(info.fileBytes, bytes.length);
  assert.deepEqual(info.interfaces, [
    { linkType: 1, snapLen: 0, tsDigits: 9, name: 'eth0' },
    { linkType: 113, snapLen: 96, tsDigits: 6 },
    { linkType: 101, snapLen: 65535, tsDigits: 7 },
  ]);
  assert.deepEqual(
    sink.packets.map((p) => ({ data: p.data, sec: p.sec, nsec: p.nsec, linkType: p.linkType, iface: p.interfaceId, offset: p.fileOffset, wireLen: p.wireLen })),
    expected);
  assertPayloadReadsBack(path, sink);
});

test('pcapng SPB captured length is the smallest of snaplen, block space and wire length', async () => {
  const ng = new PcapngBuilder();
  ng.section(true);
  ng.iface(1, 50);
  ng.simplePacket(packetBytes(1, 50), 1514); // snaplen cut
  ng.simplePacket(packetBytes(2, 30), 30);
  const { sink } = await read(ng.finish());
  assert.deepEqual(sink.warnings, []);
  assert.deepEqual(sink.packets.map((p) => [p.capLen, p.wireLen, p.sec, p.nsec]), [[50, 1514, 0, 0], [30, 30, 0, 0]]);
});

test('gzip-compressed pcap and pcapng are detected by content and spilled for payload reads', async () => {
  const recs = records(50);
  for (const [plain, format] of [[pcapFile(recs).bytes, 'pcap'], [multiSectionPcapng().bytes, 'pcapng']] as const) {
    const spill = join(dir, `spill${fileNo++}`);
    const { path, sink, info } = await read(gzipSync(plain), { spillPath: spill });
    assert.deepEqual(sink.warnings, []);
    assert.equal(info.format, format);
    assert.equal(info.compressed, true);
    assert.equal(info.fileBytes, plain.length);
    assert.deepEqual(readFileSync(spill), Buffer.from(plain));
    assert.ok(info.packets > 0);
    assertPayloadReadsBack(path, sink, spill);
    assert.throws(() => openPayloadSource(path), CaptureOpenError);
  }
});

test('a cut-short gzip stream keeps what can be decompressed and reports the cut record', async () => {
  const plain = pcapFile(Array.from({ length: 3000 }, (_, i) => ({ sec: 5, frac: i, data: packetBytes(i, 300) }))).bytes;
  const gz = gzipSync(plain);
  const cut = gz.subarray(0, gz.length >> 1);
  const { sink, info } = await read(cut);
  // everything zlib can decompress up to the cut is read: all records that end before it
  const decompressible = gunzipSync(cut, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
  assert.equal(info.fileBytes, decompressible);
  assert.equal(info.packets, Math.floor((decompressible - 24) / 316));
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset, w.fatal]), [[info.packets + 1, 24 + info.packets * 316, true]]);
  sink.packets.forEach((p, i) => assert.deepEqual(p.data, packetBytes(i, 300)));
});

test('files that cannot be read at all throw CaptureOpenError', async () => {
  const sink = new CollectingSink();
  const cases: [string, RegExp][] = [
    [join(dir, 'does-not-exist'), /cannot open/],
    [writeTemp(new Uint8Array(0)), /empty file/],
    [writeTemp(new TextEncoder().encode('hello, this is not a capture')), /not a pcap or pcapng file \(magic 68 65 6c 6c\)/],
    [writeTemp(pcapFile([]).bytes.subarray(0, 20)), /pcap file header cut short \(20 of 24/],
    [writeTemp(new Uint8Array([0xd4, 0xc3])), /too short/],
    [writeTemp(new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0])), /section header cut short \(14 of 28 bytes\)/],
    [writeTemp(gzipSync(new TextEncoder().encode('plain text, gzipped'))), /inside the gzip data/],
    [writeTemp(gzipSync(new Uint8Array(0))), /empty file \(after decompression\)/],
  ];
  const subdir = join(dir, 'a-directory');
  mkdirSync(subdir);
  cases.push([subdir, /cannot read|cannot open/]);
  for (const [path, message] of cases) {
    await assert.rejects(readCapture(path, sink), (e: unknown) => {
      assert.ok(e instanceof CaptureOpenError, `${path}: ${e}`);
      assert.match(e.message, message);
      return true;
    });
  }
  assert.equal(sink.packets.length, 0);
});

test('a pcapng section header with a bad byte-order magic is an open error', async () => {
  const b = new ByteBuilder().u32(0x0a0d0d0a, true).u32(28, true).u32(0x11223344, true).u32(1, true).u64(0n, true).u32(28, true);
  await assert.rejects(readCapture(writeTemp(b.finish()), new CollectingSink()), /byte-order magic/);
});

// ---- damaged classic pcap ----

function damaged(built: BuiltCapture, edit: (b: Uint8Array, v: DataView) => void): Uint8Array {
  const copy = built.bytes.slice();
  edit(copy, new DataView(copy.buffer));
  return copy;
}

test('pcap: a truncated last record is a fatal warning and earlier packets are kept', async () => {
  const built = pcapFile(records(3));
  const cut = built.dataOffsets[2]! + 10;
  const { sink, info } = await read(built.bytes.subarray(0, cut));
  assert.equal(info.packets, 2);
  assert.equal(sink.warnings.length, 1);
  const w = sink.warnings[0]!;
  assert.equal(w.packetNo, 3);
  assert.equal(w.byteOffset, built.recordOffsets[2]);
  assert.equal(w.fatal, true);
  assert.match(w.message, /record length 86 runs past the end of the file \(10 bytes left\)/);
});

test('pcap: a file ending inside a record header', async () => {
  const built = pcapFile(records(2));
  const { sink, info } = await read(built.bytes.subarray(0, built.recordOffsets[1]! + 9));
  assert.equal(info.packets, 1);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset, w.fatal]), [[2, built.recordOffsets[1], true]]);
  assert.match(sink.warnings[0]!.message, /inside a record header \(9 of 16 bytes\)/);
});

test('pcap: a huge captured length mid-file is skipped by resynchronising, with one warning', async () => {
  const built = pcapFile(records(6));
  const bytes = damaged(built, (_, v) => v.setUint32(built.recordOffsets[2]! + 8, 0x00ffffff, true));
  const { sink, info } = await read(bytes);
  assert.equal(info.packets, 5);
  assert.equal(sink.warnings.length, 1);
  const w = sink.warnings[0]!;
  assert.deepEqual([w.packetNo, w.byteOffset, w.fatal], [3, built.recordOffsets[2], false]);
  const skipped = built.recordOffsets[3]! - built.recordOffsets[2]!;
  assert.match(w.message, new RegExp(`implausible captured length 16777215 .*skipped ${skipped} bytes .* offset ${built.recordOffsets[3]}`));
  assert.deepEqual(sink.packets.map((p) => p.fileOffset), built.dataOffsets.filter((_, i) => i !== 2));
});

test('pcap: garbage between records costs one warning naming the skipped byte count', async () => {
  const built = pcapFile(records(6));
  const at = built.recordOffsets[4]!;
  const garbage = packetBytes(99, 37).map((x) => x | 0x80); // no plausible header in here
  const bytes = new Uint8Array(built.bytes.length + garbage.length);
  bytes.set(built.bytes.subarray(0, at));
  bytes.set(garbage, at);
  bytes.set(built.bytes.subarray(at), at + garbage.length);
  const { path, sink, info } = await read(bytes);
  assert.equal(info.packets, 6);
  assert.equal(sink.warnings.length, 1);
  assert.deepEqual([sink.warnings[0]!.packetNo, sink.warnings[0]!.byteOffset], [5, at]);
  assert.match(sink.warnings[0]!.message, / skipped 37 bytes /);
  assertPayloadReadsBack(path, sink);
});

test('pcap: zero-length records are skipped with a warning', async () => {
  const recs = records(3);
  recs.splice(1, 0, { sec: recs[0]!.sec, frac: 1, data: new Uint8Array(0), wireLen: 60 });
  const built = pcapFile(recs);
  const { sink, info } = await read(built.bytes);
  assert.equal(info.packets, 3);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset, w.fatal]), [[2, built.recordOffsets[1], false]]);
  assert.match(sink.warnings[0]!.message, /zero-length packet skipped/);
});

test('pcap: timestamps going backwards are reported and the packet is still delivered', async () => {
  const recs = records(4);
  recs[2]!.sec = recs[0]!.sec - 10;
  const built = pcapFile(recs);
  const { sink, info } = await read(built.bytes);
  assert.equal(info.packets, 4);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset, w.fatal]), [[3, built.recordOffsets[2], false]]);
  assert.match(sink.warnings[0]!.message, /goes backwards/);
  assert.equal(sink.packets[2]!.sec, recs[0]!.sec - 10);
});

test('pcap: captured length above wire length is reported; wire length is raised to it', async () => {
  const recs = records(3);
  recs[1]!.wireLen = 10;
  const built = pcapFile(recs);
  const { sink, info } = await read(built.bytes);
  assert.equal(info.packets, 3);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset]), [[2, built.recordOffsets[1]]]);
  assert.match(sink.warnings[0]!.message, /captured length 73 above wire length 10/);
  assert.equal(sink.packets[1]!.wireLen, 73);
});

test('pcap: a record length running far past the end of the file', async () => {
  const recs = records(3);
  recs[2]!.capLenField = 100_000;
  recs[2]!.wireLen = 100_000;
  const built = pcapFile(recs);
  const { sink, info } = await read(built.bytes);
  assert.equal(info.packets, 2);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset, w.fatal]), [[3, built.recordOffsets[2], true]]);
  assert.match(sink.warnings[0]!.message, /record length 100000 runs past the end of the file \(86 bytes left\)/);
});

test('pcap: warnings are limited per file, then summarised in one line', async () => {
  const recs: PcapRecord[] = [];
  for (let i = 0; i < 150; i++) recs.push({ sec: 10, frac: i, data: new Uint8Array(0), wireLen: 5 });
  recs.push({ sec: 10, frac: 999, data: packetBytes(1, 20) });
  const built = pcapFile(recs);
  const { sink, info } = await read(built.bytes);
  assert.equal(info.packets, 1);
  assert.equal(sink.warnings.length, 101);
  const last = sink.warnings[100]!;
  assert.match(last.message, /further warnings suppressed \(50 /);
  assert.equal(last.byteOffset, built.recordOffsets[100]);
});

// ---- damaged pcapng ----

function simplePcapng(n: number) {
  const ng = new PcapngBuilder();
  ng.section(true);
  ng.iface(1, 0);
  const dataOffsets: number[] = [];
  for (let i = 0; i < n; i++) dataOffsets.push(ng.packet(0, BigInt(1_700_000_000_000_000 + i * 1000), packetBytes(i, 50 + i)));
  return { bytes: ng.finish(), blocks: ng.blockOffsets, dataOffsets };
}

test('pcapng: a truncated last block is fatal and earlier packets are kept', async () => {
  const { bytes, blocks } = simplePcapng(4);
  const { sink, info } = await read(bytes.subarray(0, blocks[5]! + 40));
  assert.equal(info.packets, 3);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset, w.fatal]), [[4, blocks[5], true]]);
  assert.match(sink.warnings[0]!.message, /block length \d+ runs past the end of the file \(40 bytes left\)/);
});

test('pcapng: garbage between blocks is skipped on block boundaries with one warning', async () => {
  const { bytes, blocks, dataOffsets } = simplePcapng(5);
  const at = blocks[4]!;
  const garbage = packetBytes(7, 44).map((x) => x | 0x80);
  const damagedBytes = new Uint8Array(bytes.length + garbage.length);
  damagedBytes.set(bytes.subarray(0, at));
  damagedBytes.set(garbage, at);
  damagedBytes.set(bytes.subarray(at), at + garbage.length);
  const { path, sink, info } = await read(damagedBytes);
  assert.equal(info.packets, 5);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset, w.fatal]), [[3, at, false]]);
  assert.match(sink.warnings[0]!.message, new RegExp(`skipped 44 bytes to the next block at byte offset ${at + 44}`));
  assert.deepEqual(sink.packets.map((p) => p.fileOffset), dataOffsets.map((o, i) => (i >= 2 ? o + 44 : o)));
  assertPayloadReadsBack(path, sink);
});

test('pcapng: a block whose trailing length disagrees is skipped by resynchronising', async () => {
  const { bytes, blocks } = simplePcapng(4);
  const copy = bytes.slice();
  const v = new DataView(copy.buffer);
  v.setUint32(blocks[3]! + 4, v.getUint32(blocks[3]! + 4, true) + 8, true);
  const { sink, info } = await read(copy);
  assert.equal(info.packets, 3);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset]), [[2, blocks[3]]]);
  assert.match(sink.warnings[0]!.message, /does not match its trailing copy/);
  assert.deepEqual(sink.packets.map((p) => p.data), [0, 2, 3].map((i) => packetBytes(i, 50 + i)));
});

test('pcapng: packet-level nonsense is skipped block by block', async () => {
  const ng = new PcapngBuilder();
  ng.section(true);
  ng.iface(1, 0);
  ng.packet(0, 5_000_000n, packetBytes(0, 10));
  const undefinedIface = ng.packet(3, 5_000_001n, packetBytes(1, 10)) - 28;
  const zero = ng.packet(0, 5_000_002n, new Uint8Array(0), 60) - 28;
  const tooLong = ng.packet(0, 5_000_003n, packetBytes(3, 12), 500, 6, 400) - 28;
  const capAboveWire = ng.packet(0, 5_000_004n, packetBytes(4, 30), 20) - 28;
  const backwards = ng.packet(0, 4_000_000n, packetBytes(5, 10)) - 28;
  const { sink, info } = await read(ng.finish());
  assert.equal(info.packets, 3);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset, w.fatal]), [
    [2, undefinedIface, false], [2, zero, false], [2, tooLong, false], [2, capAboveWire, false], [3, backwards, false],
  ]);
  assert.match(sink.warnings[0]!.message, /interface 3, but this section defines 1/);
  assert.match(sink.warnings[1]!.message, /zero-length/);
  assert.match(sink.warnings[2]!.message, /captured length 400 does not fit/);
  assert.match(sink.warnings[3]!.message, /above wire length 20/);
  assert.match(sink.warnings[4]!.message, /goes backwards/);
  assert.deepEqual(sink.packets.map((p) => [p.sec, p.nsec, p.wireLen]), [[5, 0, 10], [5, 4000, 30], [4, 0, 10]]);
});

test('pcapng: a later section header with a bad byte-order magic is resynchronised over', async () => {
  const ng = new PcapngBuilder();
  ng.section(true);
  ng.iface(1, 0);
  ng.packet(0, 1n, packetBytes(0, 10));
  const badSection = ng.section(true);
  ng.iface(1, 0);
  ng.packet(0, 2n, packetBytes(1, 10));
  const bytes = ng.finish();
  new DataView(bytes.buffer).setUint32(badSection + 8, 0x01020304, true);
  const { sink, info } = await read(bytes);
  // the interface block right after the broken header is the resynchronisation point
  assert.equal(info.packets, 2);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset]), [[2, badSection]]);
  assert.match(sink.warnings[0]!.message, /invalid byte-order magic/);
  assert.equal(info.interfaces.length, 2);
});

test('pcapng: a lost big-endian section header is recovered from the interface block after it', async () => {
  const ng = new PcapngBuilder();
  ng.section(true);
  ng.iface(1, 0);
  ng.packet(0, 1_000_000n, packetBytes(0, 10));
  const lostSection = ng.section(false);
  const beIface = ng.iface(113, 0, { tsresol: 3 });
  const expected = [ng.packet(0, 2_000n, packetBytes(1, 17), 17, 2), ng.packet(0, 3_000n, packetBytes(2, 18))];
  const bytes = ng.finish();
  bytes.fill(0x55, lostSection, lostSection + 12); // type, length and byte-order magic gone
  const { sink, info } = await read(bytes);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset]), [[2, lostSection]]);
  assert.match(sink.warnings[0]!.message, new RegExp(`skipped 28 bytes to the next block at byte offset ${beIface} \\(a section header in big-endian order seems lost\\)`));
  assert.deepEqual(sink.packets.map((p) => [p.fileOffset, p.linkType, p.interfaceId, p.sec]), [
    [sink.packets[0]!.fileOffset, 1, 0, 1], [expected[0], 113, 1, 2], [expected[1], 113, 1, 3]]);
  assert.equal(info.interfaces.length, 2);
});

test('pcapng timestamps are exact across 32-bit boundaries and interleaved interfaces of any resolution', async () => {
  const ng = new PcapngBuilder();
  ng.section(true);
  const resolutions = [9, 6, 0x80 | 30, 12, 0]; // ns, us, 2^-30 s, ps (BigInt path), whole seconds
  resolutions.forEach((r) => ng.iface(1, 0, { tsresol: r }));
  const units = resolutions.map((r) => (r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r)));
  const expected: [number, number][] = [];
  let t = 1_700_000_000n;
  for (let i = 0; i < 60; i++) {
    const ifId = i % 3 === 0 ? 0 : i % 5; // runs on one interface, then switches
    const u = units[ifId]!;
    // walk across a multiple of 2^32 units on every interface
    const secs = u > 10n ** 10n ? t - 1_690_000_000n : t; // picoseconds since 1970 overflow 64 bits
    const ts = secs * u + (((u * 7n) / 3n + BigInt(i * 977) * (u / 1000n + 1n)) % u);
    const boundary = (ts >> 32n) << 32n;
    const stamp = boundary === 0n ? ts : i % 4 === 1 ? boundary - 1n : i % 4 === 2 ? boundary : ts;
    ng.packet(ifId, stamp, packetBytes(i, 8));
    const sec = stamp / u, frac = stamp % u;
    expected.push([Number(sec), Number((frac * 1_000_000_000n) / u)]);
    t += 1n;
  }
  const { sink } = await read(ng.finish());
  assert.deepEqual(sink.packets.map((p) => [p.sec, p.nsec]), expected);
  assert.deepEqual(sink.warnings.filter((w) => !/backwards/.test(w.message)).map((w) => w.message), []);
});

test('pcapng if_tsoffset applies per interface even when raw timestamps coincide', async () => {
  const ng = new PcapngBuilder();
  ng.section(true);
  ng.iface(1, 0, { tsresol: 6 });
  ng.iface(1, 0, { tsresol: 6, tsoffset: -3600n });
  for (let i = 0; i < 6; i++) ng.packet(i & 1, 1_700_000_000_000_000n + BigInt(i), packetBytes(i, 8));
  const { sink } = await read(ng.finish());
  assert.deepEqual(sink.packets.map((p) => [p.interfaceId, p.sec, p.nsec]),
    [0, 1, 2, 3, 4, 5].map((i) => [i & 1, 1_700_000_000 - (i & 1) * 3600, i * 1000]));
});

test('pcap: an out-of-range timestamp fraction is carried into the seconds', async () => {
  const recs = records(3);
  recs[1]!.frac = 1_000_100;
  const built = pcapFile(recs);
  const { sink } = await read(built.bytes);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset]), [[2, built.recordOffsets[1]]]);
  assert.match(sink.warnings[0]!.message, /timestamp fraction 1000100 out of range/);
  assert.deepEqual([sink.packets[1]!.sec, sink.packets[1]!.nsec], [recs[1]!.sec + 1, 100_000]);
});

test('pcap: a captured length above the wire length that leads nowhere is resynchronised over', async () => {
  const recs = records(4);
  recs[1]!.capLenField = 40; // the record's data is really 73 bytes
  recs[1]!.wireLen = 10;
  const built = pcapFile(recs);
  const { sink, info } = await read(built.bytes);
  assert.equal(info.packets, 3);
  const skipped = built.recordOffsets[2]! - built.recordOffsets[1]!;
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset]), [[2, built.recordOffsets[1]]]);
  assert.match(sink.warnings[0]!.message, new RegExp(`captured length 40 above wire length 10; skipped ${skipped} bytes`));
  assert.deepEqual(sink.packets.map((p) => p.fileOffset), [0, 2, 3].map((i) => built.dataOffsets[i]));
});

test('pcap: a run of zero bytes is one stretch of garbage, not a series of empty packets', async () => {
  const built = pcapFile(records(4));
  const at = built.recordOffsets[2]!;
  const bytes = new Uint8Array(built.bytes.length + 64);
  bytes.set(built.bytes.subarray(0, at));
  bytes.set(built.bytes.subarray(at), at + 64);
  const { sink, info } = await read(bytes);
  assert.equal(info.packets, 4);
  assert.deepEqual(sink.warnings.map((w) => [w.packetNo, w.byteOffset]), [[3, at]]);
  assert.match(sink.warnings[0]!.message, /skipped 64 bytes/);
});

test('a gzip file of several concatenated members is read whole, without warnings', async () => {
  const built = pcapFile(records(20));
  const gz = Buffer.concat([gzipSync(built.bytes.subarray(0, 1000)), gzipSync(built.bytes.subarray(1000))]);
  const { sink, info } = await read(gz);
  assert.deepEqual(sink.warnings, []);
  assert.equal(info.packets, 20);
  assert.equal(info.fileBytes, built.bytes.length);
});

test('an already aborted signal reads no packets', async () => {
  const ac = new AbortController();
  ac.abort();
  const { sink, info } = await read(pcapFile(records(5)).bytes, { signal: ac.signal });
  assert.equal(info.cancelled, true);
  assert.equal(info.packets, 0);
  assert.equal(sink.packets.length, 0);
});
