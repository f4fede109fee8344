/**
 * Query statements -> compiled plans -> results. A plan is compiled once (names resolved, where
 * clause turned into a predicate, sort keys into comparators) and can run many times.
 */
import type { ColumnDef } from '../schema/types.ts';
import { MemoryTable, type ColumnData } from '../store/memoryTable.ts';
import type { Catalog, Column, Table } from '../store/table.ts';
import type { QueryStatement, ResultName, Statement } from './ast.ts';
import { compilePredicate } from './compileExpr.ts';
import { didYouMean, QueryError, type Span } from './errors.ts';
import { explainColumn, listColumns } from './explain.ts';
import { findTable, guard } from './lookup.ts';
import { findFunction, FUNCTIONS, type FunctionDef } from './functions.ts';
import { filterOf, numbersOf, type RowPredicate } from './predicates.ts';
import type { QueryResult } from './result.ts';
import { columnComparator, combineComparators, radixWords, TopN, type RowComparator, type SortKey } from './sort.ts';
import { valueKey } from './values.ts';
import { inSlices, radixSortSteps, runSteps, runStepsInterruptibly, sortSteps, StatementCancelled, type Steps } from './steps.ts';

export interface CompiledQuery {
  readonly statement: QueryStatement;
  readonly table: Table;
  run(): QueryResult;
  /** the same run in slices (see steps.ts): for a run that Ctrl-C can stop */
  steps(): Steps<QueryResult>;
}

const AGGREGATE_NAMES = FUNCTIONS.filter((f) => f.aggregate).map((f) => f.name);

/** `sum(numBytesSnt)`, `count` */
function aggregateName(fn: FunctionDef, argument: string | undefined): string {
  return argument === undefined ? fn.name : `${fn.name}(${argument})`;
}

interface AggregateSpec {
  readonly name: string;
  readonly fn: FunctionDef;
  readonly column: Column | undefined;
}

export function compileQuery(statement: QueryStatement, catalog: Catalog): CompiledQuery {
  return guard(statement.text, () => new QueryCompiler(statement, catalog).compile());
}

class QueryCompiler {
  private readonly text: string;
  private readonly table: Table;

  constructor(private readonly statement: QueryStatement, catalog: Catalog) {
    this.text = statement.text;
    this.table = findTable(catalog, statement.table.name, statement.table.span, this.text);
  }

  private error(message: string, span: Span): QueryError {
    return QueryError.at(message, this.text, span);
  }

  private column(name: string, span: Span): Column {
    const column = this.table.column(name);
    if (column) return column;
    const names = this.table.columns.map((c) => c.def.name);
    throw this.error(`unknown column '${name}' in table ${this.table.def.name}${didYouMean(name, names)}`, span);
  }

  /** an aggregate call from select or sort: `count()`, `sum(numBytesSnt)` */
  private aggregate(item: ResultName): AggregateSpec {
    const fn = findFunction(item.name);
    if (!fn?.aggregate) {
      const what = fn ? `${fn.name}() is a condition, not an aggregate` : `unknown aggregate '${item.name}'`;
      throw this.error(`${what}; aggregates: ${AGGREGATE_NAMES.join(', ')}`, item.span);
    }
    const wantsColumn = fn.params.length > 0;
    if (wantsColumn && !item.argument) throw this.error(`${fn.name}() needs a column: ${fn.signature}`, item.span);
    if (!wantsColumn && item.argument) throw this.error(`${fn.name}() takes no arguments`, item.argument.span);
    const column = item.argument ? this.column(item.argument.name, item.argument.span) : undefined;
    const problem = column && fn.aggregate.check?.(column);
    if (problem) throw this.error(`${fn.name}(): ${problem}`, item.argument!.span);
    return { name: aggregateName(fn, column?.def.name), fn, column };
  }

  compile(): CompiledQuery {
    const s = this.statement;
    const predicate = s.where ? compilePredicate(s.where, this.table, this.text) : undefined;
    const aggregated = s.groupBy !== undefined || (s.select ?? []).some((i) => i.kind === 'item' && i.argument !== undefined);
    return aggregated ? this.compileAggregate(predicate) : this.compileRows(predicate);
  }

  private compileRows(predicate: RowPredicate | undefined): CompiledQuery {
    const s = this.statement, table = this.table;
    const columns: Column[] = [];
    for (const item of s.select ?? [{ kind: 'star' as const, span: s.table.span }]) {
      if (item.kind === 'star') columns.push(...table.columns);
      else columns.push(this.column(item.name, item.span));
    }
    const keys = (s.sort ?? []).map((k): SortKey => {
      if (k.key.argument !== undefined) throw this.error(`sorting by ${k.key.name}() needs it in select, with an aggregate query`, k.key.span);
      return { column: this.column(k.key.name, k.key.span), descending: k.descending };
    });
    const order = orderOf(keys);
    const limit = s.limit?.value;
    return planOf(s, table, function* () {
      const { rows, totalRows } = yield* selectRows(table.rowCount, predicate, order, limit);
      return { table, columns, rows, rowCount: rows.length, totalRows };
    });
  }

