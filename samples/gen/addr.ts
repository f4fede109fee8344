/** Address parsing for the generator: MAC, IPv4 and IPv6 text to bytes. */

export type IpBytes = Uint8Array; // 4 bytes (IPv4) or 16 bytes (IPv6)

export function mac(text: string): Uint8Array {
  const parts = text.split(':');
  if (parts.length !== 6) throw new Error(`bad MAC address: ${text}`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

export const BROADCAST_MAC = mac('ff:ff:ff:ff:ff:ff');
export const ZERO_MAC = mac('00:00:00:00:00:00');

export function ipv4(text: string): IpBytes {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`bad IPv4 address: ${text}`);
  }
  return Uint8Array.from(parts);
}

export function ipv6(text: string): IpBytes {
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 address: ${text}`);
  const words = (s: string) => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  const zeros = 8 - head.length - tail.length;
  if (zeros < 0 || (halves.length === 1 && zeros !== 0)) throw new Error(`bad IPv6 address: ${text}`);
  const all = [...head, ...new Array<number>(zeros).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** IPv6 text without zero compression tricks beyond the longest zero run (RFC 5952). */
export function ipv6Text(bytes: IpBytes): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function ipText(bytes: IpBytes): string {
  return bytes.length === 4 ? bytes.join('.') : ipv6Text(bytes);
}
