/**
 * Expression AST -> row predicate, as a tree of closures over the table's columns (never source
 * text: no eval / new Function). Each sub-expression first becomes an Operand describing what it is
 * (a constant, a column, a computed number, a condition, `column & mask`), so comparisons can pick
 * a fast path reading typed arrays directly; predicates allocate nothing per row on those paths.
 */
import { bitWidth, type ColumnDef, type ColumnType } from '../schema/types.ts';
import type { Column, Table } from '../store/table.ts';
import { IpAddr, type Value } from '../store/value.ts';
import type { CompareOp, Expr } from './ast.ts';
import { didYouMean, QueryError, type Span } from './errors.ts';
import { arityText, findFunction, FUNCTIONS, type CallExpr, type Constant, type FunctionContext } from './functions.ts';
import {
  addressMatches, alwaysFalse, filterOf, parseAddressText, subtractRows, unionRows, withFilter, alwaysTrue, high32, low32, maskedPredicate, numbersOf, textPredicate, toBigInt,
  valuePredicate, wordsOf, type AddressMatch, type RowPredicate,
} from './predicates.ts';
import { compareValues, isTruthy } from './values.ts';

type Operand =
  | { readonly kind: 'const'; readonly value: Constant; readonly span: Span }
  | { readonly kind: 'column'; readonly column: Column; readonly span: Span }
  /** computed number (bit operations on columns up to 32 bits, negation) */
  | { readonly kind: 'number'; readonly get: (row: number) => number; readonly span: Span }
  /** computed 64-bit integer */
  | { readonly kind: 'bigint'; readonly get: (row: number) => bigint; readonly span: Span }
  | { readonly kind: 'bool'; readonly test: RowPredicate; readonly span: Span }
  /** `column & mask`, kept apart so `(col & m) != 0` and `(col & m) == v` become word tests */
  | { readonly kind: 'masked'; readonly column: Column; readonly mask: bigint; readonly span: Span };

type IntegerOperand =
  | { readonly wide: false; readonly get: (row: number) => number; readonly width: number }
  | { readonly wide: true; readonly get: (row: number) => bigint };

const INTEGER_TYPES: ReadonlySet<ColumnType> = new Set(['u8', 'u16', 'u32', 'u64', 'i64', 'h8', 'h16', 'h32', 'h64', 'bool']);
const NUMBER_TYPES: ReadonlySet<ColumnType> = new Set([...INTEGER_TYPES, 'f64', 'time', 'seconds']);
const TEXT_TYPES: ReadonlySet<ColumnType> = new Set(['str', 'char', 'mac']);
const FLIPPED: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function orderMatches(op: CompareOp, order: number | undefined): boolean {
  if (order === undefined) return false;
  switch (op) {
    case '==': return order === 0;
    case '!=': return order !== 0;
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
  }
}

/** `column OP k` over typed numbers; each op has its own loop so no call happens per row */
function numberComparison(op: CompareOp, a: ArrayLike<number>, k: number): RowPredicate {
  switch (op) {
    case '==':
      return withFilter((r) => a[r] === k, (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (a[r] === k) rows[kept++] = r;
        }
        return kept;
      });
    case '!=': // NaN (no value) compares false
      return withFilter((r) => a[r] !== k && a[r] === a[r], (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (a[r] !== k && a[r] === a[r]) rows[kept++] = r;
        }
        return kept;
      });
    case '<':
      return withFilter((r) => a[r]! < k, (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (a[r]! < k) rows[kept++] = r;
        }
        return kept;
      });
    case '<=':
      return withFilter((r) => a[r]! <= k, (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (a[r]! <= k) rows[kept++] = r;
        }
        return kept;
      });
    case '>':
      return withFilter((r) => a[r]! > k, (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (a[r]! > k) rows[kept++] = r;
        }
        return kept;
      });
    case '>=':
      return withFilter((r) => a[r]! >= k, (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (a[r]! >= k) rows[kept++] = r;
        }
        return kept;
      });
  }
}

