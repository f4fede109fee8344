import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ethernet, ipv4, ipv6, tcp, tcpOption, udp } from '../../decode/craft.ts';
import { column, loadFrames, withChecksums, type Frame } from '../tcpFlags/testFrames.ts';

const SYN = 0x02, ACK = 0x10, PSH = 0x08, URG = 0x20, ECE = 0x40, CWR = 0x80, FIN = 0x01;
const LINUX_OPTIONS = [...tcpOption.mss(1460), ...tcpOption.sackPermitted, ...tcpOption.timestamp(123456, 0), ...tcpOption.nop, ...tcpOption.wscale(7)];

interface Syn {
  flags?: number; ttl?: number; id?: number; df?: boolean; tos?: number; window?: number; options?: number[];
  seq?: number; ack?: number; urgent?: number; payload?: number[]; reserved?: boolean; sport?: number; dport?: number;
}

/** A client SYN (or, with `from: server`, a SYN+ACK) over IPv4 between 192.0.2.10 and 192.0.2.21. */
function syn(t: number, s: Syn = {}, from: 'client' | 'server' = 'client'): Frame {
  const [src, dst] = from === 'client' ? ['192.0.2.10', '192.0.2.21'] : ['192.0.2.21', '192.0.2.10'];
  const [sport, dport] = from === 'client' ? [s.sport ?? 40000, s.dport ?? 21] : [s.dport ?? 21, s.sport ?? 40000];
  const seg = tcp(s.payload ?? [], {
    sport, dport, seq: s.seq ?? 1000, ack: s.ack ?? 0, flags: s.flags ?? SYN, window: s.window ?? 64240,
    urgent: s.urgent ?? 0, options: s.options ?? LINUX_OPTIONS,
  });
  const flags = (s.df ?? true ? 0x4000 : 0) | (s.reserved ? 0x8000 : 0);
  return { t, frame: withChecksums(ethernet(0x0800, ipv4(seg, { src, dst, proto: 6, ttl: s.ttl ?? 64, id: s.id ?? 0x1234, flags, tos: s.tos ?? 0 }))) };
}

test('a SYN and its SYN+ACK: initial TTL, distance, options, window and quirks of each direction', async () => {
  const synAck = syn(0.001, { flags: SYN | ACK, ack: 1001, ttl: 61, id: 0, window: 65160, options: [...tcpOption.mss(1460), ...tcpOption.sackPermitted, ...tcpOption.timestamp(99, 123456), ...tcpOption.nop, ...tcpOption.wscale(7)] }, 'server');
  await loadFrames([syn(0, { ttl: 64 }), synAck], ({ flows }) => {
    assert.deepEqual(column(flows, 'tp0fInitTTL'), ['64', '64']);
    assert.deepEqual(column(flows, 'tp0fDis'), ['0', '3']);
    assert.deepEqual(column(flows, 'tp0fOptLayout'), ['mss,sok,ts,nop,ws', 'mss,sok,ts,nop,ws']);
    assert.deepEqual(column(flows, 'tp0fQuirks'), ['0x0003', '0x0001'], 'the SYN has df,id+; the SYN+ACK (ID 0) only df');
    assert.deepEqual(column(flows, 'tp0fSig'), [
      '4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0',
      '4:64+3:0:1460:65160,7:mss,sok,ts,nop,ws:df:0',
    ]);
    assert.deepEqual(column(flows, 'tp0fStat'), ['0x00', '0x00']);
  });
});

test('initial TTL rounds up to 32, 64, 128 or 255', async () => {
  const frames = [20, 32, 33, 100, 128, 200, 255].map((ttl, i) => syn(i, { ttl, sport: 41000 + i }));
  await loadFrames(frames, ({ flows }) => {
    assert.deepEqual(column(flows, 'tp0fInitTTL'), ['32', '32', '64', '128', '128', '255', '255']);
    assert.deepEqual(column(flows, 'tp0fDis'), ['12', '0', '31', '28', '0', '55', '0']);
  });
});

