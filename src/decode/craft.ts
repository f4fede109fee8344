/**
 * Builders of packet bytes for tests (decoder tests and anyone who needs a crafted frame).
 * Not used on any hot path: these allocate freely. Checksums are left zero.
 */

export type Bytes = Uint8Array;

export function concat(...parts: ArrayLike<number>[]): Bytes {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function u16(value: number): number[] {
  return [(value >>> 8) & 0xff, value & 0xff];
}

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** "192.0.2.1" -> 0xc0000201 */
export function ipv4Number(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`bad IPv4 ${text}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** "2001:db8::1" -> its 16 bytes */
export function ipv6Bytes(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`bad IPv6 ${text}`);
  return groups.flatMap(u16);
}

/** The four big-endian words of an IPv6 address, as DecodedPacket.src holds them. */
export function ipv6Words(text: string): number[] {
  const b = ipv6Bytes(text);
  return [0, 4, 8, 12].map((i) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
}

export function macBytes(text: string): number[] {
  return text.split(':').map((h) => parseInt(h, 16));
}

export interface EthernetOptions {
  dst?: string;
  src?: string;
  /** tags outermost first: [tpid, vlan id] */
  tags?: [number, number][];
}

export function ethernet(type: number, payload: ArrayLike<number>, o: EthernetOptions = {}): Bytes {
  const tags = (o.tags ?? []).flatMap(([tpid, id]) => [...u16(tpid), ...u16(id & 0x0fff)]);
  return concat(macBytes(o.dst ?? '02:00:00:00:00:02'), macBytes(o.src ?? '02:00:00:00:00:01'), tags, u16(type), payload);
}

export interface Ipv4Options {
  src?: string;
  dst?: string;
  proto: number;
  ttl?: number;
  tos?: number;
  id?: number;
  /** raw flags bits as in the header word: 0x4000 DF, 0x2000 MF, 0x8000 reserved */
  flags?: number;
  /** in bytes, multiple of 8 */
  fragOffset?: number;
  /** option bytes, padded to a multiple of 4 with zeros (EOL) */
  options?: number[];
  /** override the IHL nibble */
  ihl?: number;
  /** override the total length field */
  totalLen?: number;
}

export function ipv4(payload: ArrayLike<number>, o: Ipv4Options): Bytes {
  const options = [...(o.options ?? [])];
  while (options.length % 4) options.push(0);
  const headerLen = 20 + options.length;
  const ihl = o.ihl ?? headerLen / 4;
  return concat(
    [0x40 | ihl, o.tos ?? 0], u16(o.totalLen ?? headerLen + payload.length), u16(o.id ?? 0x1234),
    u16((o.flags ?? 0) | ((o.fragOffset ?? 0) / 8)), [o.ttl ?? 64, o.proto], [0, 0],
    u32(ipv4Number(o.src ?? '192.0.2.1')), u32(ipv4Number(o.dst ?? '192.0.2.2')), options, payload,
  );
}

export interface Ipv6Options {
  src?: string;
  dst?: string;
  next: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  payloadLen?: number;
}

export function ipv6(payload: ArrayLike<number>, o: Ipv6Options): Bytes {
  const word0 = ((6 << 28) | ((o.trafficClass ?? 0) << 20) | (o.flowLabel ?? 0)) >>> 0;
  return concat(
    u32(word0), u16(o.payloadLen ?? payload.length), [o.next, o.hopLimit ?? 64],
    ipv6Bytes(o.src ?? '2001:db8::1'), ipv6Bytes(o.dst ?? '2001:db8::2'), payload,
  );
}

/** Hop-by-hop, routing or destination options header: `next`, then padding to (8 * units) bytes. */
export function ipv6Extension(next: number, units: number, payload: ArrayLike<number>): Bytes {
  const body = new Array<number>(units * 8).fill(0);
  body[0] = next;
  body[1] = units - 1;
  if (units * 8 > 2) { body[2] = 1; body[3] = units * 8 - 4; } // one PadN option filling the rest
  return concat(body, payload);
}

export function ipv6Fragment(next: number, offset: number, more: boolean, id: number, payload: ArrayLike<number>): Bytes {
  return concat([next, 0], u16(offset | (more ? 1 : 0)), u32(id), payload);
}

/** IPsec AH with `icvWords` 32-bit words of ICV. */
export function authHeader(next: number, icvWords: number, payload: ArrayLike<number>): Bytes {
  const len = 3 + icvWords; // in 4-byte units: 12 fixed bytes + ICV
  return concat([next, len - 2, 0, 0], u32(0x100), u32(1), new Array<number>(icvWords * 4).fill(0xab), payload);
}

export interface TcpOptions {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  urgent?: number;
  /** raw option bytes, padded to a multiple of 4 with zeros (EOL) */
  options?: number[];
  /** override the data offset nibble */
  dataOffset?: number;
}

export function tcp(payload: ArrayLike<number>, o: TcpOptions = {}): Bytes {
  const options = [...(o.options ?? [])];
  while (options.length % 4) options.push(0);
  const dataOffset = o.dataOffset ?? (20 + options.length) / 4;
  return concat(
    u16(o.sport ?? 40000), u16(o.dport ?? 21), u32(o.seq ?? 1000), u32(o.ack ?? 2000),
    [dataOffset << 4, o.flags ?? 0x18], u16(o.window ?? 8192), [0, 0], u16(o.urgent ?? 0), options, payload,
  );
}

export function udp(payload: ArrayLike<number>, sport = 5353, dport = 53, length?: number): Bytes {
  return concat(u16(sport), u16(dport), u16(length ?? 8 + payload.length), [0, 0], payload);
}

export function icmp(type: number, code: number, payload: ArrayLike<number> = []): Bytes {
  return concat([type, code, 0, 0, 0, 1, 0, 1], payload);
}

export function sctp(sport: number, dport: number, payload: ArrayLike<number> = []): Bytes {
  return concat(u16(sport), u16(dport), u32(0xdeadbeef), u32(0), payload);
}

export const tcpOption = {
  eol: [0],
  nop: [1],
  mss: (mss: number) => [2, 4, ...u16(mss)],
  wscale: (shift: number) => [3, 3, shift],
  sackPermitted: [4, 2],
  sack: (...edges: number[]) => [5, 2 + edges.length * 4, ...edges.flatMap(u32)],
  timestamp: (tsVal: number, tsEcr: number) => [8, 10, ...u32(tsVal), ...u32(tsEcr)],
};

export function text(s: string): Bytes {
  return new TextEncoder().encode(s);
}

/** Linux cooked v1 header (16 bytes) in front of `payload`. */
export function sll(protocol: number, payload: ArrayLike<number>, mac = '02:00:00:00:00:01', hardwareType = 1): Bytes {
  const addr = [...macBytes(mac), 0, 0];
  return concat(u16(0), u16(hardwareType), u16(6), addr, u16(protocol), payload);
}

/** Linux cooked v2 header (20 bytes) in front of `payload`. */
export function sll2(protocol: number, payload: ArrayLike<number>, mac = '02:00:00:00:00:01', hardwareType = 1): Bytes {
  const addr = [...macBytes(mac), 0, 0];
  return concat(u16(protocol), u16(0), u32(2), u16(hardwareType), [0, 6], addr, payload);
}

/** BSD loopback header: family in little-endian (DLT_NULL written on x86) or big-endian. */
export function loopback(family: number, payload: ArrayLike<number>, bigEndian: boolean): Bytes {
  const bytes = u32(family);
  return concat(bigEndian ? bytes : bytes.reverse(), payload);
}
