/**
 * tcpStream: follows every TCP connection in sequence order while the capture loads (the engine's
 * bookkeeping for all connections at once: src/reassembly/tracker.ts) and keeps only per-direction
 * totals. Overlaps are compared byte for byte in `finish`, when the capture can be read back by
 * offset; the streams themselves are rebuilt on demand by src/reassembly/stream.ts from the full
 * engine (src/reassembly/engine.ts).
 */
import type { Analyzer, FinishContext, FlowRows, PacketContext, ReportLine } from '../analyzer.ts';
import type { ColumnDef } from '../../schema/types.ts';
import type { Column } from '../../store/table.ts';
import { NumberColumn } from '../../store/columns.ts';
import { growF64, growU8 } from '../../store/growable.ts';
import { DecodedPacket, PacketStatus } from '../../decode/packet.ts';
import { decodePacket } from '../../decode/decode.ts';
import { StreamTracker } from '../../reassembly/tracker.ts';
import { ConnectionReassembler, type TcpSegment } from '../../reassembly/engine.ts';
import { TCP_STREAM_FLOW_COLUMNS } from './schema.ts';

const IPPROTO_TCP = 6;

/** Fills the engine's segment from a decoded packet; false when the packet carries no usable TCP header. */
export function tcpSegmentOf(pkt: PacketContext['pkt'], frameFileOffset: number, packetRow: number, seg: TcpSegment): boolean {
  if (pkt.l4Proto !== IPPROTO_TCP || pkt.tcpHeaderLen < 20 || (pkt.status & PacketStatus.LaterFragment) !== 0) return false;
  seg.seq = pkt.tcpSeq;
  seg.ack = pkt.tcpAck;
  seg.flags = pkt.tcpFlags;
  seg.window = pkt.tcpWindow;
  seg.payloadLen = pkt.l7Len;
  seg.capturedLen = pkt.l7CapLen > 0 ? Math.min(pkt.l7CapLen, pkt.l7Len) : 0;
  seg.fileOffset = frameFileOffset + pkt.l7Offset;
  seg.packetRow = packetRow;
  return true;
}

export function newSegment(): TcpSegment {
  return { seq: 0, ack: 0, flags: 0, window: 0, payloadLen: 0, capturedLen: 0, fileOffset: 0, packetRow: 0 };
}

export class TcpStreamAnalyzer implements Analyzer {
  readonly name = 'tcpStream';
  readonly flowColumns: readonly ColumnDef[] = TCP_STREAM_FLOW_COLUMNS;
  readonly packetColumns: readonly ColumnDef[] = [];

  /** every connection's reassembly state, by storage row, without chunk lists (see tracker.ts) */
  private readonly tracker = new StreamTracker((row, position, length, newFileOffset, serial) => {
    this.ovRow.push(row);
    this.ovSerial.push(serial);
    this.ovPos.push(position);
    this.ovNew.push(newFileOffset);
    this.ovLen.push(length);
  });
  /** per flow: 1 once its totals are stored */
  private readonly done = growU8();
  private readonly seg = newSegment();
  // per storage row
  private readonly bytes = growF64();
  private readonly missing = growF64();
  private readonly ooo = growF64();
  private readonly retrans = growF64();
  private readonly conflicts = growF64();
  // overlaps waiting for a byte comparison: storage row, segment serial, stream position, new copy's file offset, length
  private readonly ovRow = growF64();
  private readonly ovSerial = growF64();
  private readonly ovPos = growF64();
  private readonly ovNew = growF64();
  private readonly ovLen = growF64();
  private conflictTotal = 0;

  flowCreated(row: number): void {
    const last = row | 1;
    this.bytes.ensure(last);
    this.missing.ensure(last);
    this.ooo.ensure(last);
    this.retrans.ensure(last);
    this.conflicts.ensure(last);
    this.tracker.ensure(last);
    this.done.ensure(row >> 1);
  }

  packet(ctx: PacketContext): void {
    const row = ctx.flowRow;
    if (row < 0 || !tcpSegmentOf(ctx.pkt, ctx.fileOffset, ctx.packetRow, this.seg)) return;
    this.tracker.add(row, this.seg);
  }

