import { type DecodedPacket, Layer, PacketStatus } from './packet.ts';
import { addLayer } from './stack.ts';
import { markBogus, markCut, noteError } from './common.ts';
import { decodeIp } from './ip.ts';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_RARP = 0x8035;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_LLDP = 0x88cc;
/** Type/length values up to this are an 802.3 length: an LLC header follows. */
const MAX_8023_LENGTH = 1500;
const ETHERNET_HEADER = 14;
const VLAN_TAG = 4;
const SLL_HEADER = 16;
const SLL2_HEADER = 20;
const NULL_HEADER = 4;
const ARPHRD_ETHER = 1;
/** Linux cooked protocol values that are not EtherTypes (see linux/if_ether.h). */
const LINUX_SLL_P_802_2 = 0x0004;

/** Ethernet II or 802.3 frame, with any stack of VLAN tags and LLC/SNAP. */
export function decodeEthernet(
  view: DataView, start: number, capLen: number, wireLen: number, out: DecodedPacket,
): void {
  if (capLen < ETHERNET_HEADER) {
    markCut(out, PacketStatus.CapLenBelowL2, 'Ethernet header cut by the snaplen');
    return;
  }
  addLayer(out, Layer.Eth);
  out.dstMacHi = view.getUint16(start);
  out.dstMacLo = view.getUint32(start + 2);
  out.srcMacHi = view.getUint16(start + 6);
  out.srcMacLo = view.getUint32(start + 8);
  out.hasMac = true;
  let type = view.getUint16(start + 12);
  let off = ETHERNET_HEADER;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (capLen < off + VLAN_TAG) {
      markCut(out, PacketStatus.CapLenBelowL2, 'VLAN tag cut by the snaplen');
      return;
    }
    addLayer(out, type === ETHERTYPE_VLAN ? Layer.Vlan : Layer.Qinq);
    out.status |= PacketStatus.Vlan;
    const vlanId = view.getUint16(start + off) & 0x0fff;
    if (vlanId === 0) out.status |= PacketStatus.VlanPriorityTag;
    if (out.numVlans < out.vlanIds.length) out.vlanIds[out.numVlans++] = vlanId;
    type = view.getUint16(start + off + 2);
    off += VLAN_TAG;
  }
  if (type <= MAX_8023_LENGTH) decodeLlc(view, start, capLen, wireLen, off, true, out);
  else decodeEtherType(view, start, capLen, wireLen, off, type, true, out);
}

/** 802.2 LLC; with SNAP (AA AA 03, OUI 0) the SNAP EtherType is decoded further. */
function decodeLlc(
  view: DataView, start: number, capLen: number, wireLen: number, off: number,
  paddingAllowed: boolean, out: DecodedPacket,
): void {
  if (capLen < off + 3) {
    markCut(out, PacketStatus.CapLenBelowL2, 'LLC header cut by the snaplen');
    return;
  }
  addLayer(out, Layer.Llc);
  out.netOffset = off;
  const dsap = view.getUint8(start + off);
  const ssap = view.getUint8(start + off + 1);
  const control = view.getUint8(start + off + 2);
  if (dsap === 0xaa && ssap === 0xaa && control === 0x03) {
    if (capLen < off + 8) {
      markCut(out, PacketStatus.CapLenBelowL2, 'SNAP header cut by the snaplen');
      return;
    }
    const oui = view.getUint32(start + off + 2) & 0xffffff;
    if (oui === 0) {
      decodeEtherType(view, start, capLen, wireLen, off + 8, view.getUint16(start + off + 6), paddingAllowed, out);
      return;
    }
  }
  out.status |= PacketStatus.PureL2; // STP, CDP, NetBIOS, ...
}

/** Dispatches on the EtherType of the network layer at `off`. */
export function decodeEtherType(
  view: DataView, start: number, capLen: number, wireLen: number, off: number, type: number,
  paddingAllowed: boolean, out: DecodedPacket,
): void {
  out.ethType = type;
  out.netOffset = off;
  switch (type) {
    case ETHERTYPE_IPV4: decodeIp(view, start, capLen, wireLen, off, 4, paddingAllowed, out); return;
    case ETHERTYPE_IPV6: decodeIp(view, start, capLen, wireLen, off, 6, paddingAllowed, out); return;
    case ETHERTYPE_ARP: decodeArp(view, start, capLen, off, false, out); return;
    case ETHERTYPE_RARP: decodeArp(view, start, capLen, off, true, out); return;
    case ETHERTYPE_LLDP:
      addLayer(out, Layer.Lldp);
      out.status |= PacketStatus.Lldp | PacketStatus.PureL2;
      return;
    default:
      addLayer(out, Layer.Other);
      out.status |= PacketStatus.PureL2;
  }
}

const ARP_FIXED_HEADER = 8;
const ARP_IPV4_ETHERNET = 28;

/** ARP/RARP; for IPv4 over Ethernet the sender/target IP go into src/dst word 0. */
function decodeArp(
  view: DataView, start: number, capLen: number, off: number, reverse: boolean, out: DecodedPacket,
): void {
  out.status |= PacketStatus.PureL2 | (reverse ? PacketStatus.Rarp : PacketStatus.Arp);
  if (capLen < off + ARP_FIXED_HEADER) {
    markCut(out, PacketStatus.CapLenBelowL3, 'ARP header cut by the snaplen');
    return;
  }
  addLayer(out, reverse ? Layer.Rarp : Layer.Arp);
  const p = start + off;
  const protocolType = view.getUint16(p + 2);
  const hardwareLen = view.getUint8(p + 4);
  const protocolLen = view.getUint8(p + 5);
  if (protocolType !== ETHERTYPE_IPV4 || hardwareLen !== 6 || protocolLen !== 4) return;
  if (capLen < off + ARP_IPV4_ETHERNET) {
    markCut(out, PacketStatus.CapLenBelowL3, 'ARP addresses cut by the snaplen');
    return;
  }
  out.src[0] = view.getUint32(p + 14);
  out.dst[0] = view.getUint32(p + 24);
}

