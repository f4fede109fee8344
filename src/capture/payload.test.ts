import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openPayloadSource } from './payload.ts';
import { CaptureOpenError } from './types.ts';
import { packetBytes } from './test-captures.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowsh-payload-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('reads bytes by offset, and only the available bytes past the end of the file', () => {
  const content = packetBytes(3, 1000);
  const path = join(dir, 'plain');
  writeFileSync(path, content);
  const src = openPayloadSource(path);
  assert.deepEqual(src.read(0, 10), content.subarray(0, 10));
  assert.deepEqual(src.read(990, 10), content.subarray(990));
  assert.deepEqual(src.read(995, 10), content.subarray(995)); // 5 bytes left
  assert.equal(src.read(1000, 10).length, 0);
  assert.equal(src.read(5000, 10).length, 0);
  assert.equal(src.read(10, 0).length, 0);
  src.close();
  src.close(); // closing twice is harmless
  assert.throws(() => src.read(0, 1), /closed/);
});

test('a compressed capture is read through its spill file; without one it is refused', () => {
  const content = packetBytes(5, 300);
  const gz = join(dir, 'cap.gz'), spill = join(dir, 'cap.spill');
  writeFileSync(gz, gzipSync(content));
  writeFileSync(spill, content);
  assert.throws(() => openPayloadSource(gz), CaptureOpenError);
  const src = openPayloadSource(gz, spill);
  assert.deepEqual(src.read(100, 50), content.subarray(100, 150));
  src.close();
  assert.throws(() => openPayloadSource(join(dir, 'missing')), CaptureOpenError);
});
