// Seeded fuzz: mutated and truncated sample captures go through the whole load (reader, decoders,
// flow store, analyzers, tables, report) and every cell is rendered; the only error allowed is a
// CaptureOpenError for input that is not a capture at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadCapture } from '../src/store/load.ts';
import { CaptureOpenError } from '../src/capture/types.ts';
import { reportJson, reportLines } from '../src/report/report.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SEEDS = ['ftp-passive-dns.pcap', 'ftp-ipv6-epsv-eprt.pcap', 'two-interfaces.pcapng', 'ftp-vlan.pcap'];
const VARIANTS_PER_SAMPLE = 40;

/** xorshift32: the same seed gives the same mutations on every run */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

function mutate(original: Uint8Array, rand: () => number): Uint8Array {
  let bytes = Uint8Array.from(original);
  const kind = Math.floor(rand() * 5);
  if (kind === 0) {
    // truncate anywhere (including inside the file header)
    bytes = bytes.slice(0, Math.floor(rand() * bytes.length));
  } else if (kind === 1) {
    // flip a few random bytes anywhere
    for (let i = 0, n = 1 + Math.floor(rand() * 8); i < n; i++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
  } else if (kind === 2) {
    // garbage run in the middle
    const at = Math.floor(rand() * bytes.length), len = Math.floor(rand() * 300);
    for (let i = at; i < Math.min(bytes.length, at + len); i++) bytes[i] = Math.floor(rand() * 256);
  } else if (kind === 3) {
    // corrupt a length field: bytes 8..15 of a record header or block length
    const at = 24 + Math.floor(rand() * (bytes.length - 40));
    bytes[at] = 0xff; bytes[at + 1] = 0xff; bytes[at + 2] = rand() < 0.5 ? 0xff : 0x00;
  } else {
    // cut, then duplicate a slice (records out of place)
    const a = Math.floor(rand() * bytes.length), b = Math.min(bytes.length, a + Math.floor(rand() * 500));
    const out = new Uint8Array(bytes.length + (b - a));
    out.set(bytes.subarray(0, b)); out.set(bytes.subarray(a, b), b); out.set(bytes.subarray(b), b + (b - a));
    bytes = out;
  }
  return bytes;
}

test('mutated and truncated captures load without an uncaught error, and every cell renders', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-fuzz-'));
  let loaded = 0, refused = 0;
  try {
    for (const [i, name] of SEEDS.entries()) {
      const original = new Uint8Array(readFileSync(join(ROOT, 'samples', name)));
      const rand = prng(0x5eed + i);
      for (let v = 0; v < VARIANTS_PER_SAMPLE; v++) {
        let bytes = mutate(original, rand);
        if (v % 10 === 9) bytes = new Uint8Array(gzipSync(bytes).subarray(0, Math.floor(rand() * 2000) + 20));
        const file = join(dir, `${v}-${name}`);
        writeFileSync(file, bytes);
        let capture;
        try {
          capture = await loadCapture(file);
        } catch (e) {
          assert.ok(e instanceof CaptureOpenError, `${name} variant ${v}: unexpected ${(e as Error)?.stack}`);
          assert.match((e as Error).message, new RegExp(`${v}-${name.replace('.', '\\.')}: byte offset \\d+`));
          refused++;
          continue;
        }
        loaded++;
        try {
          for (const table of capture.catalog.tables) {
            for (const column of table.columns) {
              for (let r = 0; r < table.rowCount; r++) {
                const text = column.text(r);
                // nothing from a packet reaches the terminal raw
                assert.doesNotMatch(text, /[\x00-\x1f\x7f-\x9f]/, `${name} variant ${v}: ${table.def.name}.${column.def.name} row ${r}`);
                column.json(r);
              }
            }
          }
          for (const w of capture.warnings) assert.ok(w.file === file && w.packetNo >= 1 && w.byteOffset >= 0);
          JSON.parse(reportJson(capture.report));
          assert.ok(reportLines(capture.report).length > 0);
        } finally {
          capture.close();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // the mutations must mostly produce loadable captures, or the test would prove little
  assert.ok(loaded > refused, `loaded ${loaded}, refused ${refused}`);
});
