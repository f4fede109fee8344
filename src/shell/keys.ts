/**
 * Terminal input as key events. Ink hands over raw input in pieces (an escape sequence, or a run of
 * plain characters that may hold several keys when typed fast or pasted); this splits and names them.
 */
export type KeyName =
  | 'text' | 'paste' | 'return' | 'tab' | 'backtab' | 'backspace' | 'delete' | 'escape'
  | 'up' | 'down' | 'left' | 'right' | 'home' | 'end' | 'pageup' | 'pagedown' | 'unknown';

export interface KeyEvent {
  readonly name: KeyName;
  /** the characters typed, for `text`; everything pasted (raw, newlines included), for `paste` */
  readonly text: string;
  /** Ctrl-letter: `ctrl` is true and `text` holds the lower-case letter */
  readonly ctrl: boolean;
  /** Alt/Meta (ESC prefix) */
  readonly meta: boolean;
}

function key(name: KeyName, text = '', ctrl = false, meta = false): KeyEvent {
  return { name, text, ctrl, meta };
}

const CSI_KEYS: Readonly<Record<string, KeyName>> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', Z: 'backtab',
  '1~': 'home', '7~': 'home', '4~': 'end', '8~': 'end', '3~': 'delete', '5~': 'pageup', '6~': 'pagedown',
};

function escapeKey(seq: string): KeyEvent {
  if (seq === '\x1b' || seq === '\x1b\x1b') return key('escape');
  // ESC [ params final, or ESC O final (application cursor keys)
  const m = /^\x1b{1,2}(?:\[|O)([\d;]*)([A-Za-z~])$/.exec(seq);
  if (m) {
    const params = m[1]!.split(';');
    const final = m[2]!;
    const modifier = params.length > 1 ? Number(params[1]) - 1 : 0;
    const name = final === '~' ? CSI_KEYS[`${params[0]}~`] : CSI_KEYS[final];
    return key(name ?? 'unknown', '', (modifier & 4) !== 0, (modifier & 10) !== 0 || seq.startsWith('\x1b\x1b'));
  }
  const rest = seq.slice(1);
  if (rest === '\x7f' || rest === '\b') return key('backspace', '', false, true);
  if (rest === '\r') return key('return', '', false, true);
  if (rest.length === 1 && rest >= ' ') return key('text', rest, false, true);
  return key('unknown', '', false, true);
}

function controlKey(c: string): KeyEvent {
  switch (c) {
    case '\r': case '\n': return key('return');
    case '\t': return key('tab');
    case '\x7f': case '\b': return key('backspace');
    default: {
      const code = c.charCodeAt(0);
      if (code >= 1 && code <= 26) return key('text', String.fromCharCode(code + 96), true);
      return key('unknown');
    }
  }
}

/** Splits one piece of raw input into key events. */
export function parseKeys(raw: string): KeyEvent[] {
  if (raw.startsWith('\x1b')) return [escapeKey(raw)];
  const events: KeyEvent[] = [];
  let text = '';
  for (const c of raw) {
    const code = c.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) {
      if (text) { events.push(key('text', text)); text = ''; }
      events.push(controlKey(c));
    } else if (code >= 0x80 && code < 0xa0) {
      // C1 controls never enter the line
    } else {
      text += c;
    }
  }
  if (text) events.push(key('text', text));
  return events;
}

/** bracketed paste (DEC mode 2004): the terminal wraps pasted text in these */
export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';
export const BRACKETED_PASTE_ON = '\x1b[?2004h';
export const BRACKETED_PASTE_OFF = '\x1b[?2004l';

/**
 * parseKeys with memory across pieces of input: what arrives between the bracketed-paste markers
 * (in any number of pieces, escape sequences and newlines included) becomes one `paste` event,
 * so a pasted Return never runs a half-pasted statement.
 */
export class KeyReader {
  private pasted: string | undefined;

  read(raw: string): KeyEvent[] {
    if (this.pasted !== undefined) {
      const end = raw.indexOf(PASTE_END);
      if (end < 0) {
        this.pasted += raw;
        return [];
      }
      const text = this.pasted + raw.slice(0, end);
      this.pasted = undefined;
      const rest = raw.slice(end + PASTE_END.length);
      return [key('paste', text), ...(rest ? this.read(rest) : [])];
    }
    const start = raw.indexOf(PASTE_START);
    if (start < 0) return parseKeys(raw);
    this.pasted = '';
    const before = raw.slice(0, start), rest = raw.slice(start + PASTE_START.length);
    return [...(before ? parseKeys(before) : []), ...(rest ? this.read(rest) : [])];
  }
}

/**
 * Pasted text as it enters the line: line ends become newlines, tabs spaces, other control
 * characters and escape sequences go; the newline that ends a copied line is dropped, so nothing
 * runs before Enter.
 */
export function pastedText(raw: string): string {
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_]|.)?/g, '')
    .replace(/[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f]/g, '')
    .replace(/\n+$/, '');
}
