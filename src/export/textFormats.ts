/**
 * CSV, TSV and JSON Lines for other tools (unlike `--format`, which is for reading): raw text
 * instead of terminal escapes, flags as integers, timestamps in ISO 8601, lists as JSON arrays.
 * CSV and TSV quote a field that holds the separator, a quote or a line break (RFC 4180, and the
 * same with tabs); an empty field is no value.
 */
import type { AtomicFile } from '../output/atomicFile.ts';
import { isoTime, type Cell, type CellReader, type Scalar } from './cells.ts';

const FLUSH_CHARS = 1 << 20;

function jsonScalar(v: Scalar): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) return 'null';
      return String(v);
    case 'bigint': return v.toString();
    case 'string': return JSON.stringify(v);
    case 'boolean': return v ? 'true' : 'false';
    default: return JSON.stringify(isoTime(v));
  }
}

/** doubles keep a decimal point so readers that guess types see a double even when it is whole */
function doubleText(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

function jsonCell(reader: CellReader, v: Cell): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return '[' + v.map((x) => jsonCell(reader, x)).join(',') + ']';
  if (reader.kind === 'double' && typeof v === 'number' && Number.isFinite(v)) return doubleText(v);
  return jsonScalar(v as Scalar);
}

function plainCell(reader: CellReader, v: Cell): string {
  if (v === null) return '';
  if (Array.isArray(v)) return jsonCell(reader, v);
  switch (typeof v) {
    case 'number': return reader.kind === 'double' ? doubleText(v) : String(v);
    case 'bigint': return v.toString();
    case 'string': return v;
    case 'boolean': return v ? 'true' : 'false';
    default: return isoTime(v as Exclude<Scalar, null | number | bigint | string | boolean>);
  }
}

function quoter(separator: string): (field: string) => string {
  const special = separator === ',' ? /[",\r\n]/ : /["\t\r\n]/;
  return (field) => (special.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
}

/** Writes rows through `line`, in chunks, to `file`. */
function writeLines(file: AtomicFile, rows: ArrayLike<number>, header: string | undefined, line: (row: number) => string): void {
  let chunk = header === undefined ? '' : header + '\n';
  for (let i = 0; i < rows.length; i++) {
    chunk += line(rows[i]!) + '\n';
    if (chunk.length >= FLUSH_CHARS) {
      file.write(Buffer.from(chunk, 'utf8'));
      chunk = '';
    }
  }
  if (chunk.length > 0) file.write(Buffer.from(chunk, 'utf8'));
}

export function writeDelimited(file: AtomicFile, readers: readonly CellReader[], rows: ArrayLike<number>, separator: ',' | '\t'): void {
  const quote = quoter(separator);
  const header = readers.map((r) => quote(r.name)).join(separator);
  writeLines(file, rows, header, (row) => readers.map((r) => quote(plainCell(r, r.cell(row)))).join(separator));
}

export function writeJsonLines(file: AtomicFile, readers: readonly CellReader[], rows: ArrayLike<number>): void {
  const keys = readers.map((r) => JSON.stringify(r.name) + ':');
  writeLines(file, rows, undefined, (row) => '{' + readers.map((r, j) => keys[j] + jsonCell(r, r.cell(row))).join(',') + '}');
}