function getterComparison(op: CompareOp, get: (row: number) => number, k: number): RowPredicate {
  switch (op) {
    case '==': return (r) => get(r) === k;
    case '!=': return (r) => { const v = get(r); return v !== k && v === v; };
    case '<': return (r) => get(r) < k;
    case '<=': return (r) => get(r) <= k;
    case '>': return (r) => get(r) > k;
    case '>=': return (r) => get(r) >= k;
  }
}

/** unsigned 64-bit comparison on a word view: high word first, then low word */
function wordComparison(op: CompareOp, w: Uint32Array, k: bigint): RowPredicate {
  const lo = low32(k), hi = high32(k);
  switch (op) {
    case '==': case '!=': {
      const want = op === '==';
      return withFilter((r) => (w[2 * r] === lo && w[2 * r + 1] === hi) === want, (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if ((w[2 * r] === lo && w[2 * r + 1] === hi) === want) rows[kept++] = r;
        }
        return kept;
      });
    }
    case '<': return (r) => w[2 * r + 1]! < hi || (w[2 * r + 1] === hi && w[2 * r]! < lo);
    case '<=': return (r) => w[2 * r + 1]! < hi || (w[2 * r + 1] === hi && w[2 * r]! <= lo);
    case '>': return (r) => w[2 * r + 1]! > hi || (w[2 * r + 1] === hi && w[2 * r]! > lo);
    case '>=': return (r) => w[2 * r + 1]! > hi || (w[2 * r + 1] === hi && w[2 * r]! >= lo);
  }
}

function constantValue(c: Constant): Value {
  switch (c.type) {
    case 'number': case 'string': case 'ip': case 'mac': case 'bool': return c.value;
    default: return null;
  }
}

function describeConstant(c: Constant): string {
  switch (c.type) {
    case 'number': return 'a number';
    case 'string': return 'a string';
    case 'ip': return 'an address';
    case 'prefix': return 'a prefix';
    case 'mac': return 'a MAC address';
    case 'regex': return 'a regex';
    case 'bool': return 'a condition';
  }
}

function typeText(def: ColumnDef): string {
  return def.repeated ? `list of ${def.type}` : def.type;
}

function negate(test: RowPredicate): RowPredicate {
  const filter = filterOf(test);
  return withFilter((r) => !test(r), (rows, count) => {
    const hits = rows.slice(0, count);
    return subtractRows(rows, count, hits, filter(hits, count));
  });
}

function everyOf(parts: readonly RowPredicate[]): RowPredicate {
  if (parts.length === 2) {
    const [a, b] = parts as [RowPredicate, RowPredicate];
    return (r) => a(r) && b(r);
  }
  return (r) => { for (let i = 0; i < parts.length; i++) if (!parts[i]!(r)) return false; return true; };
}

function someOf(parts: readonly RowPredicate[]): RowPredicate {
  if (parts.length === 2) {
    const [a, b] = parts as [RowPredicate, RowPredicate];
    return (r) => a(r) || b(r);
  }
  return (r) => { for (let i = 0; i < parts.length; i++) if (parts[i]!(r)) return true; return false; };
}

export class ExpressionCompiler implements FunctionContext {
  constructor(readonly table: Table, private readonly text: string) {}

  error(message: string, span: Span): QueryError {
    return QueryError.at(message, this.text, span);
  }

  /** the compiled where clause */
  predicate(expr: Expr): RowPredicate {
    return this.toPredicate(this.operand(expr));
  }

  // ------------------------------------------------------------ names

  column(name: string, span: Span): Column {
    const column = this.table.column(name);
    if (column) return column;
    const fn = findFunction(name);
    if (fn && !fn.aggregate) throw this.error(`${name} is a function: call it as ${fn.signature}`, span);
    const names = this.table.columns.map((c) => c.def.name);
    throw this.error(`unknown column '${name}' in table ${this.table.def.name}${didYouMean(name, names)}`, span);
  }

  columnArgument(call: CallExpr, index: number): Column {
    const arg = call.args[index]!;
    if (arg.kind !== 'column') throw this.error(`${call.name}(): argument ${index + 1} must be a column name`, arg.span);
    return this.column(arg.name, arg.span);
  }

  constantArgument(call: CallExpr, index: number): Constant {
    const arg = call.args[index]!;
    const operand = this.operand(arg);
    if (operand.kind !== 'const') throw this.error(`${call.name}(): argument ${index + 1} must be a constant value`, arg.span);
    return operand.value;
  }

