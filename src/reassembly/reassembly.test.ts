import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../../samples/gen/layers.ts';
import type { LoadedCapture } from '../store/load.ts';
import { loadCapture } from '../store/load.ts';
import { withConnection, type CraftedSegment } from './testCapture.ts';
import { readStream, streamOf } from './stream.ts';
import { followFlow } from './follow.ts';

const C = 1000, S = 5000; // initial sequence numbers of client and server
const PA = TCP_PSH | TCP_ACK;

function handshake(cIsn = C, sIsn = S): CraftedSegment[] {
  return [
    { from: 'c', seq: cIsn, flags: TCP_SYN },
    { from: 's', seq: sIsn, ack: cIsn + 1, flags: TCP_SYN | TCP_ACK },
    { from: 'c', seq: cIsn + 1, ack: sIsn + 1, flags: TCP_ACK },
  ];
}

/** flow column value of flow 1, direction A or B */
function flowValue(c: LoadedCapture, name: string, dir: 'A' | 'B', flowInd = 1): number {
  const flows = c.flows;
  const col = flows.column(name);
  assert.ok(col, `flows has ${name}`);
  for (let r = 0; r < flows.rowCount; r++) {
    if (flows.column('flowInd')!.get(r) === flowInd && flows.column('dir')!.get(r) === dir) return col.get(r) as number;
  }
  throw new Error(`no row for flow ${flowInd} ${dir}`);
}

function counters(c: LoadedCapture, dir: 'A' | 'B') {
  return {
    bytes: flowValue(c, 'tcpStreamBytes', dir), missing: flowValue(c, 'tcpStreamMissing', dir),
    ooo: flowValue(c, 'tcpStreamOoo', dir), retrans: flowValue(c, 'tcpStreamRetrans', dir), conflicts: flowValue(c, 'tcpStreamConflicts', dir),
  };
}

const text = (b: Uint8Array | string) => (typeof b === 'string' ? b : Buffer.from(b).toString('latin1'));

test('in-order data: bytes counted, both directions followed in arrival order', async () => {
  await withConnection([
    ...handshake(),
    { from: 's', seq: S + 1, ack: C + 1, flags: PA, data: '220 ready\r\n' },
    { from: 'c', seq: C + 1, ack: S + 12, flags: PA, data: 'USER anonymous\r\n' },
    { from: 's', seq: S + 12, ack: C + 17, flags: PA, data: '331 password?\r\n' },
    { from: 'c', seq: C + 17, ack: S + 27, flags: TCP_FIN | TCP_ACK },
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 16, missing: 0, ooo: 0, retrans: 0, conflicts: 0 });
    assert.deepEqual(counters(c, 'B'), { bytes: 26, missing: 0, ooo: 0, retrans: 0, conflicts: 0 });
    assert.equal(text(followFlow(c, 1, { format: 'raw' })), '220 ready\r\nUSER anonymous\r\n331 password?\r\n');
    assert.equal(text(followFlow(c, 1, { format: 'raw', dir: 'A' })), 'USER anonymous\r\n');
    assert.equal(followFlow(c, 1, { format: 'ascii' }), [
      'Follow flow 1: A 192.0.2.10:40000 <-> B 192.0.2.21:21',
      'B> 220 ready\\r',
      'A> USER anonymous\\r',
      'B> 331 password?\\r',
      '',
    ].join('\n'));
    const chunks = streamOf(c, 1, 'B');
    assert.deepEqual(chunks.map((k) => [k.streamOffset, k.length, k.gap, k.firstPacketRow]), [[0, 11, false, 3], [11, 15, false, 5]]);
    assert.equal(chunks[1]!.time, 1_700_000_000.005);
  });
});

test('out-of-order segments are placed by sequence number and delivered when the hole fills', async () => {
  await withConnection([
    ...handshake(),
    { from: 'c', seq: C + 6, ack: S + 1, flags: PA, data: 'world' },
    { from: 's', seq: S + 1, ack: C + 1, flags: PA, data: 'ok' },
    { from: 'c', seq: C + 1, ack: S + 3, flags: PA, data: 'hello' },
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 10, missing: 0, ooo: 1, retrans: 0, conflicts: 0 });
    assert.equal(text(followFlow(c, 1, { format: 'raw', dir: 'A' })), 'helloworld');
    // "world" arrived first but becomes deliverable only with "hello", after the server's "ok"
    assert.equal(text(followFlow(c, 1, { format: 'raw' })), 'okhelloworld');
    const a = streamOf(c, 1, 'A');
    assert.deepEqual(a.map((k) => [k.streamOffset, k.firstPacketRow, k.deliveredAtRow]), [[0, 5, 5], [5, 3, 5]]);
  });
});

