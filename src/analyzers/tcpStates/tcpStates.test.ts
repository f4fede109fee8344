import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ipv4, mac } from '../../../samples/gen/addr.ts';
import {
  ETHERTYPE_IPV4, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN,
  ethernet, ipv4Packet, tcpSegment, udpDatagram,
} from '../../../samples/gen/layers.ts';
import { loadCapture } from '../../store/load.ts';
import { runStatement } from '../../query/index.ts';
import { column, loadFrames as load, type Frame } from '../tcpFlags/testFrames.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLIENT = ipv4('192.0.2.10'), SERVER = ipv4('192.0.2.21');
const CMAC = mac('02:00:00:00:00:0a'), SMAC = mac('02:00:00:00:00:15');
const URG = 0x20;

let ipId = 1;

/** A TCP packet from the client ('c', port 40000) or the server ('s', port 80), t seconds after T0. */
function tcp(t: number, from: 'c' | 's', flags: number, seq: number, ack: number, text = ''): Frame {
  const [src, dst, smac, dmac] = from === 'c' ? [CLIENT, SERVER, CMAC, SMAC] : [SERVER, CLIENT, SMAC, CMAC];
  const [sport, dport] = from === 'c' ? [40000, 80] : [80, 40000];
  const seg = tcpSegment(src, dst, { srcPort: sport, dstPort: dport, seq, ack, flags, window: 8192 }, new TextEncoder().encode(text));
  return { t, frame: ethernet({ src: smac, dst: dmac, etherType: ETHERTYPE_IPV4 }, ipv4Packet({ src, dst, protocol: IPPROTO_TCP, id: ipId++, ttl: 64 }, seg)) };
}



/** client ISN 100, server ISN 500 */
const handshake = (t = 0): Frame[] => [
  tcp(t, 'c', TCP_SYN, 100, 0),
  tcp(t + 0.001, 's', TCP_SYN | TCP_ACK, 500, 101),
  tcp(t + 0.002, 'c', TCP_ACK, 101, 501),
];
const request = (t = 0.01): Frame[] => [
  tcp(t, 'c', TCP_PSH | TCP_ACK, 101, 501, 'GET /\r\n'),
  tcp(t + 0.001, 's', TCP_PSH | TCP_ACK, 501, 108, 'hello'),
];
const teardown = (t = 0.02): Frame[] => [
  tcp(t, 'c', TCP_FIN | TCP_ACK, 108, 506),
  tcp(t + 0.001, 's', TCP_ACK, 506, 109),
  tcp(t + 0.002, 's', TCP_FIN | TCP_ACK, 506, 109),
  tcp(t + 0.003, 'c', TCP_ACK, 109, 507),
];

test('a clean handshake, exchange and teardown has no tcpStates anomaly', async () => {
  await load([...handshake(), ...request(), ...teardown()], ({ flows, packets, report }) => {
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x00', '0x00']);
    assert.ok(column(packets, 'tcpStatesAFlags').every((v) => v === '0x00'));
    assert.ok(column(packets, 'tcpStatesNewBits').every((v) => v === '0x00'));
    assert.equal(report.analyzerLines.find((l) => l.column === 'tcpStatesAFlags'), undefined, 'no report line when nothing was flagged');
  });
});

test('a one-sided TCP flow gets 0x03; a UDP flow gets nothing', async () => {
  const udp: Frame = {
    t: 1.5,
    frame: ethernet({ src: CMAC, dst: SMAC, etherType: ETHERTYPE_IPV4 }, ipv4Packet({ src: CLIENT, dst: SERVER, protocol: IPPROTO_UDP, id: 9, ttl: 64 },
      udpDatagram(CLIENT, SERVER, { srcPort: 5000, dstPort: 53 }, new Uint8Array(4)))),
  };
  await load([tcp(0, 'c', TCP_SYN, 100, 0), tcp(1, 'c', TCP_SYN, 100, 0), udp], ({ flows, packets, report }) => {
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x03', '0x00']);
    assert.deepEqual(column(packets, 'tcpStatesAFlags'), ['0x00', '0x00', '0x00'], 'the end-of-flow bits are not in the packets');
    const line = report.analyzerLines.find((l) => l.column === 'tcpStatesAFlags');
    assert.equal(line?.value, 0x03n);
  });
});

