/**
 * `explain packet N`: one packet layer by layer and field by field, like Wireshark's detail pane,
 * each field with what it means for this packet. The flow decoder says which layers the frame has
 * and where the network, transport and payload parts start; this module reads the header fields
 * at those offsets (the decoder keeps values, not positions) and takes every bit and value meaning
 * from the analyzer schemas. Fields that tshark also prints carry tshark's field name and value
 * format, so a test can compare them with `tshark -T fields`.
 */
import type { LoadedCapture, Frame } from '../store/load.ts';
import { DecodedPacket, Layer, LAYER_NAMES } from '../decode/packet.ts';
import { decodePacket } from '../decode/decode.ts';
import { formatIpv6 } from '../output/tcpdump.ts';
import { escapeBytes } from '../output/escape.ts';
import { formatHex, isFlagType, type BitDef } from '../schema/types.ts';
import { ETH_TYPE_NAMES, L4_PROTO_NAMES } from '../analyzers/basicFlow/schema.ts';
import { IP_FLAGS_BITS, TCP_FLAGS_BITS } from '../analyzers/tcpFlags/schema.ts';
import { lookupCommand } from '../analyzers/ftp/commands.ts';
import { replyCodeMeaning } from '../analyzers/ftp/replies.ts';
import { ftpStatBit } from '../analyzers/ftp/schema.ts';
import { storeView, type StoreView } from './storeView.ts';
import { portService } from './ports.ts';

export interface DetailField {
  readonly name: string;
  readonly value: string;
  /** what the value means for this packet */
  readonly meaning?: string;
  /** tshark's names for the field and its values as `tshark -T fields` prints them */
  readonly tshark?: readonly { readonly field: string; readonly value: string }[];
  readonly children?: readonly DetailField[];
}

export interface DetailLayer {
  readonly title: string;
  /** byte range of the layer in the frame */
  readonly offset: number;
  readonly length: number;
  readonly fields: readonly DetailField[];
}

export interface PacketDetail {
  readonly pktNo: number;
  readonly heading: readonly string[];
  readonly layers: readonly DetailLayer[];
  /** what flowsh's analyzers recorded for this packet (packets-table flag columns) */
  readonly analysis: readonly DetailField[];
}

type TsharkPair = [string, string | number];

const field = (name: string, value: string | number, meaning?: string, tshark?: TsharkPair | TsharkPair[], children?: DetailField[]): DetailField => ({
  name, value: String(value),
  ...(meaning ? { meaning } : {}),
  ...(tshark ? { tshark: (Array.isArray(tshark[0]) ? tshark as TsharkPair[] : [tshark as TsharkPair]).map(([f, v]) => ({ field: f, value: String(v) })) } : {}),
  ...(children && children.length ? { children } : {}),
});

const hex = (v: number, digits: number): string => '0x' + (v >>> 0).toString(16).padStart(digits, '0');

function bitDef(bits: readonly BitDef[], value: number): BitDef {
  const b = bits.find((d) => Number(d.value) === value);
  if (!b) throw new Error(`no bit ${value} in the table`);
  return b;
}

/** One frame's bytes with bounds-checked reads (undefined beyond the captured bytes). */
class Bytes {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly capLen: number) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  has(off: number, len: number): boolean { return off >= 0 && off + len <= this.capLen; }
  u8(off: number): number { return this.view.getUint8(off); }
  u16(off: number): number { return this.view.getUint16(off); }
  u32(off: number): number { return this.view.getUint32(off); }
  mac(off: number, len = 6): string {
    let s = '';
    for (let i = 0; i < len; i++) s += (i ? ':' : '') + this.bytes[off + i]!.toString(16).padStart(2, '0');
    return s;
  }
  ipv4(off: number): string { return `${this.bytes[off]}.${this.bytes[off + 1]}.${this.bytes[off + 2]}.${this.bytes[off + 3]}`; }
  ipv6(off: number): string { return formatIpv6(this.view, off); }
  hexRun(off: number, len: number): string {
    let s = '';
    for (let i = 0; i < len && off + i < this.capLen; i++) s += this.bytes[off + i]!.toString(16).padStart(2, '0');
    return s;
  }
}

function macMeaning(b: Bytes, off: number): string {
  const first = b.u8(off);
  if (b.mac(off) === 'ff:ff:ff:ff:ff:ff') return 'broadcast: every host on the link';
  const group = first & 1 ? 'multicast (group address)' : 'unicast (one interface)';
  const local = first & 2 ? 'locally administered' : 'globally unique (the first three bytes name the vendor)';
  return `${group}, ${local}`;
}

/** 32, 64, 128 or 255: the initial TTL a value most likely started from */
function initialTtl(ttl: number): number {
  for (const start of [32, 64, 128, 255]) if (ttl <= start) return start;
  return 255;
}

function ttlMeaning(ttl: number, what: 'TTL' | 'hop limit'): string {
  const start = initialTtl(ttl);
  const hops = start - ttl;
  return `routers may still forward it ${ttl} times; if it started at ${start} (a common initial ${what}) it crossed ${hops} router${hops === 1 ? '' : 's'} before the capture point`;
}

const ECN_NAMES = ['Not-ECT: not ECN-capable', 'ECT(1): ECN-capable transport', 'ECT(0): ECN-capable transport', 'CE: congestion experienced'];

function dsMeaning(ds: number): string {
  const dscp = ds >> 2;
  return `DSCP ${dscp}${dscp === 0 ? ' (default, best effort)' : ''}; ECN ${ds & 3} (${ECN_NAMES[ds & 3]})`;
}

function protocolMeaning(proto: number): string {
  const name = L4_PROTO_NAMES[proto];
  return name ? `${name.toUpperCase()}: its header and data follow` : 'a protocol flowsh does not decode';
}

