import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ipv4, mac } from '../../../samples/gen/addr.ts';
import {
  ETHERTYPE_IPV4, IPPROTO_TCP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN,
  ethernet, ipv4Packet, tcpSegment, type TcpOption,
} from '../../../samples/gen/layers.ts';
import { loadCapture } from '../../store/load.ts';
import { compositeTcpFlags } from './tcpFlags.ts';
import { column, loadFrames as load, type Frame } from './testFrames.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLIENT = ipv4('192.0.2.10'), SERVER = ipv4('192.0.2.21');
const CMAC = mac('02:00:00:00:00:0a'), SMAC = mac('02:00:00:00:00:15');

interface Extra { window?: number; options?: readonly TcpOption[]; ttl?: number; id?: number; tos?: number; df?: boolean }
let nextId = 1;

/** A TCP packet from the client ('c', port 40000) or the server ('s', port 80), t seconds after T0. */
function tcp(t: number, from: 'c' | 's', flags: number, seq: number, ack: number, text = '', x: Extra = {}): Frame {
  const [src, dst, smac, dmac] = from === 'c' ? [CLIENT, SERVER, CMAC, SMAC] : [SERVER, CLIENT, SMAC, CMAC];
  const [sport, dport] = from === 'c' ? [40000, 80] : [80, 40000];
  const seg = tcpSegment(src, dst, { srcPort: sport, dstPort: dport, seq, ack, flags, window: x.window ?? 8192, options: x.options },
    new TextEncoder().encode(text));
  const ip = ipv4Packet({ src, dst, protocol: IPPROTO_TCP, id: x.id ?? nextId++, ttl: x.ttl ?? 64, tos: x.tos, dontFragment: x.df }, seg);
  return { t, frame: ethernet({ src: smac, dst: dmac, etherType: ETHERTYPE_IPV4 }, ip) };
}



