/**
 * Typed row comparators, radix sort keys and top-N selection. Comparators read typed arrays (or
 * 32-bit word views of 64-bit columns) directly; ties are broken by row index so the order is
 * total and a top-N selection returns exactly the first N rows of the full sort. A sort whose keys
 * are all numeric runs as a radix sort over key words (steps.ts) in the comparators' exact order.
 */
import type { Column } from '../store/table.ts';
import { numbersOf, wordsOf } from './predicates.ts';
import { sortOrder } from './values.ts';

export interface SortKey {
  readonly column: Column;
  readonly descending: boolean;
}

export type RowComparator = (a: number, b: number) => number;

/** Orders rows by one column; values missing (null, NaN) go last in both directions. */
export function columnComparator(column: Column, descending: boolean): RowComparator {
  const dir = descending ? -1 : 1;
  const a = numbersOf(column);
  if (a) {
    return (x, y) => {
      const u = a[x]!, v = a[y]!;
      if (u < v) return -dir;
      if (u > v) return dir;
      if (u === v) return 0;
      return (u !== u ? 1 : 0) - (v !== v ? 1 : 0);
    };
  }
  const w = wordsOf(column);
  if (w) {
    const signed = column.bigints instanceof BigInt64Array;
    return (x, y) => {
      const uh = signed ? w[2 * x + 1]! | 0 : w[2 * x + 1]!, vh = signed ? w[2 * y + 1]! | 0 : w[2 * y + 1]!;
      if (uh !== vh) return uh < vh ? -dir : dir;
      const ul = w[2 * x]!, vl = w[2 * y]!;
      return ul < vl ? -dir : ul > vl ? dir : 0;
    };
  }
  return (x, y) => {
    const u = column.get(x), v = column.get(y);
    if (u === null || v === null) return (u === null ? 1 : 0) - (v === null ? 1 : 0);
    return dir * sortOrder(u, v);
  };
}

/** Lexicographic over the keys, then by row index. */
export function combineComparators(keys: readonly RowComparator[]): RowComparator {
  if (keys.length === 1) {
    const k = keys[0]!;
    return (x, y) => k(x, y) || x - y;
  }
  return (x, y) => {
    for (let i = 0; i < keys.length; i++) {
      const order = keys[i]!(x, y);
      if (order !== 0) return order;
    }
    return x - y;
  };
}

/**
 * Keeps the `limit` smallest rows under `compare` in a max-heap (the worst kept row at the root):
 * O(rows log limit) instead of sorting every matching row.
 */
export class TopN {
  private readonly heap: Int32Array;
  private size = 0;

  constructor(private readonly limit: number, private readonly compare: RowComparator) {
    this.heap = new Int32Array(limit);
  }

  offer(row: number): void {
    const heap = this.heap, compare = this.compare;
    if (this.size < this.limit) {
      let i = this.size++;
      heap[i] = row;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (compare(heap[parent]!, row) >= 0) break;
        heap[i] = heap[parent]!;
        i = parent;
      }
      heap[i] = row;
      return;
    }
    if (this.limit === 0 || compare(row, heap[0]!) >= 0) return;
    // replace the root and sift down
    let i = 0;
    const n = this.size;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const larger = right < n && compare(heap[right]!, heap[left]!) > 0 ? right : left;
      if (compare(heap[larger]!, row) <= 0) break;
      heap[i] = heap[larger]!;
      i = larger;
    }
    heap[i] = row;
  }

  /** the kept rows, best first */
  sorted(): Int32Array {
    return this.heap.slice(0, this.size).sort(this.compare);
  }
}

const FLOAT = new Float64Array(1);
const FLOAT_WORDS = new Uint32Array(FLOAT.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ALL_ONES = 0xffffffff;

/**
 * The key of `rows[0..count)` as unsigned 32-bit words, most significant first, each indexed by
 * position in `rows`, whose ascending order is exactly columnComparator's order: one word for
 * integer arrays up to 32 bits, two for floats and 64-bit columns. A float's IEEE bits are made
 * order-preserving (sign bit flipped, negatives inverted, -0 read as 0); NaN (no value) becomes
 * all ones after the direction is applied, so it is last either way. Undefined for other columns.
 */
export function radixKeyWords(key: SortKey, rows: Int32Array, count: number): Uint32Array[] | undefined {
  const { column } = key;
  const flip = key.descending ? ALL_ONES : 0;
  const a = numbersOf(column);
  if (a) {
    const unsigned = a instanceof Uint8Array || a instanceof Uint8ClampedArray || a instanceof Uint16Array || a instanceof Uint32Array;
    if (unsigned || a instanceof Int8Array || a instanceof Int16Array || a instanceof Int32Array) {
      const bias = unsigned ? flip : 0x80000000 ^ flip;
      const lo = new Uint32Array(count);
      for (let i = 0; i < count; i++) lo[i] = a[rows[i]!]! ^ bias;
      return [lo];
    }
    if (!LITTLE_ENDIAN) return undefined;
    const hi = new Uint32Array(count), lo = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const v = a[rows[i]!]!;
      if (v !== v) { hi[i] = ALL_ONES; lo[i] = ALL_ONES; continue; }
      FLOAT[0] = v === 0 ? 0 : v;
      const h = FLOAT_WORDS[1]!, l = FLOAT_WORDS[0]!;
      if (h >= 0x80000000) { hi[i] = ~h ^ flip; lo[i] = ~l ^ flip; } else { hi[i] = (h | 0x80000000) ^ flip; lo[i] = l ^ flip; }
    }
    return [hi, lo];
  }
  const w = wordsOf(column);
  if (w) {
    const bias = column.bigints instanceof BigInt64Array ? 0x80000000 ^ flip : flip;
    const hi = new Uint32Array(count), lo = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      hi[i] = w[2 * r + 1]! ^ bias;
      lo[i] = w[2 * r]! ^ flip;
    }
    return [hi, lo];
  }
  return undefined;
}

/** every key's words in key order (see radixKeyWords), or undefined if some key is not numeric */
export function radixWords(keys: readonly SortKey[], rows: Int32Array, count: number): Uint32Array[] | undefined {
  const words: Uint32Array[] = [];
  for (const key of keys) {
    if (numbersOf(key.column) === undefined && wordsOf(key.column) === undefined) return undefined;
  }
  for (const key of keys) {
    const w = radixKeyWords(key, rows, count);
    if (!w) return undefined;
    words.push(...w);
  }
  return words;
}
