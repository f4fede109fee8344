/**
 * TCP stream reassembly for one connection: each direction's payload is placed by sequence number
 * (not by arrival), first copy wins, and bytes never captured stay gaps. Payload is referred to by
 * its offset in the capture file, never copied: a direction keeps a sorted list of "chunks" (the
 * first captured copy of each byte range: stream position, length, file offset, packet row) and a
 * merged interval list of the sequence space seen (captured or cut by the snaplen).
 *
 * Positions are sequence numbers unwrapped to 64 bits (exact in a double): the first sequence
 * number seen in a direction is placed at 2^32 + seq and later ones at the position nearest to the
 * highest seen, so a stream may wrap past 2^32 any number of times.
 */

import { mergeInterval } from './intervals.ts';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

const TWO_32 = 0x1_0000_0000;

/** How the engine classified a segment. */
export const enum SegmentKind {
  /** no payload (pure ACK, SYN, FIN, RST) */
  Empty = 0,
  /** payload continuing the highest sequence seen so far (or starting the stream) */
  InOrder = 1,
  /** payload filling a hole below the highest sequence seen, none of it seen before */
  OutOfOrder = 2,
  /** payload repeating at least one byte already seen (counted once, the first copy is kept) */
  Retransmission = 3,
  /** at most one byte at the next expected sequence number minus one: ignored */
  KeepAlive = 4,
  /** one byte at the next expected sequence number while the peer advertises a zero window */
  ZeroWindowProbe = 5,
  /** payload at or beyond this direction's FIN: ignored */
  BeyondFin = 6,
}

/** One TCP segment as the engine needs it. Callers fill and reuse one object (nothing is kept). */
export interface TcpSegment {
  /** 32-bit sequence number from the header */
  seq: number;
  ack: number;
  /** the 8 TCP flag bits */
  flags: number;
  window: number;
  /** payload length according to the IP/TCP headers (on the wire) */
  payloadLen: number;
  /** payload bytes actually in the capture (less than payloadLen when the snaplen cut the frame) */
  capturedLen: number;
  /** offset of the first payload byte in the (decompressed) capture file */
  fileOffset: number;
  /** packets-table row of the segment's packet */
  packetRow: number;
}

/** Called when captured bytes of a new segment cover bytes already held (first copy at oldFileOffset). */
export type OverlapHandler = (oldFileOffset: number, newFileOffset: number, length: number, segmentSerial: number) => void;

/** A piece of a direction's byte stream, in sequence order. */
export interface StreamChunk {
  /** offset in the direction's byte stream (0 = first byte after the SYN, or the first byte seen) */
  readonly streamOffset: number;
  readonly length: number;
  /** true for bytes never captured: fileOffset and firstPacketRow are -1 */
  readonly gap: boolean;
  /** where the bytes are in the capture file */
  readonly fileOffset: number;
  /** packets-table row of the packet that first carried these bytes */
  readonly firstPacketRow: number;
  /**
   * packets-table row of the packet whose arrival made this chunk deliverable in order (the
   * latest-arriving packet among this chunk and all before it): Follow TCP Stream's ordering key
   */
  readonly deliveredAtRow: number;
}

/** Totals of one direction, for the flow columns. */
export interface StreamTotals {
  /** distinct payload bytes captured and placed in the stream */
  bytes: number;
  /** bytes of the stream never captured (holes, snaplen cuts, unacknowledged tails the peer acked) */
  missing: number;
  outOfOrder: number;
  retransmissions: number;
  keepAlives: number;
  zeroWindowProbes: number;
  /** segments carrying payload */
  dataSegments: number;
}

