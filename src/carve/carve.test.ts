import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { carvedFileName, sanitizeComponent } from './safeName.ts';
import { prepareDirectory, UnsafeNameError, writeNewFile } from './atomicWrite.ts';

test('carved names keep only a safe last component, prefixed with the data flow', () => {
  assert.equal(carvedFileName('/srv/files/report.pdf', 7, false), '7-report.pdf');
  assert.equal(carvedFileName('../../etc/passwd', 3, false), '3-passwd');
  assert.equal(carvedFileName('..\\..\\windows\\win.ini', 3, false), '3-win.ini');
  assert.equal(carvedFileName('..', 4, false), '4-unnamed');
  assert.equal(carvedFileName('/', 4, false), '4-unnamed');
  assert.equal(carvedFileName('dir/part.bin', 9, true), '9-part.bin.partial');
  assert.equal(sanitizeComponent('a\x1b[31mred\r\n.txt'), 'a_[31mred__.txt');
  assert.equal(sanitizeComponent('evil\u202etxt.exe'), 'evil_txt.exe');
  assert.equal(sanitizeComponent('CON'), '_CON');
  assert.equal(sanitizeComponent('nul.txt'), '_nul.txt');
  assert.equal(sanitizeComponent('...hidden'), 'hidden');
  assert.equal(sanitizeComponent('a:b*c?.txt'), 'a_b_c_.txt');
  assert.equal(sanitizeComponent('r\u00e9sum\u00e9.pdf'), 'r\u00e9sum\u00e9.pdf');
  const long = sanitizeComponent('\u00e9'.repeat(200) + '.tar.gz');
  assert.ok(Buffer.byteLength(long) <= 150, 'bounded length');
  assert.ok(long.endsWith('.gz'));
});

test('writeNewFile never replaces a file, refuses path components, and leaves no temporary file', () => {
  const base = mkdtempSync(join(tmpdir(), 'flowsh-carve-'));
  try {
    const dir = prepareDirectory(join(base, 'out'));
    writeFileSync(join(dir, '1-a.bin'), 'already here');
    const used = writeNewFile(dir, '1-a.bin', [new Uint8Array([1, 2]), new Uint8Array([3])]);
    assert.equal(used, '1-a (2).bin');
    assert.equal(readFileSync(join(dir, '1-a.bin'), 'utf8'), 'already here');
    assert.deepEqual([...readFileSync(join(dir, used))], [1, 2, 3]);
    assert.equal(writeNewFile(dir, '1-a.bin', []), '1-a (3).bin');
    for (const bad of ['../x', '/etc/x', 'a/b', '..', '']) assert.throws(() => writeNewFile(dir, bad, []), UnsafeNameError);
    // a symlink planted under the target name is not followed or replaced
    symlinkSync('/etc/hostname', join(dir, '2-link'));
    assert.equal(writeNewFile(dir, '2-link', [new Uint8Array([9])]), '2-link (2)');
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
