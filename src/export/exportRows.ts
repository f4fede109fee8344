/**
 * `export QUERY to FILE`: the result's columns and rows written as CSV, TSV, JSON Lines or Parquet,
 * chosen by the file's ending. Works for every table through the column declarations (cells.ts);
 * the file appears complete or not at all, and never replaces an existing file.
 */
import { extname } from 'node:path';
import { AtomicFile } from '../output/atomicFile.ts';
import type { Column } from '../store/table.ts';
import { cellReader } from './cells.ts';
import { writeParquet } from './parquet.ts';
import { writeDelimited, writeJsonLines } from './textFormats.ts';

export type ExportFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet';

const BY_ENDING: Readonly<Record<string, ExportFormat>> = {
  '.csv': 'csv', '.tsv': 'tsv', '.tab': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.parquet': 'parquet', '.pq': 'parquet',
};

export const EXPORT_ENDINGS = '.csv, .tsv, .jsonl (or .ndjson) or .parquet';

export class ExportError extends Error {}

export function exportFormatOf(path: string): ExportFormat | undefined {
  return BY_ENDING[extname(path).toLowerCase()];
}

export interface ExportSource {
  readonly columns: readonly Column[];
  /** rows of the columns' table, in output order */
  readonly rows: ArrayLike<number>;
  /** Parquet key-value metadata (e.g. the capture and the statement) */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Parquet created_by */
  readonly createdBy?: string;
}

export interface ExportResult {
  readonly format: ExportFormat;
  readonly rows: number;
  readonly bytes: number;
}

export function exportRows(source: ExportSource, path: string): ExportResult {
  const format = exportFormatOf(path);
  if (!format) {
    const ending = extname(path);
    throw new ExportError(`${path}: ${ending ? `'${ending}' is not` : 'no ending says'} which format to write; name a ${EXPORT_ENDINGS} file`);
  }
  const seen = new Set<string>();
  for (const c of source.columns) {
    if (seen.has(c.def.name)) throw new ExportError(`column ${c.def.name} is selected twice; a file needs each column once`);
    seen.add(c.def.name);
  }
  const readers = source.columns.map(cellReader);
  const file = new AtomicFile(path, { createDirectories: true });
  try {
    switch (format) {
      case 'csv': writeDelimited(file, readers, source.rows, ','); break;
      case 'tsv': writeDelimited(file, readers, source.rows, '\t'); break;
      case 'jsonl': writeJsonLines(file, readers, source.rows); break;
      case 'parquet': writeParquet(file, readers, source.rows, { createdBy: source.createdBy ?? 'flowsh', metadata: source.metadata ?? {} }); break;
    }
    file.commit();
  } catch (e) {
    file.abort();
    throw e;
  }
  return { format, rows: source.rows.length, bytes: file.bytesWritten };
}
