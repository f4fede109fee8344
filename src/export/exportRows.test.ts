// exportRows on crafted tables: the cell conventions of each format, the awkward values (quotes,
// separators, line breaks, bytes that were not UTF-8, bit 63 of a flag), and the file rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryTable } from '../store/memoryTable.ts';
import { TimeColumn } from '../store/columns.ts';
import { ColumnTable } from '../store/columnTable.ts';
import { FileExistsError } from '../output/atomicFile.ts';
import type { TableDef } from '../schema/types.ts';
import type { Table } from '../store/table.ts';
import { exportRows, ExportError, type ExportSource } from './exportRows.ts';
import { exportString } from './cells.ts';

const duckdb = await import('@duckdb/node-api').catch(() => undefined);

const DEF: TableDef = {
  name: 'crafted', description: 'awkward values',
  columns: [
    { name: 'n', type: 'u16', description: '' },
    { name: 'big', type: 'u64', description: '' },
    { name: 'flags', type: 'h64', description: '' },
    { name: 'ratio', type: 'f64', description: '' },
    { name: 'text', type: 'str', description: '' },
    { name: 'ok', type: 'bool', description: '' },
    { name: 'addr', type: 'ip', description: '' },
    { name: 'users', type: 'str', repeated: true, description: '' },
    { name: 'links', type: 'u64', repeated: true, description: '' },
  ],
};

const TRICKY = 'a,b "quoted"\ttab\nnew line';
const NOT_UTF8 = 'caf\udce9 \ud83d\ude00'; // the byte 0xe9 kept as a lone surrogate, then a real emoji

const table = new MemoryTable(DEF, {
  n: [1, 65535, null],
  big: [0, 2 ** 53 - 1, null],
  flags: [0x4001n, (1n << 63n) | 1n, null],
  ratio: [2, 0.5, null],
  text: [TRICKY, NOT_UTF8, null],
  ok: [true, false, null],
  addr: ['192.0.2.1', '2001:db8::1', null],
  users: [['alice', 'b,ob'], [], null],
  links: [[5, 6], [], null],
});
const source = (t: Table = table, rows: ArrayLike<number> = [0, 1, 2]): ExportSource => ({ columns: t.columns, rows });

function withDir(body: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-export-'));
  return Promise.resolve(body(dir)).finally(() => rmSync(dir, { recursive: true }));
}

test('bytes kept as lone surrogates become \\xHH; real surrogate pairs stay', () => {
  assert.equal(exportString(NOT_UTF8), 'caf\\xe9 \ud83d\ude00');
  assert.equal(exportString('\udc80\udcff'), '\\x80\\xff');
  assert.equal(exportString('plain'), 'plain');
});

test('CSV: header, RFC 4180 quoting, flags as signed 64-bit integers, lists as JSON arrays, no value as an empty field', () => withDir((dir) => {
  const file = join(dir, 'crafted.csv');
  const result = exportRows(source(), file);
  assert.deepEqual(result, { format: 'csv', rows: 3, bytes: readFileSync(file).length });
  assert.equal(readFileSync(file, 'utf8'), [
    'n,big,flags,ratio,text,ok,addr,users,links',
    `1,0,16385,2.0,"a,b ""quoted""\ttab\nnew line",true,192.0.2.1,"[""alice"",""b,ob""]","[5,6]"`,
    `65535,9007199254740991,-9223372036854775807,0.5,caf\\xe9 \ud83d\ude00,false,2001:db8::1,[],[]`,
    ',,,,,,,,',
    '',
  ].join('\n'));
}));

test('TSV quotes only what holds a tab, a quote or a line break (a comma alone is plain)', () => withDir((dir) => {
  const file = join(dir, 'crafted.tsv');
  exportRows(source(), file);
  assert.equal(readFileSync(file, 'utf8'), [
    DEF.columns.map((c) => c.name).join('\t'),
    `1\t0\t16385\t2.0\t"a,b ""quoted""\ttab\nnew line"\ttrue\t192.0.2.1\t"[""alice"",""b,ob""]"\t[5,6]`,
    `65535\t9007199254740991\t-9223372036854775807\t0.5\tcaf\\xe9 \ud83d\ude00\tfalse\t2001:db8::1\t[]\t[]`,
    '\t\t\t\t\t\t\t\t',
    '',
  ].join('\n'));
}));

test('JSON Lines: one object per row, JSON types, null for no value, doubles with a decimal point', () => withDir((dir) => {
  const file = join(dir, 'crafted.jsonl');
  exportRows(source(), file);
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], `{"n":1,"big":0,"flags":16385,"ratio":2.0,"text":${JSON.stringify(TRICKY)},"ok":true,"addr":"192.0.2.1","users":["alice","b,ob"],"links":[5,6]}`);
  assert.equal(JSON.parse(lines[1]!).flags, -9223372036854775807);
  assert.equal(lines[1]!.includes('"flags":-9223372036854775807'), true, 'exact digits, not a rounded double');
  assert.deepEqual(JSON.parse(lines[2]!), Object.fromEntries(DEF.columns.map((c) => [c.name, null])));
}));

