/**
 * CST -> AST: a chevrotain visitor over the grammar's CST. Turns token images into values
 * (numbers, exact bigints, addresses, regexes) and reports invalid literals with their position.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import { flowshParser } from '../../grammar/parser.ts';
import { IpAddr } from '../store/value.ts';
import type {
  CompareOp, Expr, InItem, LiteralValue, Name, ResultName, SelectItem, SortKey, Statement, QueryStatement,
} from './ast.ts';
import { QueryError, type Span } from './errors.ts';
import { EXPLAIN_TARGETS } from './language.ts';

type Children = Record<string, CstElement[] | undefined>;

function isToken(element: CstElement): element is IToken {
  return 'image' in element;
}

function nodes(ctx: Children, key: string): CstNode[] {
  return (ctx[key] ?? []).filter((e): e is CstNode => !isToken(e));
}

function node(ctx: Children, key: string): CstNode | undefined {
  return nodes(ctx, key)[0];
}

function tokens(ctx: Children, key: string): IToken[] {
  return (ctx[key] ?? []).filter(isToken);
}

function token(ctx: Children, key: string): IToken | undefined {
  return tokens(ctx, key)[0];
}

/** the first token among several keys (rules alternatives put each token type under its own key) */
function anyToken(ctx: Children, ...keys: string[]): IToken | undefined {
  for (const key of keys) {
    const t = token(ctx, key);
    if (t) return t;
  }
  return undefined;
}

export function tokenSpan(t: IToken): Span {
  return { offset: t.startOffset, length: t.image.length };
}

function nodeSpan(n: CstNode): Span {
  const start = n.location?.startOffset ?? 0;
  const end = n.location?.endOffset ?? start;
  return { offset: start, length: Number.isNaN(end) ? 1 : end - start + 1 };
}

function joinSpans(a: Span, b: Span): Span {
  return { offset: a.offset, length: b.offset + b.length - a.offset };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };

/** body of a quoted string: \n \t \r \0 \xNN \uNNNN, any other escaped character stands for itself */
export function unquote(image: string): string {
  return image.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, e: string) =>
    e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? e));
}

const BaseVisitor = flowshParser.getBaseCstVisitorConstructor();

class AstBuilder extends BaseVisitor {
  constructor(private readonly text: string) {
    super();
  }

  /** chevrotain passes `param` as the method's second argument: we pass the node for its location */
  private v(n: CstNode): any {
    return this.visit(n, n);
  }

  private fail(message: string, span: Span): never {
    throw QueryError.at(message, this.text, span);
  }

  private base(n: CstNode) {
    return { text: this.text, span: nodeSpan(n) };
  }

  // ------------------------------------------------------------ statements

  statement(ctx: Children): Statement {
    const inner = Object.values(ctx).flat()[0] as CstNode;
    return this.v(inner);
  }

  queryStatement(ctx: Children, n: CstNode): QueryStatement {
    const table = token(ctx, 'Identifier')!;
    const single = (key: string, what: string): CstNode | undefined => {
      const list = nodes(ctx, key);
      if (list.length > 1) this.fail(`duplicate ${what} clause`, nodeSpan(list[1]!));
      return list[0];
    };
    const where = single('whereClause', 'where');
    const select = single('selectClause', 'select');
    const group = single('groupClause', 'group by');
    const sort = single('sortClause', 'sort');
    const limit = single('limitClause', 'limit');
    const as = single('asClause', 'as');
    return {
      kind: 'query',
      ...this.base(n),
      table: { name: table.image, span: tokenSpan(table) },
      ...(where ? { where: this.v(node(where.children, 'expression')!) as Expr } : {}),
      ...(select ? { select: nodes(select.children, 'selectItem').map((i) => this.v(i) as SelectItem) } : {}),
      ...(group ? { groupBy: nodes(group.children, 'columnRef').map((c) => this.v(c) as Name) } : {}),
      ...(sort ? { sort: nodes(sort.children, 'sortItem').map((s) => this.v(s) as SortKey) } : {}),
      ...(limit ? { limit: this.limitValue(token(limit.children, 'Integer')!) } : {}),
      ...(as ? { as: this.asName(as) } : {}),
    };
  }

