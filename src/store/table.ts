import type { ColumnDef, TableDef } from '../schema/types.ts';
import type { Value } from './value.ts';

/**
 * A column of a loaded table. `get` serves the general query path; numeric columns also expose their
 * backing typed array (`numbers`) so compiled predicates can read it directly without boxing.
 */
export interface Column {
  readonly def: ColumnDef;
  /** present for plain numeric and flag columns up to 32 bits (and f64 columns): row -> value */
  readonly numbers?: ArrayLike<number>;
  /** present for 64-bit flag columns */
  readonly bigints?: ArrayLike<bigint>;
  /** the value as the query engine compares it */
  get(row: number): Value;
  /** display text: hex for flags, exact timestamps, escaped strings (never raw control bytes) */
  text(row: number): string;
  /** a JSON literal: numbers and flags as numbers, timestamps without loss of precision */
  json(row: number): string;
}

export interface Table {
  readonly def: TableDef;
  readonly rowCount: number;
  column(name: string): Column | undefined;
  readonly columns: readonly Column[];
}

/** All tables of a loaded capture, by name (`flows`, `packets`, later `ftp`, `files`, ...). */
export interface Catalog {
  table(name: string): Table | undefined;
  readonly tables: readonly Table[];
}
