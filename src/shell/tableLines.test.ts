import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadCapture } from '../store/load.ts';
import { executeStatement, parseStatement, type QueryResult } from '../query/index.ts';
import { renderRows } from '../output/format.ts';
import { tableContent } from './tableLines.ts';

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

test('widths come from the first rows; longer cells later are cut with an ellipsis', async (t) => {
  const capture = await loadCapture(SAMPLE);
  t.after(() => capture.close());
  const result = executeStatement(parseStatement('flows select flowInd, hdrDesc'), capture.catalog)!;
  const content = tableContent(result, { sampleRows: 1, maxCellWidth: 10 });
  const first = result.columns[1]!.text(result.rows[0]!);
  const widest = Math.max(...Array.from(result.rows.subarray(0, result.rowCount), (r) => result.columns[1]!.text(r).length));
  assert.ok(widest > first.length, 'a later row is wider than the first');
  for (let i = 3; i < content.lineCount - 1; i++) {
    const line = content.line(i);
    assert.equal(line.length, content.width, line);
  }
  assert.ok(Array.from({ length: content.lineCount }, (_, i) => content.line(i)).some((l) => l.includes('…')));
});
