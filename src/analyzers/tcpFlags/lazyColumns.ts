/**
 * Packet columns of tcpFlags that are built only when a statement reads them: running sums over a
 * direction's packets and header fields read back from the capture file (checksums, option bytes,
 * fragment words). The load keeps only the offsets they need.
 */
import type { ColumnDef } from '../../schema/types.ts';
import type { Column } from '../../store/table.ts';
import type { Value } from '../../store/value.ts';
import { NumberColumn } from '../../store/columns.ts';
import { checksumFieldOffset, complement, pseudoHeaderSum, sum16, usesPseudoHeader } from './checksum.ts';
import { IpOptionScan, scanIpv6Extensions } from './ipOptions.ts';

/** A numeric column whose values are computed on first use. */
export class LazyNumberColumn implements Column {
  private inner?: NumberColumn;
  constructor(readonly def: ColumnDef, private readonly build: () => ArrayLike<number>) {}
  private get column(): NumberColumn {
    return this.inner ??= new NumberColumn(this.def, this.build());
  }
  get numbers(): ArrayLike<number> {
    return this.column.numbers;
  }
  get(row: number): Value {
    return this.column.get(row);
  }
  text(row: number): string {
    return this.column.text(row);
  }
  json(row: number): string {
    return this.column.json(row);
  }
}

/**
 * Per-direction running values in packet order: for each packet with a flow (`flowRow[p] >= 0`)
 * `step(p, state, slot)` returns the packet's value given the running state array (one slot per
 * storage row).
 */
export function running(
  packetCount: number, flowRow: Int32Array, storageRows: number,
  step: (p: number, state: Float64Array, slot: number) => number,
): Float64Array {
  const out = new Float64Array(packetCount);
  const state = new Float64Array(Math.max(1, storageRows));
  for (let p = 0; p < packetCount; p++) {
    const r = flowRow[p]!;
    if (r >= 0) out[p] = step(p, state, r);
  }
  return out;
}

/** The IP and transport headers of one packet, read back from the capture. */
export interface HeaderView {
  /** bytes from the IP header on (to the end of the captured frame) */
  readonly bytes: Uint8Array;
  /** the transport header's offset in `bytes` */
  readonly l4At: number;
  readonly version: number;
  /** the transport protocol (after IPv6 extension headers) */
  readonly proto: number;
  /** a later fragment: no transport header */
  readonly laterFragment: boolean;
  /** the IPv4 flags/offset word, or the IPv6 fragment header's offset word (0 without one) */
  readonly fragWord: number;
  /** end of the IP datagram in `bytes` */
  readonly datagramEnd: number;
}

const IP6_EXTENSIONS = new Set([0, 43, 44, 51, 60]);

/** Reads a packet's headers back from the file; `ipOff`/`l4Off` are offsets in its frame (null without IP). */
export function readHeaders(read: (offset: number, length: number) => Uint8Array, fileOffset: number, capLen: number, ipOff: number, l4Off: number): HeaderView | null {
  if (l4Off <= ipOff || ipOff >= capLen) return null;
  const bytes = read(fileOffset + ipOff, capLen - ipOff);
  if (bytes.length < 20) return null;
  const version = bytes[0]! >> 4;
  const l4At = l4Off - ipOff;
  if (version === 4) {
    const fragWord = (bytes[6]! << 8) | bytes[7]!;
    return { bytes, l4At, version, proto: bytes[9]!, laterFragment: (fragWord & 0x1fff) !== 0, fragWord, datagramEnd: (bytes[2]! << 8) | bytes[3]! };
  }
  if (version !== 6 || bytes.length < 40) return null;
  let next = bytes[6]!, pos = 40, fragWord = 0;
  while (IP6_EXTENSIONS.has(next) && pos + 8 <= Math.min(l4At, bytes.length)) {
    const len = next === 44 ? 8 : next === 51 ? (bytes[pos + 1]! + 2) * 4 : (bytes[pos + 1]! + 1) * 8;
    if (next === 44) fragWord = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    next = bytes[pos]!;
    pos += len;
  }
  return { bytes, l4At, version, proto: next, laterFragment: (fragWord & 0xfff8) !== 0, fragWord, datagramEnd: 40 + ((bytes[4]! << 8) | bytes[5]!) };
}

