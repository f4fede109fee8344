/**
 * Building blocks for compiled row predicates. Each returns a closure over a column's storage:
 * typed arrays are read directly, 64-bit flag columns through a 32-bit word view (reading a
 * BigUint64Array element would allocate a BigInt per row), other columns through Column.get.
 *
 * Hot predicates also get a RowFilter: the same test as a loop over a selection vector. Queries run
 * through filters, so the per-row work happens inside one leaf's loop rather than through calls
 * from shared code (which V8 stops inlining once different queries have passed through it).
 */
import type { ColumnDef } from '../schema/types.ts';
import type { Column } from '../store/table.ts';
import { IpAddr, type Value } from '../store/value.ts';

export type RowPredicate = (row: number) => boolean;

/**
 * Keeps the rows of `rows[0..count)` that pass, compacted in place in their order, and returns
 * how many remain. Selection vectors are always in ascending row order.
 */
export type RowFilter = (rows: Int32Array, count: number) => number;

const filters = new WeakMap<RowPredicate, RowFilter>();

/** Registers the loop form of a predicate (same result, no call per row). */
export function withFilter(test: RowPredicate, filter: RowFilter): RowPredicate {
  filters.set(test, filter);
  return test;
}

/** The predicate's registered loop, or a loop calling it per row. */
export function filterOf(test: RowPredicate): RowFilter {
  return filters.get(test) ?? ((rows, count) => {
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      if (test(r)) rows[kept++] = r;
    }
    return kept;
  });
}

/** `rows` minus `remove` (a subset; both ascending), in place in `rows`; returns the new count. */
export function subtractRows(rows: Int32Array, count: number, remove: Int32Array, removeCount: number): number {
  let kept = 0, j = 0;
  for (let i = 0; i < count; i++) {
    const r = rows[i]!;
    if (j < removeCount && remove[j] === r) { j++; continue; }
    rows[kept++] = r;
  }
  return kept;
}

/** the ascending union of two disjoint ascending selections */
export function unionRows(a: Int32Array, aCount: number, b: Int32Array, bCount: number): Int32Array {
  const out = new Int32Array(aCount + bCount);
  let i = 0, j = 0, k = 0;
  while (i < aCount && j < bCount) out[k++] = a[i]! < b[j]! ? a[i++]! : b[j++]!;
  while (i < aCount) out[k++] = a[i++]!;
  while (j < bCount) out[k++] = b[j++]!;
  return out;
}

export const alwaysTrue: RowPredicate = withFilter(() => true, (_rows, count) => count);
export const alwaysFalse: RowPredicate = withFilter(() => false, () => 0);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

/** Word view of a 64-bit column: row r has its low word at 2r and high word at 2r+1. */
export function wordsOf(column: Column): Uint32Array | undefined {
  const b = column.bigints;
  if (!LITTLE_ENDIAN || column.def.repeated) return undefined;
  if (b instanceof BigUint64Array || b instanceof BigInt64Array) return new Uint32Array(b.buffer, b.byteOffset, b.length * 2);
  return undefined;
}

/** the column's plain typed numbers, unless it is a list column */
export function numbersOf(column: Column): ArrayLike<number> | undefined {
  return column.def.repeated ? undefined : column.numbers;
}

export function low32(value: bigint): number {
  return Number(BigInt.asUintN(32, value));
}

export function high32(value: bigint): number {
  return Number(BigInt.asUintN(32, value >> 32n));
}

/** number | bigint | boolean -> bigint, or undefined for non-integers and other values */
export function toBigInt(value: Value): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  return undefined;
}

/** Calls `test` on the value, or on each item of a list value (true if any item passes). */
export function anyItem(value: Value, test: (item: Value) => boolean): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (test(value[i]!)) return true;
    return false;
  }
  return test(value);
}

/** A predicate over `column.get`, applying `test` to each item of list columns. */
export function valuePredicate(column: Column, test: (value: Value) => boolean): RowPredicate {
  if (column.def.repeated) return (row) => anyItem(column.get(row), test);
  return (row) => test(column.get(row));
}

