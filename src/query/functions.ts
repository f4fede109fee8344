/**
 * Every function of the query language, declared once: completion and help read names, signatures
 * and descriptions from FUNCTIONS; the compiler calls `compile` (predicates) or `aggregate`
 * (select aggregates). Names and meanings follow tawk (Tranalyzer2 reference, section 6.4).
 */
import type { ColumnDef, ColumnType } from '../schema/types.ts';
import type { ColumnData } from '../store/memoryTable.ts';
import type { Column, Table } from '../store/table.ts';
import { IpAddr } from '../store/value.ts';
import type { Expr, LiteralValue } from './ast.ts';
import type { QueryError, Span } from './errors.ts';
import {
  addressPredicate, maskedPredicate, parseAddressText, rangesPredicate, textPredicate, toBigInt,
  type AddressMatch, type Ranges, type RowPredicate,
} from './predicates.ts';
import { sortOrder, valueKey } from './values.ts';

export type Constant = LiteralValue | { readonly type: 'bool'; readonly value: boolean };
export type CallExpr = Extract<Expr, { kind: 'call' }>;

/** What a function's compile step may ask of the expression compiler. */
export interface FunctionContext {
  readonly table: Table;
  /** the argument, which must name a column of the table */
  columnArgument(call: CallExpr, index: number): Column;
  /** the argument, which must be a constant (literals and constant expressions) */
  constantArgument(call: CallExpr, index: number): Constant;
  /** a column the function works on (e.g. srcPort for port()); an error names the function */
  requiredColumn(name: string, call: CallExpr): Column;
  error(message: string, span: Span): QueryError;
}

export interface FunctionParam {
  readonly name: string;
  /** what the argument must be, for messages and help */
  readonly kind: 'column' | 'mask' | 'spec' | 'address' | 'text' | 'flags';
  readonly optional?: boolean;
}

interface Accumulator {
  add(group: number, row: number): void;
  /** one value per group, in group order */
  values(groupCount: number): ColumnData;
}

export interface AggregateImplementation {
  /** an error message when the argument column does not suit the aggregate */
  check?(column: Column): string | undefined;
  resultType(column: Column | undefined): Pick<ColumnDef, 'type' | 'bits' | 'valueNames'>;
  accumulator(column: Column | undefined): Accumulator;
}

export interface FunctionDef {
  readonly name: string;
  readonly params: readonly FunctionParam[];
  /** e.g. `bitsanyset(column, mask)` */
  readonly signature: string;
  readonly description: string;
  /** columns the function reads when the table has them (documentation and completion) */
  readonly uses?: readonly string[];
  readonly compile?: (ctx: FunctionContext, call: CallExpr) => RowPredicate;
  readonly aggregate?: AggregateImplementation;
}

// ------------------------------------------------------------------ argument helpers

/** A mask: a number, or bit names of the column's bit table separated by `|` or `,`. */
function maskArgument(ctx: FunctionContext, call: CallExpr, index: number, column: Column): bigint {
  const value = ctx.constantArgument(call, index);
  const span = call.args[index]!.span;
  if (value.type === 'number') {
    const mask = toBigInt(value.value);
    if (mask === undefined || mask < 0n) throw ctx.error(`${call.name}(): the mask must be a non-negative integer`, span);
    return mask;
  }
  if (value.type === 'string' && column.def.bits) {
    let mask = 0n;
    for (const name of value.value.split(/[|,]/).map((s) => s.trim()).filter(Boolean)) {
      const bit = column.def.bits.find((b) => b.name.toLowerCase() === name.toLowerCase());
      if (!bit) {
        const known = column.def.bits.map((b) => b.name).join(', ');
        throw ctx.error(`${call.name}(): ${column.def.name} has no bit named '${name}' (bits: ${known})`, span);
      }
      mask |= BigInt(bit.value);
    }
    return mask;
  }
  throw ctx.error(`${call.name}(): the mask must be a number like 0x4000${column.def.bits ? ' or bit names in quotes' : ''}`, span);
}

/** "20,21", "1024-65535", "1-3;5" or a number -> inclusive ranges */
export function parseSpec(text: string): Ranges | undefined {
  const ranges: number[] = [];
  for (const item of text.split(/[,;]/)) {
    const m = /^\s*(0x[0-9a-f]+|\d+)\s*(?:-\s*(0x[0-9a-f]+|\d+)\s*)?$/i.exec(item);
    if (!m) return undefined;
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    ranges.push(lo, hi);
  }
  return ranges;
}

