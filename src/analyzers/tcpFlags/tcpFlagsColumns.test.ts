/**
 * tcpFlags columns of reference §3.4 beyond the basics, each on a crafted capture with the value
 * worked out by hand from Tranalyzer's rules: IP options, IPv6 options, checksums, fragments,
 * per-packet sequence/ACK steps, bytes in flight, window-full, MPTCP, the timestamp clock and
 * the trip-time estimates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ethernet, ipv4, ipv6, tcp, tcpOption, text, udp, icmp, concat,
} from '../../decode/craft.ts';
import { column, loadFrames, numbers, withChecksums, T0, type Frame } from './testFrames.ts';

const C = '192.0.2.10', S = '192.0.2.21';
const C6 = '2001:db8::10', S6 = '2001:db8::21';
const CMAC = '02:00:00:00:00:0a', SMAC = '02:00:00:00:00:15';
const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

interface Seg {
  data?: string; window?: number; options?: number[]; id?: number; ttl?: number; tos?: number;
  ipOptions?: number[]; v6?: boolean;
}
let autoId = 100;

/** A TCP segment from the client ('c', port 40000) or the server ('s', port 80) with correct checksums. */
function seg(t: number, from: 'c' | 's', flags: number, seq: number, ack: number, o: Seg = {}): Frame {
  const c = from === 'c';
  const l4 = tcp(text(o.data ?? ''), { sport: c ? 40000 : 80, dport: c ? 80 : 40000, seq, ack, flags, window: o.window ?? 8192, options: o.options });
  const ip = o.v6
    ? ipv6(l4, { src: c ? C6 : S6, dst: c ? S6 : C6, next: 6, hopLimit: o.ttl ?? 64 })
    : ipv4(l4, { src: c ? C : S, dst: c ? S : C, proto: 6, id: o.id ?? autoId++, ttl: o.ttl ?? 64, tos: o.tos, options: o.ipOptions });
  return { t, frame: withChecksums(ethernet(o.v6 ? 0x86dd : 0x0800, ip, { src: c ? CMAC : SMAC, dst: c ? SMAC : CMAC })) };
}

const handshake = (o: Seg = {}): Frame[] => [
  seg(0, 'c', SYN, 100, 0, o), seg(0.001, 's', SYN | ACK, 500, 101, o), seg(0.002, 'c', ACK, 101, 501, o),
];

test('IPv4 options: copy/class and number bits, counts, corrupt options, option bytes per packet', async () => {
  const routerAlert = [148, 4, 0, 0], timestamp = [68, 8, 5, 0, 0, 0, 0, 0];
  await loadFrames([
    seg(0, 'c', SYN, 100, 0, { ipOptions: [...routerAlert, 1, 0, 0, 0] }), // router alert, NOP, EOL
    seg(0.1, 'c', SYN, 100, 0, { ipOptions: timestamp }),
    seg(0.2, 'c', SYN, 100, 0, { ipOptions: [7, 0, 0, 0] }), // record route with length 0
  ], ({ flows, packets }) => {
    assert.deepEqual(column(flows, 'ipOptCpCl_Num'), ['0xc0_0x00100092']);
    assert.deepEqual(column(flows, 'ipOptCpCl'), ['0xc0']);
    assert.deepEqual(column(flows, 'ipOptNum'), ['0x00100092'], 'NOP (1), timestamp (4), record route (7), router alert (20)');
    assert.deepEqual(column(flows, 'ipOptCnt'), ['4'], 'router alert and NOP; timestamp; the corrupt record route');
    assert.deepEqual(column(packets, 'ipFlags').map((f) => Number(f) & 0x0001), [0, 0, 1]);
    assert.deepEqual(column(packets, 'ipOptLen'), ['8', '8', '4']);
    assert.equal(column(packets, 'ipOpts')[0], '0x94;0x04;0x00;0x00;0x01;0x00;0x00;0x00');
    assert.deepEqual(column(flows, 'ip6OptCntHH_D'), ['0_0']);
  });
});

