/**
 * Statement history: kept across runs in the user's state directory, one entry per line
 * (newlines and backslashes escaped), walked with Up/Down and searched with Ctrl-R.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const HISTORY_LIMIT = 1000;

/** $XDG_STATE_HOME/flowsh/history, else ~/.local/state/flowsh/history */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'flowsh', 'history');
}

export function encodeEntry(entry: string): string {
  return entry.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function decodeEntry(line: string): string {
  return line.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

export function readHistory(path: string): string[] {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return []; }
  const entries = text.split('\n').filter((l) => l !== '').map(decodeEntry);
  return entries.slice(-HISTORY_LIMIT);
}

/**
 * Appends one entry; rewrites the file when it has grown well past the limit. A history that
 * cannot be written (read-only home) is not worth an error in the middle of work.
 */
export function appendHistory(path: string, entry: string, all: readonly string[]): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (all.length > HISTORY_LIMIT * 1.5) writeFileSync(path, all.slice(-HISTORY_LIMIT).map((e) => encodeEntry(e) + '\n').join(''), { mode: 0o600 });
    else appendFileSync(path, encodeEntry(entry) + '\n', { mode: 0o600 });
  } catch { /* see above */ }
}

/** Up/Down through the entries; the text being typed is kept as the newest position. */
export class HistoryCursor {
  /** entries.length means "the line being typed" */
  private index: number;
  private draft = '';

  constructor(private readonly entries: readonly string[]) {
    this.index = entries.length;
  }

  /** the older entry, or undefined at the oldest */
  previous(current: string): string | undefined {
    if (this.index === 0) return undefined;
    if (this.index === this.entries.length) this.draft = current;
    this.index--;
    return this.entries[this.index];
  }

  /** the newer entry (the draft after the newest), or undefined when already on the draft */
  next(): string | undefined {
    if (this.index >= this.entries.length) return undefined;
    this.index++;
    return this.index === this.entries.length ? this.draft : this.entries[this.index];
  }
}

/**
 * Ctrl-R: the newest entry containing `query`, searching backwards from before `from`
 * (an index into entries); -1 when nothing matches.
 */
export function searchBackward(entries: readonly string[], query: string, from = entries.length): number {
  const q = query.toLowerCase();
  for (let i = Math.min(from, entries.length) - 1; i >= 0; i--) {
    if (entries[i]!.toLowerCase().includes(q)) return i;
  }
  return -1;
}

/** adds an entry unless it repeats the last one */
export function pushEntry(entries: string[], entry: string): boolean {
  if (entry.trim() === '' || entries[entries.length - 1] === entry) return false;
  entries.push(entry);
  return true;
}