export type MaskMode = 'any' | 'eq' | 'ne';

/**
 * (x & mask) != 0 ('any'), (x & mask) == expected ('eq') or != expected ('ne') for an integer
 * column: bitsanyset, bitsallset (eq with expected = mask), tcpflags, `col & m == v`.
 */
export function maskedPredicate(column: Column, mask: bigint, mode: MaskMode, expected = 0n): RowPredicate {
  mask = BigInt.asUintN(64, mask);
  expected = BigInt.asUintN(64, expected);
  if (mode !== 'any' && (expected & ~mask) !== 0n) return mode === 'eq' ? alwaysFalse : alwaysTrue;
  const mLo = low32(mask) | 0, mHi = high32(mask) | 0;
  const eLo = low32(expected) | 0, eHi = high32(expected) | 0;
  const words = wordsOf(column);
  if (words) {
    const w = words;
    if (mode === 'any') {
      return withFilter((r) => ((w[2 * r]! & mLo) | (w[2 * r + 1]! & mHi)) !== 0, (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (((w[2 * r]! & mLo) | (w[2 * r + 1]! & mHi)) !== 0) rows[kept++] = r;
        }
        return kept;
      });
    }
    const want = mode === 'eq';
    return withFilter((r) => ((w[2 * r]! & mLo) === eLo && (w[2 * r + 1]! & mHi) === eHi) === want, (rows, count) => {
      let kept = 0;
      for (let i = 0; i < count; i++) {
        const r = rows[i]!;
        if (((w[2 * r]! & mLo) === eLo && (w[2 * r + 1]! & mHi) === eHi) === want) rows[kept++] = r;
      }
      return kept;
    });
  }
  const a = numbersOf(column);
  if (a && mHi === 0) {
    // `&` takes the low 32 bits of the (integer) number exactly; NaN (no value) gives 0
    if (mode === 'any') {
      return withFilter((r) => (a[r]! & mLo) !== 0, (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if ((a[r]! & mLo) !== 0) rows[kept++] = r;
        }
        return kept;
      });
    }
    const want = mode === 'eq';
    return withFilter((r) => ((a[r]! & mLo) === eLo) === want, (rows, count) => {
      let kept = 0;
      for (let i = 0; i < count; i++) {
        const r = rows[i]!;
        if (((a[r]! & mLo) === eLo) === want) rows[kept++] = r;
      }
      return kept;
    });
  }
  if (a) {
    const high = (v: number): number => (v / TWO_32) >>> 0;
    if (mode === 'any') return (r) => ((a[r]! & mLo) | (high(a[r]!) & mHi)) !== 0;
    if (mode === 'eq') return (r) => (a[r]! & mLo) === eLo && (high(a[r]!) & mHi) === eHi;
    return (r) => (a[r]! & mLo) !== eLo || (high(a[r]!) & mHi) !== eHi;
  }
  const test = (value: Value): boolean => {
    const x = toBigInt(value);
    if (x === undefined) return false;
    const masked = BigInt.asUintN(64, x) & mask;
    return mode === 'any' ? masked !== 0n : mode === 'eq' ? masked === expected : masked !== expected;
  };
  return valuePredicate(column, test);
}

/** Inclusive integer ranges [lo0, hi0, lo1, hi1, ...], e.g. from a port or flow spec. */
export type Ranges = readonly number[];

export function inRanges(value: number, ranges: ArrayLike<number>): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (value >= ranges[i]! && value <= ranges[i + 1]!) return true;
  return false;
}

/** A lookup table when all ranges fit in 16 bits (ports, protocols), else a range scan. */
export function rangeTester(ranges: Ranges): (value: number) => boolean {
  const max = Math.max(...ranges.filter((_, i) => i % 2 === 1));
  if (max <= 0xffff && ranges.every((v) => v >= 0)) {
    const table = new Uint8Array(max + 1);
    for (let i = 0; i < ranges.length; i += 2) table.fill(1, ranges[i]!, ranges[i + 1]! + 1);
    return (v) => table[v] === 1;
  }
  const copy = Float64Array.from(ranges);
  return (v) => inRanges(v, copy);
}