test('IPv6 hop-by-hop and destination options: counts and type bits; a Pad1 does not end the list', async () => {
  const body = tcp([], { sport: 40000, dport: 80, seq: 1, ack: 0, flags: SYN });
  // hop-by-hop: router alert + PadN; destination: Pad1, router-alert-typed option, Pad1
  const hop = concat([60, 0], [5, 2, 0, 0], [1, 0]);
  const dest = concat([6, 0], [0], [5, 2, 0, 0], [0]);
  const ip = ipv6(concat(hop, dest, body), { src: C6, dst: S6, next: 0 });
  const plain = seg(0.1, 'c', SYN, 1, 0, { v6: true });
  await loadFrames([{ t: 0, frame: withChecksums(ethernet(0x86dd, ip, { src: CMAC, dst: SMAC })) }, plain], ({ flows, packets }) => {
    assert.deepEqual(column(flows, 'ip6OptCntHH_D'), ['2_1']);
    assert.deepEqual(column(flows, 'ip6OptHH_D'), ['0x00000022_0x00000020']);
    assert.deepEqual(column(flows, 'ip6OptCntHH'), ['2']);
    assert.deepEqual(column(flows, 'ip6OptD'), ['0x00000020']);
    assert.deepEqual(column(packets, 'ip6HHOptLen'), ['6', '0']);
    assert.deepEqual(column(packets, 'ip6HHOpts'), ['0x05;0x02;0x00;0x00;0x01;0x00', '']);
    assert.deepEqual(column(packets, 'ip6DOptLen'), ['6', '0']);
    assert.deepEqual(column(packets, 'ipFlags').map((f) => Number(f) & 0x0801), [0, 0], 'checksums over the pseudo header are right, options fine');
    assert.deepEqual(column(flows, 'ipOptCpCl_Num'), ['0x00_0x00000000']);
  });
});

test('checksums: a wrong TCP, UDP or ICMP checksum sets ipFlags 0x0800; cut segments and zero UDP checksums are not judged', async () => {
  const good = seg(0, 'c', ACK | PSH, 101, 501, { data: 'hello' });
  const bad = seg(0.1, 'c', ACK | PSH, 106, 501, { data: 'world' });
  bad.frame[bad.frame.length - 1] ^= 0x20;
  const cutFrame = seg(0.2, 'c', ACK | PSH, 111, 501, { data: 'truncated!' });
  const cut = { t: 0.2, frame: cutFrame.frame.subarray(0, cutFrame.frame.length - 4), wireLen: cutFrame.frame.length };
  const udpFrame = (t: number, payload: string, zero: boolean): Frame => {
    const f = withChecksums(ethernet(0x0800, ipv4(udp(text(payload), 5353, 53), { src: C, dst: S, proto: 17, id: 7 })));
    if (zero) { f[14 + 20 + 6] = 0; f[14 + 20 + 7] = 0; f[f.length - 1] ^= 1; }
    return { t, frame: f };
  };
  const icmpBad = withChecksums(ethernet(0x0800, ipv4(icmp(8, 0, text('ping')), { src: C, dst: S, proto: 1, id: 9 })));
  icmpBad[14 + 20 + 2] ^= 0xff;
  await loadFrames([good, bad, cut, udpFrame(1, 'q', false), udpFrame(2, 'r', true), { t: 3, frame: icmpBad }], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'ipFlags').map((f) => Number(f) & 0x1800), [0, 0x0800, 0x1000, 0, 0, 0x0800]);
    const hdr = column(packets, 'l4HdrChkSum'), cal = column(packets, 'l4CalChkSum');
    assert.equal(hdr[0], cal[0], 'a good segment: the field is what flowsh computes');
    assert.notEqual(hdr[1], cal[1]);
    assert.equal(cal[2], '0x0000', 'a cut segment is not computed');
    const f = good.frame;
    assert.equal(hdr[0], '0x' + ((f[14 + 20 + 16]! << 8) | f[14 + 20 + 17]!).toString(16).padStart(4, '0'));
    assert.deepEqual(column(packets, 'ipHdrChkSum').slice(0, 1), column(packets, 'ipCalChkSum').slice(0, 1));
    assert.equal(column(flows, 'ipFlags')[0]!.slice(0, 4), '0x18', 'the TCP flow has both the checksum error and the snaplen cut');
  });
});

