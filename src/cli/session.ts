/**
 * A flowsh session: the loaded capture and the statements run against it. Used by `-e`/`-f`,
 * piped scripts and the interactive shells; it writes through `SessionIo` so a UI can capture it.
 */
import { loadCapture, type LoadedCapture } from '../store/load.ts';
import { CaptureOpenError, formatWarning } from '../capture/types.ts';
import { parseStatement, splitStatements, executeStatement, executeStatementInterruptibly, QueryError, StatementCancelled, type Statement, type QueryResult } from '../query/index.ts';
import { renderRows, type OutputFormat, type RowSet } from '../output/format.ts';
import { reportJson, reportLines } from '../report/report.ts';
import { helpText } from './help.ts';
import { schemaCatalog } from './schemaCatalog.ts';
import { escapeText } from '../output/escape.ts';
import { followFlow } from '../reassembly/follow.ts';
import { tcpdumpLines } from '../output/tcpdump.ts';
import { carveFiles, withCarvedAs, withWriteFailures } from '../carve/carve.ts';
import { MemoryTable } from '../store/memoryTable.ts';
import type { TableDef } from '../schema/types.ts';
import { expandCaptureName, runExport, runSave } from '../export/statements.ts';
import { VERSION } from './usage.ts';
import { isTeachStatement, runTeachStatement } from '../teach/statements.ts';

const CARVED_TABLE: TableDef = {
  name: 'carved', description: 'What carve wrote',
  columns: [
    { name: 'dataFlow', type: 'u64', description: 'flowInd of the data connection' },
    { name: 'path', type: 'str', description: 'path as sent' },
    { name: 'verdict', type: 'str', description: 'the transfer\'s verdict (files table)' },
    { name: 'bytes', type: 'u64', description: 'bytes written (captured bytes only)' },
    { name: 'carvedAs', type: 'str', description: 'file name in the directory (empty: not written)' },
    { name: 'note', type: 'str', description: 'why a transfer was not written' },
  ],
};

export interface SessionIo {
  out(text: string): void;
  err(text: string): void;
  /** a UI that draws query results itself returns true (e.g. to page them); otherwise they are printed */
  result?(result: QueryResult): boolean;
  /** bytes written unchanged (follow ... as raw); without it raw output is refused */
  outBytes?(bytes: Uint8Array): void;
  /** a UI that manages the screen clears it itself for `clear` */
  clear?(): void;
  /** a UI with a history of its own (the one Up recalls, kept across runs) lists it for `history` */
  history?(): readonly string[];
}

/** bytes read so far, the file's size, packets read so far */
export type LoadProgress = (bytesRead: number, totalBytes: number, packets: number) => void;

/** what a UI passes to a running statement: Ctrl-C aborts a load and the statements after it */
export interface RunControl {
  signal?: AbortSignal;
  progress?: LoadProgress;
}

export interface SessionOptions {
  format: OutputFormat;
  color: boolean;
  width: number;
  timing: boolean;
}

export type RunResult = 'ok' | 'error' | 'quit';

const RED = '\x1b[31m', RESET = '\x1b[0m';

/** epoch seconds text ("1710408413.334612") as UTC date and time, keeping its digits */
function utcTime(seconds: string): string {
  const [whole, fraction] = seconds.split('.');
  const date = new Date(Number(whole) * 1000);
  if (Number.isNaN(date.getTime())) return seconds;
  return date.toISOString().slice(0, 19).replace('T', ' ') + (fraction ? `.${fraction}` : '');
}

/** "2024-03-14 09:26:53.334612 - 09:26:57.800790 UTC": the second date only when it differs */
export function utcSpan(first: string, last: string): string {
  const a = utcTime(first), b = utcTime(last);
  return `${a} - ${b.slice(0, 11) === a.slice(0, 11) ? b.slice(11) : b} UTC`;
}

function flowExists(capture: LoadedCapture, flowInd: number): boolean {
  const ind = capture.flows.column('flowInd')!;
  for (let r = 0; r < capture.flows.rowCount; r++) if (ind.get(r) === flowInd) return true;
  return false;
}

export class Session {
  capture: LoadedCapture | undefined;
  readonly history: string[] = [];
  private statementNo = 0;
  /** what carve statements wrote since the capture was loaded, for the report */
  private carvedFiles = 0;
  private carvedBytes = 0;

  constructor(private readonly io: SessionIo, readonly options: SessionOptions) {}

  private error(text: string): void {
    this.io.err(this.options.color ? `${RED}${text}${RESET}\n` : `${text}\n`);
  }