const SYN_OPTIONS: TcpOption[] = [
  { kind: 'mss', mss: 1460 }, { kind: 'sackPermitted' }, { kind: 'timestamps', tsVal: 1000, tsEcr: 0 }, { kind: 'nop' },
  { kind: 'windowScale', shift: 7 },
];
const SYNACK_OPTIONS: TcpOption[] = [
  { kind: 'mss', mss: 1400 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackPermitted' }, { kind: 'nop' }, { kind: 'windowScale', shift: 2 },
];

/** client ISN 100, server ISN 500; a request of 7 bytes, a 5-byte answer, FIN from both */
const connection = (): Frame[] => [
  tcp(0, 'c', TCP_SYN, 100, 0, '', { window: 64240, options: SYN_OPTIONS }),
  tcp(0.001, 's', TCP_SYN | TCP_ACK, 500, 101, '', { window: 65160, options: SYNACK_OPTIONS }),
  tcp(0.002, 'c', TCP_ACK, 101, 501, '', { window: 502 }),
  tcp(0.010, 'c', TCP_PSH | TCP_ACK, 101, 501, 'GET /\r\n', { window: 502 }),
  tcp(0.011, 's', TCP_PSH | TCP_ACK, 501, 108, 'hello', { window: 509 }),
  tcp(0.020, 'c', TCP_FIN | TCP_ACK, 108, 506, '', { window: 502 }),
  tcp(0.021, 's', TCP_ACK, 506, 109, '', { window: 509 }),
  tcp(0.022, 's', TCP_FIN | TCP_ACK, 506, 109, '', { window: 509 }),
  tcp(0.023, 'c', TCP_ACK, 109, 507, '', { window: 502 }),
];

test('composite tcpFlags bits follow Tranalyzer\'s table', () => {
  assert.equal(compositeTcpFlags(TCP_SYN | TCP_ACK), 0x0212);
  assert.equal(compositeTcpFlags(TCP_FIN | TCP_ACK), 0x0111);
  assert.equal(compositeTcpFlags(TCP_FIN | TCP_PSH | TCP_ACK), 0x0119, 'PSH does not hide FIN-ACK');
  assert.equal(compositeTcpFlags(TCP_RST | TCP_ACK), 0x0414);
  assert.equal(compositeTcpFlags(0), 0x0800);
  assert.equal(compositeTcpFlags(TCP_SYN | TCP_FIN), 0x1003);
  assert.equal(compositeTcpFlags(TCP_SYN | TCP_FIN | TCP_RST), 0x2007);
  assert.equal(compositeTcpFlags(TCP_RST | TCP_FIN), 0x4005);
  assert.equal(compositeTcpFlags(TCP_FIN | TCP_PSH | 0x20), 0x8029);
  assert.equal(compositeTcpFlags(0x40 | 0x80 | TCP_SYN), 0x00c2, 'ECE and CWR stay in the low byte');
});

test('a normal connection: tcpFlags 0x011b / 0x031b, no anomaly, options, windows and byte counts', async () => {
  await load(connection(), ({ flows, packets }) => {
    assert.deepEqual(column(flows, 'tcpFlags'), ['0x011b', '0x031b']);
    assert.deepEqual(column(flows, 'tcpAnomaly'), ['0x0000', '0x0000']);
    assert.deepEqual(column(flows, 'tcpISeqN'), ['100', '500']);
    assert.deepEqual(column(flows, 'tcpSeqSntBytes'), ['7', '5']);
    assert.deepEqual(column(flows, 'tcpFlwLssAckRcvdBytes'), ['5', '7'], 'the FIN is not counted as acknowledged data');
    assert.deepEqual(column(flows, 'tcpPAckCnt'), ['4', '4']);
    assert.deepEqual(column(flows, 'tcpPSeqCnt'), ['4', '4']);
    assert.deepEqual(column(flows, 'tcpMSS'), ['1460', '1400']);
    assert.deepEqual(column(flows, 'tcpWS'), ['128', '4']);
    assert.deepEqual(column(flows, 'tcpOptPktCnt'), ['1', '1']);
    assert.deepEqual(column(flows, 'tcpOptCnt'), ['5', '6']);
    assert.deepEqual(column(flows, 'tcpOptions'), ['0x0000011e', '0x0000001e']);
    assert.deepEqual(column(flows, 'tcpTmS'), ['1000', '0']);
    assert.deepEqual(column(flows, 'tcpJA4T'), ['64240_2-4-8-1-3_1460_7', '65160_2-1-1-4-1-3_1400_2']);
    // windows: the SYN is not scaled, later packets are (client shift 7, server shift 2)
    assert.deepEqual(column(flows, 'tcpInitWinSz'), ['64240', '65160']);
    assert.deepEqual(column(flows, 'tcpMaxWinSz'), ['64256', '65160']);
    assert.deepEqual(column(flows, 'tcpMinWinSz'), ['64240', '2036']);
    assert.deepEqual(column(flows, 'tcpWinSzUpCnt'), ['1', '0']);
    assert.deepEqual(column(flows, 'tcpWinSzDwnCnt'), ['0', '1']);
    // packet ok, window init, scaling; the client sent timestamps and its window went up, the server's down
    assert.deepEqual(column(flows, 'tcpFStat'), ['0x0a13', '0x0211']);
    assert.deepEqual(column(flows, 'ipMinTTL'), ['64', '64']);
    assert.deepEqual(column(flows, 'ipTTLChg'), ['0', '0']);
    // per packet
    assert.deepEqual(column(packets, 'tcpFlags'), ['0x0002', '0x0212', '0x0010', '0x0018', '0x0018', '0x0111', '0x0010', '0x0111', '0x0010']);
    assert.deepEqual(column(packets, 'relSeq'), ['0', '0', '1', '1', '1', '8', '6', '6', '9']);
    assert.deepEqual(column(packets, 'relAck'), ['0', '1', '1', '1', '8', '6', '9', '9', '7']);
    assert.deepEqual(column(packets, 'seq').slice(0, 2), ['100', '500']);
    assert.deepEqual(column(packets, 'ack').slice(0, 2), ['0', '101']);
    assert.deepEqual(column(packets, 'l7Len'), ['0', '0', '0', '7', '5', '0', '0', '0', '0']);
    assert.deepEqual(column(packets, 'tcpMLen'), ['0', '0', '0', '7', '5', '7', '5', '5', '7'], 'running payload sum per direction');
    assert.deepEqual(column(packets, 'tcpWin').slice(0, 3), ['64240', '65160', '64256']);
    assert.equal(column(packets, 'tcpOpts')[0], '0x02;0x04;0x05;0xb4;0x04;0x02;0x08;0x0a;0x00;0x00;0x03;0xe8;0x00;0x00;0x00;0x00;0x01;0x03;0x03;0x07');
    assert.equal(column(packets, 'tcpOpts')[2], '');
    assert.deepEqual(column(packets, 'tcpOptions').slice(0, 3), ['0x0000011e', '0x0000001e', '0x00000000']);
    assert.ok(column(packets, 'tcpAnomaly').every((v) => v === '0x0000'));
  });
});

test('a short handshake + FIN exchange trips Tranalyzer\'s scan heuristic (0x3000 / 0x2000)', async () => {
  const frames = [
    tcp(0, 'c', TCP_SYN, 100, 0),
    tcp(0.001, 's', TCP_SYN | TCP_ACK, 500, 101),
    tcp(0.002, 'c', TCP_ACK, 101, 501),
    tcp(0.003, 'c', TCP_FIN | TCP_ACK, 101, 501),
    tcp(0.004, 's', TCP_ACK, 501, 102),
    tcp(0.005, 's', TCP_FIN | TCP_ACK, 501, 102),
    tcp(0.006, 'c', TCP_ACK, 102, 502),
  ]; // the server side has 3 packets
  await load(frames, ({ flows }) => {
    assert.deepEqual(column(flows, 'tcpAnomaly'), ['0x2000', '0x3000']);
  });
});

test('a SYN repeated after 1 s is a retransmission, after 0.2 s a scan; a SYN with payload is flagged', async () => {
  await load([tcp(0, 'c', TCP_SYN, 100, 0), tcp(1, 'c', TCP_SYN, 100, 0), tcp(1.2, 'c', TCP_SYN, 100, 0, 'x')], ({ packets, flows, report }) => {
    assert.deepEqual(column(packets, 'tcpAnomaly'), ['0x0000', '0x0001', '0x5000']);
    assert.equal(column(flows, 'tcpAnomaly')[0], '0x5001', 'a SYN retransmission keeps the flow out of the end-of-flow scan rule');
    assert.ok(report.analyzerLines.some((l) => l.label.includes('SYN retries') && l.value === '1, 0'));
  });
});

test('NULL and Xmas packets are scans', async () => {
  await load([tcp(0, 'c', 0, 100, 0), tcp(0.1, 'c', TCP_FIN | TCP_PSH | 0x20, 100, 0)], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'tcpAnomaly'), ['0x1000', '0x1000']);
    assert.deepEqual(column(flows, 'tcpFlags'), ['0x8829']);
  });
});

