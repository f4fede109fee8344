import { type DecodedPacket, Layer, PacketStatus } from './packet.ts';
import { addLayer } from './stack.ts';
import { datagramLength, markBogus, markCut, setPayload } from './common.ts';

const IPV6_HEADER = 40;
const IP6_FRAGMENT_HEADER = 8;
/** More extension headers than this is nonsense (and would overrun the header stack anyway). */
const MAX_EXTENSION_HEADERS = 8;

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_AH = 51;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;

function extensionLayer(next: number): Layer {
  switch (next) {
    case IPPROTO_HOPOPTS: return Layer.Ip6HopOpts;
    case IPPROTO_ROUTING: return Layer.Ip6Route;
    case IPPROTO_FRAGMENT: return Layer.Ip6Frag;
    case IPPROTO_DSTOPTS: return Layer.Ip6DestOpts;
    case IPPROTO_AH: return Layer.Ah;
    default: return Layer.None;
  }
}

/**
 * Decodes the IPv6 header at `off` and its extension-header chain (each recorded as a layer and
 * in ipv6ExtMask). Returns the datagram end on the wire when the transport header should be
 * decoded next (at out.l4Offset, protocol out.l4Proto), or -1 when decoding stops here.
 * Until the chain is resolved, l4Proto holds the last next-header value read.
 */
export function decodeIpv6(
  view: DataView, start: number, capEnd: number, wireEnd: number, off: number,
  paddingAllowed: boolean, out: DecodedPacket,
): number {
  if (capEnd - off < IPV6_HEADER) {
    markCut(out, PacketStatus.CapLenBelowL3, 'IPv6 header cut by the snaplen');
    return -1;
  }
  const p = start + off;
  const word0 = view.getUint32(p);
  if (word0 >>> 28 !== 6) {
    markBogus(out, 'IPv6 header with version nibble ' + (word0 >>> 28));
    return -1;
  }
  addLayer(out, Layer.Ipv6);
  out.status = (out.status & ~PacketStatus.Ipv4) | PacketStatus.Ipv6;
  out.ipVersion = 6;
  out.ipOffset = off;
  out.tos = (word0 >>> 20) & 0xff;
  const payloadLen = view.getUint16(p + 4);
  let next = view.getUint8(p + 6);
  out.ttl = view.getUint8(p + 7);
  for (let i = 0; i < 4; i++) {
    out.src[i] = view.getUint32(p + 8 + 4 * i);
    out.dst[i] = view.getUint32(p + 24 + 4 * i);
  }
  out.ipTotalLen = IPV6_HEADER + payloadLen;
  // an outer IPv4 header of a tunnel may have set these
  out.ipId = out.ipFlags = out.fragOffset = out.ipOptCount = 0;
  out.moreFragments = false;
  out.l4Proto = next;

  const ipEnd = off + datagramLength(out, IPV6_HEADER + payloadLen, IPV6_HEADER, wireEnd - off, paddingAllowed);
  if (capEnd < ipEnd) out.status |= PacketStatus.CapLenBelowIpLen | PacketStatus.Truncated;

  let pos = off + IPV6_HEADER;
  for (let count = 0; ; count++) {
    const layer = extensionLayer(next);
    if (layer === Layer.None) break;
    if (count === MAX_EXTENSION_HEADERS) {
      markBogus(out, 'too many IPv6 extension headers');
      return -1;
    }
    const fixedLen = next === IPPROTO_FRAGMENT ? IP6_FRAGMENT_HEADER : 2;
    if (pos + fixedLen > ipEnd) {
      markBogus(out, 'IPv6 extension header longer than the datagram');
      return -1;
    }
    if (pos + fixedLen > capEnd) {
      out.ipHeaderLen = pos - off;
      markCut(out, PacketStatus.CapLenBelowL3, 'IPv6 extension header cut by the snaplen');
      return -1;
    }
    const headerNext = view.getUint8(start + pos);
    const lengthByte = view.getUint8(start + pos + 1);
    const len = next === IPPROTO_FRAGMENT ? IP6_FRAGMENT_HEADER
      : next === IPPROTO_AH ? (lengthByte + 2) * 4
      : (lengthByte + 1) * 8;
    if (pos + len > ipEnd) {
      markBogus(out, 'IPv6 extension header longer than the datagram');
      return -1;
    }
    addLayer(out, layer);
    out.ipv6ExtMask |= 1 << layer;
    out.l4Proto = headerNext;
    if (next === IPPROTO_FRAGMENT) {
      const offsetFlags = view.getUint16(start + pos + 2);
      out.fragOffset = offsetFlags & 0xfff8;
      out.moreFragments = (offsetFlags & 1) !== 0;
      out.ipId = view.getUint32(start + pos + 4);
      out.status |= PacketStatus.Fragment;
      if (out.fragOffset > 0) {
        out.status |= PacketStatus.LaterFragment;
        out.ipHeaderLen = pos + len - off;
        out.l4Offset = pos + len;
        setPayload(out, pos + len, ipEnd, capEnd);
        return -1;
      }
    }
    pos += len;
    next = headerNext;
    if (pos > capEnd) {
      // the rest of this header (options) is not captured: the IPv6 header chain is incomplete
      out.ipHeaderLen = pos - off;
      markCut(out, PacketStatus.CapLenBelowL3, 'IPv6 extension header cut by the snaplen');
      return -1;
    }
  }
  out.ipHeaderLen = pos - off;
  out.l4Offset = pos;
  return ipEnd;
}
