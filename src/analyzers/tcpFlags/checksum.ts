/**
 * Internet checksums (RFC 1071) over captured bytes, for ipFlags 0x0400/0x0800 and the per-packet
 * ipCalChkSum / l4CalChkSum columns. Sums are unfolded 32-bit-safe accumulators; nothing allocates.
 */

/** Adds the big-endian 16-bit words of bytes[from, to) to `sum` (an odd last byte is padded with 0). */
export function sum16(bytes: Uint8Array, from: number, to: number, sum: number): number {
  let i = from;
  const even = to - ((to - from) & 1);
  for (; i < even; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < to) sum += bytes[i]! << 8;
  return sum; // a double: exact far beyond any segment's sum
}

export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum a sender puts in the field: the complement of the folded sum (computed without the field). */
export function complement(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** IP protocols whose checksum covers an IPv4/IPv6 pseudo header. */
export function usesPseudoHeader(proto: number, ipVersion: number): boolean {
  return proto === 6 || proto === 17 || proto === 136 || (proto === 58 && ipVersion === 6);
}

/** Offset of the checksum field inside the L4 header, or -1 for protocols flowsh does not check. */
export function checksumFieldOffset(proto: number): number {
  switch (proto) {
    case 6: return 16; // TCP
    case 17: case 136: return 6; // UDP, UDP-Lite
    case 1: case 2: case 58: return 2; // ICMP, IGMP, ICMPv6
    default: return -1;
  }
}

/**
 * Sum of the pseudo header: the addresses of the IP header at `ipAt` (its version read from the
 * bytes), the protocol and the L4 length.
 */
export function pseudoHeaderSum(bytes: Uint8Array, ipAt: number, proto: number, l4Length: number): number {
  const v6 = bytes[ipAt]! >> 4 === 6;
  const sum = v6 ? sum16(bytes, ipAt + 8, ipAt + 40, 0) : sum16(bytes, ipAt + 12, ipAt + 20, 0);
  return sum + proto + (l4Length >>> 16) + (l4Length & 0xffff);
}