  requiredColumn(name: string, call: CallExpr): Column {
    const column = this.table.column(name);
    if (column) return column;
    throw this.error(`${call.name}() needs column ${name}, which table ${this.table.def.name} does not have`, call.nameSpan);
  }

  // ------------------------------------------------------------ operands

  private operand(expr: Expr): Operand {
    switch (expr.kind) {
      case 'literal': return { kind: 'const', value: expr.literal, span: expr.span };
      case 'column': return { kind: 'column', column: this.column(expr.name, expr.span), span: expr.span };
      case 'call': return { kind: 'bool', test: this.call(expr), span: expr.span };
      case 'not': {
        const inner = this.operand(expr.operand);
        if (inner.kind === 'const') return { kind: 'const', value: { type: 'bool', value: !isTruthy(constantValue(inner.value)) }, span: expr.span };
        return { kind: 'bool', test: negate(this.toPredicate(inner)), span: expr.span };
      }
      case 'logical': return { kind: 'bool', test: this.logical(expr.op, expr.operands.map((o) => this.predicate(o))), span: expr.span };
      case 'compare': return this.compare(expr.op, this.operand(expr.left), this.operand(expr.right), expr.opSpan, expr.span);
      case 'bit': return this.bit(expr.op, this.operand(expr.left), this.operand(expr.right), expr.span);
      case 'unary': return this.unary(expr.op, this.operand(expr.operand), expr.span);
      case 'match': return { kind: 'bool', test: this.match(expr), span: expr.span };
      case 'in': return { kind: 'bool', test: this.membership(expr), span: expr.span };
    }
  }

  private call(call: CallExpr): RowPredicate {
    const fn = findFunction(call.name);
    if (!fn) {
      const names = FUNCTIONS.filter((f) => !f.aggregate).map((f) => f.name);
      throw this.error(`unknown function '${call.name}'${didYouMean(call.name, names)}`, call.nameSpan);
    }
    if (!fn.compile) throw this.error(`${fn.name}() is an aggregate: use it in select`, call.nameSpan);
    const required = fn.params.filter((p) => !p.optional).length;
    if (call.args.length < required || call.args.length > fn.params.length) {
      throw this.error(`${fn.name}() takes ${fn.params.length === 0 ? 'no arguments' : arityText(fn)}: ${fn.signature}`, call.span);
    }
    return fn.compile(this, call);
  }

  private toPredicate(operand: Operand): RowPredicate {
    switch (operand.kind) {
      case 'const':
        if (operand.value.type === 'regex' || operand.value.type === 'prefix') {
          throw this.error(`${describeConstant(operand.value)} is not a condition`, operand.span);
        }
        return isTruthy(constantValue(operand.value)) ? alwaysTrue : alwaysFalse;
      case 'bool': return operand.test;
      case 'masked': return maskedPredicate(operand.column, operand.mask, 'any');
      case 'number': {
        const get = operand.get;
        return (r) => { const v = get(r); return v !== 0 && v === v; };
      }
      case 'bigint': {
        const get = operand.get;
        return (r) => get(r) !== 0n;
      }
      case 'column': {
        const column = operand.column;
        const words = wordsOf(column);
        if (words) return (r) => (words[2 * r]! | words[2 * r + 1]!) !== 0;
        const a = numbersOf(column);
        if (a) return (r) => { const v = a[r]!; return v !== 0 && v === v; };
        return (r) => isTruthy(column.get(r));
      }
    }
  }

  private logical(op: 'and' | 'or', parts: RowPredicate[]): RowPredicate {
    const filters = parts.map(filterOf);
    if (op === 'and') {
      // each condition narrows the selection left by the previous ones
      return withFilter(everyOf(parts), (rows, count) => {
        for (let i = 0; i < filters.length && count > 0; i++) count = filters[i]!(rows, count);
        return count;
      });
    }
    // or: each condition looks only at rows no earlier one accepted
    return withFilter(someOf(parts), (rows, count) => {
      const pending = rows.slice(0, count);
      let pendingCount = count, accepted: Int32Array = new Int32Array(0), acceptedCount = 0;
      for (let i = 0; i < filters.length && pendingCount > 0; i++) {
        const hits = pending.slice(0, pendingCount);
        const hitCount = filters[i]!(hits, pendingCount);
        accepted = unionRows(accepted, acceptedCount, hits, hitCount);
        acceptedCount += hitCount;
        pendingCount = subtractRows(pending, pendingCount, hits, hitCount);
      }
      rows.set(accepted.subarray(0, acceptedCount));
      return acceptedCount;
    });
  }