  private asName(clause: CstNode): Name {
    const t = token(clause.children, 'Identifier')!;
    return { name: t.image.toLowerCase(), span: tokenSpan(t) };
  }

  carveStatement(ctx: Children, n: CstNode): Statement {
    const where = node(ctx, 'whereClause');
    const directory = this.v(node(ctx, 'rawArgument')!) as string;
    return { kind: 'carve', ...this.base(n), ...(where ? { where: this.v(node(where.children, 'expression')!) as Expr } : {}), directory };
  }

  saveStatement(ctx: Children, n: CstNode): Statement {
    const table = token(ctx, 'Identifier')!;
    const where = node(ctx, 'whereClause');
    const whereNode = where ? node(where.children, 'expression') : undefined;
    const query: QueryStatement = {
      kind: 'query', text: this.text, span: joinSpans(tokenSpan(table), where ? nodeSpan(where) : tokenSpan(table)),
      table: { name: table.image, span: tokenSpan(table) },
      ...(whereNode ? { where: this.v(whereNode) as Expr } : {}),
    };
    return { kind: 'save', ...this.base(n), query, path: this.v(node(ctx, 'rawArgument')!) as string };
  }

  exportStatement(ctx: Children, n: CstNode): Statement {
    const query = this.v(node(ctx, 'queryStatement')!) as QueryStatement;
    if (query.as) this.fail('export writes rows as the file name says (.csv, .tsv, .jsonl, .parquet): leave out as', query.as.span);
    return { kind: 'export', ...this.base(n), query, path: this.v(node(ctx, 'rawArgument')!) as string };
  }

  followStatement(ctx: Children, n: CstNode): Statement {
    const words = (ctx['Identifier'] ?? []) as IToken[];
    const flowWord = words[0]!;
    if (flowWord.image.toLowerCase() !== 'flow') this.fail(`expected 'flow' but found '${flowWord.image}'`, tokenSpan(flowWord));
    const number = token(ctx, 'Integer')!;
    const flowInd = Number(number.image);
    if (!Number.isSafeInteger(flowInd) || flowInd < 1) this.fail('a flow index is a whole number from 1', tokenSpan(number));
    let dir: 'A' | 'B' | undefined;
    if (words.length >= 3) {
      if (words[1]!.image.toLowerCase() !== 'dir') this.fail(`expected 'dir' but found '${words[1]!.image}'`, tokenSpan(words[1]!));
      const d = words[2]!.image.toUpperCase();
      if (d !== 'A' && d !== 'B') this.fail(`dir is A or B, not '${words[2]!.image}'`, tokenSpan(words[2]!));
      dir = d;
    }
    const asClause = node(ctx, 'asClause');
    let format: 'ascii' | 'hex' | 'raw' = 'ascii';
    if (asClause) {
      const f = this.asName(asClause);
      if (f.name !== 'ascii' && f.name !== 'hex' && f.name !== 'raw') this.fail(`follow prints as ascii, hex or raw, not '${f.name}'`, f.span);
      format = f.name;
    }
    return { kind: 'follow', ...this.base(n), flowInd, ...(dir ? { dir } : {}), format };
  }

  ladderStatement(ctx: Children, n: CstNode): Statement {
    const word = token(ctx, 'Identifier')!;
    const number = token(ctx, 'Integer');
    const where = node(ctx, 'whereClause');
    const w = word.image.toLowerCase();
    if (w === 'flow') {
      if (!number) this.fail('ladder flow needs a flow index, e.g. ladder flow 4 (or ladder flows where EXPR)', tokenSpan(word));
      const flowInd = Number(number.image);
      if (!Number.isSafeInteger(flowInd) || flowInd < 1) this.fail('a flow index is a whole number from 1', tokenSpan(number));
      return { kind: 'ladder', ...this.base(n), flowInd };
    }
    if (w !== 'flows') this.fail(`expected 'flow N' or 'flows where EXPR' but found '${word.image}'`, tokenSpan(word));
    if (number) this.fail('ladder flows takes a where clause; for one flow write ladder flow N', tokenSpan(number));
    return { kind: 'ladder', ...this.base(n), ...(where ? { where: this.v(node(where.children, 'expression')!) as Expr } : {}) };
  }