test('each quirk of a SYN is recognised in p0f\'s words', async () => {
  const cases: [Syn, string][] = [
    [{ df: false, id: 0 }, 'id-'],
    [{ df: true, id: 0 }, 'df'],
    [{ tos: 0x02 }, 'df,id+,ecn'],
    [{ flags: SYN | ECE | CWR }, 'df,id+,ecn'],
    [{ reserved: true }, 'df,id+,0+'],
    [{ seq: 0 }, 'df,id+,seq-'],
    [{ ack: 77 }, 'df,id+,ack+'],
    [{ urgent: 5 }, 'df,id+,uptr+'],
    [{ flags: SYN | URG, urgent: 5 }, 'df,id+,urgf+'],
    [{ flags: SYN | PSH }, 'df,id+,pushf+'],
    [{ options: [...tcpOption.mss(1460), ...tcpOption.timestamp(0, 0)] }, 'df,id+,ts1-'],
    [{ options: [...tcpOption.mss(1460), ...tcpOption.timestamp(5, 9)] }, 'df,id+,ts2+'],
    [{ options: [...tcpOption.mss(1460), 0, 7, 7, 0] }, 'df,id+,opt+'],
    [{ options: [...tcpOption.mss(1460), ...tcpOption.wscale(15)] }, 'df,id+,exws'],
  ];
  await loadFrames(cases.map(([s], i) => syn(i, { ...s, sport: 42000 + i })), ({ flows }) => {
    const quirks = column(flows, 'tp0fSig').map((sig) => sig.split(':')[6]);
    assert.deepEqual(quirks, cases.map(([, q]) => q));
  });
});

test('a SYN with payload, EOL padding, unknown option kinds and no MSS or window scale', async () => {
  await loadFrames([
    syn(0, { options: [...tcpOption.nop, ...tcpOption.nop, ...tcpOption.sackPermitted, 0], window: 5000, payload: [1, 2, 3] }),
    syn(1, { options: [30, 4, 0, 0, ...tcpOption.mss(536)], window: 1072, sport: 40001 }),
  ], ({ flows }) => {
    assert.deepEqual(column(flows, 'tp0fSig'), ['4:64+0:0:*:5000,*:nop,nop,sok,eol+3:df,id+:+', '4:64+0:0:536:mss*2,*:?30,mss:df,id+:0']);
  });
});

test('IPv6: the hop limit gives the initial TTL, a flow label is a quirk, no DF', async () => {
  const seg = tcp([], { sport: 40000, dport: 21, seq: 1, ack: 0, flags: SYN, window: 64800, options: LINUX_OPTIONS });
  const frame = ethernet(0x86dd, ipv6(seg, { next: 6, hopLimit: 57, flowLabel: 0x12345 }));
  await loadFrames([{ t: 0, frame: withChecksums(frame) }], ({ flows }) => {
    assert.deepEqual(column(flows, 'tp0fSig'), ['6:64+7:0:1460:64800,7:mss,sok,ts,nop,ws:flow:0']);
    assert.deepEqual(column(flows, 'tp0fDis'), ['7']);
  });
});

test('malformed SYN options set tp0fStat 0x80', async () => {
  await loadFrames([syn(0, { options: [2, 4, 5, 180, 3, 9, 0, 0] })], ({ flows, report }) => {
    assert.deepEqual(column(flows, 'tp0fStat'), ['0x80']);
    assert.equal(report.analyzerLines.find((l) => l.column === 'tp0fStat')?.value, 0x80n);
  });
});

test('flows without SYN: no signature, names unknown, distance from the first packet', async () => {
  const u = udp([1, 2, 3], 5000, 53);
  await loadFrames([
    { t: 0, frame: withChecksums(ethernet(0x0800, ipv4(u, { src: '192.0.2.10', dst: '192.0.2.21', proto: 17, ttl: 120 }))) },
    syn(1, { flags: FIN | ACK, ack: 5, ttl: 50 }),
  ], ({ flows }) => {
    assert.deepEqual(column(flows, 'tp0fSig'), ['', '']);
    assert.deepEqual(column(flows, 'tp0fDis'), ['8', '14']);
    assert.deepEqual(column(flows, 'tp0fPrName'), ['unknown', 'unknown']);
    assert.deepEqual(column(flows, 'tp0fClName'), ['unknown', 'unknown']);
    assert.deepEqual(column(flows, 'tp0fInitTTL'), ['0', '0']);
  });
});