test('fragments: the checksum across in-order fragments, the fragment word, a missing first fragment and an unfinished datagram', async () => {
  // one UDP datagram of 8 + 24 bytes in two fragments of 16 bytes each
  const whole = withChecksums(ethernet(0x0800, ipv4(udp(text('0123456789abcdefghijklmn'), 5353, 53), { src: C, dst: S, proto: 17, id: 0x42 })));
  const l4 = whole.subarray(14 + 20);
  const frag = (part: Uint8Array, offset: number, more: boolean, id = 0x42) =>
    withChecksums(ethernet(0x0800, ipv4(part, { src: C, dst: S, proto: 17, id, flags: more ? 0x2000 : 0, fragOffset: offset })));
  const broken = Uint8Array.from(l4.subarray(16));
  broken[3] ^= 1;
  await loadFrames([
    { t: 0, frame: frag(l4.subarray(0, 16), 0, true) }, { t: 0.1, frame: frag(l4.subarray(16), 16, false) },
    { t: 1, frame: frag(l4.subarray(0, 16), 0, true, 0x43) }, { t: 1.1, frame: frag(broken, 16, false, 0x43) },
    { t: 2, frame: frag(l4.subarray(0, 16), 0, true, 0x44) }, // never completed
  ], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'ipFlags').map((f) => Number(f) & 0x0a00), [0, 0, 0, 0x0800, 0]);
    assert.deepEqual(column(packets, 'ipFrag'), ['0x2000', '0x0002', '0x2000', '0x0002', '0x2000']);
    assert.equal(Number(flows.column('tcpFStat')!.get(0)) & 0x1000, 0x1000, 'checksum computed across fragments');
    assert.equal(Number(flows.column('ipFlags')!.get(0)) & 0x0200, 0x0200, 'the last datagram is incomplete at the end');
  });
  await loadFrames([{ t: 0, frame: frag(l4.subarray(16), 16, false, 0x50) }], ({ packets }) => {
    assert.equal(Number(packets.column('ipFlags')!.get(0)) & 0x0200, 0x0200, 'a later fragment without its first');
  });
});

