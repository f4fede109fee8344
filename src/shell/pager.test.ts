import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pg from './pager.ts';

const content = (rows: number): pg.PagerContent => pg.linesContent(
  ['+--+', '|h |', '+--+', ...Array.from({ length: rows }, (_, i) => `|r${i + 1}|` + 'x'.repeat(i)), '+--+'],
  { headerLines: 3, footerLines: 1, unit: 'rows' },
);

test('the header and footer stay while the body scrolls, and the status names the rows', () => {
  // height 10: 3 header + 1 footer + 1 status leave 5 body rows
  let s = pg.openPager(content(12), 40, 10);
  assert.equal(pg.pageSize(s), 5);
  assert.deepEqual(pg.visibleLines(s).slice(0, 4), ['+--+', '|h |', '+--+', '|r1|']);
  assert.match(pg.statusText(s), /^rows 1-5 of 12/);
  s = pg.scrollBy(s, 5);
  assert.equal(pg.visibleLines(s)[3], '|r6|xxxxx');
  assert.match(pg.statusText(s), /^rows 6-10 of 12/);
  s = pg.scrollBy(s, 100);
  assert.match(pg.statusText(s), /^rows 8-12 of 12/);
  assert.equal(pg.visibleLines(s).at(-1), '+--+');
  s = pg.scrollBy(s, -100);
  assert.equal(s.top, 0);
});

test('sideways scrolling cuts every line from the same column', () => {
  let s = pg.openPager(content(12), 8, 10);
  s = pg.scrollSideways(s, 3);
  assert.equal(pg.visibleLines(s)[0], '+');
  assert.equal(pg.visibleLines(s)[5], '|xx');
  s = pg.scrollSideways(s, 100);
  assert.equal(s.left, pg.maxLeft(s));
  assert.match(pg.statusText(s), /columns/);
});

test('search jumps to the next matching row and wraps around', () => {
  let s = pg.openPager(content(12), 40, 10);
  s = pg.search(s, 'r3|', false);
  assert.equal(s.top, 2);
  s = pg.search(s, '|r', true);
  assert.equal(s.top, 3);
  s = pg.search(s, 'nothing', true);
  assert.match(s.message ?? '', /not found/);
  assert.equal(pg.findLine(s.content, 'r1|', 5), 0);
});

test('a resize keeps the view inside the content', () => {
  let s = pg.scrollBy(pg.openPager(content(12), 40, 10), 100);
  s = pg.resizePager(s, 40, 30);
  assert.equal(s.top, 0);
  assert.match(pg.statusText(s), /^rows 1-12 of 12/);
});
