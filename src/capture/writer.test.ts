import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  CaptureFileExistsError, LINKTYPE_ETHERNET, LINKTYPE_RAW, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO,
  PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_EPB, PCAPNG_IDB, PCAPNG_SHB, PcapngWriter, PcapWriter,
} from './writer.ts';

function frame(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'flowsh-writer-'));
}

function hasTool(name: string): boolean {
  const result = spawnSync(name, ['--version'], { stdio: 'ignore' });
  return result.error === undefined;
}

interface PcapRecord { sec: number; frac: number; capLen: number; origLen: number; data: Buffer }

function parsePcap(buf: Buffer): { magic: number; snapLen: number; linkType: number; records: PcapRecord[] } {
  const records: PcapRecord[] = [];
  let at = 24;
  while (at < buf.length) {
    const capLen = buf.readUInt32LE(at + 8);
    records.push({
      sec: buf.readUInt32LE(at), frac: buf.readUInt32LE(at + 4), capLen, origLen: buf.readUInt32LE(at + 12),
      data: buf.subarray(at + 16, at + 16 + capLen),
    });
    at += 16 + capLen;
  }
  assert.equal(at, buf.length, 'records end exactly at the end of the file');
  assert.equal(buf.readUInt16LE(4), 2);
  assert.equal(buf.readUInt16LE(6), 4);
  return { magic: buf.readUInt32LE(0), snapLen: buf.readUInt32LE(16), linkType: buf.readUInt32LE(20), records };
}

interface Block { type: number; body: Buffer }

function parseBlocks(buf: Buffer): Block[] {
  const blocks: Block[] = [];
  let at = 0;
  while (at < buf.length) {
    const type = buf.readUInt32LE(at);
    const total = buf.readUInt32LE(at + 4);
    assert.equal(total % 4, 0, 'block length is a multiple of 4');
    assert.equal(buf.readUInt32LE(at + total - 4), total, 'trailing block length matches');
    blocks.push({ type, body: buf.subarray(at + 8, at + total - 4) });
    at += total;
  }
  assert.equal(at, buf.length);
  return blocks;
}

function parseOptions(buf: Buffer): Map<number, Buffer> {
  const options = new Map<number, Buffer>();
  let at = 0;
  while (at + 4 <= buf.length) {
    const code = buf.readUInt16LE(at);
    const len = buf.readUInt16LE(at + 2);
    if (code === 0) break;
    options.set(code, buf.subarray(at + 4, at + 4 + len));
    at += 4 + ((len + 3) & ~3);
  }
  return options;
}

test('pcap in memory: header, microsecond records, copies of the data', () => {
  const writer = PcapWriter.create({ linkType: LINKTYPE_ETHERNET });
  const first = frame(60, 1);
  writer.writePacket(1710408413, 123_456_789, first);
  first[0] = 0xee; // the writer must have copied the bytes
  writer.writePacket(1710408414, 999_999_999, frame(1514, 2), 1600);
  writer.close();
  const file = parsePcap(writer.toBuffer());
  assert.equal(file.magic, PCAP_MAGIC_MICRO);
  assert.equal(file.snapLen, 262144);
  assert.equal(file.linkType, LINKTYPE_ETHERNET);
  assert.equal(file.records.length, 2);
  assert.deepEqual(file.records.map((r) => [r.sec, r.frac, r.capLen, r.origLen]), [
    [1710408413, 123456, 60, 60],
    [1710408414, 999999, 1514, 1600],
  ]);
  assert.deepEqual(new Uint8Array(file.records[0]!.data), frame(60, 1));
  assert.deepEqual(new Uint8Array(file.records[1]!.data), frame(1514, 2));
  assert.equal(writer.packets, 2);
  assert.equal(writer.bytesWritten, 24 + 16 + 60 + 16 + 1514);
});

