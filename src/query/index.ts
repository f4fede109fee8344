/**
 * flowsh query language: parse statements, compile and run them over a Catalog.
 *
 *   const statement = parseStatement('flows where port(21) sort numBytesSnt desc limit 10');
 *   const result = executeStatement(statement, catalog);   // QueryResult, or undefined for shell statements
 *
 * Everything here throws only QueryError (format() gives the line with a caret under the token).
 */
import type { Catalog, Table } from '../store/table.ts';
import type { Statement } from './ast.ts';
import { compilePredicate } from './compileExpr.ts';
import { executeStatement } from './execute.ts';
import { guard } from './lookup.ts';
import { QueryError } from './errors.ts';
import { parseStatement } from './parse.ts';
import type { RowPredicate } from './predicates.ts';
import type { QueryResult } from './result.ts';

export type * from './ast.ts';
export { QueryError, closestNames, didYouMean, type Span } from './errors.ts';
export { parseStatement, splitStatements, type StatementSource } from './parse.ts';
export { compileQuery, executeStatement, executeStatementInterruptibly, type CompiledQuery } from './execute.ts';
export { StatementCancelled } from './steps.ts';
export { explainColumn, listColumns } from './explain.ts';
export { FUNCTIONS, findFunction, type FunctionDef, type FunctionParam } from './functions.ts';
export { EXPLAIN_TARGETS, STATEMENTS, STATEMENT_KEYWORDS, CLAUSE_KEYWORDS, OPERATOR_KEYWORDS, OPERATORS, type StatementHelp } from './language.ts';
export type { QueryResult } from './result.ts';
export type { RowPredicate } from './predicates.ts';

/** Parses and executes one statement; `{ statement }` alone for statements the shell executes. */
export function runStatement(text: string, catalog: Catalog): { statement: Statement; result?: QueryResult } {
  const statement = parseStatement(text);
  const result = executeStatement(statement, catalog);
  return result ? { statement, result } : { statement };
}

/**
 * A where-expression alone, compiled for `table` (for other tools that filter rows, e.g. carving):
 * `compileFilter('port(21) and tcp()', flows)`.
 */
export function compileFilter(expression: string, table: Table): RowPredicate {
  const prefix = `${table.def.name} where `;
  const text = prefix + expression;
  try {
    const statement = parseStatement(text);
    if (statement.kind !== 'query' || !statement.where || statement.select || statement.sort || statement.groupBy || statement.limit) {
      throw new QueryError('expected a condition', text, prefix.length, expression.length);
    }
    return guard(text, () => compilePredicate(statement.where!, table, text));
  } catch (e) {
    // report positions within the expression the caller gave
    if (e instanceof QueryError) {
      throw new QueryError(e.message, expression, Math.max(0, e.offset - prefix.length), e.length);
    }
    throw e;
  }
}
