/** Plain-text layout for the teaching statements: word wrapping and the packet detail pane. */
import type { DetailField, PacketDetail } from './packetDetail.ts';

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(10, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= w) line += ' ' + word;
    else { lines.push(line); line = word; }
    while (line.length > w) { lines.push(line.slice(0, w)); line = line.slice(w); }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** A paragraph: the first line after `first`, the others after `rest` (both count towards `width`). */
export function paragraph(text: string, width: number, first = '', rest = first): string[] {
  return wrap(text, width - Math.max(first.length, rest.length)).map((l, i) => (i === 0 ? first : rest) + l);
}

const NAME_WIDTH = 26;
const VALUE_WIDTH = 26;

function fieldLines(f: DetailField, depth: number, width: number, out: string[]): void {
  const indent = '  '.repeat(depth + 1);
  const name = (indent + f.name).padEnd(NAME_WIDTH);
  const value = f.value;
  const meaningStart = NAME_WIDTH + 1 + VALUE_WIDTH + 1;
  if (!f.meaning) {
    out.push(`${name} ${value}`.trimEnd());
  } else if (value.length <= VALUE_WIDTH && width - meaningStart >= 30) {
    const lines = wrap(f.meaning, width - meaningStart);
    out.push(`${name} ${value.padEnd(VALUE_WIDTH)} ${lines[0]}`);
    for (const l of lines.slice(1)) out.push(' '.repeat(meaningStart) + l);
  } else {
    for (const l of paragraph(value, width, name + ' ', ' '.repeat(NAME_WIDTH + 1))) out.push(l);
    for (const l of paragraph(f.meaning, width, ' '.repeat(NAME_WIDTH + 3))) out.push(l);
  }
  for (const c of f.children ?? []) fieldLines(c, depth + 1, width, out);
}

/**
 * Last line of defence before the terminal: control characters and bidirectional overrides that
 * slipped into a line become \xHH / \u{...}. Field values are escaped where they are read from
 * packets (escapeBytes, Column.text), so backslashes are left alone here.
 */
export function safeLine(line: string): string {
  return line.replace(/[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => {
    const cp = c.codePointAt(0)!;
    return cp < 0x100 ? '\\x' + cp.toString(16).padStart(2, '0') : `\\u{${cp.toString(16)}}`;
  });
}

/** The detail pane as text lines, safe for a terminal. */
export function packetDetailText(d: PacketDetail, width: number): string {
  const out: string[] = [];
  for (const h of d.heading) out.push(...paragraph(h, width));
  for (const layer of d.layers) {
    out.push('');
    const range = layer.length > 0 ? `  [bytes ${layer.offset}-${layer.offset + layer.length - 1}]` : '';
    out.push(layer.title + range);
    for (const f of layer.fields) fieldLines(f, 0, width, out);
  }
  if (d.analysis.length) {
    out.push('', 'What flowsh\'s analyzers recorded for this packet (packets table; explain COLUMN=VALUE for more)');
    for (const f of d.analysis) fieldLines(f, 0, width, out);
  }
  return out.map(safeLine).join('\n') + '\n';
}