test('a capture that starts mid-connection gets 0x01 on both sides', async () => {
  await load([...request(0), ...teardown(0.01)], ({ flows, packets }) => {
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x01', '0x01']);
    // the first packet sets 0x01 on its sender; the server's first packet (wrong ACK for an unseen SYN) on both
    assert.deepEqual(column(packets, 'tcpStatesNewBits').slice(0, 3), ['0x01', '0x01', '0x00']);
  });
});

test('a connection still open at the end of the capture gets 0x02', async () => {
  await load([...handshake(), ...request()], ({ flows }) => {
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x02', '0x02']);
  });
});

test('a reset during the connection: 0x40 and a malformed teardown on the sender, 0x02 on the other side', async () => {
  await load([...handshake(), ...request(), tcp(0.02, 's', TCP_RST | TCP_ACK, 506, 108)], ({ flows, packets }) => {
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x02', '0x42']);
    assert.equal(column(packets, 'tcpStatesAFlags').at(-1), '0x42');
    assert.equal(column(packets, 'tcpStatesNewBits').at(-1), '0x42', 'the RST raised 0x42 on the server and 0x02 on the client');
  });
});

test('a rejected SYN: RST+ACK gives the server 0x40; packets after the reset get 0x10', async () => {
  await load([
    tcp(0, 'c', TCP_SYN, 100, 0),
    tcp(0.001, 's', TCP_RST | TCP_ACK, 0, 101),
    tcp(0.01, 'c', TCP_ACK, 101, 1),
  ], ({ flows, packets }) => {
    assert.deepEqual(column(flows, 'flowInd'), ['1', '1'], 'within the 0.1 s reset timeout: the same flow');
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x13', '0x43']);
    assert.deepEqual(column(packets, 'tcpStatesAFlags'), ['0x00', '0x40', '0x10']);
    assert.deepEqual(column(packets, 'tcpStatesNewBits'), ['0x00', '0x40', '0x10']);
  });
});

test('a packet 1 s after a reset stays in its flow with 0x10 (Tranalyzer would start a new flow); a new SYN starts one', async () => {
  await load([
    tcp(0, 'c', TCP_SYN, 100, 0),
    tcp(0.001, 's', TCP_RST | TCP_ACK, 0, 101),
    tcp(1.001, 'c', TCP_ACK, 101, 1),
    tcp(2, 'c', TCP_SYN, 9000, 0),
  ], ({ packets }) => {
    assert.deepEqual(column(packets, 'flowInd'), ['1', '1', '1', '2']);
    assert.deepEqual(column(packets, 'tcpStatesAFlags').slice(0, 3), ['0x00', '0x40', '0x10']);
    assert.deepEqual(column(packets, 'tcpStatesNewBits')[2], '0x10');
  });
});

test('after a clean close, later packets stay in the flow with 0x08 until it idles out; a new SYN starts a new flow', async () => {
  const closed = [...handshake(), ...request(), ...teardown()];
  await load([...closed, tcp(5, 'c', TCP_ACK, 109, 507), tcp(25, 'c', TCP_ACK, 109, 507), tcp(30, 'c', TCP_SYN, 7000, 0)], ({ packets }) => {
    assert.deepEqual(column(packets, 'flowInd').slice(-3), ['1', '1', '2']);
    assert.deepEqual(column(packets, 'tcpStatesAFlags').slice(-3, -1), ['0x08', '0x08']);
    assert.deepEqual(column(packets, 'tcpStatesNewBits').slice(-3, -1), ['0x08', '0x00']);
  });
  await load([...closed, tcp(200, 'c', TCP_ACK, 109, 507)], ({ packets }) => {
    assert.deepEqual(column(packets, 'flowInd').at(-1), '2', 'past the 120 s timeout of a closed flow');
  });
});

test('an established connection lives 610 s idle; a new one only 120 s before the handshake completes', async () => {
  await load([...handshake(), ...request(), tcp(600, 'c', TCP_ACK, 108, 506)], ({ packets }) => {
    assert.deepEqual(column(packets, 'flowInd').at(-1), '1');
  });
  await load([tcp(0, 'c', TCP_SYN, 100, 0), tcp(0.001, 's', TCP_SYN | TCP_ACK, 500, 101), tcp(121, 'c', TCP_ACK, 101, 501)], ({ packets }) => {
    assert.deepEqual(column(packets, 'flowInd'), ['1', '1', '2']);
  });
});

