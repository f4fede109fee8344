/**
 * The "tcpdump view": one line per packet in the form `tcpdump -nn -tt -S -r FILE` prints it
 * (tcpdump 4.99, no -v, no -e), up to and including the `length N` of the transport summary, and
 * for DNS (UDP and TCP port 53, multicast DNS on 5353) the whole line with tcpdump's DNS summary
 * (tcpdumpDns.ts). tcpdump's other application decoders (FTP, DHCP, SIP, ...), which it appends
 * after `length N` or puts in place of `UDP, length N`, are not reproduced.
 *
 * Formatting works from the frame's own bytes, walking the headers the way tcpdump does, because
 * its output depends on details the flow decoder does not keep (option order, the quoted header
 * inside ICMP errors, tunnel layers). Output is not a hot path: strings are built per packet.
 */
import type { Frame, LoadedCapture } from '../store/load.ts';
import { DecodedPacket } from '../decode/packet.ts';
import { decodePacket } from '../decode/decode.ts';
import { formatIpv6, hex2, Truncated, Walk } from './tcpdumpWalk.ts';
import { domainPrint, tcpdumpDnsKind } from './tcpdumpDns.ts';

export { formatIpv6 } from './tcpdumpWalk.ts';

/** Fraction digits of plain `tcpdump -tt` (microseconds, even for nanosecond captures). */
export const TCPDUMP_TS_DIGITS = 6;

/**
 * The line tcpdump prints for this packet. `tsDigits` is how many fraction digits the time gets:
 * 6 (anything up to 6) as plain tcpdump, 9 (anything above 6) as `tcpdump --nano`; the fraction is
 * truncated, not rounded, as libpcap does. `pkt` is the flow decoder's result for the same frame;
 * the printers walk the frame's bytes themselves (they need more than the decoder keeps), so it
 * is not read today: it is part of the signature so that callers, which decode anyway, need not
 * change when a printer wants the decoder's view (e.g. application summaries at pkt.l7Offset).
 */
export function tcpdumpLine(frame: Frame, _pkt: DecodedPacket, tsDigits: number): string {
  const w = new Walk(frame);
  let body: string;
  try {
    body = linkPrint(w, frame);
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    body = w.out + ` [|${e.proto}]`;
  }
  return formatTime(frame.tsSec, frame.tsNsec, tsDigits) + ' ' + body;
}

/**
 * tcpdump lines for rows of a loaded capture's packets table (row = pktNo - 1), in the order
 * given. One DecodedPacket is reused for all of them.
 */
export function tcpdumpLines(
  capture: LoadedCapture, rows: Iterable<number>, tsDigits: number = TCPDUMP_TS_DIGITS,
): string[] {
  const pkt = new DecodedPacket();
  const lines: string[] = [];
  for (const row of rows) {
    const frame = capture.readFrame(row);
    const view = new DataView(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
    decodePacket(frame.bytes, view, 0, frame.capLen, frame.wireLen, frame.linkType, pkt);
    lines.push(tcpdumpLine(frame, pkt, tsDigits));
  }
  return lines;
}

export function formatTime(sec: number, nsec: number, tsDigits: number): string {
  if (tsDigits > 6) return `${sec}.${String(nsec).padStart(9, '0')}`;
  return `${sec}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`;
}

// ---------------------------------------------------------------- link layer

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_RARP = 0x8035;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_PPPOE_SESSION = 0x8864;
const ETHERTYPE_LLDP = 0x88cc;
const ETHERTYPE_EAPOL = 0x888e;
const EAPOL_TYPES = ['EAP packet', 'EAPOL start', 'EAPOL logoff', 'EAPOL key', 'Encapsulated ASF alert'];
const VLAN_TYPES = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);

const SLL_PACKET_TYPES = ['In', 'B', 'M', 'P', 'Out'];

function linkPrint(w: Walk, frame: Frame): string {
  const wire = frame.wireLen;
  switch (frame.linkType) {
    case 1: { // Ethernet: tcpdump without -e prints neither the MACs nor VLAN tags
      if (!w.has(0, 14)) { w.out += '[|ether]'; return w.out; }
      let off = 12;
      let type = w.u16(off, 'ether');
      // tcpdump follows every tag; it only prints them with -e
      while (VLAN_TYPES.has(type) && w.has(off + 4, 2)) {
        off += 4;
        type = w.u16(off, 'vlan');
      }
      off += 2;
      if (type <= 1500) {
        // 802.3: the type field is the LLC frame's length
        if (w.has(off, 3) && w.bytes[off] === 0x42 && w.bytes[off + 1] === 0x42 && w.bytes[off + 2] === 0x03) {
          if (off + type < w.end) w.end = off + type;
          return stpPrint(w, off + 3, type - 3);
        }
        return unknownEthernet(w, off, wire - off, type, true);
      }
      return etherTypePrint(w, type, off, wire - off) ?? unknownEthernet(w, off, wire - off, type, false);
    }
    case 113: { // Linux cooked v1: no prefix without -e
      if (!w.has(0, 16)) { w.out += '[|sll]'; return w.out; }
      const type = w.u16(14, 'sll');
      return etherTypePrint(w, type, 16, wire - 16) ?? (w.out += `ethertype 0x${type.toString(16).padStart(4, '0')}, length ${wire - 16}`);
    }
    case 276: { // Linux cooked v2: interface and direction first; the index stands in for the name
      if (!w.has(0, 20)) { w.out += '[|sll2]'; return w.out; }
      const type = w.u16(0, 'sll2');
      const ifIndex = w.u32(4, 'sll2');
      const dir = SLL_PACKET_TYPES[w.u8(10, 'sll2')] ?? '?';
      w.out += `${String(ifIndex).padEnd(5)} ${dir.padEnd(3)} `;
      return etherTypePrint(w, type, 20, wire - 20) ?? (w.out += `ethertype 0x${type.toString(16).padStart(4, '0')}, length ${wire - 20}`);
    }
    case 0: case 108: { // BSD loopback: address family in host (0) or network (108) order
      if (!w.has(0, 4)) { w.out += '[|null]'; return w.out; }
      let family = w.view.getUint32(0, frame.linkType === 0);
      if (frame.linkType === 0 && (family & 0xffff0000) !== 0) family = w.view.getUint32(0, false);
      if (family === 2) return ipPrint(w, 4, wire - 4);
      if (family === 24 || family === 28 || family === 30) return ip6Print(w, 4, wire - 4);
      w.out += `AF Unknown (${family}), length ${wire}: `; // tcpdump follows with a hex dump
      return w.out;
    }
    case 12: case 14: case 101: {
      const version = w.has(0, 1) ? w.view.getUint8(0) >> 4 : 0;
      if (version === 6) return ip6Print(w, 0, wire);
      return ipPrint(w, 0, wire);
    }
    case 228: return ipPrint(w, 0, wire);
    case 229: return ip6Print(w, 0, wire);
    default:
      w.out += `link-type ${frame.linkType}, length ${wire}`;
      return w.out;
  }
}

