/**
 * help tcp / help ftp: the concept pages name only bits the schema declares (with the schema's
 * values), every statement they suggest runs on the samples, and the functions and table that
 * share the pages' words stay reachable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { Session } from '../cli/session.ts';
import { helpText } from '../cli/help.ts';
import { schemaCatalog } from '../cli/schemaCatalog.ts';
import { complete } from '../shell/completion.ts';
import { ColumnTable } from '../store/columnTable.ts';
import type { Catalog } from '../store/table.ts';
import { CONCEPTS, conceptText, resolveBitReferences, UnknownBitReference } from './concepts.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SAMPLES = ['ftp-active.pcap', 'ftp-passive-dns.pcap', 'ftp-fin-out-of-order.pcap'];

test('bit references take their value and name from the schema, and an unknown bit is refused', () => {
  const def = { name: 'demoStat', type: 'h16' as const, description: 'demo', bits: [{ value: 0x0400, name: 'DEMO_BIT', description: 'a demo bit' }] };
  const catalog: Catalog = (() => {
    const tables = [new ColumnTable('demo', 'demo', 0, [{ def, get: () => null, text: () => '', json: () => 'null' }])];
    return { tables, table: (n: string) => tables.find((t) => t.def.name === n) };
  })();
  assert.equal(resolveBitReferences('see {demoStat.DEMO_BIT}.', catalog), 'see demoStat 0x0400 DEMO_BIT.');
  assert.throws(() => resolveBitReferences('{demoStat.NO_SUCH}', catalog), UnknownBitReference);
  assert.throws(() => resolveBitReferences('{noColumn.DEMO_BIT}', catalog), UnknownBitReference);
});

test('every concept page renders against the real schema', () => {
  const catalog = schemaCatalog();
  for (const page of CONCEPTS) {
    const text = conceptText(page, catalog, 80);
    assert.doesNotMatch(text, /\{\w+\.\w+\}/, `${page.topic}: every bit reference resolved`);
    for (const line of text.split('\n')) {
      // statements are printed whole so they can be copied; prose wraps
      if (!page.tryThese.some((t) => line.trim() === t.statement)) assert.ok(line.length <= 80, `${page.topic}: '${line}' fits 80 columns`);
    }
    for (const t of page.tryThese) assert.ok(text.includes(`  ${t.statement}\n`), `${page.topic} shows ${t.statement}`);
  }
  // the pages mention the bit value the schema has (SCAN_SU_DET is 0x2000 in Tranalyzer's tcpAnomaly)
  assert.match(helpText('tcp', catalog), /tcpAnomaly 0x2000 SCAN_SU_DET/);
  assert.match(helpText('ftp', catalog), /ftpStat 0x00000200 FTP_ACTIVE/);
});

test('help tcp and help ftp are concept pages; help tcp() is the function, columns ftp the table', () => {
  const catalog = schemaCatalog();
  assert.match(helpText('tcp', catalog), /^TCP: /);
  assert.match(helpText('TCP', catalog), /^TCP: /);
  assert.match(helpText('ftp', catalog), /^FTP: /);
  assert.match(helpText('tcp()', catalog), /^tcp\(\)\n {2}TCP flows/);
  assert.match(helpText('ftp', catalog), /See also: columns ftp/);
  assert.match(helpText(undefined, catalog), /help tcp +TCP: /);
  const topics = complete('help ', 5, { catalog, cwd: '/' }).items.map((i) => i.text);
  for (const expected of ['tcp', 'ftp', 'tcp()']) assert.ok(topics.includes(expected), `Tab after help offers ${expected}`);
});

test('every statement a concept page suggests runs on the samples and prints something', async () => {
  for (const name of SAMPLES) {
    let out = '', err = '';
    const session = new Session({ out: (t) => { out += t; }, err: (t) => { err += t; } }, { format: 'tsv', color: false, width: 100, timing: false });
    assert.ok(await session.load(join(ROOT, 'samples', name), { summary: false }), name);
    try {
      for (const page of CONCEPTS) {
        for (const t of page.tryThese) {
          out = ''; err = '';
          assert.equal(await session.runStatement(t.statement), 'ok', `${name}: ${t.statement}: ${err}`);
          assert.ok(out.trim().length > 0, `${name}: ${t.statement} prints something`);
        }
      }
    } finally {
      session.close();
    }
  }
});