  flowEnded(rowA: number, rowB: number, _rows?: FlowRows): void {
    const flow = rowA >> 1;
    if (this.done.data[flow]) return;
    this.done.data[flow] = 1;
    this.store(rowA);
    this.store(rowB);
  }

  private store(row: number): void {
    const t = this.tracker.totals(row);
    this.bytes.data[row] = t.bytes;
    this.missing.data[row] = t.missing;
    this.ooo.data[row] = t.outOfOrder;
    this.retrans.data[row] = t.retransmissions;
    this.tracker.release(row);
  }

  finish(ctx: FinishContext): { flowColumns: Column[]; packetColumns: Column[] } {
    for (let flow = 0; flow < this.done.length; flow++) if (!this.done.data[flow]) this.flowEnded(flow * 2, flow * 2 + 1);
    this.compareOverlaps(ctx);
    const order = ctx.flowOrder;
    const [bytes, missing, ooo, retrans, conflicts] = TCP_STREAM_FLOW_COLUMNS as [ColumnDef, ColumnDef, ColumnDef, ColumnDef, ColumnDef];
    return {
      flowColumns: [
        new NumberColumn(bytes, this.bytes.reorder(order)),
        new NumberColumn(missing, this.missing.reorder(order)),
        new NumberColumn(ooo, this.ooo.reorder(order)),
        new NumberColumn(retrans, this.retrans.reorder(order)),
        new NumberColumn(conflicts, this.conflicts.reorder(order)),
      ],
      packetColumns: [],
    };
  }

  /**
   * A segment counts once as a conflicting overlap if any byte it repeats differs from the first
   * copy. The first copies' file offsets come from replaying the connections that had overlaps
   * through the full engine (rare: retransmissions and duplicates).
   */
  private compareOverlaps(ctx: FinishContext): void {
    const n = this.ovRow.length;
    if (n === 0) return;
    const rows = this.ovRow.data, serials = this.ovSerial.data, positions = this.ovPos.data, news = this.ovNew.data, lens = this.ovLen.data;
    const engines = this.replay(ctx, rows, n);
    let countedRow = -1, countedSerial = -1;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!, serial = serials[i]!;
      if (row === countedRow && serial === countedSerial) continue;
      const pos = positions[i]!, newOffset = news[i]!;
      let differs = false;
      engines.get(row >> 1)!.directions[row & 1].firstCopies(pos, pos + lens[i]!, (oldOffset, from, length) => {
        if (differs) return;
        const a = ctx.payload.read(oldOffset, length), b = ctx.payload.read(newOffset + (from - pos), length);
        if (!sameBytes(a, b)) differs = true;
      });
      if (differs) {
        this.conflicts.data[row]!++;
        this.conflictTotal++;
        countedRow = row;
        countedSerial = serial;
      }
    }
  }

  /** The connections of the flows named in rows[0..n), rebuilt from the capture with their chunk lists. */
  private replay(ctx: FinishContext, rows: Float64Array, n: number): Map<number, ConnectionReassembler> {
    const engines = new Map<number, ConnectionReassembler>();
    for (let i = 0; i < n; i++) {
      const flow = rows[i]! >> 1;
      if (!engines.has(flow)) engines.set(flow, new ConnectionReassembler());
    }
    const pkt = new DecodedPacket();
    const seg = newSegment();
    const flowRow = ctx.packetFlowRow;
    for (let p = 0; p < ctx.packetCount; p++) {
      const row = flowRow[p]!;
      if (row < 0) continue;
      const conn = engines.get(row >> 1);
      if (conn === undefined) continue;
      const capLen = ctx.packetCapLen[p]!, fileOffset = ctx.packetFileOffset[p]!;
      const bytes = ctx.payload.read(fileOffset, capLen);
      decodePacket(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, capLen, ctx.packetWireLen[p]!, ctx.linkTypeOf(p), pkt);
      if (tcpSegmentOf(pkt, fileOffset, p, seg)) conn.add((row & 1) as 0 | 1, seg);
    }
    return engines;
  }

  report(): ReportLine[] {
    return this.conflictTotal > 0 ? [{ label: 'TCP segments conflicting with an earlier copy', value: this.conflictTotal }] : [];
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
