import { type DecodedPacket, PacketStatus } from './packet.ts';
import { decodeIpv4 } from './ipv4.ts';
import { decodeIpv6 } from './ipv6.ts';
import { decodeTransport } from './transport.ts';

const IPPROTO_IPIP = 4;
const IPPROTO_IPV6 = 41;
/** IP-in-IP nesting followed before the inner datagram is treated as opaque payload. */
const MAX_TUNNEL_DEPTH = 3;

/**
 * Decodes an IP datagram of `version` at `off` and its transport header. IP-in-IP (protocol 4
 * or 41) sets Tunnel and decodes the inner datagram, whose header then fills the IP fields
 * (addresses, TTL, ...): flows are keyed by the innermost addresses, as Tranalyzer does.
 */
export function decodeIp(
  view: DataView, start: number, capLen: number, wireLen: number, off: number, version: number,
  paddingAllowed: boolean, out: DecodedPacket,
): void {
  let capEnd = capLen;
  let wireEnd = wireLen;
  for (let depth = 0; ; depth++) {
    const ipEnd = version === 4
      ? decodeIpv4(view, start, capEnd, wireEnd, off, paddingAllowed, out)
      : decodeIpv6(view, start, capEnd, wireEnd, off, paddingAllowed, out);
    if (ipEnd < 0) return;
    if (ipEnd < capEnd) capEnd = ipEnd; // bytes after the datagram (padding) belong to no header
    const proto = out.l4Proto;
    if ((proto === IPPROTO_IPIP || proto === IPPROTO_IPV6) && depth < MAX_TUNNEL_DEPTH) {
      out.status |= PacketStatus.Tunnel;
      off = out.l4Offset;
      version = proto === IPPROTO_IPIP ? 4 : 6;
      wireEnd = ipEnd;
      paddingAllowed = false;
      continue;
    }
    decodeTransport(view, start, capEnd, ipEnd, out.l4Offset, proto, out);
    return;
  }
}
