/**
 * Parquet through hyparquet-writer, with a schema made from the columns' declared types (cells.ts):
 * signed INT32/INT64, DOUBLE, TIMESTAMP(MICROS, UTC), UTF-8 strings, BOOLEAN and three-level
 * LISTs, every column optional. Only types that Spark, Trino and DuckDB all read unchanged
 * (no unsigned or nanosecond annotations). Rows go out in row groups, so memory stays bounded.
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { AtomicFile } from '../output/atomicFile.ts';
import { epochMicros, type CellKind, type CellReader, type Instant, type Scalar } from './cells.ts';

const ROW_GROUP_ROWS = 100_000;
const FLUSH_BYTES = 1 << 20;

function leaf(name: string, kind: CellKind): SchemaElement {
  const repetition_type = 'OPTIONAL';
  switch (kind) {
    case 'int32': return { name, type: 'INT32', repetition_type };
    case 'int64': return { name, type: 'INT64', repetition_type };
    case 'double': return { name, type: 'DOUBLE', repetition_type };
    case 'boolean': return { name, type: 'BOOLEAN', repetition_type };
    case 'string': return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'timestamp':
      return {
        name, type: 'INT64', converted_type: 'TIMESTAMP_MICROS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }, repetition_type,
      };
  }
}

export function parquetSchema(readers: readonly CellReader[]): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: readers.length }];
  for (const r of readers) {
    if (!r.repeated) {
      schema.push(leaf(r.name, r.kind));
      continue;
    }
    // the standard three-level list: optional group (LIST) > repeated group list > optional element
    schema.push(
      { name: r.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      leaf('element', r.kind),
    );
  }
  return schema;
}

function parquetScalar(v: Scalar, kind: CellKind): unknown {
  if (v === null) return null;
  if (kind === 'timestamp') return epochMicros(v as Instant);
  return v;
}

/** hyparquet's buffer writer, emptied into the file after each row group */
class FileByteWriter extends ByteWriter {
  constructor(private readonly file: AtomicFile) {
    super(FLUSH_BYTES);
  }
  flush(): void {
    if (this.index === 0) return;
    this.file.write(new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
  }
  override finish(): void {
    this.flush();
  }
}

export interface ParquetOptions {
  /** the file's created_by, e.g. "flowsh 0.1.0" */
  readonly createdBy: string;
  /** key-value metadata of the file */
  readonly metadata: Readonly<Record<string, string>>;
}

/** No rows make a file with the schema and no row group. */
export function writeParquet(file: AtomicFile, readers: readonly CellReader[], rows: ArrayLike<number>, options: ParquetOptions): void {
  const writer = new FileByteWriter(file);
  const parquet = new ParquetWriter({
    writer,
    schema: parquetSchema(readers),
    createdBy: options.createdBy,
    kvMetadata: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
  });
  for (let start = 0; start < rows.length; start += ROW_GROUP_ROWS) {
    const end = Math.min(rows.length, start + ROW_GROUP_ROWS);
    const columnData = readers.map((r) => {
      const data = new Array<unknown>(end - start);
      for (let i = start; i < end; i++) {
        const v = r.cell(rows[i]!);
        data[i - start] = v === null ? null : Array.isArray(v) ? v.map((x) => parquetScalar(x, r.kind)) : parquetScalar(v as Scalar, r.kind);
      }
      return { name: r.name, data };
    });
    void parquet.write({ columnData: columnData as never, rowGroupSize: end - start });
  }
  void parquet.finish();
}