test('per-packet sequence and ACK steps, running sums, state bits, MSS, window scale and timestamps of a normal connection', async () => {
  const synOpts = [...tcpOption.mss(1460), ...tcpOption.sackPermitted, ...tcpOption.timestamp(1000, 0), ...tcpOption.nop, ...tcpOption.wscale(7)];
  const synAckOpts = [...tcpOption.mss(1400), ...tcpOption.nop, ...tcpOption.nop, ...tcpOption.sackPermitted, ...tcpOption.nop, ...tcpOption.wscale(2)];
  await loadFrames([
    seg(0, 'c', SYN, 100, 0, { window: 64240, options: synOpts, id: 10 }),
    seg(0.001, 's', SYN | ACK, 500, 101, { window: 65160, options: synAckOpts, id: 7 }),
    seg(0.002, 'c', ACK, 101, 501, { window: 502, id: 11 }),
    seg(0.010, 'c', PSH | ACK, 101, 501, { data: 'GET /\r\n', window: 502, id: 13 }),
    seg(0.011, 's', PSH | ACK, 501, 108, { data: 'hello', window: 509, id: 8 }),
    seg(0.020, 'c', FIN | ACK, 108, 506, { window: 502, id: 14 }),
    seg(0.021, 's', ACK, 506, 109, { window: 509, id: 9 }),
    seg(0.022, 's', FIN | ACK, 506, 109, { window: 509, id: 10 }),
    seg(0.023, 'c', ACK, 109, 507, { window: 502, id: 2 }),
  ], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'seqMax'), ['100', '500', '101', '101', '501', '108', '506', '506', '109']);
    assert.deepEqual(column(packets, 'seqDiff'), ['0', '0', '1', '0', '1', '7', '5', '0', '1']);
    assert.deepEqual(column(packets, 'seqLen'), ['0', '0', '0', '0', '0', '7', '5', '0', '0'], 'the 1 after a SYN or FIN is no data');
    assert.deepEqual(column(packets, 'ackDiff'), ['0', '0', '0', '0', '7', '5', '1', '0', '1'], 'the first ACK number 0 is no base');
    assert.deepEqual(column(packets, 'ackLen'), ['0', '0', '0', '0', '7', '5', '0', '0', '0']);
    assert.deepEqual(column(packets, 'seqFlowLen'), ['0', '0', '0', '0', '0', '7', '5', '5', '7']);
    assert.deepEqual(column(packets, 'ackFlowLen'), ['0', '0', '0', '0', '7', '5', '7', '7', '5']);
    assert.deepEqual(column(packets, 'tcpBFlgt'), ['0', '0', '0', '7', '5', '0', '5', '5', '0']);
    assert.deepEqual(column(flows, 'tcpBFlgtMx'), ['7', '5']);
    assert.deepEqual(column(packets, 'tcpBytesInFlight'), ['0', '0', '0', '7', '5', '0', '0', '0', '0']);
    assert.deepEqual(column(packets, 'tcpFStat'), ['0x0012', '0x0010', '0x0a13', '0x0a13', '0x0211', '0x0a13', '0x0211', '0x0211', '0x0a13']);
    assert.deepEqual(column(packets, 'tcpWS'), ['0', '0', '128', '128', '4', '128', '4', '4', '128']);
    assert.deepEqual(column(packets, 'tcpMSS'), ['1460', '1400', '1460', '1460', '1400', '1460', '1400', '1400', '1460']);
    assert.deepEqual(column(packets, 'tcpTmS'), ['1000', '0', '1000', '1000', '0', '1000', '0', '0', '1000']);
    assert.deepEqual(column(packets, 'tcpOptLen'), ['20', '12', '0', '0', '0', '0', '0', '0', '0']);
    assert.deepEqual(column(packets, 'ipIDDiff'), ['0', '0', '1', '2', '1', '1', '1', '1', '-12'], 'not wrapped: a step back is negative');
    assert.deepEqual(column(packets, 'ipTTL').slice(0, 2), ['64', '64']);
    assert.deepEqual(column(flows, 'tcpWinSzThRt'), ['0', '0']);
  });
});

test('tcpPSeqCnt: a RST+ACK at the expected sequence number is in sequence (as Tranalyzer counts it); one after a gap is not', async () => {
  await loadFrames([
    ...handshake(), seg(0.01, 'c', RST | ACK, 101, 501),
    seg(1, 'c', SYN, 900, 0), seg(1.001, 's', SYN | ACK, 300, 901), seg(1.002, 'c', ACK, 901, 301), seg(1.01, 'c', RST | ACK, 950, 301),
  ], ({ flows }) => {
    assert.deepEqual(column(flows, 'tcpPSeqCnt'), ['2', '1', '1', '1'], 'ACK and RST+ACK; the SYN-ACK; the ACK only; the SYN-ACK');
  });
});

test('bytes in flight: Tranalyzer counts payload since the reverse direction\'s last ACK segment, Wireshark\'s measure follows ACK numbers and SACK blocks', async () => {
  const sack = (left: number, right: number) => [...tcpOption.nop, ...tcpOption.nop, ...tcpOption.sack(left, right)];
  await loadFrames([
    ...handshake(),
    seg(0.01, 's', ACK, 501, 101, { data: 'a'.repeat(100) }),
    seg(0.02, 's', ACK, 601, 101, { data: 'b'.repeat(100) }),
    seg(0.03, 'c', PSH | ACK, 101, 601, { data: 'ok' }), // acks the first segment while sending data
    seg(0.04, 's', ACK, 701, 103, { data: 'c'.repeat(100) }),
    seg(0.05, 'c', ACK, 103, 601, { options: sack(701, 801) }), // the second segment lost, the third SACKed
    seg(0.06, 's', ACK, 801, 103, { data: 'd'.repeat(100) }),
  ], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'tcpBFlgt').slice(3), ['100', '200', '2', '100', '0', '100'], 'any ACK segment resets the reverse count');
    assert.deepEqual(column(packets, 'tcpBytesInFlight').slice(3), ['100', '200', '2', '200', '0', '200'], 'the unacknowledged 601..801, then less the SACKed 701..801');
    assert.deepEqual(column(flows, 'tcpBFlgtMx'), ['2', '200']);
    assert.deepEqual(column(flows, 'tcpBytesInFlightMax'), ['2', '200']);
  });
});

