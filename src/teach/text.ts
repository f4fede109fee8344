/** Plain-text layout for the teaching statements: word wrapping and the packet detail pane. */
import type { DetailField, PacketDetail } from './packetDetail.ts';
import type { FlowFact, FlowStory } from './flowStory.ts';

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

/** The story of a flow as wrapped paragraphs under section titles, safe for a terminal. */
export function flowStoryText(story: FlowStory, width: number): string {
  const out: string[] = [];
  for (const section of story.sections) {
    if (out.length) out.push('');
    out.push(section.title);
    const bits = section.facts.filter((f) => f.kind === 'flag-bit');
    for (const fact of section.facts) if (fact.kind !== 'flag-bit') out.push(...paragraph(fact.text, width, '  - ', '    '));
    if (bits.length) out.push(...flagBitLines(bits, width));
  }
  return out.map(safeLine).join('\n') + '\n';
}

/**
 * Flag bits compactly: per column one line of names with the packet that first set each (per
 * direction); bits that signal a problem get their sentence with the description below.
 */
function flagBitLines(facts: readonly FlowFact[], width: number): string[] {
  const out: string[] = [];
  const columns = [...new Set(facts.map((f) => f.column!))];
  for (const column of columns) {
    const ofColumn = facts.filter((f) => f.column === column);
    const names = [...new Set(ofColumn.map((f) => f.name!))];
    const items = names.map((name) => {
      const where = ofColumn.filter((f) => f.name === name).map((f) => `${f.dir}${f.packets?.length ? ` ${f.packets[0]}` : ''}`);
      return `${name} (${where.join(', ')})`;
    });
    out.push(...paragraph(items.join(', '), width, `  ${column.padEnd(16)} `, ' '.repeat(19)));
  }
  const notable = facts.filter((f) => f.level === 'warning' || f.level === 'error');
  const seen = new Set<string>();
  if (notable.length) out.push('  Worth a look:');
  for (const f of notable) {
    const key = `${f.column} ${f.bit}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const same = notable.filter((g) => g.column === f.column && g.bit === f.bit);
    const origins = [...new Set(same.map((g) => g.origin))];
    const origin = origins.length === 1 ? origins[0] : same.map((g) => `${g.dir}: ${g.origin}`).join('; ');
    out.push(...paragraph(`${f.column} ${f.name} on ${same.map((g) => g.dir).join(' and ')}: ${f.description}; ${origin}.`, width, '  - ', '    '));
  }
  return out;
}
