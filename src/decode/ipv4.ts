import { type DecodedPacket, Layer, PacketStatus } from './packet.ts';
import { addLayer } from './stack.ts';
import { datagramLength, markBogus, markCut, noteError, setPayload } from './common.ts';

const IPV4_MIN_HEADER = 20;
const IPOPT_EOL = 0;
const IPOPT_NOP = 1;
export const IPPROTO_AH = 51;

/**
 * Decodes the IPv4 header at `off`. Returns where the datagram ends on the wire (packet-relative)
 * when the transport header should be decoded next (at out.l4Offset, protocol out.l4Proto),
 * or -1 when decoding stops here (cut, bogus, later fragment).
 * `capEnd`: end of the captured bytes; `wireEnd`: end of the frame (or enclosing datagram).
 */
export function decodeIpv4(
  view: DataView, start: number, capEnd: number, wireEnd: number, off: number,
  paddingAllowed: boolean, out: DecodedPacket,
): number {
  if (capEnd - off < IPV4_MIN_HEADER) {
    markCut(out, PacketStatus.CapLenBelowL3, 'IPv4 header cut by the snaplen');
    return -1;
  }
  const p = start + off;
  const versionIhl = view.getUint8(p);
  if (versionIhl >> 4 !== 4) {
    markBogus(out, 'IPv4 header with version nibble ' + (versionIhl >> 4));
    return -1;
  }
  addLayer(out, Layer.Ipv4);
  out.status = (out.status & ~PacketStatus.Ipv6) | PacketStatus.Ipv4;
  out.ipVersion = 4;
  out.ipOffset = off;
  const headerLen = (versionIhl & 15) * 4;
  out.ipHeaderLen = headerLen;
  out.tos = view.getUint8(p + 1);
  const totalLen = view.getUint16(p + 2);
  out.ipTotalLen = totalLen;
  out.ipId = view.getUint16(p + 4);
  const flagsFragment = view.getUint16(p + 6);
  out.ipFlags = flagsFragment & 0xe000;
  out.fragOffset = (flagsFragment & 0x1fff) * 8;
  out.moreFragments = (flagsFragment & 0x2000) !== 0;
  out.ttl = view.getUint8(p + 8);
  const proto = view.getUint8(p + 9);
  out.l4Proto = proto;
  out.src[0] = view.getUint32(p + 12);
  out.dst[0] = view.getUint32(p + 16);
  out.src[1] = out.src[2] = out.src[3] = 0; // an outer IPv6 header of a tunnel may have set them
  out.dst[1] = out.dst[2] = out.dst[3] = 0;
  out.ipOptCount = 0;
  if (out.moreFragments || out.fragOffset > 0) out.status |= PacketStatus.Fragment;
  if (headerLen < IPV4_MIN_HEADER) {
    out.status |= PacketStatus.Ipv4HdrShort;
    markBogus(out, 'IPv4 header length below 20');
    return -1;
  }

  const ipEnd = off + datagramLength(out, totalLen, headerLen, wireEnd - off, paddingAllowed);
  if (capEnd < ipEnd) out.status |= PacketStatus.CapLenBelowIpLen | PacketStatus.Truncated;
  if (off + headerLen > ipEnd) {
    markBogus(out, 'IPv4 header longer than the datagram');
    return -1;
  }
  if (headerLen > IPV4_MIN_HEADER) decodeIpv4Options(view, start, off + IPV4_MIN_HEADER, off + headerLen, capEnd, out);
  let l4 = off + headerLen;
  if (l4 > capEnd) {
    markCut(out, PacketStatus.CapLenBelowL3, 'IPv4 options cut by the snaplen');
    return -1;
  }
  out.l4Offset = l4;
  if (out.fragOffset > 0) {
    // a later fragment carries no transport header: its bytes are payload
    out.status |= PacketStatus.LaterFragment;
    setPayload(out, l4, ipEnd, capEnd);
    return -1;
  }
  if (proto === IPPROTO_AH) {
    l4 = skipAuthHeader(view, start, capEnd, ipEnd, l4, out);
    if (l4 < 0) return -1;
  }
  return ipEnd;
}

/**
 * Counts the well-formed options (NOP and EOL included; EOL ends the list) in the captured part
 * of [pos, end); an option whose length byte is not captured is not counted.
 */
function decodeIpv4Options(
  view: DataView, start: number, pos: number, end: number, capEnd: number, out: DecodedPacket,
): void {
  const readEnd = end < capEnd ? end : capEnd;
  while (pos < readEnd) {
    const type = view.getUint8(start + pos);
    if (type === IPOPT_EOL || type === IPOPT_NOP) {
      out.ipOptCount++;
      if (type === IPOPT_EOL) return;
      pos++;
      continue;
    }
    if (pos + 1 >= end) {
      corruptIpOption(out);
      return;
    }
    if (pos + 1 >= readEnd) return; // length byte not captured
    const len = view.getUint8(start + pos + 1);
    if (len < 2 || pos + len > end) {
      corruptIpOption(out);
      return;
    }
    out.ipOptCount++;
    pos += len;
  }
}

function corruptIpOption(out: DecodedPacket): void {
  out.status |= PacketStatus.IpOptionsCorrupt;
  noteError(out, 'IPv4 option length runs past the header');
}

/**
 * Skips an IPsec authentication header at `pos` (recorded as layer Ah), updating l4Proto and
 * l4Offset to what follows. Returns the new offset, or -1 when it cannot be walked.
 */
export function skipAuthHeader(
  view: DataView, start: number, capEnd: number, ipEnd: number, pos: number, out: DecodedPacket,
): number {
  if (pos + 2 > capEnd) {
    if (pos + 2 > ipEnd) markBogus(out, 'AH header longer than the IP payload');
    else markCut(out, PacketStatus.CapLenBelowL4, 'AH header cut by the snaplen');
    return -1;
  }
  const next = view.getUint8(start + pos);
  const len = (view.getUint8(start + pos + 1) + 2) * 4;
  if (pos + len > ipEnd) {
    markBogus(out, 'AH header longer than the IP payload');
    return -1;
  }
  addLayer(out, Layer.Ah);
  out.l4Proto = next;
  out.l4Offset = pos + len;
  return pos + len;
}