test('NULL and Xmas packets, a bare FIN and a one-sided FIN+ACK are marked as scans (0x80)', async () => {
  await load([
    tcp(0, 'c', 0, 100, 0),
    tcp(0.1, 'c', TCP_FIN | TCP_PSH | URG, 100, 0),
  ], ({ flows, packets }) => {
    // the NULL packet opens the flow as a malformed establishment; the Xmas packet also lacks ACK (0x04)
    assert.deepEqual(column(packets, 'tcpStatesAFlags'), ['0x81', '0x85']);
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x87']);
  });
  await load([tcp(0, 'c', TCP_FIN, 100, 0)], ({ flows }) => {
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x83']);
  });
  // FIN+ACK first: 0x01 at once, the FIN-scan mark becomes 0x80 at the end as no clean teardown followed
  await load([tcp(0, 'c', TCP_FIN | TCP_ACK, 100, 7)], ({ flows, packets }) => {
    assert.deepEqual(column(packets, 'tcpStatesAFlags'), ['0x01']);
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x83']);
  });
});

test('a packet without ACK during the established connection sets 0x04 on both sides', async () => {
  await load([...handshake(), ...request(), tcp(0.02, 'c', TCP_PSH, 108, 0, 'x'), ...teardown(0.03)], ({ flows }) => {
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x04', '0x04']);
  });
});

test('a TCP header cut by the snaplen before its flags is not read as a NULL scan', async () => {
  const full = tcp(0, 'c', TCP_SYN, 100, 0);
  await load([{ t: 0, frame: full.frame.subarray(0, 14 + 20 + 12), wireLen: full.frame.length }], ({ packets, flows }) => {
    assert.deepEqual(column(packets, 'tcpStatesAFlags'), ['0x00']);
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0x03'], 'still a one-sided TCP flow');
  });
});

test('every sample capture loads with tcpStates columns on every row', async (t) => {
  const samples = readdirSync(join(ROOT, 'samples')).filter((f) => /\.pcapn?g?$/.test(f));
  if (samples.length === 0) { t.skip('no samples'); return; }
  for (const name of samples) {
    const c = await loadCapture(join(ROOT, 'samples', name));
    try {
      const flags = c.flows.column('tcpStatesAFlags')!, l4 = c.flows.column('l4Proto')!;
      for (let r = 0; r < c.flows.rowCount; r++) {
        if (l4.get(r) !== 6) assert.equal(flags.get(r), 0, `${name}: non-TCP flow row ${r} has no tcpStates bits`);
      }
      assert.equal(c.packets.column('tcpStatesNewBits')!.numbers!.length, c.packets.rowCount, name);
    } finally {
      c.close();
    }
  }
});

// ---------------------------------------------------------------------------------------------
// One crafted capture per path of the reference state machine (tranalyzer2.md §2) not covered
// above; the expected values are worked out from the reference text, not from flowsh's output.

/** tcpStatesAFlags of the client's (port 40000) and the server's (port 80) flow rows. */
function bySide(flows: Parameters<typeof column>[0]): { c: string | undefined; s: string | undefined } {
  const ports = column(flows, 'srcPort'), flags = column(flows, 'tcpStatesAFlags');
  return { c: flags[ports.indexOf('40000')], s: flags[ports.indexOf('80')] };
}

test('0x01: a SYN+ACK acking something other than the client ISN + 1 makes both sides established and malformed', async () => {
  await load([
    tcp(0, 'c', TCP_SYN, 100, 0),
    tcp(0.001, 's', TCP_SYN | TCP_ACK, 500, 999),
    tcp(0.002, 'c', TCP_ACK, 101, 501),
    ...request(), ...teardown(),
  ], ({ flows, packets }) => {
    // the client's value after its ACK already holds the 0x01 the SYN+ACK set on it
    assert.deepEqual(column(packets, 'tcpStatesAFlags').slice(0, 3), ['0x00', '0x01', '0x01']);
    assert.deepEqual(column(packets, 'tcpStatesNewBits').slice(0, 3), ['0x00', '0x01', '0x00'], 'the SYN+ACK raised 0x01 on both sides');
    // the clean teardown adds no 0x02: both FINs were seen and acked
    assert.deepEqual(bySide(flows), { c: '0x01', s: '0x01' });
  });
});

