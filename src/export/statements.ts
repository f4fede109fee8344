/** The `save` and `export` statements over a loaded capture; each returns the line that reports what it wrote. */
import { basename } from 'node:path';
import { compileQuery, QueryError, type ExportStatement, type SaveStatement } from '../query/index.ts';
import type { LoadedCapture } from '../store/load.ts';
import { exportRows } from './exportRows.ts';
import { packetsOfFlows, saveCapture } from './saveCapture.ts';

const CAPTURE_ENDING = /\.(?:pcapng|pcap|cap)(?:\.gz)?$|\.gz$/i;

/** the capture's file name without its capture ending: `day1/ftp-active.pcap.gz` -> `ftp-active` */
export function captureName(file: string): string {
  const base = basename(file);
  return base.replace(CAPTURE_ENDING, '') || base;
}

/** `{name}` in a `to` path stands for the capture's name, so one script serves many captures */
export function expandCaptureName(path: string, capture: LoadedCapture): string {
  return path.includes('{name}') ? path.replaceAll('{name}', captureName(capture.file)) : path;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function runSave(capture: LoadedCapture, statement: SaveStatement): string {
  const { query } = statement;
  const table = query.table.name;
  if (table !== 'packets' && table !== 'flows') {
    throw QueryError.at(`save writes packets: name the packets or the flows table, not '${table}'`, statement.text, query.table.span);
  }
  const path = expandCaptureName(statement.path, capture);
  const selected = compileQuery(query, capture.catalog).run();
  let rows: ArrayLike<number> = selected.rows;
  let ofFlows = '';
  if (table === 'flows') {
    const flowInd = selected.table.column('flowInd')!;
    const flows = new Set<number>();
    for (let i = 0; i < selected.rowCount; i++) flows.add(Number(flowInd.get(selected.rows[i]!)));
    rows = packetsOfFlows(capture, flows);
    ofFlows = ` of ${plural(flows.size, 'flow')}`;
  }
  const result = saveCapture(capture, rows, path);
  const detail = result.format === 'pcapng' ? plural(result.interfaces, 'interface') : capture.info.tsDigits > 6 ? 'nanosecond' : 'microsecond';
  return `saved ${plural(result.packets, 'packet')}${ofFlows} to ${path} (${result.format}, ${detail}, ${plural(result.bytes, 'byte')})`;
}

export function runExport(capture: LoadedCapture, statement: ExportStatement, createdBy: string): string {
  const path = expandCaptureName(statement.path, capture);
  const result = compileQuery(statement.query, capture.catalog).run();
  const written = exportRows({
    columns: result.columns,
    rows: result.rows,
    createdBy,
    metadata: { 'flowsh.capture': basename(capture.file), 'flowsh.table': statement.query.table.name, 'flowsh.statement': statement.text },
  }, path);
  return `exported ${plural(written.rows, 'row')} of ${statement.query.table.name} (${plural(result.columns.length, 'column')}) to ${path} (${written.format}, ${plural(written.bytes, 'byte')})`;
}