test('window full (Tranalyzer\'s 0x0400): the bytes sent since the last pure ACK reach the reverse window; zero windows and tcpWinSzThRt', async () => {
  await loadFrames([
    seg(0, 'c', SYN, 100, 0, { window: 150 }), seg(0.001, 's', SYN | ACK, 500, 101), seg(0.002, 'c', ACK, 101, 501, { window: 150 }),
    seg(0.01, 's', ACK, 501, 101, { data: 'x'.repeat(100) }),
    seg(0.02, 's', ACK, 601, 101, { data: 'y'.repeat(100) }),
    seg(0.03, 'c', ACK, 101, 701, { window: 0 }),
  ], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'tcpFStat').map((f) => Number(f) & 0x0500), [0, 0, 0, 0, 0x0400, 0x0100]);
    assert.deepEqual(column(flows, 'tcpWinSzThRt'), ['0.333333', '0'], 'one of the client\'s three packets');
  });
});

test('MPTCP: subtypes, flags, address ids and DSS flags per flow and per packet', async () => {
  const capable = [30, 12, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8]; // MP_CAPABLE v1, flags A|H, key
  const dss = [30, 8, 0x20, 0x05, 0, 0, 0, 9]; // DSS, flags A|M (lengths not checked)
  const join = [30, 12, 0x11, 3, 1, 2, 3, 4, 5, 6, 7, 8]; // MP_JOIN, backup, address id 3
  const addAddr = [30, 8, 0x30, 7, 192, 0, 2, 99]; // ADD_ADDR, address id 7
  await loadFrames([
    seg(0, 'c', SYN, 100, 0, { options: capable }),
    seg(0.001, 's', SYN | ACK, 500, 101, { options: capable }),
    seg(0.002, 'c', ACK, 101, 501, { options: dss }),
    seg(0.003, 's', ACK, 501, 101, { options: addAddr }),
    seg(0.004, 'c', ACK, 101, 501, { options: join }),
  ], ({ flows, packets }) => {
    assert.deepEqual(column(flows, 'tcpMPTBF'), ['0x0007', '0x0009']);
    assert.deepEqual(column(flows, 'tcpMPF'), ['0x81', '0x81']);
    assert.deepEqual(column(flows, 'tcpMPAID'), ['3', '7']);
    assert.deepEqual(column(flows, 'tcpMPDSSF'), ['0x05', '0x00']);
    assert.deepEqual(column(packets, 'tcpMPTyp'), ['0', '0', '2', '3', '1']);
    assert.deepEqual(column(packets, 'tcpMPF'), ['0x81', '0x81', '0x00', '0x00', '0x01']);
    assert.deepEqual(column(packets, 'tcpMPAID'), ['0', '0', '0', '7', '3']);
    assert.deepEqual(column(packets, 'tcpMPDSSF'), ['0x00', '0x00', '0x05', '0x00', '0x00']);
    assert.equal(Number(flows.column('tcpFStat')!.get(0)) & 0x8000, 0x8000);
  });
});