/** Reassembly state of one direction. */
export class DirectionReassembler {
  private started = false;
  /** unwrap reference: the highest position seen */
  private ref = 0;
  private synPos = -1;
  private finPos = -1;
  /** lowest position of payload seen (origin when no SYN was seen) */
  private minDataPos = Infinity;
  /** end of the highest payload seen (sequence space, excluding zero-window probes) */
  private maxEnd = -Infinity;
  /** end of the highest payload seen (sequence space, unlike maxEnd not moved by a FIN) */
  private maxDataEnd = -Infinity;
  /** highest acknowledgement from the peer, as a position */
  private ackedEnd = -Infinity;
  /** sequence space seen: merged [start, end) pairs, sorted */
  private readonly seen: number[] = [];
  // chunks of first captured copies, sorted by start, never overlapping
  private readonly cStart: number[] = [];
  private readonly cLen: number[] = [];
  private readonly cFile: number[] = [];
  private readonly cRow: number[] = [];
  private serial = 0;
  readonly totals: StreamTotals = { bytes: 0, missing: 0, outOfOrder: 0, retransmissions: 0, keepAlives: 0, zeroWindowProbes: 0, dataSegments: 0 };

  constructor(private readonly onOverlap?: OverlapHandler) {}

  /** back to the state of a new direction (its arrays keep their capacity for the next connection) */
  reset(): void {
    this.started = false;
    this.ref = 0;
    this.synPos = -1;
    this.finPos = -1;
    this.minDataPos = Infinity;
    this.maxEnd = -Infinity;
    this.maxDataEnd = -Infinity;
    this.ackedEnd = -Infinity;
    this.seen.length = 0;
    this.cStart.length = 0;
    this.cLen.length = 0;
    this.cFile.length = 0;
    this.cRow.length = 0;
    this.serial = 0;
    const t = this.totals;
    t.bytes = t.missing = t.outOfOrder = t.retransmissions = t.keepAlives = t.zeroWindowProbes = t.dataSegments = 0;
  }

  /** the position of a 32-bit sequence number nearest to the reference */
  private unwrap(seq: number): number {
    const refLow = this.ref - Math.floor(this.ref / TWO_32) * TWO_32;
    return this.ref + ((seq - refLow) | 0);
  }

  /** the peer acknowledged everything before `ack` (32-bit) */
  acked(ack: number): void {
    if (!this.started) return;
    const pos = this.unwrap(ack >>> 0);
    if (pos > this.ackedEnd) this.ackedEnd = pos;
  }

  add(seg: TcpSegment, peerWindowZero: boolean): SegmentKind {
    const seq = seg.seq >>> 0;
    if (!this.started) {
      this.started = true;
      this.ref = TWO_32 + seq;
    }
    const pos = this.unwrap(seq);
    const flags = seg.flags;
    let start = pos;
    if (flags & TCP_SYN) {
      if (this.synPos < 0) this.synPos = pos;
      else if (pos !== this.synPos && this.totals.dataSegments === 0) {
        // a SYN with another ISN before any payload: the connection restarted, the payload follows the new one
        this.synPos = pos;
        this.ref = pos + 1;
        this.maxEnd = -Infinity;
        this.ackedEnd = -Infinity;
        this.finPos = -1;
      }
      start = pos + 1;
    }
    const len = seg.payloadLen;
    const end = start + len;
    if (flags & TCP_FIN && this.finPos < 0) this.finPos = end;
    if (end > this.ref) this.ref = end;
    // a FIN says the sequence space reached its position: data arriving below it later is out of order
    if (flags & TCP_FIN && len === 0 && end > this.maxEnd) this.maxEnd = end;
    if (len <= 0) return SegmentKind.Empty;
    if (this.finPos >= 0 && start >= this.finPos) return SegmentKind.BeyondFin;
    const t = this.totals;
    const control = flags & (TCP_SYN | TCP_FIN | TCP_RST);
    // keep-alive: one garbage byte (or none) just below the next expected sequence number
    if (len <= 1 && control === 0 && start === this.maxEnd - 1) {
      t.keepAlives++;
      return SegmentKind.KeepAlive;
    }
    this.serial++;
    t.dataSegments++;
    const captured = Math.max(0, Math.min(seg.capturedLen, len));
    if (len === 1 && control === 0 && peerWindowZero && start === this.maxEnd) {
      // the probe's byte is real data (the receiver may take it) but its resending is no retransmission
      t.zeroWindowProbes++;
      if (start < this.minDataPos) this.minDataPos = start;
      this.insertChunks(start, start + captured, seg.fileOffset, seg.packetRow);
      return SegmentKind.ZeroWindowProbe;
    }
    let kind: SegmentKind;
    if (this.intersectsSeen(start, end)) { kind = SegmentKind.Retransmission; t.retransmissions++; }
    else if (start < this.maxEnd) { kind = SegmentKind.OutOfOrder; t.outOfOrder++; }
    else kind = SegmentKind.InOrder;
    mergeInterval(this.seen, start, end);
    if (end > this.maxEnd) this.maxEnd = end;
    if (end > this.maxDataEnd) this.maxDataEnd = end;
    if (start < this.minDataPos) this.minDataPos = start;
    if (captured > 0) this.insertChunks(start, start + captured, seg.fileOffset, seg.packetRow);
    return kind;
  }

