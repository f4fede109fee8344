/**
 * Statement AST, built from the CST by astBuilder.ts. Every node carries the span of its text so
 * later errors can point at it. New statements are new members of `Statement` with their own
 * `kind`; consumers switch on `kind` and leave unknown kinds to whoever added them.
 */
import type { IpAddr } from '../store/value.ts';
import type { Span } from './errors.ts';

export type LiteralValue =
  /** integers beyond 2^53 (e.g. 64-bit flag masks) are exact bigints */
  | { readonly type: 'number'; readonly value: number | bigint }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'ip'; readonly value: IpAddr }
  | { readonly type: 'prefix'; readonly value: IpAddr; readonly bits: number }
  /** lower case aa:bb:cc:dd:ee:ff */
  | { readonly type: 'mac'; readonly value: string }
  | { readonly type: 'regex'; readonly value: RegExp };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type BitOp = '&' | '|' | '^';

export type Expr =
  | { readonly kind: 'literal'; readonly literal: LiteralValue; readonly span: Span }
  | { readonly kind: 'column'; readonly name: string; readonly span: Span }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly nameSpan: Span; readonly span: Span }
  | { readonly kind: 'not'; readonly operand: Expr; readonly span: Span }
  | { readonly kind: 'logical'; readonly op: 'and' | 'or'; readonly operands: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr; readonly opSpan: Span; readonly span: Span }
  | { readonly kind: 'bit'; readonly op: BitOp; readonly left: Expr; readonly right: Expr; readonly opSpan: Span; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '~' | '-'; readonly operand: Expr; readonly span: Span }
  /** `x ~ /re/`, `x !~ "re"` */
  | { readonly kind: 'match'; readonly negated: boolean; readonly operand: Expr; readonly pattern: RegExp; readonly patternSpan: Span; readonly span: Span }
  /** `x in (a, b)`, `x not in (...)`, `ip in PREFIX` */
  | { readonly kind: 'in'; readonly negated: boolean; readonly operand: Expr; readonly items: readonly InItem[]; readonly span: Span };

export interface InItem {
  readonly literal: LiteralValue;
  readonly span: Span;
}

export interface Name {
  readonly name: string;
  readonly span: Span;
}

/** a select/sort item: a column, or an aggregate call (`count()`, `sum(numBytesSnt)`) */
export interface ResultName {
  readonly name: string;
  /** present for `name(...)`: the argument column, or null for `count()` */
  readonly argument?: Name | null;
  readonly span: Span;
}

export type SelectItem = { readonly kind: 'star'; readonly span: Span } | ({ readonly kind: 'item' } & ResultName);

export interface SortKey {
  readonly key: ResultName;
  readonly descending: boolean;
}

interface StatementBase {
  /** the statement's text, which all spans index */
  readonly text: string;
  readonly span: Span;
}

export interface QueryStatement extends StatementBase {
  readonly kind: 'query';
  readonly table: Name;
  readonly where?: Expr;
  readonly select?: readonly SelectItem[];
  readonly groupBy?: readonly Name[];
  readonly sort?: readonly SortKey[];
  readonly limit?: { readonly value: number; readonly span: Span };
  /** `as FORMAT`: another rendering of the rows (e.g. `as tcpdump` for packets) */
  readonly as?: Name;
}

/** `carve [where EXPR] to DIR` */
export interface CarveStatement extends StatementBase {
  readonly kind: 'carve';
  readonly where?: Expr;
  readonly directory: string;
}

/** `save packets|flows [where EXPR] to FILE`: `query` is the table and its where clause */
export interface SaveStatement extends StatementBase {
  readonly kind: 'save';
  readonly query: QueryStatement;
  readonly path: string;
}

/** `export QUERY to FILE`: any query's rows (where, select, group by, sort, limit) */
export interface ExportStatement extends StatementBase {
  readonly kind: 'export';
  readonly query: QueryStatement;
  readonly path: string;
}

/** `follow flow N [dir A|B] [as ascii|hex|raw]` */
export interface FollowStatement extends StatementBase {
  readonly kind: 'follow';
  readonly flowInd: number;
  readonly dir?: 'A' | 'B';
  readonly format: 'ascii' | 'hex' | 'raw';
}

export interface ExplainStatement extends StatementBase {
  readonly kind: 'explain';
  readonly column: Name;
  /** number, string or bare word (an enumeration name) */
  readonly value?: { readonly literal: LiteralValue; readonly span: Span };
}

/** `explain flow N` (the flow in sentences) and `explain packet N` (layer by layer), src/teach/ */
export interface ExplainTargetStatement extends StatementBase {
  readonly kind: 'explainFlow' | 'explainPacket';
  /** flowInd or pktNo */
  readonly number: number;
}

/** `ladder flow N` (with its FTP data or control flows) or `ladder flows [where EXPR]`, src/teach/ */
export interface LadderStatement extends StatementBase {
  readonly kind: 'ladder';
  readonly flowInd?: number;
  /** over the flows table */
  readonly where?: Expr;
}

export interface ColumnsStatement extends StatementBase {
  readonly kind: 'columns';
  readonly table?: Name;
}

/** statements the shell executes; the query layer only parses them */
export type ShellStatement =
  | (StatementBase & { readonly kind: 'report' })
  | (StatementBase & { readonly kind: 'help'; readonly topic?: string })
  | (StatementBase & { readonly kind: 'load'; readonly path: string })
  | (StatementBase & { readonly kind: 'quit' })
  | (StatementBase & { readonly kind: 'history' })
  | (StatementBase & { readonly kind: 'clear' });

export type Statement =
  | QueryStatement | ExplainStatement | ExplainTargetStatement | LadderStatement | ColumnsStatement | FollowStatement | CarveStatement | SaveStatement | ExportStatement | ShellStatement;
