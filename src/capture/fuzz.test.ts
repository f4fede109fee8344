import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readCapture } from './reader.ts';
import { CaptureOpenError } from './types.ts';
import { CollectingSink, PcapngBuilder, packetBytes, pcapFile, type PcapRecord } from './test-captures.ts';

/** mulberry32: small deterministic PRNG so every run fuzzes the same variants */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pcapBase(n: number, le: boolean, nsec: boolean, maxLen: number): Uint8Array {
  const recs: PcapRecord[] = [];
  for (let i = 0; i < n; i++) {
    recs.push({ sec: 1_700_000_000 + (i >> 2), frac: (i & 3) * (nsec ? 2.5e8 : 2.5e5) + (i % 1000), data: packetBytes(i, 1 + ((i * 7717) % maxLen)) });
  }
  return pcapFile(recs, { le, nsec, snapLen: 65535 }).bytes;
}

function pcapngBase(): Uint8Array {
  const ng = new PcapngBuilder();
  ng.section(true);
  ng.iface(1, 0, { tsresol: 9 });
  ng.iface(113, 128, { tsresol: 6, name: 'any' });
  for (let i = 0; i < 12; i++) ng.packet(i & 1, BigInt(1_700_000_000_000_000 + i * 977) * (i & 1 ? 1n : 1000n), packetBytes(i, 20 + i * 9));
  ng.simplePacket(packetBytes(50, 64));
  ng.block(5, (b) => b.u32(0, true).u32(0, true).u32(0, true));
  ng.section(false);
  ng.iface(101, 0, { tsresol: 0x80 | 24 });
  for (let i = 0; i < 6; i++) ng.packet(0, BigInt(1_700_000_001 + i) << 24n, packetBytes(100 + i, 30 + i), 30 + i, i % 3 === 0 ? 2 : 6);
  return ng.finish();
}

type Mutator = (b: Uint8Array, rnd: () => number) => Uint8Array;
const int = (rnd: () => number, n: number) => Math.floor(rnd() * n);
const interesting = [0, 1, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x40000, 0x40001, 12, 16, 28, 6, 0x0a0d0d0a, 0x1a2b3c4d];

const mutators: Mutator[] = [
  (b, rnd) => b.slice(0, int(rnd, b.length + 1)), // truncate
  (b, rnd) => { // flip a few bytes
    const c = b.slice();
    for (let k = 1 + int(rnd, 8); k > 0; k--) c[int(rnd, c.length)] ^= 1 + int(rnd, 255);
    return c;
  },
  (b, rnd) => { // overwrite a 32-bit field (often a length) with an edge value
    const c = b.slice();
    if (c.length < 4) return c;
    const at = rnd() < 0.7 ? int(rnd, c.length >> 2) * 4 : int(rnd, c.length - 3);
    const v = rnd() < 0.6 ? interesting[int(rnd, interesting.length)]! : int(rnd, 2 ** 32);
    new DataView(c.buffer).setUint32(at, v, rnd() < 0.5);
    return c;
  },
  (b, rnd) => { // insert garbage
    const at = int(rnd, b.length + 1), junk = new Uint8Array(1 + int(rnd, 120)).map(() => int(rnd, 256));
    const c = new Uint8Array(b.length + junk.length);
    c.set(b.subarray(0, at));
    c.set(junk, at);
    c.set(b.subarray(at), at + junk.length);
    return c;
  },
  (b, rnd) => { // delete a range
    const at = int(rnd, b.length), n = 1 + int(rnd, 200);
    const c = new Uint8Array(Math.max(at, b.length - n));
    c.set(b.subarray(0, at));
    c.set(b.subarray(Math.min(b.length, at + n)), at);
    return c;
  },
  (b, rnd) => { // duplicate a range
    const at = int(rnd, b.length), n = Math.min(b.length - at, 1 + int(rnd, 300));
    const c = new Uint8Array(b.length + n);
    c.set(b.subarray(0, at + n));
    c.set(b.subarray(at), at + n);
    return c;
  },
];