  private intersectsSeen(start: number, end: number): boolean {
    const s = this.seen;
    // last interval starting before `end`
    let lo = 0, hi = s.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid * 2]! < end) lo = mid + 1; else hi = mid;
    }
    return lo > 0 && s[(lo - 1) * 2 + 1]! > start;
  }

  /** stores the parts of [start, end) not held yet; reports the parts already held as overlaps */
  private insertChunks(start: number, end: number, fileOffset: number, row: number): void {
    if (end <= start) return;
    const cs = this.cStart, cl = this.cLen;
    const n = cs.length;
    if (n === 0 || cs[n - 1]! + cl[n - 1]! <= start) { this.pushChunk(n, start, end - start, fileOffset, row); return; }
    // first chunk ending after `start`
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cs[mid]! + cl[mid]! <= start) lo = mid + 1; else hi = mid;
    }
    let i = lo;
    let cursor = start;
    while (cursor < end) {
      if (i >= cs.length || cs[i]! >= end) {
        this.pushChunk(i, cursor, end - cursor, fileOffset + (cursor - start), row);
        return;
      }
      const chunkStart = cs[i]!, chunkEnd = chunkStart + cl[i]!;
      if (chunkStart > cursor) {
        this.pushChunk(i, cursor, chunkStart - cursor, fileOffset + (cursor - start), row);
        i++; // the chunk just inserted
        cursor = chunkStart;
      }
      const overlapEnd = Math.min(chunkEnd, end);
      if (this.onOverlap) this.onOverlap(this.cFile[i]! + (cursor - chunkStart), fileOffset + (cursor - start), overlapEnd - cursor, this.serial);
      cursor = overlapEnd;
      i++;
    }
  }

  private pushChunk(at: number, start: number, len: number, file: number, row: number): void {
    if (at === this.cStart.length) {
      this.cStart.push(start); this.cLen.push(len); this.cFile.push(file); this.cRow.push(row);
    } else {
      this.cStart.splice(at, 0, start); this.cLen.splice(at, 0, len); this.cFile.splice(at, 0, file); this.cRow.splice(at, 0, row);
    }
  }

  /**
   * Visits the first captured copies of stream positions [start, end) (positions as this engine
   * unwrapped them, e.g. as StreamTracker reports overlaps): file offset, position, length.
   */
  firstCopies(start: number, end: number, visit: (fileOffset: number, position: number, length: number) => void): void {
    const cs = this.cStart, cl = this.cLen;
    let lo = 0, hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cs[mid]! + cl[mid]! <= start) lo = mid + 1; else hi = mid;
    }
    for (let i = lo; i < cs.length && cs[i]! < end; i++) {
      const from = Math.max(cs[i]!, start), to = Math.min(cs[i]! + cl[i]!, end);
      if (to > from) visit(this.cFile[i]! + (from - cs[i]!), from, to - from);
    }
  }

  /** where the stream starts: after the SYN, else at the lowest payload byte seen */
  private origin(): number {
    if (this.synPos >= 0) return this.synPos + 1;
    return this.minDataPos;
  }

  /**
   * where the stream ends: at the FIN (or after payload that arrived before a FIN placed below it),
   * else after the highest byte seen or acknowledged by the peer
   */
  private end(): number {
    const n = this.cStart.length;
    let end = Math.max(this.maxDataEnd, n > 0 ? this.cStart[n - 1]! + this.cLen[n - 1]! : -Infinity);
    if (this.finPos >= 0) return Math.max(end, this.finPos);
    if (this.ackedEnd > end) end = this.ackedEnd;
    return end;
  }

  /** the stream in sequence order: captured chunks and gaps from the origin to the end */
  chunks(): StreamChunk[] {
    const out: StreamChunk[] = [];
    const origin = this.origin();
    const end = this.end();
    if (!Number.isFinite(origin) || !(end > origin)) return out;
    let cursor = origin;
    let delivered = -1;
    let pendingGap = -1; // index in out of a gap waiting for the next chunk's delivery row
    const cs = this.cStart, cl = this.cLen;
    for (let i = 0; i < cs.length; i++) {
      const s = cs[i]!;
      let e = s + cl[i]!;
      if (e <= origin) continue;
      if (s >= end) break;
      const clipStart = Math.max(s, origin);
      e = Math.min(e, end);
      if (clipStart > cursor) {
        pendingGap = out.length;
        out.push({ streamOffset: cursor - origin, length: clipStart - cursor, gap: true, fileOffset: -1, firstPacketRow: -1, deliveredAtRow: -1 });
      }
      const row = this.cRow[i]!;
      if (row > delivered) delivered = row;
      if (pendingGap >= 0) { out[pendingGap] = { ...out[pendingGap]!, deliveredAtRow: delivered }; pendingGap = -1; }
      out.push({
        streamOffset: clipStart - origin, length: e - clipStart, gap: false,
        fileOffset: this.cFile[i]! + (clipStart - s), firstPacketRow: row, deliveredAtRow: delivered,
      });
      cursor = e;
    }
    if (cursor < end) out.push({ streamOffset: cursor - origin, length: end - cursor, gap: true, fileOffset: -1, firstPacketRow: -1, deliveredAtRow: delivered });
    return out;
  }

  /** fills totals.bytes and totals.missing (as chunks() would count them, without building chunks); returns the totals */
  finish(): StreamTotals {
    const origin = this.origin();
    const end = this.end();
    let bytes = 0;
    if (Number.isFinite(origin) && end > origin) {
      const cs = this.cStart, cl = this.cLen;
      for (let i = 0; i < cs.length; i++) {
        const s = Math.max(cs[i]!, origin), e = Math.min(cs[i]! + cl[i]!, end);
        if (e > s) bytes += e - s;
      }
      this.totals.missing = end - origin - bytes;
    } else this.totals.missing = 0;
    this.totals.bytes = bytes;
    return this.totals;
  }
}