test('a lost segment: gap (0x0200), the late segment out of order (0x0040), a retransmission (0x0002) and a spurious one (0x0080)', async () => {
  const hs = connection().slice(0, 3);
  await load([
    ...hs,
    tcp(0.01, 'c', TCP_PSH | TCP_ACK, 101, 501, 'aaaa'),
    tcp(0.011, 'c', TCP_PSH | TCP_ACK, 109, 501, 'cccc'), // 105..109 missing so far
    tcp(0.012, 'c', TCP_PSH | TCP_ACK, 105, 501, 'bbbb'), // arrives late into the gap
    tcp(0.5, 'c', TCP_PSH | TCP_ACK, 109, 501, 'cccc'), // resent, not yet acknowledged
    tcp(0.6, 's', TCP_ACK, 501, 113),
    tcp(0.9, 'c', TCP_PSH | TCP_ACK, 109, 501, 'cccc'), // resent after the ACK: spurious
  ], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'tcpAnomaly').slice(3), ['0x0000', '0x0200', '0x0040', '0x0002', '0x0000', '0x0082']);
    assert.equal(column(flows, 'tcpSeqFaultCnt')[0], '2');
    assert.equal(column(flows, 'tcpSeqSntBytes')[0], '12', 'retransmissions count once');
    assert.deepEqual(column(packets, 'relSeq').slice(3, 6), ['1', '9', '5']);
  });
});

