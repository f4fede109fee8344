/**
 * A bundle of the current sources for tests that start many flowsh processes (batch workers start
 * in a fraction of tsx's time); built once per test file into a temporary directory.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

export function freshBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-bundle-'));
  const bundle = join(dir, 'flowsh.mjs');
  const built = spawnSync(process.execPath, [join(ROOT, 'src/build.mjs')], { cwd: ROOT, env: { ...process.env, FLOWSH_BUNDLE_OUT: bundle }, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  after(() => rmSync(dir, { recursive: true, force: true }));
  return bundle;
}
