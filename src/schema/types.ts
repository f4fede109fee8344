/**
 * One declaration per column, read by the query compiler, the table headers, `columns`,
 * `explain`, completion and help. Analyzers export arrays of these; nothing else restates them.
 */
export type ColumnType =
  | 'u8' | 'u16' | 'u32' | 'u64' | 'i64' | 'f64' // plain numbers
  | 'h8' | 'h16' | 'h32' | 'h64' // flag columns, shown in hex, bit tables in `bits`
  | 'time' // absolute timestamp, seconds since the epoch, printed with the capture's precision
  | 'seconds' // a duration or time difference in seconds
  | 'ip' // IPv4 or IPv6 address
  | 'mac' // Ethernet address
  | 'str' // text (escaped before it reaches a terminal)
  | 'char' // one letter, e.g. dir A/B
  | 'bool';

export interface BitDef {
  /** the bit's mask, e.g. 0x0001 (bigint for 64-bit columns) */
  readonly value: number | bigint;
  /** short identifier, usable in queries and completion (e.g. `FTP_INIT`) */
  readonly name: string;
  /** one-line meaning, as `explain` prints it */
  readonly description: string;
  /** how much attention the bit deserves, for colouring and teaching */
  readonly level?: 'info' | 'warning' | 'error';
}

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /** one line, shown by `columns`, `help COLUMN` and completion */
  readonly description: string;
  /** the column holds a list of values (Tranalyzer's R(..)); a predicate is true if any item matches */
  readonly repeated?: boolean;
  /** bit table for flag columns */
  readonly bits?: readonly BitDef[];
  /** names of enumerated values, e.g. l4Proto 6 -> tcp */
  readonly valueNames?: Readonly<Record<number, string>>;
  /** where Tranalyzer has this column under the same name; absent for flowsh additions */
  readonly tranalyzer?: boolean;
}

export interface TableDef {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnDef[];
}

export function bitWidth(type: ColumnType): number {
  switch (type) {
    case 'h8': case 'u8': return 8;
    case 'h16': case 'u16': return 16;
    case 'h32': case 'u32': return 32;
    default: return 64;
  }
}

export function isFlagType(type: ColumnType): boolean {
  return type === 'h8' || type === 'h16' || type === 'h32' || type === 'h64';
}

/** Hex text as Tranalyzer prints flags: lower case, zero padded to the type's width. */
export function formatHex(value: number | bigint, type: ColumnType): string {
  const digits = bitWidth(type) / 4;
  const v = typeof value === 'bigint' ? value : BigInt(value >>> 0 === value ? value : Math.trunc(value));
  return '0x' + v.toString(16).padStart(digits, '0');
}