test('pcap nanosecond magic keeps nanoseconds; snaplen truncates and keeps the wire length', () => {
  const writer = PcapWriter.create({ linkType: LINKTYPE_RAW, nanosecond: true, snapLen: 100 });
  writer.writePacket(5, 123_456_789, frame(300, 3));
  writer.writePacket(6, 1, frame(100, 4), 100);
  writer.close();
  const file = parsePcap(writer.toBuffer());
  assert.equal(file.magic, PCAP_MAGIC_NANO);
  assert.equal(file.snapLen, 100);
  assert.equal(file.linkType, LINKTYPE_RAW);
  assert.deepEqual(file.records.map((r) => [r.sec, r.frac, r.capLen, r.origLen]), [
    [5, 123456789, 100, 300],
    [6, 1, 100, 100],
  ]);
  assert.deepEqual(new Uint8Array(file.records[0]!.data), frame(300, 3).subarray(0, 100));
});

test('writers reject bad interface ids, timestamps and wire lengths', () => {
  const pcap = PcapWriter.create({ linkType: LINKTYPE_ETHERNET });
  assert.throws(() => pcap.writePacket(1, 0, frame(10, 0), undefined, 1), RangeError);
  assert.throws(() => pcap.writePacket(1, 1_000_000_000, frame(10, 0)), RangeError);
  assert.throws(() => pcap.writePacket(-1, 0, frame(10, 0)), RangeError);
  assert.throws(() => pcap.writePacket(1, 0, frame(10, 0), 9), RangeError);
  const ng = PcapngWriter.create({ interfaces: [{ linkType: LINKTYPE_ETHERNET }] });
  assert.throws(() => ng.writePacket(1, 0, frame(10, 0), undefined, 1), RangeError);
  assert.throws(() => ng.addInterface({ linkType: 1, tsDigits: 12 }), RangeError);
  assert.equal(pcap.packets + ng.packets, 0);
});

test('pcapng: SHB, IDBs with name and if_tsresol, EPBs with exact 64-bit timestamps and padding', () => {
  const writer = PcapngWriter.create({
    interfaces: [{ linkType: LINKTYPE_ETHERNET, name: 'eth0' }, { linkType: LINKTYPE_RAW, tsDigits: 9, snapLen: 0 }],
  });
  assert.equal(writer.interfaceCount, 2);
  const packets: [number, number, Uint8Array, number][] = [
    [1710408413, 123_456_789, frame(61, 5), 0],
    [4294967295, 999_999_999, frame(40, 6), 1], // largest seconds: 64-bit count needs all its bits
    [1710408413, 7, frame(3, 7), 1],
  ];
  for (const [sec, nsec, data, iface] of packets) writer.writePacket(sec, nsec, data, undefined, iface);
  const third = writer.addInterface({ linkType: LINKTYPE_ETHERNET, tsDigits: 3 });
  writer.writePacket(12, 345_678_901, frame(4, 8), 9, third);
  writer.close();

  const blocks = parseBlocks(writer.toBuffer());
  assert.deepEqual(blocks.map((b) => b.type), [PCAPNG_SHB, PCAPNG_IDB, PCAPNG_IDB, PCAPNG_EPB, PCAPNG_EPB, PCAPNG_EPB, PCAPNG_IDB, PCAPNG_EPB]);
  const shb = blocks[0]!.body;
  assert.equal(shb.readUInt32LE(0), PCAPNG_BYTE_ORDER_MAGIC);
  assert.equal(shb.readUInt16LE(4), 1);
  assert.equal(shb.readBigInt64LE(8), -1n);
  assert.equal(parseOptions(shb.subarray(16)).get(4)?.toString(), 'flowsh');

  const idbs = [blocks[1]!, blocks[2]!, blocks[6]!].map((b) => ({
    linkType: b.body.readUInt16LE(0), snapLen: b.body.readUInt32LE(4), options: parseOptions(b.body.subarray(8)),
  }));
  assert.deepEqual(idbs.map((i) => [i.linkType, i.snapLen]), [[1, 262144], [101, 0], [1, 262144]]);
  assert.equal(idbs[0]!.options.get(2)?.toString(), 'eth0');
  assert.equal(idbs[0]!.options.has(9), false, 'microseconds is the default resolution');
  assert.deepEqual([...idbs[1]!.options.get(9)!], [9]);
  assert.deepEqual([...idbs[2]!.options.get(9)!], [3]);

  const expected = [
    [0, 1710408413n * 1_000_000n + 123_456n, 61, 61, frame(61, 5)],
    [1, 4294967295n * 1_000_000_000n + 999_999_999n, 40, 40, frame(40, 6)],
    [1, 1710408413n * 1_000_000_000n + 7n, 3, 3, frame(3, 7)],
    [2, 12_345n, 4, 9, frame(4, 8)],
  ] as const;
  const epbs = blocks.filter((b) => b.type === PCAPNG_EPB);
  epbs.forEach((epb, i) => {
    const [iface, ts, capLen, origLen, data] = expected[i]!;
    const body = epb.body;
    assert.equal(body.readUInt32LE(0), iface);
    assert.equal((BigInt(body.readUInt32LE(4)) << 32n) | BigInt(body.readUInt32LE(8)), ts);
    assert.equal(body.readUInt32LE(12), capLen);
    assert.equal(body.readUInt32LE(16), origLen);
    assert.deepEqual(new Uint8Array(body.subarray(20, 20 + capLen)), data);
    assert.equal(body.length, 20 + ((capLen + 3) & ~3), 'data padded to 4 bytes, no options');
    assert.ok(body.subarray(20 + capLen).every((b) => b === 0), 'padding is zero');
  });
});