function specArgument(ctx: FunctionContext, call: CallExpr, index: number, what: string): Ranges {
  const value = ctx.constantArgument(call, index);
  const span = call.args[index]!.span;
  if (value.type === 'number') {
    const n = Number(value.value);
    if (!Number.isInteger(n) || n < 0) throw ctx.error(`${call.name}(): ${what} must be a non-negative integer`, span);
    return [n, n];
  }
  if (value.type === 'string') {
    const ranges = parseSpec(value.value);
    if (ranges) return ranges;
  }
  throw ctx.error(`${call.name}(): expected ${what} like 21, "20,21" or "1024-65535"`, span);
}

function addressArgument(ctx: FunctionContext, call: CallExpr, index: number): AddressMatch {
  const value = ctx.constantArgument(call, index);
  if (value.type === 'ip') return { address: value.value };
  if (value.type === 'prefix') return { address: value.value, bits: value.bits };
  const parsed = value.type === 'string' ? parseAddressText(value.value) : undefined;
  if (parsed) return parsed;
  throw ctx.error(`${call.name}(): expected an address like 192.0.2.1 or a prefix like 2001:db8::/32`, call.args[index]!.span);
}

function textArgument(ctx: FunctionContext, call: CallExpr, index: number): string {
  const value = ctx.constantArgument(call, index);
  if (value.type === 'string') return value.value;
  throw ctx.error(`${call.name}(): the ${call.name === 'tcpflags' ? 'flags' : 'text'} must be a string in quotes`, call.args[index]!.span);
}

/** tcpflags letters, LSB first: FIN SYN RST PSH ACK URG ECE CWR */
const TCP_FLAG_LETTERS = 'FSRPAUEW';

function tcpFlagMasks(ctx: FunctionContext, call: CallExpr): { set: bigint; unset: bigint } {
  const text = textArgument(ctx, call, 0);
  const span = call.args[0]!.span;
  const [before, after = '', ...rest] = text.split('!');
  if (rest.length > 0) throw ctx.error(`tcpflags(): at most one '!' (letters before it must be set, after it unset)`, span);
  const maskOf = (letters: string): bigint => {
    let mask = 0n;
    for (const letter of letters) {
      const bit = TCP_FLAG_LETTERS.indexOf(letter.toUpperCase());
      if (bit < 0) throw ctx.error(`tcpflags(): unknown flag letter '${letter}' (use F S R P A U E W)`, span);
      mask |= 1n << BigInt(bit);
    }
    return mask;
  };
  const set = maskOf(before!), unset = maskOf(after);
  if ((set | unset) === 0n) throw ctx.error(`tcpflags(): give flag letters, e.g. tcpflags("SA!R")`, span);
  if ((set & unset) !== 0n) throw ctx.error(`tcpflags(): a flag cannot be both set and unset`, span);
  return { set, unset };
}

const FLOW_STAT_IPV4 = 0x4000n, FLOW_STAT_IPV6 = 0x8000n;

function addressFamilyPredicate(ctx: FunctionContext, call: CallExpr, v6: boolean): RowPredicate {
  const flowStat = ctx.table.column('flowStat');
  if (flowStat && !flowStat.def.repeated) return maskedPredicate(flowStat, v6 ? FLOW_STAT_IPV6 : FLOW_STAT_IPV4, 'any');
  const srcIP = ctx.requiredColumn('srcIP', call);
  return (row) => {
    const v = srcIP.get(row);
    return v instanceof IpAddr && v.isV6 === v6;
  };
}

function protocolFunction(name: string, protocol: number, label: string): FunctionDef {
  return {
    name, params: [], signature: `${name}()`, uses: ['l4Proto'],
    description: `${label} flows (l4Proto ${protocol})`,
    compile: (ctx, call) => rangesPredicate([ctx.requiredColumn('l4Proto', call)], [protocol, protocol]),
  };
}

function textFunction(name: string, description: string, test: (value: string, text: string) => boolean): FunctionDef {
  return {
    name, params: [{ name: 'column', kind: 'column' }, { name: 'text', kind: 'text' }],
    signature: `${name}(column, text)`, description,
    compile: (ctx, call) => {
      const column = ctx.columnArgument(call, 0);
      const text = textArgument(ctx, call, 1);
      return textPredicate(column, (value) => test(value, text));
    },
  };
}

function hostFunction(name: string, columns: readonly string[], description: string): FunctionDef {
  return {
    name, params: [{ name: 'address', kind: 'address' }], signature: `${name}(address|prefix)`, uses: columns, description,
    compile: (ctx, call) => addressPredicate(columns.map((c) => ctx.requiredColumn(c, call)), addressArgument(ctx, call, 0)),
  };
}

function portFunction(name: string, columns: readonly string[], description: string): FunctionDef {
  return {
    name, params: [{ name: 'spec', kind: 'spec' }], signature: `${name}(spec)`, uses: columns, description,
    compile: (ctx, call) => rangesPredicate(columns.map((c) => ctx.requiredColumn(c, call)), specArgument(ctx, call, 0, 'a port spec')),
  };
}

