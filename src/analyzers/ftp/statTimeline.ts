/**
 * When each ftpStat bit became known, per flow: the packets-table row of the packet whose
 * arrival made flowsh set it (the reply that announced an endpoint, the 230 that ended a login,
 * the data connection's first packet once its endpoint was announced, ...). A flow's ftpStat is
 * the OR of its bits; a packet's ftpStat is the OR of its flow's bits known at or before it, so
 * the packet that first set a bit is the first one that shows it (Tranalyzer's packet mode prints
 * the flow's ftpStat after each packet the same way).
 */
export class StatTimeline {
  /** flowInd -> bit value -> earliest row */
  private readonly first = new Map<number, Map<number, number>>();

  /** Sets `bits` on flow `flowInd` as known from packet row `row` (an earlier row wins). */
  set(flowInd: number, bits: number, row: number): void {
    if (bits === 0) return;
    let bitsOf = this.first.get(flowInd);
    if (!bitsOf) { bitsOf = new Map(); this.first.set(flowInd, bitsOf); }
    const at = Number.isFinite(row) && row >= 0 ? row : Number.MAX_SAFE_INTEGER;
    for (let rest = bits >>> 0; rest !== 0;) {
      const bit = (rest & -rest) >>> 0;
      rest = (rest & ~bit) >>> 0;
      const known = bitsOf.get(bit);
      if (known === undefined || at < known) bitsOf.set(bit, at);
    }
  }

  /** The flow's final ftpStat. */
  value(flowInd: number): number {
    let v = 0;
    for (const bit of this.first.get(flowInd)?.keys() ?? []) v |= bit;
    return v >>> 0;
  }

  has(flowInd: number): boolean {
    return this.first.has(flowInd);
  }

  /** Per packet row: the ftpStat of its flow after that packet (0 for flows without bits). */
  perPacket(flowOfRow: ((row: number) => number) | ArrayLike<number>, rowCount: number): Float64Array {
    // by flowInd in a plain array: one lookup per packet, no Map
    type Events = { rows: number[]; bits: number[]; next: number; value: number };
    const events: Events[] = [];
    let maxInd = -1;
    for (const flowInd of this.first.keys()) if (Number.isInteger(flowInd) && flowInd > maxInd) maxInd = flowInd;
    const eventsOf = new Int32Array(maxInd + 1).fill(-1);
    for (const [flowInd, bitsOf] of this.first) {
      if (!(Number.isInteger(flowInd) && flowInd >= 0)) continue;
      const sorted = [...bitsOf].sort((x, y) => x[1] - y[1]);
      eventsOf[flowInd] = events.push({ rows: sorted.map((e) => e[1]), bits: sorted.map((e) => e[0]), next: 0, value: 0 }) - 1;
    }
    const flowOf = typeof flowOfRow === 'function' ? flowOfRow : (r: number) => flowOfRow[r]!;
    const out = new Float64Array(rowCount);
    if (events.length === 0) return out;
    for (let r = 0; r < rowCount; r++) {
      const f = flowOf(r);
      const i = f >= 0 && f <= maxInd ? eventsOf[f]! : -1;
      if (i < 0) continue;
      const e = events[i]!;
      while (e.next < e.rows.length && e.rows[e.next]! <= r) e.value = (e.value | e.bits[e.next++]!) >>> 0;
      out[r] = e.value;
    }
    return out;
  }
}