export function ipHeaderChecksum(h: HeaderView): number {
  return h.version === 4 ? (h.bytes[10]! << 8) | h.bytes[11]! : 0;
}

/** The IPv4 header checksum as it should be (0 when the header is not captured or IPv6). */
export function ipComputedChecksum(h: HeaderView): number {
  if (h.version !== 4) return 0;
  const len = (h.bytes[0]! & 15) * 4;
  if (len < 20 || len > h.bytes.length) return 0;
  return complement(sum16(h.bytes, 0, len, 0) - ipHeaderChecksum(h));
}

export function l4HeaderChecksum(h: HeaderView): number {
  const field = checksumFieldOffset(h.proto);
  if (field < 0 || h.laterFragment || h.l4At + field + 2 > h.bytes.length) return 0;
  return (h.bytes[h.l4At + field]! << 8) | h.bytes[h.l4At + field + 1]!;
}

/** The transport checksum as it should be, 0 when the segment is cut or fragmented; a computed 0 shows as 0xffff. */
export function l4ComputedChecksum(h: HeaderView): number {
  const field = checksumFieldOffset(h.proto);
  const moreFragments = h.version === 4 ? (h.fragWord & 0x2000) !== 0 : (h.fragWord & 1) !== 0;
  if (field < 0 || h.laterFragment || moreFragments || h.datagramEnd > h.bytes.length || h.l4At + field + 2 > h.datagramEnd) return 0;
  const l4Len = h.datagramEnd - h.l4At;
  let covered = l4Len;
  if (h.proto === 136) {
    const coverage = (h.bytes[h.l4At + 4]! << 8) | h.bytes[h.l4At + 5]!;
    if (coverage !== 0) covered = Math.min(coverage, l4Len);
  }
  let sum = usesPseudoHeader(h.proto, h.version) ? pseudoHeaderSum(h.bytes, 0, h.proto, l4Len) : 0;
  sum = sum16(h.bytes, h.l4At, h.l4At + covered, sum) - l4HeaderChecksum(h);
  return complement(sum) || 0xffff;
}

/** IPv4 option bytes, IPv6 hop-by-hop and first destination option bytes of the header view. */
export function optionBytes(h: HeaderView, which: 'ipv4' | 'hop' | 'dest'): number[] {
  if (which === 'ipv4') {
    if (h.version !== 4) return [];
    const len = Math.min((h.bytes[0]! & 15) * 4, h.bytes.length);
    return Array.from(h.bytes.subarray(20, Math.max(20, len)));
  }
  if (h.version !== 6) return [];
  const scan = new IpOptionScan();
  scanIpv6Extensions(h.bytes, 0, h.l4At, h.bytes.length, scan);
  const at = which === 'hop' ? scan.hopAt : scan.destAt, len = which === 'hop' ? scan.hopLen : scan.destLen;
  return at < 0 ? [] : Array.from(h.bytes.subarray(at, at + len));
}

/** Declared length of the option bytes, as Tranalyzer prints it (ipOptLen, ip6HHOptLen, ip6DOptLen). */
export function optionLength(h: HeaderView, which: 'ipv4' | 'hop' | 'dest'): number {
  if (which === 'ipv4') return h.version === 4 ? Math.max(0, (h.bytes[0]! & 15) * 4 - 20) : 0;
  if (h.version !== 6) return 0;
  const scan = new IpOptionScan();
  scanIpv6Extensions(h.bytes, 0, h.l4At, h.bytes.length, scan);
  return which === 'hop' ? scan.hopLen : scan.destLen;
}