test('0x01: a SYN+ACK opening the capture (no reverse flow yet) is taken as established and malformed', async () => {
  await load([
    tcp(0, 's', TCP_SYN | TCP_ACK, 500, 101),
    tcp(0.002, 'c', TCP_ACK, 101, 501),
    ...request(), ...teardown(),
  ], ({ flows, packets }) => {
    assert.equal(column(packets, 'tcpStatesAFlags')[0], '0x01');
    assert.equal(column(packets, 'tcpStatesAFlags')[1], '0x00', 'the ACK of the server ISN + 1 is a correct step of the handshake');
    // the client's SYN was never seen: its flow ends with an incomplete handshake too
    assert.deepEqual(bySide(flows), { c: '0x01', s: '0x01' });
  });
});

test('0x01: a final handshake ACK with the wrong acknowledgement number sets 0x01 on both sides at once', async () => {
  await load([
    tcp(0, 'c', TCP_SYN, 100, 0),
    tcp(0.001, 's', TCP_SYN | TCP_ACK, 500, 101),
    tcp(0.002, 'c', TCP_ACK, 101, 777),
    ...request(), ...teardown(),
  ], ({ flows, packets }) => {
    assert.deepEqual(column(packets, 'tcpStatesNewBits').slice(0, 3), ['0x00', '0x00', '0x01']);
    assert.deepEqual(column(packets, 'tcpStatesAFlags').slice(0, 4), ['0x00', '0x00', '0x01', '0x01']);
    assert.deepEqual(bySide(flows), { c: '0x01', s: '0x01' });
  });
});

test('0x01 and 0x40: a bare RST (no ACK) answering a SYN gives the sender 0x41 and the other side 0x01', async () => {
  await load([tcp(0, 'c', TCP_SYN, 100, 0), tcp(0.001, 's', TCP_RST, 0, 0)], ({ flows, packets }) => {
    assert.deepEqual(column(packets, 'tcpStatesAFlags'), ['0x00', '0x41']);
    assert.deepEqual(column(packets, 'tcpStatesNewBits'), ['0x00', '0x41']);
    // at the end neither handshake nor teardown is complete: 0x03 on both
    assert.deepEqual(bySide(flows), { c: '0x03', s: '0x43' });
  });
});

test('0x80: a RST opening a one-sided flow (a RST scan) gives 0xc1 at once, 0xc3 at the end', async () => {
  await load([tcp(0, 'c', TCP_RST, 100, 0)], ({ flows, packets }) => {
    assert.deepEqual(column(packets, 'tcpStatesAFlags'), ['0xc1']);
    assert.deepEqual(column(flows, 'tcpStatesAFlags'), ['0xc3']);
  });
});

test('0x80: the FIN-scan mark of a capture that starts with a FIN+ACK is dropped once the teardown completes', async () => {
  await load([
    tcp(0, 'c', TCP_FIN | TCP_ACK, 108, 506),
    tcp(0.001, 's', TCP_FIN | TCP_ACK, 506, 109),
    tcp(0.002, 'c', TCP_ACK, 109, 507),
  ], ({ flows, packets }) => {
    assert.deepEqual(column(packets, 'tcpStatesAFlags'), ['0x01', '0x01', '0x01']);
    assert.deepEqual(column(packets, 'tcpStatesNewBits'), ['0x01', '0x01', '0x00'], 'the server FIN+ACK raised 0x01 on its own new flow');
    assert.deepEqual(bySide(flows), { c: '0x01', s: '0x01' }, 'no 0x80 and no 0x02: both FINs were seen and acked');
  });
});

test('0x04: a repeated SYN or SYN+ACK during the established connection sets 0x04 on both sides and stays in the flow', async () => {
  await load([
    ...handshake(), ...request(),
    tcp(0.015, 'c', TCP_SYN, 100, 0),
    ...teardown(),
  ], ({ flows, packets }) => {
    assert.deepEqual(column(packets, 'flowInd').every((v) => v === '1'), true, 'the SYN repeats the one that opened the flow');
    assert.equal(column(packets, 'tcpStatesNewBits')[5], '0x04');
    assert.deepEqual(bySide(flows), { c: '0x04', s: '0x04' });
  });
  await load([
    ...handshake(), ...request(),
    tcp(0.015, 's', TCP_SYN | TCP_ACK, 500, 101),
    ...teardown(),
  ], ({ flows, packets }) => {
    assert.equal(column(packets, 'tcpStatesNewBits')[5], '0x04');
    assert.deepEqual(bySide(flows), { c: '0x04', s: '0x04' });
  });
});

