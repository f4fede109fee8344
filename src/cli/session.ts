/**
 * A flowsh session: the loaded capture and the statements run against it. Used by `-e`/`-f`,
 * piped scripts and the interactive shells; it writes through `SessionIo` so a UI can capture it.
 */
import { loadCapture, type LoadedCapture } from '../store/load.ts';
import { CaptureOpenError, formatWarning } from '../capture/types.ts';
import { parseStatement, splitStatements, executeStatement, QueryError, type Statement, type QueryResult } from '../query/index.ts';
import { renderRows, type OutputFormat, type RowSet } from '../output/format.ts';
import { reportJson, reportLines } from '../report/report.ts';
import { helpText } from './help.ts';
import { schemaCatalog } from './schemaCatalog.ts';
import { escapeText } from '../output/escape.ts';

export interface SessionIo {
  out(text: string): void;
  err(text: string): void;
}

export interface SessionOptions {
  format: OutputFormat;
  color: boolean;
  width: number;
  timing: boolean;
}

export type RunResult = 'ok' | 'error' | 'quit';

const RED = '\x1b[31m', RESET = '\x1b[0m';

export class Session {
  capture: LoadedCapture | undefined;
  readonly history: string[] = [];
  private statementNo = 0;

  constructor(private readonly io: SessionIo, readonly options: SessionOptions) {}

  private error(text: string): void {
    this.io.err(this.options.color ? `${RED}${text}${RESET}\n` : `${text}\n`);
  }

  /** Loads a capture; on failure prints one line and keeps what was loaded before. */
  async load(path: string, opts: { summary: boolean; signal?: AbortSignal } = { summary: true }): Promise<boolean> {
    const started = performance.now();
    let loaded: LoadedCapture;
    try {
      loaded = await loadCapture(path, { signal: opts.signal });
    } catch (e) {
      if (e instanceof CaptureOpenError) this.error(`flowsh: ${escapeText(e.message)}`);
      else this.error(`flowsh: ${escapeText(path)}: ${escapeText((e as Error).message)}`);
      return false;
    }
    if (this.options.timing) this.io.err(`load: ${(performance.now() - started).toFixed(1)} ms\n`);
    this.capture?.close();
    this.capture = loaded;
    for (const w of loaded.warnings) this.io.err(`flowsh: ${escapeText(formatWarning(w))}\n`);
    if (opts.summary) this.io.out(this.summary(loaded) + '\n');
    return true;
  }

  summary(c: LoadedCapture): string {
    const r = c.report;
    const span = r.packets > 0 ? `, ${r.firstTime} - ${r.lastTime} (${r.duration} s)` : '';
    const extra: string[] = [];
    if (r.warnings.length > 0) extra.push(`${r.warnings.length + r.warningsSuppressed} warnings`);
    if (r.truncatedPackets > 0) extra.push(`${r.truncatedPackets} truncated packets`);
    if (r.unsupportedLinkTypes.length > 0) extra.push(`${r.unsupportedLinkTypes.reduce((a, u) => a + u.packets, 0)} packets of unsupported link types`);
    if (r.cancelled) extra.push('load cancelled');
    return `Loaded ${escapeText(c.file)}: ${r.packets} packets, ${r.flowIndexes} flows (${r.flows} A/B rows)${span}` +
      (extra.length ? `; ${extra.join(', ')}` : '');
  }

  /** True while the text cannot be a whole statement yet (open parentheses or quotes). */
  isIncomplete(text: string): boolean {
    let depth = 0;
    let quote = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quote) { if (c === '\\') i++; else if (c === quote) quote = ''; continue; }
      if (c === '"' || c === "'") quote = c;
      else if (c === '#') { const nl = text.indexOf('\n', i); if (nl < 0) break; i = nl; }
      else if (c === '(') depth++;
      else if (c === ')') depth--;
    }
    return depth > 0 || text.trimEnd().endsWith('\\');
  }

  /** Runs every statement of a script; a failed statement does not stop the others. */
  async runScript(script: string): Promise<RunResult> {
    let result: RunResult = 'ok';
    for (const s of splitStatements(script)) {
      const r = await this.runStatement(s.text);
      if (r === 'quit') return 'quit';
      if (r === 'error') result = 'error';
    }
    return result;
  }

  async runStatement(text: string): Promise<RunResult> {
    this.history.push(text);
    const no = ++this.statementNo;
    const started = performance.now();
    try {
      const statement = parseStatement(text);
      return await this.execute(statement);
    } catch (e) {
      if (e instanceof QueryError) this.error(e.format());
      else this.error(`flowsh: ${escapeText((e as Error).message)}`);
      return 'error';
    } finally {
      if (this.options.timing) this.io.err(`statement ${no}: ${(performance.now() - started).toFixed(1)} ms\n`);
    }
  }

  private requireCapture(statement: Statement): LoadedCapture {
    if (!this.capture) throw QueryError.at('no capture loaded: start flowsh with a capture file or use load FILE', statement.text, statement.span);
    return this.capture;
  }

  private print(result: QueryResult): void {
    const set: RowSet = { columns: result.columns, rowCount: result.rowCount, row: (i) => result.rows[i]! };
    if (result.title && this.options.format === 'table') this.io.out(`${escapeText(result.title)}\n`);
    this.io.out(renderRows(set, this.options.format, { width: this.options.width, color: this.options.color }));
  }

  private async execute(statement: Statement): Promise<RunResult> {
    switch (statement.kind) {
      case 'query':
        this.print(executeStatement(statement, this.requireCapture(statement).catalog)!);
        return 'ok';
      case 'explain':
      case 'columns':
        this.print(executeStatement(statement, this.capture?.catalog ?? schemaCatalog())!);
        return 'ok';
      case 'report': {
        const r = this.requireCapture(statement).report;
        if (this.options.format === 'json') this.io.out(reportJson(r) + '\n');
        else this.io.out(reportLines(r).map(escapeText).join('\n') + '\n');
        return 'ok';
      }
      case 'help':
        this.io.out(helpText(statement.topic, this.capture?.catalog ?? schemaCatalog()));
        return 'ok';
      case 'load':
        return (await this.load(statement.path)) ? 'ok' : 'error';
      case 'history':
        this.io.out(this.history.map((h, i) => `${String(i + 1).padStart(5)}  ${escapeText(h)}`).join('\n') + '\n');
        return 'ok';
      case 'clear':
        if (process.stdout.isTTY) this.io.out('\x1b[2J\x1b[H');
        return 'ok';
      case 'quit':
        return 'quit';
      default:
        throw QueryError.at(`statement '${(statement as Statement).kind}' is not available here`, (statement as Statement).text, (statement as Statement).span);
    }
  }

  close(): void {
    this.capture?.close();
    this.capture = undefined;
  }
}
