/**
 * flowsh against Tranalyzer2's real output (reference/t2-outputs/NAME/normal: t2 -s with basicFlow,
 * tcpFlags, tcpStates, ftpDecode, txtSink) value by value: every column that flowsh declares under a
 * Tranalyzer name in the core, basicFlow, tcpFlags and tcpStates schemas, in the flows and the
 * packets table. Flows are matched by addresses, ports, protocol and first timestamp, packets by
 * pktNo. Each difference must be listed in t2-differences.json with the reason flowsh is right
 * (decided from the bytes on the wire); a listed difference that no longer occurs fails too.
 * Skips when ../shared is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCapture } from '../../src/store/load.ts';
import type { Column, Table } from '../../src/store/table.ts';
import type { ColumnDef } from '../../src/schema/types.ts';
import { CORE_FLOW_COLUMNS, CORE_PACKET_COLUMNS } from '../../src/analyzers/core/schema.ts';
import { BASIC_FLOW_COLUMNS, BASIC_PACKET_COLUMNS } from '../../src/analyzers/basicFlow/schema.ts';
import { TCP_FLAGS_FLOW_COLUMNS, TCP_FLAGS_PACKET_COLUMNS } from '../../src/analyzers/tcpFlags/schema.ts';
import { TCP_STATES_FLOW_COLUMNS, TCP_STATES_PACKET_COLUMNS } from '../../src/analyzers/tcpStates/schema.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const T2 = resolve(ROOT, '../shared/reference/t2-outputs');
const EXPECTED = resolve(import.meta.dirname, 't2-differences.json');

type TableName = 'flows' | 'packets';
const COMPARED: Record<TableName, readonly ColumnDef[]> = {
  flows: [...CORE_FLOW_COLUMNS, ...BASIC_FLOW_COLUMNS, ...TCP_FLAGS_FLOW_COLUMNS, ...TCP_STATES_FLOW_COLUMNS].filter((c) => c.tranalyzer),
  packets: [...CORE_PACKET_COLUMNS, ...BASIC_PACKET_COLUMNS, ...TCP_FLAGS_PACKET_COLUMNS, ...TCP_STATES_PACKET_COLUMNS].filter((c) => c.tranalyzer),
};

export interface Difference { capture: string; table: TableName; column: string; row: string; t2: string; flowsh: string }

/** A rule of t2-differences.json: the differences it accepts and why. */
interface Accepted {
  capture: string; // a capture name or '*'
  table: TableName;
  columns: string[];
  /** row keys (flows: dir + flowInd as t2 prints them, or flowsh:dir+flowInd for rows t2 lacks; packets: pktNo); all rows when absent */
  rows?: string[];
  /** the values this rule accepts when given */
  t2?: string;
  flowsh?: string;
  reason: string;
}

interface T2File { header: string[]; rows: string[][] }

function readT2(file: string): T2File {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  return { header: lines[0]!.replace(/^%/, '').split('\t'), rows: lines.slice(1).map((l) => l.split('\t')) };
}

/** Tranalyzer's l7Content rendering of payload bytes (reference §5.4). */
function t2Content(bytes: Uint8Array): string {
  const escapes: Record<number, string> = { 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 92: '\\\\' };
  let out = '';
  for (const b of bytes) out += escapes[b] ?? (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.');
  return out;
}

/** nanoseconds of a `sec.fraction` text (any number of decimals) */
function nanoseconds(text: string): bigint | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const ns = BigInt(m[2]!) * 1_000_000_000n + BigInt((m[3] ?? '').padEnd(9, '0').slice(0, 9));
  return m[1] ? -ns : ns;
}

/** whether t2's text and flowsh's column value mean the same */
function same(def: ColumnDef, t2: string, flowsh: string): boolean {
  if (t2 === flowsh) return true;
  if (def.type === 'str') return t2.startsWith('"') && t2.endsWith('"') && t2.slice(1, -1) === flowsh; // S columns are quoted
  if (def.type === 'time' || def.type === 'seconds') {
    const a = nanoseconds(t2), b = nanoseconds(flowsh);
    return a !== null && a === b;
  }
  if (t2 === '' || flowsh === '') return false;
  const a = Number(t2), b = Number(flowsh);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  // Tranalyzer's F columns are floats printed with 7 significant digits, flowsh prints 6 decimals
  return def.type === 'f64' ? Math.abs(a - b) <= 1e-6 + 1e-6 * Math.abs(a) : a === b;
}