  private compileAggregate(predicate: RowPredicate | undefined): CompiledQuery {
    const s = this.statement, table = this.table;
    const groupColumns = (s.groupBy ?? []).map((g) => this.column(g.name, g.span));
    const aggregates: AggregateSpec[] = [];
    const addAggregate = (spec: AggregateSpec): number => {
      const existing = aggregates.findIndex((a) => a.name === spec.name);
      if (existing >= 0) return existing;
      return aggregates.push(spec) - 1;
    };
    // display order: select items, or the group columns followed by count
    const display: ({ group: number } | { aggregate: number })[] = [];
    if (s.select) {
      for (const item of s.select) {
        if (item.kind === 'star') throw this.error('select * cannot be combined with group by or aggregates', item.span);
        if (item.argument !== undefined) {
          display.push({ aggregate: addAggregate(this.aggregate(item)) });
          continue;
        }
        const column = this.column(item.name, item.span);
        const group = groupColumns.indexOf(column);
        if (group < 0) {
          throw this.error(`${item.name} is neither grouped nor aggregated: add it to group by, or use e.g. max(${item.name})`, item.span);
        }
        display.push({ group });
      }
    } else {
      groupColumns.forEach((_, group) => display.push({ group }));
      display.push({ aggregate: addAggregate(this.aggregate({ name: 'count', argument: null, span: s.table.span })) });
    }
    // sort keys: a group column, or an aggregate by its result name (computed even if not selected)
    const sortKeys = (s.sort ?? []).map((k) => {
      const { key } = k;
      if (key.argument !== undefined || findFunction(key.name)?.aggregate && !this.table.column(key.name)) {
        const byName = aggregates.findIndex((a) => a.name === key.name || a.name === normaliseName(key));
        if (byName >= 0) return { aggregate: byName, descending: k.descending };
        const item = key.argument === undefined ? { ...key, argument: null } : key;
        return { aggregate: addAggregate(this.aggregate(item)), descending: k.descending };
      }
      const column = this.column(key.name, key.span);
      const group = groupColumns.indexOf(column);
      if (group < 0) {
        const names = [...groupColumns.map((c) => c.def.name), ...aggregates.map((a) => a.name)];
        throw this.error(`cannot sort by ${key.name}: sort by a group column or an aggregate (${names.join(', ')})`, key.span);
      }
      return { group, descending: k.descending };
    });
    const limit = s.limit?.value;
    const tableName = table.def.name;
    const defs: ColumnDef[] = [
      ...groupColumns.map((c) => c.def),
      ...aggregates.map((a): ColumnDef => ({
        name: a.name,
        description: a.column ? `${a.fn.description}: ${a.column.def.name}` : a.fn.description,
        ...a.fn.aggregate!.resultType(a.column),
      })),
    ];
    return planOf(s, table, function* () {
      const data = yield* aggregateRows(table, predicate, groupColumns, aggregates);
      const result = new MemoryTable({ name: `${tableName} (aggregated)`, description: s.text, columns: defs }, data);
      const resultColumn = (key: { group: number } | { aggregate: number }): Column =>
        result.columns['group' in key ? key.group : groupColumns.length + key.aggregate]!;
      const order = orderOf(sortKeys.map((k): SortKey => ({ column: resultColumn(k), descending: k.descending })));
      const { rows, totalRows } = yield* selectRows(result.rowCount, undefined, order, limit);
      return { table: result, columns: display.map(resultColumn), rows, rowCount: rows.length, totalRows };
    });
  }
}

function planOf(statement: QueryStatement, table: Table, steps: () => Steps<QueryResult>): CompiledQuery {
  return { statement, table, steps, run: () => runSteps(steps()) };
}

function normaliseName(key: ResultName): string {
  if (key.argument === undefined) return key.name.toLowerCase();
  return key.argument === null ? key.name.toLowerCase() : `${key.name.toLowerCase()}(${key.argument.name})`;
}

/**
 * Reused across runs: allocating (and zeroing) fresh megabyte-sized arrays per query costs more
 * than filtering. `identity` holds 0, 1, 2, ... and is never written after it is built; `scratch`
 * is the selection vector filters compact in place. Results copy what they keep out of it. A run
 * paused by the interruptible driver holds `scratch` until it ends; a run meanwhile gets its own.
 */
let identity = new Int32Array(0);
let scratch = new Int32Array(0);
let scratchInUse = false;

function identityOf(rowCount: number): Int32Array {
  if (identity.length < rowCount) {
    identity = new Int32Array(Math.max(rowCount, identity.length * 2));
    for (let r = 0; r < identity.length; r++) identity[r] = r;
  }
  return identity;
}

/**
 * Passes the rows passing `predicate`, ascending, to `use` (in a vector valid only during `use`):
 * the filter runs slice by slice, each slice compacted onto the rows kept before it.
 */
