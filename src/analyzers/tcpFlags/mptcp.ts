/**
 * MPTCP options (TCP option kind 30, RFC 8684) of one segment, as Tranalyzer's tcpFlags reads them:
 * the subtype bitfield, the flags (MP_CAPABLE flag byte; the low nibble of MP_JOIN / MP_PRIO), the
 * address id (MP_JOIN, MP_PRIO, ADD_ADDR, REMOVE_ADDR) and the DSS flags. Reused, allocation-free.
 */
import { tcpOptionEnd } from './tcpOptions.ts';

export const enum MptcpSubtype {
  Capable = 0, Join = 1, Dss = 2, AddAddr = 3, RemoveAddr = 4, Prio = 5, Fail = 6, FastClose = 7, TcpRst = 8,
}

export class MptcpScan {
  /** an MPTCP option was seen */
  present = false;
  /** subtype of the last MPTCP option */
  subtype = 0;
  /** bit n set: subtype n seen */
  subtypes = 0;
  flags = 0;
  addressId = 0;
  hasAddressId = false;
  dssFlags = 0;

  reset(): void {
    this.present = false;
    this.subtype = this.subtypes = this.flags = this.addressId = this.dssFlags = 0;
    this.hasAddressId = false;
  }
}

/** Scans the TCP options in bytes[from, to) for MPTCP options. */
export function scanMptcp(bytes: Uint8Array, from: number, to: number, out: MptcpScan): void {
  for (let i = from, end; i < to && (end = tcpOptionEnd(bytes, i, to)) > 0; i = end) {
    const len = end - i;
    if (bytes[i] !== 30 || len < 3) continue;
    const subtype = bytes[i + 2]! >> 4;
    const third = len >= 4 ? bytes[i + 3]! : 0;
    out.present = true;
    out.subtype = subtype;
    out.subtypes |= 1 << subtype;
    switch (subtype) {
      case MptcpSubtype.Capable:
        out.flags |= third;
        break;
      case MptcpSubtype.Join: case MptcpSubtype.Prio:
        out.flags |= bytes[i + 2]! & 0x0f;
        if (len >= 4 && len <= 16) { out.addressId = third; out.hasAddressId = true; }
        break;
      case MptcpSubtype.Dss:
        out.dssFlags |= third & 0x1f;
        break;
      case MptcpSubtype.AddAddr: case MptcpSubtype.RemoveAddr:
        if (len >= 4) { out.addressId = third; out.hasAddressId = true; }
        break;
    }
  }
}
