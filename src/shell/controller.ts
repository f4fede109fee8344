/**
 * The interactive shell's state and key handling, apart from React: App.tsx draws what this holds
 * and forwards keys and resizes. Statements run through the same Session as `-e`; its output lands
 * in the transcript, long output in the pager.
 */
import { statSync } from 'node:fs';
import { Session, type SessionOptions } from '../cli/session.ts';
import { schemaCatalog } from '../cli/schemaCatalog.ts';
import { renderRows, type RowSet } from '../output/format.ts';
import { escapeText } from '../output/escape.ts';
import type { QueryResult } from '../query/index.ts';
import type { Catalog } from '../store/table.ts';
import { applyCompletion, complete, type CompletionItem } from './completion.ts';
import { isUnfinished, joinContinuedLines } from './continuation.ts';
import { appendHistory, HistoryCursor, pushEntry, readHistory, searchBackward } from './history.ts';
import { pastedText, type KeyEvent } from './keys.ts';
import * as ed from './lineEditor.ts';
import * as pg from './pager.ts';
import { tableContent } from './tableLines.ts';

export const PROMPT = 'flowsh> ';
export const CONTINUATION = '   ...> ';

export type EntryKind = 'echo' | 'out' | 'err' | 'note' | 'result';

export interface TranscriptEntry {
  readonly id: number;
  readonly kind: EntryKind;
  /** escaped text without a trailing newline */
  readonly text: string;
}

export interface LoadProgressView {
  readonly file: string;
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly packets: number;
  readonly startedAt: number;
  readonly now: number;
}

export type Mode = 'loading' | 'prompt' | 'search' | 'running' | 'pager' | 'done';

export interface ShellOptions {
  readonly session: SessionOptions;
  readonly columns: number;
  readonly rows: number;
  /** where history is kept; undefined keeps it in memory only */
  readonly historyFile?: string;
  readonly cwd?: string;
  /** clock for rates and time left */
  readonly now?: () => number;
}

/** a rendered result waiting for the pager */
interface Pending { readonly content: pg.PagerContent }

/** a search is one line: what is pasted into it stops at the first line end */
const firstLine = (pasted: string): string => pastedText(pasted).split('\n')[0]!;

export class ShellController {
  readonly session: Session;
  /** replaced, not mutated, on every entry: Ink's Static notices new items by the array's identity */
  transcript: readonly TranscriptEntry[] = [];
  mode: Mode = 'prompt';
  edit: ed.EditState = ed.EMPTY;
  completions: readonly CompletionItem[] = [];
  /** a function's signature after Tab completed its name */
  hint: string | undefined;
  progress: LoadProgressView | undefined;
  pager: pg.PagerState | undefined;
  /** Ctrl-R: the text searched for and the index of the entry found (-1: none) */
  searchQuery = '';
  searchIndex = -1;
  /** counts `clear` and Ctrl-L: the UI clears the screen when it changes */
  clearRequested = 0;
  columns: number;
  rows: number;
  /** colour on a terminal without NO_COLOR; the session itself prints plain text */
  readonly color: boolean;

  private readonly history: string[];
  private historyCursor: HistoryCursor;
  private nextId = 1;
  private listeners = new Set<() => void>();
  private running: AbortController | undefined;
  private pagerQueue: Pending[] = [];
  /** output of the statement being run, shown when it ends */
  private chunks: { kind: 'out' | 'err' | 'note'; text: string }[] = [];
  private readonly now: () => number;
  private lastProgressRender = 0;
  private clearAfterRun = false;
  /** keys typed while a load or statement runs, for the prompt after it */
  private typeahead: KeyEvent[] = [];

