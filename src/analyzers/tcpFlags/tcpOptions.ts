/** Walking TCP option bytes (kind, length, value) without allocating: the loops of tcpFlags share this. */

/** Where the option at bytes[i] ends (i + 1 for NOP), or -1 at EOL, past `to` or with an impossible length. */
export function tcpOptionEnd(bytes: Uint8Array, i: number, to: number): number {
  const kind = bytes[i]!;
  if (kind === 0) return -1;
  if (kind === 1) return i + 1;
  const len = i + 1 < to ? bytes[i + 1]! : 0;
  return len < 2 || i + len > to ? -1 : i + len;
}

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** The TSval and TSecr of the timestamp option (kind 8) in bytes[from, to) into `out`; false without one. */
export function readTimestamps(bytes: Uint8Array, from: number, to: number, out: Uint32Array): boolean {
  for (let i = from, end; i < to && (end = tcpOptionEnd(bytes, i, to)) > 0; i = end) {
    if (bytes[i] === 8 && end - i >= 10) {
      out[0] = u32(bytes, i + 2);
      out[1] = u32(bytes, i + 6);
      return true;
    }
  }
  return false;
}

/** Bytes the SACK blocks (kind 5) in bytes[from, to) cover: right minus left edges, summed (as Wireshark sums them). */
export function sackBlockBytes(bytes: Uint8Array, from: number, to: number): number {
  let total = 0;
  for (let i = from, end; i < to && (end = tcpOptionEnd(bytes, i, to)) > 0; i = end) {
    if (bytes[i] === 5) for (let j = i + 2; j + 8 <= end; j += 8) total += (u32(bytes, j + 4) - u32(bytes, j)) >>> 0;
  }
  return total >>> 0;
}

/** The option kinds in order up to EOL (a kind with an impossible length is listed, then the walk stops), for JA4T. */
export function optionKinds(bytes: Uint8Array): number[] {
  const kinds: number[] = [];
  for (let i = 0, end; i < bytes.length && bytes[i] !== 0; i = end) {
    kinds.push(bytes[i]!);
    end = tcpOptionEnd(bytes, i, bytes.length);
    if (end < 0) break;
  }
  return kinds;
}
