/**
 * B13: carving where names are already taken. A target name held by anything (file, directory,
 * dangling symlink) gets the next free name and is left untouched; a DIR that is itself a file (or
 * lies under one) stops the carve with one clear line instead of mkdir's raw EEXIST/ENOTDIR.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CraftedCapture, bytesOf } from '../analyzers/ftp/craftedCapture.ts';
import { writeNewFile } from './atomicWrite.ts';
import { CarveError, carveFiles } from './carve.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';
const ROOT = resolve(import.meta.dirname, '../..');

/** three downloads a.bin, b.bin, c.bin, each a complete passive transfer */
function threeDownloads(): CraftedCapture {
  const cap = new CraftedCapture();
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  for (const [name, port] of [['a.bin', 10000], ['b.bin', 10001], ['c.bin', 10002]] as const) {
    ctl.client('PASV\r\n').server(`227 Entering Passive Mode (192,0,2,21,${port >> 8},${port & 0xff}).\r\n`).client(`RETR ${name}\r\n`);
    cap.conn({ ip: CLIENT, port: port + 40000 }, { ip: SERVER, port }, port).open().server(bytesOf(100 + port - 10000)).serverFin();
    ctl.server('150 go\r\n').server('226 done\r\n');
  }
  return cap;
}

test('carve: target names taken by a file, a directory or a dangling symlink get free names; nothing is touched', async () => {
  const base = mkdtempSync(join(tmpdir(), 'flowsh-carvetarget-'));
  try {
    await threeDownloads().with((capture) => {
      const out = join(base, 'out');
      const first = carveFiles(capture, undefined, out, 'carve to out');
      const names = first.files.map((f) => f.carvedAs);
      assert.equal(names.length, 3);
      assert.ok(names.every((n) => n !== ''), 'all three written the first time');
      // take the names the next carve would use, each by something else
      const [a, b, c] = names as [string, string, string];
      writeFileSync(join(out, a.replace('.bin', ' (2).bin')), 'mine');
      mkdirSync(join(out, b.replace('.bin', ' (2).bin')));
      symlinkSync(join(base, 'nowhere'), join(out, c.replace('.bin', ' (2).bin')));
      const second = carveFiles(capture, undefined, out, 'carve to out');
      assert.deepEqual(second.files.map((f) => f.carvedAs), [a.replace('.bin', ' (3).bin'), b.replace('.bin', ' (3).bin'), c.replace('.bin', ' (3).bin')]);
      assert.deepEqual(second.files.map((f) => f.note), ['', '', '']);
      for (const [i, f] of second.files.entries()) assert.deepEqual(readFileSync(join(out, f.carvedAs)), readFileSync(join(out, names[i]!)), 'same bytes as the first carve');
      assert.equal(readFileSync(join(out, a.replace('.bin', ' (2).bin')), 'utf8'), 'mine');
      assert.ok(lstatSync(join(out, b.replace('.bin', ' (2).bin'))).isDirectory());
      assert.equal(readlinkSync(join(out, c.replace('.bin', ' (2).bin'))), join(base, 'nowhere'));
      assert.equal(readdirSync(base).includes('nowhere'), false, 'the symlink was not followed');
      assert.equal(second.manifest, 'manifest (2).jsonl');
      assert.ok(!readdirSync(out).some((n) => n.endsWith('.tmp')), 'no temporary file left');
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('carve: a DIR that is a file, or under one, is a one-line error and the file is left alone', async () => {
  const base = mkdtempSync(join(tmpdir(), 'flowsh-carvetarget-'));
  try {
    await threeDownloads().with((capture) => {
      const file = join(base, 'taken');
      writeFileSync(file, 'keep');
      assert.throws(() => carveFiles(capture, undefined, file, `carve to ${file}`),
        (e: unknown) => e instanceof CarveError && e.message === `carve: cannot write into '${file}': it exists and is not a directory; nothing was carved`);
      assert.throws(() => carveFiles(capture, undefined, join(file, 'sub'), 'carve to x'),
        (e: unknown) => e instanceof CarveError && /a part of that path is a file, not a directory; nothing was carved$/.test(e.message));
      assert.equal(readFileSync(file, 'utf8'), 'keep');
      assert.deepEqual(readdirSync(base), ['taken']);
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('carve: the command line prints that error on one line, exits 1 and runs the next statements', () => {
  const base = mkdtempSync(join(tmpdir(), 'flowsh-carvetarget-'));
  try {
    const file = join(base, 'taken');
    writeFileSync(file, 'keep');
    const out = join(base, 'out');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), join(ROOT, 'samples/ftp-passive-dns.pcap'),
      '-e', `carve to ${file}`, '-e', `carve to ${out}`], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], `flowsh: carve: cannot write into '${file}': it exists and is not a directory; nothing was carved`);
    assert.doesNotMatch(r.stderr, /EEXIST/);
    assert.match(lines[1]!, /^carved 2 of 2 transfers into /);
    assert.equal(readFileSync(file, 'utf8'), 'keep');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('carve: a manifest that cannot be written is one line saying what was written', async () => {
  const base = mkdtempSync(join(tmpdir(), 'flowsh-carvetarget-'));
  try {
    await threeDownloads().with((capture) => {
      const out = join(base, 'out');
      const full: typeof writeNewFile = (d, name, chunks) => {
        if (name === 'manifest.jsonl') throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        return writeNewFile(d, name, chunks);
      };
      assert.throws(() => carveFiles(capture, undefined, out, 'carve to out', { writeFile: full }),
        (e: unknown) => e instanceof CarveError && /^carve: wrote 3 of 3 transfers into '.*out' but not manifest\.jsonl: could not write: ENOSPC no space left on device$/.test(e.message));
      assert.equal(readdirSync(out).filter((n) => n.endsWith('.bin')).length, 3, 'the transfers stay written');
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