/** Network protocols by EtherType; undefined when not covered here. */
function etherTypePrint(w: Walk, type: number, off: number, length: number): string | undefined {
  switch (type) {
    case ETHERTYPE_IPV4: return ipPrint(w, off, length);
    case ETHERTYPE_IPV6: return ip6Print(w, off, length);
    case ETHERTYPE_ARP: case ETHERTYPE_RARP: return arpPrint(w, off, length);
    case ETHERTYPE_PPPOE_SESSION: return pppoePrint(w, off, length);
    case ETHERTYPE_LLDP: w.out += `LLDP, length ${length}`; return w.out;
    case ETHERTYPE_EAPOL: {
      const version = w.u8(off, 'eap'), type = w.u8(off + 1, 'eap');
      w.out += `${EAPOL_TYPES[type] ?? 'unknown'} (${type}) v${version}, len ${w.u16(off + 2, 'eap')}`;
      return w.out;
    }
    default: return undefined;
  }
}

/** Not decoded: the Ethernet addresses and the type or 802.3 length, as tcpdump starts such lines. */
function unknownEthernet(w: Walk, off: number, length: number, type: number, is8023: boolean): string {
  w.out += `${w.mac(6, 6, 'ether')} > ${w.mac(0, 6, 'ether')}`;
  if (is8023) w.out += `, 802.3, length ${length}`;
  else w.out += `, ethertype Unknown (0x${type.toString(16).padStart(4, '0')}), length ${length + off}`;
  return w.out;
}

/** PPPoE session stage: the session id, then the PPP frame (IPv4 and IPv6 decoded). */
function pppoePrint(w: Walk, off: number, length: number): string {
  w.out += 'PPPoE ';
  w.need(off, 6, 'pppoe');
  const code = w.view.getUint8(off + 1);
  if (code !== 0) {
    w.out += `[code 0x${code.toString(16)}], length ${length}`;
    return w.out;
  }
  const session = w.view.getUint16(off + 2);
  let pppLen = w.view.getUint16(off + 4);
  w.out += ` [ses 0x${session.toString(16)}] `;
  if (pppLen > length - 6) pppLen = length - 6;
  return pppPrint(w, off + 6, pppLen);
}

/** A PPP frame without -e: optional address/control bytes, the protocol, then its payload. */
function pppPrint(w: Walk, off: number, length: number): string {
  if (w.u8(off, 'ppp') === 0xff && w.u8(off + 1, 'ppp') === 0x03) { off += 2; length -= 2; }
  let proto = w.u8(off, 'ppp');
  if (proto % 2 === 0) { proto = w.u16(off, 'ppp'); off += 2; length -= 2; } else { off += 1; length -= 1; }
  if (proto === 0x21) return ipPrint(w, off, length);
  if (proto === 0x57) return ip6Print(w, off, length);
  w.out += `PPP-0x${proto.toString(16)}, length ${length}`;
  return w.out;
}

const STP_BPDU_TYPES: Record<number, string> = { 0x00: 'Config', 0x02: 'Rapid STP', 0x80: 'Topology Change' };
const STP_FLAGS: readonly [number, string][] = [
  [0x01, 'Topology change'], [0x02, 'Proposal'], [0x10, 'Learn'], [0x20, 'Forward'], [0x40, 'Agreement'],
  [0x80, 'Topology change ACK'],
];

/** Spanning-tree BPDUs (LLC SAP 0x42): version, type and, for configuration BPDUs, the bridge. */
function stpPrint(w: Walk, off: number, length: number): string {
  if (length < 4) { w.out += '[|stp]'; return w.out; }
  if (w.u16(off, 'stp') !== 0) { w.out += `unknown STP version, length ${length}`; return w.out; }
  const version = w.u8(off + 2, 'stp');
  const versionName = version === 0 ? '802.1d' : version === 2 ? '802.1w' : version === 3 ? '802.1s' : undefined;
  if (versionName === undefined) { w.out += `STP Unknown STP protocol (0x${hex2(version)})`; return w.out; }
  const type = w.u8(off + 3, 'stp');
  w.out += `STP ${versionName}, ${STP_BPDU_TYPES[type] ?? `Unknown BPDU Type (0x${hex2(type)})`}`;
  if (type !== 0) return w.out; // RSTP/MSTP details are not reproduced
  if (length < 34) { w.out += ' (invalid)'; return w.out; }
  const flags = w.u8(off + 4, 'stp');
  const names = STP_FLAGS.filter(([bit]) => flags & bit).map(([, name]) => name);
  w.need(off + 17, 10, 'stp');
  const b = w.bytes;
  const bridge = `${hex2(b[off + 17]!)}${hex2(b[off + 18]!)}.${w.mac(off + 19, 6, 'stp')}`;
  w.out += `, Flags [${names.length ? names.join(', ') : 'none'}], bridge-id ${bridge}.${w.u16(off + 25, 'stp').toString(16).padStart(4, '0')}, length ${length}`;
  return w.out;
}

// ---------------------------------------------------------------- ARP

const ARP_OPS: Record<number, string> = {
  1: 'Request', 2: 'Reply', 3: 'Reverse Request', 4: 'Reverse Reply',
  8: 'Inverse Request', 9: 'Inverse Reply', 10: 'NACK Reply',
};

const ARP_HARDWARE: Record<number, string> = {
  1: 'Ethernet', 6: 'TokenRing', 15: 'FrameRelay', 16: 'ATM', 23: 'Strip', 24: 'IEEE 1394', 32: 'InfiniBand',
};

