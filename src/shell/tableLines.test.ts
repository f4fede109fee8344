import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadCapture } from '../store/load.ts';
import { executeStatement, parseStatement, type QueryResult } from '../query/index.ts';
import { renderRows } from '../output/format.ts';
import { tableContent } from './tableLines.ts';
import * as pg from './pager.ts';
import { MemoryTable } from '../store/memoryTable.ts';

const SAMPLE = resolve(import.meta.dirname, '../../samples/ftp-passive-dns.pcap');

test('pager lines drawn on demand look exactly like the inline table', async (t) => {
  const capture = await loadCapture(SAMPLE);
  t.after(() => capture.close());
  const run = (q: string): QueryResult => executeStatement(parseStatement(q), capture.catalog)!;
  for (const q of ['packets select pktNo, dir, time, flowStat, l4Proto', 'flows select flowInd, srcIP, dstIP, hdrDesc, srcMac sort flowInd desc']) {
    const result = run(q);
    const expected = renderRows({ columns: result.columns, rowCount: result.rowCount, row: (i) => result.rows[i]! }, 'table', { width: 1000 })
      .replace(/\n$/, '').split('\n');
    const content = tableContent(result);
    assert.equal(content.lineCount, expected.length, q);
    assert.deepEqual(Array.from({ length: content.lineCount }, (_, i) => content.line(i)), expected, q);
    assert.equal(content.width, expected[0]!.length);
  }
});

test('a wider row further down widens its column when it comes into view; nothing is cut to fit other rows', () => {
  const names = Array.from({ length: 5000 }, (_, i) => (i === 3000 ? 'a-much-longer-name-than-the-rest' : `n${i % 7}`));
  const table = MemoryTable.fromRows({ name: 't', description: '', columns: [
    { name: 'id', type: 'u32', description: '' }, { name: 'name', type: 'str', description: '' },
  ] }, names.map((name, id) => ({ id, name })));
  let texts = 0;
  // counts the cells formatted, to see that opening measures only the first rows
  const counted = table.columns.map((c) => ({ def: c.def, get: (r: number) => c.get(r), json: (r: number) => c.json(r), text: (r: number) => { texts++; return c.text(r); } }));
  const result: QueryResult = { table, columns: counted, rows: Int32Array.from(names.keys()), rowCount: names.length, totalRows: names.length };
  let s = pg.openPager(tableContent(result, { sampleRows: 100 }), 80, 12);
  const opened = pg.visibleLines(s);
  assert.ok(texts < 2 * 2 * 200, `opening formatted ${texts} cells, not all 10000`);
  assert.ok(opened.every((l) => l.length === opened[0]!.length));
  const narrow = s.content.width;
  s = pg.search(s, '2999', false);
  const lines = pg.visibleLines(s);
  assert.ok(lines.some((l) => l.includes('│ a-much-longer-name-than-the-rest │')), lines.join('\n'));
  assert.ok(lines.every((l) => l.length === s.content.width), 'header, rows and borders agree on the new widths');
  assert.ok(s.content.width > narrow);
  assert.match(pg.statusText(s), /^rows \d+-\d+ of 5000/);
});

test('cells wider than the longest a cell may be end with an ellipsis', async (t) => {
  const capture = await loadCapture(SAMPLE);
  t.after(() => capture.close());
  const result = executeStatement(parseStatement('flows select flowInd, hdrDesc'), capture.catalog)!;
  const content = tableContent(result, { maxCellWidth: 10 });
  const lines = Array.from({ length: content.lineCount }, (_, i) => content.line(i));
  assert.ok(lines.every((l) => l.length === content.width));
  assert.ok(lines.some((l) => /│ [^│]{9}… │$/.test(l)), lines.join('\n'));
});
