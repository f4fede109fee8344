/** Comparing, keying and testing query Values (the slow, general path beside the typed-array fast paths). */
import { IpAddr, type Value } from '../store/value.ts';

function compareNumeric(a: number | bigint, b: number | bigint): number | undefined {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : a === b ? 0 : undefined;
  // mixed: exact when the number is an integer, else compare as floats
  if (typeof a === 'number' && !Number.isInteger(a)) return compareNumeric(a, Number(b));
  if (typeof b === 'number' && !Number.isInteger(b)) return compareNumeric(Number(a), b);
  return compareNumeric(BigInt(a), BigInt(b));
}

/**
 * Order of two scalar values, or undefined when they are not comparable (null, different kinds,
 * IPv4 against IPv6): every comparison with an incomparable pair is false.
 */
export function compareValues(a: Value, b: Value): number | undefined {
  if (a === null || b === null) return undefined;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return compareNumeric(a, b);
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const x = typeof a === 'boolean' ? Number(a) : a, y = typeof b === 'boolean' ? Number(b) : b;
    return typeof x === 'number' && typeof y === 'number' ? compareNumeric(x, y) : undefined;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof IpAddr && b instanceof IpAddr) {
    if (a.isV6 !== b.isV6) return undefined;
    const order = a.compare(b);
    return order < 0 ? -1 : order > 0 ? 1 : 0;
  }
  return undefined;
}

/**
 * Total order for sorting: nulls last, then numbers, text, IPv4, IPv6; lists by their items.
 * Unlike compareValues it never gives up, so sorts are deterministic.
 */
export function sortOrder(a: Value, b: Value): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  if (Array.isArray(a) || Array.isArray(b)) {
    const x: readonly Value[] = Array.isArray(a) ? a : [a], y: readonly Value[] = Array.isArray(b) ? b : [b];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const order = sortOrder(x[i]!, y[i]!);
      if (order !== 0) return order;
    }
    return x.length - y.length;
  }
  const order = compareValues(a, b);
  if (order !== undefined) return order;
  const rank = (v: Value): number =>
    typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? (Number.isNaN(v) ? 5 : 0)
      : typeof v === 'string' ? 1 : v instanceof IpAddr ? (v.isV6 ? 3 : 2) : 4;
  return rank(a) - rank(b);
}

/** A Map/Set key equal for equal values (numbers stay numbers so 6 and 6n and 6.0 agree). */
export function valueKey(value: Value): string | number {
  if (value === null) return '\u0000null';
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : 'n' + value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return 's' + value;
  if (value instanceof IpAddr) return 'i' + value.toString();
  return 'l' + value.map((v) => String(valueKey(v))).join('\u0001');
}

/** truth of a value used as a condition: nonzero numbers, non-empty text and lists, any address */
export function isTruthy(value: Value): boolean {
  if (value === null) return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}
