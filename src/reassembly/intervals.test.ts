import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeInterval } from './intervals.ts';

test('mergeInterval keeps the list sorted and disjoint, merging touching and overlapping intervals', () => {
  const s: number[] = [];
  mergeInterval(s, 10, 20);
  mergeInterval(s, 20, 30); // touches the end: extends it
  assert.deepEqual(s, [10, 30]);
  mergeInterval(s, 50, 60);
  mergeInterval(s, 0, 5); // before everything
  assert.deepEqual(s, [0, 5, 10, 30, 50, 60]);
  mergeInterval(s, 4, 52); // bridges three intervals
  assert.deepEqual(s, [0, 60]);
  mergeInterval(s, 70, 80);
  mergeInterval(s, 65, 66); // between two, touching neither
  assert.deepEqual(s, [0, 60, 65, 66, 70, 80]);
  mergeInterval(s, 72, 75); // inside the last: no change
  assert.deepEqual(s, [0, 60, 65, 66, 70, 80]);
});

test('mergeInterval agrees with a byte-by-byte set on random intervals', () => {
  let seed = 7;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (let round = 0; round < 50; round++) {
    const s: number[] = [];
    const bytes = new Uint8Array(300);
    for (let k = 0; k < 20; k++) {
      const start = rand(280), end = start + 1 + rand(20);
      mergeInterval(s, start, end);
      bytes.fill(1, start, end);
    }
    const expected: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] && (i === 0 || !bytes[i - 1])) expected.push(i);
      if (bytes[i] && (i === bytes.length - 1 || !bytes[i + 1])) expected.push(i + 1);
    }
    // touching intervals merge, so the list equals the maximal runs of covered bytes
    assert.deepEqual(s, expected);
  }
});
