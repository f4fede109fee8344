/**
 * tcpStream: reassembles every TCP connection in sequence order while the capture loads (see
 * src/reassembly/engine.ts) and keeps only per-direction totals. Overlaps are compared byte for
 * byte in `finish`, when the capture can be read back by offset; the streams themselves are rebuilt
 * on demand by src/reassembly/stream.ts from the same engine.
 */
import type { Analyzer, FinishContext, FlowRows, PacketContext, ReportLine } from '../analyzer.ts';
import type { ColumnDef } from '../../schema/types.ts';
import type { Column } from '../../store/table.ts';
import { NumberColumn } from '../../store/columns.ts';
import { growF64, growI32 } from '../../store/growable.ts';
import { PacketStatus } from '../../decode/packet.ts';
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

  /**
   * Live connections: flow index (storage row >> 1) -> pool slot + 1 (0: none). Ended connections
   * go back to the pool and are reset for the next flow, so their arrays are reused, not garbage.
   */
  private readonly slotOfFlow = growI32();
  private readonly pool: ConnectionReassembler[] = [];
  private readonly poolFlow: number[] = [];
  private readonly freeSlots: number[] = [];
  /** the flow whose segment is being added (overlaps are reported during `add`) */
  private addingFlow = 0;
  private readonly seg = newSegment();
  // per storage row
  private readonly bytes = growF64();
  private readonly missing = growF64();
  private readonly ooo = growF64();
  private readonly retrans = growF64();
  private readonly conflicts = growF64();
  // overlaps waiting for a byte comparison: storage row, segment serial, old/new file offsets, length
  private readonly ovRow = growF64();
  private readonly ovSerial = growF64();
  private readonly ovOld = growF64();
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
    this.slotOfFlow.ensure(row >> 1);
  }

  packet(ctx: PacketContext): void {
    const row = ctx.flowRow;
    if (row < 0 || !tcpSegmentOf(ctx.pkt, ctx.fileOffset, ctx.packetRow, this.seg)) return;
    const flow = row >> 1;
    let slot = this.slotOfFlow.data[flow]! - 1;
    if (slot < 0) slot = this.open(flow);
    this.addingFlow = flow;
    this.pool[slot]!.add((row & 1) as 0 | 1, this.seg);
  }

  private open(flow: number): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.pool.length;
      this.pool.push(new ConnectionReassembler((dir, oldOffset, newOffset, length, serial) => {
        this.ovRow.push(this.addingFlow * 2 + dir);
        this.ovSerial.push(serial);
        this.ovOld.push(oldOffset);
        this.ovNew.push(newOffset);
        this.ovLen.push(length);
      }));
      this.poolFlow.push(flow);
    } else {
      this.pool[slot]!.reset();
      this.poolFlow[slot] = flow;
    }
    this.slotOfFlow.data[flow] = slot + 1;
    return slot;
  }

  flowEnded(rowA: number, rowB: number, _rows?: FlowRows): void {
    const flow = rowA >> 1;
    const slot = this.slotOfFlow.data[flow]! - 1;
    if (slot < 0) return;
    this.slotOfFlow.data[flow] = 0;
    const conn = this.pool[slot]!;
    this.store(rowA, conn, 0);
    this.store(rowB, conn, 1);
    this.freeSlots.push(slot);
  }

  private store(row: number, conn: ConnectionReassembler, dir: 0 | 1): void {
    const t = conn.directions[dir].finish();
    this.bytes.data[row] = t.bytes;
    this.missing.data[row] = t.missing;
    this.ooo.data[row] = t.outOfOrder;
    this.retrans.data[row] = t.retransmissions;
  }

  finish(ctx: FinishContext): { flowColumns: Column[]; packetColumns: Column[] } {
    for (let slot = 0; slot < this.pool.length; slot++) {
      const flow = this.poolFlow[slot]!;
      if (this.slotOfFlow.data[flow] === slot + 1) this.flowEnded(flow * 2, flow * 2 + 1);
    }
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

  /** a segment counts once as a conflicting overlap if any byte it repeats differs from the first copy */
  private compareOverlaps(ctx: FinishContext): void {
    const n = this.ovRow.length;
    const rows = this.ovRow.data, serials = this.ovSerial.data, olds = this.ovOld.data, news = this.ovNew.data, lens = this.ovLen.data;
    let countedRow = -1, countedSerial = -1;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!, serial = serials[i]!;
      if (row === countedRow && serial === countedSerial) continue;
      const a = ctx.payload.read(olds[i]!, lens[i]!), b = ctx.payload.read(news[i]!, lens[i]!);
      if (!sameBytes(a, b)) {
        this.conflicts.data[row]!++;
        this.conflictTotal++;
        countedRow = row;
        countedSerial = serial;
      }
    }
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