function sum16(b: Bytes, off: number, len: number, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < len; i += 2) sum += b.u16(off + i);
  if (len & 1) sum += b.u8(off + len - 1) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** TCP/UDP checksum check over the pseudo header; undefined when the segment is not all captured */
function transportChecksumOk(b: Bytes, ip: IpInfo, off: number, len: number, proto: number): boolean | undefined {
  if (!b.has(off, len)) return undefined;
  let pseudo = 0;
  if (ip.version === 4) {
    pseudo = sum16(b, ip.offset + 12, 8) + proto + len;
  } else {
    pseudo = sum16(b, ip.offset + 8, 32) + proto + len;
  }
  return sum16(b, off, len, pseudo) === 0xffff;
}

interface IpInfo {
  readonly version: 4 | 6;
  readonly offset: number;
  readonly src: string;
  readonly dst: string;
  /** where the datagram ends in the frame (excluding link padding) */
  readonly end: number;
}

interface Walk {
  readonly b: Bytes;
  readonly frame: Frame;
  readonly pkt: DecodedPacket;
  readonly store: StoreView;
  readonly row: number;
  readonly layers: DetailLayer[];
  /** the innermost IP header so far */
  ip?: IpInfo;
  /** end of the network datagram: bytes after it are link padding */
  datagramEnd: number;
}

function cutField(off: number, w: Walk): DetailField {
  return field('(cut)', `${w.b.capLen - off} of the header's bytes were captured`, 'the snaplen cut the packet here: the rest of this header and what follows were not recorded');
}

// ---------------------------------------------------------------- link layers

function ethernet(w: Walk, off: number): number {
  const { b } = w;
  const type = b.u16(off + 12);
  const typeField = type <= 1500
    ? field('Length', type, 'an IEEE 802.3 frame: this is the length of the LLC data that follows, not an EtherType', ['eth.len', type])
    : field('Type', hex(type, 4), etherTypeMeaning(type), ['eth.type', hex(type, 4)]);
  w.layers.push({
    title: 'Ethernet II', offset: off, length: 14,
    fields: [
      field('Destination', b.mac(off), macMeaning(b, off), ['eth.dst', b.mac(off)]),
      field('Source', b.mac(off + 6), `${macMeaning(b, off + 6)}; the interface that put the frame on this link (a router's for a routed packet)`, ['eth.src', b.mac(off + 6)]),
      typeField,
    ],
  });
  return off + 14;
}

function etherTypeMeaning(type: number): string {
  const name = ETH_TYPE_NAMES[type];
  return name ? `${name}: what follows this header` : 'an EtherType flowsh does not decode';
}

function vlan(w: Walk, off: number, title: string): number {
  const { b } = w;
  if (!b.has(off, 4)) { w.layers.push({ title, offset: off, length: b.capLen - off, fields: [cutField(off, w)] }); return -1; }
  const tci = b.u16(off), type = b.u16(off + 2);
  w.layers.push({
    title, offset: off, length: 4,
    fields: [
      field('Priority', tci >> 13, `802.1p class of service ${tci >> 13}${tci >> 13 === 0 ? ' (best effort)' : ''}`, ['vlan.priority', tci >> 13]),
      field('DEI', (tci >> 12) & 1, (tci >> 12) & 1 ? 'may be dropped first under congestion' : 'not marked drop-eligible', ['vlan.dei', (tci >> 12) & 1]),
      field('VLAN id', tci & 0xfff, (tci & 0xfff) === 0 ? 'priority tag only: the frame belongs to no VLAN' : `the frame belongs to virtual LAN ${tci & 0xfff}`, ['vlan.id', tci & 0xfff]),
      field('Type', hex(type, 4), etherTypeMeaning(type), ['vlan.etype', hex(type, 4)]),
    ],
  });
  return off + 4;
}

function llc(w: Walk, off: number): number {
  const { b } = w;
  if (!b.has(off, 3)) { w.layers.push({ title: 'LLC', offset: off, length: b.capLen - off, fields: [cutField(off, w)] }); return -1; }
  const fields = [
    field('DSAP', hex(b.u8(off), 2), 'destination service access point', ['llc.dsap', hex(b.u8(off), 2)]),
    field('SSAP', hex(b.u8(off + 1), 2), 'source service access point', ['llc.ssap', hex(b.u8(off + 1), 2)]),
    field('Control', hex(b.u8(off + 2), 2), b.u8(off + 2) === 3 ? 'unnumbered information (connectionless)' : 'LLC control field'),
  ];
  let len = 3;
  if (b.u8(off) === 0xaa && b.u8(off + 1) === 0xaa && b.has(off, 8)) {
    fields.push(field('SNAP OUI', hex(b.u32(off + 2) >>> 8, 6), 'organisation code of the SNAP protocol id'));
    fields.push(field('SNAP type', hex(b.u16(off + 6), 4), etherTypeMeaning(b.u16(off + 6))));
    len = 8;
  }
  w.layers.push({ title: 'Logical-Link Control (802.2)', offset: off, length: len, fields });
  return off + len;
}

const SLL_PACKET_TYPES: Record<number, string> = {
  0: 'sent to this host', 1: 'broadcast', 2: 'multicast', 3: 'sent to another host (promiscuous capture)', 4: 'sent by this host',
};

function sll(w: Walk, off: number): number {
  const { b } = w;
  const type = b.u16(off), hatype = b.u16(off + 2), halen = b.u16(off + 4), proto = b.u16(off + 14);
  w.layers.push({
    title: 'Linux cooked capture (SLL)', offset: off, length: 16,
    fields: [
      field('Packet type', type, SLL_PACKET_TYPES[type] ?? 'unknown direction', ['sll.pkttype', type]),
      field('Link-layer address type', hatype, hatype === 1 ? 'Ethernet (ARPHRD_ETHER)' : `ARPHRD ${hatype}`, ['sll.hatype', hatype]),
      field('Address length', halen, 'bytes of the source address that follow', ['sll.halen', halen]),
      ...(halen === 6 ? [field('Source', b.mac(off + 6), 'link-layer address of the sender', ['sll.src.eth', b.mac(off + 6)])] : []),
      field('Protocol', hex(proto, 4), etherTypeMeaning(proto), ['sll.etype', hex(proto, 4)]),
    ],
  });
  return off + 16;
}

