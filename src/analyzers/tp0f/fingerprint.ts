/**
 * The facts of one SYN or SYN+ACK that a passive OS fingerprint rests on, read from the packet's
 * headers without allocating (one instance is refilled per SYN), and their text in p0f 3's
 * signature layout.
 */
import type { DecodedPacket } from '../../decode/packet.ts';
import { Tp0fQuirk } from './schema.ts';

/** Most option kinds a layout keeps (a 40-byte option area holds at most 40 NOPs; real stacks use < 12). */
export const MAX_LAYOUT = 16;

const SYN = 0x02, ACK = 0x10, PSH = 0x08, URG = 0x20, ECE = 0x40, CWR = 0x80;
const TCPOPT_EOL = 0, TCPOPT_NOP = 1, TCPOPT_MSS = 2, TCPOPT_WS = 3, TCPOPT_SOK = 4, TCPOPT_SACK = 5, TCPOPT_TS = 8;

export class SynFacts {
  ipVersion = 0;
  ttl = 0;
  initialTtl = 0;
  /** IPv4 option bytes */
  ipOptLen = 0;
  window = 0;
  /** -1: option absent */
  mss = -1;
  wscale = -1;
  quirks = 0;
  /** 1 when the segment carries payload */
  payload = 0;
  readonly layout = new Uint8Array(MAX_LAYOUT);
  layoutLen = 0;
  /** bytes after EOL (p0f's eol+N) */
  eolPad = 0;
  /** the options could not be walked (bad length, or not captured) */
  bad = false;

  /**
   * Reads the SYN / SYN+ACK `pkt` whose captured bytes are bytes[start .. start + capLen).
   * The decoder already walked the options for their values; their order and what follows an
   * EOL it does not keep, so they are read again here.
   */
  read(pkt: DecodedPacket, bytes: Uint8Array, start: number, capLen: number): void {
    this.ipVersion = pkt.ipVersion;
    this.ttl = pkt.ttl;
    this.initialTtl = initialTtl(pkt.ttl);
    this.ipOptLen = pkt.ipVersion === 4 ? pkt.ipHeaderLen - 20 : 0;
    this.window = pkt.tcpWindow;
    this.mss = pkt.tcpMss;
    this.wscale = pkt.tcpWscale;
    this.payload = pkt.l7Len > 0 ? 1 : 0;
    this.layoutLen = 0;
    this.eolPad = 0;
    this.bad = false;

    let q = 0;
    const f = pkt.tcpFlags;
    if (pkt.ipVersion === 4) {
      const df = (pkt.ipFlags & 0x4000) !== 0;
      if (df) q |= Tp0fQuirk.Df;
      if (df && pkt.ipId !== 0) q |= Tp0fQuirk.IdNonZeroDf;
      if (!df && pkt.ipId === 0) q |= Tp0fQuirk.IdZeroNoDf;
      if (pkt.ipFlags & 0x8000) q |= Tp0fQuirk.ReservedBit;
    } else if (pkt.ipVersion === 6) {
      const at = start + pkt.ipOffset;
      if (pkt.ipOffset + 4 <= capLen && (((bytes[at + 1]! & 0x0f) << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) !== 0) q |= Tp0fQuirk.FlowLabel;
    }
    if ((pkt.tos & 0x03) !== 0 || (f & (ECE | CWR)) !== 0) q |= Tp0fQuirk.Ecn;
    if (pkt.tcpSeq === 0) q |= Tp0fQuirk.SeqZero;
    if ((f & ACK) === 0 && pkt.tcpAck !== 0) q |= Tp0fQuirk.AckNumNoFlag;
    if ((f & ACK) !== 0 && pkt.tcpAck === 0) q |= Tp0fQuirk.AckFlagZero;
    if ((f & URG) === 0 && pkt.tcpUrgent !== 0) q |= Tp0fQuirk.UrgPtrNoFlag;
    if (f & URG) q |= Tp0fQuirk.UrgFlag;
    if (f & PSH) q |= Tp0fQuirk.PushFlag;
    if (pkt.tcpTsVal === 0) q |= Tp0fQuirk.OwnTsZero;
    if ((f & (SYN | ACK)) === SYN && pkt.tcpTsEcr > 0) q |= Tp0fQuirk.PeerTsOnSyn;
    if (pkt.tcpWscale > 14) q |= Tp0fQuirk.ExcessiveWscale;

    // the option area, as far as captured
    const optStart = pkt.l4Offset + 20, optEnd = pkt.l4Offset + pkt.tcpHeaderLen;
    if (optEnd > capLen) this.bad = true;
    const end = optEnd < capLen ? optEnd : capLen;
    let pos = optStart;
    while (pos < end) {
      const kind = bytes[start + pos]!;
      if (this.layoutLen < MAX_LAYOUT) this.layout[this.layoutLen++] = kind;
      if (kind === TCPOPT_EOL) {
        this.eolPad = end - pos - 1;
        for (let i = pos + 1; i < end; i++) if (bytes[start + i] !== 0) { q |= Tp0fQuirk.DataAfterEol; break; }
        break;
      }
      if (kind === TCPOPT_NOP) { pos++; continue; }
      if (pos + 1 >= end) { this.bad = true; break; }
      const len = bytes[start + pos + 1]!;
      if (len < 2 || pos + len > end) { this.bad = true; break; }
      pos += len;
    }
    this.quirks = q;
  }
}

/** The TTL rounded up to the initial TTLs stacks use: 32, 64, 128, 255. */
export function initialTtl(ttl: number): number {
  return ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
}

const OPTION_NAMES: Readonly<Record<number, string>> = {
  [TCPOPT_NOP]: 'nop', [TCPOPT_MSS]: 'mss', [TCPOPT_WS]: 'ws', [TCPOPT_SOK]: 'sok', [TCPOPT_SACK]: 'sack', [TCPOPT_TS]: 'ts',
};

/** p0f's option layout text: mss,sok,ts,nop,ws; eol+N; ?K for other kinds. */
export function layoutText(layout: ArrayLike<number>, len: number, eolPad: number): string {
  const parts: string[] = [];
  for (let i = 0; i < len; i++) {
    const k = layout[i]!;
    parts.push(k === TCPOPT_EOL ? `eol+${eolPad}` : OPTION_NAMES[k] ?? `?${k}`);
  }
  return parts.join(',');
}

/** p0f's quirk words for the bits, in bit order (the table in schema.ts names them). */
export function quirksText(quirks: number, names: readonly { value: number | bigint; name: string }[]): string {
  const parts: string[] = [];
  for (const b of names) if (quirks & Number(b.value)) parts.push(b.name);
  return parts.join(',');
}

/** Window size as p0f writes it: mss*N when a multiple of the MSS, else the number. */
export function windowText(window: number, mss: number): string {
  if (mss > 0 && window > 0 && window % mss === 0) return `mss*${window / mss}`;
  return String(window);
}
