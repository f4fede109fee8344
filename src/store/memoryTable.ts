/**
 * A small Table built from plain JS arrays and ColumnDefs: for query results that are computed
 * rather than loaded (aggregates, `explain`, `columns`) and for test fixtures. Not for captures:
 * the flow store has its own compact columns.
 */
import { formatHex, isFlagType, type ColumnDef, type ColumnType, type TableDef } from '../schema/types.ts';
import type { Catalog, Column, Table } from './table.ts';
import { IpAddr, type Value } from './value.ts';
import { escapeText } from '../output/escape.ts';

/** a column's cells; `undefined` and `null` are both "no value" */
export type ColumnData = readonly (Value | undefined)[];

const NUMBER_TYPES: ReadonlySet<ColumnType> = new Set([
  'u8', 'u16', 'u32', 'h8', 'h16', 'h32', 'f64', 'time', 'seconds', 'u64', 'i64',
]);

/** up to 6 decimals, trailing zeros dropped (averages would otherwise print 17 digits) */
function formatFloat(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return v.toFixed(6).replace(/\.?0+$/, '');
}

/** text of one scalar value of a column of type `type` */
export function formatValue(value: Value | undefined, type: ColumnType): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => formatValue(v, type)).join(';');
  if (value instanceof IpAddr) return value.toString();
  if (typeof value === 'bigint') return isFlagType(type) ? formatHex(value, type) : value.toString();
  if (typeof value === 'number') {
    if (isFlagType(type)) return formatHex(value, type);
    if (type === 'time' || type === 'seconds') return value.toFixed(6);
    return type === 'f64' ? formatFloat(value) : String(value);
  }
  if (typeof value === 'string') return escapeText(type === 'mac' ? value.toLowerCase() : value);
  return String(value);
}

/** a JSON literal: numbers stay numbers (bigints as exact digits), addresses and text as strings */
export function jsonValue(value: Value | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return '[' + value.map(jsonValue).join(',') + ']';
  if (value instanceof IpAddr) return JSON.stringify(value.toString());
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value);
}

function normaliseScalar(value: Value | undefined, def: ColumnDef): Value {
  if (value === undefined || value === null) return null;
  if (def.type === 'ip' && typeof value === 'string') {
    const addr = IpAddr.parse(value);
    if (addr === undefined) throw new Error(`column ${def.name}: '${value}' is not an IP address`);
    return addr;
  }
  if (def.type === 'mac' && typeof value === 'string') return value.toLowerCase();
  return value;
}

/** The smallest typed array holding these integers exactly (none when some are not integers in u32/i32 range). */
function integerArray(min: number, max: number, n: number): Uint8Array | Uint16Array | Uint32Array | Int32Array | undefined {
  if (min >= 0 && max <= 0xff) return new Uint8Array(n);
  if (min >= 0 && max <= 0xffff) return new Uint16Array(n);
  if (min >= 0 && max <= 0xffffffff) return new Uint32Array(n);
  if (min >= -0x80000000 && max <= 0x7fffffff) return new Int32Array(n);
  return undefined;
}

class ArrayColumn implements Column {
  readonly numbers?: ArrayLike<number>;
  readonly bigints?: BigUint64Array | BigInt64Array;
  private readonly values?: readonly Value[];
  /** rows with a value, ascending, when most rows have none (values then holds only theirs) */
  private readonly valueRows?: Int32Array;
  private readonly missing?: Uint8Array;

