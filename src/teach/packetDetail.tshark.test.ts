/**
 * `explain packet N` against tshark: every field the detail pane shows that tshark also prints
 * (`tshark -T fields`, all occurrences) has tshark's value, packet by packet, on the samples, the
 * recordings and the shared captures. Skips without tshark; the shared part skips without
 * ../shared/pcaps (from the repository root).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCapture } from '../store/load.ts';
import { packetDetail, type DetailField } from './packetDetail.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PCAPS = resolve(ROOT, '../shared/pcaps');
/** packets compared per capture (the first ones): enough to meet every header kind it has */
const MAX_PACKETS = 1500;
const MAX_SHARED_PACKETS = 300;

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const noTshark = hasTshark() ? false : 'tshark is not installed';

function captures(dir: string, recursive: boolean): string[] {
  return (readdirSync(dir, { recursive }) as string[])
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).size < 4_000_000)
    .sort();
}

function tsharkFields(fields: DetailField[]): { field: string; value: string }[] {
  return fields.flatMap((f) => [...(f.tshark ?? []), ...tsharkFields([...(f.children ?? [])])]);
}

/** compares one capture; returns the differences (at most a few per capture) and how many values matched */
async function compare(file: string, maxPackets = MAX_PACKETS): Promise<{ mismatches: string[]; compared: number }> {
  const capture = await loadCapture(file);
  try {
    const count = Math.min(capture.packets.rowCount, maxPackets);
    const ours: { field: string; value: string }[][] = [];
    const names = new Set<string>();
    for (let n = 1; n <= count; n++) {
      const d = packetDetail(capture, n);
      const values = d.layers.flatMap((l) => tsharkFields([...l.fields]));
      for (const v of values) names.add(v.field);
      ours.push(values);
    }
    if (names.size === 0) return { mismatches: [], compared: 0 };
    const list = [...names].sort();
    const out = execFileSync('tshark', ['-r', file, '-c', String(count), '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|',
      ...list.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = out.split('\n');
    const mismatches: string[] = [];
    let compared = 0;
    for (let p = 0; p < count; p++) {
      const cells = (lines[p] ?? '').split('\t');
      const theirs = new Map(list.map((f, i) => [f, cells[i] ? cells[i]!.split('|') : []]));
      const seen = new Map<string, number>();
      for (const { field, value } of ours[p]!) {
        const k = seen.get(field) ?? 0;
        seen.set(field, k + 1);
        const expected = theirs.get(field)![k];
        if (expected === undefined) continue; // tshark did not dissect this layer (e.g. it stopped at a malformed header)
        compared++;
        if (expected !== value && mismatches.length < 5) mismatches.push(`${file} packet ${p + 1}: ${field} ${value}, tshark ${expected}`);
      }
    }
    return { mismatches, compared };
  } finally {
    capture.close();
  }
}

test('explain packet: field values agree with tshark on the samples and recordings', { skip: noTshark }, async () => {
  const files = [...captures(join(ROOT, 'samples'), false), ...captures(join(ROOT, 'samples/recorded'), false)];
  assert.ok(files.length > 20);
  const mismatches: string[] = [];
  let compared = 0;
  for (const file of files) {
    const r = await compare(file);
    mismatches.push(...r.mismatches);
    compared += r.compared;
  }
  assert.deepEqual(mismatches, []);
  assert.ok(compared > 20000, `compared ${compared} values`);
});

test('explain packet: field values agree with tshark on the shared captures', { skip: noTshark || (existsSync(PCAPS) ? false : `${PCAPS} not found (a fresh clone has no ../shared)`) }, async () => {
  const files = captures(PCAPS, true);
  assert.ok(files.length > 20, 'the shared captures are there');
  const mismatches: string[] = [];
  let compared = 0;
  for (const file of files) {
    const r = await compare(file, MAX_SHARED_PACKETS);
    mismatches.push(...r.mismatches);
    compared += r.compared;
  }
  assert.deepEqual(mismatches, []);
  assert.ok(compared > 100000, `compared ${compared} values`);
});