test('file target is written atomically and never clobbers an existing file unless asked', () => {
  const dir = tempDir();
  try {
    const dest = path.join(dir, 'out.pcap');
    const writer = PcapWriter.create({ path: dest, linkType: LINKTYPE_ETHERNET });
    writer.writePacket(1, 0, frame(60, 9));
    assert.equal(fs.existsSync(dest), false, 'nothing at the destination before close()');
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 1, 'temp file in the same directory');
    assert.throws(() => writer.toBuffer(), /only for writers without a path/);
    writer.close();
    writer.close(); // idempotent
    assert.deepEqual(fs.readdirSync(dir), ['out.pcap']);
    assert.equal(parsePcap(fs.readFileSync(dest)).records.length, 1);
    const original = fs.readFileSync(dest);

    assert.throws(() => PcapWriter.create({ path: dest, linkType: LINKTYPE_ETHERNET }), CaptureFileExistsError);
    assert.deepEqual(fs.readFileSync(dest), original);

    const replacing = PcapngWriter.create({ path: dest, overwrite: true, interfaces: [{ linkType: LINKTYPE_ETHERNET }] });
    replacing.writePacket(2, 0, frame(70, 10));
    replacing.close();
    assert.equal(fs.readFileSync(dest).readUInt32LE(0), PCAPNG_SHB);
    assert.deepEqual(fs.readdirSync(dir), ['out.pcap']);

    // a file that appears while writing is kept; the temp file is cleaned up
    const late = path.join(dir, 'late.pcap');
    const racing = PcapWriter.create({ path: late, linkType: LINKTYPE_ETHERNET });
    racing.writePacket(3, 0, frame(60, 11));
    fs.writeFileSync(late, 'someone else');
    assert.throws(() => racing.close(), CaptureFileExistsError);
    assert.equal(fs.readFileSync(late, 'utf8'), 'someone else');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['late.pcap', 'out.pcap']);

    const aborted = PcapWriter.create({ path: path.join(dir, 'aborted.pcap'), linkType: LINKTYPE_ETHERNET });
    aborted.writePacket(4, 0, frame(60, 12));
    aborted.abort();
    assert.deepEqual(fs.readdirSync(dir).sort(), ['late.pcap', 'out.pcap']);
    assert.throws(() => aborted.writePacket(5, 0, frame(60, 13)), /closed/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('large files are flushed in pieces and read back intact', () => {
  const dir = tempDir();
  try {
    const dest = path.join(dir, 'big.pcapng');
    const writer = PcapngWriter.create({ path: dest, interfaces: [{ linkType: LINKTYPE_ETHERNET, tsDigits: 9 }] });
    for (let i = 0; i < 200; i++) writer.writePacket(100 + i, i, frame(1000 + i, i));
    writer.writePacket(400, 0, frame(70001, 3)); // bigger than the writer's staging buffer
    writer.writePacket(401, 0, frame(61, 4));
    writer.close();
    const epbs = parseBlocks(fs.readFileSync(dest)).filter((b) => b.type === PCAPNG_EPB);
    assert.equal(epbs.length, 202);
    assert.deepEqual(new Uint8Array(epbs[199]!.body.subarray(20, 20 + 1199)), frame(1199, 199));
    assert.deepEqual(new Uint8Array(epbs[200]!.body.subarray(20, 20 + 70001)), frame(70001, 3));
    assert.deepEqual(new Uint8Array(epbs[201]!.body.subarray(20, 20 + 61)), frame(61, 4));

    const memory = PcapWriter.create({ linkType: LINKTYPE_ETHERNET });
    memory.writePacket(1, 0, frame(100, 1));
    memory.writePacket(2, 0, frame(70001, 2));
    memory.writePacket(3, 0, frame(50, 3));
    assert.equal(parsePcap(memory.toBuffer()).records.length, 3, 'toBuffer() works before close()');
    memory.writePacket(4, 0, frame(60, 4));
    memory.close();
    const records = parsePcap(memory.toBuffer()).records;
    assert.deepEqual(records.map((r) => r.capLen), [100, 70001, 50, 60]);
    assert.deepEqual(new Uint8Array(records[1]!.data), frame(70001, 2));
    assert.deepEqual(new Uint8Array(records[3]!.data), frame(60, 4));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tshark reads both formats back with the same timestamps and lengths', (t) => {
  if (!hasTool('tshark')) {
    t.skip('tshark is not installed');
    return;
  }
  const dir = tempDir();
  try {
    const pcapPath = path.join(dir, 'a.pcap');
    const nsPath = path.join(dir, 'n.pcap');
    const ngPath = path.join(dir, 'b.pcapng');
    const pcap = PcapWriter.create({ path: pcapPath, linkType: LINKTYPE_ETHERNET });
    const ns = PcapWriter.create({ path: nsPath, linkType: LINKTYPE_ETHERNET, nanosecond: true });
    const ng = PcapngWriter.create({
      path: ngPath, interfaces: [{ linkType: LINKTYPE_ETHERNET, name: 'eth0' }, { linkType: LINKTYPE_RAW, tsDigits: 9 }],
    });
    for (const w of [pcap, ns]) {
      w.writePacket(1710408413, 123_456_789, frame(60, 1));
      w.writePacket(1710408414, 5_000, frame(100, 2), 1500);
    }
    ng.writePacket(1710408413, 123_456_789, frame(60, 1), undefined, 0);
    ng.writePacket(1710408414, 5_001, frame(100, 2), 1500, 1);
    for (const w of [pcap, ns, ng]) w.close();

    const read = (file: string) => {
      const out = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.cap_len',
        '-e', 'frame.len', '-e', 'frame.interface_id'], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      return out.stdout.trim().split('\n').map((line) => line.split('\t'));
    };
    assert.deepEqual(read(pcapPath).map((f) => f.slice(0, 3)), [
      ['1710408413.123456000', '60', '60'], ['1710408414.000005000', '100', '1500'],
    ]);
    assert.deepEqual(read(nsPath).map((f) => f.slice(0, 3)), [
      ['1710408413.123456789', '60', '60'], ['1710408414.000005000', '100', '1500'],
    ]);
    assert.deepEqual(read(ngPath), [
      ['1710408413.123456000', '60', '60', '0'], ['1710408414.000005001', '100', '1500', '1'],
    ]);
    if (hasTool('capinfos')) {
      const info = spawnSync('capinfos', ['-M', '-c', '-E', '-I', ngPath], { encoding: 'utf8' });
      assert.equal(info.status, 0, info.stderr);
      assert.match(info.stdout, /Number of packets:\s+2/);
      assert.match(info.stdout, /Number of interfaces in file: 2/);
      assert.match(info.stdout, /Time precision = nanoseconds \(9\)/);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