test('0x08 then 0x42: a RST after a clean close is a packet after the teardown and a reset from its sender', async () => {
  await load([...handshake(), ...request(), ...teardown(), tcp(1, 'c', TCP_RST, 109, 0)], ({ flows, packets }) => {
    assert.equal(column(packets, 'tcpStatesAFlags').at(-1), '0x4a');
    assert.equal(column(packets, 'tcpStatesNewBits').at(-1), '0x4a', '0x08|0x40|0x02 on the client, 0x02 on the server');
    assert.deepEqual(bySide(flows), { c: '0x4a', s: '0x02' });
  });
});

test('timeouts: CLOSING lasts 120 s idle, ESTABLISHED 610 s, RESET (flowsh: 120 s, not 0.1 s) 120 s', async () => {
  // both FINs sent, neither acked yet: both directions are CLOSING
  const closing = [...handshake(), ...request(), tcp(0.02, 'c', TCP_FIN | TCP_ACK, 108, 506), tcp(0.021, 's', TCP_FIN | TCP_ACK, 506, 108)];
  await load([...closing, tcp(119, 'c', TCP_ACK, 109, 507)], ({ packets }) => {
    assert.equal(column(packets, 'flowInd').at(-1), '1');
  });
  await load([...closing, tcp(121, 'c', TCP_ACK, 109, 507)], ({ packets }) => {
    assert.equal(column(packets, 'flowInd').at(-1), '2', 'past the CLOSING timeout');
  });
  await load([...handshake(), ...request(), tcp(611, 'c', TCP_ACK, 108, 506)], ({ packets }) => {
    assert.equal(column(packets, 'flowInd').at(-1), '2', 'past the ESTABLISHED timeout');
  });
  const reset = [tcp(0, 'c', TCP_SYN, 100, 0), tcp(0.001, 's', TCP_RST | TCP_ACK, 0, 101)];
  await load([...reset, tcp(119, 'c', TCP_ACK, 101, 1)], ({ packets }) => {
    assert.deepEqual(column(packets, 'flowInd'), ['1', '1', '1']);
    assert.equal(column(packets, 'tcpStatesAFlags').at(-1), '0x10');
  });
  await load([...reset, tcp(121, 'c', TCP_ACK, 101, 1)], ({ packets }) => {
    assert.deepEqual(column(packets, 'flowInd'), ['1', '1', '2']);
  });
});

test('the packet that first set a bit is found with a packets query on tcpStatesNewBits', async () => {
  // packet 6 (no ACK) sets 0x04 on both sides; packet 7 (no ACK again) keeps it but sets nothing new
  await load([
    ...handshake(), ...request(),
    tcp(0.015, 's', TCP_PSH, 506, 0, 'x'),
    tcp(0.016, 'c', TCP_PSH, 108, 0, 'y'),
    ...teardown(0.02),
  ], ({ catalog }) => {
    const pktNos = (text: string): string[] => {
      const { result } = runStatement(text, catalog);
      assert.ok(result, text);
      const col = result.columns.find((c) => c.def.name === 'pktNo')!;
      return [...result.rows.subarray(0, result.rowCount)].map((r) => col.text(r));
    };
    assert.deepEqual(pktNos('packets where flowInd == 1 and bitsanyset(tcpStatesNewBits, 0x04) select pktNo'), ['6']);
    // tcpStatesAFlags holds the sender's value after each packet: the bit stays set from packet 6 on
    assert.deepEqual(pktNos('packets where flowInd == 1 and bitsanyset(tcpStatesAFlags, 0x04) select pktNo'), ['6', '7', '8', '9', '10', '11']);
    // packet 7 is the client's first packet carrying 0x04, though the server's packet 6 set it on the client
    assert.deepEqual(pktNos('packets where flowInd == 1 and dir == "A" and bitsanyset(tcpStatesAFlags, 0x04) sort pktNo limit 1'), ['7']);
  });
});
