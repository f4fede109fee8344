/**
 * A result as pager lines drawn on demand, in the same box style as the inline tables (cli-table3,
 * compact). Column widths start from the header and the first rows and grow as the view reaches
 * wider rows (rows are measured in blocks the first time they are shown or searched), so opening a
 * result of a million rows costs no more than one of a thousand, and no cell is ever cut to fit a
 * width measured on other rows.
 */
import { ellipsize } from '../output/format.ts';
import type { QueryResult } from '../query/index.ts';
import type { ColumnType } from '../schema/types.ts';
import { escapeText } from '../output/escape.ts';
import type { PagerContent } from './pager.ts';

const NUMERIC: ReadonlySet<ColumnType> = new Set(['u8', 'u16', 'u32', 'u64', 'i64', 'f64', 'time', 'seconds']);

export interface TableContentOptions {
  /** rows measured when the pager opens (the rest as they come into view) */
  readonly sampleRows?: number;
  /** widest a cell may be; longer text ends with an ellipsis */
  readonly maxCellWidth?: number;
  readonly title?: string;
  readonly note?: string;
}

/** rows measured together: a block is measured once, the first time one of its rows is needed */
const BLOCK_ROWS = 64;

export function tableContent(result: QueryResult, opts: TableContentOptions = {}): PagerContent {
  const { columns, rows, rowCount } = result;
  const maxCell = opts.maxCellWidth ?? 60;
  const names = columns.map((c) => escapeText(c.def.name));
  const widths = names.map((n) => Math.min(maxCell, Math.max(1, n.length)));
  const measuredBlocks = new Uint8Array(Math.ceil(rowCount / BLOCK_ROWS));
  let rules: { top: string; separator: string; bottom: string; header: string } | undefined;
  /** widens the columns for body rows [from, to) not measured yet */
  const measure = (from: number, to: number): void => {
    for (let b = Math.max(0, Math.floor(from / BLOCK_ROWS)); b < Math.min(measuredBlocks.length, Math.ceil(to / BLOCK_ROWS)); b++) {
      if (measuredBlocks[b]) continue;
      measuredBlocks[b] = 1;
      for (let i = b * BLOCK_ROWS; i < Math.min(rowCount, (b + 1) * BLOCK_ROWS); i++) {
        const row = rows[i]!;
        for (let j = 0; j < columns.length; j++) {
          const len = columns[j]!.text(row).length;
          if (len > widths[j]!) { widths[j] = Math.min(maxCell, len); rules = undefined; }
        }
      }
    }
  };
  measure(0, Math.min(rowCount, opts.sampleRows ?? 1000));
  const right = columns.map((c) => NUMERIC.has(c.def.type) || c.def.type.startsWith('h'));
  const cell = (text: string, j: number): string => {
    const t = ellipsize(text, widths[j]!);
    return right[j] ? t.padStart(widths[j]!) : t.padEnd(widths[j]!);
  };
  const rule = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const frame = () => (rules ??= {
    top: rule('┌', '┬', '┐'), separator: rule('├', '┼', '┤'), bottom: rule('└', '┴', '┘'),
    header: '│ ' + names.map(cell).join(' │ ') + ' │',
  });
  return {
    lineCount: rowCount + 4,
    get width() { return frame().top.length; },
    headerLines: 3,
    footerLines: 1,
    unit: 'rows',
    title: opts.title,
    note: opts.note,
    measure,
    line(i: number): string {
      if (i === 0) return frame().top;
      if (i === 1) return frame().header;
      if (i === 2) return frame().separator;
      if (i === rowCount + 3) return frame().bottom;
      measure(i - 3, i - 2);
      const row = rows[i - 3]!;
      return '│ ' + columns.map((c, j) => cell(c.text(row), j)).join(' │ ') + ' │';
    },
  };
}