function* withSelection<T>(
  rowCount: number, predicate: RowPredicate | undefined, use: (rows: Int32Array, count: number) => Steps<T>,
): Steps<T> {
  const all = identityOf(rowCount);
  if (!predicate) return yield* use(all, rowCount);
  const shared = !scratchInUse;
  if (shared && scratch.length < rowCount) scratch = new Int32Array(identity.length);
  const rows = shared ? scratch : new Int32Array(rowCount);
  scratchInUse = true;
  try {
    rows.set(all.subarray(0, rowCount));
    const filter = filterOf(predicate);
    let count = 0;
    yield* inSlices(rowCount, (from, to) => {
      const kept = filter(rows.subarray(from, to), to - from);
      if (from !== count) rows.copyWithin(count, from, from + kept);
      count += kept;
    });
    return yield* use(rows, count);
  } finally {
    if (shared) scratchInUse = false;
  }
}

/** a sort: its keys, and the comparator over them that breaks ties by row */
interface Order {
  readonly keys: readonly SortKey[];
  readonly compare: RowComparator;
}

function orderOf(keys: readonly SortKey[]): Order | undefined {
  if (keys.length === 0) return undefined;
  return { keys, compare: combineComparators(keys.map((k) => columnComparator(k.column, k.descending))) };
}

/** matching rows, sorted (top-N when limited) and limited */
function selectRows(
  rowCount: number, predicate: RowPredicate | undefined, order: Order | undefined, limit: number | undefined,
): Steps<{ rows: Int32Array; totalRows: number }> {
  return withSelection(rowCount, predicate, function* (selected, count) {
    if (order && limit !== undefined && limit < count) {
      const top = new TopN(limit, order.compare);
      yield* inSlices(count, (from, to) => { for (let i = from; i < to; i++) top.offer(selected[i]!); });
      return { rows: top.sorted(), totalRows: count };
    }
    if (!order) return { rows: selected.slice(0, limit === undefined ? count : Math.min(limit, count)), totalRows: count };
    // the selection ascends, so the radix sort's stable order breaks ties by row like the comparator
    const unsorted = selected.slice(0, count);
    const words = radixWords(order.keys, unsorted, count);
    const rows = words ? yield* radixSortSteps(unsorted, words) : yield* sortSteps(unsorted, order.compare);
    return { rows: limit !== undefined && limit < count ? rows.slice(0, limit) : rows, totalRows: count };
  });
}

/** Groups the matching rows (first-appearance order) and runs every accumulator; one array per result column. */
function aggregateRows(
  table: Table, predicate: RowPredicate | undefined, groupColumns: readonly Column[], aggregates: readonly AggregateSpec[],
): Steps<Record<string, ColumnData>> {
  const accumulators = aggregates.map((a) => a.fn.aggregate!.accumulator(a.column));
  const firstRows: number[] = [];
  const groups = new Map<string | number, number>();
  let keyOf: (row: number) => string | number;
  if (groupColumns.length === 0) keyOf = () => 0;
  else if (groupColumns.length === 1) {
    const c = groupColumns[0]!, a = numbersOf(c);
    keyOf = a ? (r) => a[r]! : (r) => valueKey(c.get(r));
  } else keyOf = (r) => groupColumns.map((c) => String(valueKey(c.get(r)))).join('\u0001');
  return withSelection(table.rowCount, predicate, function* (rows, count) {
    yield* inSlices(count, (from, to) => {
      for (let i = from; i < to; i++) {
        const r = rows[i]!;
        const key = keyOf(r);
        let group = groups.get(key);
        if (group === undefined) {
          group = firstRows.push(r) - 1;
          groups.set(key, group);
        }
        for (const acc of accumulators) acc.add(group, r);
      }
    });
    // aggregates over all rows give one row even when nothing matched (count 0)
    const groupCount = groupColumns.length === 0 ? 1 : firstRows.length;
    const data: Record<string, ColumnData> = {};
    for (const c of groupColumns) data[c.def.name] = firstRows.map((r) => c.get(r));
    aggregates.forEach((a, i) => { data[a.name] = accumulators[i]!.values(groupCount); });
    return data;
  });
}

/**
 * Executes a query, explain or columns statement; undefined for statements the shell executes
 * (report, help, load, quit, history, clear, and later additions).
 */
export function executeStatement(statement: Statement, catalog: Catalog): QueryResult | undefined {
  return guard(statement.text, () => {
    switch (statement.kind) {
      case 'query': return compileQuery(statement, catalog).run();
      case 'explain': return explainColumn(statement, catalog);
      case 'columns': return listColumns(statement, catalog);
      default: return undefined;
    }
  });
}

/**
 * executeStatement for a UI: a query runs in slices that let the event loop in, and stops with
 * StatementCancelled when `signal` is aborted (what is loaded stays as it was).
 */
export async function executeStatementInterruptibly(statement: Statement, catalog: Catalog, signal: AbortSignal): Promise<QueryResult | undefined> {
  if (statement.kind !== 'query') return executeStatement(statement, catalog);
  const query = compileQuery(statement, catalog);
  try {
    return await runStepsInterruptibly(query.steps(), signal);
  } catch (e) {
    if (e instanceof StatementCancelled || e instanceof QueryError) throw e;
    throw new QueryError(`internal error: ${(e as Error)?.message ?? String(e)}`, statement.text, 0, statement.text.length);
  }
}
