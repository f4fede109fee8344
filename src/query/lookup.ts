import type { Catalog, Table } from '../store/table.ts';
import { didYouMean, QueryError, type Span } from './errors.ts';
import { STATEMENT_KEYWORDS } from './language.ts';

/** the catalog's table `name`, or an error suggesting close table names and commands */
export function findTable(catalog: Catalog, name: string, span: Span, text: string): Table {
  const table = catalog.table(name);
  if (table) return table;
  const tables = catalog.tables.map((t) => t.def.name);
  const hint = didYouMean(name, [...tables, ...STATEMENT_KEYWORDS]);
  throw QueryError.at(`unknown table or command '${name}'${hint || `; tables: ${tables.join(', ')}`}`, text, span);
}

/** Runs `body`, turning anything but a QueryError into one (callers only ever see QueryError). */
export function guard<T>(text: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof QueryError) throw e;
    throw new QueryError(`internal error: ${(e as Error)?.message ?? String(e)}`, text, 0, text.length);
  }
}