function arpPrint(w: Walk, off: number, length: number): string {
  // tcpdump checks the whole fixed part before printing anything
  if (!w.has(off, 8)) throw new Truncated('arp');
  const hrd = w.u16(off, 'arp');
  const pro = w.u16(off + 2, 'arp');
  const hln = w.u8(off + 4, 'arp');
  const pln = w.u8(off + 5, 'arp');
  const op = w.u16(off + 6, 'arp');
  if (!w.has(off + 8, 2 * hln + 2 * pln)) throw new Truncated('arp');
  w.out += 'ARP, '; // RARP too
  const sha = off + 8, spa = sha + hln, tha = spa + pln, tpa = tha + hln;
  if ((pro !== ETHERTYPE_IPV4 && pro !== 0x1000) || pln !== 4 || hln === 0 || hrd === 15) {
    const proName = pro === ETHERTYPE_IPV4 ? 'IPv4' : pro === ETHERTYPE_IPV6 ? 'IPv6' : `Unknown Protocol (0x${pro.toString(16).padStart(4, '0')})`;
    w.out += `${ARP_HARDWARE[hrd] ?? `Unknown Hardware (${hrd})`} (len ${hln}), ${proName} (len ${pln}), length ${length}`;
    return w.out;
  }
  const opName = ARP_OPS[op];
  if (opName === undefined || op === 10) {
    w.out += `${opName ?? `Unknown (${op})`} `; // tcpdump follows with a hex dump, no length
    return w.out;
  }
  w.out += opName + ' ';
  switch (op) {
    case 1: {
      w.out += 'who-has ' + w.ipv4(tpa, 'arp');
      let nonzero = false;
      for (let i = 0; i < hln; i++) if (w.bytes[tha + i] !== 0) nonzero = true;
      if (nonzero) w.out += ` (${w.mac(tha, hln, 'arp')})`;
      w.out += ' tell ' + w.ipv4(spa, 'arp');
      break;
    }
    case 2: w.out += `${w.ipv4(spa, 'arp')} is-at ${w.mac(sha, hln, 'arp')}`; break;
    case 3: w.out += `who-is ${w.mac(tha, hln, 'arp')} tell ${w.mac(sha, hln, 'arp')}`; break;
    case 4: w.out += `${w.mac(tha, hln, 'arp')} at ${w.ipv4(tpa, 'arp')}`; break;
    case 8: w.out += `who-is ${w.mac(tha, hln, 'arp')} tell ${w.mac(sha, hln, 'arp')}`; break;
    case 9: w.out += `${w.mac(sha, hln, 'arp')} at ${w.ipv4(spa, 'arp')}`; break;
    default: break;
  }
  w.out += `, length ${length}`;
  return w.out;
}

// ---------------------------------------------------------------- IP

const IPPROTO_HOPOPTS = 0, IPPROTO_ICMP = 1, IPPROTO_IGMP = 2, IPPROTO_IPIP = 4, IPPROTO_TCP = 6;
const IPPROTO_UDP = 17, IPPROTO_IPV6 = 41, IPPROTO_ROUTING = 43, IPPROTO_FRAGMENT = 44;
const IPPROTO_GRE = 47, IPPROTO_ESP = 50, IPPROTO_AH = 51, IPPROTO_ICMPV6 = 58;
const IPPROTO_OSPF = 89, IPPROTO_PIM = 103, IPPROTO_VRRP = 112, IPPROTO_PGM = 113, IPPROTO_NONE = 59, IPPROTO_DSTOPTS = 60, IPPROTO_SCTP = 132, IPPROTO_DCCP = 33;

/** Who printed the addresses: transport printers add ports only if the IP header names them. */
interface IpContext {
  version: 4 | 6;
  /** offsets of the source and destination addresses */
  src: number;
  dst: number;
  /** the protocol field of the fixed IP header (tcpdump compares it, not the resolved one) */
  headerProto: number;
  /** TTL or hop limit (VRRP notes one that is not 255) */
  ttl: number;
}

function addrs(w: Walk, ip: IpContext): [string, string] {
  return ip.version === 4
    ? [w.ipv4(ip.src, 'ip'), w.ipv4(ip.dst, 'ip')]
    : [w.ipv6(ip.src, 'ip6'), w.ipv6(ip.dst, 'ip6')];
}

/** IPv4 at `off`; `length` is the wire length from here on. */
function ipPrint(w: Walk, off: number, length: number): string {
  w.out += 'IP';
  if (!w.has(off, 1)) throw new Truncated('ip');
  const version = w.view.getUint8(off) >> 4;
  if (version !== 4) {
    w.out += version === 6 ? '6, wrong link-layer encapsulation (invalid)' : `${version} (invalid)`;
    return w.out;
  }
  w.out += ' ';
  if (!w.has(off, 20)) throw new Truncated('ip');
  if (length < 20) {
    w.out += `truncated-ip ${length}`;
    return w.out;
  }
  const hlen = (w.view.getUint8(off) & 15) * 4;
  if (hlen < 20) {
    w.out += `bad-hlen ${hlen}`;
    return w.out;
  }
  let len = w.u16(off + 2, 'ip');
  // tcpdump notes a datagram longer than the frame but keeps its length for what follows
  if (len > length) w.out += `truncated-ip - ${len - length} bytes missing! `;
  if (len < hlen) {
    w.out += `bad-len ${len}`;
    return w.out;
  }
  // the datagram ends here: nothing beyond it (padding) is read
  if (off + len < w.end) w.end = off + len;
  len -= hlen;
  const fragOff = w.u16(off + 6, 'ip');
  const proto = w.u8(off + 9, 'ip');
  const ip: IpContext = { version: 4, src: off + 12, dst: off + 16, headerProto: proto, ttl: w.u8(off + 8, 'ip') };
  if ((fragOff & 0x1fff) !== 0) {
    const [s, d] = addrs(w, ip);
    w.out += `${s} > ${d}: ip-proto-${proto}`;
    return w.out;
  }
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP && proto !== IPPROTO_SCTP && proto !== IPPROTO_DCCP) {
    // PGM prints the addresses twice: here and with its ports
    const [s, d] = addrs(w, ip);
    w.out += `${s} > ${d}: `;
  }
  return demux(w, ip, proto, off + hlen, len, (fragOff & 0x2000) !== 0);
}

