// Carving the recorded real FTP sessions: every complete transfer's carved file has the SHA-256 of
// the bytes that were sent (samples/recorded/manifest.json); a transfer with a lost segment is
// written as .partial with its gap; encrypted transfers are not written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCapture } from '../src/store/load.ts';
import { carveFiles } from '../src/carve/carve.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RECORDED = join(ROOT, 'samples/recorded');
const manifest = JSON.parse(readFileSync(join(RECORDED, 'manifest.json'), 'utf8')) as {
  captures: { file: string; expect: string; transfers: { command: string; expect: string; sha256?: string }[] }[];
};

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

for (const capture of manifest.captures) {
  test(`carve ${capture.file}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowsh-carve-rec-'));
    const loaded = await loadCapture(join(RECORDED, capture.file));
    try {
      const result = carveFiles(loaded, undefined, join(dir, 'out'), 'carve to out');
      const names = readdirSync(join(dir, 'out'));
      const carvedHashes = new Set(result.files.filter((f) => f.carvedAs && !f.carvedAs.endsWith('.partial')).map((f) => sha(readFileSync(join(dir, 'out', f.carvedAs)))));
      for (const t of capture.transfers) {
        if (t.expect === 'complete' && t.sha256) assert.ok(carvedHashes.has(t.sha256), `${t.command} with SHA-256 ${t.sha256} is carved exactly`);
      }
      if (capture.expect === 'gaps') {
        const partial = result.files.filter((f) => f.carvedAs.endsWith('.partial'));
        assert.ok(partial.length >= 1, 'the transfer with a lost segment is written as .partial');
        const lines = readFileSync(join(dir, 'out', result.manifest), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        assert.ok(lines.some((l) => l.carvedAs.endsWith('.partial') && l.gaps.length > 0), 'the manifest lists its gaps');
      }
      if (capture.expect === 'encrypted') {
        assert.equal(result.files.filter((f) => f.verdict === 'encrypted' && f.carvedAs !== '').length, 0, 'encrypted transfers are not written');
      }
      assert.ok(names.includes('manifest.jsonl'));
    } finally {
      loaded.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
