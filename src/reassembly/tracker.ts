/**
 * The reassembly engine's bookkeeping for every connection of a load at once, in typed arrays
 * indexed by storage row (flow k: rows 2k and 2k + 1), for the tcpStream analyzer's totals. It
 * classifies segments exactly as DirectionReassembler does (engine.ts), but keeps no chunk list:
 * only the merged intervals of sequence space seen and of bytes captured, which for an ordinary
 * connection are one interval each, held inline. Where new captured bytes cover bytes held
 * already, it reports the overlap by stream position; the first copy's file offset is found
 * later by replaying that one connection through the full engine (tcpStream.ts).
 *
 * engine.test.ts checks that both give the same kinds, totals and overlaps on random segment
 * sequences.
 */
import { GrowF64, GrowU32, GrowU8 } from '../store/growable.ts';
import { mergeInterval } from './intervals.ts';
import { SegmentKind, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type StreamTotals, type TcpSegment } from './engine.ts';

const TWO_32 = 0x1_0000_0000;

/**
 * Per row, a sorted list of disjoint, non-touching [start, end) intervals: the first inline in two
 * Float64Arrays (start NaN: none), rows with more in a map holding the whole list.
 */
class IntervalSets {
  readonly first = new GrowF64();
  readonly firstEnd = new GrowF64();
  readonly more = new Map<number, number[]>();

  ensure(row: number): void {
    const n = this.first.length;
    this.first.ensure(row);
    this.firstEnd.ensure(row);
    this.first.data.fill(NaN, n, row + 1);
  }

  /** the intervals of `row` as a flat list (a copy for inline rows) */
  list(row: number): number[] {
    const more = this.more.get(row);
    if (more) return more;
    const s = this.first.data[row]!;
    return s === s ? [s, this.firstEnd.data[row]!] : [];
  }

  /** highest end, -Infinity when empty */
  maxEnd(row: number): number {
    const more = this.more.get(row);
    if (more) return more[more.length - 1]!;
    const s = this.first.data[row]!;
    return s === s ? this.firstEnd.data[row]! : -Infinity;
  }

  /** whether some interval shares a position with [start, end) */
  intersects(row: number, start: number, end: number): boolean {
    const more = this.more.get(row);
    if (!more) {
      const s = this.first.data[row]!;
      return s === s && s < end && this.firstEnd.data[row]! > start;
    }
    // last interval starting before `end`
    let lo = 0, hi = more.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (more[mid * 2]! < end) lo = mid + 1; else hi = mid;
    }
    return lo > 0 && more[(lo - 1) * 2 + 1]! > start;
  }

  /** calls `overlap(from, to)` for each part of [start, end) already held, in order */
  overlaps(row: number, start: number, end: number, overlap: (from: number, to: number) => void): void {
    const more = this.more.get(row);
    if (!more) {
      const s = this.first.data[row]!, e = this.firstEnd.data[row]!;
      if (s === s && s < end && e > start) overlap(Math.max(s, start), Math.min(e, end));
      return;
    }
    for (let i = 0; i < more.length; i += 2) {
      if (more[i]! >= end) break;
      if (more[i + 1]! > start) overlap(Math.max(more[i]!, start), Math.min(more[i + 1]!, end));
    }
  }

  /** adds [start, end): intervals touching it merge into one */
  add(row: number, start: number, end: number): void {
    const more = this.more.get(row);
    if (!more) {
      const s = this.first.data[row]!;
      if (s !== s) { this.first.data[row] = start; this.firstEnd.data[row] = end; return; }
      const e = this.firstEnd.data[row]!;
      if (start <= e && end >= s) {
        if (start < s) this.first.data[row] = start;
        if (end > e) this.firstEnd.data[row] = end;
        return;
      }
      this.more.set(row, start > e ? [s, e, start, end] : [start, end, s, e]);
      return;
    }
    mergeInterval(more, start, end);
  }

  /** total length of the intervals clipped to [lo, hi) */
  measure(row: number, lo: number, hi: number): number {
    let sum = 0;
    const l = this.list(row);
    for (let i = 0; i < l.length; i += 2) {
      const s = Math.max(l[i]!, lo), e = Math.min(l[i + 1]!, hi);
      if (e > s) sum += e - s;
    }
    return sum;
  }
}

