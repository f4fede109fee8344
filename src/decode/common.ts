import { type DecodedPacket, PacketStatus } from './packet.ts';

/** Smallest Ethernet payload: shorter IP datagrams arrive followed by padding. */
export const MIN_ETHERNET_PAYLOAD = 46;

/** Keeps the first problem found (for the decoding-error count). */
export function noteError(out: DecodedPacket, message: string): void {
  if (out.error === '') out.error = message;
}

/** The snaplen cut a header short: `bit` is the specific CapLenBelow* status. */
export function markCut(out: DecodedPacket, bit: PacketStatus, message: string): void {
  out.status |= bit | PacketStatus.Truncated;
  noteError(out, message);
}

export function markBogus(out: DecodedPacket, message: string): void {
  out.status |= PacketStatus.Bogus;
  noteError(out, message);
}

/**
 * A header needs bytes up to `needEnd`, but the datagram (`ipEnd`) or the capture (`capEnd`)
 * stops earlier: a header longer than its IP datagram is bogus, otherwise the snaplen cut it.
 */
export function markShort(
  out: DecodedPacket, needEnd: number, ipEnd: number, cutBit: PacketStatus, what: string,
): void {
  if (needEnd > ipEnd) markBeyondDatagram(out, what);
  else markCut(out, cutBit, `${what} cut by the snaplen`);
}

/**
 * A header runs past the end of its IP datagram: bogus, unless the datagram is a first
 * fragment, where the header legitimately continues in the next fragment (tiny fragments).
 */
export function markBeyondDatagram(out: DecodedPacket, what: string): void {
  if (out.moreFragments) noteError(out, `${what} continues in the next fragment`);
  else markBogus(out, `${what} longer than the IP payload`);
}

/**
 * The length an IP datagram really has on the wire, given the length its header declares and
 * the bytes the frame carries after the IP header's start (`wireAvail`). Flags IpLenMismatch
 * when they disagree, except for Ethernet padding of short datagrams.
 */
export function datagramLength(
  out: DecodedPacket, declared: number, headerLen: number, wireAvail: number, paddingAllowed: boolean,
): number {
  if (declared < headerLen) {
    // e.g. total length 0 from TCP segmentation offload: trust the frame
    out.status |= PacketStatus.IpLenMismatch;
    noteError(out, 'IP length smaller than its header');
    return wireAvail;
  }
  if (declared > wireAvail) {
    out.status |= PacketStatus.IpLenMismatch;
    noteError(out, 'IP length exceeds the frame');
    return wireAvail;
  }
  if (declared < wireAvail && !(paddingAllowed && wireAvail <= MIN_ETHERNET_PAYLOAD)) {
    out.status |= PacketStatus.IpLenMismatch;
  }
  return declared;
}

/** Payload after the last decoded header, up to the datagram end; what of it was captured. */
export function setPayload(out: DecodedPacket, offset: number, ipEnd: number, capEnd: number): void {
  out.l7Offset = offset;
  out.l7Len = ipEnd > offset ? ipEnd - offset : 0;
  const capturedEnd = capEnd < ipEnd ? capEnd : ipEnd;
  out.l7CapLen = capturedEnd > offset ? capturedEnd - offset : 0;
}
