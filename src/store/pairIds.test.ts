import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairIds } from './pairIds.ts';

test('PairIds: first-seen ids, the same id for the same pair, words kept exactly, through growth', () => {
  const ids = new PairIds();
  const seen = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const hi = (i * 7) & 0xffff, lo = (Math.imul(i % 5000, 2654435761) >>> 0);
    const key = `${hi}:${lo}`;
    const id = ids.id(hi, lo);
    if (!seen.has(key)) { assert.equal(id, seen.size, 'a new pair gets the next id'); seen.set(key, id); }
    else assert.equal(id, seen.get(key));
    assert.equal(ids.hi(id), hi);
    assert.equal(ids.lo(id), lo);
  }
  assert.equal(ids.size, seen.size);
  assert.equal(ids.id(0xffff, 0xffffffff), seen.size, 'the largest MAC');
  assert.equal(ids.lo(seen.size), 0xffffffff);
});