function ip6Print(w: Walk, off: number, length: number): string {
  // tcpdump checks the fixed header is captured before it prints anything
  if (!w.has(off, 40)) throw new Truncated('ip6');
  w.out += 'IP6 ';
  if (length < 40) {
    w.out += `truncated-ip6 ${length}`;
    return w.out;
  }
  const version = w.view.getUint8(off) >> 4;
  if (version !== 6) {
    w.out += `version error: ${version} != 6`;
    return w.out;
  }
  const payloadLen = w.u16(off + 4, 'ip6');
  // a zero payload length (jumbogram without its option here) leaves only the header, as in tcpdump
  let len = payloadLen + 40;
  if (len > length) {
    w.out += `truncated-ip6 - ${len - length} bytes missing!`;
    len = length;
  }
  if (off + len < w.end) w.end = off + len;
  const ip: IpContext = {
    version: 6, src: off + 8, dst: off + 24, headerProto: w.view.getUint8(off + 6), ttl: w.view.getUint8(off + 7),
  };
  let nh = ip.headerProto;
  let pos = off + 40;
  len -= 40;
  let fragmented = false;
  if (nh !== IPPROTO_TCP && nh !== IPPROTO_UDP && nh !== IPPROTO_DCCP && nh !== IPPROTO_SCTP) {
    const [s, d] = addrs(w, ip);
    w.out += `${s} > ${d}: `;
  }
  for (;;) {
    switch (nh) {
      case IPPROTO_HOPOPTS: case IPPROTO_DSTOPTS: {
        const next = w.u8(pos, 'ip6');
        const size = (w.u8(pos + 1, 'ip6') + 1) * 8;
        w.need(pos, size, nh === IPPROTO_HOPOPTS ? 'hbhopt' : 'dstopt');
        w.out += nh === IPPROTO_HOPOPTS ? 'HBH ' : 'DSTOPT ';
        nh = next; pos += size; len -= size;
        continue;
      }
      case IPPROTO_ROUTING: {
        const next = w.u8(pos, 'ip6');
        const size = (w.u8(pos + 1, 'ip6') + 1) * 8;
        w.out += `srcrt (len=${w.u8(pos + 1, 'srcrt')}, type=${w.u8(pos + 2, 'srcrt')}, segleft=${w.u8(pos + 3, 'srcrt')}) `;
        nh = next; pos += size; len -= size;
        continue;
      }
      case IPPROTO_FRAGMENT: {
        const next = w.u8(pos, 'frag');
        const offFlags = w.u16(pos + 2, 'frag');
        w.need(pos, 8, 'frag');
        const fragOffset = offFlags & 0xfff8;
        w.out += `frag (${fragOffset}|${len - 8})`;
        if (fragOffset !== 0) return w.out;
        w.out += ' ';
        fragmented = true;
        nh = next; pos += 8; len -= 8;
        continue;
      }
      case IPPROTO_NONE:
        w.out += 'no next header';
        return w.out;
      default:
        return demux(w, ip, nh, pos, len, fragmented);
    }
  }
}

