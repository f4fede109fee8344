/** The cursor tcpdump's printers walk a frame with, shared by the tcpdump view's protocol printers. */
import type { Frame } from '../store/load.ts';

/** Thrown when a header runs past the captured bytes; tcpdump then appends ` [|proto]`. */
export class Truncated {
  constructor(readonly proto: string) {}
}

/** Cursor over one frame: the text so far and the end of the usable captured bytes. */
export class Walk {
  out = '';
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** end of the bytes a header may be read from (tcpdump's snapend): capture end, then IP end */
  end: number;
  constructor(frame: Frame) {
    this.bytes = frame.bytes;
    this.view = new DataView(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
    this.end = Math.min(frame.capLen, frame.bytes.byteLength);
  }
  has(off: number, len: number): boolean {
    return off + len <= this.end;
  }
  need(off: number, len: number, proto: string): void {
    if (off + len > this.end) throw new Truncated(proto);
  }
  u8(off: number, proto: string): number {
    this.need(off, 1, proto);
    return this.view.getUint8(off);
  }
  u16(off: number, proto: string): number {
    this.need(off, 2, proto);
    return this.view.getUint16(off);
  }
  u32(off: number, proto: string): number {
    this.need(off, 4, proto);
    return this.view.getUint32(off);
  }
  ipv4(off: number, proto: string): string {
    this.need(off, 4, proto);
    const b = this.bytes;
    return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  }
  ipv6(off: number, proto: string): string {
    this.need(off, 16, proto);
    return formatIpv6(this.view, off);
  }
  mac(off: number, len: number, proto: string): string {
    this.need(off, len, proto);
    let s = '';
    for (let i = 0; i < len; i++) s += (i ? ':' : '') + hex2(this.bytes[off + i]!);
    return s;
  }
}

export function hex2(n: number): string {
  return n < 16 ? '0' + n.toString(16) : n.toString(16);
}

/** IPv6 text as tcpdump's addrtostr6 writes it (longest zero run of 2+ words as ::, IPv4 tails). */
export function formatIpv6(view: DataView, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(view.getUint16(off + 2 * i));
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) { curBase = i; curLen = 1; } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) { bestBase = curBase; bestLen = curLen; }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      s += `${view.getUint8(off + 12)}.${view.getUint8(off + 13)}.${view.getUint8(off + 14)}.${view.getUint8(off + 15)}`;
      return s;
    }
    s += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}
