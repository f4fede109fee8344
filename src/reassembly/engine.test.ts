import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionReassembler, DirectionReassembler, SegmentKind, TCP_ACK, TCP_FIN, TCP_SYN, type TcpSegment } from './engine.ts';

const seg = (seq: number, len: number, fileOffset: number, flags = 0, packetRow = 0, captured = len): TcpSegment =>
  ({ seq, ack: 0, flags, window: 1, payloadLen: len, capturedLen: captured, fileOffset, packetRow });

const layout = (d: DirectionReassembler) => d.chunks().map((k) => [k.streamOffset, k.length, k.gap ? 'gap' : k.fileOffset]);

test('engine: SYN and FIN each take one sequence number; data beyond the FIN is ignored', () => {
  const d = new DirectionReassembler();
  assert.equal(d.add(seg(0xffff_fffe, 0, 0, TCP_SYN), false), SegmentKind.Empty);
  assert.equal(d.add(seg(0xffff_ffff, 3, 100, TCP_ACK), false), SegmentKind.InOrder); // wraps after one byte
  assert.equal(d.add(seg(2, 2, 200, TCP_ACK | TCP_FIN), false), SegmentKind.InOrder);
  assert.equal(d.add(seg(4, 5, 300, TCP_ACK), false), SegmentKind.BeyondFin); // 4 is the FIN's number
  assert.deepEqual(layout(d), [[0, 3, 100], [3, 2, 200]]);
  assert.deepEqual({ ...d.finish() }, { bytes: 5, missing: 0, outOfOrder: 0, retransmissions: 0, keepAlives: 0, zeroWindowProbes: 0, dataSegments: 2 });
});

test('engine: without a SYN the stream starts at the lowest byte seen, even one arriving later', () => {
  const d = new DirectionReassembler();
  d.add(seg(500, 10, 1000), false);
  assert.equal(d.add(seg(480, 10, 2000), false), SegmentKind.OutOfOrder);
  assert.deepEqual(layout(d), [[0, 10, 2000], [10, 10, 'gap'], [20, 10, 1000]]);
});

test('engine: keep-alives and zero-window probes are told apart from data', () => {
  const conn = new ConnectionReassembler();
  const [a] = conn.directions;
  conn.add(0, seg(100, 10, 0));
  assert.equal(conn.add(0, seg(109, 1, 50)), SegmentKind.KeepAlive);
  assert.equal(conn.add(0, seg(109, 0, 60)), SegmentKind.Empty);
  // a 1-byte segment at the next sequence number is only a probe while the peer's window is zero
  conn.add(1, { ...seg(7000, 0, 0, TCP_ACK), ack: 110, window: 0 });
  assert.equal(conn.add(0, seg(110, 1, 70)), SegmentKind.ZeroWindowProbe);
  assert.equal(conn.add(0, seg(110, 1, 80)), SegmentKind.ZeroWindowProbe);
  conn.add(1, { ...seg(7000, 0, 0, TCP_ACK), ack: 110, window: 512 });
  assert.equal(conn.add(0, seg(110, 4, 90)), SegmentKind.InOrder);
  assert.equal(conn.add(0, seg(110, 1, 95)), SegmentKind.Retransmission);
  assert.deepEqual(layout(a), [[0, 10, 0], [10, 1, 70], [11, 3, 91]]);
});

test('engine: a snaplen cut claims its sequence space but leaves a gap a later full copy fills', () => {
  const d = new DirectionReassembler();
  d.add(seg(0, 100, 1000, 0, 0, 30), false);
  assert.deepEqual(layout(d), [[0, 30, 1000], [30, 70, 'gap']]);
  assert.equal(d.add(seg(0, 100, 5000), false), SegmentKind.Retransmission);
  assert.deepEqual(layout(d), [[0, 30, 1000], [30, 70, 5030]]);
});

