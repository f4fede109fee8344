import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionReassembler, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from './engine.ts';
import { StreamTracker } from './tracker.ts';

/** mulberry32: the same sequences on every run */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A messy connection: handshakes (sometimes restarted), data with loss, reordering, retransmission, keep-alives, zero windows, wraps, FIN/RST. */
function randomSegments(seed: number): { dir: 0 | 1; seg: TcpSegment }[] {
  const r = rng(seed);
  const out: { dir: 0 | 1; seg: TcpSegment }[] = [];
  const isn = [Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)];
  const next = [isn[0]!, isn[1]!];
  let file = 1000;
  const count = 20 + Math.floor(r() * 60);
  for (let i = 0; i < count; i++) {
    const dir = (r() < 0.6 ? 0 : 1) as 0 | 1;
    let flags = TCP_ACK;
    if (i < 2 && r() < 0.7) flags = i === 0 ? TCP_SYN : TCP_SYN | TCP_ACK;
    if (r() < 0.03) flags = TCP_SYN; // a late or restarting SYN
    if (r() < 0.04) flags |= TCP_FIN;
    if (r() < 0.02) flags |= TCP_RST;
    const back = r() < 0.2 ? Math.floor(r() * 3000) : 0; // retransmission or reordering
    const skip = r() < 0.1 ? Math.floor(r() * 2000) : 0; // loss
    let len = r() < 0.3 ? 0 : Math.floor(r() * 1500);
    if (r() < 0.05) len = 1;
    let seq = (next[dir]! - back + skip) >>> 0;
    if (r() < 0.08) { seq = (next[dir]! - 1) >>> 0; len = r() < 0.5 ? 0 : 1; flags = TCP_ACK; } // keep-alive
    if (r() < 0.05) { seq = next[dir]!; len = 1; flags = TCP_ACK; } // a zero-window probe when the peer's window is 0
    const captured = r() < 0.1 ? Math.floor(r() * len) : len;
    const window = r() < 0.1 ? 0 : 1000;
    out.push({ dir, seg: { seq, ack: (next[dir ^ 1]! - (r() < 0.2 ? 500 : 0)) >>> 0, flags, window, payloadLen: len, capturedLen: captured, fileOffset: file, packetRow: i } });
    file += len + 100;
    if (back === 0 && seq === ((next[dir]! + skip) >>> 0)) next[dir] = (seq + len + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0)) >>> 0;
  }
  return out;
}

test('tracker: the same segment kinds, totals and overlapped bytes as the full engine, on random connections', () => {
  const kinds = { keepAlives: 0, probes: 0, retransmissions: 0, outOfOrder: 0, overlaps: 0 };
  for (let seed = 1; seed <= 400; seed++) {
    const segments = randomSegments(seed);
    const full: number[][] = [], tracked: number[][] = [];
    const conn = new ConnectionReassembler((dir, oldOffset, newOffset, length, serial) => {
      for (let i = 0; i < length; i++) full.push([dir, serial, newOffset + i]);
    });
    const tracker = new StreamTracker((row, position, length, newFileOffset, serial) => {
      for (let i = 0; i < length; i++) tracked.push([row - 10, serial, newFileOffset + i]);
    });
    tracker.ensure(11); // rows 10 and 11: a flow that is not the first
    for (const { dir, seg } of segments) {
      assert.equal(tracker.add(10 + dir, seg), conn.add(dir, seg), `seed ${seed}: kind of segment ${seg.packetRow}`);
    }
    for (const dir of [0, 1] as const) {
      assert.deepEqual(tracker.totals(10 + dir), { ...conn.directions[dir].finish() }, `seed ${seed}: totals of direction ${dir}`);
    }
    assert.deepEqual(tracked, full, `seed ${seed}: overlapped bytes`);
    for (const dir of [0, 1] as const) {
      const t = conn.directions[dir].finish();
      kinds.keepAlives += t.keepAlives; kinds.probes += t.zeroWindowProbes; kinds.retransmissions += t.retransmissions; kinds.outOfOrder += t.outOfOrder;
    }
    kinds.overlaps += full.length;
  }
  // the sequences do exercise every path
  for (const [name, n] of Object.entries(kinds)) assert.ok(n > 20, `${name}: ${n}`);
});

test('tracker: firstCopies of the full engine finds the first copy of every overlapped position', () => {
  const overlaps: { position: number; length: number }[] = [];
  const tracker = new StreamTracker((_row, position, length) => overlaps.push({ position, length }));
  const conn = new ConnectionReassembler();
  tracker.ensure(1);
  const segs: TcpSegment[] = [
    { seq: 100, ack: 0, flags: TCP_ACK, window: 1, payloadLen: 10, capturedLen: 10, fileOffset: 1000, packetRow: 0 },
    { seq: 120, ack: 0, flags: TCP_ACK, window: 1, payloadLen: 10, capturedLen: 10, fileOffset: 2000, packetRow: 1 },
    { seq: 105, ack: 0, flags: TCP_ACK, window: 1, payloadLen: 20, capturedLen: 20, fileOffset: 3000, packetRow: 2 },
  ];
  for (const s of segs) { tracker.add(0, s); conn.add(0, s); }
  const copies: number[][] = [];
  for (const o of overlaps) conn.directions[0].firstCopies(o.position, o.position + o.length, (file, pos, len) => copies.push([file, len]));
  assert.deepEqual(copies, [[1005, 5], [2000, 5]]);
});
