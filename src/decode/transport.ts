import { type DecodedPacket, Layer, PacketStatus } from './packet.ts';
import { addLayer } from './stack.ts';
import { markBeyondDatagram, markBogus, markShort, noteError, setPayload } from './common.ts';

export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_GRE = 47;
export const IPPROTO_ESP = 50;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;

const TCP_MIN_HEADER = 20;
const UDP_HEADER = 8;
const ICMP_HEADER = 8; // type, code, checksum and the 4-byte rest of header
const SCTP_COMMON_HEADER = 12;
const IGMP_HEADER = 8;
const GRE_MIN_HEADER = 4;
const ESP_HEADER = 8; // SPI and sequence number; the rest is encrypted

/**
 * Decodes the transport header at `off`. `capEnd` is where captured bytes stop (never beyond
 * `ipEnd`), `ipEnd` where the IP datagram ends on the wire. Offsets are packet-relative.
 */
export function decodeTransport(
  view: DataView, start: number, capEnd: number, ipEnd: number, off: number, proto: number,
  out: DecodedPacket,
): void {
  switch (proto) {
    case IPPROTO_TCP: decodeTcp(view, start, capEnd, ipEnd, off, out); return;
    case IPPROTO_UDP: decodeUdp(view, start, capEnd, ipEnd, off, out); return;
    case IPPROTO_ICMP: decodeIcmp(view, start, capEnd, ipEnd, off, Layer.Icmp, out); return;
    case IPPROTO_ICMPV6: decodeIcmp(view, start, capEnd, ipEnd, off, Layer.Icmp6, out); return;
    case IPPROTO_SCTP: decodeSctp(view, start, capEnd, ipEnd, off, out); return;
    case IPPROTO_IGMP: decodeOpaque(capEnd, ipEnd, off, IGMP_HEADER, Layer.Igmp, 'IGMP header', out); return;
    case IPPROTO_GRE: decodeOpaque(capEnd, ipEnd, off, GRE_MIN_HEADER, Layer.Gre, 'GRE header', out); return;
    case IPPROTO_ESP: decodeOpaque(capEnd, ipEnd, off, ESP_HEADER, Layer.Esp, 'ESP header', out); return;
    default:
      // unknown protocol (or 59, no next header): everything after the IP header is payload
      setPayload(out, off, ipEnd, capEnd);
  }
}

function decodeTcp(
  view: DataView, start: number, capEnd: number, ipEnd: number, off: number, out: DecodedPacket,
): void {
  const avail = capEnd - off;
  const p = start + off;
  // as far as the bytes go: ports first (they key the flow), then the rest of the fixed header
  if (avail >= 4) {
    out.srcPort = view.getUint16(p);
    out.dstPort = view.getUint16(p + 2);
  }
  if (avail >= 8) out.tcpSeq = view.getUint32(p + 4);
  if (avail >= 12) out.tcpAck = view.getUint32(p + 8);
  if (avail >= 14) {
    out.tcpHeaderLen = (view.getUint8(p + 12) >> 4) * 4;
    out.tcpFlags = view.getUint8(p + 13);
  }
  if (avail >= 16) out.tcpWindow = view.getUint16(p + 14);
  if (avail < TCP_MIN_HEADER) {
    markShort(out, off + TCP_MIN_HEADER, ipEnd, PacketStatus.CapLenBelowL4, 'TCP header');
    return;
  }
  out.tcpUrgent = view.getUint16(p + 18);
  addLayer(out, Layer.Tcp);
  const headerLen = out.tcpHeaderLen;
  if (headerLen < TCP_MIN_HEADER) {
    markBogus(out, 'TCP data offset below 5');
    return;
  }
  const headerEnd = off + headerLen;
  if (headerEnd > ipEnd) {
    markBeyondDatagram(out, 'TCP header');
    return;
  }
  if (headerLen > TCP_MIN_HEADER) decodeTcpOptions(view, start, off + TCP_MIN_HEADER, headerEnd, capEnd, out);
  if (headerEnd > capEnd) out.status |= PacketStatus.Truncated;
  setPayload(out, headerEnd, ipEnd, capEnd);
}

const TCPOPT_EOL = 0;
const TCPOPT_NOP = 1;
const TCPOPT_MSS = 2;
const TCPOPT_WSCALE = 3;
const TCPOPT_SACK_PERMITTED = 4;
const TCPOPT_SACK = 5;
const TCPOPT_TIMESTAMP = 8;

/**
 * Walks the options in [pos, headerEnd), reading only captured bytes (< capEnd). Every option
 * with a sound length byte is counted and marked in the bitfield, NOP and EOL included; EOL
 * ends the list. A length that is < 2 or runs past the header stops the walk, and it or a
 * length that does not fit the kind sets TcpOptionsCorrupt.
 */
