// flowsh --batch: the same statements over many captures in worker processes, as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCapture } from '../src/cli/batch.ts';
import { captureName } from '../src/export/statements.ts';
import { freshBundle } from './freshBundle.ts';

const ROOT = resolve(import.meta.dirname, '..');
const duckdb = await import('@duckdb/node-api').catch(() => undefined);

// workers of the bundle start much faster than through tsx
const BUNDLE = freshBundle();

function flowsh(args: string[], cwd = ROOT): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, input: '',
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const SAMPLES = readdirSync(join(ROOT, 'samples')).filter((f) => /^ftp-.*\.pcap$/.test(f)).sort().map((f) => `samples/${f}`);
const OPTIONS = { format: 'tsv' as const, color: false, width: 120, timing: false };

test('--batch runs the statements over every capture in worker processes; output per capture in capture order; {name} per capture', { skip: duckdb ? false : 'no DuckDB' }, async () => {
  assert.ok(SAMPLES.length >= 5, 'the generated FTP samples');
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-batch-'));
  try {
    const script = join(dir, 'export.fsh');
    writeFileSync(script, [
      '# one Parquet file per capture and table',
      `export flows to ${dir}/flows/{name}.parquet`,
      `export ftp to ${dir}/ftp/{name}.parquet`,
      `export files where direction != "listing" to ${dir}/files/{name}.parquet`,
      'flows where port(21) select flowInd, dir, numPktsSnt sort flowInd, dir',
    ].join('\n'));
    const r = flowsh(['--batch', 'samples/ftp-*.pcap', '--jobs', '2', '-f', script]);
    assert.equal(r.code, 0, r.err);
    // stdout: each capture's block under its header, in order, exactly what that capture alone prints
    let expected = '';
    let expectedErr = '';
    for (const [index, capture] of SAMPLES.entries()) {
      const alone = await runCapture({ index, capture: join(ROOT, capture), scripts: ['flows where port(21) select flowInd, dir, numPktsSnt sort flowInd, dir'], options: OPTIONS });
      expected += `==> ${capture} <==\n${alone.out}`;
      expectedErr += `==> ${capture} <==\n`;
      for (const table of ['flows', 'ftp', 'files']) {
        assert.ok(existsSync(join(dir, table, `${captureName(capture)}.parquet`)), `${table} of ${capture}`);
        expectedErr += `exported \\d+ rows? of ${table} \\(\\d+ columns\\) to ${dir}/${table}/${captureName(capture)}\\.parquet \\(parquet, \\d+ bytes\\)\n`;
      }
    }
    assert.equal(r.out, expected);
    assert.match(r.err, new RegExp(`^${expectedErr}flowsh: batch of ${SAMPLES.length} captures on 2 workers in [\\d.]+ s: ${SAMPLES.length} ok\n$`));

    // the dataset: DuckDB reads all files at once, each row knows its capture
    const db = await duckdb!.DuckDBInstance.create();
    const c = await db.connect();
    const perCapture = (await c.runAndReadAll(`SELECT parse_filename(filename, true) AS capture, count(*)::INTEGER AS flows FROM read_parquet('${dir}/flows/*.parquet', filename = true) GROUP BY ALL ORDER BY capture`)).getRowObjectsJson();
    const counted = [];
    for (const [index, capture] of SAMPLES.entries()) {
      const alone = await runCapture({ index, capture: join(ROOT, capture), scripts: ['flows select count()'], options: OPTIONS });
      counted.push({ capture: captureName(capture), flows: Number(alone.out.split('\n')[1]) });
    }
    assert.deepEqual(perCapture, counted);
    const users = (await c.runAndReadAll(`SELECT DISTINCT "user" FROM read_parquet('${dir}/ftp/*.parquet') WHERE command = 'PASS' ORDER BY 1`)).getRowObjectsJson();
    assert.ok(users.length >= 1);
    c.closeSync();
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('--batch exit status: 2 if a capture cannot be read (the others still run), 1 if a statement failed, 0 otherwise; --jobs does not change the output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-batch-'));
  try {
    mkdirSync(join(dir, 'in'));
    copyFileSync(join(ROOT, 'samples/ftp-active.pcap'), join(dir, 'in/a.pcap'));
    copyFileSync(join(ROOT, 'samples/ftp-upload.pcap'), join(dir, 'in/b.pcap'));
    writeFileSync(join(dir, 'in/broken.pcap'), 'not a capture');
    const bad = flowsh(['--batch', `${dir}/in/*.pcap`, '-e', 'flows select count()']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, new RegExp(`==> ${dir}/in/broken.pcap <==\nflowsh: ${dir}/in/broken.pcap: byte offset 0: .*\n`));
    assert.match(bad.err, /batch of 3 captures on \d workers in [\d.]+ s: 2 ok, 1 not read\n$/);
    assert.equal(bad.out.split('==>').length - 1, 2, 'the two good captures printed');

    rmSync(join(dir, 'in/broken.pcap'));
    // a statement that fails on one capture only: its output file exists already
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out/b.csv'), 'keep');
    const one = flowsh(['--batch', `${dir}/in`, '--jobs', '1', '-e', `export flows select flowInd to ${dir}/out/{name}.csv`, '-e', 'files select path']);
    assert.equal(one.code, 1);
    assert.match(one.err, new RegExp(`==> ${dir}/in/b.pcap <==\nflowsh: ${dir}/out/b.csv: file exists \\(not overwritten\\)\n`));
    assert.match(one.err, /1 ok, 1 with failed statements\n$/);
    const three = flowsh(['--batch', `${dir}/in`, '--jobs', '3', '-e', `export flows select flowInd to ${dir}/out2/{name}.csv`, '-e', 'files select path']);
    assert.equal(three.code, 0, three.err);
    assert.equal(three.out, one.out, 'same output whatever the number of workers');
    assert.match(three.err, /on 2 workers/, 'never more workers than captures');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('--batch usage errors: no statements, no match, a bad --jobs (exit 2)', () => {
  const noStatements = flowsh(['--batch', 'samples/*.pcap']);
  assert.equal(noStatements.code, 2);
  assert.match(noStatements.err, /--batch runs the statements of -e or -f/);
  const noMatch = flowsh(['--batch', 'samples/none-*.pcap', '-e', 'report']);
  assert.equal(noMatch.code, 2);
  assert.equal(noMatch.err, "flowsh: no capture matches 'samples/none-*.pcap'\n");
  const jobs = flowsh(['--batch', 'samples/*.pcap', '--jobs', '0', '-e', 'report']);
  assert.equal(jobs.code, 2);
  assert.match(jobs.err, /--jobs takes a whole number/);
  // one capture: no headers, the same as without --batch
  const single = flowsh(['--batch', 'samples/ftp-active.pcap', '-e', 'flows select count()']);
  assert.deepEqual([single.code, single.out, single.err], [0, 'count\n8\n', '']);
});