  // ------------------------------------------------------------ comparisons

  private compare(op: CompareOp, left: Operand, right: Operand, opSpan: Span, span: Span): Operand {
    if (left.kind === 'const' && right.kind !== 'const') return this.compare(FLIPPED[op], right, left, opSpan, span);
    const result = (test: RowPredicate): Operand => ({ kind: 'bool', test, span });
    if (left.kind === 'const' && right.kind === 'const') {
      const order = compareValues(constantValue(left.value), constantValue(right.value));
      return { kind: 'const', value: { type: 'bool', value: orderMatches(op, order) }, span };
    }
    if (right.kind === 'const') {
      const k = right.value;
      if (left.kind === 'column') return result(this.compareColumnConstant(op, left.column, k, right.span, left.span));
      if (left.kind === 'masked' && (op === '==' || op === '!=') && k.type === 'number') {
        const expected = toBigInt(k.value);
        if (expected === undefined) return result(op === '==' ? alwaysFalse : alwaysTrue);
        return result(maskedPredicate(left.column, left.mask, op === '==' ? 'eq' : 'ne', expected));
      }
      if (k.type !== 'number' && k.type !== 'bool') {
        throw this.error(`cannot compare a number with ${describeConstant(k)}`, right.span);
      }
      const kv = k.type === 'bool' ? Number(k.value) : k.value;
      if (left.kind === 'bool') {
        const test = left.test;
        return result(getterComparison(op, (r) => (test(r) ? 1 : 0), Number(kv)));
      }
      if (left.kind === 'number') return result(getterComparison(op, left.get, Number(kv)));
      const integer = this.integerOperand(left);
      if (!integer.wide) return result(getterComparison(op, integer.get, Number(kv)));
      const get = integer.get;
      return result((r) => orderMatches(op, compareValues(get(r), kv)));
    }
    // two row-dependent operands
    if (left.kind === 'column' && right.kind === 'column') return result(this.compareColumns(op, left.column, right.column, opSpan));
    const l = this.valueGetter(left), r = this.valueGetter(right);
    return result((row) => orderMatches(op, compareValues(l(row), r(row))));
  }

  private valueGetter(operand: Operand): (row: number) => Value {
    switch (operand.kind) {
      case 'const': { const v = constantValue(operand.value); return () => v; }
      case 'column': { const c = operand.column; return (r) => c.get(r); }
      case 'number': case 'bigint': return operand.get;
      case 'bool': return operand.test;
      case 'masked': return this.integerOperand(operand).get;
    }
  }

  private compareColumns(op: CompareOp, a: Column, b: Column, opSpan: Span): RowPredicate {
    const kind = (def: ColumnDef): string =>
      def.type === 'ip' ? 'address' : TEXT_TYPES.has(def.type) ? 'text' : NUMBER_TYPES.has(def.type) ? 'number' : def.type;
    if (kind(a.def) !== kind(b.def)) {
      throw this.error(`cannot compare ${a.def.name} (${typeText(a.def)}) with ${b.def.name} (${typeText(b.def)})`, opSpan);
    }
    const x = numbersOf(a), y = numbersOf(b);
    if (x && y) {
      switch (op) {
        case '==': return (r) => x[r] === y[r];
        case '!=': return (r) => x[r] !== y[r] && x[r] === x[r] && y[r] === y[r];
        case '<': return (r) => x[r]! < y[r]!;
        case '<=': return (r) => x[r]! <= y[r]!;
        case '>': return (r) => x[r]! > y[r]!;
        case '>=': return (r) => x[r]! >= y[r]!;
      }
    }
    const caseless = a.def.type === 'mac' || b.def.type === 'mac';
    const norm = (v: Value): Value => (caseless && typeof v === 'string' ? v.toLowerCase() : v);
    return (r) => {
      const u = a.get(r), v = b.get(r);
      const us: readonly Value[] = Array.isArray(u) ? u : [u], vs: readonly Value[] = Array.isArray(v) ? v : [v];
      for (const p of us) for (const q of vs) if (orderMatches(op, compareValues(norm(p), norm(q)))) return true;
      return false;
    };
  }