  private limitValue(t: IToken): { value: number; span: Span } {
    const value = Number(t.image);
    if (!Number.isSafeInteger(value)) this.fail('limit is too large', tokenSpan(t));
    return { value, span: tokenSpan(t) };
  }

  selectItem(ctx: Children, n: CstNode): SelectItem {
    if (token(ctx, 'Star')) return { kind: 'star', span: nodeSpan(n) };
    return { kind: 'item', ...(this.v(node(ctx, 'resultName')!) as ResultName) };
  }

  sortItem(ctx: Children): SortKey {
    return { key: this.v(node(ctx, 'resultName')!) as ResultName, descending: token(ctx, 'Desc') !== undefined };
  }

  resultName(ctx: Children, n: CstNode): ResultName {
    const dollar = token(ctx, 'DollarIdentifier');
    if (dollar) return { name: dollar.image.slice(1), span: tokenSpan(dollar) };
    const name = token(ctx, 'Identifier')!.image;
    if (!token(ctx, 'LParen')) return { name, span: nodeSpan(n) };
    const argument = node(ctx, 'columnRef');
    return { name, argument: argument ? (this.v(argument) as Name) : null, span: nodeSpan(n) };
  }

  columnRef(ctx: Children): Name {
    const t = anyToken(ctx, 'Identifier', 'DollarIdentifier')!;
    return { name: t.tokenType.name === 'DollarIdentifier' ? t.image.slice(1) : t.image, span: tokenSpan(t) };
  }

  explainStatement(ctx: Children, n: CstNode): Statement {
    const column = this.v(node(ctx, 'columnRef')!) as Name;
    const literal = node(ctx, 'signedLiteral');
    const word = token(ctx, 'Identifier');
    const target = this.explainTarget(ctx, column, literal);
    if (target) return { kind: target.kind, ...this.base(n), number: target.number };
    let value: { literal: LiteralValue; span: Span } | undefined;
    if (literal) value = { literal: this.v(literal) as LiteralValue, span: nodeSpan(literal) };
    else if (word) value = { literal: { type: 'string', value: word.image }, span: tokenSpan(word) };
    return { kind: 'explain', ...this.base(n), column, ...(value ? { value } : {}) };
  }

  /** `explain flow N` / `explain packet N`: the bare words flow and packet followed by a whole number */
  private explainTarget(ctx: Children, column: Name, literal: CstNode | undefined): { kind: 'explainFlow' | 'explainPacket'; number: number } | undefined {
    const ref = node(ctx, 'columnRef')!;
    const word = EXPLAIN_TARGETS.find((t) => t === column.name.toLowerCase());
    if (word === undefined || token(ref.children, 'DollarIdentifier') || token(ctx, 'CompareOperator')) return undefined;
    const what = word === 'flow' ? 'a flow index (flowInd)' : 'a packet number (pktNo)';
    const value = literal ? (this.v(literal) as LiteralValue) : undefined;
    if (!literal || value?.type !== 'number' || typeof value.value !== 'number' || !Number.isSafeInteger(value.value) || value.value < 1) {
      this.fail(`explain ${word} needs ${what}, a whole number from 1, e.g. explain ${word} 4`, literal ? nodeSpan(literal) : column.span);
    }
    return { kind: word === 'flow' ? 'explainFlow' : 'explainPacket', number: value.value as number };
  }

  columnsStatement(ctx: Children, n: CstNode): Statement {
    const table = token(ctx, 'Identifier');
    return { kind: 'columns', ...this.base(n), ...(table ? { table: { name: table.image, span: tokenSpan(table) } } : {}) };
  }

  reportStatement(_ctx: Children, n: CstNode): Statement {
    return { kind: 'report', ...this.base(n) };
  }

  helpStatement(ctx: Children, n: CstNode): Statement {
    const topic = node(ctx, 'rawArgument');
    return { kind: 'help', ...this.base(n), ...(topic ? { topic: this.v(topic) as string } : {}) };
  }