// ------------------------------------------------------------------ aggregates

const NUMERIC_TYPES: ReadonlySet<ColumnType> = new Set(['u8', 'u16', 'u32', 'u64', 'i64', 'f64', 'time', 'seconds', 'bool']);

function numericCheck(column: Column): string | undefined {
  if (column.def.repeated) return `${column.def.name} is a list column`;
  if (!NUMERIC_TYPES.has(column.def.type)) return `${column.def.name} is not a numeric column (type ${column.def.type})`;
  return undefined;
}

function numberReader(column: Column): (row: number) => number {
  const a = column.numbers;
  if (a) return (row) => a[row]!;
  return (row) => {
    const v = column.get(row);
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
  };
}

function sumAccumulator(column: Column, average: boolean): Accumulator {
  const read = numberReader(column);
  const sums: number[] = [], counts: number[] = [];
  return {
    add(group, row) {
      const v = read(row);
      if (Number.isNaN(v)) return;
      sums[group] = (sums[group] ?? 0) + v;
      counts[group] = (counts[group] ?? 0) + 1;
    },
    values(groupCount) {
      return Array.from({ length: groupCount }, (_, g) =>
        average ? (counts[g] ? sums[g]! / counts[g]! : null) : (sums[g] ?? 0));
    },
  };
}

/** min/max keep the best row per group, so any comparable type works and keeps its formatting */
function extremeAccumulator(column: Column, wantMax: boolean): Accumulator {
  const best: number[] = [];
  return {
    add(group, row) {
      const value = column.get(row);
      if (value === null) return;
      const current = best[group];
      if (current === undefined) { best[group] = row; return; }
      // the sort order, so IPv6 ranks above IPv4 rather than being incomparable
      const order = sortOrder(value, column.get(current));
      if (wantMax ? order > 0 : order < 0) best[group] = row;
    },
    values(groupCount) {
      return Array.from({ length: groupCount }, (_, g) => (best[g] === undefined ? null : column.get(best[g]!)));
    },
  };
}

function sumType(column: Column | undefined): ColumnType {
  const type = column?.def.type;
  return type === 'f64' || type === 'seconds' || type === 'i64' ? type : type === 'time' ? 'f64' : 'u64';
}