  /** `column OP constant`: the constant is converted to the column's kind once, here */
  private compareColumnConstant(op: CompareOp, column: Column, k: Constant, kSpan: Span, columnSpan: Span): RowPredicate {
    const def = column.def;
    if (NUMBER_TYPES.has(def.type)) {
      const value = this.numericConstant(def, k, kSpan);
      const words = wordsOf(column);
      const kb = toBigInt(value);
      if (words && kb !== undefined) {
        const signed = column.bigints instanceof BigInt64Array;
        const min = signed ? -(1n << 63n) : 0n, max = signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
        // a constant outside the column's range: every value is above (or below) it
        if (kb < min || kb > max) return orderMatches(op, kb < min ? 1 : -1) ? alwaysTrue : alwaysFalse;
        if (op === '==' || op === '!=' || !signed) return wordComparison(op, words, BigInt.asUintN(64, kb));
      }
      const a = numbersOf(column);
      if (a) return numberComparison(op, a, Number(value));
      return valuePredicate(column, (v) => orderMatches(op, compareValues(v, value)));
    }
    return valuePredicate(column, this.scalarTest(op, def, k, kSpan, columnSpan));
  }

  /** a constant as a number for a numeric column: numbers, true/false, enumeration names */
  private numericConstant(def: ColumnDef, k: Constant, span: Span): number | bigint {
    if (k.type === 'number') return k.value;
    if (k.type === 'bool') return Number(k.value);
    if (k.type === 'string' && def.valueNames) {
      const wanted = k.value.toLowerCase();
      for (const [value, name] of Object.entries(def.valueNames)) if (name.toLowerCase() === wanted) return Number(value);
      throw this.error(`'${k.value}' is not a value name of ${def.name}${didYouMean(k.value, Object.values(def.valueNames))}`, span);
    }
    if (k.type === 'string' && def.bits) {
      const bit = def.bits.find((b) => b.name.toLowerCase() === k.value.toLowerCase());
      if (bit) return bit.value;
    }
    throw this.error(`${def.name} is a numeric column (${typeText(def)}); it cannot be compared with ${describeConstant(k)}`, span);
  }

  /** a test of one scalar value (a cell or a list item) of a non-numeric column against a constant */
  private scalarTest(op: CompareOp, def: ColumnDef, k: Constant, kSpan: Span, columnSpan: Span): (v: Value) => boolean {
    if (def.type === 'ip') {
      let match: AddressMatch | undefined;
      if (k.type === 'ip') match = { address: k.value };
      else if (k.type === 'prefix') match = { address: k.value, bits: k.bits };
      else if (k.type === 'string') match = parseAddressText(k.value);
      if (!match) throw this.error(`${def.name} is an address column; compare it with an address like 192.0.2.1, not ${describeConstant(k)}`, kSpan);
      const m = match;
      if (m.bits !== undefined) {
        if (op !== '==' && op !== '!=') throw this.error(`a prefix can only be compared with == or != (or use in)`, kSpan);
        // mixing address families is false either way
        return (v) => v instanceof IpAddr && v.isV6 === m.address.isV6 && addressMatches(v, m) === (op === '==');
      }
      return (v) => orderMatches(op, compareValues(v, m.address));
    }
    if (TEXT_TYPES.has(def.type)) {
      const caseless = def.type === 'mac';
      let text: string | undefined;
      if (k.type === 'string') text = k.value;
      else if (k.type === 'mac' && caseless) text = k.value;
      if (text === undefined) {
        const hint = caseless ? 'a MAC address like aa:bb:cc:dd:ee:ff' : 'a string in quotes';
        throw this.error(`${def.name} is a ${caseless ? 'MAC' : 'text'} column; compare it with ${hint}, not ${describeConstant(k)}`, kSpan);
      }
      const wanted = caseless ? text.toLowerCase() : text;
      if (caseless) return (v) => typeof v === 'string' && orderMatches(op, compareValues(v.toLowerCase(), wanted));
      if (op === '==') return (v) => v === wanted;
      return (v) => typeof v === 'string' && orderMatches(op, compareValues(v, wanted));
    }
    throw this.error(`${def.name} (${typeText(def)}) cannot be compared`, columnSpan);
  }