test('timestamp clock: increment classes, up time and boot time; a single timestamp falls back to the TTL guess', async () => {
  const ts = (v: number) => [...tcpOption.nop, ...tcpOption.nop, ...tcpOption.timestamp(v, 0)];
  await loadFrames([
    seg(0, 'c', SYN, 100, 0, { options: ts(1000) }),
    seg(0.5, 's', SYN | ACK, 500, 101, { options: ts(500), ttl: 128 }),
    seg(1, 'c', ACK, 101, 501, { options: ts(2000) }), // 1000 ticks in 1 s: 1 ms
    seg(1.5, 's', ACK, 501, 101, { options: ts(600), ttl: 128 }), // 100 ticks in 1 s: 10 ms
  ], ({ flows }) => {
    assert.deepEqual(numbers(flows, 'tcpEcI'), [0.001, 0.01]);
    assert.deepEqual(numbers(flows, 'tcpUtm').map((x) => Math.round(x * 1e6) / 1e6), [2, 6]);
    assert.deepEqual(column(flows, 'tcpBtm'), [`${T0 - 1}.000000000`, `${T0 - 5}.500000000`]);
  });
  await loadFrames([seg(0, 'c', SYN, 100, 0, { options: ts(7), ttl: 64 }), seg(1, 'c', SYN, 100, 0)], ({ flows }) => {
    assert.deepEqual(numbers(flows, 'tcpEcI'), [0.004], 'no TSval progress: Linux-like TTL 64 gives 4 ms');
  });
  await loadFrames([seg(0, 'c', SYN, 100, 0)], ({ flows }) => {
    assert.deepEqual(numbers(flows, 'tcpEcI'), [0]);
    assert.deepEqual(column(flows, 'tcpBtm'), ['0.000000000']);
  });
});

function assertClose(got: number[], expected: number[], what: string): void {
  assert.equal(got.length, expected.length, what);
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-9, `${what}[${i}] = ${v}, expected ${expected[i]}`));
}

test('trip times: handshake trips, ACK trip min/max/mean/jitter and the round trip as Tranalyzer estimates them', async () => {
  await loadFrames([
    seg(0, 'c', SYN, 100, 0), seg(0.010, 's', SYN | ACK, 500, 101), seg(0.030, 'c', ACK, 101, 501),
    seg(0.040, 'c', PSH | ACK, 101, 501, { data: 'hi' }), seg(0.100, 's', ACK, 501, 103),
  ], ({ flows }) => {
    const close = (name: string, expected: number[]) => assertClose(numbers(flows, name), expected, name);
    close('tcpSSASAATrip', [0.010, 0.020]);
    close('tcpRTTAckTripMin', [0.010, 0.020]);
    close('tcpRTTAckTripMax', [0.060, 0.030]);
    close('tcpRTTAckTripAvg', [0.035, 0.02 + 0.01 / 3]);
    close('tcpRTTAckTripJitAvg', [Math.sqrt(0.0025 / 2), Math.sqrt(0.0001 / 3)]);
    close('tcpRTTSseqAA', [0.030, 0.035 + 0.02 + 0.01 / 3]);
    close('tcpRTTAckJitAvg', [0, Math.sqrt(0.0025 / 2 + 0.0001 / 3)]);
  });
  await loadFrames([seg(0, 'c', SYN, 100, 0)], ({ flows }) => {
    assert.deepEqual(numbers(flows, 'tcpRTTAckTripMin'), [65535], 'nothing answered: Tranalyzer\'s start value');
    assert.deepEqual(numbers(flows, 'tcpRTTSseqAA'), [0]);
  });
});

test('a reset stops a direction\'s trip samples; UDP flows get trip times too', async () => {
  const dns = (t: number, q: boolean) => ({
    t, frame: withChecksums(ethernet(0x0800, ipv4(udp(text(q ? 'q' : 'answer'), q ? 5353 : 53, q ? 53 : 5353), { src: q ? C : S, dst: q ? S : C, proto: 17, id: 1 }))),
  });
  await loadFrames([dns(0, true), dns(0.25, false)], ({ flows }) => {
    assertClose(numbers(flows, 'tcpSSASAATrip'), [0.25, 0], 'tcpSSASAATrip');
    assertClose(numbers(flows, 'tcpRTTSseqAA'), [0.25, 0.25], 'tcpRTTSseqAA');
  });
  await loadFrames([
    ...handshake(), seg(0.01, 'c', RST, 101, 0), seg(0.9, 'c', ACK, 101, 501), seg(1.0, 's', ACK, 501, 101), seg(1.05, 'c', ACK, 101, 501),
  ], ({ flows }) => {
    // after its RST the client's ACK at 0.9 s answers nothing (it would be 0.899 s); the server's packet re-arms it (Tranalyzer's rule)
    assertClose(numbers(flows, 'tcpRTTAckTripMax'), [0.1, 0.05], 'tcpRTTAckTripMax');
  });
});
