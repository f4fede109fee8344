/**
 * The files-table survey of the shared captures (ftp-files-survey.json): every capture gives exactly
 * the verdict counts recorded there, each verdict other than complete has its reason from the wire,
 * and captures not listed have no files row. A change in any count means a verdict or a link moved:
 * look at the bytes (tshark), then fix flowsh or update the survey with the reason. Skips when
 * ../shared is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadCapture } from '../../src/store/load.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PCAPS = resolve(ROOT, '../shared/pcaps');
const survey = JSON.parse(readFileSync(join(import.meta.dirname, 'ftp-files-survey.json'), 'utf8')) as {
  captures: Record<string, { verdicts: Record<string, number>; why?: Record<string, string> }>;
};

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...captures(p));
    else if (/\.(pcap|pcapng|cap)$/.test(entry)) out.push(p);
  }
  return out.sort();
}

test('every verdict other than complete has its reason, and only those', () => {
  for (const [path, { verdicts, why = {} }] of Object.entries(survey.captures)) {
    const needed = Object.keys(verdicts).filter((v) => v !== 'complete').sort();
    assert.deepEqual(Object.keys(why).sort(), needed, path);
    for (const [v, reason] of Object.entries(why)) assert.ok(reason.length > 30, `${path} ${v}: a reason`);
    for (const n of Object.values(verdicts)) assert.ok(Number.isInteger(n) && n > 0, path);
  }
});

test('the files table of every shared capture has the surveyed verdicts', { skip: existsSync(PCAPS) ? false : `${PCAPS} is missing (a fresh clone has no ../shared)` }, async () => {
  const found: Record<string, Record<string, number>> = {};
  for (const file of captures(PCAPS)) {
    const capture = await loadCapture(file);
    try {
      const files = capture.catalog.table('files');
      const verdict = files?.column('verdict');
      if (!files || !verdict || files.rowCount === 0) continue;
      const counts: Record<string, number> = {};
      for (let r = 0; r < files.rowCount; r++) {
        const v = String(verdict.get(r));
        counts[v] = (counts[v] ?? 0) + 1;
      }
      found[relative(PCAPS, file)] = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
    } finally {
      capture.close();
    }
  }
  const expected = Object.fromEntries(Object.entries(survey.captures).map(([p, c]) => [p, c.verdicts]));
  assert.deepEqual(found, expected);
});
