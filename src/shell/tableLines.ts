/**
 * A result as pager lines drawn on demand, in the same box style as the inline tables (cli-table3,
 * compact): column widths come from the header and the first rows, so opening a result of a million
 * rows costs no more than one of a thousand.
 */
import { ellipsize } from '../output/format.ts';
import type { QueryResult } from '../query/index.ts';
import type { ColumnType } from '../schema/types.ts';
import { escapeText } from '../output/escape.ts';
import type { PagerContent } from './pager.ts';

const NUMERIC: ReadonlySet<ColumnType> = new Set(['u8', 'u16', 'u32', 'u64', 'i64', 'f64', 'time', 'seconds']);

export interface TableContentOptions {
  /** rows read to choose column widths */
  readonly sampleRows?: number;
  /** widest a cell may be; longer text ends with an ellipsis (the pager scrolls sideways for the rest) */
  readonly maxCellWidth?: number;
  readonly title?: string;
  readonly note?: string;
}

export function tableContent(result: QueryResult, opts: TableContentOptions = {}): PagerContent {
  const { columns, rows, rowCount } = result;
  const maxCell = opts.maxCellWidth ?? 60;
  const sample = Math.min(rowCount, opts.sampleRows ?? 1000);
  const names = columns.map((c) => escapeText(c.def.name));
  const widths = names.map((n) => Math.min(maxCell, Math.max(1, n.length)));
  for (let i = 0; i < sample; i++) {
    const row = rows[i]!;
    for (let j = 0; j < columns.length; j++) {
      const len = columns[j]!.text(row).length;
      if (len > widths[j]!) widths[j] = Math.min(maxCell, len);
    }
  }
  const right = columns.map((c) => NUMERIC.has(c.def.type) || c.def.type.startsWith('h'));
  const cell = (text: string, j: number): string => {
    const t = ellipsize(text, widths[j]!);
    return right[j] ? t.padStart(widths[j]!) : t.padEnd(widths[j]!);
  };
  const rule = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const top = rule('┌', '┬', '┐'), separator = rule('├', '┼', '┤'), bottom = rule('└', '┴', '┘');
  const header = '│ ' + names.map(cell).join(' │ ') + ' │';
  return {
    lineCount: rowCount + 4,
    width: top.length,
    headerLines: 3,
    footerLines: 1,
    unit: 'rows',
    title: opts.title,
    note: opts.note,
    line(i: number): string {
      if (i === 0) return top;
      if (i === 1) return header;
      if (i === 2) return separator;
      if (i === rowCount + 3) return bottom;
      const row = rows[i - 3]!;
      return '│ ' + columns.map((c, j) => cell(c.text(row), j)).join(' │ ') + ' │';
    },
  };
}
