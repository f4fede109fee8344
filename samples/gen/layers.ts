/**
 * Header builders: each returns the bytes of one layer with its payload, checksums filled in.
 * Everything is big-endian network order, written through a DataView.
 */
import type { IpBytes } from './addr.ts';
import { finishChecksum, internetChecksum, pseudoHeaderSum, sum16 } from './checksum.ts';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

/** Shortest Ethernet frame without FCS; receivers see shorter frames padded with zeros. */
export const ETHERNET_MIN_FRAME = 60;

export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface EthernetHeader {
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly etherType: number;
  /** 802.1Q tag (VLAN id 0..4095) inserted before the EtherType */
  readonly vlanId?: number;
  readonly vlanPriority?: number;
  /** pad to 60 bytes as a frame received from the wire would be (sent frames are captured unpadded) */
  readonly padToMinimum?: boolean;
}

export function ethernet(h: EthernetHeader, payload: Uint8Array): Uint8Array {
  const tagLen = h.vlanId === undefined ? 0 : 4;
  const headerLen = 14 + tagLen;
  const length = Math.max(headerLen + payload.length, h.padToMinimum ? ETHERNET_MIN_FRAME : 0);
  const out = new Uint8Array(length);
  const v = view(out);
  out.set(h.dst, 0);
  out.set(h.src, 6);
  if (h.vlanId !== undefined) {
    v.setUint16(12, ETHERTYPE_VLAN);
    v.setUint16(14, ((h.vlanPriority ?? 0) << 13) | (h.vlanId & 0x0fff));
  }
  v.setUint16(12 + tagLen, h.etherType);
  out.set(payload, headerLen);
  return out;
}

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

export interface ArpMessage {
  readonly op: number;
  readonly senderMac: Uint8Array;
  readonly senderIp: IpBytes;
  readonly targetMac: Uint8Array;
  readonly targetIp: IpBytes;
}

/** ARP for Ethernet/IPv4 (28 bytes). */
export function arp(m: ArpMessage): Uint8Array {
  const out = new Uint8Array(28);
  const v = view(out);
  v.setUint16(0, 1); // hardware: Ethernet
  v.setUint16(2, ETHERTYPE_IPV4);
  out[4] = 6;
  out[5] = 4;
  v.setUint16(6, m.op);
  out.set(m.senderMac, 8);
  out.set(m.senderIp, 14);
  out.set(m.targetMac, 18);
  out.set(m.targetIp, 24);
  return out;
}

export interface Ipv4Header {
  readonly src: IpBytes;
  readonly dst: IpBytes;
  readonly protocol: number;
  readonly id: number;
  readonly ttl: number;
  readonly dontFragment?: boolean;
  readonly tos?: number;
}

export function ipv4Packet(h: Ipv4Header, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  const v = view(out);
  out[0] = 0x45; // version 4, IHL 5 (no options)
  out[1] = h.tos ?? 0;
  v.setUint16(2, out.length);
  v.setUint16(4, h.id & 0xffff);
  v.setUint16(6, h.dontFragment ? 0x4000 : 0);
  out[8] = h.ttl;
  out[9] = h.protocol;
  out.set(h.src, 12);
  out.set(h.dst, 16);
  v.setUint16(10, internetChecksum(out.subarray(0, 20)));
  out.set(payload, 20);
  return out;
}

export interface Ipv6Header {
  readonly src: IpBytes;
  readonly dst: IpBytes;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly flowLabel?: number;
  readonly trafficClass?: number;
}

export function ipv6Packet(h: Ipv6Header, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  const v = view(out);
  v.setUint32(0, ((6 << 28) | ((h.trafficClass ?? 0) << 20) | ((h.flowLabel ?? 0) & 0xfffff)) >>> 0);
  v.setUint16(4, payload.length);
  out[6] = h.nextHeader;
  out[7] = h.hopLimit;
  out.set(h.src, 8);
  out.set(h.dst, 24);
  out.set(payload, 40);
  return out;
}

