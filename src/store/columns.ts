/** Column implementations over typed arrays. Each reads one ColumnDef for its name, type and bits. */
import { formatHex, isFlagType, type ColumnDef } from '../schema/types.ts';
import type { Column } from './table.ts';
import { IpAddr, type Value } from './value.ts';
import { escapeBytes, escapeText } from '../output/escape.ts';

const NS_PER_S = 1_000_000_000;

/** A row's value as a number (NaN when missing or not numeric); time columns give seconds. */
export function numberAt(col: Column | undefined, row: number): number {
  if (!col) return NaN;
  const v = col.numbers ? col.numbers[row]! : col.get(row);
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
}

/** Integers, floats and flag columns up to 32 bits. */
export class NumberColumn implements Column {
  constructor(readonly def: ColumnDef, readonly numbers: ArrayLike<number>) {}
  get(row: number): Value {
    return this.numbers[row]!;
  }
  text(row: number): string {
    const v = this.numbers[row]!;
    if (isFlagType(this.def.type)) return formatHex(v, this.def.type);
    if (this.def.type === 'f64') return Number.isInteger(v) ? String(v) : v.toFixed(6);
    return String(v);
  }
  json(row: number): string {
    const v = this.numbers[row]!;
    return Number.isFinite(v) ? String(v) : 'null';
  }
}

/** Row number + 1 (pktNo): nothing stored until a query wants the numbers as an array. */
export class RowNumberColumn implements Column {
  private array: Uint32Array | Float64Array | undefined;
  constructor(readonly def: ColumnDef, readonly rowCount: number) {}
  get numbers(): ArrayLike<number> {
    if (!this.array) {
      const a = this.rowCount < 0xffffffff ? new Uint32Array(this.rowCount) : new Float64Array(this.rowCount);
      for (let i = 0; i < a.length; i++) a[i] = i + 1;
      this.array = a;
    }
    return this.array;
  }
  get(row: number): Value {
    return row + 1;
  }
  text(row: number): string {
    return String(row + 1);
  }
  json(row: number): string {
    return String(row + 1);
  }
}

/** 64-bit flag columns (flowStat). */
export class BigFlagColumn implements Column {
  constructor(readonly def: ColumnDef, readonly bigints: BigUint64Array) {}
  get(row: number): Value {
    return this.bigints[row]!;
  }
  text(row: number): string {
    return formatHex(this.bigints[row]!, this.def.type);
  }
  json(row: number): string {
    return this.bigints[row]!.toString();
  }
}

/** Fixed-point seconds text with `digits` decimals, exact (no float rounding). */
export function formatSeconds(sec: number, nsec: number, digits: number): string {
  if (digits <= 0) return String(sec);
  const frac = String(nsec).padStart(9, '0').slice(0, digits);
  return `${sec}.${frac}`;
}

/** Absolute timestamps: whole seconds and nanoseconds, printed with the capture's precision. */
export class TimeColumn implements Column {
  constructor(readonly def: ColumnDef, readonly sec: ArrayLike<number>, readonly nsec: ArrayLike<number>, readonly digits: number) {}
  get(row: number): Value {
    return this.sec[row]! + this.nsec[row]! / NS_PER_S;
  }
  text(row: number): string {
    return formatSeconds(this.sec[row]!, this.nsec[row]!, this.digits);
  }
  json(row: number): string {
    return this.text(row);
  }
}

/** Durations and time differences held as nanoseconds (exact up to ~104 days; beyond, to ~0.1 µs). */
export class DurationColumn implements Column {
  constructor(readonly def: ColumnDef, readonly nsAt: (row: number) => number, readonly digits: number) {}
  get(row: number): Value {
    return this.nsAt(row) / NS_PER_S;
  }
  text(row: number): string {
    const ns = this.nsAt(row);
    const neg = ns < 0;
    const abs = Math.abs(ns);
    const sec = Math.floor(abs / NS_PER_S);
    return (neg ? '-' : '') + formatSeconds(sec, Math.round(abs - sec * NS_PER_S), this.digits);
  }
  json(row: number): string {
    return this.text(row);
  }
}