  // ------------------------------------------------------------ bit operations

  private integerOperand(operand: Operand): IntegerOperand {
    switch (operand.kind) {
      case 'const': {
        const v = operand.value;
        const b = v.type === 'number' ? toBigInt(v.value) : v.type === 'bool' ? BigInt(v.value) : undefined;
        if (b === undefined) throw this.error(`bit operators need integers, not ${describeConstant(v)}`, operand.span);
        return { wide: true, get: () => b };
      }
      case 'number': return { wide: false, get: operand.get, width: 32 };
      case 'bigint': return { wide: true, get: operand.get };
      case 'bool': { const t = operand.test; return { wide: false, get: (r) => (t(r) ? 1 : 0), width: 1 }; }
      case 'masked': {
        const inner = this.integerOperand({ kind: 'column', column: operand.column, span: operand.span });
        if (inner.wide) { const g = inner.get, m = operand.mask; return { wide: true, get: (r) => g(r) & m }; }
        const g = inner.get, m = low32(operand.mask) | 0;
        return { wide: false, get: (r) => (g(r) & m) >>> 0, width: inner.width };
      }
      case 'column': {
        const column = operand.column, def = column.def;
        if (def.repeated || !INTEGER_TYPES.has(def.type)) {
          throw this.error(`bit operators need an integer column; ${def.name} is ${typeText(def)}`, operand.span);
        }
        const width = bitWidth(def.type);
        const a = numbersOf(column);
        if (width <= 32) {
          if (a) return { wide: false, get: (r) => a[r]!, width };
          return { wide: false, get: (r) => Number(column.get(r) ?? 0), width };
        }
        const b = column.bigints;
        if (b) return { wide: true, get: (r) => BigInt.asUintN(64, b[r]!) };
        if (a) return { wide: true, get: (r) => { const v = a[r]!; return Number.isInteger(v) ? BigInt.asUintN(64, BigInt(v)) : 0n; } };
        return { wide: true, get: (r) => BigInt.asUintN(64, toBigInt(column.get(r)) ?? 0n) };
      }
    }
  }

  private bit(op: '&' | '|' | '^', left: Operand, right: Operand, span: Span): Operand {
    const l = this.integerOperand(left), r = this.integerOperand(right);
    if (left.kind === 'const' && right.kind === 'const') {
      const x = l.get(0) as bigint, y = r.get(0) as bigint;
      const v = op === '&' ? x & y : op === '|' ? x | y : x ^ y;
      return { kind: 'const', value: { type: 'number', value: v <= SAFE && v >= -SAFE ? Number(v) : v }, span };
    }
    if (op === '&') {
      const [col, k] = left.kind === 'column' && right.kind === 'const' ? [left, r] : right.kind === 'column' && left.kind === 'const' ? [right, l] : [];
      if (col && k) return { kind: 'masked', column: col.column, mask: BigInt.asUintN(64, k.get(0) as bigint), span };
    }
    const constantFits32 = (o: Operand, i: IntegerOperand): boolean =>
      o.kind === 'const' && BigInt.asUintN(64, i.get(0) as bigint) <= 0xffffffffn;
    const narrow = (o: Operand, i: IntegerOperand): boolean => !i.wide || constantFits32(o, i);
    if (narrow(left, l) && narrow(right, r)) {
      const f = l.wide ? (() => { const c = low32(l.get(0) as bigint) | 0; return () => c; })() : l.get;
      const g = r.wide ? (() => { const c = low32(r.get(0) as bigint) | 0; return () => c; })() : r.get;
      const get = op === '&' ? (row: number) => (f(row) & g(row)) >>> 0
        : op === '|' ? (row: number) => (f(row) | g(row)) >>> 0
          : (row: number) => (f(row) ^ g(row)) >>> 0;
      return { kind: 'number', get, span };
    }
    const wide = (i: IntegerOperand): ((row: number) => bigint) =>
      i.wide ? i.get : (() => { const g = i.get; return (row: number) => BigInt(g(row)); })();
    const f = wide(l), g = wide(r);
    const get = op === '&' ? (row: number) => BigInt.asUintN(64, f(row) & g(row))
      : op === '|' ? (row: number) => BigInt.asUintN(64, f(row) | g(row))
        : (row: number) => BigInt.asUintN(64, f(row) ^ g(row));
    return { kind: 'bigint', get, span };
  }

