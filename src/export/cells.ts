/**
 * What an exported cell holds, decided once per column from its declared type (never per table):
 * the same mapping serves CSV, TSV, JSON Lines and Parquet, so every table exports the same way.
 *
 *   u8 u16 h8 h16              int32      integers (flags too: bit tests work in every engine)
 *   u32 u64 i64 h32 h64        int64      h64 keeps its 64 bits: bit 63 set reads as negative
 *   f64 seconds                double     durations in seconds
 *   time                       timestamp  UTC instant (text: ISO 8601 with the column's digits)
 *   ip mac str char            string
 *   bool                       boolean
 *   repeated (any of these)    a list of them
 */
import type { ColumnDef, ColumnType } from '../schema/types.ts';
import { TimeColumn } from '../store/columns.ts';
import type { Column } from '../store/table.ts';
import type { Value } from '../store/value.ts';

export type CellKind = 'int32' | 'int64' | 'double' | 'timestamp' | 'string' | 'boolean';

const KIND_OF: Readonly<Record<ColumnType, CellKind>> = {
  u8: 'int32', u16: 'int32', h8: 'int32', h16: 'int32',
  u32: 'int64', u64: 'int64', i64: 'int64', h32: 'int64', h64: 'int64',
  f64: 'double', seconds: 'double',
  time: 'timestamp',
  ip: 'string', mac: 'string', str: 'string', char: 'string',
  bool: 'boolean',
};

export function cellKind(def: ColumnDef): CellKind {
  return KIND_OF[def.type];
}

/** an exact instant: whole seconds, nanoseconds, and the decimals the column shows */
export interface Instant {
  readonly sec: number;
  readonly nsec: number;
  readonly digits: number;
}

/** one scalar cell; `null` is no value */
export type Scalar = number | bigint | string | boolean | Instant | null;
export type Cell = Scalar | readonly Scalar[];

/** Reads a column's cells as export values (one reader per column, built once). */
export interface CellReader {
  readonly name: string;
  readonly kind: CellKind;
  readonly repeated: boolean;
  cell(row: number): Cell;
}

/** Bytes that were not valid UTF-8 are held as lone surrogates U+DC80..U+DCFF; files get them as \xHH, as the shell shows them. */
const LONE_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/g;

export function exportString(text: string): string {
  return text.replace(LONE_BYTE, (c) => '\\x' + (c.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0'));
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function toScalar(v: Value, kind: CellKind, digits: number): Scalar {
  if (v === null || Array.isArray(v)) return null;
  switch (kind) {
    case 'int32':
      return typeof v === 'number' ? (Number.isFinite(v) ? Math.trunc(v) : null) : typeof v === 'bigint' ? Number(v) : null;
    case 'int64': {
      if (typeof v === 'bigint') return v >= INT64_MIN && v <= UINT64_MAX ? BigInt.asIntN(64, v) : null;
      return typeof v === 'number' && Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : null;
    }
    case 'double':
      return typeof v === 'number' ? (Number.isNaN(v) ? null : v) : typeof v === 'bigint' ? Number(v) : null;
    case 'timestamp': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return null;
      // seconds as a double: exact to the microsecond at today's epoch values, not beyond
      const sec = Math.floor(v);
      const micros = Math.round((v - sec) * 1e6);
      return micros === 1_000_000 ? { sec: sec + 1, nsec: 0, digits } : { sec, nsec: micros * 1000, digits };
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : null;
    case 'string':
      return exportString(String(v));
  }
}

/** times held as doubles (aggregates, the FTP tables) are exact to the microsecond */
const FLOAT_TIME_DIGITS = 6;

export function cellReader(column: Column): CellReader {
  const def = column.def;
  const kind = cellKind(def);
  const base = { name: def.name, kind, repeated: def.repeated === true };
  if (column instanceof TimeColumn && !def.repeated) {
    // exact seconds and nanoseconds, not the double `get` returns
    const { sec, nsec, digits } = column;
    return { ...base, cell: (row) => ({ sec: sec[row]!, nsec: nsec[row]!, digits }) };
  }
  const digits = FLOAT_TIME_DIGITS;
  if (def.repeated) {
    return {
      ...base,
      cell: (row) => {
        const v = column.get(row);
        if (v === null) return null;
        return Array.isArray(v) ? v.map((item) => toScalar(item, kind, digits)) : [toScalar(v, kind, digits)];
      },
    };
  }
  return { ...base, cell: (row) => toScalar(column.get(row), kind, digits) };
}

/** ISO 8601 in UTC with the instant's digits: 2024-03-14T16:26:53.806142890Z */
export function isoTime(t: Instant): string {
  const whole = new Date(t.sec * 1000).toISOString().slice(0, -5);
  return t.digits > 0 ? `${whole}.${String(t.nsec).padStart(9, '0').slice(0, t.digits)}Z` : `${whole}Z`;
}

/** microseconds since the epoch (Parquet TIMESTAMP(MICROS)): sub-microsecond digits are cut, like a microsecond pcap */
export function epochMicros(t: Instant): bigint {
  return BigInt(t.sec) * 1_000_000n + BigInt(Math.floor(t.nsec / 1000));
}