  loadStatement(ctx: Children, n: CstNode): Statement {
    return { kind: 'load', ...this.base(n), path: this.v(node(ctx, 'rawArgument')!) as string };
  }

  rawArgument(ctx: Children): string {
    const quoted = token(ctx, 'StringLiteral');
    return quoted ? unquote(quoted.image) : token(ctx, 'RawText')!.image;
  }

  quitStatement(_ctx: Children, n: CstNode): Statement {
    return { kind: 'quit', ...this.base(n) };
  }

  historyStatement(_ctx: Children, n: CstNode): Statement {
    return { kind: 'history', ...this.base(n) };
  }

  clearStatement(_ctx: Children, n: CstNode): Statement {
    return { kind: 'clear', ...this.base(n) };
  }

  // ------------------------------------------------------------ expressions

  expression(ctx: Children): Expr {
    return this.v(node(ctx, 'orExpression')!);
  }

  private logical(op: 'and' | 'or', operands: CstNode[], n: CstNode): Expr {
    const exprs = operands.map((o) => this.v(o) as Expr);
    return exprs.length === 1 ? exprs[0]! : { kind: 'logical', op, operands: exprs, span: nodeSpan(n) };
  }

  orExpression(ctx: Children, n: CstNode): Expr {
    return this.logical('or', nodes(ctx, 'andExpression'), n);
  }

  andExpression(ctx: Children, n: CstNode): Expr {
    return this.logical('and', nodes(ctx, 'notExpression'), n);
  }

  notExpression(ctx: Children, n: CstNode): Expr {
    const inner = node(ctx, 'notExpression');
    if (inner) return { kind: 'not', operand: this.v(inner) as Expr, span: nodeSpan(n) };
    return this.v(node(ctx, 'comparison')!);
  }

  comparison(ctx: Children, n: CstNode): Expr {
    const [leftNode, rightNode] = nodes(ctx, 'bitOrExpression');
    const left = this.v(leftNode!) as Expr;
    const span = nodeSpan(n);
    const op = token(ctx, 'CompareOperator');
    if (op) {
      const image = op.image === '=' ? '==' : op.image;
      return { kind: 'compare', op: image as CompareOp, left, right: this.v(rightNode!) as Expr, opSpan: tokenSpan(op), span };
    }
    const matchOp = anyToken(ctx, 'Tilde', 'NotMatch');
    if (matchOp) {
      const regexToken = token(ctx, 'RegexLiteral');
      const stringToken = token(ctx, 'StringLiteral');
      const patternToken = (regexToken ?? stringToken)!;
      const pattern = regexToken
        ? this.regex(regexToken)
        : this.compileRegex(unquote(stringToken!.image), '', tokenSpan(stringToken!));
      return { kind: 'match', negated: matchOp.image === '!~', operand: left, pattern, patternSpan: tokenSpan(patternToken), span };
    }
    const target = node(ctx, 'inTarget');
    if (target) {
      const items = nodes(target.children, 'signedLiteral').map((l) => ({ literal: this.v(l) as LiteralValue, span: nodeSpan(l) }) satisfies InItem);
      return { kind: 'in', negated: token(ctx, 'Not') !== undefined, operand: left, items, span };
    }
    return left;
  }

  private binaryChain(ctx: Children, operandKey: string, opKey: string, op: '&' | '|' | '^'): Expr {
    const operands = nodes(ctx, operandKey).map((o) => this.v(o) as Expr);
    const ops = tokens(ctx, opKey);
    let result = operands[0]!;
    for (let i = 1; i < operands.length; i++) {
      const right = operands[i]!;
      result = { kind: 'bit', op, left: result, right, opSpan: tokenSpan(ops[i - 1]!), span: joinSpans(result.span, right.span) };
    }
    return result;
  }

  bitOrExpression(ctx: Children): Expr {
    return this.binaryChain(ctx, 'bitXorExpression', 'Pipe', '|');
  }

  bitXorExpression(ctx: Children): Expr {
    return this.binaryChain(ctx, 'bitAndExpression', 'Caret', '^');
  }

