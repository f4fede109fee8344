/** `explain COLUMN[=VALUE]` (like tawk -V) and `columns [TABLE]`, as materialised result tables. */
import { formatHex, isFlagType, type BitDef, type ColumnDef, type ColumnType } from '../schema/types.ts';
import { MemoryTable } from '../store/memoryTable.ts';
import type { Catalog, Column, Table } from '../store/table.ts';
import type { Value } from '../store/value.ts';
import type { ColumnsStatement, ExplainStatement } from './ast.ts';
import { didYouMean, QueryError } from './errors.ts';
import { findTable, guard } from './lookup.ts';
import type { QueryResult } from './result.ts';

function materialised(table: MemoryTable, title?: string): QueryResult {
  const rows = Int32Array.from({ length: table.rowCount }, (_, i) => i);
  return { table, columns: table.columns, rows, rowCount: rows.length, totalRows: rows.length, ...(title ? { title } : {}) };
}

/** the flag type to print bit values with: the column's own, or hex of its width */
function hexType(def: ColumnDef): ColumnType {
  if (isFlagType(def.type)) return def.type;
  switch (def.type) {
    case 'u8': return 'h8';
    case 'u16': return 'h16';
    case 'u32': return 'h32';
    default: return 'h64';
  }
}

function singleBit(value: bigint): number | null {
  if (value <= 0n || (value & (value - 1n)) !== 0n) return null;
  let bit = 0;
  while (value > 1n) { value >>= 1n; bit++; }
  return bit;
}

function explainable(catalog: Catalog): Column[] {
  return catalog.tables.flatMap((t) => t.columns.filter((c) => c.def.bits || c.def.valueNames));
}

export function explainColumn(statement: ExplainStatement, catalog: Catalog): QueryResult {
  return guard(statement.text, () => explain(statement, catalog));
}

function explain(statement: ExplainStatement, catalog: Catalog): QueryResult {
  const { text } = statement;
  const name = statement.column.name;
  const all = catalog.tables.flatMap((t) => t.columns);
  const column = explainable(catalog).find((c) => c.def.name === name);
  if (!column) {
    if (all.some((c) => c.def.name === name)) {
      throw QueryError.at(`${name} has no bit table or value names to explain`, text, statement.column.span);
    }
    const hint = didYouMean(name, explainable(catalog).map((c) => c.def.name)) || didYouMean(name, all.map((c) => c.def.name));
    throw QueryError.at(`unknown column '${name}'${hint}`, text, statement.column.span);
  }
  const def = column.def;
  let value: bigint | undefined;
  if (statement.value) {
    const literal = statement.value.literal;
    if (literal.type === 'number' && (typeof literal.value === 'bigint' || Number.isInteger(literal.value)) && literal.value >= 0) {
      value = BigInt(literal.value);
    } else if (literal.type === 'string' && def.valueNames) {
      const entry = Object.entries(def.valueNames).find(([, n]) => n.toLowerCase() === literal.value.toLowerCase());
      if (!entry) {
        throw QueryError.at(`'${literal.value}' is not a value name of ${name}${didYouMean(literal.value, Object.values(def.valueNames))}`,
          text, statement.value.span);
      }
      value = BigInt(entry[0]);
    } else {
      throw QueryError.at(`explain needs a non-negative integer value, e.g. explain ${name}=0x0003`, text, statement.value.span);
    }
  }
  return def.bits ? explainBits(def, def.bits, value) : explainNames(def, def.valueNames!, value);
}

function explainBits(def: ColumnDef, bits: readonly BitDef[], value: bigint | undefined): QueryResult {
  const type = hexType(def);
  const rows: { bit: number | null; value: bigint; name: string; description: string }[] = [];
  const known = bits.reduce((acc, b) => acc | BigInt(b.value), 0n);
  for (const b of bits) {
    const v = BigInt(b.value);
    // as tawk -V: rows whose bits overlap the value; a zero value matches only a row valued 0
    if (value === undefined || (value === 0n ? v === 0n : (v & value) !== 0n)) {
      rows.push({ bit: singleBit(v), value: v, name: b.name, description: b.description });
    }
  }
  if (value !== undefined) {
    for (let rest = value & ~known, bit = 0; rest !== 0n; rest >>= 1n, bit++) {
      if (rest & 1n) {
        rows.push({ bit, value: 1n << BigInt(bit), name: '?', description: `unknown bit: not in the ${def.name} bit table` });
      }
    }
    rows.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }
  const valueDef: ColumnDef = { name: def.name, type, description: `bit value of ${def.name}` };
  const table = new MemoryTable(
    {
      name: 'explain',
      description: `bits of ${def.name}`,
      columns: [
        { name: 'bit', type: 'u8', description: 'bit number' },
        valueDef,
        { name: 'name', type: 'str', description: 'bit name' },
        { name: 'description', type: 'str', description: 'meaning' },
      ],
    },
    {
      bit: rows.map((r) => r.bit),
      [def.name]: rows.map((r) => (type === 'h64' ? r.value : Number(r.value))),
      name: rows.map((r) => r.name),
      description: rows.map((r) => r.description),
    },
  );
  const title = value === undefined
    ? `The ${def.name} column has the following bits:`
    : `The ${def.name} column with value ${formatHex(value, type)} is to be interpreted as follows:`;
  return materialised(table, title);
}

function explainNames(def: ColumnDef, names: Readonly<Record<number, string>>, value: bigint | undefined): QueryResult {
  let entries: [number, string][] = Object.entries(names).map(([v, n]) => [Number(v), n]);
  entries.sort((a, b) => a[0] - b[0]);
  if (value !== undefined) {
    const wanted = Number(value);
    const match = entries.find(([v]) => v === wanted);
    entries = [[wanted, match ? match[1] : 'unknown']];
  }
  const table = new MemoryTable(
    {
      name: 'explain',
      description: `values of ${def.name}`,
      columns: [
        { name: def.name, type: isFlagType(def.type) ? def.type : 'u64', description: `value of ${def.name}` },
        { name: 'name', type: 'str', description: 'meaning' },
      ],
    },
    { [def.name]: entries.map(([v]) => v), name: entries.map(([, n]) => n) },
  );
  const title = value === undefined
    ? `The ${def.name} column has the following values:`
    : `The ${def.name} column with value ${value} is to be interpreted as follows:`;
  return materialised(table, title);
}

function typeText(def: ColumnDef): string {
  return def.repeated ? `R(${def.type})` : def.type;
}

export function listColumns(statement: ColumnsStatement, catalog: Catalog): QueryResult {
  return guard(statement.text, () => columnsOf(statement, catalog));
}

function columnsOf(statement: ColumnsStatement, catalog: Catalog): QueryResult {
  const tables: readonly Table[] = statement.table
    ? [findTable(catalog, statement.table.name, statement.table.span, statement.text)]
    : catalog.tables;
  const rows: Record<string, Value>[] = tables.flatMap((t) =>
    t.def.columns.map((c) => ({ table: t.def.name, name: c.name, type: typeText(c), description: c.description })));
  const table = MemoryTable.fromRows(
    {
      name: 'columns',
      description: 'columns of the loaded tables',
      columns: [
        { name: 'table', type: 'str', description: 'table name' },
        { name: 'name', type: 'str', description: 'column name' },
        { name: 'type', type: 'str', description: 'column type; R(..) holds a list' },
        { name: 'description', type: 'str', description: 'meaning' },
      ],
    },
    rows,
  );
  return materialised(table);
}