test('a retransmission with the same bytes counts as retransmitted, not conflicting', async () => {
  await withConnection([
    ...handshake(),
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: 'abcdef' },
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: 'abcdef' },
    { from: 'c', seq: C + 4, ack: S + 1, flags: PA, data: 'defghi' }, // partly new
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 9, missing: 0, ooo: 0, retrans: 2, conflicts: 0 });
    assert.equal(text(followFlow(c, 1, { format: 'raw' })), 'abcdefghi');
  });
});

test('an overlap with different bytes is a conflict and the first copy wins', async () => {
  await withConnection([
    ...handshake(),
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: 'abcdef' },
    { from: 'c', seq: C + 4, ack: S + 1, flags: PA, data: 'XYZghi' }, // "def" rewritten as "XYZ"
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: 'abc' }, // same bytes again
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 9, missing: 0, ooo: 0, retrans: 2, conflicts: 1 });
    assert.equal(text(readStream(c, 1, 'A').bytes), 'abcdefghi');
  });
});

test('an out-of-order copy that is later overlapped differently keeps the earlier arrival', async () => {
  await withConnection([
    ...handshake(),
    { from: 'c', seq: C + 4, ack: S + 1, flags: PA, data: 'DEF' },
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: 'abcdef' },
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 6, missing: 0, ooo: 0, retrans: 1, conflicts: 1 });
    assert.equal(text(readStream(c, 1, 'A').bytes), 'abcDEF');
  });
});

test('sequence numbers wrapping past 2^32 stay one stream', async () => {
  const isn = 0xffff_fff0;
  const data = 'x'.repeat(10) + 'y'.repeat(20) + 'z'.repeat(10);
  await withConnection([
    ...handshake(isn),
    { from: 'c', seq: isn + 1, ack: S + 1, flags: PA, data: data.slice(0, 10) },
    { from: 'c', seq: (isn + 11) >>> 0, ack: S + 1, flags: PA, data: data.slice(10, 30) }, // crosses 2^32
    { from: 'c', seq: (isn + 31) >>> 0, ack: S + 1, flags: PA, data: data.slice(30) },
    { from: 'c', seq: (isn + 41) >>> 0, ack: S + 1, flags: TCP_FIN | TCP_ACK },
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 40, missing: 0, ooo: 0, retrans: 0, conflicts: 0 });
    assert.equal(text(followFlow(c, 1, { format: 'raw' })), data);
    assert.deepEqual(streamOf(c, 1, 'A').map((k) => k.streamOffset), [0, 10, 30]);
  });
});

test('a segment cut by the snaplen leaves its missing bytes as a gap', async () => {
  const payload = 'A'.repeat(40) + 'B'.repeat(60);
  await withConnection([
    ...handshake(),
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: payload, capture: 54 + 40 },
    { from: 'c', seq: C + 101, ack: S + 1, flags: PA, data: 'tail' },
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 44, missing: 60, ooo: 0, retrans: 0, conflicts: 0 });
    assert.deepEqual(streamOf(c, 1, 'A').map((k) => [k.streamOffset, k.length, k.gap]), [[0, 40, false], [40, 60, true], [100, 4, false]]);
    const slice = readStream(c, 1, 'A', 30, 104);
    assert.deepEqual(slice.gaps, [{ start: 40, end: 100 }]);
    assert.equal(text(slice.bytes.subarray(0, 10)), 'A'.repeat(10));
    assert.ok(slice.bytes.subarray(10, 70).every((b) => b === 0));
    assert.equal(text(slice.bytes.subarray(70)), 'tail');
    assert.equal(followFlow(c, 1, { format: 'ascii' }).split('\n').slice(1, 4).join('\n'),
      `A> ${'A'.repeat(40)}\nA> [... 60 bytes missing ...]\nA> tail`);
    assert.equal(text(followFlow(c, 1, { format: 'raw' })), 'A'.repeat(40) + 'tail');
  });
});

test('a segment never captured is a gap; a later retransmission fills it', async () => {
  const lost: CraftedSegment[] = [
    ...handshake(),
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: 'one ' },
    { from: 'c', seq: C + 9, ack: S + 1, flags: PA, data: 'three' }, // "two " (C+5..C+9) never captured
  ];
  await withConnection(lost, (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 9, missing: 4, ooo: 0, retrans: 0, conflicts: 0 });
    assert.equal(followFlow(c, 1, { format: 'hex' }).split('\n').slice(1).join('\n'), [
      '00000000  6f 6e 65 20' + ' '.repeat(39) + 'one ',
      '[... 4 bytes missing ...]',
      '00000008  74 68 72 65 65' + ' '.repeat(36) + 'three',
      '',
    ].join('\n'));
  });
  await withConnection([...lost, { from: 'c', seq: C + 5, ack: S + 1, flags: PA, data: 'two ' }], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 13, missing: 0, ooo: 1, retrans: 0, conflicts: 0 });
    assert.equal(text(followFlow(c, 1, { format: 'raw' })), 'one two three');
  });
});

