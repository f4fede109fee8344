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
import { columnComparator, combineComparators, TopN, type RowComparator } from './sort.ts';
import { valueKey } from './values.ts';

export interface CompiledQuery {
  readonly statement: QueryStatement;
  readonly table: Table;
  run(): QueryResult;
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
    const keys = (s.sort ?? []).map((k) => {
      if (k.key.argument !== undefined) throw this.error(`sorting by ${k.key.name}() needs it in select, with an aggregate query`, k.key.span);
      return columnComparator(this.column(k.key.name, k.key.span), k.descending);
    });
    const compare = keys.length > 0 ? combineComparators(keys) : undefined;
    const limit = s.limit?.value;
    return {
      statement: s,
      table,
      run: (): QueryResult => {
        const { rows, totalRows } = selectRows(table.rowCount, predicate, compare, limit);
        return { table, columns, rows, rowCount: rows.length, totalRows };
      },
    };
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
    const statement = s;
    return {
      statement,
      table,
      run: (): QueryResult => {
        const data = aggregateRows(table, predicate, groupColumns, aggregates);
        const result = new MemoryTable({ name: `${tableName} (aggregated)`, description: statement.text, columns: defs }, data);
        const resultColumn = (key: { group: number } | { aggregate: number }): Column =>
          result.columns['group' in key ? key.group : groupColumns.length + key.aggregate]!;
        const keys = sortKeys.map((k) => columnComparator(resultColumn(k), k.descending));
        const { rows, totalRows } = selectRows(result.rowCount, undefined, keys.length ? combineComparators(keys) : undefined, limit);
        return { table: result, columns: display.map(resultColumn), rows, rowCount: rows.length, totalRows };
      },
    };
  }
}

function normaliseName(key: ResultName): string {
  if (key.argument === undefined) return key.name.toLowerCase();
  return key.argument === null ? key.name.toLowerCase() : `${key.name.toLowerCase()}(${key.argument.name})`;
}

/**
 * Reused across runs: allocating (and zeroing) fresh megabyte-sized arrays per query costs more
 * than filtering. `identity` holds 0, 1, 2, ... and is never written after it is built; `scratch`
 * is the selection vector filters compact in place. Results copy what they keep out of it.
 */
let identity = new Int32Array(0);
let scratch = new Int32Array(0);

/** the rows passing `predicate`, ascending, in the shared scratch vector (valid until the next call) */
function selection(rowCount: number, predicate: RowPredicate | undefined): { rows: Int32Array; count: number } {
  if (identity.length < rowCount) {
    identity = new Int32Array(Math.max(rowCount, identity.length * 2));
    for (let r = 0; r < identity.length; r++) identity[r] = r;
    scratch = new Int32Array(identity.length);
  }
  if (!predicate) return { rows: identity, count: rowCount };
  const rows = scratch;
  rows.set(identity.subarray(0, rowCount));
  return { rows, count: filterOf(predicate)(rows, rowCount) };
}

/** matching rows, sorted (top-N when limited) and limited */
function selectRows(
  rowCount: number, predicate: RowPredicate | undefined, compare: RowComparator | undefined, limit: number | undefined,
): { rows: Int32Array; totalRows: number } {
  const { rows: selected, count } = selection(rowCount, predicate);
  if (compare && limit !== undefined && limit < count) {
    const top = new TopN(limit, compare);
    for (let i = 0; i < count; i++) top.offer(selected[i]!);
    return { rows: top.sorted(), totalRows: count };
  }
  if (!compare) return { rows: selected.slice(0, limit === undefined ? count : Math.min(limit, count)), totalRows: count };
  const rows = selected.slice(0, count).sort(compare);
  return { rows: limit !== undefined && limit < count ? rows.slice(0, limit) : rows, totalRows: count };
}

/** Groups the matching rows (first-appearance order) and runs every accumulator; one array per result column. */
function aggregateRows(
  table: Table, predicate: RowPredicate | undefined, groupColumns: readonly Column[], aggregates: readonly AggregateSpec[],
): Record<string, ColumnData> {
  const accumulators = aggregates.map((a) => a.fn.aggregate!.accumulator(a.column));
  const firstRows: number[] = [];
  const groups = new Map<string | number, number>();
  let keyOf: (row: number) => string | number;
  if (groupColumns.length === 0) keyOf = () => 0;
  else if (groupColumns.length === 1) {
    const c = groupColumns[0]!, a = numbersOf(c);
    keyOf = a ? (r) => a[r]! : (r) => valueKey(c.get(r));
  } else keyOf = (r) => groupColumns.map((c) => String(valueKey(c.get(r)))).join('\u0001');
  const { rows, count } = selection(table.rowCount, predicate);
  for (let i = 0; i < count; i++) {
    const r = rows[i]!;
    const key = keyOf(r);
    let group = groups.get(key);
    if (group === undefined) {
      group = firstRows.push(r) - 1;
      groups.set(key, group);
    }
    for (const acc of accumulators) acc.add(group, r);
  }
  // aggregates over all rows give one row even when nothing matched (count 0)
  const groupCount = groupColumns.length === 0 ? 1 : firstRows.length;
  const data: Record<string, ColumnData> = {};
  for (const c of groupColumns) data[c.def.name] = firstRows.map((r) => c.get(r));
  aggregates.forEach((a, i) => { data[a.name] = accumulators[i]!.values(groupCount); });
  return data;
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