  /** Loads a capture; on failure prints one line and keeps what was loaded before. */
  async load(path: string, opts: { summary: boolean; signal?: AbortSignal; progress?: LoadProgress } = { summary: true }): Promise<boolean> {
    const started = performance.now();
    let loaded: LoadedCapture;
    try {
      loaded = await loadCapture(path, { signal: opts.signal, progress: opts.progress });
    } catch (e) {
      if (e instanceof CaptureOpenError) this.error(`flowsh: ${escapeText(e.message)}`);
      else this.error(`flowsh: ${escapeText(path)}: ${escapeText((e as Error).message)}`);
      return false;
    }
    if (this.options.timing) this.io.err(`load: ${(performance.now() - started).toFixed(1)} ms\n`);
    this.capture?.close();
    this.capture = loaded;
    this.carvedFiles = 0;
    this.carvedBytes = 0;
    for (const w of loaded.warnings) this.io.err(`flowsh: ${escapeText(formatWarning(w))}\n`);
    if (opts.summary) this.io.out(this.summary(loaded) + '\n');
    return true;
  }

  summary(c: LoadedCapture): string {
    const r = c.report;
    const span = r.packets > 0 ? `, ${utcSpan(r.firstTime, r.lastTime)} (${r.duration} s)` : '';
    const extra: string[] = [];
    if (r.warnings.length > 0) extra.push(`${r.warnings.length + r.warningsSuppressed} warnings`);
    if (r.truncatedPackets > 0) extra.push(`${r.truncatedPackets} truncated packets`);
    if (r.unsupportedLinkTypes.length > 0) extra.push(`${r.unsupportedLinkTypes.reduce((a, u) => a + u.packets, 0)} packets of unsupported link types`);
    if (r.cancelled) extra.push('load cancelled');
    return `Loaded ${escapeText(c.file)}: ${r.packets} packets, ${r.flowIndexes} flows (${r.flows} A/B rows)${span}` +
      (extra.length ? `; ${extra.join(', ')}` : '');
  }

  /** Runs every statement of a script; a failed statement does not stop the others. */
  async runScript(script: string, control: RunControl = {}): Promise<RunResult> {
    let result: RunResult = 'ok';
    for (const s of splitStatements(script)) {
      if (control.signal) {
        // let a UI's Ctrl-C through between statements
        await new Promise((resolve) => setImmediate(resolve));
        if (control.signal.aborted) { this.error('stopped'); return 'error'; }
      }
      const r = await this.runOne(s.text, control);
      if (r === 'stopped') return 'error';
      if (r === 'quit') return 'quit';
      if (r === 'error') result = 'error';
    }
    return result;
  }

  async runStatement(text: string, control: RunControl = {}): Promise<RunResult> {
    const r = await this.runOne(text, control);
    return r === 'stopped' ? 'error' : r;
  }

