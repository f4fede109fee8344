import { type DecodedPacket, PacketStatus } from './packet.ts';
import { decodeEthernet, decodeNull, decodeRaw, decodeSll, decodeSll2 } from './link.ts';
import { noteError } from './common.ts';

export { headerStackCode, headerStackFromCode, headerStackText } from './stack.ts';

/** Link-layer types (pcap LINKTYPE_/DLT_ numbers) the decoder understands. */
export const enum LinkType {
  Null = 0, // BSD loopback, host byte order
  Ethernet = 1,
  RawOld = 12, // DLT_RAW on most systems
  RawOpenBsd = 14, // DLT_RAW on OpenBSD
  Raw = 101, // LINKTYPE_RAW
  Loop = 108, // OpenBSD loopback, big-endian
  LinuxSll = 113,
  Ipv4 = 228,
  Ipv6 = 229,
  LinuxSll2 = 276,
}

export function isSupportedLinkType(linkType: number): boolean {
  switch (linkType) {
    case LinkType.Null: case LinkType.Ethernet: case LinkType.RawOld: case LinkType.RawOpenBsd:
    case LinkType.Raw: case LinkType.Loop: case LinkType.LinuxSll: case LinkType.Ipv4:
    case LinkType.Ipv6: case LinkType.LinuxSll2:
      return true;
    default:
      return false;
  }
}

/**
 * Decodes one packet into `out` (reset first), allocating nothing. `start` is where the
 * captured bytes begin in `bytes`/`view`; no byte at or beyond start + capLen is read.
 * Offsets stored in `out` are relative to `start`.
 */
export function decodePacket(
  bytes: Uint8Array, view: DataView, start: number, capLen: number, wireLen: number,
  linkType: number, out: DecodedPacket,
): void {
  out.reset();
  out.linkType = linkType;
  // never trust a record header beyond the buffer it came in
  const inBuffer = Math.min(view.byteLength, bytes.byteLength) - start;
  if (capLen > inBuffer) capLen = inBuffer;
  if (capLen < 0) capLen = 0;
  if (wireLen < capLen) wireLen = capLen;
  switch (linkType) {
    case LinkType.Ethernet: decodeEthernet(view, start, capLen, wireLen, out); return;
    case LinkType.LinuxSll: decodeSll(view, start, capLen, wireLen, out); return;
    case LinkType.LinuxSll2: decodeSll2(view, start, capLen, wireLen, out); return;
    case LinkType.Null: decodeNull(view, start, capLen, wireLen, false, out); return;
    case LinkType.Loop: decodeNull(view, start, capLen, wireLen, true, out); return;
    case LinkType.RawOld: case LinkType.RawOpenBsd: case LinkType.Raw:
      decodeRaw(view, start, capLen, wireLen, 0, out);
      return;
    case LinkType.Ipv4: decodeRaw(view, start, capLen, wireLen, 4, out); return;
    case LinkType.Ipv6: decodeRaw(view, start, capLen, wireLen, 6, out); return;
    default:
      out.status |= PacketStatus.UnsupportedLink;
      noteError(out, 'unsupported link type ' + linkType);
  }
}