  private unary(op: '~' | '-', operand: Operand, span: Span): Operand {
    if (operand.kind === 'const') {
      const v = operand.value;
      if (v.type !== 'number') throw this.error(`${op} needs a number, not ${describeConstant(v)}`, span);
      if (op === '-') return { kind: 'const', value: { type: 'number', value: -v.value }, span };
      const b = toBigInt(v.value);
      if (b === undefined) throw this.error('~ needs an integer', span);
      const n = ~b;
      return { kind: 'const', value: { type: 'number', value: n <= SAFE && n >= -SAFE ? Number(n) : n }, span };
    }
    if (op === '-') {
      if (operand.kind === 'column') {
        const column = operand.column;
        if (column.def.repeated || !NUMBER_TYPES.has(column.def.type)) throw this.error(`- needs a numeric column; ${column.def.name} is ${typeText(column.def)}`, span);
        const a = numbersOf(column);
        if (a) return { kind: 'number', get: (r) => -a[r]!, span };
        return { kind: 'number', get: (r) => -Number(column.get(r)), span };
      }
      const i = this.integerOperand(operand);
      if (i.wide) { const g = i.get; return { kind: 'bigint', get: (r) => -g(r), span }; }
      const g = i.get;
      return { kind: 'number', get: (r) => -g(r), span };
    }
    const i = this.integerOperand(operand);
    if (i.wide) { const g = i.get; return { kind: 'bigint', get: (r) => BigInt.asUintN(64, ~g(r)), span }; }
    const g = i.get;
    const widthMask = i.width >= 32 ? 0xffffffff : 2 ** i.width - 1;
    return { kind: 'number', get: (r) => (~g(r) & widthMask) >>> 0, span };
  }

  // ------------------------------------------------------------ ~ and in

  private operandColumn(expr: Expr, what: string): Column {
    if (expr.kind !== 'column') throw this.error(`${what} needs a column on its left`, expr.span);
    return this.column(expr.name, expr.span);
  }

  private match(expr: Extract<Expr, { kind: 'match' }>): RowPredicate {
    const column = this.operandColumn(expr.operand, expr.negated ? '!~' : '~');
    const regex = expr.pattern;
    const test = textPredicate(column, (text) => regex.test(text));
    return expr.negated ? negate(test) : test;
  }

  private membership(expr: Extract<Expr, { kind: 'in' }>): RowPredicate {
    const column = this.operandColumn(expr.operand, 'in');
    const def = column.def;
    let test: RowPredicate;
    const a = numbersOf(column);
    if (NUMBER_TYPES.has(def.type) && a) {
      const values = new Set(expr.items.map((item) => Number(this.numericConstant(def, item.literal, item.span))));
      test = withFilter((r) => values.has(a[r]!), (rows, count) => {
        let kept = 0;
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (values.has(a[r]!)) rows[kept++] = r;
        }
        return kept;
      });
    } else if (NUMBER_TYPES.has(def.type)) {
      const tests = expr.items.map((item) => this.compareColumnConstant('==', column, item.literal, item.span, expr.operand.span));
      test = (r) => { for (let i = 0; i < tests.length; i++) if (tests[i]!(r)) return true; return false; };
    } else {
      const tests = expr.items.map((item) => this.scalarTest('==', def, item.literal, item.span, expr.operand.span));
      test = valuePredicate(column, (v) => { for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true; return false; });
    }
    return expr.negated ? negate(test) : test;
  }
}

/** Compiles a where expression for `table`; `text` is the statement the expression's spans index. */
export function compilePredicate(expr: Expr, table: Table, text: string): RowPredicate {
  return new ExpressionCompiler(table, text).predicate(expr);
}