  /** 'stopped': Ctrl-C (the signal) cut the statement short; it said so */
  private async runOne(text: string, control: RunControl): Promise<RunResult | 'stopped'> {
    this.history.push(text);
    const no = ++this.statementNo;
    const started = performance.now();
    try {
      const statement = parseStatement(text);
      return await this.execute(statement, control);
    } catch (e) {
      if (e instanceof StatementCancelled) { this.error('stopped'); return 'stopped'; }
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
    if (this.io.result?.(result)) return;
    const set: RowSet = { columns: result.columns, rowCount: result.rowCount, row: (i) => result.rows[i]! };
    if (result.title && this.options.format === 'table') this.io.out(`${escapeText(result.title)}\n`);
    this.io.out(renderRows(set, this.options.format, { width: this.options.width, color: this.options.color }));
  }

  /** a query in slices that Ctrl-C can stop when a UI passes a signal */
  private query(statement: Statement, capture: LoadedCapture, control: RunControl): Promise<QueryResult | undefined> {
    if (!control.signal) return Promise.resolve(executeStatement(statement, capture.catalog));
    return executeStatementInterruptibly(statement, capture.catalog, control.signal);
  }

  private async execute(statement: Statement, control: RunControl = {}): Promise<RunResult> {
    switch (statement.kind) {
      case 'query': {
        const capture = this.requireCapture(statement);
        if (statement.as) {
          // check the form before running the query: a typo should not cost a long query
          if (statement.as.name !== 'tcpdump') throw QueryError.at(`rows can be shown as tcpdump, not as '${statement.as.name}'`, statement.text, statement.as.span);
          if (statement.table.name !== 'packets') throw QueryError.at('as tcpdump prints packets: use it with the packets table', statement.text, statement.as.span);
          if (statement.select || statement.groupBy) throw QueryError.at('as tcpdump prints whole packets: leave out select and group by', statement.text, statement.as.span);
          const result = (await this.query(statement, capture, control))!;
          const pktNo = result.table.column('pktNo')!;
          const rows = Array.from({ length: result.rowCount }, (_, i) => (pktNo.get(result.rows[i]!) as number) - 1);
          const lines = tcpdumpLines(capture, rows);
          this.io.out(lines.length ? lines.map(escapeText).join('\n') + '\n' : '');
          return 'ok';
        }
        this.print((await this.query(statement, capture, control))!);
        return 'ok';
      }
      case 'explain':
      case 'columns':
        this.print(executeStatement(statement, this.capture?.catalog ?? schemaCatalog())!);
        return 'ok';
      case 'report': {
        const loaded = this.requireCapture(statement).report;
        const carving = this.carvedFiles > 0 ? [{ label: 'Files carved', value: this.carvedFiles }, { label: 'Bytes carved', value: this.carvedBytes }] : [];
        const r = carving.length ? { ...loaded, analyzerLines: [...loaded.analyzerLines, ...carving] } : loaded;
        if (this.options.format === 'json') this.io.out(reportJson(r) + '\n');
        else this.io.out(reportLines(r).map(escapeText).join('\n') + '\n');
        return 'ok';
      }
      case 'help':
        this.io.out(helpText(statement.topic, this.capture?.catalog ?? schemaCatalog()));
        return 'ok';
      case 'load':
        return (await this.load(statement.path, { summary: true, ...control })) ? 'ok' : 'error';
      case 'history':
        // a multi-line entry keeps its lines, indented under the first
        this.io.out((this.io.history?.() ?? this.history)
          .map((h, i) => `${String(i + 1).padStart(5)}  ${h.split('\n').map(escapeText).join('\n       ')}`).join('\n') + '\n');
        return 'ok';
      case 'clear':
        if (this.io.clear) this.io.clear();
        else if (process.stdout.isTTY) this.io.out('\x1b[2J\x1b[H');
        return 'ok';
      case 'follow': {
        const capture = this.requireCapture(statement);
        if (!capture.flows.column('flowInd') || !flowExists(capture, statement.flowInd)) {
          throw QueryError.at(`there is no flow ${statement.flowInd} (flowInd runs from 1 to ${capture.report.flowIndexes})`, statement.text, statement.span);
        }
        const options = { format: statement.format, ...(statement.dir ? { dir: statement.dir } : {}) };
        if (statement.format === 'raw') {
          const bytes = followFlow(capture, statement.flowInd, { ...options, format: 'raw' });
          if (this.io.outBytes) this.io.outBytes(bytes);
          else throw QueryError.at('raw output needs a byte stream: run it with -e and redirect stdout to a file', statement.text, statement.span);
        } else {
          this.io.out(followFlow(capture, statement.flowInd, { ...options, format: statement.format }));
        }
        return 'ok';
      }
      case 'carve': {
        const capture = this.requireCapture(statement);
        const result = carveFiles(capture, statement.where, expandCaptureName(statement.directory, capture), statement.text);
        const table = MemoryTable.fromRows(CARVED_TABLE, result.files.map((f) => ({ ...f })));
        this.print({ table, columns: table.columns, rows: Int32Array.from(result.files.keys()), rowCount: result.files.length, totalRows: result.files.length });
        const written = result.files.filter((f) => f.carvedAs !== '').length;
        this.carvedFiles += written;
        this.carvedBytes += result.files.reduce((n, f) => n + (f.carvedAs ? f.bytes : 0), 0);
        // the files table now shows where each carved transfer went
        const files = capture.catalog.table('files')!;
        const updated = withCarvedAs(files, result.files, result.directory);
        // flows whose file could not be written get ftpStat FTP_PPWFERR
        const flows = withWriteFailures(capture.flows, result.failedFlows);
        const tables = capture.catalog.tables.map((t) => (t === files ? updated : t === capture.flows ? flows : t));
        this.capture = { ...capture, flows, catalog: { tables, table: (name: string) => tables.find((t) => t.def.name === name) } };
        const failed = result.files.filter((f) => f.note.startsWith('could not write')).length;
        if (failed > 0) this.io.err(`${failed} transfers could not be written (see the note column; their flows have ftpStat FTP_PPWFERR)\n`);
        this.io.err(`carved ${written} of ${result.files.length} transfers into ${escapeText(result.directory)} (manifest: ${escapeText(result.manifest)}, ${result.transcripts.length} control transcripts)\n`);
        return 'ok';
      }
      case 'save':
        this.io.err(escapeText(runSave(this.requireCapture(statement), statement)) + '\n');
        return 'ok';
      case 'export':
        this.io.err(escapeText(runExport(this.requireCapture(statement), statement, `flowsh ${VERSION}`)) + '\n');
        return 'ok';
      case 'quit':
        return 'quit';
      default:
        if (isTeachStatement(statement)) {
          runTeachStatement(statement, { capture: this.requireCapture(statement), width: this.options.width, out: (t) => this.io.out(t) });
          return 'ok';
        }
        throw QueryError.at(`statement '${(statement as Statement).kind}' is not available here`, (statement as Statement).text, (statement as Statement).span);
    }
  }

  close(): void {
    this.capture?.close();
    this.capture = undefined;
  }
}