function sll2(w: Walk, off: number): number {
  const { b } = w;
  const proto = b.u16(off), ifindex = b.u32(off + 4), hatype = b.u16(off + 8), type = b.u8(off + 10), halen = b.u8(off + 11);
  w.layers.push({
    title: 'Linux cooked capture v2 (SLL2)', offset: off, length: 20,
    fields: [
      field('Protocol', hex(proto, 4), etherTypeMeaning(proto), ['sll.etype', hex(proto, 4)]),
      field('Interface index', ifindex, 'the capturing host\'s interface the packet crossed', ['sll.ifindex', ifindex]),
      field('Link-layer address type', hatype, hatype === 1 ? 'Ethernet (ARPHRD_ETHER)' : `ARPHRD ${hatype}`, ['sll.hatype', hatype]),
      field('Packet type', type, SLL_PACKET_TYPES[type] ?? 'unknown direction', ['sll.pkttype', type]),
      field('Address length', halen, 'bytes of the source address that follow', ['sll.halen', halen]),
      ...(halen === 6 ? [field('Source', b.mac(off + 12), 'link-layer address of the sender', ['sll.src.eth', b.mac(off + 12)])] : []),
    ],
  });
  return off + 20;
}

function loopback(w: Walk, off: number): number {
  const { b } = w;
  const little = b.view.getUint32(off, true), big = b.u32(off);
  const family = (little & 0xffff0000) === 0 ? little : big;
  const name = family === 2 ? 'IPv4' : family === 24 || family === 28 || family === 30 ? 'IPv6' : 'unknown';
  w.layers.push({
    title: 'BSD loopback', offset: off, length: 4,
    fields: [field('Address family', family, `${name}: what follows (the family is in the capturing host's byte order)`, ['null.family', family])],
  });
  return off + 4;
}

// ---------------------------------------------------------------- network layers

function ipv4(w: Walk, off: number): number {
  const { b } = w;
  if (!b.has(off, 20)) { w.layers.push({ title: 'IPv4', offset: off, length: b.capLen - off, fields: [cutField(off, w)] }); return -1; }
  const ihl = (b.u8(off) & 15) * 4;
  const ds = b.u8(off + 1), total = b.u16(off + 2), id = b.u16(off + 4), ff = b.u16(off + 6);
  const ttl = b.u8(off + 8), proto = b.u8(off + 9), checksum = b.u16(off + 10);
  const src = b.ipv4(off + 12), dst = b.ipv4(off + 16);
  const fragOffset = (ff & 0x1fff) * 8;
  const flagBits: DetailField[] = [
    [0x8000, 0x0080], [0x4000, 0x0040], [0x2000, 0x0020],
  ].map(([mask, ipFlag]) => {
    const def = bitDef(IP_FLAGS_BITS, ipFlag!);
    return field(def.name, ff & mask! ? 'set' : 'not set', def.description);
  });
  const checksumOk = b.has(off, ihl) && ihl >= 20 ? sum16(b, off, ihl) === 0xffff : undefined;
  const checksumBit = bitDef(IP_FLAGS_BITS, 0x0400);
  w.ip = { version: 4, offset: off, src, dst, end: off + total };
  w.datagramEnd = Math.min(w.datagramEnd, off + total);
  const datagram = w.frame.wireLen - off;
  const padding = datagram > total ? `; the frame carries ${datagram - total} more bytes after it (link padding)` : '';
  w.layers.push({
    title: `Internet Protocol version 4, ${src} → ${dst}`, offset: off, length: ihl,
    fields: [
      field('Version', 4, 'IPv4', ['ip.version', 4]),
      field('Header length', `${ihl} bytes (IHL ${ihl / 4})`, ihl === 20 ? 'no options' : ihl < 20 ? 'shorter than the 20-byte minimum: a broken header' : `20 bytes plus ${ihl - 20} bytes of options`, ['ip.hdr_len', ihl]),
      field('Differentiated services', hex(ds, 2), dsMeaning(ds), ['ip.dsfield', hex(ds, 2)]),
      field('Total length', total, `bytes of IP header and payload${padding}`, ['ip.len', total]),
      field('Identification', `${hex(id, 4)} (${id})`, 'the sender\'s number for this datagram; fragments of one datagram share it', ['ip.id', hex(id, 4)]),
      field('Flags', hex(ff >> 13, 2), ff & 0x4000 ? 'do not fragment: a router that would have to fragment drops it and reports back (path MTU discovery)' : ff & 0x2000 ? 'more fragments follow' : 'may be fragmented', ['ip.flags', hex(ff >> 13, 2)], flagBits),
      field('Fragment offset', `${fragOffset} bytes`, fragOffset === 0 ? (ff & 0x2000 ? 'the first fragment' : 'not a fragment: the whole datagram') : `this fragment holds bytes from ${fragOffset} of the original datagram`, ['ip.frag_offset', ff & 0x1fff]),
      field('Time to live', ttl, ttlMeaning(ttl, 'TTL'), ['ip.ttl', ttl]),
      field('Protocol', proto, protocolMeaning(proto), ['ip.proto', proto]),
      field('Header checksum', hex(checksum, 4), checksumOk === undefined ? 'not checked: the header is not all captured' : checksumOk ? 'correct: the header sums to 0xffff' : `wrong (ipFlags ${checksumBit.name}: ${checksumBit.description})`, ['ip.checksum', hex(checksum, 4)]),
      field('Source', src, 'the sender of the datagram', ['ip.src', src]),
      field('Destination', dst, 'the host it is for', ['ip.dst', dst]),
      ...(ihl > 20 ? [field('Options', `${ihl - 20} bytes`, 'IPv4 options (record route, timestamps, router alert, ...)')] : []),
    ],
  });
  return off + ihl;
}