  constructor(readonly def: ColumnDef, data: ColumnData) {
    const n = data.length;
    if (!def.repeated && def.type === 'h64') {
      const bigints = new BigUint64Array(n);
      let missing: Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if (v === null || v === undefined) (missing ??= new Uint8Array(n))[i] = 1;
        else if (v !== 0 && v !== 0n) bigints[i] = BigInt.asUintN(64, BigInt(v as number | bigint));
      }
      this.bigints = bigints;
      this.missing = missing;
      return;
    }
    if (!def.repeated && NUMBER_TYPES.has(def.type)) {
      const numbers = ArrayColumn.numbersOf(data, def.type === 'f64');
      if (numbers) { this.numbers = numbers; return; }
    }
    if (!def.repeated && (def.type === 'u64' || def.type === 'i64')) {
      const bigints = def.type === 'u64' ? new BigUint64Array(n) : new BigInt64Array(n);
      let missing: Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if (v === null || v === undefined) (missing ??= new Uint8Array(n))[i] = 1;
        else bigints[i] = BigInt(v as number | bigint);
      }
      this.bigints = bigints;
      this.missing = missing;
      return;
    }
    const normalise = (v: Value | undefined): Value =>
      def.repeated ? (Array.isArray(v) ? v.map((item) => normaliseScalar(item, def)) : v === undefined ? null : normaliseScalar(v, def))
        : normaliseScalar(v, def);
    let present = 0;
    for (let i = 0; i < n; i++) if (data[i] !== null && data[i] !== undefined) present++;
    if (present * 2 < n) {
      // mostly empty (a protocol's columns on the flows of other protocols): keep only the rows with values
      const rows = new Int32Array(present), values: Value[] = [];
      for (let i = 0, k = 0; i < n; i++) {
        const v = data[i];
        if (v === null || v === undefined) continue;
        rows[k++] = i;
        values.push(normalise(v));
      }
      this.valueRows = rows;
      this.values = values;
    } else {
      this.values = data.map(normalise);
    }
  }

  /**
   * The numbers in the smallest exact typed array: integers in u8..u32/i32, else Float64Array with
   * NaN for no value; undefined when some value is not a number (or a bigint beyond 2^53).
   */
  private static numbersOf(data: ColumnData, float: boolean): ArrayLike<number> | undefined {
    const n = data.length;
    let min = 0, max = 0, integers = !float, hasNull = false;
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v === null || v === undefined) { hasNull = true; continue; }
      let x: number;
      if (typeof v === 'number') x = v;
      else if (typeof v === 'bigint' && v <= SAFE_MAX && v >= SAFE_MIN) x = Number(v);
      else return undefined;
      if (integers && !Number.isInteger(x)) integers = false;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const out = integers && !hasNull ? (integerArray(min, max, n) ?? new Float64Array(n)) : new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = data[i];
      out[i] = v === null || v === undefined ? NaN : Number(v);
    }
    return out;
  }

  get(row: number): Value {
    if (this.numbers) {
      const v = this.numbers[row]!;
      return Number.isNaN(v) && this.def.type !== 'f64' ? null : v;
    }
    if (this.bigints) return this.missing?.[row] ? null : this.bigints[row]!;
    if (this.valueRows) {
      const rows = this.valueRows;
      let lo = 0, hi = rows.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rows[mid]! < row) lo = mid + 1; else hi = mid;
      }
      return lo < rows.length && rows[lo] === row ? this.values![lo] ?? null : null;
    }
    return this.values![row] ?? null;
  }

  text(row: number): string {
    return formatValue(this.get(row), this.def.type);
  }

  json(row: number): string {
    return jsonValue(this.get(row));
  }
}

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER), SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);

export function memoryColumn(def: ColumnDef, data: ColumnData): Column {
  return new ArrayColumn(def, data);
}

export class MemoryTable implements Table {
  readonly columns: readonly Column[];
  readonly rowCount: number;
  private readonly byName: ReadonlyMap<string, Column>;

  /** `data` holds one array per column of `def`, all of the same length (missing arrays: all null) */
  constructor(readonly def: TableDef, data: Readonly<Record<string, ColumnData>>) {
    const lengths = Object.values(data).map((d) => d.length);
    this.rowCount = lengths.length ? Math.max(...lengths) : 0;
    if (lengths.some((l) => l !== this.rowCount)) throw new Error(`table ${def.name}: columns of unequal length`);
    const empty: ColumnData = new Array<undefined>(this.rowCount).fill(undefined);
    this.columns = def.columns.map((c) => new ArrayColumn(c, data[c.name] ?? empty));
    this.byName = new Map(this.columns.map((c) => [c.def.name, c]));
  }

  static fromRows(def: TableDef, rows: readonly Readonly<Record<string, Value | undefined>>[]): MemoryTable {
    const data: Record<string, (Value | undefined)[]> = {};
    for (const c of def.columns) data[c.name] = rows.map((r) => r[c.name]);
    return new MemoryTable(def, data);
  }

  column(name: string): Column | undefined {
    return this.byName.get(name);
  }
}

export class MemoryCatalog implements Catalog {
  constructor(readonly tables: readonly Table[]) {}

  table(name: string): Table | undefined {
    return this.tables.find((t) => t.def.name === name);
  }
}