function decodeTcpOptions(
  view: DataView, start: number, pos: number, headerEnd: number, capEnd: number, out: DecodedPacket,
): void {
  const readEnd = headerEnd < capEnd ? headerEnd : capEnd;
  while (pos < readEnd) {
    const kind = view.getUint8(start + pos);
    if (kind === TCPOPT_EOL || kind === TCPOPT_NOP) {
      countTcpOption(out, kind);
      if (kind === TCPOPT_EOL) return;
      pos++;
      continue;
    }
    if (pos + 1 >= headerEnd) {
      corruptOption(out, 'TCP option without length');
      return;
    }
    if (pos + 1 >= readEnd) return; // length byte not captured
    const len = view.getUint8(start + pos + 1);
    if (len < 2 || pos + len > headerEnd) {
      corruptOption(out, 'TCP option length runs past the header');
      return;
    }
    countTcpOption(out, kind);
    if (pos + len > readEnd) return; // option value not captured
    const v = start + pos + 2;
    switch (kind) {
      case TCPOPT_MSS:
        if (len === 4) out.tcpMss = view.getUint16(v);
        else corruptOption(out, 'TCP MSS option length is not 4');
        break;
      case TCPOPT_WSCALE:
        if (len === 3) out.tcpWscale = view.getUint8(v);
        else corruptOption(out, 'TCP window scale option length is not 3');
        break;
      case TCPOPT_SACK_PERMITTED:
        if (len === 2) out.tcpSackPermitted = true;
        else corruptOption(out, 'TCP SACK-permitted option length is not 2');
        break;
      case TCPOPT_SACK:
        if ((len - 2) % 8 === 0 && len > 2) out.tcpSackBlocks += (len - 2) / 8;
        else corruptOption(out, 'TCP SACK option length is not 2 + 8n');
        break;
      case TCPOPT_TIMESTAMP:
        if (len === 10) {
          out.tcpTsVal = view.getUint32(v);
          out.tcpTsEcr = view.getUint32(v + 4);
        } else corruptOption(out, 'TCP timestamp option length is not 10');
        break;
    }
    pos += len;
  }
}

function countTcpOption(out: DecodedPacket, kind: number): void {
  out.tcpOptions = (out.tcpOptions | (kind < 31 ? 1 << kind : 0x80000000)) >>> 0;
  out.tcpOptCount++;
}

function corruptOption(out: DecodedPacket, message: string): void {
  out.status |= PacketStatus.TcpOptionsCorrupt;
  noteError(out, message);
}

function decodeUdp(
  view: DataView, start: number, capEnd: number, ipEnd: number, off: number, out: DecodedPacket,
): void {
  const avail = capEnd - off;
  const p = start + off;
  if (avail >= 4) {
    out.srcPort = view.getUint16(p);
    out.dstPort = view.getUint16(p + 2);
  }
  if (avail >= 6) out.udpLength = view.getUint16(p + 4);
  if (avail < UDP_HEADER) {
    markShort(out, off + UDP_HEADER, ipEnd, PacketStatus.CapLenBelowL4, 'UDP header');
    return;
  }
  addLayer(out, Layer.Udp);
  setPayload(out, off + UDP_HEADER, ipEnd, capEnd);
}

function decodeIcmp(
  view: DataView, start: number, capEnd: number, ipEnd: number, off: number, layer: Layer,
  out: DecodedPacket,
): void {
  const avail = capEnd - off;
  if (avail >= 1) out.icmpType = view.getUint8(start + off);
  if (avail >= 2) out.icmpCode = view.getUint8(start + off + 1);
  if (avail < ICMP_HEADER) {
    markShort(out, off + ICMP_HEADER, ipEnd, PacketStatus.CapLenBelowL4,
      layer === Layer.Icmp ? 'ICMP header' : 'ICMPv6 header');
    return;
  }
  addLayer(out, layer);
  setPayload(out, off + ICMP_HEADER, ipEnd, capEnd);
}

function decodeSctp(
  view: DataView, start: number, capEnd: number, ipEnd: number, off: number, out: DecodedPacket,
): void {
  if (capEnd - off >= 4) {
    out.srcPort = view.getUint16(start + off);
    out.dstPort = view.getUint16(start + off + 2);
  }
  if (capEnd - off < SCTP_COMMON_HEADER) {
    markShort(out, off + SCTP_COMMON_HEADER, ipEnd, PacketStatus.CapLenBelowL4, 'SCTP header');
    return;
  }
  addLayer(out, Layer.Sctp);
  setPayload(out, off + SCTP_COMMON_HEADER, ipEnd, capEnd);
}

/** Protocols recorded in the header stack but not dissected further. */
function decodeOpaque(
  capEnd: number, ipEnd: number, off: number, headerLen: number, layer: Layer, what: string,
  out: DecodedPacket,
): void {
  if (capEnd - off < headerLen) {
    markShort(out, off + headerLen, ipEnd, PacketStatus.CapLenBelowL4, what);
    return;
  }
  addLayer(out, layer);
  setPayload(out, off + headerLen, ipEnd, capEnd);
}
