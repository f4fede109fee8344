/**
 * The pager's model: lines of a long result with a frozen header, scrolled by rows and sideways,
 * searched with `/`. Lines are produced on demand, so a million-row result costs only the rows on
 * screen. Pure functions over an immutable state; Pager.tsx draws it.
 */
export interface PagerContent {
  /** every line, header and footer included */
  readonly lineCount: number;
  /** line i, already escaped text */
  line(i: number): string;
  /** the widest line, for sideways scrolling (it may grow as `measure` sees more lines) */
  readonly width: number;
  /** called before body lines [first, last) are drawn, so they and the header agree on widths */
  measure?(first: number, last: number): void;
  /** lines kept at the top while scrolling (a table's border and column names) */
  readonly headerLines: number;
  /** lines kept at the bottom (a table's closing border) */
  readonly footerLines: number;
  /** what a body line is called in the status line: "rows 1-20 of 300" */
  readonly unit: 'rows' | 'lines';
  /** a heading shown above the header (explain's sentence), and a note for the status line */
  readonly title?: string;
  readonly note?: string;
}

/** content from lines already at hand */
export function linesContent(
  lines: readonly string[], extra: Omit<PagerContent, 'lineCount' | 'line' | 'width' | 'headerLines' | 'footerLines' | 'unit'> &
    Partial<Pick<PagerContent, 'headerLines' | 'footerLines' | 'unit'>> = {},
): PagerContent {
  let width = 0;
  for (const l of lines) if (l.length > width) width = l.length;
  return { headerLines: 0, footerLines: 0, unit: 'lines', ...extra, lineCount: lines.length, line: (i) => lines[i]!, width };
}

export interface PagerState {
  readonly content: PagerContent;
  /** index of the first visible body line */
  readonly top: number;
  /** columns scrolled to the right */
  readonly left: number;
  /** screen size the pager may use */
  readonly width: number;
  readonly height: number;
  /** the search being typed after `/`, or undefined */
  readonly searchInput?: string;
  readonly lastSearch?: string;
  readonly message?: string;
}

export function openPager(content: PagerContent, width: number, height: number): PagerState {
  return { content, top: 0, left: 0, width, height };
}

export function bodyCount(content: PagerContent): number {
  return Math.max(0, content.lineCount - content.headerLines - content.footerLines);
}

/** body lines that fit: the screen minus header, footer, title and the status line */
export function pageSize(s: PagerState): number {
  const chrome = s.content.headerLines + s.content.footerLines + (s.content.title ? 1 : 0) + 1;
  return Math.max(1, s.height - chrome);
}

function maxTop(s: PagerState): number {
  return Math.max(0, bodyCount(s.content) - pageSize(s));
}

export function maxLeft(s: PagerState): number {
  return Math.max(0, s.content.width - s.width);
}

export function scrollTo(s: PagerState, top: number): PagerState {
  return { ...s, top: Math.max(0, Math.min(maxTop(s), top)), message: undefined };
}

export function scrollBy(s: PagerState, rows: number): PagerState {
  return scrollTo(s, s.top + rows);
}

export function scrollSideways(s: PagerState, columns: number): PagerState {
  return { ...s, left: Math.max(0, Math.min(maxLeft(s), s.left + columns)) };
}

export function resizePager(s: PagerState, width: number, height: number): PagerState {
  const r = { ...s, width, height };
  return { ...r, top: Math.min(r.top, maxTop(r)), left: Math.min(r.left, maxLeft(r)) };
}

/** the visible lines, header and footer included, cut to the width from `left` */
export function visibleLines(s: PagerState): string[] {
  const { lineCount, headerLines, footerLines } = s.content;
  const bodyEnd = lineCount - footerLines;
  s.content.measure?.(s.top, s.top + pageSize(s));
  const indexes: number[] = [];
  for (let i = 0; i < headerLines; i++) indexes.push(i);
  for (let i = headerLines + s.top; i < Math.min(bodyEnd, headerLines + s.top + pageSize(s)); i++) indexes.push(i);
  for (let i = bodyEnd; i < lineCount; i++) indexes.push(i);
  return indexes.map((i) => s.content.line(i).slice(s.left, s.left + s.width));
}

/** "rows 1-20 of 300" */
export function statusText(s: PagerState): string {
  const n = bodyCount(s.content);
  const first = n === 0 ? 0 : s.top + 1;
  const last = Math.min(n, s.top + pageSize(s));
  const widest = maxLeft(s) + s.width;
  const sideways = maxLeft(s) > 0 ? `, columns ${s.left + 1}-${Math.min(widest, s.left + s.width)} of ${widest} (arrows)` : '';
  return `${s.content.unit} ${first}-${last} of ${n}${s.content.note ? ` ${s.content.note}` : ''}${sideways}`;
}

/** the next body line from `from` (wrapping around) that contains `query`, case-insensitive */
export function findLine(content: PagerContent, query: string, from: number): number {
  const n = bodyCount(content);
  const q = query.toLowerCase();
  for (let k = 0; k < n; k++) {
    const i = (from + k) % n;
    if (content.line(content.headerLines + i).toLowerCase().includes(q)) return i;
  }
  return -1;
}

/** runs a search (Enter after `/`, or `n` again from the line after the top) */
export function search(s: PagerState, query: string, fromNext: boolean): PagerState {
  if (query === '') return { ...s, searchInput: undefined };
  const found = findLine(s.content, query, fromNext ? s.top + 1 : s.top);
  if (found < 0) return { ...s, searchInput: undefined, lastSearch: query, message: `not found: ${query}` };
  // scrollTo stops at the last page, where the match is still in view
  return { ...scrollTo(s, found), searchInput: undefined, lastSearch: query, message: found < s.top ? 'search wrapped' : undefined };
}