/** IPv4/IPv6 addresses: four big-endian words per row, `isV6` per row. */
export class IpColumn implements Column {
  constructor(readonly def: ColumnDef, readonly words: Uint32Array, readonly isV6: Uint8Array, readonly present?: Uint8Array) {}
  get(row: number): Value {
    if (this.present && !this.present[row]) return null;
    const w = this.words, i = row * 4;
    return this.isV6[row] ? IpAddr.fromV6Words(w[i]!, w[i + 1]!, w[i + 2]!, w[i + 3]!) : IpAddr.fromV4(w[i]!);
  }
  text(row: number): string {
    const v = this.get(row);
    return v === null ? '' : String(v);
  }
  json(row: number): string {
    const v = this.get(row);
    return v === null ? 'null' : JSON.stringify(String(v));
  }
}

export function formatMac(hi: number, lo: number): string {
  const h = (n: number) => n.toString(16).padStart(2, '0');
  return `${h(hi >>> 8)}:${h(hi & 255)}:${h(lo >>> 24)}:${h((lo >>> 16) & 255)}:${h((lo >>> 8) & 255)}:${h(lo & 255)}`;
}

/** Strings from a dictionary: rows hold ids (0 = empty). */
export class DictColumn implements Column {
  constructor(readonly def: ColumnDef, readonly ids: ArrayLike<number>, readonly dict: readonly string[]) {}
  get(row: number): Value {
    return this.dict[this.ids[row]!] ?? '';
  }
  text(row: number): string {
    return escapeText(this.dict[this.ids[row]!] ?? '');
  }
  json(row: number): string {
    return JSON.stringify(this.dict[this.ids[row]!] ?? '');
  }
}

/** One letter per row, e.g. dir A/B; code 0 prints as empty. */
export class CharColumn implements Column {
  constructor(readonly def: ColumnDef, readonly codes: ArrayLike<number>) {}
  get(row: number): Value {
    const c = this.codes[row]!;
    return c === 0 ? '' : String.fromCharCode(c);
  }
  text(row: number): string {
    return this.get(row) as string;
  }
  json(row: number): string {
    return JSON.stringify(this.get(row));
  }
}

/** Any column computed per row by a function (lists, lazily read payload, derived values). */
export class ComputedColumn implements Column {
  constructor(
    readonly def: ColumnDef,
    private readonly compute: (row: number) => Value,
    private readonly display?: (row: number) => string,
  ) {}
  get(row: number): Value {
    return this.compute(row);
  }
  text(row: number): string {
    if (this.display) return this.display(row);
    return valueText(this.compute(row), this.def);
  }
  json(row: number): string {
    return valueJson(this.compute(row), this.def);
  }
}

/**
 * Bytes read from the capture on demand (payload is never held in memory): the value is the bytes
 * as a Latin-1 string, the text their escaped form. `bytes(row, max)` reads only a prefix, for
 * callers that look at how a payload starts.
 */
export class LazyBytesColumn implements Column {
  constructor(readonly def: ColumnDef, private readonly read: (row: number, maxLength: number) => Uint8Array) {}
  bytes(row: number, maxLength = Infinity): Uint8Array {
    return this.read(row, maxLength);
  }
  get(row: number): Value {
    return latin1(this.read(row, Infinity));
  }
  text(row: number): string {
    return escapeBytes(this.read(row, Infinity));
  }
  json(row: number): string {
    return JSON.stringify(this.get(row));
  }
}

export function latin1(bytes: Uint8Array): string {
  // short prefixes (content detection reads 16 bytes per flow direction) by a loop; spreading a
  // typed array into fromCharCode goes through the iterator and costs microseconds per call
  if (bytes.length <= 64) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/** A column of another table seen through a row map (packets -> their flow row); -1 maps to null. */
export class MappedColumn implements Column {
  constructor(readonly def: ColumnDef, private readonly base: Column, private readonly map: Int32Array) {}
  get(row: number): Value {
    const r = this.map[row]!;
    return r < 0 ? null : this.base.get(r);
  }
  text(row: number): string {
    const r = this.map[row]!;
    return r < 0 ? '' : this.base.text(r);
  }
  json(row: number): string {
    const r = this.map[row]!;
    return r < 0 ? 'null' : this.base.json(r);
  }
}

export function valueText(v: Value, def: ColumnDef): string {
  if (v === null) return '';
  if (Array.isArray(v)) return v.map((x) => valueText(x, def)).join(';');
  if ((typeof v === 'number' || typeof v === 'bigint') && isFlagType(def.type)) return formatHex(v, def.type);
  if (typeof v === 'string') return escapeText(v);
  return String(v);
}

export function valueJson(v: Value, def: ColumnDef): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return '[' + v.map((x) => valueJson(x, def)).join(',') + ']';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(String(v));
}
