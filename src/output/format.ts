/** Rendering result rows as a terminal table, TSV, CSV or JSON Lines. */
import Table from 'cli-table3';
import type { Column } from '../store/table.ts';
import type { ColumnType } from '../schema/types.ts';

export type OutputFormat = 'table' | 'tsv' | 'csv' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'tsv', 'csv', 'json'];

export interface RowSet {
  readonly columns: readonly Column[];
  /** source rows to print, in order */
  readonly rowCount: number;
  row(i: number): number;
}

export interface RenderOptions {
  /** terminal width for `table` (cells are shortened with an ellipsis to fit) */
  readonly width?: number;
  /** colour (only on a terminal and never with NO_COLOR) */
  readonly color?: boolean;
}

const RIGHT_ALIGNED: ReadonlySet<ColumnType> = new Set(['u8', 'u16', 'u32', 'u64', 'i64', 'f64', 'time', 'seconds']);

export function renderRows(set: RowSet, format: OutputFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'tsv': return renderDelimited(set, '\t');
    case 'csv': return renderDelimited(set, ',');
    case 'json': return renderJsonLines(set);
    case 'table': return renderTable(set, opts);
  }
}

function renderDelimited(set: RowSet, sep: '\t' | ','): string {
  const cell = sep === ',' ? csvCell : (s: string) => s;
  const lines = [set.columns.map((c) => cell(c.def.name)).join(sep)];
  for (let i = 0; i < set.rowCount; i++) {
    const r = set.row(i);
    lines.push(set.columns.map((c) => cell(c.text(r))).join(sep));
  }
  return lines.join('\n') + '\n';
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

function renderJsonLines(set: RowSet): string {
  const keys = set.columns.map((c) => JSON.stringify(c.def.name));
  let out = '';
  for (let i = 0; i < set.rowCount; i++) {
    const r = set.row(i);
    out += '{' + set.columns.map((c, j) => `${keys[j]}:${c.json(r)}`).join(',') + '}\n';
  }
  return out;
}

/** Shorten to `max` characters with an ellipsis. */
export function ellipsize(s: string, max: number): string {
  if (s.length <= max) return s;
  return max <= 1 ? '…' : s.slice(0, max - 1) + '…';
}

function renderTable(set: RowSet, opts: RenderOptions): string {
  const width = opts.width ?? 120;
  const texts: string[][] = [];
  for (let i = 0; i < set.rowCount; i++) {
    const r = set.row(i);
    texts.push(set.columns.map((c) => c.text(r)));
  }
  const natural = set.columns.map((c, j) => Math.max(c.def.name.length, ...texts.map((t) => t[j]!.length), 1));
  const limits = fitWidths(natural, width);
  const table = new Table({
    head: set.columns.map((c, j) => ellipsize(c.def.name, limits[j]!)),
    style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    colAligns: set.columns.map((c) => (RIGHT_ALIGNED.has(c.def.type) || c.def.type.startsWith('h') ? 'right' : 'left')),
    wordWrap: false,
  });
  for (const t of texts) table.push(t.map((s, j) => ellipsize(s, limits[j]!)));
  return table.toString() + '\n';
}

/** Column widths that fit `width` (3 characters of border and padding per column): widest shrink first. */
export function fitWidths(natural: readonly number[], width: number): number[] {
  const limits = [...natural];
  const budget = Math.max(natural.length * 4, width - natural.length * 3 - 1);
  let total = limits.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let widest = 0;
    for (let j = 1; j < limits.length; j++) if (limits[j]! > limits[widest]!) widest = j;
    if (limits[widest]! <= 4) break;
    limits[widest]!--;
    total--;
  }
  return limits;
}
