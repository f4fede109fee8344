import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandCapturePatterns } from './captureGlob.ts';

test('--batch patterns: * ? [..] in a component, ** for any depth, a directory for its captures, sorted, each file once', () => {
  const root = mkdtempSync(join(tmpdir(), 'flowsh-glob-'));
  try {
    for (const f of ['day1/a.pcap', 'day1/b.pcapng', 'day1/c.pcap.gz', 'day1/notes.txt', 'day1/.hidden.pcap', 'day2/x1.pcap', 'day2/deep/y.pcap', 'day2/x22.pcap']) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      writeFileSync(join(root, f), '');
    }
    const rel = (files: string[]) => files.map((f) => f.slice(root.length + 1));
    const run = (...patterns: string[]) => expandCapturePatterns(patterns.map((p) => join(root, p)));
    assert.deepEqual(rel(run('day1/*.pcap').files), ['day1/a.pcap']);
    assert.deepEqual(rel(run('day1/*.pcap*').files), ['day1/a.pcap', 'day1/b.pcapng', 'day1/c.pcap.gz']);
    assert.deepEqual(rel(run('day1/.*.pcap').files), ['day1/.hidden.pcap'], 'dot files only when the pattern asks');
    assert.deepEqual(rel(run('day2/x?.pcap').files), ['day2/x1.pcap']);
    assert.deepEqual(rel(run('day[12]/[!b]*.pcap').files), ['day1/a.pcap', 'day2/x1.pcap', 'day2/x22.pcap']);
    assert.deepEqual(rel(run('day*/**/*.pcap').files), ['day1/a.pcap', 'day2/deep/y.pcap', 'day2/x1.pcap', 'day2/x22.pcap']);
    assert.deepEqual(rel(run('day1').files), ['day1/a.pcap', 'day1/b.pcapng', 'day1/c.pcap.gz'], 'a directory: its capture files');
    assert.deepEqual(rel(run('day1/a.pcap', 'day1/*.pcap', 'day1/missing.pcap').files), ['day1/a.pcap', 'day1/missing.pcap'], 'literal paths kept, duplicates dropped');
    const none = run('day3/*.pcap', 'day1/*.cap');
    assert.deepEqual(none.files, []);
    assert.deepEqual(rel(none.unmatched), ['day3/*.pcap', 'day1/*.cap']);
    const cwd = process.cwd();
    try {
      process.chdir(root);
      assert.deepEqual(expandCapturePatterns(['day2/*.pcap']).files, ['day2/x1.pcap', 'day2/x22.pcap'], 'relative patterns give relative paths');
    } finally {
      process.chdir(cwd);
    }
  } finally {
    rmSync(root, { recursive: true });
  }
});
