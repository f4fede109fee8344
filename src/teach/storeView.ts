/**
 * Reading a loaded capture's tables by flow and packet for the teaching statements (explain
 * flow/packet, ladder, bursts): flows-table rows of a flowInd, packets-table rows of a flow, and
 * typed access to column values. Built once per capture and kept beside it.
 */
import type { LoadedCapture } from '../store/load.ts';
import type { Column, Table } from '../store/table.ts';
import type { Value } from '../store/value.ts';
import { flowPacketRows } from '../reassembly/stream.ts';

export type Dir = 'A' | 'B';

/** the flows-table rows of one flowInd (-1: that direction has no packets) */
export interface FlowRowPair {
  readonly a: number;
  readonly b: number;
}

const views = new WeakMap<LoadedCapture, StoreView>();

export function storeView(capture: LoadedCapture): StoreView {
  let v = views.get(capture);
  if (!v) { v = new StoreView(capture); views.set(capture, v); }
  return v;
}

export function numberOf(value: Value | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return NaN;
}

export class StoreView {
  /** flowInd -> flows-table row of A, B */
  private readonly rowsA: Int32Array;
  private readonly rowsB: Int32Array;
  readonly maxFlow: number;

  constructor(readonly capture: LoadedCapture) {
    const flows = capture.flows;
    const ind = flows.column('flowInd'), dir = flows.column('dir');
    let max = 0;
    for (let r = 0; r < flows.rowCount; r++) max = Math.max(max, numberOf(ind?.get(r)));
    this.maxFlow = max;
    this.rowsA = new Int32Array(max + 1).fill(-1);
    this.rowsB = new Int32Array(max + 1).fill(-1);
    for (let r = 0; r < flows.rowCount; r++) {
      const f = numberOf(ind?.get(r));
      if (dir?.get(r) === 'B') this.rowsB[f] = r; else this.rowsA[f] = r;
    }
  }

  hasFlow(flowInd: number): boolean {
    return flowInd >= 1 && flowInd <= this.maxFlow && (this.rowsA[flowInd]! >= 0 || this.rowsB[flowInd]! >= 0);
  }

  flowRows(flowInd: number): FlowRowPair {
    if (!(flowInd >= 1 && flowInd <= this.maxFlow)) return { a: -1, b: -1 };
    return { a: this.rowsA[flowInd]!, b: this.rowsB[flowInd]! };
  }

  /** packets-table rows of a flow, in capture order */
  packetRows(flowInd: number): Int32Array {
    return this.hasFlow(flowInd) ? flowPacketRows(this.capture, flowInd) : new Int32Array(0);
  }

  get packets(): Table { return this.capture.packets; }
  get flows(): Table { return this.capture.flows; }

  private static value(table: Table, name: string, row: number): Value | undefined {
    if (row < 0) return undefined;
    return table.column(name)?.get(row);
  }

  flow(name: string, row: number): Value | undefined { return StoreView.value(this.capture.flows, name, row); }
  flowNum(name: string, row: number): number { return numberOf(this.flow(name, row)); }
  /** a flag column's value as a bigint (0n when absent) */
  flowBits(name: string, row: number): bigint { return bitsOf(this.flow(name, row)); }
  flowText(name: string, row: number): string { return row < 0 ? '' : this.capture.flows.column(name)?.text(row) ?? ''; }

  packet(name: string, row: number): Value | undefined { return StoreView.value(this.capture.packets, name, row); }
  packetNum(name: string, row: number): number { return numberOf(this.packet(name, row)); }
  packetBits(name: string, row: number): bigint { return bitsOf(this.packet(name, row)); }
  packetText(name: string, row: number): string { return this.capture.packets.column(name)?.text(row) ?? ''; }
  packetColumn(name: string): Column | undefined { return this.capture.packets.column(name); }

  /** "192.0.2.10:52875" or "[2001:db8::10]:21" of a flows-table row's source (dst: its destination) */
  endpoint(row: number, side: 'src' | 'dst'): string {
    return endpointText(this.flowText(side === 'src' ? 'srcIP' : 'dstIP', row), this.flowNum(side === 'src' ? 'srcPort' : 'dstPort', row));
  }
}

export function bitsOf(value: Value | undefined): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  return 0n;
}

export function endpointText(ip: string, port: number): string {
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}
