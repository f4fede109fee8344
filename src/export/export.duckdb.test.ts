// export TABLE to FILE, read back with DuckDB: for every table of the sample captures and every
// format, DuckDB sees the table's columns in order, with the types the schema maps to, and the
// table's values (the expectation is computed from the table's own get/text, not from the exporter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCapture } from '../store/load.ts';
import { IpAddr, type Value } from '../store/value.ts';
import type { Column, Table } from '../store/table.ts';
import type { ColumnType } from '../schema/types.ts';
import { parseStatement, type ExportStatement } from '../query/index.ts';
import { runExport } from './statements.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const duckdb = await import('@duckdb/node-api').catch(() => undefined);
const skip = duckdb ? false : '@duckdb/node-api is not installed (npm ci installs it)';

const CAPTURES = ['ftp-passive-dns.pcap', 'ftp-nanosecond.pcap', 'ftp-ipv6-epsv-eprt.pcap', 'two-interfaces.pcapng', 'recorded/recorded-session-multi.pcap'];
const FORMATS = ['parquet', 'csv', 'tsv', 'jsonl'] as const;
type Format = (typeof FORMATS)[number];

type Kind = 'int' | 'int32' | 'double' | 'time' | 'string' | 'bool';
function kindOf(type: ColumnType): Kind {
  if (['u8', 'u16', 'h8', 'h16'].includes(type)) return 'int32';
  if (['u32', 'u64', 'i64', 'h32', 'h64'].includes(type)) return 'int';
  if (type === 'f64' || type === 'seconds') return 'double';
  if (type === 'time') return 'time';
  if (type === 'bool') return 'bool';
  return 'string';
}

const PARQUET_TYPE: Record<Kind, string> = {
  int32: 'INTEGER', int: 'BIGINT', double: 'DOUBLE', time: 'TIMESTAMP WITH TIME ZONE', string: 'VARCHAR', bool: 'BOOLEAN',
};

/** time text `sec.fraction` -> [ISO 8601 with the same digits, microseconds since the epoch] */
function timeForms(text: string): [string, string] {
  const [sec, fraction = ''] = text.split('.');
  const iso = new Date(Number(sec) * 1000).toISOString().slice(0, 19) + (fraction ? `.${fraction}` : '') + 'Z';
  return [iso, String(BigInt(sec!) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6)))];
}

function expectedScalar(v: Value, kind: Kind, format: Format, timeText: string | undefined, timeAsText: boolean): unknown {
  if (v === null) return null;
  switch (kind) {
    case 'int32': case 'int': return String(BigInt.asIntN(64, BigInt(v as number | bigint)));
    case 'double': return Number.isNaN(v as number) ? null : v;
    case 'bool': return v;
    case 'time': {
      const [iso, micros] = timeForms(timeText!);
      return timeAsText ? iso : micros;
    }
    case 'string': {
      const s = v instanceof IpAddr ? v.toString() : String(v);
      return s === '' && (format === 'csv' || format === 'tsv') ? null : s;
    }
  }
}

/** DuckDB's JSON form of a cell, with integers as text and lists parsed */
function actualCell(raw: unknown, kind: Kind, repeated: boolean, format: Format): unknown {
  if (raw === null || raw === undefined) return null;
  if (repeated) {
    const list = typeof raw === 'string' ? (JSON.parse(raw) as unknown[]) : (raw as unknown[]);
    return list.map((x) => actualCell(x, kind, false, format));
  }
  if (kind === 'int' || kind === 'int32') return String(raw);
  return raw;
}