const IPV6_NEXT_NAMES: Record<number, string> = { 0: 'hop-by-hop options', 43: 'routing header', 44: 'fragment header', 60: 'destination options', 59: 'no next header' };

function nextHeaderMeaning(next: number): string {
  return IPV6_NEXT_NAMES[next] ? `${IPV6_NEXT_NAMES[next]} follows` : protocolMeaning(next);
}

function ipv6(w: Walk, off: number): number {
  const { b } = w;
  if (!b.has(off, 40)) { w.layers.push({ title: 'IPv6', offset: off, length: b.capLen - off, fields: [cutField(off, w)] }); return -1; }
  const word0 = b.u32(off);
  const tclass = (word0 >>> 20) & 0xff, flow = word0 & 0xfffff;
  const plen = b.u16(off + 4), next = b.u8(off + 6), hlim = b.u8(off + 7);
  const src = b.ipv6(off + 8), dst = b.ipv6(off + 24);
  w.ip = { version: 6, offset: off, src, dst, end: off + 40 + plen };
  w.datagramEnd = Math.min(w.datagramEnd, off + 40 + plen);
  w.layers.push({
    title: `Internet Protocol version 6, ${src} → ${dst}`, offset: off, length: 40,
    fields: [
      field('Version', 6, 'IPv6', ['ipv6.version', 6]),
      field('Traffic class', hex(tclass, 2), dsMeaning(tclass), ['ipv6.tclass', hex(tclass, 8)]),
      field('Flow label', hex(flow, 5), flow === 0 ? 'not set' : 'the sender\'s label for packets of one flow', ['ipv6.flow', hex(flow, 6)]),
      field('Payload length', plen, 'bytes after this 40-byte header (extension headers included)', ['ipv6.plen', plen]),
      field('Next header', next, nextHeaderMeaning(next), ['ipv6.nxt', next]),
      field('Hop limit', hlim, ttlMeaning(hlim, 'hop limit'), ['ipv6.hlim', hlim]),
      field('Source', src, 'the sender of the packet', ['ipv6.src', src]),
      field('Destination', dst, 'the host (or group) it is for', ['ipv6.dst', dst]),
    ],
  });
  return off + 40;
}

function ipv6Extension(w: Walk, off: number, layer: Layer): number {
  const { b } = w;
  const name = layer === Layer.Ip6Frag ? 'IPv6 fragment header' : layer === Layer.Ip6Route ? 'IPv6 routing header'
    : layer === Layer.Ip6HopOpts ? 'IPv6 hop-by-hop options' : 'IPv6 destination options';
  if (!b.has(off, 2)) { w.layers.push({ title: name, offset: off, length: b.capLen - off, fields: [cutField(off, w)] }); return -1; }
  const next = b.u8(off);
  const len = layer === Layer.Ip6Frag ? 8 : (b.u8(off + 1) + 1) * 8;
  const fields = [field('Next header', next, nextHeaderMeaning(next)), field('Length', `${len} bytes`, 'size of this extension header')];
  if (layer === Layer.Ip6Frag && b.has(off, 8)) {
    const of = b.u16(off + 2);
    fields.push(field('Fragment offset', `${(of >> 3) * 8} bytes`, (of >> 3) === 0 ? 'the first fragment' : 'where this fragment\'s data starts in the original packet'));
    fields.push(field('More fragments', of & 1, of & 1 ? 'more fragments follow' : 'the last fragment'));
    fields.push(field('Identification', hex(b.u32(off + 4), 8), 'fragments of one packet share it'));
  }
  w.layers.push({ title: name, offset: off, length: len, fields });
  return off + len;
}

const ARP_OPS: Record<number, string> = { 1: 'request', 2: 'reply', 3: 'reverse request (RARP)', 4: 'reverse reply (RARP)', 8: 'inverse request', 9: 'inverse reply' };

function arp(w: Walk, off: number, title: string): number {
  const { b } = w;
  if (!b.has(off, 8)) { w.layers.push({ title, offset: off, length: b.capLen - off, fields: [cutField(off, w)] }); return -1; }
  const htype = b.u16(off), ptype = b.u16(off + 2), hlen = b.u8(off + 4), plen = b.u8(off + 5), op = b.u16(off + 6);
  const fields = [
    field('Hardware type', htype, htype === 1 ? 'Ethernet' : 'another link type', ['arp.hw.type', htype]),
    field('Protocol type', hex(ptype, 4), ptype === 0x0800 ? 'IPv4 addresses are resolved' : etherTypeMeaning(ptype), ['arp.proto.type', hex(ptype, 4)]),
    field('Hardware size', hlen, 'bytes per hardware address', ['arp.hw.size', hlen]),
    field('Protocol size', plen, 'bytes per protocol address', ['arp.proto.size', plen]),
    field('Opcode', op, ARP_OPS[op] ?? 'unknown operation', ['arp.opcode', op]),
  ];
  const len = 8 + 2 * (hlen + plen);
  if (hlen === 6 && plen === 4 && b.has(off, 28)) {
    const sMac = b.mac(off + 8), sIp = b.ipv4(off + 14), tMac = b.mac(off + 18), tIp = b.ipv4(off + 24);
    const story = op === 1 ? `who has ${tIp}? tell ${sIp} (at ${sMac})` : op === 2 ? `${sIp} is at ${sMac}` : '';
    fields.push(
      field('Sender MAC', sMac, 'hardware address of the sender', ['arp.src.hw_mac', sMac]),
      field('Sender IP', sIp, op === 1 ? 'the asking host' : 'the address being resolved', ['arp.src.proto_ipv4', sIp]),
      field('Target MAC', tMac, op === 1 ? 'unknown yet: this is what the request asks for' : 'the host that asked', ['arp.dst.hw_mac', tMac]),
      field('Target IP', tIp, op === 1 ? 'the address whose hardware address is wanted' : 'the asking host\'s address', ['arp.dst.proto_ipv4', tIp]),
    );
    if (story) fields.push(field('In words', story));
  } else if (!b.has(off, len)) fields.push(cutField(off, w));
  w.layers.push({ title, offset: off, length: len, fields });
  w.datagramEnd = Math.min(w.datagramEnd, off + len);
  return off + len;
}

