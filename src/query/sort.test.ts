import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TableDef } from '../schema/types.ts';
import { MemoryCatalog, MemoryTable } from '../store/memoryTable.ts';
import { IpAddr, type Value } from '../store/value.ts';
import { compileQuery, parseStatement, type QueryStatement } from './index.ts';
import { columnComparator, combineComparators, TopN } from './sort.ts';
import { radixSortSteps } from './steps.ts';

/** deterministic pseudo-random numbers (mulberry32) */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEF: TableDef = {
  name: 'rows',
  description: 'random rows',
  columns: [
    { name: 'port', type: 'u16', description: 'few distinct values: many ties' },
    { name: 'stat', type: 'h64', description: '64-bit flags' },
    { name: 'addr', type: 'ip', description: 'IPv4 and IPv6' },
    { name: 'label', type: 'str', description: 'text' },
    { name: 'ratio', type: 'f64', description: 'floats, some missing' },
  ],
};

interface Row { port: number; stat: bigint; addr: IpAddr; label: string; ratio: number | null }

const next = random(42);
const pick = (n: number) => Math.floor(next() * n);
const ROWS: Row[] = Array.from({ length: 3000 }, () => ({
  port: [21, 22, 53, 80, 443][pick(5)]!,
  stat: (BigInt(pick(16)) << 60n) | BigInt(pick(4)),
  addr: next() < 0.5 ? IpAddr.fromV4(0xc0000200 | pick(8)) : IpAddr.fromV6Words(0x20010db8, 0, 0, pick(8)),
  label: ['alpha', 'Beta', 'beta', 'gamma', ''][pick(5)]!,
  ratio: next() < 0.1 ? null : Math.round(next() * 100) / 10,
}));
const table = MemoryTable.fromRows(DEF, ROWS as unknown as Record<string, Value>[]);
const catalog = new MemoryCatalog([table]);