/** The protocol after the IP header(s), `length` bytes of it on the wire. */
function demux(w: Walk, ip: IpContext, proto: number, off: number, length: number, fragmented: boolean): string {
  switch (proto) {
    case IPPROTO_TCP: tcpPrint(w, ip, off, length); return w.out;
    case IPPROTO_UDP: udpPrint(w, ip, off, length, fragmented); return w.out;
    case IPPROTO_ICMP:
      if (ip.version === 4) icmpPrint(w, off, length);
      else w.out += '[ICMP requires IPv4]';
      return w.out;
    case IPPROTO_ICMPV6:
      if (ip.version === 6) icmp6Print(w, off, length);
      else w.out += '[ICMP6 requires IPv6]';
      return w.out;
    case IPPROTO_IPIP: return ipPrint(w, off, length);
    case IPPROTO_IPV6: return ip6Print(w, off, length);
    case IPPROTO_ESP:
      w.out += `ESP(spi=0x${hex8(w.u32(off, 'esp'))},seq=0x${w.u32(off + 4, 'esp').toString(16)}), length ${length}`;
      return w.out;
    case IPPROTO_AH: {
      const next = w.u8(off, 'ah');
      const size = (w.u8(off + 1, 'ah') + 2) * 4;
      w.need(off, size, 'ah');
      let icv = '';
      for (let i = off + 12; i < off + size; i++) icv += hex2(w.bytes[i]!);
      w.out += `AH(spi=0x${hex8(w.u32(off + 4, 'ah'))},seq=0x${w.u32(off + 8, 'ah').toString(16)}${icv ? ',icv=0x' + icv : ''}): `;
      return demux(w, ip, next, off + size, length - size, fragmented);
    }
    case IPPROTO_IGMP: igmpPrint(w, off, length); return w.out;
    case IPPROTO_SCTP: case IPPROTO_DCCP: {
      // these print the addresses with their ports (ip/ip6 left them out); chunk and packet
      // details that tcpdump adds after `sctp` / `DCCP` are not reproduced
      const what = proto === IPPROTO_SCTP ? 'sctp' : 'DCCP';
      if (!w.has(off, 4)) {
        const [s, d] = addrs(w, ip);
        w.out += `${s} > ${d}:`;
        throw new Truncated(what.toLowerCase());
      }
      portsPrint(w, ip, proto, w.view.getUint16(off), w.view.getUint16(off + 2));
      w.out += what;
      return w.out;
    }
    case IPPROTO_PGM: {
      portsPrint(w, ip, IPPROTO_PGM, w.u16(off, 'pgm'), w.u16(off + 2, 'pgm'));
      w.need(off, 16, 'pgm');
      w.out += `PGM, length ${w.view.getUint16(off + 14)}`;
      return w.out;
    }
    case IPPROTO_GRE: return grePrint(w, off, length);
    case IPPROTO_VRRP: vrrpPrint(w, off, length, ip); return w.out;
    case IPPROTO_OSPF: {
      const type = w.u8(off + 1, 'ospf');
      w.out += `OSPFv${w.u8(off, 'ospf')}, ${OSPF_TYPES[type] ?? `unknown packet type (${type})`}, length ${length}`;
      return w.out;
    }
    case IPPROTO_PIM: {
      const versType = w.u8(off, 'pim');
      if (versType >> 4 !== 2) { w.out += `PIMv${versType >> 4}, length ${length}`; return w.out; }
      w.out += `PIMv2, ${PIM_TYPES[versType & 15] ?? 'Unknown Type'}, length ${length}`;
      return w.out;
    }
    default:
      w.out += ` ip-proto-${proto} ${length}`;
      return w.out;
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** `addr.port > addr.port: `, or just the ports when the fixed IP header names another protocol. */
function portsPrint(w: Walk, ip: IpContext, proto: number, sport: number, dport: number): void {
  if (ip.headerProto === proto) {
    const [s, d] = addrs(w, ip);
    w.out += `${s}.${sport} > ${d}.${dport}: `;
  } else {
    w.out += `${sport} > ${dport}: `;
  }
}

const OSPF_TYPES: Record<number, string> = {
  1: 'Hello', 2: 'Database Description', 3: 'LS-Request', 4: 'LS-Update', 5: 'LS-Ack',
};

const PIM_TYPES: Record<number, string> = {
  0: 'Hello', 1: 'Register', 2: 'Register Stop', 3: 'Join / Prune', 4: 'Bootstrap', 5: 'Assert',
  6: 'Graft', 7: 'Graft Acknowledgement', 8: 'Candidate RP Advertisement', 9: 'Prune Refresh',
  10: 'DF Election', 11: 'ECMP Redirect',
};

const GRE_CP = 0x8000, GRE_RP = 0x4000, GRE_KP = 0x2000, GRE_SP = 0x1000, GRE_AP = 0x0080;

/** GRE version 0 (IPv4/IPv6 inside) and 1 (PPTP's enhanced GRE carrying PPP). */
function grePrint(w: Walk, off: number, length: number): string {
  const flags = w.u16(off, 'gre');
  const version = flags & 7;
  w.out += `GREv${version}`;
  if (version > 1) {
    w.out += ' ERROR: unknown-version';
    return w.out;
  }
  const proto = w.u16(off + 2, 'gre');
  let pos = off + 4;
  if (version === 0) {
    if (flags & (GRE_CP | GRE_RP)) { w.out += `, off 0x${w.u16(pos + 2, 'gre').toString(16)}`; pos += 4; }
    if (flags & GRE_KP) { w.out += `, key=0x${w.u32(pos, 'gre').toString(16)}`; pos += 4; }
    if (flags & GRE_SP) { w.out += `, seq ${w.u32(pos, 'gre')}`; pos += 4; }
    if (flags & GRE_RP) return w.out; // source routing entries: not followed here
    w.out += `, length ${length}: `;
    const inner = length - (pos - off);
    if (proto === ETHERTYPE_IPV4) return ipPrint(w, pos, inner);
    if (proto === ETHERTYPE_IPV6) return ip6Print(w, pos, inner);
    w.out += `gre-proto-0x${proto.toString(16)}`;
    return w.out;
  }
  if (flags & GRE_KP) { w.out += `, call ${w.u32(pos, 'gre') & 0xffff}`; pos += 4; }
  if (flags & GRE_SP) { w.out += `, seq ${w.u32(pos, 'gre')}`; pos += 4; }
  if (flags & GRE_AP) { w.out += `, ack ${w.u32(pos, 'gre')}`; pos += 4; }
  if ((flags & GRE_SP) === 0) w.out += ', no-payload';
  w.out += `, length ${length}`;
  if ((flags & GRE_SP) === 0) return w.out;
  w.out += ': ';
  if (proto === 0x880b) return pppPrint(w, pos, length - (pos - off));
  w.out += `gre-proto-0x${proto.toString(16)}`;
  return w.out;
}

function vrrpPrint(w: Walk, off: number, length: number, ip: IpContext): void {
  const versType = w.u8(off, 'vrrp');
  const version = versType >> 4, type = versType & 15;
  w.out += `VRRPv${version}, ${type === 1 ? 'Advertisement' : `unknown type (${type})`}`;
  if (ip.ttl !== 255) w.out += `, (ttl ${ip.ttl})`;
  if (version < 2 || version > 3 || type !== 1) return;
  w.out += `, vrid ${w.u8(off + 1, 'vrrp')}, prio ${w.u8(off + 2, 'vrrp')}`;
  if (version === 2) {
    const auth = w.u8(off + 4, 'vrrp');
    w.out += `, authtype ${auth === 0 ? 'none' : auth === 1 ? 'simple' : auth === 2 ? 'ah' : '(null)'}`;
    w.out += `, intvl ${w.u8(off + 5, 'vrrp')}s, length ${length}`;
  } else {
    w.out += `, intvl ${((w.u8(off + 4, 'vrrp') & 15) << 8) | w.u8(off + 5, 'vrrp')}cs, length ${length}`;
  }
}

// ---------------------------------------------------------------- TCP

const TCP_FLAG_LETTERS: readonly [number, string][] = [
  [0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W'],
];

const TCP_OPTION_NAMES: Record<number, string> = {
  0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 6: 'echo', 7: 'echoreply',
  8: 'TS', 11: 'cc', 12: 'ccnew', 13: 'ccecho', 19: 'md5', 20: 'scps', 28: 'uto', 29: 'tcp-ao',
  30: 'mptcp', 34: 'tfo', 254: 'exp',
};

export function tcpFlagsText(flags: number): string {
  let s = '';
  for (const [bit, letter] of TCP_FLAG_LETTERS) if (flags & bit) s += letter;
  return s === '' ? 'none' : s;
}

function tcpPrint(w: Walk, ip: IpContext, off: number, length: number): void {
  if (!w.has(off, 4)) {
    const [s, d] = addrs(w, ip);
    w.out += `${s} > ${d}:`;
    throw new Truncated('tcp');
  }
  portsPrint(w, ip, IPPROTO_TCP, w.u16(off, 'tcp'), w.u16(off + 2, 'tcp'));
  w.need(off, 20, 'tcp');
  let hlen = (w.view.getUint8(off + 12) >> 4) * 4;
  const hlenTotal = hlen;
  if (hlen < 20) {
    w.out += ` tcp ${length - hlen} [bad hdr length ${hlen} - too short, < 20]`;
    return;
  }
  const seq = w.view.getUint32(off + 4);
  const ack = w.view.getUint32(off + 8);
  const flags = w.view.getUint8(off + 13);
  const win = w.view.getUint16(off + 14);
  const urp = w.view.getUint16(off + 18);
  w.out += `Flags [${tcpFlagsText(flags)}]`;
  if (hlen > length) {
    w.out += ` [bad hdr length ${hlen} - too long, > ${length}]`;
    return;
  }
  const dataLen = length - hlen;
  if (dataLen > 0 || (flags & 0x07) !== 0) {
    w.out += `, seq ${seq}`;
    if (dataLen > 0) w.out += `:${(seq + dataLen) >>> 0}`;
  }
  if (flags & 0x10) w.out += `, ack ${ack}`;
  w.out += `, win ${win}`;
  if (flags & 0x20) w.out += `, urg ${urp}`;
  if (hlen > 20) {
    w.out += ', options [';
    let cp = off + 20;
    hlen -= 20;
    let first = true;
    while (hlen > 0) {
      if (!first) w.out += ',';
      const opt = w.u8(cp, 'tcp');
      cp++;
      let len: number;
      if (opt === 0 || opt === 1) len = 1;
      else {
        len = w.u8(cp, 'tcp');
        cp++;
        if (len < 2 || len > hlen) { w.out += first ? '[bad opt]' : '[bad opt]]'; return; }
        hlen--;
      }
      hlen--;
      let datalen = 0;
      w.out += TCP_OPTION_NAMES[opt] ?? `unknown-${opt}`;
      const lenCheck = (l: number): boolean => {
        if (l > hlen) { w.out += first ? '[bad opt]' : '[bad opt]]'; return false; }
        w.need(cp, l, 'tcp');
        return true;
      };
      switch (opt) {
        case 2: datalen = 2; if (!lenCheck(2)) return; w.out += ` ${w.view.getUint16(cp)}`; break;
        case 3: datalen = 1; if (!lenCheck(1)) return; w.out += ` ${w.view.getUint8(cp)}`; break;
        case 5:
          datalen = len - 2;
          if (datalen % 8 !== 0) w.out += ' invalid sack';
          else {
            w.out += ` ${datalen / 8} `;
            for (let i = 0; i < datalen; i += 8) {
              if (!lenCheck(i + 8)) return;
              w.out += `{${w.view.getUint32(cp + i)}:${w.view.getUint32(cp + i + 4)}}`;
            }
          }
          break;
        case 6: case 7: case 11: case 12: case 13:
          datalen = 4; if (!lenCheck(4)) return; w.out += ` ${w.view.getUint32(cp)}`; break;
        case 8:
          datalen = 8; if (!lenCheck(8)) return;
          w.out += ` val ${w.view.getUint32(cp)} ecr ${w.view.getUint32(cp + 4)}`;
          break;
        case 0: case 1: case 4: break;
        case 19: // tcpdump built with libcrypto, run without -M
          datalen = 16; if (!lenCheck(16)) return;
          w.out += " shared secret not supplied with -M, can't check - " + hexBytes(w, cp, 16);
          break;
        case 20:
          datalen = 2; if (!lenCheck(2)) return;
          w.out += ` cap ${hex2(w.bytes[cp]!)} id ${w.bytes[cp + 1]}`;
          break;
        case 28: {
          datalen = 2; if (!lenCheck(2)) return;
          const uto = w.view.getUint16(cp);
          w.out += ` 0x${uto.toString(16)} ${uto & 1 ? (uto >> 1) * 60 : uto >> 1}`;
          break;
        }
        case 29:
          datalen = len - 2; if (!lenCheck(datalen)) return;
          if (datalen < 2) w.out += ' invalid';
          else {
            w.out += ` keyid ${w.bytes[cp]} rnextkeyid ${w.bytes[cp + 1]}`;
            if (datalen > 2) w.out += ' mac 0x' + hexBytes(w, cp + 2, datalen - 2);
          }
          break;
        case 34:
          datalen = len - 2; if (!lenCheck(datalen)) return;
          w.out += ' ' + fastOpen(w, cp, datalen);
          break;
        case 254: case 253:
          datalen = len - 2; if (!lenCheck(datalen)) return;
          if (datalen < 2) { w.out += first ? '[bad opt]' : '[bad opt]]'; return; }
          if (w.view.getUint16(cp) === 0xf989) w.out += '-tfo' + fastOpen(w, cp + 2, datalen - 2);
          else w.out += '-' + w.view.getUint16(cp).toString(16).padStart(4, '0');
          break;
        case 30: // MPTCP: subtype details are not reproduced
          datalen = len - 2; if (!lenCheck(datalen)) return;
          w.out += ` 0x${hexBytes(w, cp, datalen)}`;
          break;
        default:
          datalen = len - 2;
          if (!lenCheck(datalen)) return;
          if (datalen > 0) {
            w.out += ' 0x';
            for (let i = 0; i < datalen; i++) w.out += hex2(w.bytes[cp + i]!);
          }
      }
      cp += datalen;
      hlen -= datalen;
      datalen += opt === 0 || opt === 1 ? 1 : 2;
      if (datalen !== len) w.out += `[len ${len}]`;
      first = false;
      if (opt === 0) break;
    }
    w.out += ']';
  }
  w.out += `, length ${dataLen}`;
  if (dataLen > 0 && tcpdumpDnsKind(IPPROTO_TCP, w.view.getUint16(off), w.view.getUint16(off + 2)) === 'dns') {
    domainPrint(w, off + hlenTotal, dataLen, true, false);
  }
}

function hexBytes(w: Walk, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += hex2(w.bytes[off + i]!);
  return s;
}

/** TCP Fast Open cookie (or cookie request) as tcpdump words it. */
function fastOpen(w: Walk, off: number, len: number): string {
  if (len === 0) return ' cookiereq';
  if (len % 2 !== 0 || len < 4 || len > 16) return ' (invalid)';
  return ' cookie ' + hexBytes(w, off, len);
}

// ---------------------------------------------------------------- UDP

function udpPrint(w: Walk, ip: IpContext, off: number, length: number, fragmented: boolean): void {
  if (!w.has(off, 4)) {
    const [s, d] = addrs(w, ip);
    w.out += `${s} > ${d}: `;
    throw new Truncated('udp');
  }
  const sport = w.view.getUint16(off), dport = w.view.getUint16(off + 2);
  if (length < 8) {
    portsPrint(w, ip, IPPROTO_UDP, sport, dport);
    w.out += `truncated-udp ${length}`;
    return;
  }
  if (!w.has(off, 6)) {
    portsPrint(w, ip, IPPROTO_UDP, sport, dport);
    throw new Truncated('udp');
  }
  let ulen = w.view.getUint16(off + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    portsPrint(w, ip, IPPROTO_UDP, sport, dport);
    w.out += `truncated-udplength ${ulen}`;
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  portsPrint(w, ip, IPPROTO_UDP, sport, dport);
  const dns = tcpdumpDnsKind(IPPROTO_UDP, sport, dport);
  if (dns !== undefined) {
    domainPrint(w, off + 8, length, false, dns === 'mdns');
    return;
  }
  if (ulen > length && !fragmented) w.out += `UDP, bad length ${ulen} > ${length}`;
  else w.out += `UDP, length ${ulen}`;
}

// ---------------------------------------------------------------- IGMP

function igmpPrint(w: Walk, off: number, len: number): void {
  const type = w.u8(off, 'igmp');
  switch (type) {
    case 0x11: {
      w.out += 'igmp query';
      const mrc = w.u8(off + 1, 'igmp');
      if (len >= 12) {
        w.out += ' v3';
        if (len & 3) { w.out += ' (invalid)'; return; }
        const mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
        if (mrc !== 100) w.out += ` [max resp time ${mrt < 600 ? (mrt / 10).toFixed(1) + 's' : Math.floor(mrt / 10) + 's'}]`;
        if (w.u32(off + 4, 'igmp') === 0) return;
        w.out += ` [gaddr ${w.ipv4(off + 4, 'igmp')}`;
        const nsrcs = w.u16(off + 10, 'igmp');
        if (nsrcs > 0) w.out += `, ${nsrcs} source(s)`;
        w.out += ']';
      } else {
        w.out += mrc === 0 ? ' v1' : ' v2';
        if (mrc !== 100 && mrc !== 0) w.out += ` [max resp time ${mrc}]`;
        if (w.u32(off + 4, 'igmp') !== 0) w.out += ` [gaddr ${w.ipv4(off + 4, 'igmp')}]`;
        if (len !== 8) w.out += ` [len ${len}]`;
      }
      return;
    }
    case 0x12: case 0x16: case 0x17:
      w.out += `igmp ${type === 0x12 ? 'v1 report' : type === 0x16 ? 'v2 report' : 'leave'} ${w.ipv4(off + 4, 'igmp')}`;
      if (len !== 8) w.out += ` [len ${len}]`;
      return;
    case 0x22:
      w.out += 'igmp v3 report';
      if (len < 8) { w.out += ' (invalid)'; return; }
      w.out += `, ${w.u16(off + 6, 'igmp')} group record(s)`;
      return;
    default:
      w.out += `igmp-${type}`;
  }
}

// ---------------------------------------------------------------- ICMP

const ICMP_NAMES: Record<number, string> = {
  0: 'echo reply', 4: 'source quench', 8: 'echo request', 10: 'router solicitation',
  13: 'time stamp request', 14: 'time stamp reply', 15: 'information request',
  16: 'information reply', 17: 'address mask request',
};

const UNREACH_FORMATS: Record<number, string> = {
  5: '%s unreachable - source route failed',
  6: 'net %s unreachable - unknown', 7: 'host %s unreachable - unknown',
  8: '%s unreachable - source host isolated', 9: 'net %s unreachable - admin prohibited',
  10: 'host %s unreachable - admin prohibited', 11: 'net %s unreachable - tos prohibited',
  12: 'host %s unreachable - tos prohibited', 13: 'host %s unreachable - admin prohibited filter',
  14: 'host %s unreachable - host precedence violation', 15: 'host %s unreachable - precedence cutoff',
};

const REDIRECT_FORMATS: Record<number, string> = {
  0: 'redirect %s to net %s', 1: 'redirect %s to host %s',
  2: 'redirect-tos %s to net %s', 3: 'redirect-tos %s to host %s',
};

function icmpPrint(w: Walk, off: number, length: number): void {
  const type = w.u8(off, 'icmp');
  const code = w.u8(off + 1, 'icmp');
  let text: string;
  const quoted = off + 8; // the IP header an error message quotes
  switch (type) {
    case 0: case 8:
      text = `echo ${type === 8 ? 'request' : 'reply'}, id ${w.u16(off + 4, 'icmp')}, seq ${w.u16(off + 6, 'icmp')}`;
      break;
    case 3:
      switch (code) {
        case 0: text = `net ${w.ipv4(quoted + 16, 'icmp')} unreachable`; break;
        case 1: text = `host ${w.ipv4(quoted + 16, 'icmp')} unreachable`; break;
        case 2: text = `${w.ipv4(quoted + 16, 'icmp')} protocol ${w.u8(quoted + 9, 'icmp')} unreachable`; break;
        case 3: {
          const hlen = (w.u8(quoted, 'icmp') & 15) * 4;
          const proto = w.u8(quoted + 9, 'icmp');
          const dst = w.ipv4(quoted + 16, 'icmp');
          const dport = w.u16(quoted + hlen + 2, 'icmp');
          text = proto === IPPROTO_TCP ? `${dst} tcp port ${dport} unreachable`
            : proto === IPPROTO_UDP ? `${dst} udp port ${dport} unreachable`
            : `${dst} protocol ${proto} port ${dport} unreachable`;
          break;
        }
        case 4: {
          const dst = w.ipv4(quoted + 16, 'icmp');
          const mtu = w.u16(off + 6, 'icmp');
          text = mtu ? `${dst} unreachable - need to frag (mtu ${mtu})` : `${dst} unreachable - need to frag`;
          break;
        }
        default:
          text = (UNREACH_FORMATS[code] ?? `#${code} %s unreachable`).replace('%s', w.ipv4(quoted + 16, 'icmp'));
      }
      break;
    case 5: {
      const fmt = REDIRECT_FORMATS[code] ?? `redirect-#${code} %s to %s`;
      text = fmt.replace('%s', w.ipv4(quoted + 16, 'icmp')).replace('%s', w.ipv4(off + 4, 'icmp'));
      break;
    }
    case 11:
      w.need(quoted + 16, 4, 'icmp'); // tcpdump looks at the quoted header first
      text = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
      break;
    case 12:
      text = code ? `parameter problem - code ${code}` : `parameter problem - octet ${w.u8(off + 4, 'icmp')}`;
      break;
    case 18:
      text = `address mask is 0x${hex8(w.u32(off + 8, 'icmp'))}`;
      break;
    case 9: text = routerAdvertisement(w, off); break;
    case 13:
      text = `time stamp query id ${w.u16(off + 4, 'icmp')} seq ${w.u16(off + 6, 'icmp')}`;
      break;
    case 14:
      w.need(off + 16, 4, 'icmp');
      text = `time stamp reply id ${w.u16(off + 4, 'icmp')} seq ${w.u16(off + 6, 'icmp')}: org ${icmpTime(w.u32(off + 8, 'icmp'))}` +
        `, recv ${icmpTime(w.u32(off + 12, 'icmp'))}, xmit ${icmpTime(w.u32(off + 16, 'icmp'))}`;
      break;
    default:
      text = ICMP_NAMES[type] ?? `type-#${type}`;
  }
  w.out += `ICMP ${text}, length ${length}`;
}

/** milliseconds since midnight UT, as hh:mm:ss.mmm */
function icmpTime(ms: number): string {
  const msec = ms % 1000;
  let sec = Math.floor(ms / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(hrs)}:${two(min)}:${two(sec)}.${String(msec).padStart(3, '0')}`;
}

function routerAdvertisement(w: Walk, off: number): string {
  let num = w.u8(off + 4, 'icmp');
  const size = w.u8(off + 5, 'icmp');
  const life = w.u16(off + 6, 'icmp');
  const lifetime = life < 60 ? `${life}`
    : life < 3600 ? `${Math.floor(life / 60)}:${String(life % 60).padStart(2, '0')}`
    : `${Math.floor(life / 3600)}:${String(Math.floor((life % 3600) / 60)).padStart(2, '0')}:${String(life % 60).padStart(2, '0')}`;
  let text = `router advertisement lifetime ${lifetime} ${num}:`;
  if (size !== 2) return text + ` [size ${size}]`;
  for (let p = off + 8; num > 0; num--, p += 8) text += ` {${w.ipv4(p, 'icmp')} ${w.u32(p + 4, 'icmp')}}`;
  return text;
}

const ICMP6_NAMES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded in-transit',
  4: 'parameter problem', 128: 'echo request', 129: 'echo reply', 130: 'multicast listener query',
  131: 'multicast listener report', 132: 'multicast listener done', 133: 'router solicitation',
  134: 'router advertisement', 135: 'neighbor solicitation', 136: 'neighbor advertisement',
  137: 'redirect', 138: 'router renumbering', 139: 'node information query',
  140: 'node information reply', 141: 'inverse neighbor solicitation',
  142: 'inverse neighbor advertisement', 143: 'multicast listener report v2',
  144: 'ha discovery request', 145: 'ha discovery reply', 146: 'mobile router solicitation',
  147: 'mobile router advertisement', 155: 'RPL', 200: 'mtrace response', 201: 'mtrace message',
};

const ICMP6_UNREACH_CODES: Record<number, string> = {
  0: 'unreachable route', 1: ' unreachable prohibited', 2: 'beyond scope',
  3: 'unreachable address', 4: 'unreachable port',
};

function icmp6Print(w: Walk, off: number, length: number): void {
  const type = w.u8(off, 'icmp6');
  const code = w.u8(off + 1, 'icmp6');
  w.out += `ICMP6, ${ICMP6_NAMES[type] ?? `unknown icmp6 type (${type})`}`;
  const quoted = off + 8; // the IPv6 header an error message quotes
  switch (type) {
    case 1:
      w.out += `, ${ICMP6_UNREACH_CODES[code] ?? `unknown unreach code (${code})`}`;
      switch (code) {
        case 0: case 1: case 3: w.out += ` ${w.ipv6(quoted + 24, 'icmp6')}`; break;
        case 2: w.out += ` ${w.ipv6(quoted + 24, 'icmp6')}, source address ${w.ipv6(quoted + 8, 'icmp6')}`; break;
        case 4: {
          const upper = quotedUpperLayer(w, quoted);
          const dst = w.ipv6(quoted + 24, 'icmp6');
          const dport = w.u16(upper.off + 2, 'icmp6');
          w.out += upper.proto === IPPROTO_TCP ? `, ${dst} tcp port ${dport}`
            : upper.proto === IPPROTO_UDP ? `, ${dst} udp port ${dport}`
            : `, ${dst} protocol ${upper.proto} port ${dport} unreachable`;
          break;
        }
        default: return; // tcpdump prints a hex dump instead of the length
      }
      break;
    case 2: w.out += `, mtu ${w.u32(off + 4, 'icmp6')}`; break;
    case 3:
      if (code === 0) w.out += ` for ${w.ipv6(quoted + 24, 'icmp6')}`;
      else if (code === 1) w.out += ' (reassembly)';
      else w.out += `, unknown code (${code})`;
      break;
    case 4: {
      w.need(quoted + 24, 16, 'icmp6');
      const pointer = w.u32(off + 4, 'icmp6');
      w.out += code === 0 ? `, erroneous - octet ${pointer}` : code === 1 ? `, next header - octet ${pointer}`
        : code === 2 ? `, option - octet ${pointer}` : code === 3 ? `, incomplete header chain - octet ${pointer}`
        : `, code-#${code}`;
      break;
    }
    case 128: case 129: w.out += `, id ${w.u16(off + 4, 'icmp6')}, seq ${w.u16(off + 6, 'icmp6')}`; break;
    case 135: w.out += `, who has ${w.ipv6(off + 8, 'icmp6')}`; break;
    case 136: w.out += `, tgt is ${w.ipv6(off + 8, 'icmp6')}`; break;
    case 137: w.out += `, ${w.ipv6(off + 24, 'icmp6')} to ${w.ipv6(off + 8, 'icmp6')}`; break;
    case 143: w.out += `, ${w.u16(off + 6, 'icmp6')} group record(s)`; break;
    case 130:
      if (length === 24) w.out += mld1(w, off);
      else if (length >= 28) {
        w.out += ` v2 [gaddr ${w.ipv6(off + 8, 'icmp6')}`;
        const sources = w.u16(off + 26, 'icmp6');
        if (sources > 0) w.out += length < 28 + sources * 16 ? ' [invalid number of sources]' : `, ${sources} source(s)`;
        w.out += ']';
      } else w.out += ` unknown-version (len ${length}) `;
      break;
    case 131: case 132: w.out += mld1(w, off); break;
    case 133: case 134: case 138: case 139: case 140: case 141:
    case 142: case 144: case 145: case 146: case 147: case 155:
      break;
    default:
      break;
  }
  w.out += `, length ${length}`;
}

/** MLDv1 body; tcpdump prints it straight after the type name, without a separator. */
function mld1(w: Walk, off: number): string {
  return `max resp delay: ${w.u16(off + 4, 'icmp6')} addr: ${w.ipv6(off + 8, 'icmp6')}`;
}

/** The transport header inside the IPv6 packet an ICMPv6 error quotes (extension headers skipped). */
function quotedUpperLayer(w: Walk, ip6: number): { proto: number; off: number } {
  let nh = w.u8(ip6 + 6, 'icmp6');
  let pos = ip6 + 40;
  for (let i = 0; i < 8; i++) {
    if (nh === IPPROTO_HOPOPTS || nh === IPPROTO_DSTOPTS || nh === IPPROTO_ROUTING) {
      const next = w.u8(pos, 'icmp6');
      pos += (w.u8(pos + 1, 'icmp6') + 1) * 8;
      nh = next;
    } else if (nh === IPPROTO_FRAGMENT) {
      const next = w.u8(pos, 'icmp6');
      pos += 8;
      nh = next;
    } else if (nh === IPPROTO_AH) {
      const next = w.u8(pos, 'icmp6');
      pos += (w.u8(pos + 1, 'icmp6') + 2) * 4;
      nh = next;
    } else break;
  }
  return { proto: nh, off: pos };
}