  constructor(private readonly options: ShellOptions) {
    this.columns = options.columns;
    this.rows = options.rows;
    this.now = options.now ?? (() => performance.now());
    this.color = options.session.color;
    this.session = new Session({
      out: (text) => this.output('out', text),
      err: (text) => this.output('err', text),
      result: (result) => this.showResult(result),
      // `clear` inside a script: what came before it goes, the screen is cleared when the run ends
      clear: () => { this.chunks = []; this.clearAfterRun = true; },
      history: () => this.history,
    }, { ...options.session, width: options.columns, color: false });
    this.history = options.historyFile ? readHistory(options.historyFile) : [];
    this.historyCursor = new HistoryCursor(this.history);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  get catalog(): Catalog {
    return this.session.capture?.catalog ?? schemaCatalog();
  }

  /** Ctrl-C was pressed during the load or statement that is still running */
  get stopping(): boolean {
    return this.running?.signal.aborted ?? false;
  }

  get historyEntries(): readonly string[] {
    return this.history;
  }

  private push(kind: EntryKind, text: string): void {
    const trimmed = text.replace(/\n$/, '');
    this.transcript = [...this.transcript, { id: this.nextId++, kind, text: trimmed }];
  }

  private output(kind: 'out' | 'err', text: string): void {
    // the Session's own `clear` (inside a script) writes a clear-screen sequence: the UI clears instead
    if (text.includes('\x1b[2J')) {
      this.chunks = [];
      this.clearAfterRun = true;
      return;
    }
    if (this.mode === 'running' || this.mode === 'loading') this.chunks.push({ kind, text });
    else this.push(kind, text);
  }

  // ------------------------------------------------------------------ results and long output

  private tableText(result: QueryResult, width: number, color: boolean): string {
    const set: RowSet = { columns: result.columns, rowCount: result.rowCount, row: (i) => result.rows[i]! };
    return renderRows(set, 'table', { width, color });
  }

  /** inline when it fits the screen, else in the pager (which also scrolls sideways); other formats print as text */
  private showResult(result: QueryResult): boolean {
    if (this.session.options.format !== 'table') return false;
    const title = result.title ? escapeText(result.title) : undefined;
    // a table has 4 lines of borders and header; the prompt and a little context stay in view
    const fitsHeight = result.rowCount + 4 + (title ? 1 : 0) + 3 <= this.rows;
    let tooWide = false;
    if (fitsHeight) {
      const plain = this.tableText(result, this.columns, false).replace(/\n$/, '').split('\n');
      tooWide = plain.some((l) => l.length > this.columns);
      if (!tooWide) {
        const text = this.color ? this.tableText(result, this.columns, true) : plain.join('\n') + '\n';
        this.chunks.push({ kind: 'out', text: (title ? title + '\n' : '') + text });
        return true;
      }
    }
    const limited = result.totalRows > result.rowCount;
    const content = tableContent(result, { title, note: limited ? `(${result.totalRows} before limit)` : undefined });
    this.pagerQueue.push({ content });
    const hint = tooWide || content.width > this.columns ? '; narrow it with select COL, ...' : '';
    this.chunks.push({ kind: 'note', text: `(${result.rowCount} rows, ${result.columns.length} columns shown in the pager${hint})\n` });
    return true;
  }

  /** ends a statement: its output into the transcript (or the pager when long), then the pager */
  private flush(): void {
    const outLines = this.chunks.filter((c) => c.kind === 'out').reduce((n, c) => n + c.text.split('\n').length - 1, 0);
    if (outLines + 3 > this.rows) {
      const text = this.chunks.filter((c) => c.kind === 'out').map((c) => c.text).join('').replace(/\n$/, '');
      this.pagerQueue.unshift({ content: pg.linesContent(text.split('\n')) });
      for (const c of this.chunks) if (c.kind !== 'out') this.push(c.kind, c.text);
    } else {
      for (const c of this.chunks) this.push(c.kind, c.text);
    }
    this.chunks = [];
    this.openNextPager();
  }

  private openNextPager(): boolean {
    const next = this.pagerQueue.shift();
    if (!next) return false;
    this.pager = pg.openPager(next.content, this.columns, this.rows - 1);
    this.mode = 'pager';
    return true;
  }

  // ------------------------------------------------------------------ loading and running

  private progressCallback(file: string) {
    const startedAt = this.now();
    let size = 0;
    try { size = statSync(file).size; } catch { /* the load reports it */ }
    this.progress = { file, bytesRead: 0, totalBytes: size, packets: 0, startedAt, now: startedAt };
    return (bytesRead: number, totalBytes: number, packets: number): void => {
      const now = this.now();
      this.progress = { file, bytesRead, totalBytes, packets, startedAt, now };
      // a redraw per chunk would cost more than the load; ten a second is plenty. The last one is
      // always drawn: the tables are built after it, in one go, and the screen should say so
      if (now - this.lastProgressRender >= 100 || (totalBytes > 0 && bytesRead >= totalBytes)) {
        this.lastProgressRender = now;
        this.changed();
      }
    };
  }

  /** loads the capture named on the command line, with a progress bar */
  async start(capture: string | undefined): Promise<void> {
    if (capture === undefined) {
      this.push('note', "no capture loaded: 'load FILE' opens one, 'help' lists what flowsh knows, Ctrl-D leaves");
      this.changed();
      return;
    }
    this.mode = 'loading';
    this.running = new AbortController();
    const progress = this.progressCallback(capture);
    this.changed();
    await this.session.load(capture, { summary: true, signal: this.running.signal, progress });
    this.finishRun();
  }

  private finishRun(): void {
    this.running = undefined;
    this.progress = undefined;
    if (this.clearAfterRun) {
      // output after the clear waits for it (cleared() comes back here)
      this.clearAfterRun = false;
      this.requestClear();
      return;
    }
    this.mode = 'prompt';
    this.flush();
    this.replayTypeahead();
    this.changed();
  }

  private replayTypeahead(): void {
    // a Return among them starts the next statement, which queues the rest again; a pager keeps them for after
    while (this.typeahead.length > 0 && (this.mode === 'prompt' || this.mode === 'search')) this.key(this.typeahead.shift()!);
  }

  async submit(text: string): Promise<void> {
    const clear = /^\s*clear\s*;?\s*$/i.test(text);
    if (!clear) this.echo(text, '');
    if (pushEntry(this.history, text) && this.options.historyFile) appendHistory(this.options.historyFile, text, this.history);
    this.historyCursor = new HistoryCursor(this.history);
    this.edit = ed.EMPTY;
    this.completions = [];
    if (clear) {
      this.requestClear();
      return;
    }
    const loadWord = /^\s*load\s+["']?([^"';]*)/i.exec(text);
    this.mode = 'running';
    this.running = new AbortController();
    const progress = loadWord ? this.progressCallback(loadWord[1]!.trim()) : undefined;
    this.changed();
    const result = await this.session.runScript(joinContinuedLines(text), { signal: this.running.signal, progress });
    if (result === 'quit') {
      this.flush();
      this.quit();
      return;
    }
    this.finishRun();
  }

  /**
   * The UI clears the screen after its next render and then calls cleared(); until then keys wait,
   * so nothing typed after `clear` is printed before the screen is wiped.
   */
  private requestClear(): void {
    this.clearRequested++;
    this.mode = 'running';
    this.changed();
  }

  cleared(): void {
    if (this.mode === 'running' && !this.running) this.finishRun();
  }

  private echo(text: string, mark: string): void {
    const lines = text.split('\n').map((l, i) => (i === 0 ? PROMPT : CONTINUATION) + escapeText(l));
    this.push('echo', lines.join('\n') + mark);
  }

  quit(): void {
    this.mode = 'done';
    this.pager = undefined;
    this.session.close();
    this.changed();
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.session.options.width = columns;
    if (this.pager) this.pager = pg.resizePager(this.pager, columns, rows - 1);
    this.changed();
  }

  // ------------------------------------------------------------------ keys

  key(k: KeyEvent): void {
    // typed fast, several characters come as one text event; outside the prompt each is a command
    if (this.mode !== 'prompt' && k.name === 'text' && !k.ctrl && !k.meta && k.text.length > 1) {
      for (const c of k.text) this.key({ ...k, text: c });
      return;
    }
    switch (this.mode) {
      case 'loading':
      case 'running':
        if (k.ctrl && k.text === 'c') {
          // the session says what was stopped (a cut load keeps what it read, and says so)
          this.running?.abort();
          this.typeahead = [];
          this.changed();
        } else {
          this.typeahead.push(k);
        }
        return;
      case 'pager': this.pagerKey(k); break;
      case 'search': this.searchKey(k); break;
      case 'prompt': this.promptKey(k); break;
      case 'done': return;
    }
    this.changed();
  }

  private promptKey(k: KeyEvent): void {
    const s = this.edit;
    const hadList = this.completions.length > 0;
    this.completions = [];
    this.hint = undefined;
    if (k.ctrl) {
      switch (k.text) {
        case 'a': this.edit = ed.home(s); return;
        case 'e': this.edit = ed.end(s); return;
        case 'b': this.edit = ed.left(s); return;
        case 'f': this.edit = ed.right(s); return;
        case 'k': this.edit = ed.killToEnd(s); return;
        case 'u': this.edit = ed.killToStart(s); return;
        case 'w': this.edit = ed.deleteWordBack(s); return;
        case 'p': this.historyUp(); return;
        case 'n': this.historyDown(); return;
        case 'l': this.requestClear(); return;
        case 'r': this.mode = 'search'; this.searchQuery = ''; this.searchIndex = -1; return;
        case 'c':
          this.echo(s.text, '^C');
          this.edit = ed.EMPTY;
          this.historyCursor = new HistoryCursor(this.history);
          return;
        case 'd':
          if (s.text === '') this.quit();
          else this.edit = ed.deleteForward(s);
          return;
        default: return;
      }
    }
    if (k.meta) {
      switch (k.name === 'text' ? k.text : k.name) {
        case 'b': case 'left': this.edit = ed.wordLeft(s); return;
        case 'f': case 'right': this.edit = ed.wordRight(s); return;
        case 'd': this.edit = ed.deleteWordForward(s); return;
        case 'backspace': this.edit = ed.deleteWordBack(s); return;
        case 'return': this.edit = ed.insert(s, '\n'); return;
        default: return;
      }
    }
    switch (k.name) {
      case 'text': this.edit = ed.insert(s, k.text); return;
      case 'paste': this.edit = ed.insert(s, pastedText(k.text)); return;
      case 'left': this.edit = ed.left(s); return;
      case 'right': this.edit = ed.right(s); return;
      case 'home': this.edit = ed.home(s); return;
      case 'end': this.edit = ed.end(s); return;
      case 'backspace': this.edit = ed.backspace(s); return;
      case 'delete': this.edit = ed.deleteForward(s); return;
      case 'up': { const moved = ed.verticalMove(s, -1); if (moved) this.edit = moved; else this.historyUp(); return; }
      case 'down': { const moved = ed.verticalMove(s, 1); if (moved) this.edit = moved; else this.historyDown(); return; }
      case 'tab': this.tab(hadList); return;
      case 'return':
        if (isUnfinished(s.text)) { this.edit = ed.insert(s, '\n'); return; }
        if (s.text.trim() === '') { this.echo(s.text, ''); this.edit = ed.EMPTY; return; }
        void this.submit(s.text);
        return;
      case 'escape': return;
      default: return;
    }
  }

  private tab(_hadList: boolean): void {
    const completion = complete(this.edit.text, this.edit.cursor, { catalog: this.catalog, cwd: this.options.cwd ?? process.cwd() });
    const { state, list } = applyCompletion(this.edit, completion);
    this.edit = state;
    this.completions = list;
    if (completion.items.length === 1 && completion.items[0]!.kind === 'function') this.hint = completion.items[0]!.detail;
  }

  private historyUp(): void {
    const entry = this.historyCursor.previous(this.edit.text);
    if (entry !== undefined) this.edit = ed.withText(entry);
  }

  private historyDown(): void {
    const entry = this.historyCursor.next();
    if (entry !== undefined) this.edit = ed.withText(entry);
  }

  private searchKey(k: KeyEvent): void {
    const found = this.searchIndex >= 0 ? this.history[this.searchIndex] : undefined;
    if (k.ctrl && k.text === 'r') {
      const older = searchBackward(this.history, this.searchQuery, this.searchIndex >= 0 ? this.searchIndex : this.history.length);
      if (older >= 0) this.searchIndex = older;
      return;
    }
    if ((k.ctrl && (k.text === 'g' || k.text === 'c')) || k.name === 'escape') {
      this.mode = 'prompt';
      return;
    }
    if ((k.name === 'text' && !k.ctrl && !k.meta) || k.name === 'paste') {
      this.searchQuery += k.name === 'paste' ? firstLine(k.text) : k.text;
      this.searchIndex = searchBackward(this.history, this.searchQuery);
      return;
    }
    if (k.name === 'backspace') {
      this.searchQuery = this.searchQuery.slice(0, -1);
      this.searchIndex = this.searchQuery ? searchBackward(this.history, this.searchQuery) : -1;
      return;
    }
    // any other key takes the entry found to the prompt; Enter also runs it
    this.mode = 'prompt';
    if (found !== undefined) this.edit = ed.withText(found);
    if (k.name === 'return') this.promptKey(k);
  }

  private pagerKey(k: KeyEvent): void {
    const p = this.pager!;
    if (p.searchInput !== undefined) {
      if (k.name === 'return') this.pager = pg.search(p, p.searchInput, false);
      else if (k.name === 'escape' || (k.ctrl && (k.text === 'c' || k.text === 'g'))) this.pager = { ...p, searchInput: undefined };
      else if (k.name === 'backspace') this.pager = { ...p, searchInput: p.searchInput.slice(0, -1) };
      else if (k.name === 'text' && !k.ctrl && !k.meta) this.pager = { ...p, searchInput: p.searchInput + k.text };
      else if (k.name === 'paste') this.pager = { ...p, searchInput: p.searchInput + firstLine(k.text) };
      return;
    }
    const page = pg.pageSize(p);
    if (k.ctrl) {
      if (k.text === 'c' || k.text === 'd') this.closePager();
      else if (k.text === 'f') this.pager = pg.scrollBy(p, page);
      else if (k.text === 'b') this.pager = pg.scrollBy(p, -page);
      return;
    }
    switch (k.name) {
      case 'up': this.pager = pg.scrollBy(p, -1); return;
      case 'down': case 'return': this.pager = pg.scrollBy(p, 1); return;
      case 'pageup': this.pager = pg.scrollBy(p, -page); return;
      case 'pagedown': this.pager = pg.scrollBy(p, page); return;
      case 'home': this.pager = pg.scrollTo(p, 0); return;
      case 'end': this.pager = pg.scrollTo(p, Number.MAX_SAFE_INTEGER); return;
      case 'left': this.pager = pg.scrollSideways(p, -Math.max(8, Math.floor(p.width / 2))); return;
      case 'right': this.pager = pg.scrollSideways(p, Math.max(8, Math.floor(p.width / 2))); return;
      case 'escape': this.closePager(); return;
      case 'text':
        switch (k.text) {
          case 'q': case 'Q': this.closePager(); return;
          case ' ': case 'f': this.pager = pg.scrollBy(p, page); return;
          case 'b': this.pager = pg.scrollBy(p, -page); return;
          case 'j': this.pager = pg.scrollBy(p, 1); return;
          case 'k': this.pager = pg.scrollBy(p, -1); return;
          case 'g': case '<': this.pager = pg.scrollTo(p, 0); return;
          case 'G': case '>': this.pager = pg.scrollTo(p, Number.MAX_SAFE_INTEGER); return;
          case '/': this.pager = { ...p, searchInput: '' }; return;
          case 'n': if (p.lastSearch) this.pager = pg.search(p, p.lastSearch, true); return;
          default: return;
        }
      default: return;
    }
  }

  private closePager(): void {
    this.pager = undefined;
    this.mode = 'prompt';
    if (!this.openNextPager()) this.replayTypeahead();
  }
}