export const FUNCTIONS: readonly FunctionDef[] = [
  {
    name: 'bitsanyset', params: [{ name: 'column', kind: 'column' }, { name: 'mask', kind: 'mask' }],
    signature: 'bitsanyset(column, mask)', description: 'true if any bit of mask is set in the column',
    compile: (ctx, call) => {
      const column = ctx.columnArgument(call, 0);
      return maskedPredicate(column, maskArgument(ctx, call, 1, column), 'any');
    },
  },
  {
    name: 'bitsallset', params: [{ name: 'column', kind: 'column' }, { name: 'mask', kind: 'mask' }],
    signature: 'bitsallset(column, mask)', description: 'true if all bits of mask are set in the column',
    compile: (ctx, call) => {
      const column = ctx.columnArgument(call, 0);
      const mask = maskArgument(ctx, call, 1, column);
      return maskedPredicate(column, mask, 'eq', mask);
    },
  },
  {
    name: 'flow', params: [{ name: 'spec', kind: 'spec' }], signature: 'flow(spec)', uses: ['flowInd'],
    description: 'flowInd in a list/range spec, e.g. flow("1-3;5")',
    compile: (ctx, call) => rangesPredicate([ctx.requiredColumn('flowInd', call)], specArgument(ctx, call, 0, 'a flow spec')),
  },
  hostFunction('host', ['srcIP', 'dstIP'], 'srcIP or dstIP equals the address or lies in the prefix'),
  hostFunction('shost', ['srcIP'], 'srcIP equals the address or lies in the prefix'),
  hostFunction('dhost', ['dstIP'], 'dstIP equals the address or lies in the prefix'),
  portFunction('port', ['srcPort', 'dstPort'], 'srcPort or dstPort in spec, e.g. port("20,21") or port("1024-65535")'),
  portFunction('sport', ['srcPort'], 'srcPort in spec'),
  portFunction('dport', ['dstPort'], 'dstPort in spec'),
  {
    name: 'proto', params: [{ name: 'spec', kind: 'spec' }], signature: 'proto(spec)', uses: ['l4Proto'],
    description: 'l4Proto (IP protocol number) in spec, e.g. proto(6) or proto("6,17")',
    compile: (ctx, call) => rangesPredicate([ctx.requiredColumn('l4Proto', call)], specArgument(ctx, call, 0, 'a protocol spec')),
  },
  protocolFunction('icmp', 1, 'ICMP'),
  protocolFunction('igmp', 2, 'IGMP'),
  protocolFunction('tcp', 6, 'TCP'),
  protocolFunction('udp', 17, 'UDP'),
  protocolFunction('gre', 47, 'GRE'),
  protocolFunction('icmp6', 58, 'ICMPv6'),
  protocolFunction('sctp', 132, 'SCTP'),
  {
    name: 'ipv4', params: [], signature: 'ipv4()', uses: ['flowStat', 'srcIP'],
    description: 'IPv4 flows (flowStat bit 0x4000, else the family of srcIP)',
    compile: (ctx, call) => addressFamilyPredicate(ctx, call, false),
  },
  {
    name: 'ipv6', params: [], signature: 'ipv6()', uses: ['flowStat', 'srcIP'],
    description: 'IPv6 flows (flowStat bit 0x8000, else the family of srcIP)',
    compile: (ctx, call) => addressFamilyPredicate(ctx, call, true),
  },
  textFunction('contains', 'the column text contains text (case-sensitive)', (v, t) => v.includes(t)),
  textFunction('hasprefix', 'the column text starts with text', (v, t) => v.startsWith(t)),
  textFunction('hassuffix', 'the column text ends with text', (v, t) => v.endsWith(t)),
  {
    name: 'tcpflags', params: [{ name: 'flags', kind: 'flags' }], signature: 'tcpflags(flags)', uses: ['tcpFlags'],
    description: 'TCP flags: letters before ! all set, after ! none set, e.g. tcpflags("SA!R") (F S R P A U E W)',
    compile: (ctx, call) => {
      const column = ctx.requiredColumn('tcpFlags', call);
      const { set, unset } = tcpFlagMasks(ctx, call);
      return maskedPredicate(column, set | unset, 'eq', set);
    },
  },
  // aggregates (select only)
  {
    name: 'count', params: [], signature: 'count()', description: 'number of rows (in each group)',
    aggregate: {
      resultType: () => ({ type: 'u64' }),
      accumulator: () => {
        const counts: number[] = [];
        return {
          add: (group) => { counts[group] = (counts[group] ?? 0) + 1; },
          values: (n) => Array.from({ length: n }, (_, g) => counts[g] ?? 0),
        };
      },
    },
  },
  {
    name: 'sum', params: [{ name: 'column', kind: 'column' }], signature: 'sum(column)', description: 'sum of a numeric column',
    aggregate: { check: numericCheck, resultType: (c) => ({ type: sumType(c) }), accumulator: (c) => sumAccumulator(c!, false) },
  },
  {
    name: 'avg', params: [{ name: 'column', kind: 'column' }], signature: 'avg(column)', description: 'average of a numeric column',
    aggregate: {
      check: numericCheck,
      resultType: (c) => ({ type: c?.def.type === 'seconds' || c?.def.type === 'time' ? c.def.type : 'f64' }),
      accumulator: (c) => sumAccumulator(c!, true),
    },
  },
  {
    name: 'min', params: [{ name: 'column', kind: 'column' }], signature: 'min(column)', description: 'smallest value of a column',
    aggregate: {
      check: (c) => (c.def.repeated ? `${c.def.name} is a list column` : undefined),
      resultType: (c) => ({ type: c!.def.type, bits: c!.def.bits, valueNames: c!.def.valueNames }),
      accumulator: (c) => extremeAccumulator(c!, false),
    },
  },
  {
    name: 'max', params: [{ name: 'column', kind: 'column' }], signature: 'max(column)', description: 'largest value of a column',
    aggregate: {
      check: (c) => (c.def.repeated ? `${c.def.name} is a list column` : undefined),
      resultType: (c) => ({ type: c!.def.type, bits: c!.def.bits, valueNames: c!.def.valueNames }),
      accumulator: (c) => extremeAccumulator(c!, true),
    },
  },
  {
    name: 'countdistinct', params: [{ name: 'column', kind: 'column' }], signature: 'countdistinct(column)',
    description: 'number of distinct values of a column',
    aggregate: {
      resultType: () => ({ type: 'u64' }),
      accumulator: (c) => {
        const sets: Set<string | number>[] = [];
        return {
          add(group, row) {
            const v = c!.get(row);
            if (v !== null) (sets[group] ??= new Set()).add(valueKey(v));
          },
          values: (n) => Array.from({ length: n }, (_, g) => sets[g]?.size ?? 0),
        };
      },
    },
  },
];

const byName: ReadonlyMap<string, FunctionDef> = new Map(FUNCTIONS.map((f) => [f.name, f]));

/** function names are case-insensitive, like keywords */
export function findFunction(name: string): FunctionDef | undefined {
  return byName.get(name.toLowerCase());
}

export function arityText(def: FunctionDef): string {
  const required = def.params.filter((p) => !p.optional).length;
  const total = def.params.length;
  const count = required === total ? String(total) : `${required} to ${total}`;
  return `${count} argument${total === 1 ? '' : 's'}`;
}