/** the reference order, written independently of the engine */
function referenceCompare(key: keyof Row, a: Row, b: Row): number {
  const x = a[key], y = b[key];
  if (x === null || y === null) return 0; // handled by the caller (nulls last)
  if (x instanceof IpAddr && y instanceof IpAddr) {
    if (x.isV6 !== y.isV6) return x.isV6 ? 1 : -1;
    return x.compare(y);
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

function referenceSort(keys: readonly [keyof Row, boolean][], rows: number[]): number[] {
  return [...rows].sort((i, j) => {
    for (const [key, descending] of keys) {
      const a = ROWS[i]!, b = ROWS[j]!;
      const missingA = a[key] === null, missingB = b[key] === null;
      if (missingA || missingB) {
        if (missingA !== missingB) return missingA ? 1 : -1;
        continue;
      }
      const order = referenceCompare(key, a, b);
      if (order !== 0) return descending ? -order : order;
    }
    return i - j;
  });
}

function runQuery(text: string): number[] {
  return Array.from(compileQuery(parseStatement(text) as QueryStatement, catalog).run().rows);
}

test('sorting by each column type matches a reference sort (nulls last, ties by row)', () => {
  const all = ROWS.map((_, i) => i);
  const cases: [string, [keyof Row, boolean][]][] = [
    ['port', [['port', false]]],
    ['stat desc', [['stat', true]]],
    ['addr', [['addr', false]]],
    ['label desc, port', [['label', true], ['port', false]]],
    ['ratio', [['ratio', false]]],
    ['ratio desc, addr desc', [['ratio', true], ['addr', true]]],
  ];
  for (const [sort, keys] of cases) {
    assert.deepEqual(runQuery(`rows sort ${sort}`), referenceSort(keys, all), sort);
  }
});

test('top-N selection returns exactly the first N rows of the full sort', () => {
  const matching = ROWS.flatMap((r, i) => (r.port !== 22 ? [i] : []));
  for (const [sort, keys] of [
    ['stat desc', [['stat', true]]],
    ['port, addr desc', [['port', false], ['addr', true]]],
    ['ratio desc', [['ratio', true]]],
    ['label', [['label', false]]],
  ] as [string, [keyof Row, boolean][]][]) {
    const full = referenceSort(keys, matching);
    for (const n of [0, 1, 10, 257, matching.length, matching.length + 5]) {
      assert.deepEqual(runQuery(`rows where port != 22 sort ${sort} limit ${n}`), full.slice(0, n), `${sort} limit ${n}`);
    }
  }
});

test('TopN keeps the smallest values under any comparator', () => {
  const values = Array.from({ length: 500 }, () => pick(50));
  const compare = (a: number, b: number) => values[a]! - values[b]! || a - b;
  for (const n of [1, 3, 64, 499, 500]) {
    const top = new TopN(n, compare);
    values.forEach((_, i) => top.offer(i));
    const expected = values.map((_, i) => i).sort(compare).slice(0, n);
    assert.deepEqual(Array.from(top.sorted()), expected);
  }
});

test('a sort on numeric keys (radix) orders exactly like the comparators: -0, NaN, infinities, signed and 64-bit', () => {
  const floats = [0, -0, 1.5, -1.5, NaN, Infinity, -Infinity, 1e-300, -1e-300, 2 ** 53, -(2 ** 53), 7, 7, 3.25];
  const defs: TableDef = {
    name: 'keys',
    description: 'numeric key columns of every storage',
    columns: [
      { name: 'f', type: 'f64', description: 'floats, NaN = no value' },
      { name: 'small', type: 'u8', description: 'few values: many ties' },
      { name: 'big', type: 'u32', description: 'up to 2^32 - 1' },
      { name: 'signed', type: 'i64', description: 'both signs, beyond 2^53: 64-bit storage' },
      { name: 'int', type: 'i64', description: 'both signs, small: 32-bit storage' },
      { name: 'flags', type: 'h64', description: 'high bits set' },
    ],
  };
  // 300 rows use 8-bit digits, 20,000 rows 16-bit ones
  for (const n of [300, 20_000]) {
    const rows = Array.from({ length: n }, () => ({
      f: floats[pick(floats.length)]!,
      small: pick(4),
      big: pick(2) ? 0xffffffff - pick(3) : pick(70_000),
      signed: BigInt(pick(2) ? -1 : 1) * ((BigInt(pick(8)) << 58n) + BigInt(pick(3))),
      int: pick(2) ? -pick(1000) : pick(1000),
      flags: (BigInt(pick(4)) << 62n) | BigInt(pick(1 << 20)),
    }));
    const t = MemoryTable.fromRows(defs, rows as unknown as Record<string, Value>[]);
    assert.ok(t.column('f')!.numbers instanceof Float64Array && t.column('big')!.numbers instanceof Uint32Array);
    assert.ok(t.column('int')!.numbers instanceof Int32Array && t.column('small')!.numbers instanceof Uint8Array);
    assert.ok(t.column('signed')!.bigints instanceof BigInt64Array && t.column('flags')!.bigints instanceof BigUint64Array);
    const c = new MemoryCatalog([t]);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    for (const sort of ['f', 'f desc', 'small desc, f', 'big desc', 'big, small desc', 'signed', 'signed desc, small', 'flags desc', 'small, flags, f desc', 'int', 'int desc, big']) {
      const keys = sort.split(', ').map((k) => { const [name, dir] = k.split(' '); return columnComparator(t.column(name!)!, dir === 'desc'); });
      const expected = Array.from(all.slice().sort(combineComparators(keys)));
      const got = Array.from(compileQuery(parseStatement(`keys sort ${sort}`) as QueryStatement, c).run().rows);
      assert.deepEqual(got, expected, `n=${n}: sort ${sort}`);
    }
  }
});

test('radixSortSteps pauses between slices and keeps equal keys in their order', () => {
  const n = 50_000;
  const key = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % 1013);
  const rows = Int32Array.from({ length: n }, (_, i) => 3 * i);
  const steps = radixSortSteps(rows, [key]);
  let pauses = 0;
  let r = steps.next();
  while (!r.done) { pauses++; r = steps.next(1000); }
  const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a]! - key[b]! || a - b).map((i) => 3 * i);
  assert.deepEqual(Array.from(r.value), expected);
  assert.ok(pauses >= Math.floor(n / 1000), `${pauses} pauses`);
});