test('engine: positions unwrap across several wraps and gaps stay byte ranges', () => {
  const d = new DirectionReassembler();
  const s = seg(0, 0, 0);
  let seq = 0xffff_0000, file = 0;
  // 3 * 2^16 segments of 2^16 bytes = 3 * 2^32 bytes of sequence space; every 1000th segment lost
  for (let i = 0; i < 3 * 65536; i++, seq = (seq + 65536) >>> 0) {
    if (i % 1000 === 999) continue;
    Object.assign(s, { seq, payloadLen: 65536, capturedLen: 65536, fileOffset: file, packetRow: i });
    file += 65536;
    assert.equal(d.add(s, false), SegmentKind.InOrder);
  }
  const t = d.finish();
  const lost = Math.floor(3 * 65536 / 1000);
  assert.equal(t.missing, lost * 65536);
  assert.equal(t.bytes, 3 * 2 ** 32 - lost * 65536);
  assert.equal(d.chunks().filter((k) => k.gap).length, lost);
});

test('engine: overlaps are reported with both file offsets, once per overlapping piece', () => {
  const seen: number[][] = [];
  const conn = new ConnectionReassembler((dir, oldOff, newOff, len, serial) => seen.push([dir, oldOff, newOff, len, serial]));
  conn.add(0, seg(100, 10, 1000)); // [100,110)
  conn.add(0, seg(120, 10, 2000)); // [120,130)
  assert.equal(conn.add(0, seg(105, 20, 3000)), SegmentKind.Retransmission); // overlaps both, fills [110,120)
  assert.deepEqual(seen, [[0, 1005, 3000, 5, 3], [0, 2000, 3015, 5, 3]]);
  assert.deepEqual(layout(conn.directions[0]), [[0, 10, 1000], [10, 10, 3005], [20, 10, 2000]]);
});

test('engine: payload that arrived before a FIN placed below it is kept; payload after that FIN is not', () => {
  const d = new DirectionReassembler();
  d.add(seg(100, 0, 0, TCP_SYN), false);
  d.add(seg(101, 10, 1000), false);
  d.add(seg(111, 5, 2000), false);
  assert.equal(d.add(seg(111, 0, 0, TCP_FIN), false), SegmentKind.Empty); // below the 5 bytes already seen
  assert.equal(d.add(seg(116, 4, 3000), false), SegmentKind.BeyondFin);
  assert.deepEqual(layout(d), [[0, 10, 1000], [10, 5, 2000]]);
});

test('engine: a SYN with another ISN before any payload restarts the stream at the new ISN', () => {
  const d = new DirectionReassembler();
  d.add(seg(238_755_595, 0, 0, TCP_SYN | TCP_ACK), false);
  d.add(seg(2_829_651_200, 0, 0, TCP_SYN | TCP_ACK), false); // more than 2^31 away
  assert.equal(d.add(seg(2_829_651_201, 96, 5000, TCP_ACK), false), SegmentKind.InOrder);
  assert.deepEqual(layout(d), [[0, 96, 5000]]);
  d.add(seg(7, 0, 0, TCP_SYN), false); // after payload: ignored
  assert.deepEqual(layout(d), [[0, 96, 5000]]);
});

test('engine: finish() counts the bytes and gaps that chunks() lists', () => {
  const d = new DirectionReassembler();
  d.add(seg(50, 0, 0, TCP_SYN), false);
  d.add(seg(61, 10, 1000), false); // 10-byte hole before
  d.add(seg(80, 30, 2000, 0, 1, 12), false); // cut after 12 bytes
  d.add(seg(56, 10, 3000), false); // overlaps the first chunk by 5
  d.acked(200); // peer acknowledged up to 200: 90 more bytes never captured
  const chunks = d.chunks();
  const t = d.finish();
  assert.equal(t.bytes, chunks.filter((k) => !k.gap).reduce((n, k) => n + k.length, 0));
  assert.equal(t.missing, chunks.filter((k) => k.gap).reduce((n, k) => n + k.length, 0));
  assert.deepEqual([t.bytes, t.missing], [27, 122]); // stream [51, 200): 5 + 10 + 12 captured
});
