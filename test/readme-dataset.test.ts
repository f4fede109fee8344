// The README's "When one machine is not enough": its --batch command run as shown (on the samples,
// in a temporary directory), then each SQL query it shows run in DuckDB, whose answer must be the
// table printed under it (drawn as DuckDB's CLI and Python draw results; cross-checked with the
// duckdb Python module when it is installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freshBundle } from './freshBundle.ts';

const ROOT = resolve(import.meta.dirname, '..');
const duckdb = await import('@duckdb/node-api').catch(() => undefined);
const SECTION = '## When one machine is not enough';

function section(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  assert.ok(start >= 0, `README has "${SECTION}"`);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** fenced blocks in order: language and body */
function blocks(markdown: string): { lang: string; body: string }[] {
  const out: { lang: string; body: string }[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) out.push({ lang: m[1]!, body: m[2]! });
  return out;
}

/** words of a shell command line with '...' quoting and \ continuations */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const m of command.replace(/\\\n/g, ' ').matchAll(/'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2]!);
  return words;
}

const BOX_TYPE: Record<string, string> = {
  BIGINT: 'int64', INTEGER: 'int32', SMALLINT: 'int16', TINYINT: 'int8', HUGEINT: 'int128', UBIGINT: 'uint64',
};
const NUMERIC = /^(u?int\d+|double|float|decimal)/;

/** DuckDB's box rendering: centred names and types, numbers to the right, text to the left */
function box(names: readonly string[], types: readonly string[], rows: readonly string[][]): string {
  const widths = names.map((n, j) => Math.max(n.length, types[j]!.length, ...rows.map((r) => r[j]!.length)));
  const centre = (s: string, w: number) => {
    const left = Math.floor((w + 2 - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w + 2 - s.length - left);
  };
  const line = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const out = [
    line('┌', '┬', '┐'),
    '│' + names.map((n, j) => centre(n, widths[j]!)).join('│') + '│',
    '│' + types.map((t, j) => centre(t, widths[j]!)).join('│') + '│',
    line('├', '┼', '┤'),
    ...rows.map((r) => '│' + r.map((v, j) => ` ${NUMERIC.test(types[j]!) ? v.padStart(widths[j]!) : v.padEnd(widths[j]!)} `).join('│') + '│'),
    line('└', '┴', '┘'),
  ];
  return out.join('\n') + '\n';
}

function cellText(v: unknown): string {
  if (v === null) return 'NULL';
  if (Array.isArray(v)) return '[' + v.map(cellText).join(', ') + ']';
  return String(v);
}

const hasPythonDuckdb = spawnSync('python3', ['-c', 'import duckdb'], { stdio: 'ignore' }).status === 0;

test('README "When one machine is not enough": the batch export and the DuckDB answers it shows', { skip: duckdb ? false : 'no DuckDB' }, async () => {
  const shown = blocks(section());
  const command = shown.find((b) => b.lang === 'sh' && b.body.includes('--batch'));
  assert.ok(command, 'the section shows a --batch command');
  const words = shellWords(command.body.trim());
  assert.deepEqual(words.slice(0, 2), ['npx', 'flowsh']);
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-readme-'));
  try {
    // the pattern names the samples relative to the project; the dataset goes to the temporary directory
    const args = words.slice(2).map((w) => (w.startsWith('samples/') ? join(ROOT, w) : w));
    const run = spawnSync(process.execPath, [freshBundle(), ...args], { cwd: dir, encoding: 'utf8', input: '' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /flowsh: batch of \d+ captures on \d+ workers? in [\d.]+ s: \d+ ok\n$/);

    const queries = shown.flatMap((b, i) => (b.lang === 'sql' && b.body.includes("read_parquet('dataset/") ? [{ sql: b.body, expected: shown[i + 1] }] : []));
    assert.ok(queries.length >= 3, 'the section queries the dataset');
    const db = await duckdb!.DuckDBInstance.create();
    const connection = await db.connect();
    await connection.run("SET TimeZone = 'UTC'");
    try {
      for (const { sql, expected } of queries) {
        assert.ok(expected && expected.lang === '', `an output block follows: ${sql}`);
        const local = sql.replaceAll("'dataset/", `'${dir}/dataset/`);
        const reader = await connection.runAndReadAll(local);
        const types = reader.columnTypes().map((t) => BOX_TYPE[t.toString()] ?? t.toString().toLowerCase());
        const rows = reader.getRowsJson().map((r) => r.map(cellText));
        const drawn = box(reader.columnNames(), types, rows);
        assert.equal(drawn, expected.body, `README output of:\n${sql}`);
        if (hasPythonDuckdb) {
          // the drawing is DuckDB's own
          const py = spawnSync('python3', ['-c', 'import duckdb, sys\nduckdb.sql("SET TimeZone = \'UTC\'")\nduckdb.sql(sys.stdin.read()).show()'], { cwd: dir, input: sql, encoding: 'utf8' });
          assert.equal(py.status, 0, py.stderr);
          assert.equal(py.stdout.replace(/\n+$/, '\n'), drawn, `duckdb (Python) draws:\n${sql}`);
        }
      }
    } finally {
      connection.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});
