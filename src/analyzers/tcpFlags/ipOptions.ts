/**
 * IPv4 options and IPv6 hop-by-hop / destination options of one packet, scanned from the captured
 * bytes into a reused result (nothing allocates per packet). Tranalyzer's rules: an IPv4 option's
 * copy and class bits are ORed (0xe0 of the type byte) and its number (type & 0x1f) set as a bit;
 * EOL ends the list and is not counted, NOP is counted. IPv6 options set bit (type & 0x1f); PadN
 * is counted, Pad1 is skipped (Tranalyzer stops at a Pad1, losing any option after it).
 */

const IPPROTO_HOPOPTS = 0;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_AH = 51;
const IPPROTO_DSTOPTS = 60;

export class IpOptionScan {
  /** IPv4: OR of copy/class bits, bit per option number, options counted */
  copyClass = 0;
  numbers = 0;
  count = 0;
  /** IPv6 hop-by-hop and destination options: counts and type bits */
  hopCount = 0;
  hopTypes = 0;
  destCount = 0;
  destTypes = 0;
  /** where the option bytes of the first hop-by-hop / destination options header are (-1: none) */
  hopAt = -1;
  hopLen = 0;
  destAt = -1;
  destLen = 0;
  /** an option with an impossible length, or option bytes not captured */
  corrupt = false;

  reset(): void {
    this.copyClass = this.numbers = this.count = 0;
    this.hopCount = this.hopTypes = this.destCount = this.destTypes = 0;
    this.hopAt = this.destAt = -1;
    this.hopLen = this.destLen = 0;
    this.corrupt = false;
  }
}

/** The IPv4 options in bytes[from, to), `capEnd` the end of the captured bytes. */
export function scanIpv4Options(bytes: Uint8Array, from: number, to: number, capEnd: number, out: IpOptionScan): void {
  if (to > capEnd) {
    out.corrupt = true;
    return;
  }
  for (let i = from; i < to;) {
    const type = bytes[i]!;
    if (type === 0) break;
    out.copyClass |= type & 0xe0;
    out.numbers |= 1 << (type & 0x1f);
    out.count++;
    if (type === 1) { i++; continue; }
    const len = i + 1 < to ? bytes[i + 1]! : 0;
    if (len < 2 || i + len > to) {
      out.corrupt = true;
      break;
    }
    i += len;
  }
  out.numbers >>>= 0;
}

function scanIpv6Options(bytes: Uint8Array, from: number, to: number, out: IpOptionScan, hop: boolean): void {
  for (let i = from; i < to;) {
    const type = bytes[i]!;
    if (type === 0) { i++; continue; }
    const len = i + 1 < to ? bytes[i + 1]! : -1;
    if (len < 0 || i + 2 + len > to) {
      out.corrupt = true;
      return;
    }
    if (hop) { out.hopCount++; out.hopTypes |= 1 << (type & 0x1f); }
    else { out.destCount++; out.destTypes |= 1 << (type & 0x1f); }
    i += 2 + len;
  }
}

/**
 * Walks the IPv6 extension headers of the header at `ipAt` up to `l4At` (where the decoder found
 * the transport header) and scans every hop-by-hop and destination options header.
 */
export function scanIpv6Extensions(bytes: Uint8Array, ipAt: number, l4At: number, capEnd: number, out: IpOptionScan): void {
  let next = bytes[ipAt + 6]!;
  let pos = ipAt + 40;
  const end = Math.min(l4At, capEnd);
  while (pos + 2 <= end) {
    let len: number;
    if (next === IPPROTO_HOPOPTS || next === IPPROTO_DSTOPTS || next === IPPROTO_ROUTING) len = (bytes[pos + 1]! + 1) * 8;
    else if (next === IPPROTO_FRAGMENT) len = 8;
    else if (next === IPPROTO_AH) len = (bytes[pos + 1]! + 2) * 4;
    else break;
    if (next === IPPROTO_HOPOPTS || next === IPPROTO_DSTOPTS) {
      const hop = next === IPPROTO_HOPOPTS;
      if (pos + len > capEnd) {
        out.corrupt = true;
        return;
      }
      if (hop ? out.hopAt < 0 : out.destAt < 0) {
        if (hop) { out.hopAt = pos + 2; out.hopLen = len - 2; } else { out.destAt = pos + 2; out.destLen = len - 2; }
      }
      scanIpv6Options(bytes, pos + 2, pos + len, out, hop);
    }
    next = bytes[pos]!;
    pos += len;
  }
  out.hopTypes >>>= 0;
  out.destTypes >>>= 0;
}