/** Checksum of an upper-layer message over the pseudo-header; `at` is where the field is. */
function fillL4Checksum(src: IpBytes, dst: IpBytes, protocol: number, message: Uint8Array, at: number, zeroAs = 0): void {
  view(message).setUint16(at, 0);
  let checksum = finishChecksum(sum16(message, pseudoHeaderSum(src, dst, protocol, message.length)));
  if (checksum === 0) checksum = zeroAs; // UDP sends a computed 0 as 0xffff (0 means "none")
  view(message).setUint16(at, checksum);
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export type TcpOption =
  | { readonly kind: 'nop' }
  | { readonly kind: 'mss'; readonly mss: number }
  | { readonly kind: 'windowScale'; readonly shift: number }
  | { readonly kind: 'sackPermitted' }
  | { readonly kind: 'sack'; readonly blocks: readonly (readonly [number, number])[] }
  | { readonly kind: 'timestamps'; readonly tsVal: number; readonly tsEcr: number };

/** Encodes options in the order given (include NOPs for alignment as a real stack would). */
export function tcpOptions(options: readonly TcpOption[]): Uint8Array {
  const bytes: number[] = [];
  const u32 = (n: number) => bytes.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  for (const o of options) {
    switch (o.kind) {
      case 'nop': bytes.push(1); break;
      case 'mss': bytes.push(2, 4, o.mss >> 8, o.mss & 0xff); break;
      case 'windowScale': bytes.push(3, 3, o.shift); break;
      case 'sackPermitted': bytes.push(4, 2); break;
      case 'sack':
        bytes.push(5, 2 + 8 * o.blocks.length);
        for (const [left, right] of o.blocks) { u32(left >>> 0); u32(right >>> 0); }
        break;
      case 'timestamps': bytes.push(8, 10); u32(o.tsVal >>> 0); u32(o.tsEcr >>> 0); break;
    }
  }
  while (bytes.length % 4 !== 0) bytes.push(0); // end-of-option-list padding
  if (bytes.length > 40) throw new Error('TCP options exceed 40 bytes');
  return Uint8Array.from(bytes);
}

export interface TcpHeader {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  readonly options?: readonly TcpOption[];
}

export function tcpSegment(src: IpBytes, dst: IpBytes, h: TcpHeader, payload: Uint8Array): Uint8Array {
  const options = tcpOptions(h.options ?? []);
  const headerLen = 20 + options.length;
  const out = new Uint8Array(headerLen + payload.length);
  const v = view(out);
  v.setUint16(0, h.srcPort);
  v.setUint16(2, h.dstPort);
  v.setUint32(4, h.seq >>> 0);
  v.setUint32(8, h.ack >>> 0);
  out[12] = (headerLen / 4) << 4;
  out[13] = h.flags;
  if (h.window < 0 || h.window > 0xffff) throw new Error(`TCP window field out of range: ${h.window}`);
  v.setUint16(14, h.window);
  out.set(options, 20);
  out.set(payload, headerLen);
  fillL4Checksum(src, dst, IPPROTO_TCP, out, 16);
  return out;
}

export interface UdpHeader {
  readonly srcPort: number;
  readonly dstPort: number;
}

export function udpDatagram(src: IpBytes, dst: IpBytes, h: UdpHeader, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const v = view(out);
  v.setUint16(0, h.srcPort);
  v.setUint16(2, h.dstPort);
  v.setUint16(4, out.length);
  out.set(payload, 8);
  fillL4Checksum(src, dst, IPPROTO_UDP, out, 6, 0xffff);
  return out;
}

/** ICMPv6 message: type, code, checksum, then `body` (which starts with the 4-byte message field). */
export function icmpv6(src: IpBytes, dst: IpBytes, type: number, code: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = code;
  out.set(body, 4);
  fillL4Checksum(src, dst, IPPROTO_ICMPV6, out, 2);
  return out;
}