test('timestamps: ISO 8601 UTC with the column\'s digits in text, microseconds in Parquet', { skip: duckdb ? false : 'no DuckDB' }, () => withDir(async (dir) => {
  const def = { name: 'time', type: 'time' as const, description: '' };
  const ns = new ColumnTable('t', '', 2, [new TimeColumn(def, [1710433613, 0], [806142890, 5], 9)]);
  const us = new ColumnTable('t', '', 1, [new TimeColumn(def, [1710433613], [806142000], 6)]);
  exportRows(source(ns, [0, 1]), join(dir, 'ns.csv'));
  exportRows(source(us, [0]), join(dir, 'us.jsonl'));
  exportRows(source(ns, [0, 1]), join(dir, 'ns.parquet'));
  assert.equal(readFileSync(join(dir, 'ns.csv'), 'utf8'), 'time\n2024-03-14T16:26:53.806142890Z\n1970-01-01T00:00:00.000000005Z\n');
  assert.equal(readFileSync(join(dir, 'us.jsonl'), 'utf8'), '{"time":"2024-03-14T16:26:53.806142Z"}\n');
  const db = await duckdb!.DuckDBInstance.create();
  const c = await db.connect();
  const rows = (await c.runAndReadAll(`SELECT epoch_us(time)::VARCHAR AS us, typeof(time) AS t FROM '${join(dir, 'ns.parquet')}'`)).getRowObjectsJson();
  assert.deepEqual(rows, [{ us: '1710433613806142', t: 'TIMESTAMP WITH TIME ZONE' }, { us: '0', t: 'TIMESTAMP WITH TIME ZONE' }]);
  c.closeSync();
}));

test('DuckDB reads the awkward values back unchanged from CSV, TSV, JSON Lines and Parquet', { skip: duckdb ? false : 'no DuckDB' }, () => withDir(async (dir) => {
  const db = await duckdb!.DuckDBInstance.create();
  const c = await db.connect();
  for (const format of ['csv', 'tsv', 'jsonl', 'parquet']) {
    const file = join(dir, `crafted.${format}`);
    exportRows(source(), file);
    const rows = (await c.runAndReadAll(`SELECT text, flags::VARCHAR AS flags, (flags & 1)::INTEGER AS bit0, addr FROM '${file}'`)).getRowObjectsJson();
    assert.deepEqual(rows, [
      { text: TRICKY, flags: '16385', bit0: 1, addr: '192.0.2.1' },
      { text: 'caf\\xe9 \ud83d\ude00', flags: '-9223372036854775807', bit0: 1, addr: '2001:db8::1' },
      { text: null, flags: null, bit0: null, addr: null },
    ], format);
    if (format === 'parquet') {
      const lists = (await c.runAndReadAll(`SELECT users, links::VARCHAR[] AS links, ok FROM '${file}'`)).getRowObjectsJson();
      assert.deepEqual(lists, [{ users: ['alice', 'b,ob'], links: ['5', '6'], ok: true }, { users: [], links: [], ok: false }, { users: null, links: null, ok: null }]);
    }
  }
  c.closeSync();
}));

test('no rows: a header (CSV, TSV), an empty file (JSON Lines) or a Parquet file with the schema', { skip: duckdb ? false : 'no DuckDB' }, () => withDir(async (dir) => {
  for (const format of ['csv', 'tsv', 'jsonl', 'parquet']) exportRows(source(table, []), join(dir, `empty.${format}`));
  assert.equal(readFileSync(join(dir, 'empty.csv'), 'utf8'), DEF.columns.map((c) => c.name).join(',') + '\n');
  assert.equal(readFileSync(join(dir, 'empty.jsonl'), 'utf8'), '');
  const db = await duckdb!.DuckDBInstance.create();
  const c = await db.connect();
  const described = (await c.runAndReadAll(`DESCRIBE SELECT * FROM '${join(dir, 'empty.parquet')}'`)).getRowObjects().map((r) => `${r['column_name']}:${r['column_type']}`);
  assert.deepEqual(described, ['n:INTEGER', 'big:BIGINT', 'flags:BIGINT', 'ratio:DOUBLE', 'text:VARCHAR', 'ok:BOOLEAN', 'addr:VARCHAR', 'users:VARCHAR[]', 'links:BIGINT[]']);
  const count = (await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM '${join(dir, 'empty.parquet')}'`)).getRowObjectsJson();
  assert.deepEqual(count, [{ n: 0 }]);
  c.closeSync();
}));

test('the file ending chooses the format; an unknown ending, a column twice or an existing file is refused and nothing is left', () => withDir((dir) => {
  assert.throws(() => exportRows(source(), join(dir, 'x.xlsx')), (e: Error) => e instanceof ExportError && /'\.xlsx' is not .*\.parquet/.test(e.message));
  assert.throws(() => exportRows(source(), join(dir, 'x')), (e: Error) => e instanceof ExportError && /no ending says/.test(e.message));
  assert.throws(() => exportRows({ columns: [table.columns[0]!, table.columns[0]!], rows: [0] }, join(dir, 'x.csv')), /column n is selected twice/);
  const existing = join(dir, 'keep.parquet');
  writeFileSync(existing, 'precious');
  assert.throws(() => exportRows(source(), existing), FileExistsError);
  assert.equal(readFileSync(existing, 'utf8'), 'precious');
  assert.deepEqual(readdirSync(dir), ['keep.parquet']);
  // missing directories are made
  exportRows(source(), join(dir, 'a', 'b', 'x.ndjson'));
  assert.equal(readFileSync(join(dir, 'a', 'b', 'x.ndjson'), 'utf8').split('\n').length, 4);
}));
