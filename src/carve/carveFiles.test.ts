import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCapture, type LoadedCapture } from '../store/load.ts';
import { MemoryTable, MemoryCatalog } from '../store/memoryTable.ts';
import { followFlow } from '../reassembly/follow.ts';
import { parseStatement } from '../query/parse.ts';
import { carveFiles } from './carve.ts';
import type { TableDef } from '../schema/types.ts';

const SAMPLE = resolve(import.meta.dirname, '../../samples/ftp-passive-dns.pcap');

// a stand-in for the FTP analyzer's files table, with the columns carve reads
const FILES: TableDef = {
  name: 'files', description: 'test transfers',
  columns: [
    { name: 'dataFlow', type: 'u64', description: '' },
    { name: 'controlFlow', type: 'u64', description: '' },
    { name: 'command', type: 'str', description: '' },
    { name: 'path', type: 'str', description: '' },
    { name: 'direction', type: 'str', description: '' },
    { name: 'senderDir', type: 'str', description: '' },
    { name: 'verdict', type: 'str', description: '' },
  ],
};

function withFiles(capture: LoadedCapture, rows: Record<string, string | number>[]): LoadedCapture {
  const others = capture.catalog.tables.filter((t) => t.def.name !== 'files');
  return { ...capture, catalog: new MemoryCatalog([...others, MemoryTable.fromRows(FILES, rows)]) };
}

test('carve writes each transfer in sequence order under a safe name, with a manifest and transcripts, never overwriting', async () => {
  const base = mkdtempSync(join(tmpdir(), 'flowsh-carvefiles-'));
  const loaded = await loadCapture(SAMPLE);
  try {
    // flow 5 is the RETR data connection of control flow 4 in this sample
    const capture = withFiles(loaded, [
      { dataFlow: 5, controlFlow: 4, command: 'RETR', path: '../../etc/sensor-log.csv', direction: 'download', senderDir: 'B', verdict: 'complete' },
      { dataFlow: 0, controlFlow: 4, command: 'RETR', path: 'gone.bin', direction: 'download', senderDir: '', verdict: 'no-data-connection' },
    ]);
    const out = join(base, 'out');
    const result = carveFiles(capture, undefined, out, 'carve to out');
    assert.deepEqual(result.files.map((f) => f.carvedAs), ['5-sensor-log.csv', '']);
    const expected = followFlow(loaded, 5, { format: 'raw', dir: 'B' });
    const written = readFileSync(join(out, '5-sensor-log.csv'));
    assert.equal(createHash('sha256').update(written).digest('hex'), createHash('sha256').update(expected).digest('hex'));
    const manifest = readFileSync(join(out, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(manifest.length, 2);
    assert.equal(manifest[0].carvedAs, '5-sensor-log.csv');
    assert.deepEqual(manifest[0].gaps, []);
    assert.equal(manifest[1].note, 'no data connection in the capture');
    assert.match(readFileSync(join(out, '4-control-transcript.txt'), 'utf8'), /^Follow flow 4/);
    assert.deepEqual(readdirSync(base), ['out'], 'nothing written outside the directory');
    // a second carve into the same directory keeps the first files
    const statement = parseStatement('carve where dataFlow == 5 to out');
    assert.ok(statement.kind === 'carve');
    const again = carveFiles(capture, statement.where, out, statement.text);
    assert.deepEqual(again.files.map((f) => f.carvedAs), ['5-sensor-log (2).csv']);
    assert.equal(again.manifest, 'manifest (2).jsonl');
    assert.deepEqual(readFileSync(join(out, '5-sensor-log.csv')), written);
  } finally {
    loaded.close();
    rmSync(base, { recursive: true, force: true });
  }
});
