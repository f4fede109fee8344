/**
 * `carve [where EXPR] to DIR`: each selected transfer of the `files` table is written as it crossed
 * the wire (sequence order, captured bytes only), with DIR/manifest.jsonl and a transcript of each
 * control connection. Transfers with gaps get a `.partial` name and their gap ranges in the manifest.
 */
import type { LoadedCapture } from '../store/load.ts';
import type { Column, Table } from '../store/table.ts';
import { join } from 'node:path';
import { escapeText } from '../output/escape.ts';
import type { Expr } from '../query/ast.ts';
import { compilePredicate } from '../query/compileExpr.ts';
import { QueryError } from '../query/errors.ts';
import { streamOf, type Direction, type TimedStreamChunk } from '../reassembly/stream.ts';
import { followFlow } from '../reassembly/follow.ts';
import { carvedFileName, listingFileName } from './safeName.ts';
import { prepareDirectory, writeNewFile } from './atomicWrite.ts';
import { memoryColumn } from '../store/memoryTable.ts';
import { ftpStatBit } from '../analyzers/ftp/schema.ts';

/** verdicts whose bytes are not the file (TLS) or that have no bytes at all */
const NOT_CARVED = new Set(['encrypted', 'no-data-connection']);

export interface CarvedFile {
  /** row of the files table */
  readonly row: number;
  readonly dataFlow: number;
  readonly path: string;
  readonly verdict: string;
  readonly bytes: number;
  /** file name in DIR, or empty when not written (and why in `note`) */
  readonly carvedAs: string;
  readonly note: string;
}

export interface CarveResult {
  readonly directory: string;
  readonly files: CarvedFile[];
  readonly manifest: string;
  readonly transcripts: string[];
  /** flowInds whose file (transfer or control transcript) could not be written: they get ftpStat FTP_PPWFERR */
  readonly failedFlows: number[];
}

export interface CarveOptions {
  /** how files are written (tests put a failing writer here) */
  readonly writeFile?: typeof writeNewFile;
}

/** A carve that cannot start (its directory is unusable): one line, no stack, no raw errno text. */
export class CarveError extends Error {
  override readonly name = 'CarveError';
}

/** Why DIR cannot take carved files, in words (mkdir's EEXIST alone said nothing about which name). */
function unusableDirectory(directory: string, e: unknown): CarveError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'EEXIST' ? 'it exists and is not a directory'
    : err.code === 'ENOTDIR' ? 'a part of that path is a file, not a directory'
    : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied'
    : `${err.code ? err.code + ' ' : ''}${err.message ?? String(e)}`.replace(/\s+/g, ' ');
  return new CarveError(`carve: cannot write into '${directory}': ${why}; nothing was carved`);
}

/** Why a write failed, in one line. */
function failure(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return `could not write: ${err.code ? err.code + ' ' : ''}${err.message ?? String(e)}`.replace(/\s+/g, ' ');
}

function textOf(table: Table, name: string, row: number): string {
  const c = table.column(name);
  const v = c?.get(row);
  return v === null || v === undefined ? '' : String(v);
}

function numberOf(table: Table, name: string, row: number): number {
  return Number(table.column(name)?.get(row) ?? 0);
}

/**
 * The direction of the data flow that carried the file, as the FTP analyzer decided it when it
 * linked the connection (`senderDir`); undefined when the capture holds no packet in it.
 */
function sendingDirection(capture: LoadedCapture, files: Table, row: number): Direction | undefined {
  const dataFlow = numberOf(files, 'dataFlow', row);
  const sender = textOf(files, 'senderDir', row);
  if (sender !== 'A' && sender !== 'B') return undefined;
  const flows = capture.flows, ind = flows.column('flowInd')!, dir = flows.column('dir')!;
  for (let r = 0; r < flows.rowCount; r++) if (ind.get(r) === dataFlow && dir.get(r) === sender) return sender;
  return undefined;
}

function* chunkBytes(capture: LoadedCapture, chunks: readonly TimedStreamChunk[]): Generator<Uint8Array> {
  for (const c of chunks) if (!c.gap && c.length > 0) yield capture.payload.read(c.fileOffset, c.length);
}