// ---------------------------------------------------------------- transport layers

function portMeaning(port: number, side: 'source' | 'destination', other: number): string {
  const service = portService(port);
  if (service) return `${service.name}: ${service.description}`;
  if (port >= 49152) return `an ephemeral port (the dynamic range 49152-65535)${portService(other) ? `, a client talking to ${portService(other)!.name}` : ''}`;
  if (port >= 1024) return `a registered or ephemeral port${side === 'source' && portService(other) ? `, likely a client of ${portService(other)!.name}` : ''}`;
  return 'a well-known port (below 1024)';
}

function tcp(w: Walk, off: number): number {
  const { b, store, row } = w;
  if (!b.has(off, 20)) { w.layers.push({ title: 'TCP', offset: off, length: b.capLen - off, fields: [cutField(off, w)] }); return -1; }
  const sport = b.u16(off), dport = b.u16(off + 2), seq = b.u32(off + 4), ack = b.u32(off + 8);
  const hlen = (b.u8(off + 12) >> 4) * 4;
  const flags12 = ((b.u8(off + 12) & 0x0f) << 8) | b.u8(off + 13);
  const flags = flags12 & 0xff;
  const win = b.u16(off + 14), checksum = b.u16(off + 16), urp = b.u16(off + 18);
  const ip = w.ip;
  const segmentEnd = ip ? Math.min(ip.end, w.frame.wireLen) : w.frame.wireLen;
  const dataLen = Math.max(0, segmentEnd - off - hlen);
  const relSeq = store.packetNum('relSeq', row), relAck = store.packetNum('relAck', row);
  const sender = ip ? ip.src : 'the sender', receiver = ip ? ip.dst : 'the receiver';
  const syn = flags & 0x02, fin = flags & 0x01, hasAck = flags & 0x10;
  const nextRel = (relSeq + dataLen + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0;
  let seqMeaning: string;
  if (syn) seqMeaning = `the initial sequence number (ISN) ${sender} chose for its byte stream (relative 0); the SYN itself uses one number`;
  else if (dataLen > 0) seqMeaning = `relative ${relSeq}: this segment carries bytes ${relSeq} to ${(relSeq + dataLen - 1) >>> 0} of ${sender}'s stream`;
  else if (fin) seqMeaning = `relative ${relSeq}: the FIN takes this sequence number, after the last data byte`;
  else seqMeaning = `relative ${relSeq}: the next byte ${sender} will send; this segment carries no data`;
  const ackMeaning = hasAck
    ? `relative ${relAck}: ${sender} has received everything ${receiver} sent before its byte ${relAck}${relAck === 1 ? ' (for a handshake: the SYN)' : ''}`
    : 'not valid: the ACK flag is not set';
  const rawFlags = TCP_FLAGS_BITS.filter((d) => Number(d.value) <= 0x80).reverse();
  const flagChildren = rawFlags.filter((d) => flags & Number(d.value)).map((d) => field(d.name, 'set', d.description));
  const unset = rawFlags.filter((d) => !(flags & Number(d.value))).map((d) => d.name);
  if (unset.length) flagChildren.push(field('not set', unset.join(' ')));
  if (flags12 & 0xf00) flagChildren.unshift(field('Reserved/AE', hex(flags12 >> 8, 1), 'bits reserved by RFC 9293 (the lowest is AccECN\'s AE)'));
  const names = TCP_FLAGS_BITS.filter((d) => Number(d.value) <= 0x80 && flags & Number(d.value)).map((d) => d.name);
  const scaled = store.packetNum('tcpWin', row);
  const winMeaning = syn
    ? `${receiver} may send up to ${win} bytes before it must wait for ${sender}'s ACK (a SYN's window is never scaled)`
    : scaled !== win && Number.isFinite(scaled)
      ? `${win} × ${scaled / win} (window scaling from the handshake) = ${scaled}: ${sender} can take ${scaled} more bytes beyond the acknowledged one`
      : `${sender} can take ${win} more bytes beyond the acknowledged one`;
  const checksumOk = ip ? transportChecksumOk(b, ip, off, segmentEnd - off, 6) : undefined;
  const fields: DetailField[] = [
    field('Source port', sport, portMeaning(sport, 'source', dport), ['tcp.srcport', sport]),
    field('Destination port', dport, portMeaning(dport, 'destination', sport), ['tcp.dstport', dport]),
    field('Sequence number', `${seq} (relative ${relSeq})`, seqMeaning, [['tcp.seq_raw', seq], ['tcp.seq', relSeq]]),
    field('Next sequence number', `relative ${nextRel}`, `what ${receiver}'s ACK will carry once it has everything up to the end of this segment`, ['tcp.nxtseq', nextRel]),
    field('Acknowledgment number', hasAck ? `${ack} (relative ${relAck})` : String(ack), ackMeaning, [['tcp.ack_raw', ack], ...(hasAck ? [['tcp.ack', relAck] as TsharkPair] : [])]),
    field('Header length', `${hlen} bytes (${hlen / 4})`, hlen === 20 ? 'no options' : hlen < 20 ? 'below the 20-byte minimum: a broken header' : `20 bytes plus ${hlen - 20} bytes of options`, ['tcp.hdr_len', hlen]),
    field('Flags', `${hex(flags12, 3)} (${names.join(', ') || 'none'})`, flagsMeaning(flags, sender), ['tcp.flags', hex(flags12, 4)], flagChildren),
    field('Window', win, winMeaning, ['tcp.window_size_value', win]),
    field('Checksum', hex(checksum, 4), checksumOk === undefined ? 'not checked: the segment is not all captured' : checksumOk ? 'correct' : 'wrong: the segment was damaged, or the capturing host computes checksums in its network card (offload) after the capture point', ['tcp.checksum', hex(checksum, 4)]),
    field('Urgent pointer', urp, flags & 0x20 ? `urgent data ends ${urp} bytes into the segment` : 'unused: URG is not set', ['tcp.urgent_pointer', urp]),
  ];
  if (hlen > 20 && b.has(off, Math.min(hlen, b.capLen - off))) fields.push(...tcpOptions(w, off + 20, off + hlen, sender, ack - relAck));
  if (!b.has(off, hlen)) fields.push(cutField(off, w));
  fields.push(field('Segment length', dataLen, dataLen ? `${dataLen} bytes of payload` : 'no payload', ['tcp.len', dataLen]));
  w.layers.push({ title: `Transmission Control Protocol, ${sport} → ${dport}`, offset: off, length: hlen, fields });
  return off + hlen;
}

function flagsMeaning(flags: number, sender: string): string {
  const syn = flags & 0x02, ack = flags & 0x10, fin = flags & 0x01, rst = flags & 0x04;
  if (syn && !ack) return `${sender} asks to open a connection (first step of the three-way handshake)`;
  if (syn && ack) return `${sender} accepts the connection and acknowledges the SYN (second step of the handshake)`;
  if (rst) return `${sender} aborts the connection (reset): no more data either way`;
  if (fin) return `${sender} has no more data to send and starts closing its direction`;
  if (flags & 0x08) return `${sender} asks the receiver to hand the data to the application now (push)`;
  if (ack) return 'an acknowledgment';
  return 'no usual flag combination';
}

/** short option names, as tcpdump prints them */
const TCP_OPTION_NAMES: Record<number, string> = {
  0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 8: 'TS', 19: 'md5', 28: 'uto', 29: 'tcp-ao', 30: 'mptcp', 34: 'tfo',
};

function tcpOptions(w: Walk, pos: number, end: number, sender: string, reverseBase: number): DetailField[] {
  const { b } = w;
  const out: DetailField[] = [];
  const stop = Math.min(end, b.capLen);
  while (pos < stop) {
    const kind = b.u8(pos);
    const name = TCP_OPTION_NAMES[kind] ?? `kind ${kind}`;
    if (kind === 0) { out.push(field(`Option ${name}`, '', 'no more options; the rest of the header is padding')); break; }
    if (kind === 1) { out.push(field(`Option ${name}`, '', 'one byte of padding that aligns the next option')); pos++; continue; }
    if (pos + 1 >= stop) break;
    const len = b.u8(pos + 1);
    if (len < 2 || pos + len > end) { out.push(field('Option (corrupt)', `kind ${kind}, length ${len}`, 'the option length runs past the header: the rest cannot be read')); break; }
    const v = pos + 2;
    const have = b.has(pos, len);
    switch (have ? kind : -1) {
      case 2: out.push(field(`Option ${name}`, b.u16(v), `${sender} accepts segments of up to ${b.u16(v)} bytes of payload`, ['tcp.options.mss_val', b.u16(v)])); break;
      case 3: out.push(field(`Option ${name}`, `shift ${b.u8(v)}`, `windows ${sender} advertises after the handshake are multiplied by ${2 ** Math.min(14, b.u8(v))} (if the other side offers scaling too)`, ['tcp.options.wscale.shift', b.u8(v)])); break;
      case 4: out.push(field(`Option ${name}`, '', `${sender} can receive selective acknowledgments (SACK blocks)`)); break;
      case 5: {
        const blocks: string[] = [];
        for (let i = v; i + 8 <= pos + len; i += 8) blocks.push(`${(b.u32(i) - reverseBase) >>> 0}-${(b.u32(i + 4) - reverseBase) >>> 0}`);
        out.push(field(`Option ${name}`, blocks.join(', '), `${sender} has also received these byte ranges (relative) beyond the acknowledged one: something before them is missing`));
        break;
      }
      case 8: out.push(
        field(`Option ${name}`, `val ${b.u32(v)} ecr ${b.u32(v + 4)}`, `${sender}'s clock value, and the last timestamp it received from the other side (echoed for round-trip timing and to reject old duplicates)`,
          [['tcp.options.timestamp.tsval', b.u32(v)], ['tcp.options.timestamp.tsecr', b.u32(v + 4)]]),
      ); break;
      default: out.push(field(`Option ${name}`, `${len} bytes`, have ? `kind ${kind}` : 'not all captured'));
    }
    pos += len;
  }
  return out;
}

function udp(w: Walk, off: number): number {
  const { b } = w;
  if (!b.has(off, 8)) { w.layers.push({ title: 'UDP', offset: off, length: b.capLen - off, fields: [cutField(off, w)] }); return -1; }
  const sport = b.u16(off), dport = b.u16(off + 2), len = b.u16(off + 4), checksum = b.u16(off + 6);
  const ip = w.ip;
  const checksumOk = ip && checksum !== 0 ? transportChecksumOk(b, ip, off, len, 17) : undefined;
  w.layers.push({
    title: `User Datagram Protocol, ${sport} → ${dport}`, offset: off, length: 8,
    fields: [
      field('Source port', sport, portMeaning(sport, 'source', dport), ['udp.srcport', sport]),
      field('Destination port', dport, portMeaning(dport, 'destination', sport), ['udp.dstport', dport]),
      field('Length', len, `the 8-byte UDP header plus ${Math.max(0, len - 8)} bytes of payload`, ['udp.length', len]),
      field('Checksum', hex(checksum, 4), checksum === 0 ? 'none: the sender did not compute one (allowed over IPv4)' : checksumOk === undefined ? 'not checked: the datagram is not all captured' : checksumOk ? 'correct' : 'wrong (or computed by the network card after the capture point)', ['udp.checksum', hex(checksum, 4)]),
    ],
  });
  return off + 8;
}

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply (ping answer)', 3: 'destination unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request (ping)',
  11: 'time exceeded (TTL reached 0, as traceroute uses)', 12: 'parameter problem', 13: 'timestamp request', 14: 'timestamp reply',
};
const ICMP6_TYPES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded', 4: 'parameter problem', 128: 'echo request (ping)',
  129: 'echo reply', 133: 'router solicitation', 134: 'router advertisement', 135: 'neighbour solicitation (IPv6\'s ARP request)',
  136: 'neighbour advertisement (IPv6\'s ARP reply)', 137: 'redirect', 143: 'multicast listener report v2',
};

