/** The Internet checksum (RFC 1071) used by IPv4, TCP, UDP and ICMPv6. */

/** One's-complement sum of 16-bit big-endian words, not yet folded or inverted. */
export function sum16(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  const evenEnd = bytes.length & ~1;
  for (let i = 0; i < evenEnd; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length & 1) sum += bytes[bytes.length - 1]! << 8; // odd length: pad with a zero byte
  return sum;
}

export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

export function internetChecksum(bytes: Uint8Array): number {
  return finishChecksum(sum16(bytes));
}

/** Sum of the TCP/UDP/ICMPv6 pseudo-header for IPv4 (4-byte) or IPv6 (16-byte) addresses. */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  // For IPv6 the upper-layer length is 32 bits; high half is zero for our packet sizes.
  return sum16(src) + sum16(dst) + protocol + (length & 0xffff) + Math.floor(length / 65536);
}