export function carveFiles(capture: LoadedCapture, where: Expr | undefined, directory: string, statementText: string, options: CarveOptions = {}): CarveResult {
  const write = options.writeFile ?? writeNewFile;
  const failedFlows = new Set<number>();
  const files = capture.catalog.table('files');
  if (!files) throw QueryError.at('this capture has no files table (no FTP transfers were decoded)', statementText, { offset: 0, length: 5 });
  const test = where ? compilePredicate(where, files, statementText) : () => true;
  let dir: string;
  try {
    dir = prepareDirectory(directory);
  } catch (e) {
    throw unusableDirectory(directory, e);
  }
  const carved: CarvedFile[] = [];
  const manifest: string[] = [];
  const controls = new Set<number>();
  for (let row = 0; row < files.rowCount; row++) {
    if (!test(row)) continue;
    const dataFlow = numberOf(files, 'dataFlow', row);
    const path = textOf(files, 'path', row);
    const verdict = textOf(files, 'verdict', row);
    controls.add(numberOf(files, 'controlFlow', row));
    let carvedAs = '', note = '', bytes = 0;
    let gaps: [number, number][] = [];
    const sending = dataFlow > 0 ? sendingDirection(capture, files, row) : undefined;
    if (NOT_CARVED.has(verdict)) note = verdict === 'encrypted' ? 'TLS-protected data connection: not carved' : 'no data connection in the capture';
    else if (!sending) note = 'the sending side of the data connection is not in the capture';
    else {
      const chunks = streamOf(capture, dataFlow, sending);
      gaps = chunks.filter((c) => c.gap).map((c) => [c.streamOffset, c.streamOffset + c.length]);
      bytes = chunks.reduce((n, c) => n + (c.gap ? 0 : c.length), 0);
      const partial = gaps.length > 0 || verdict !== 'complete';
      try {
        const name = textOf(files, 'direction', row) === 'listing'
          ? listingFileName(path, textOf(files, 'resolvedPath', row), dataFlow, partial)
          : carvedFileName(path || textOf(files, 'command', row).toLowerCase(), dataFlow, partial);
        carvedAs = write(dir, name, chunkBytes(capture, chunks));
      } catch (e) {
        // one file that cannot be written (disk full, quota) does not stop the others
        note = failure(e);
        bytes = 0;
        failedFlows.add(dataFlow);
      }
    }
    carved.push({ row, dataFlow, path, verdict, bytes, carvedAs, note });
    const fields = files.columns.map((c) => `${JSON.stringify(c.def.name)}:${c.def.name === 'carvedAs' ? JSON.stringify(carvedAs) : c.json(row)}`);
    if (!files.column('carvedAs')) fields.push(`"carvedAs":${JSON.stringify(carvedAs)}`);
    fields.push(`"carvedBytes":${bytes}`, `"gaps":${JSON.stringify(gaps)}`);
    if (note) fields.push(`"note":${JSON.stringify(note)}`);
    manifest.push(`{${fields.join(',')}}`);
  }
  const transcripts: string[] = [];
  for (const control of controls) {
    if (control <= 0) continue;
    let text: string;
    try {
      text = followFlow(capture, control, { format: 'ascii' });
    } catch {
      continue; // a control flow without TCP payload has no transcript
    }
    try {
      transcripts.push(write(dir, `${control}-control-transcript.txt`, [new TextEncoder().encode(text)]));
    } catch {
      failedFlows.add(control);
    }
  }
  let manifestName: string;
  try {
    manifestName = write(dir, 'manifest.jsonl', [new TextEncoder().encode(manifest.map((l) => l + '\n').join(''))]);
  } catch (e) {
    const written = carved.filter((f) => f.carvedAs !== '').length;
    throw new CarveError(`carve: wrote ${written} of ${carved.length} transfers into '${dir}' but not manifest.jsonl: ${failure(e)}`);
  }
  return { directory: dir, files: carved, manifest: manifestName, transcripts, failedFlows: [...failedFlows] };
}

/**
 * The flows table with ftpStat FTP_PPWFERR (0x20, Tranalyzer's "could not open the output file")
 * added on both directions of each flow whose carved file could not be written.
 */
export function withWriteFailures(flows: Table, failedFlows: readonly number[]): Table {
  const stat = flows.column('ftpStat'), ind = flows.column('flowInd');
  if (failedFlows.length === 0 || !stat || !ind) return flows;
  const failed = new Set(failedFlows);
  const bit = ftpStatBit('FTP_PPWFERR');
  const value = (row: number): number => {
    const v = Number(stat.get(row) ?? 0);
    return failed.has(Number(ind.get(row))) ? (v | bit) >>> 0 : v;
  };
  const patched = memoryColumn(stat.def, Array.from({ length: flows.rowCount }, (_, r) => value(r)));
  const columns = flows.columns.map((c) => (c === stat ? patched : c));
  const byName = new Map(columns.map((c) => [c.def.name, c]));
  return { def: flows.def, rowCount: flows.rowCount, columns, column: (name: string) => byName.get(name) };
}

/**
 * The files table with `carvedAs` filled in for the rows a carve wrote (names relative to its
 * directory); other columns are shared with the original table.
 */
export function withCarvedAs(files: Table, carved: readonly CarvedFile[], directory: string): Table {
  const names = new Map<number, string>();
  for (const f of carved) if (f.carvedAs) names.set(f.row, join(directory, f.carvedAs));
  const columns = files.columns.map((c) => {
    if (c.def.name !== 'carvedAs') return c;
    const previous = c;
    return {
      def: c.def,
      get: (row: number) => names.get(row) ?? previous.get(row),
      text: (row: number) => (names.has(row) ? escapeText(names.get(row)!) : previous.text(row)),
      json: (row: number) => (names.has(row) ? JSON.stringify(names.get(row)) : previous.json(row)),
    } satisfies Column;
  });
  const byName = new Map(columns.map((c) => [c.def.name, c]));
  return { def: files.def, rowCount: files.rowCount, columns, column: (name: string) => byName.get(name) };
}