/** true if any of the columns' values is in `ranges` (port(): srcPort or dstPort) */
export function rangesPredicate(columns: readonly Column[], ranges: Ranges): RowPredicate {
  const max = Math.max(...ranges.filter((_, i) => i % 2 === 1));
  const arrays = columns.map(numbersOf);
  if (max <= 0xffff && ranges.every((v) => v >= 0) && arrays.every((a) => a !== undefined)) {
    const table = new Uint8Array(65536);
    for (let i = 0; i < ranges.length; i += 2) table.fill(1, ranges[i]!, ranges[i + 1]! + 1);
    const [a, b] = arrays as [ArrayLike<number>, ArrayLike<number> | undefined];
    if (b === undefined) {
      return withFilter((r) => table[a[r]!] === 1, (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (table[a[r]!] === 1) rows[kept++] = r;
        }
        return kept;
      });
    }
    return withFilter((r) => table[a[r]!] === 1 || table[b[r]!] === 1, (rows, count) => {
      let kept = 0;
      for (let i = 0; i < count; i++) {
        const r = rows[i]!;
        if (table[a[r]!] === 1 || table[b[r]!] === 1) rows[kept++] = r;
      }
      return kept;
    });
  }
  const tester = rangeTester(ranges);
  const itemTest = (v: Value): boolean => {
    const n = typeof v === 'bigint' ? Number(v) : v;
    return typeof n === 'number' && tester(n);
  };
  const predicates = columns.map((c, i) => {
    const a = arrays[i];
    return a ? (r: number) => tester(a[r]!) : valuePredicate(c, itemTest);
  });
  if (predicates.length === 1) return predicates[0]!;
  const [p, q] = predicates;
  return (r) => p!(r) || q!(r);
}

/** an address literal or a prefix (bits = undefined for a single address) */
export interface AddressMatch {
  readonly address: IpAddr;
  readonly bits?: number;
}

/** an address or prefix written as a string: "192.0.2.1", "2001:db8::/32" */
export function parseAddressText(text: string): AddressMatch | undefined {
  const slash = text.indexOf('/');
  const address = IpAddr.parse(slash < 0 ? text : text.slice(0, slash));
  if (!address) return undefined;
  if (slash < 0) return { address };
  const bits = Number(text.slice(slash + 1));
  if (!/^\d{1,3}$/.test(text.slice(slash + 1)) || bits > (address.isV6 ? 128 : 32)) return undefined;
  return { address, bits };
}

export function addressMatches(value: Value, match: AddressMatch): boolean {
  if (!(value instanceof IpAddr)) return false;
  return match.bits === undefined ? value.equals(match.address) : value.inPrefix(match.address, match.bits);
}

/** host(), shost(), dhost(): any of the columns equals the address or lies in the prefix */
export function addressPredicate(columns: readonly Column[], match: AddressMatch): RowPredicate {
  const test = (v: Value): boolean => addressMatches(v, match);
  const predicates = columns.map((c) => valuePredicate(c, test));
  if (predicates.length === 1) return predicates[0]!;
  const [p, q] = predicates;
  return (r) => p!(r) || q!(r);
}

/** Text of a value for substring and regex tests: strings as they are, other values as displayed. */
export function textTester(def: ColumnDef, test: (text: string) => boolean): (value: Value) => boolean {
  return (value) => {
    if (value === null) return false;
    if (typeof value === 'string') return test(def.type === 'mac' ? value.toLowerCase() : value);
    return test(value instanceof IpAddr ? value.toString() : String(value));
  };
}

/** A predicate testing text: strings directly, other columns through their display text. */
export function textPredicate(column: Column, test: (text: string) => boolean): RowPredicate {
  const type = column.def.type;
  if (type === 'str' || type === 'char' || type === 'mac' || type === 'ip' || column.def.repeated) {
    return valuePredicate(column, textTester(column.def, test));
  }
  return (row) => test(column.text(row));
}