function icmp(w: Walk, off: number, v6: boolean): number {
  const { b } = w;
  const proto = v6 ? 'icmpv6' : 'icmp';
  if (!b.has(off, 4)) { w.layers.push({ title: v6 ? 'ICMPv6' : 'ICMP', offset: off, length: b.capLen - off, fields: [cutField(off, w)] }); return -1; }
  const type = b.u8(off), code = b.u8(off + 1), checksum = b.u16(off + 2);
  const fields = [
    field('Type', type, (v6 ? ICMP6_TYPES : ICMP_TYPES)[type] ?? 'another message type', [`${proto}.type`, type]),
    field('Code', code, code === 0 ? 'no sub-type' : 'sub-type of the message', [`${proto}.code`, code]),
    field('Checksum', hex(checksum, 4), 'over the ICMP message', [`${proto}.checksum`, hex(checksum, 4)]),
  ];
  if (v6 && (type === 135 || type === 136) && b.has(off, 24)) {
    const target = b.ipv6(off + 8);
    const tsharkField = type === 135 ? 'icmpv6.nd.ns.target_address' : 'icmpv6.nd.na.target_address';
    fields.push(field('Target address', target, type === 135 ? `who has ${target}? (the asking host waits for the advertisement)` : `${target} is at the link-layer address in the options`, [tsharkField, target]));
  }
  w.layers.push({ title: v6 ? 'Internet Control Message Protocol v6' : 'Internet Control Message Protocol', offset: off, length: 8, fields });
  return off + 8;
}