/** Called for captured bytes that repeat bytes held: direction row, stream position, length, the new copy's file offset, segment serial. */
export type PositionOverlapHandler = (row: number, position: number, length: number, newFileOffset: number, serial: number) => void;

export class StreamTracker {
  private readonly started = new GrowU8();
  private readonly windowZero = new GrowU8();
  private readonly ref = new GrowF64();
  private readonly synPos = new GrowF64();
  private readonly finPos = new GrowF64();
  private readonly minDataPos = new GrowF64();
  private readonly maxEnd = new GrowF64();
  private readonly maxDataEnd = new GrowF64();
  private readonly ackedEnd = new GrowF64();
  private readonly serial = new GrowU32();
  private readonly outOfOrder = new GrowU32();
  private readonly retransmissions = new GrowU32();
  private readonly keepAlives = new GrowU32();
  private readonly zeroWindowProbes = new GrowU32();
  private readonly dataSegments = new GrowU32();
  private readonly seen = new IntervalSets();
  private readonly captured = new IntervalSets();
  // the segment being added, for the overlap callback
  private overlapRow = 0;
  private overlapStart = 0;
  private overlapFile = 0;

  constructor(private readonly onOverlap?: PositionOverlapHandler) {}

  /** makes rows up to `row` usable; new rows are as a direction that has seen nothing */
  ensure(row: number): void {
    const n = this.ref.length;
    if (row < n) return;
    this.started.ensure(row); this.windowZero.ensure(row); this.ref.ensure(row);
    this.synPos.ensure(row); this.finPos.ensure(row); this.minDataPos.ensure(row);
    this.maxEnd.ensure(row); this.maxDataEnd.ensure(row); this.ackedEnd.ensure(row);
    this.serial.ensure(row); this.outOfOrder.ensure(row); this.retransmissions.ensure(row);
    this.keepAlives.ensure(row); this.zeroWindowProbes.ensure(row); this.dataSegments.ensure(row);
    this.seen.ensure(row); this.captured.ensure(row);
    this.synPos.data.fill(-1, n, row + 1);
    this.finPos.data.fill(-1, n, row + 1);
    this.minDataPos.data.fill(Infinity, n, row + 1);
    this.maxEnd.data.fill(-Infinity, n, row + 1);
    this.maxDataEnd.data.fill(-Infinity, n, row + 1);
    this.ackedEnd.data.fill(-Infinity, n, row + 1);
  }

  private unwrap(row: number, seq: number): number {
    const ref = this.ref.data[row]!;
    const refLow = ref - Math.floor(ref / TWO_32) * TWO_32;
    return ref + ((seq - refLow) | 0);
  }

  /** one segment of direction `row` (its reverse is row ^ 1), as ConnectionReassembler.add */
  add(row: number, seg: TcpSegment): SegmentKind {
    const other = row ^ 1;
    const kind = this.addToDirection(row, seg, this.windowZero.data[other] === 1);
    if (seg.flags & TCP_ACK) this.acked(other, seg.ack);
    if (!(seg.flags & TCP_RST)) this.windowZero.data[row] = seg.window === 0 && !(seg.flags & TCP_SYN) ? 1 : 0;
    return kind;
  }

  private acked(row: number, ack: number): void {
    if (!this.started.data[row]) return;
    const pos = this.unwrap(row, ack >>> 0);
    if (pos > this.ackedEnd.data[row]!) this.ackedEnd.data[row] = pos;
  }