test('bytes the peer acknowledged but the capture never saw are missing at the end', async () => {
  await withConnection([
    ...handshake(),
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: 'seen' },
    { from: 's', seq: S + 1, ack: C + 15, flags: TCP_ACK }, // acks 10 bytes more than captured
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 4, missing: 10, ooo: 0, retrans: 0, conflicts: 0 });
    assert.deepEqual(streamOf(c, 1, 'A').map((k) => [k.streamOffset, k.length, k.gap]), [[0, 4, false], [4, 10, true]]);
  });
});

test('keep-alives (one garbage byte or none at the next sequence number minus one) are ignored', async () => {
  await withConnection([
    ...handshake(),
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: 'data' },
    { from: 'c', seq: C + 4, ack: S + 1, flags: TCP_ACK, data: '\0' },
    { from: 'c', seq: C + 4, ack: S + 1, flags: TCP_ACK },
    { from: 'c', seq: C + 5, ack: S + 1, flags: PA, data: 'more' },
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 8, missing: 0, ooo: 0, retrans: 0, conflicts: 0 });
    assert.equal(text(followFlow(c, 1, { format: 'raw' })), 'datamore');
  });
});

test('zero-window probes carry the next byte; resending it is no retransmission', async () => {
  await withConnection([
    ...handshake(),
    { from: 'c', seq: C + 1, ack: S + 1, flags: PA, data: 'abcd' },
    { from: 's', seq: S + 1, ack: C + 5, flags: TCP_ACK, window: 0 },
    { from: 'c', seq: C + 5, ack: S + 1, flags: TCP_ACK, data: 'e' }, // probe
    { from: 's', seq: S + 1, ack: C + 5, flags: TCP_ACK, window: 0 },
    { from: 'c', seq: C + 5, ack: S + 1, flags: TCP_ACK, data: 'e' }, // probe again
    { from: 's', seq: S + 1, ack: C + 5, flags: TCP_ACK, window: 8192 },
    { from: 'c', seq: C + 5, ack: S + 1, flags: PA, data: 'efgh' },
  ], (c) => {
    assert.deepEqual(counters(c, 'A'), { bytes: 8, missing: 0, ooo: 0, retrans: 0, conflicts: 0 });
    assert.equal(text(followFlow(c, 1, { format: 'raw' })), 'abcdefgh');
  });
});

test('a FIN before the last data segment ends the stream after that data', async () => {
  await withConnection([
    ...handshake(),
    { from: 's', seq: S + 1, ack: C + 1, flags: PA, data: 'first ' },
    { from: 's', seq: S + 13, ack: C + 1, flags: TCP_FIN | TCP_ACK }, // FIN overtakes "second"
    { from: 's', seq: S + 7, ack: C + 1, flags: PA, data: 'second' },
    { from: 's', seq: S + 14, ack: C + 1, flags: PA, data: 'junk' }, // beyond the FIN: not stream data
  ], (c) => {
    assert.deepEqual(counters(c, 'B'), { bytes: 12, missing: 0, ooo: 1, retrans: 0, conflicts: 0 });
    assert.equal(text(followFlow(c, 1, { format: 'raw' })), 'first second');
  });
});

test('samples/ftp-fin-out-of-order.pcap: the data connection delivers every byte despite the early FIN', async () => {
  const c = await loadCapture(resolve(import.meta.dirname, '../../samples/ftp-fin-out-of-order.pcap'));
  try {
    const flows = c.flows;
    let checked = 0;
    for (let r = 0; r < flows.rowCount; r++) {
      if (flows.column('l4Proto')!.get(r) !== 6) continue;
      const flowInd = flows.column('flowInd')!.get(r) as number, dir = flows.column('dir')!.get(r) as 'A' | 'B';
      // every TCP direction of this sample is complete, and the data connection's FIN arrives early
      assert.equal(flowValue(c, 'tcpStreamMissing', dir, flowInd), 0, `flow ${flowInd} ${dir}`);
      assert.equal(flowValue(c, 'tcpStreamBytes', dir, flowInd), readStream(c, flowInd, dir).bytes.length);
      checked++;
    }
    assert.ok(checked >= 4);
    const ooo = Array.from({ length: flows.rowCount }, (_, r) => flows.column('tcpStreamOoo')!.get(r) as number);
    assert.ok(ooo.some((n) => n > 0), 'the late data segment is counted out of order');
  } finally {
    c.close();
  }
});