const dir = mkdtempSync(join(tmpdir(), 'flowsh-fuzz-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/**
 * Reads one variant and checks the reader's promises: it only ever throws CaptureOpenError, and
 * every packet it delivers is real file content (read back at its offset) with sane fields.
 * `plain` is the decompressed content the offsets refer to (differs from the file for gzip).
 */
async function checkVariant(name: string, file: Uint8Array, plain: Uint8Array | undefined): Promise<'read' | 'refused'> {
  const path = join(dir, name);
  writeFileSync(path, file);
  const sink = new CollectingSink();
  let info;
  try {
    info = await readCapture(path, sink);
  } catch (e) {
    assert.ok(e instanceof CaptureOpenError, `${name}: threw ${e}`);
    assert.equal(sink.packets.length, 0, `${name}: packets delivered before an open error`);
    return 'refused';
  }
  assert.equal(info.packets, sink.packets.length);
  assert.equal(sink.outOfBuffer, 0, `${name}: packet bytes outside the reader's buffer`);
  for (const p of sink.packets) {
    assert.ok(p.capLen > 0 && p.capLen <= p.wireLen, `${name}: capLen ${p.capLen} wireLen ${p.wireLen}`);
    assert.ok(p.nsec >= 0 && p.nsec < 1e9 && Number.isInteger(p.nsec), `${name}: nsec ${p.nsec}`);
    assert.ok(p.interfaceId >= 0 && p.interfaceId < info.interfaces.length, `${name}: interface ${p.interfaceId}`);
    if (plain) {
      assert.ok(p.fileOffset >= 0 && p.fileOffset + p.capLen <= plain.length, `${name}: packet at ${p.fileOffset} outside the file`);
      assert.deepEqual(p.data, plain.subarray(p.fileOffset, p.fileOffset + p.capLen), `${name}: bytes differ at ${p.fileOffset}`);
    }
  }
  const fatal = sink.warnings.filter((w) => w.fatal);
  assert.ok(fatal.length <= 2, `${name}: ${fatal.length} fatal warnings`);
  for (const w of sink.warnings) {
    assert.ok(w.packetNo >= 1 && w.packetNo <= info.packets + 1, `${name}: warning packet ${w.packetNo}`);
    assert.ok(w.byteOffset >= 0 && w.byteOffset <= info.fileBytes, `${name}: warning offset ${w.byteOffset}`);
  }
  return 'read';
}

const bases: [string, Uint8Array][] = [
  ['pcap-le-us', pcapBase(40, true, false, 300)],
  ['pcap-be-ns', pcapBase(25, false, true, 200)],
  ['pcapng', pcapngBase()],
];

test('fuzzed captures: only CaptureOpenError is thrown and only real file bytes are delivered', { timeout: 120_000 }, async () => {
  const rnd = prng(20240521);
  const outcome = { read: 0, refused: 0 };
  for (let i = 0; i < 360; i++) {
    const [baseName, base] = bases[i % bases.length]!;
    let variant = base;
    for (let m = 1 + int(rnd, 3); m > 0; m--) variant = mutators[int(rnd, mutators.length)]!(variant, rnd);
    outcome[await checkVariant(`${baseName}-${i}`, variant, variant)]++;
  }
  // the mutations must not be so destructive that nothing is ever read
  assert.ok(outcome.read > 250, JSON.stringify(outcome));
});

test('fuzzed gzip captures: damaged content and damaged compression', { timeout: 120_000 }, async () => {
  const rnd = prng(7);
  for (let i = 0; i < 40; i++) {
    const [baseName, base] = bases[i % bases.length]!;
    const variant = mutators[int(rnd, mutators.length)]!(base, rnd);
    const gz = gzipSync(variant);
    if (i % 2 === 0) await checkVariant(`gz-${baseName}-${i}`, gz, variant);
    else await checkVariant(`gzcut-${baseName}-${i}`, mutators[int(rnd, 2)]!(gz, rnd), undefined);
  }
});

test('fuzzed large capture: damage across read-chunk boundaries', { timeout: 120_000 }, async () => {
  const rnd = prng(99);
  const big = pcapBase(1200, true, false, 1500); // about 0.9 MB: several read chunks
  const ng = new PcapngBuilder();
  ng.section(true);
  ng.iface(1, 0);
  for (let i = 0; i < 1000; i++) ng.packet(0, BigInt(1_700_000_000_000_000 + i), packetBytes(i, 1 + ((i * 7717) % 1500)));
  const bigNg = ng.finish();
  for (let i = 0; i < 24; i++) {
    const base = i % 2 === 0 ? big : bigNg;
    let variant = base;
    for (let m = 1 + int(rnd, 4); m > 0; m--) variant = mutators[1 + int(rnd, mutators.length - 1)]!(variant, rnd);
    await checkVariant(`big-${i}`, variant, variant);
  }
});