/** Both directions of a connection: acknowledgements and zero windows cross over. */
export class ConnectionReassembler {
  readonly directions: readonly [DirectionReassembler, DirectionReassembler];
  private readonly windowZero = [false, false];

  /** onOverlap gets the direction (0 = A, 1 = B) first */
  constructor(onOverlap?: (dir: 0 | 1, oldFileOffset: number, newFileOffset: number, length: number, segmentSerial: number) => void) {
    this.directions = onOverlap
      ? [new DirectionReassembler((o, n, l, s) => onOverlap(0, o, n, l, s)), new DirectionReassembler((o, n, l, s) => onOverlap(1, o, n, l, s))]
      : [new DirectionReassembler(), new DirectionReassembler()];
  }

  /** back to the state of a new connection */
  reset(): void {
    this.directions[0].reset();
    this.directions[1].reset();
    this.windowZero[0] = false;
    this.windowZero[1] = false;
  }

  add(dir: 0 | 1, seg: TcpSegment): SegmentKind {
    const other = dir === 0 ? 1 : 0;
    const kind = this.directions[dir].add(seg, this.windowZero[other]!);
    if (seg.flags & TCP_ACK) this.directions[other].acked(seg.ack);
    // a RST's window means nothing
    if (!(seg.flags & TCP_RST)) this.windowZero[dir] = seg.window === 0 && !(seg.flags & TCP_SYN);
    return kind;
  }
}
