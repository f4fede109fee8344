/** Values as the query engine sees them. Numbers stay numbers; 64-bit flag columns are bigints. */
export type Value = number | bigint | string | boolean | IpAddr | null | readonly Value[];

/** An IPv4 or IPv6 address held as 4 or 16 bytes. */
export class IpAddr {
  constructor(readonly bytes: Uint8Array) {}

  get isV6(): boolean {
    return this.bytes.length === 16;
  }

  static fromV4(word: number): IpAddr {
    return new IpAddr(new Uint8Array([word >>> 24, (word >>> 16) & 255, (word >>> 8) & 255, word & 255]));
  }

  /** from four big-endian 32-bit words (IPv6) */
  static fromV6Words(w0: number, w1: number, w2: number, w3: number): IpAddr {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, w0); dv.setUint32(4, w1); dv.setUint32(8, w2); dv.setUint32(12, w3);
    return new IpAddr(b);
  }

  /** Parses dotted quad or any RFC 4291 text form (with an embedded IPv4 tail); undefined if invalid. */
  static parse(text: string): IpAddr | undefined {
    if (text.includes(':')) return parseV6(text);
    const v4 = parseV4(text);
    return v4 === undefined ? undefined : IpAddr.fromV4(v4);
  }

  equals(other: IpAddr): boolean {
    const a = this.bytes, b = other.bytes;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** true when the first `bits` bits equal those of `prefix` (and the families agree) */
  inPrefix(prefix: IpAddr, bits: number): boolean {
    const a = this.bytes, b = prefix.bytes;
    if (a.length !== b.length) return false;
    let i = 0;
    for (; bits >= 8; bits -= 8, i++) if (a[i] !== b[i]) return false;
    if (bits === 0) return true;
    const mask = (0xff << (8 - bits)) & 0xff;
    return (a[i]! & mask) === (b[i]! & mask);
  }

  compare(other: IpAddr): number {
    const a = this.bytes, b = other.bytes;
    if (a.length !== b.length) return a.length - b.length;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  }

  toString(): string {
    const b = this.bytes;
    if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
    return formatV6(b);
  }
}

export function parseV4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let word = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    word = word * 256 + n;
  }
  return word >>> 0;
}

function parseV6(text: string): IpAddr | undefined {
  let head = text;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // an embedded IPv4 tail (::ffff:192.0.2.1) becomes its two hex groups
    const v4 = parseV4(last);
    if (v4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + (v4 >>> 16).toString(16) + ':' + (v4 & 0xffff).toString(16);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = toGroups(halves[0]!);
  const right = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const explicit = left.length + right.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) return undefined;
    groups = [...left, ...new Array<number>(8 - explicit).fill(0), ...right];
  } else {
    if (explicit !== 8) return undefined;
    groups = left;
  }
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => { bytes[2 * i] = g >> 8; bytes[2 * i + 1] = g & 255; });
  return new IpAddr(bytes);
}

/** RFC 5952 text: lower case, longest run of two or more zero groups as `::`, embedded IPv4 for ::ffff:a.b.c.d */
function formatV6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}
