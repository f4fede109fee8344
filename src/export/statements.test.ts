// The export statement over a loaded capture: the query's own columns (select, aggregates, sort,
// limit) become the file's, {name} is the capture's name, and `as` is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCapture } from '../store/load.ts';
import { parseStatement, QueryError, type ExportStatement } from '../query/index.ts';
import { captureName, runExport } from './statements.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

test('captureName drops the capture ending (and .gz), keeps other dots', () => {
  assert.equal(captureName('/data/day1/ftp-active.pcap'), 'ftp-active');
  assert.equal(captureName('x/trace.2024-03-14.pcapng.gz'), 'trace.2024-03-14');
  assert.equal(captureName('a.cap'), 'a');
  assert.equal(captureName('dump.gz'), 'dump');
  assert.equal(captureName('notes.txt'), 'notes.txt');
});

test('export runs the whole query: select order, group by with aggregates, sort and limit; {name} in the path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-export-'));
  const capture = await loadCapture(join(ROOT, 'samples/ftp-passive-dns.pcap'));
  const run = (text: string) => runExport(capture, parseStatement(text) as ExportStatement, 'flowsh test');
  try {
    run(`export flows where tcp() select dstPort, flowInd, dir sort flowInd, dir limit 3 to ${dir}/{name}-top.csv`);
    assert.equal(readFileSync(join(dir, 'ftp-passive-dns-top.csv'), 'utf8'), 'dstPort,flowInd,dir\n21,4,A\n52875,4,B\n43297,5,A\n');
    const message = run(`export packets group by l4Proto select l4Proto, count(), sum(capLen) sort l4Proto to ${dir}/by-proto.jsonl`);
    assert.match(message, /^exported 3 rows of packets \(3 columns\) to .*by-proto\.jsonl \(jsonl, \d+ bytes\)$/);
    const rows = readFileSync(join(dir, 'by-proto.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => Object.keys(r)), Array(3).fill(['l4Proto', 'count', 'sum(capLen)']));
    assert.equal(rows.reduce((n, r) => n + r.count, 0), capture.packets.rowCount);
    assert.throws(() => run(`export packets as tcpdump to ${dir}/x.csv`), (e: Error) => e instanceof QueryError && /leave out as/.test(e.message));
    assert.throws(() => run(`export nosuch to ${dir}/x.csv`), QueryError);
  } finally {
    capture.close();
    rmSync(dir, { recursive: true });
  }
});