test('duplicate ACKs (0x0008) ask for a segment; resending it is a fast retransmission (0x0004)', async () => {
  const hs = connection().slice(0, 3);
  await load([
    ...hs,
    tcp(0.01, 'c', TCP_PSH | TCP_ACK, 101, 501, 'aaaa'),
    tcp(0.011, 'c', TCP_PSH | TCP_ACK, 105, 501, 'bbbb'),
    tcp(0.012, 's', TCP_ACK, 501, 105),
    tcp(0.013, 's', TCP_ACK, 501, 105),
    tcp(0.014, 'c', TCP_PSH | TCP_ACK, 105, 501, 'bbbb'),
  ], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'tcpAnomaly').slice(3), ['0x0000', '0x0000', '0x0000', '0x0008', '0x0004']);
    assert.equal(column(flows, 'tcpAckFaultCnt')[1], '1');
  });
});

test('keep-alive (0x0010) and its ACK (0x0020); an ACK for data never sent (0x0100)', async () => {
  const hs = connection().slice(0, 3);
  await load([
    ...hs,
    tcp(60, 'c', TCP_ACK, 100, 501),
    tcp(60.001, 's', TCP_ACK, 501, 101),
    tcp(61, 's', TCP_ACK, 501, 5000),
  ], ({ packets }) => {
    assert.deepEqual(column(packets, 'tcpAnomaly').slice(3), ['0x0010', '0x0020', '0x0100']);
  });
});

test('relative numbers of a capture that starts mid-connection follow Wireshark (first seen is 1)', async () => {
  await load([
    tcp(0, 'c', TCP_PSH | TCP_ACK, 1000, 5000, 'abc'),
    tcp(1, 'c', TCP_PSH | TCP_ACK, 1003, 5000, 'def'),
    tcp(2, 's', TCP_ACK, 5000, 1006),
    tcp(3, 'c', TCP_RST, 1006, 0),
  ], ({ packets }) => {
    assert.deepEqual(column(packets, 'relSeq'), ['1', '4', '1', '7']);
    assert.deepEqual(column(packets, 'relAck'), ['1', '1', '7', '0']);
  });
});

test('IP columns: TTL range and changes, IP ID steps, ToS and DF bits', async () => {
  await load([
    tcp(0, 'c', TCP_SYN, 100, 0, '', { ttl: 64, id: 10, tos: 0x10, df: true }),
    tcp(0.001, 's', TCP_SYN | TCP_ACK, 500, 101, '', { ttl: 128, id: 7 }),
    tcp(0.002, 'c', TCP_ACK, 101, 501, '', { ttl: 63, id: 11, df: true }),
    tcp(0.003, 'c', TCP_ACK, 101, 501, '', { ttl: 64, id: 15, df: true }),
    tcp(0.003, 'c', TCP_ACK, 101, 501, '', { ttl: 64, id: 14, df: true }),
  ], ({ flows }) => {
    assert.deepEqual(column(flows, 'ipMinTTL'), ['63', '128']);
    assert.deepEqual(column(flows, 'ipMaxTTL'), ['64', '128']);
    assert.deepEqual(column(flows, 'ipTTLChg'), ['2', '0']);
    assert.deepEqual(column(flows, 'ipMindIPID'), ['1', '0']);
    assert.deepEqual(column(flows, 'ipMaxdIPID'), ['65535', '0']);
    assert.deepEqual(column(flows, 'ipToS'), ['0x10', '0x00']);
    // DF, IP ID backwards, same timestamp as the previous packet
    assert.deepEqual(column(flows, 'ipFlags'), ['0x4042', '0x0000']);
  });
});