function opaque(w: Walk, off: number, layer: Layer, end: number): number {
  const name = LAYER_NAMES[layer] ?? 'data';
  w.layers.push({
    title: name === 'data' ? 'Data' : name.toUpperCase(), offset: off, length: Math.max(0, end - off),
    fields: [field('Bytes', Math.max(0, end - off), 'flowsh records this layer but does not dissect its fields')],
  });
  return -1;
}

// ---------------------------------------------------------------- payload

function payloadLayer(w: Walk): void {
  const { b, pkt, store, row } = w;
  if (pkt.l7Len <= 0 || pkt.l7Offset <= 0) return;
  const off = pkt.l7Offset, captured = Math.min(pkt.l7CapLen, Math.max(0, b.capLen - off));
  const shown = Math.min(captured, 512);
  const text = escapeBytes(b.bytes, off, off + shown) + (captured > shown ? ` … (${captured - shown} more bytes)` : '');
  const fields: DetailField[] = [
    field('Length', pkt.l7Len, captured < pkt.l7Len ? `${captured} of them captured (the snaplen cut the rest)` : 'all captured'),
    field('Bytes', text, 'control bytes escaped as \\r \\n \\xHH'),
  ];
  const ftpStat = store.packetNum('ftpStat', row);
  const dir = store.packet('dir', row);
  const flowInd = store.packetNum('flowInd', row);
  if (Number.isFinite(ftpStat) && ftpStat & ftpStatBit('FTP_INIT')) fields.push(...ftpLines(b, off, off + captured));
  else if (Number.isFinite(ftpStat) && ftpStat & ftpStatBit('FTP_PPRNT')) {
    const control = store.flow('ftpCDFindex', store.flowRows(flowInd)[dir === 'B' ? 'b' : 'a']);
    fields.push(field('FTP data', `control flow ${Array.isArray(control) ? control.join(', ') : '?'}`, 'these bytes are part of a file or listing sent over an FTP data connection (files table)'));
  }
  w.layers.push({ title: 'Payload', offset: off, length: captured, fields });
}

function ftpLines(b: Bytes, start: number, end: number): DetailField[] {
  const out: DetailField[] = [];
  let lineStart = start;
  for (let i = start; i < end && out.length < 8; i++) {
    if (b.bytes[i] !== 0x0a && i !== end - 1) continue;
    const line = escapeBytes(b.bytes, lineStart, i + 1);
    lineStart = i + 1;
    const reply = /^([1-6]\d\d)([ -])/.exec(line);
    if (reply) {
      out.push(field('FTP reply', line, `${reply[1]}${reply[2] === '-' ? ' (first line of a multi-line reply)' : ''}: ${replyCodeMeaning(Number(reply[1]))}`));
      continue;
    }
    const verb = /^[A-Za-z]{3,4}/.exec(line)?.[0];
    const def = verb ? lookupCommand(verb) : undefined;
    if (def) out.push(field('FTP command', line, `${def.name}: ${def.meaning}`));
    else if (/^\d{3}/.test(line)) out.push(field('FTP reply line', line, 'a line of a multi-line reply'));
  }
  return out;
}

// ---------------------------------------------------------------- the whole packet