  private addToDirection(row: number, seg: TcpSegment, peerWindowZero: boolean): SegmentKind {
    const seq = seg.seq >>> 0;
    if (!this.started.data[row]) {
      this.started.data[row] = 1;
      this.ref.data[row] = TWO_32 + seq;
    }
    const pos = this.unwrap(row, seq);
    const flags = seg.flags;
    let start = pos;
    if (flags & TCP_SYN) {
      const synPos = this.synPos.data[row]!;
      if (synPos < 0) this.synPos.data[row] = pos;
      else if (pos !== synPos && this.dataSegments.data[row] === 0) {
        // a SYN with another ISN before any payload: the connection restarted
        this.synPos.data[row] = pos;
        this.ref.data[row] = pos + 1;
        this.maxEnd.data[row] = -Infinity;
        this.ackedEnd.data[row] = -Infinity;
        this.finPos.data[row] = -1;
      }
      start = pos + 1;
    }
    const len = seg.payloadLen;
    const end = start + len;
    if (flags & TCP_FIN && this.finPos.data[row]! < 0) this.finPos.data[row] = end;
    if (end > this.ref.data[row]!) this.ref.data[row] = end;
    if (flags & TCP_FIN && len === 0 && end > this.maxEnd.data[row]!) this.maxEnd.data[row] = end;
    if (len <= 0) return SegmentKind.Empty;
    const finPos = this.finPos.data[row]!;
    if (finPos >= 0 && start >= finPos) return SegmentKind.BeyondFin;
    const control = flags & (TCP_SYN | TCP_FIN | TCP_RST);
    const maxEnd = this.maxEnd.data[row]!;
    if (len <= 1 && control === 0 && start === maxEnd - 1) {
      this.keepAlives.data[row]!++;
      return SegmentKind.KeepAlive;
    }
    this.serial.data[row]!++;
    this.dataSegments.data[row]!++;
    const captured = Math.max(0, Math.min(seg.capturedLen, len));
    if (len === 1 && control === 0 && peerWindowZero && start === maxEnd) {
      this.zeroWindowProbes.data[row]!++;
      if (start < this.minDataPos.data[row]!) this.minDataPos.data[row] = start;
      this.capture(row, start, start + captured, seg.fileOffset);
      return SegmentKind.ZeroWindowProbe;
    }
    let kind: SegmentKind;
    if (this.seen.intersects(row, start, end)) { kind = SegmentKind.Retransmission; this.retransmissions.data[row]!++; }
    else if (start < maxEnd) { kind = SegmentKind.OutOfOrder; this.outOfOrder.data[row]!++; }
    else kind = SegmentKind.InOrder;
    this.seen.add(row, start, end);
    if (end > maxEnd) this.maxEnd.data[row] = end;
    if (end > this.maxDataEnd.data[row]!) this.maxDataEnd.data[row] = end;
    if (start < this.minDataPos.data[row]!) this.minDataPos.data[row] = start;
    if (captured > 0) this.capture(row, start, start + captured, seg.fileOffset);
    return kind;
  }

  private readonly reportOverlap = (from: number, to: number): void => {
    this.onOverlap!(this.overlapRow, from, to - from, this.overlapFile + (from - this.overlapStart), this.serial.data[this.overlapRow]!);
  };

  private capture(row: number, start: number, end: number, fileOffset: number): void {
    if (end <= start) return;
    if (this.onOverlap && this.captured.intersects(row, start, end)) {
      this.overlapRow = row;
      this.overlapStart = start;
      this.overlapFile = fileOffset;
      this.captured.overlaps(row, start, end, this.reportOverlap);
    }
    this.captured.add(row, start, end);
  }

  /** The direction's totals, as DirectionReassembler.finish gives them. */
  totals(row: number): StreamTotals {
    const synPos = this.synPos.data[row]!;
    const origin = synPos >= 0 ? synPos + 1 : this.minDataPos.data[row]!;
    let end = Math.max(this.maxDataEnd.data[row]!, this.captured.maxEnd(row));
    const finPos = this.finPos.data[row]!;
    if (finPos >= 0) end = Math.max(end, finPos);
    else if (this.ackedEnd.data[row]! > end) end = this.ackedEnd.data[row]!;
    let bytes = 0, missing = 0;
    if (Number.isFinite(origin) && end > origin) {
      bytes = this.captured.measure(row, origin, end);
      missing = end - origin - bytes;
    }
    return {
      bytes, missing, outOfOrder: this.outOfOrder.data[row]!, retransmissions: this.retransmissions.data[row]!,
      keepAlives: this.keepAlives.data[row]!, zeroWindowProbes: this.zeroWindowProbes.data[row]!, dataSegments: this.dataSegments.data[row]!,
    };
  }

  /** the interval lists kept for `row` beyond the inline ones, freed once the row's totals are taken */
  release(row: number): void {
    this.seen.more.delete(row);
    this.captured.more.delete(row);
  }
}