/** Cooked protocol field: an EtherType, or a Linux pseudo-protocol for non-DIX frames. */
function decodeCookedProtocol(
  view: DataView, start: number, capLen: number, wireLen: number, off: number, protocol: number,
  paddingAllowed: boolean, out: DecodedPacket,
): void {
  if (protocol === LINUX_SLL_P_802_2) decodeLlc(view, start, capLen, wireLen, off, paddingAllowed, out);
  else if (protocol <= MAX_8023_LENGTH) {
    out.ethType = protocol;
    addLayer(out, Layer.Other);
    out.status |= PacketStatus.PureL2;
  } else decodeEtherType(view, start, capLen, wireLen, off, protocol, paddingAllowed, out);
}

/** Linux cooked capture v1 (DLT_LINUX_SLL, 113). */
export function decodeSll(
  view: DataView, start: number, capLen: number, wireLen: number, out: DecodedPacket,
): void {
  out.status |= PacketStatus.NoEthernet;
  if (capLen < SLL_HEADER) {
    markCut(out, PacketStatus.CapLenBelowL2, 'Linux cooked header cut by the snaplen');
    return;
  }
  addLayer(out, Layer.Sll);
  const hardwareType = view.getUint16(start + 2);
  if (view.getUint16(start + 4) === 6) setSourceMac(view, start + 6, out);
  decodeCookedProtocol(view, start, capLen, wireLen, SLL_HEADER, view.getUint16(start + 14),
    hardwareType === ARPHRD_ETHER, out);
}

/** Linux cooked capture v2 (DLT_LINUX_SLL2, 276). */
export function decodeSll2(
  view: DataView, start: number, capLen: number, wireLen: number, out: DecodedPacket,
): void {
  out.status |= PacketStatus.NoEthernet;
  if (capLen < SLL2_HEADER) {
    markCut(out, PacketStatus.CapLenBelowL2, 'Linux cooked v2 header cut by the snaplen');
    return;
  }
  addLayer(out, Layer.Sll2);
  const hardwareType = view.getUint16(start + 8);
  if (view.getUint8(start + 11) === 6) setSourceMac(view, start + 12, out);
  decodeCookedProtocol(view, start, capLen, wireLen, SLL2_HEADER, view.getUint16(start),
    hardwareType === ARPHRD_ETHER, out);
}

function setSourceMac(view: DataView, at: number, out: DecodedPacket): void {
  out.srcMacHi = view.getUint16(at);
  out.srcMacLo = view.getUint32(at + 2);
  out.hasMac = true;
}

const AF_INET = 2;
/** BSD AF_INET6 values: NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30. */
const AF_INET6_NETBSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

/**
 * BSD loopback: a 4-byte address family, in the capturing host's byte order for DLT_NULL (0),
 * big-endian for DLT_LOOP (108).
 */
export function decodeNull(
  view: DataView, start: number, capLen: number, wireLen: number, bigEndian: boolean,
  out: DecodedPacket,
): void {
  out.status |= PacketStatus.NoEthernet;
  if (capLen < NULL_HEADER) {
    markCut(out, PacketStatus.CapLenBelowL2, 'loopback header cut by the snaplen');
    return;
  }
  addLayer(out, Layer.Null);
  let family = view.getUint32(start, !bigEndian);
  // families are small: a value in the upper half means the writer had the other byte order
  if (!bigEndian && (family & 0xffff0000) !== 0) family = view.getUint32(start, false);
  switch (family) {
    case AF_INET:
      out.ethType = 0x0800;
      decodeIp(view, start, capLen, wireLen, NULL_HEADER, 4, false, out);
      return;
    case AF_INET6_NETBSD: case AF_INET6_FREEBSD: case AF_INET6_DARWIN:
      out.ethType = 0x86dd;
      decodeIp(view, start, capLen, wireLen, NULL_HEADER, 6, false, out);
      return;
    default:
      addLayer(out, Layer.Other);
      noteError(out, 'unknown loopback address family ' + family);
  }
}

/**
 * Raw IP (no link header). `version` 4 or 6 for LINKTYPE_IPV4/IPV6, 0 to choose by the
 * version nibble.
 */
export function decodeRaw(
  view: DataView, start: number, capLen: number, wireLen: number, version: number,
  out: DecodedPacket,
): void {
  out.status |= PacketStatus.NoEthernet;
  addLayer(out, Layer.Raw);
  if (capLen < 1) {
    markCut(out, PacketStatus.CapLenBelowL3, 'raw IP packet is empty');
    return;
  }
  if (version === 0) version = view.getUint8(start) >> 4;
  if (version !== 4 && version !== 6) {
    markBogus(out, 'raw IP packet with version nibble ' + version);
    return;
  }
  out.ethType = version === 4 ? 0x0800 : 0x86dd;
  decodeIp(view, start, capLen, wireLen, 0, version, false, out);
}