function walkLayers(w: Walk): void {
  const { pkt } = w;
  let off = 0;
  for (let i = 0; i < pkt.numLayers && off >= 0; i++) {
    const layer = pkt.layers[i] as Layer;
    switch (layer) {
      case Layer.Eth: off = ethernet(w, off); break;
      case Layer.Vlan: off = vlan(w, off, '802.1Q virtual LAN'); break;
      case Layer.Qinq: off = vlan(w, off, '802.1ad service VLAN (Q-in-Q)'); break;
      case Layer.Llc: off = llc(w, off); break;
      case Layer.Sll: off = sll(w, off); break;
      case Layer.Sll2: off = sll2(w, off); break;
      case Layer.Null: off = loopback(w, off); break;
      case Layer.Raw: w.layers.push({ title: 'Raw IP (no link-layer header)', offset: 0, length: 0, fields: [] }); break;
      case Layer.Ipv4: off = ipv4(w, off); break;
      case Layer.Ipv6: off = ipv6(w, off); break;
      case Layer.Ip6HopOpts: case Layer.Ip6Route: case Layer.Ip6Frag: case Layer.Ip6DestOpts: off = ipv6Extension(w, off, layer); break;
      case Layer.Ah: off = opaque(w, off, layer, off + (w.b.has(off, 2) ? (w.b.u8(off + 1) + 2) * 4 : 0)) < 0 ? pkt.l4Offset : off; break;
      case Layer.Arp: off = arp(w, off, 'Address Resolution Protocol'); break;
      case Layer.Rarp: off = arp(w, off, 'Reverse ARP'); break;
      case Layer.Tcp: off = tcp(w, pkt.l4Offset || off); break;
      case Layer.Udp: off = udp(w, pkt.l4Offset || off); break;
      case Layer.Icmp: off = icmp(w, pkt.l4Offset || off, false); break;
      case Layer.Icmp6: off = icmp(w, pkt.l4Offset || off, true); break;
      default: off = opaque(w, off, layer, Math.min(w.datagramEnd, w.b.capLen));
    }
  }
  payloadLayer(w);
  const end = Math.min(w.datagramEnd, w.frame.wireLen);
  if (w.frame.linkType === 1 && end < w.b.capLen && w.layers.some((l) => l.title.startsWith('Internet Protocol') || l.title.includes('ARP') || l.title.startsWith('Address'))) {
    // as Wireshark: padding fills the frame up to Ethernet's 60-byte minimum, anything beyond is a trailer
    const padding = Math.min(w.b.capLen - end, Math.max(0, 60 - end));
    if (padding > 0) {
      w.layers.push({
        title: 'Ethernet padding', offset: end, length: padding,
        fields: [field('Bytes', padding, 'the frame was filled up to Ethernet\'s 60-byte minimum; they belong to no protocol', ['eth.padding', w.b.hexRun(end, padding)])],
      });
    }
    const trailer = w.b.capLen - end - padding;
    if (trailer > 0) {
      w.layers.push({
        title: 'Ethernet trailer', offset: end + padding, length: trailer,
        // no tshark pair: Wireshark guesses whether the last four bytes are a frame check sequence
        fields: [field('Bytes', trailer, 'bytes after the datagram that belong to no protocol (a frame check sequence, or what the sending card left there)')],
      });
    }
  }
}

function analysisFields(store: StoreView, row: number): DetailField[] {
  const out: DetailField[] = [];
  for (const column of store.packets.columns) {
    const def = column.def;
    if (!def.bits || !isFlagType(def.type)) continue;
    const value = store.packetBits(def.name, row);
    if (value === 0n) continue;
    const set = def.bits.filter((b) => (BigInt(b.value) & value) !== 0n && BigInt(b.value) !== 0n);
    out.push(field(def.name, formatHex(value, def.type), def.description.split('. ')[0],
      undefined, set.map((b) => field(b.name, formatHex(b.value, def.type), b.description))));
  }
  return out;
}

export class NoSuchPacket extends Error {}

/** The detail of packet `pktNo` (1-based) of a loaded capture. */
export function packetDetail(capture: LoadedCapture, pktNo: number): PacketDetail {
  const count = capture.packets.rowCount;
  if (!Number.isSafeInteger(pktNo) || pktNo < 1 || pktNo > count) {
    throw new NoSuchPacket(`there is no packet ${pktNo} (pktNo runs from 1 to ${count})`);
  }
  const row = pktNo - 1;
  const frame = capture.readFrame(row);
  const store = storeView(capture);
  const b = new Bytes(frame.bytes, Math.min(frame.capLen, frame.bytes.byteLength));
  const pkt = new DecodedPacket();
  decodePacket(frame.bytes, b.view, 0, frame.capLen, frame.wireLen, frame.linkType, pkt);
  const w: Walk = { b, frame, pkt, store, row, layers: [], datagramEnd: frame.wireLen };
  walkLayers(w);
  const flowInd = store.packetNum('flowInd', row);
  const dir = store.packet('dir', row);
  const heading = [
    `Packet ${pktNo} of ${capture.file}: ${frame.capLen} bytes captured of ${frame.wireLen} on the wire, at ${store.packetText('time', row)} (${new Date(frame.tsSec * 1000).toISOString().replace('.000Z', 'Z')})`,
    flowInd > 0
      ? `Flow ${flowInd}, direction ${dir}${dir === 'A' ? ' (the side that opened the connection)' : ' (the answering side)'}; ${store.packetNum('pktIAT', row).toFixed(6)} s after this direction's previous packet`
      : 'This packet belongs to no flow.',
    `Header stack: ${store.packetText('hdrDesc', row) || '(none)'}${pkt.error ? `; decoder: ${pkt.error}` : ''}`,
  ];
  return { pktNo, heading, layers: w.layers, analysis: analysisFields(store, row) };
}