async function checkTable(connection: import('@duckdb/node-api').DuckDBConnection, table: Table, file: string, format: Format): Promise<void> {
  const describe = await connection.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`);
  const described = describe.getRowObjects().map((r) => [String(r['column_name']), String(r['column_type'])] as const);
  assert.deepEqual(described.map(([name]) => name), table.columns.map((c) => c.def.name), `${file}: column names in order`);
  const text = format === 'csv' || format === 'tsv';
  // a column without any value (in text files: without non-empty text) has no type to find
  const present = (c: Column): boolean => {
    for (let r = 0; r < table.rowCount; r++) {
      const v = c.get(r);
      if (v !== null && !(Array.isArray(v) && v.length === 0) && !(text && v === '')) return true;
    }
    return false;
  };
  const select: string[] = [];
  const timeAsText: boolean[] = [];
  table.columns.forEach((c, j) => {
    const kind = kindOf(c.def.type);
    const type = described[j]![1];
    const name = `"${c.def.name}"`;
    let expected: string | readonly string[];
    if (format === 'parquet') expected = PARQUET_TYPE[kind] + (c.def.repeated ? '[]' : '');
    else if (!present(c)) expected = c.def.repeated && format === 'jsonl' ? ['JSON[]', 'JSON'] : ['VARCHAR', 'JSON'];
    else if (format === 'jsonl') {
      const jsonType = { int32: 'BIGINT', int: 'BIGINT', double: 'DOUBLE', time: 'TIMESTAMP', string: 'VARCHAR', bool: 'BOOLEAN' }[kind];
      // DuckDB recognises ISO timestamps in JSON up to microseconds; nanoseconds stay text
      const digits = kind === 'time' ? (c.text(0).split('.')[1] ?? '').length : 0;
      expected = (digits > 6 ? 'VARCHAR' : jsonType) + (c.def.repeated ? '[]' : '');
      // DuckDB reads positive JSON integers as unsigned: a signed column with both signs becomes HUGEINT
      if (c.def.type === 'i64' && !c.def.repeated) expected = ['BIGINT', 'HUGEINT'];
    } else {
      expected = c.def.repeated ? 'VARCHAR' : { int32: 'BIGINT', int: 'BIGINT', double: 'DOUBLE', time: 'TIMESTAMP WITH TIME ZONE', string: 'VARCHAR', bool: 'BOOLEAN' }[kind];
    }
    if (typeof expected === 'string') assert.equal(type, expected, `${file}: type of ${c.def.name} (${c.def.type})`);
    else assert.ok(expected.includes(type), `${file}: type of ${c.def.name} is ${type}, expected one of ${expected.join(', ')}`);
    const isTimestamp = type.startsWith('TIMESTAMP');
    timeAsText.push(kind === 'time' && !isTimestamp);
    select.push(isTimestamp ? `epoch_us(${name})::VARCHAR AS ${name}` : name);
  });
  const rows = (await connection.runAndReadAll(`SELECT ${select.join(', ')} FROM '${file}'`)).getRowObjectsJson();
  assert.equal(rows.length, table.rowCount, `${file}: row count`);
  for (let r = 0; r < table.rowCount; r++) {
    table.columns.forEach((c, j) => {
      const kind = kindOf(c.def.type);
      const v = c.get(r);
      const timeText = kind === 'time' ? c.text(r) : undefined;
      const expected = c.def.repeated && Array.isArray(v)
        ? v.map((item) => expectedScalar(item, kind, format, undefined, false))
        : expectedScalar(v, kind, format, timeText, timeAsText[j]!);
      const actual = actualCell(rows[r]![c.def.name], kind, c.def.repeated === true, format);
      assert.deepEqual(actual, expected, `${file}: row ${r + 1}, ${c.def.name}`);
    });
  }
}

test('every table of the samples, exported to Parquet, CSV, TSV and JSON Lines, reads back in DuckDB with its types and values', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-export-'));
  const db = await duckdb!.DuckDBInstance.create();
  const connection = await db.connect();
  await connection.run("SET TimeZone = 'UTC'");
  try {
    for (const name of CAPTURES) {
      const capture = await loadCapture(join(ROOT, 'samples', name));
      try {
        const tables = capture.catalog.tables;
        assert.ok(['flows', 'packets', 'ftp', 'files'].every((t) => tables.some((x) => x.def.name === t)));
        for (const table of tables) {
          for (const format of FORMATS) {
            const file = join(dir, `${name.replace(/\W/g, '_')}-${table.def.name}.${format}`);
            const text = `export ${table.def.name} to ${file}`;
            const message = runExport(capture, parseStatement(text) as ExportStatement, 'flowsh test');
            assert.match(message, new RegExp(`^exported ${table.rowCount} rows? of ${table.def.name} \\(${table.columns.length} columns?\\) to `));
            // an empty JSON Lines file has no columns for DuckDB to read (e.g. the dns table of a capture without DNS)
            if (table.rowCount === 0 && format === 'jsonl') continue;
            await checkTable(connection, table, file, format);
          }
        }
      } finally {
        capture.close();
      }
    }
  } finally {
    connection.closeSync();
    rmSync(dir, { recursive: true });
  }
});