function cellText(column: Column, row: number): string {
  if (column.def.name === 'l7Content') {
    const bytes = (column as unknown as { bytes(row: number): Uint8Array }).bytes(row);
    return t2Content(bytes);
  }
  return column.text(row);
}

async function compareCapture(name: string): Promise<Difference[]> {
  const dir = join(T2, name);
  const capture = await loadCapture(join(dir, `${name}.pcap`));
  const out: Difference[] = [];
  try {
    for (const table of ['flows', 'packets'] as const) {
      const t2 = readT2(join(dir, 'normal', `${name}_${table}.txt`));
      const mine: Table = table === 'flows' ? capture.flows : capture.packets;
      const defs = COMPARED[table].filter((d) => t2.header.includes(d.name));
      const t2Cell = (row: string[], col: string) => row[t2.header.indexOf(col)] ?? '';
      const key = (get: (col: string) => string): string => table === 'packets' ? get('pktNo')
        : ['srcIP', 'srcPort', 'dstIP', 'dstPort', 'l4Proto'].map(get).join(' ') + ' ' + String(nanoseconds(get('timeFirst')));
      const rows = new Map<string, number>();
      for (let r = 0; r < mine.rowCount; r++) rows.set(key((col) => mine.column(col)!.text(r)), r);
      const matched = new Set<number>();
      for (const row of t2.rows) {
        const label = table === 'flows' ? t2Cell(row, 'dir') + t2Cell(row, 'flowInd') : t2Cell(row, 'pktNo');
        const r = rows.get(key((col) => t2Cell(row, col)));
        if (r === undefined) {
          out.push({ capture: name, table, column: '(row)', row: label, t2: 'present', flowsh: 'missing' });
          continue;
        }
        matched.add(r);
        for (const def of defs) {
          const flowsh = cellText(mine.column(def.name)!, r), theirs = t2Cell(row, def.name);
          if (!same(def, theirs, flowsh)) out.push({ capture: name, table, column: def.name, row: label, t2: theirs, flowsh });
        }
      }
      for (let r = 0; r < mine.rowCount; r++) {
        if (matched.has(r)) continue;
        const label = table === 'flows' ? `flowsh:${mine.column('dir')!.text(r)}${mine.column('flowInd')!.text(r)}` : mine.column('pktNo')!.text(r);
        out.push({ capture: name, table, column: '(row)', row: label, t2: 'missing', flowsh: 'present' });
      }
    }
  } finally {
    capture.close();
  }
  return out;
}

function accepts(rule: Accepted, d: Difference): boolean {
  return (rule.capture === '*' || rule.capture === d.capture) && rule.table === d.table && rule.columns.includes(d.column) &&
    (rule.rows === undefined || rule.rows.includes(d.row)) && (rule.t2 === undefined || rule.t2 === d.t2) &&
    (rule.flowsh === undefined || rule.flowsh === d.flowsh);
}

const captures = existsSync(T2) ? readdirSync(T2).filter((n) => existsSync(join(T2, n, `${n}.pcap`)) && existsSync(join(T2, n, 'normal'))).sort() : [];

test('every Tranalyzer-named basicFlow/tcpFlags/tcpStates column equals t2\'s output, or the difference is listed with its reason',
  { skip: captures.length === 0 ? `${T2} not found (a fresh clone has no ../shared)` : false }, async () => {
    const rules = (JSON.parse(readFileSync(EXPECTED, 'utf8')) as { accepted: Accepted[] }).accepted;
    for (const r of rules) assert.ok(r.reason.length > 20, `every accepted difference says why: ${JSON.stringify(r)}`);
    const unexplained: Difference[] = [];
    const used = new Set<Accepted>();
    let compared = 0;
    for (const name of captures) {
      compared++;
      for (const d of await compareCapture(name)) {
        const rule = rules.find((r) => accepts(r, d));
        if (rule) used.add(rule); else unexplained.push(d);
      }
    }
    assert.ok(compared >= 9, `the t2 captures are there (${compared})`);
    assert.deepEqual(unexplained, [], 'differences from Tranalyzer not in t2-differences.json');
    assert.deepEqual(rules.filter((r) => !used.has(r)).map((r) => r.reason), [], 'accepted differences that no longer occur');
  });
