/**
 * The prompt's text and cursor, edited Emacs/readline style. Pure: every operation returns a new
 * state, so the prompt component, history and completion share one simple value.
 */
export interface EditState {
  readonly text: string;
  /** cursor position in UTF-16 code units, 0..text.length */
  readonly cursor: number;
}

export const EMPTY: EditState = { text: '', cursor: 0 };

export function withText(text: string): EditState {
  return { text, cursor: text.length };
}

export function insert(s: EditState, typed: string): EditState {
  return { text: s.text.slice(0, s.cursor) + typed + s.text.slice(s.cursor), cursor: s.cursor + typed.length };
}

/** replaces text[start, end) and puts the cursor after the replacement */
export function replaceRange(s: EditState, start: number, end: number, by: string): EditState {
  return { text: s.text.slice(0, start) + by + s.text.slice(end), cursor: start + by.length };
}

export function backspace(s: EditState): EditState {
  if (s.cursor === 0) return s;
  const step = isLowSurrogate(s.text, s.cursor - 1) ? 2 : 1;
  return replaceRange(s, s.cursor - step, s.cursor, '');
}

export function deleteForward(s: EditState): EditState {
  if (s.cursor >= s.text.length) return s;
  const step = isLowSurrogate(s.text, s.cursor + 1) ? 2 : 1;
  return { text: s.text.slice(0, s.cursor) + s.text.slice(s.cursor + step), cursor: s.cursor };
}

function isLowSurrogate(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
}

export function left(s: EditState): EditState {
  if (s.cursor === 0) return s;
  return { text: s.text, cursor: s.cursor - (isLowSurrogate(s.text, s.cursor - 1) ? 2 : 1) };
}

export function right(s: EditState): EditState {
  if (s.cursor >= s.text.length) return s;
  return { text: s.text, cursor: s.cursor + (isLowSurrogate(s.text, s.cursor + 1) ? 2 : 1) };
}

function lineStart(s: EditState): number {
  return s.text.lastIndexOf('\n', s.cursor - 1) + 1;
}

function lineEnd(s: EditState): number {
  const nl = s.text.indexOf('\n', s.cursor);
  return nl < 0 ? s.text.length : nl;
}

/** Home / Ctrl-A: start of the current line */
export function home(s: EditState): EditState {
  return { text: s.text, cursor: lineStart(s) };
}

/** End / Ctrl-E: end of the current line */
export function end(s: EditState): EditState {
  return { text: s.text, cursor: lineEnd(s) };
}

/** Ctrl-K: delete to the end of the line */
export function killToEnd(s: EditState): EditState {
  const e = lineEnd(s);
  // at the end of a line, join it with the next as readline does
  const stop = e === s.cursor && e < s.text.length ? e + 1 : e;
  return { text: s.text.slice(0, s.cursor) + s.text.slice(stop), cursor: s.cursor };
}

/** Ctrl-U: delete to the start of the line */
export function killToStart(s: EditState): EditState {
  return replaceRange(s, lineStart(s), s.cursor, '');
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

function wordStartBefore(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && !isWordChar(text[i - 1])) i--;
  while (i > 0 && isWordChar(text[i - 1])) i--;
  return i;
}

function wordEndAfter(text: string, cursor: number): number {
  let i = cursor;
  while (i < text.length && !isWordChar(text[i])) i++;
  while (i < text.length && isWordChar(text[i])) i++;
  return i;
}

/** Ctrl-W: delete the whitespace-separated word before the cursor */
export function deleteWordBack(s: EditState): EditState {
  let i = s.cursor;
  while (i > 0 && /\s/.test(s.text[i - 1]!)) i--;
  while (i > 0 && !/\s/.test(s.text[i - 1]!)) i--;
  return replaceRange(s, i, s.cursor, '');
}

/** Alt-B */
export function wordLeft(s: EditState): EditState {
  return { text: s.text, cursor: wordStartBefore(s.text, s.cursor) };
}

/** Alt-F */
export function wordRight(s: EditState): EditState {
  return { text: s.text, cursor: wordEndAfter(s.text, s.cursor) };
}

/** Alt-D */
export function deleteWordForward(s: EditState): EditState {
  return { text: s.text.slice(0, s.cursor) + s.text.slice(wordEndAfter(s.text, s.cursor)), cursor: s.cursor };
}

/** Up/Down inside a multi-line text: same column on the previous/next line, or undefined at the edge */
export function verticalMove(s: EditState, delta: -1 | 1): EditState | undefined {
  const start = lineStart(s);
  const column = s.cursor - start;
  if (delta < 0) {
    if (start === 0) return undefined;
    const prevStart = s.text.lastIndexOf('\n', start - 2) + 1;
    return { text: s.text, cursor: Math.min(prevStart + column, start - 1) };
  }
  const e = lineEnd(s);
  if (e >= s.text.length) return undefined;
  const nextEnd = s.text.indexOf('\n', e + 1);
  return { text: s.text, cursor: Math.min(e + 1 + column, nextEnd < 0 ? s.text.length : nextEnd) };
}
