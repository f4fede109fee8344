import type { Column, Table } from '../store/table.ts';

/**
 * What a query, `explain` or `columns` statement produces, for output formatters.
 *
 * Render it with only `columns` and `rows`:
 *
 *     for (let i = 0; i < result.rowCount; i++) {
 *       const row = result.rows[i];
 *       cells = result.columns.map((c) => c.text(row));   // or c.json(row); c.def for header/type
 *     }
 *
 * - `columns` are in display order. For plain queries they are the catalog table's own Column
 *   objects (so text/json come straight from the store) and `rows` are row indices into that table.
 * - Aggregates, `explain` and `columns` produce a materialised MemoryTable; `rows` then index it.
 * - `totalRows` counts result rows before `limit` (matching rows, or groups), for "10 of 1234".
 * - `title`, when present, is a heading to print above the rows (explain's sentence).
 */
export interface QueryResult {
  readonly table: Table;
  readonly columns: readonly Column[];
  readonly rows: Int32Array;
  readonly rowCount: number;
  readonly totalRows: number;
  readonly title?: string;
}