test('a wrong IPv4 header checksum sets ipFlags 0x0400', async () => {
  const good = tcp(0, 'c', TCP_SYN, 100, 0, '', { id: 1 });
  const bad = tcp(0.1, 'c', TCP_SYN, 100, 0, '', { id: 2 });
  bad.frame[14 + 10] ^= 0x01; // checksum field
  await load([good, bad], ({ flows }) => {
    assert.deepEqual(column(flows, 'ipFlags'), ['0x0400']);
  });
  await load([good], ({ flows }) => {
    assert.deepEqual(column(flows, 'ipFlags'), ['0x0000']);
  });
});

test('window-0 probes and their ACKs', async () => {
  const hs = [tcp(0, 'c', TCP_SYN, 100, 0), tcp(0.001, 's', TCP_SYN | TCP_ACK, 500, 101), tcp(0.002, 'c', TCP_ACK, 101, 501)];
  await load([
    ...hs,
    tcp(0.01, 'c', TCP_PSH | TCP_ACK, 101, 501, 'aaaa'),
    tcp(0.011, 's', TCP_ACK, 501, 105, '', { window: 0 }),
    tcp(0.5, 'c', TCP_ACK, 105, 501, 'b'),
    tcp(0.501, 's', TCP_ACK, 501, 105, '', { window: 0 }),
  ], ({ flows, packets }) => {
    assert.equal(Number(flows.column('tcpFStat')!.get(0)) & 0x0040, 0x0040, 'probe');
    assert.equal(Number(flows.column('tcpFStat')!.get(1)) & 0x0180, 0x0180, 'probe ACK and zero window');
    assert.deepEqual(column(packets, 'tcpAnomaly').slice(5), ['0x0000', '0x0000'], 'a probe is no retransmission, its ACK no duplicate');
  });
});

test('a TCP header cut by the snaplen is left out: no flags, no window', async () => {
  const full = tcp(0, 'c', TCP_SYN | TCP_ACK, 100, 7, 'data');
  await load([{ t: 0, frame: full.frame.subarray(0, 14 + 20 + 16), wireLen: full.frame.length }], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'tcpFlags'), ['0x0000']);
    assert.deepEqual(column(flows, 'tcpFlags'), ['0x0000']);
    assert.deepEqual(column(flows, 'tcpFStat'), ['0x0001'], 'the IP part still counts');
  });
});

test('RST packets do not disturb the sequence analysis; every sample loads', async (t) => {
  await load([...connection().slice(0, 5), tcp(0.03, 'c', TCP_RST, 0, 0)], ({ packets }) => {
    assert.equal(column(packets, 'tcpAnomaly').at(-1), '0x0000');
  });
  const samples = readdirSync(join(ROOT, 'samples')).filter((f) => /\.pcapn?g?$/.test(f));
  if (samples.length === 0) { t.skip('no samples'); return; }
  for (const name of samples) {
    const c = await loadCapture(join(ROOT, 'samples', name));
    try {
      const l4 = c.flows.column('l4Proto')!, flags = c.flows.column('tcpFlags')!, ja4 = c.flows.column('tcpJA4T')!;
      for (let r = 0; r < c.flows.rowCount; r++) {
        if (l4.get(r) !== 6) assert.equal(flags.get(r), 0, `${name}: non-TCP flow ${r} has no TCP flags`);
        ja4.text(r);
      }
      const opts = c.packets.column('tcpOpts')!;
      for (let p = 0; p < c.packets.rowCount; p++) opts.text(p);
    } finally {
      c.close();
    }
  }
});