  bitAndExpression(ctx: Children): Expr {
    return this.binaryChain(ctx, 'unaryExpression', 'Ampersand', '&');
  }

  unaryExpression(ctx: Children, n: CstNode): Expr {
    const inner = node(ctx, 'unaryExpression');
    if (!inner) return this.v(node(ctx, 'primary')!);
    const op = anyToken(ctx, 'Tilde', 'Minus')!.image as '~' | '-';
    return { kind: 'unary', op, operand: this.v(inner) as Expr, span: nodeSpan(n) };
  }

  primary(ctx: Children, n: CstNode): Expr {
    const literal = node(ctx, 'literal');
    if (literal) return { kind: 'literal', literal: this.v(literal) as LiteralValue, span: nodeSpan(n) };
    const call = node(ctx, 'functionCall');
    if (call) return this.v(call);
    const column = node(ctx, 'columnRef');
    if (column) {
      const name = this.v(column) as Name;
      return { kind: 'column', name: name.name, span: name.span };
    }
    return this.v(node(ctx, 'expression')!);
  }

  functionCall(ctx: Children, n: CstNode): Expr {
    const name = token(ctx, 'Identifier')!;
    return {
      kind: 'call',
      name: name.image,
      args: nodes(ctx, 'expression').map((e) => this.v(e) as Expr),
      nameSpan: tokenSpan(name),
      span: nodeSpan(n),
    };
  }

  // ------------------------------------------------------------ literals

  signedLiteral(ctx: Children, n: CstNode): LiteralValue {
    const value = this.v(node(ctx, 'literal')!) as LiteralValue;
    if (!token(ctx, 'Minus')) return value;
    if (value.type !== 'number') this.fail('only numbers can be negative', nodeSpan(n));
    return { type: 'number', value: -value.value };
  }

  numberLiteral(ctx: Children): LiteralValue {
    const t = anyToken(ctx, 'HexNumber', 'FloatNumber', 'Integer')!;
    if (t.tokenType.name === 'FloatNumber') return { type: 'number', value: Number(t.image) };
    // exact: hex masks of 64-bit flag columns exceed 2^53
    const big = BigInt(t.image);
    return { type: 'number', value: big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big };
  }

  literal(ctx: Children): LiteralValue {
    const number = node(ctx, 'numberLiteral');
    if (number) return this.v(number);
    const t = anyToken(ctx, 'StringLiteral', 'Ip4Address', 'Ip4Prefix', 'Ip6Address', 'Ip6Prefix', 'MacAddress')!;
    switch (t.tokenType.name) {
      case 'StringLiteral': return { type: 'string', value: unquote(t.image) };
      case 'MacAddress': return { type: 'mac', value: t.image.toLowerCase() };
      case 'Ip4Address': case 'Ip6Address': return { type: 'ip', value: this.address(t.image, tokenSpan(t)) };
      default: {
        const slash = t.image.lastIndexOf('/');
        const address = this.address(t.image.slice(0, slash), tokenSpan(t));
        const bits = Number(t.image.slice(slash + 1));
        const max = address.isV6 ? 128 : 32;
        if (bits > max) this.fail(`prefix length ${bits} is larger than ${max}`, tokenSpan(t));
        return { type: 'prefix', value: address, bits };
      }
    }
  }

  private address(text: string, span: Span): IpAddr {
    const address = IpAddr.parse(text);
    if (!address) this.fail(`invalid IP address '${text}'`, span);
    return address;
  }

  private regex(t: IToken): RegExp {
    const slash = t.image.lastIndexOf('/');
    return this.compileRegex(t.image.slice(1, slash), t.image.slice(slash + 1), tokenSpan(t));
  }

  private compileRegex(source: string, flags: string, span: Span): RegExp {
    try {
      return new RegExp(source, flags);
    } catch (e) {
      this.fail(`invalid regular expression: ${(e as Error).message}`, span);
    }
  }
}

/** Builds the AST of one statement CST; `text` is the statement the CST was parsed from. */
export function buildStatement(cst: CstNode, text: string): Statement {
  return new AstBuilder(text).visit(cst) as Statement;
}
