import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter, LINKTYPE_ETHERNET } from '../capture/writer.ts';
import { ipv4, ipv6, mac } from '../../samples/gen/addr.ts';
import {
  ARP_REQUEST, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN,
  arp, ethernet, ipv4Packet, ipv6Packet, tcpSegment, udpDatagram,
} from '../../samples/gen/layers.ts';
import { loadCapture, type LoadedCapture } from './load.ts';
import type { Table } from './table.ts';

const CLIENT = ipv4('192.0.2.10'), SERVER = ipv4('192.0.2.21');
const CMAC = mac('02:00:00:00:00:0a'), SMAC = mac('02:00:00:00:00:15');
const T0 = 1_700_000_000;

/** t: seconds after T0 */
type Frame = { t: number; frame: Uint8Array };

let nextIpId = 1;
function tcp4(from: 'c' | 's', sport: number, dport: number, flags: number, seq: number, ack: number, text = '', id = nextIpId++): Uint8Array {
  const [src, dst, smac, dmac] = from === 'c' ? [CLIENT, SERVER, CMAC, SMAC] : [SERVER, CLIENT, SMAC, CMAC];
  const seg = tcpSegment(src, dst, { srcPort: sport, dstPort: dport, seq, ack, flags, window: 65535 }, new TextEncoder().encode(text));
  return ethernet({ src: smac, dst: dmac, etherType: ETHERTYPE_IPV4 }, ipv4Packet({ src, dst, protocol: IPPROTO_TCP, id, ttl: 64 }, seg));
}

async function load(frames: Frame[], fn: (c: LoadedCapture) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-load-'));
  const file = join(dir, 'test.pcap');
  const w = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET, nanosecond: true });
  for (const f of frames) {
    // f.t is an offset from T0, small enough to convert to nanoseconds exactly
    const whole = Math.floor(f.t);
    w.writePacket(T0 + whole, Math.round((f.t - whole) * 1e9), f.frame);
  }
  w.close();
  const c = await loadCapture(file);
  try { fn(c); } finally { c.close(); rmSync(dir, { recursive: true, force: true }); }
}

function cell(t: Table, col: string, row: number): string {
  const c = t.column(col);
  assert.ok(c, `column ${col} exists in ${t.def.name}`);
  return c.text(row);
}

test('a TCP connection becomes flow 1 with an A row for the client and a B row for the server', async () => {
  await load([
    { t: 0, frame: tcp4('c', 40000, 21, TCP_SYN, 100, 0) },
    { t: 0.001, frame: tcp4('s', 21, 40000, TCP_SYN | TCP_ACK, 500, 101) },
    { t: 0.002, frame: tcp4('c', 40000, 21, TCP_ACK, 101, 501) },
    { t: 0.010, frame: tcp4('s', 21, 40000, TCP_ACK | TCP_PSH, 501, 101, '220 ready\r\n') },
    { t: 0.020, frame: tcp4('c', 40000, 21, TCP_FIN | TCP_ACK, 101, 512) },
  ], ({ flows, packets, report }) => {
    assert.equal(flows.rowCount, 2);
    assert.deepEqual([cell(flows, 'dir', 0), cell(flows, 'dir', 1)], ['A', 'B']);
    assert.deepEqual([cell(flows, 'flowInd', 0), cell(flows, 'flowInd', 1)], ['1', '1']);
    assert.equal(cell(flows, 'srcIP', 0), '192.0.2.10');
    assert.equal(cell(flows, 'srcPort', 0), '40000');
    assert.equal(cell(flows, 'srcIP', 1), '192.0.2.21');
    assert.equal(cell(flows, 'dstPort', 1), '40000');
    assert.equal(cell(flows, 'flowStat', 0), '0x0400000000004000');
    assert.equal(cell(flows, 'flowStat', 1), '0x0400000000004001');
    assert.equal(cell(flows, 'numPktsSnt', 0), '3');
    assert.equal(cell(flows, 'numPktsSnt', 1), '2');
    assert.equal(cell(flows, 'hdrDesc', 0), 'eth:ipv4:tcp');
    assert.equal(cell(flows, 'srcMac', 0), '02:00:00:00:00:0a');
    assert.equal(cell(flows, 'timeFirst', 1), '1700000000.001000000');
    assert.equal(cell(flows, 'duration', 0), '0.020000000');
    assert.equal(cell(flows, 'l4Proto', 0), '6');
    // packets: direction, timing and payload read back from the file
    assert.equal(packets.rowCount, 5);
    assert.deepEqual([0, 1, 2, 3, 4].map((r) => cell(packets, 'dir', r)), ['A', 'B', 'A', 'B', 'A']);
    assert.equal(cell(packets, 'pktIAT', 2), '0.002000000');
    assert.equal(cell(packets, 'pktTrip', 2), '0.001000000');
    assert.equal(cell(packets, 'flowDuration', 3), '0.009000000');
    assert.equal(cell(packets, 'l7Content', 3), '220 ready\\r\\n');
    assert.equal(packets.column('l7Content')!.get(3), '220 ready\r\n');
    assert.equal(cell(packets, 'l7Len', 3), '11');
    assert.equal(cell(packets, 'srcIP', 3), '192.0.2.21');
    assert.equal(report.packets, 5);
    assert.equal(report.flows, 2);
    assert.equal(report.tcpPackets, 5);
    assert.equal(report.aPackets, 3);
    assert.equal(report.firstTime, '1700000000.000000000');
  });
});

test('readFrame returns a packet\'s frame byte for byte with its link type and timestamp', async () => {
  const frames = [
    { t: 0, frame: tcp4('c', 40000, 21, TCP_SYN, 100, 0) },
    { t: 0.5, frame: tcp4('s', 21, 40000, TCP_ACK | TCP_PSH, 501, 101, '220 hi\r\n') },
  ];
  await load(frames, (c) => {
    const f = c.readFrame(1);
    assert.deepEqual(f.bytes, frames[1]!.frame);
    assert.equal(f.capLen, frames[1]!.frame.length);
    assert.equal(f.linkType, 1);
    assert.equal(f.tsSec, T0);
    assert.equal(f.tsNsec, 500_000_000);
    assert.throws(() => c.readFrame(2), RangeError);
  });
});

test('a repeated non-zero IPv4 ID in one direction sets the duplicate-IP-ID bit', async () => {
  await load([
    { t: 0, frame: tcp4('c', 40000, 21, TCP_SYN, 100, 0, '', 7) },
    { t: 1, frame: tcp4('c', 40000, 21, TCP_SYN, 100, 0, '', 7) },
  ], ({ flows, packets }) => {
    assert.equal(cell(flows, 'flowStat', 0), '0x0400100000004000');
    assert.equal(cell(packets, 'flowStat', 0), '0x0400000000004000');
    assert.equal(cell(packets, 'flowStat', 1), '0x0400100000004000');
  });
});

test('a first packet that looks like a server reply makes the B row; the client side becomes A', async () => {
  await load([
    { t: 0, frame: tcp4('s', 21, 40000, TCP_ACK | TCP_PSH, 501, 101, '230 ok\r\n') },
    { t: 1, frame: tcp4('c', 40000, 21, TCP_ACK, 101, 509) },
  ], ({ flows, packets }) => {
    assert.equal(flows.rowCount, 2);
    assert.equal(cell(flows, 'dir', 0), 'A');
    assert.equal(cell(flows, 'srcPort', 0), '40000');
    assert.equal(cell(flows, 'dir', 1), 'B');
    assert.equal(cell(flows, 'srcPort', 1), '21');
    assert.equal(cell(packets, 'dir', 0), 'B');
    assert.equal(cell(packets, 'flowInd', 1), '1');
  });
});

test('a 5-tuple idle longer than the flow timeout starts a new flow index', async () => {
  const udp = (t: number) => ({
    t,
    frame: ethernet({ src: CMAC, dst: SMAC, etherType: ETHERTYPE_IPV4 },
      ipv4Packet({ src: CLIENT, dst: SERVER, protocol: IPPROTO_UDP, id: t + 1, ttl: 64 }, udpDatagram(CLIENT, SERVER, { srcPort: 5000, dstPort: 5001 }, new Uint8Array(4)))),
  });
  await load([udp(0), udp(100), udp(100 + 183)], ({ flows, packets }) => {
    assert.equal(flows.rowCount, 2);
    assert.deepEqual([0, 1, 2].map((r) => cell(packets, 'flowInd', r)), ['1', '1', '2']);
    assert.equal(cell(flows, 'numPktsSnt', 0), '2');
  });
});

test('ARP forms a layer-2 flow keyed by MACs; IPv6 flows get the IPv6 bits', async () => {
  const a = ethernet({ src: CMAC, dst: mac('ff:ff:ff:ff:ff:ff'), etherType: ETHERTYPE_ARP },
    arp({ op: ARP_REQUEST, senderMac: CMAC, senderIp: CLIENT, targetMac: mac('00:00:00:00:00:00'), targetIp: SERVER }));
  const c6 = ipv6('2001:db8::10'), s6 = ipv6('2001:db8::21');
  const v6 = ethernet({ src: CMAC, dst: SMAC, etherType: ETHERTYPE_IPV6 },
    ipv6Packet({ src: c6, dst: s6, nextHeader: IPPROTO_TCP, hopLimit: 64 }, tcpSegment(c6, s6, { srcPort: 40001, dstPort: 21, seq: 1, ack: 0, flags: TCP_SYN, window: 1000 }, new Uint8Array(0))));
  await load([{ t: 0, frame: a }, { t: 0.5, frame: a }, { t: 1, frame: v6 }], ({ flows, report }) => {
    assert.equal(flows.rowCount, 2);
    assert.equal(cell(flows, 'flowStat', 0), '0x0000000000000044');
    assert.equal(cell(flows, 'ethType', 0), '0x0806');
    assert.equal(cell(flows, 'srcIP', 0), '');
    assert.equal(cell(flows, 'numPktsSnt', 0), '2');
    assert.equal(cell(flows, 'flowStat', 1), '0x0800000000008000');
    assert.equal(cell(flows, 'srcIP', 1), '2001:db8::10');
    assert.equal(report.ipv6Packets, 1);
    assert.equal(report.l2Packets, 2);
    assert.equal(report.arpPackets, 2);
  });
});

test('a new SYN on a used 4-tuple starts a new flow (Wireshark tcp.stream rule); a repeated SYN does not', async () => {
  await load([
    { t: 0, frame: tcp4('c', 40000, 9000, TCP_SYN, 100, 0) },
    { t: 1, frame: tcp4('c', 40000, 9000, TCP_SYN, 100, 0) }, // retransmission: same ISN
    { t: 1.001, frame: tcp4('s', 9000, 40000, TCP_SYN | TCP_ACK, 700, 101) },
    { t: 1.002, frame: tcp4('c', 40000, 9000, TCP_FIN | TCP_ACK, 101, 701) },
    { t: 1.003, frame: tcp4('s', 9000, 40000, TCP_FIN | TCP_ACK, 701, 102) },
    { t: 2, frame: tcp4('c', 40000, 9000, TCP_SYN, 5000, 0) }, // port reuse, new ISN
    { t: 2.001, frame: tcp4('s', 9000, 40000, TCP_SYN | TCP_ACK, 9000, 5001) },
  ], ({ flows, packets }) => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((r) => cell(packets, 'flowInd', r)), ['1', '1', '1', '1', '1', '2', '2']);
    assert.equal(flows.rowCount, 4);
    assert.deepEqual([0, 1, 2, 3].map((r) => cell(flows, 'dir', r)), ['A', 'B', 'A', 'B']);
  });
});

test('the two directions of a connection seen on different VLANs form one flow', async () => {
  const vlanFrame = (from: 'c' | 's', vlanId: number) => {
    const [src, dst, smac, dmac, sp, dp] = from === 'c' ? [CLIENT, SERVER, CMAC, SMAC, 40000, 21] : [SERVER, CLIENT, SMAC, CMAC, 21, 40000];
    const seg = tcpSegment(src, dst, { srcPort: sp, dstPort: dp, seq: 1, ack: 1, flags: TCP_ACK, window: 100 }, new Uint8Array(0));
    return ethernet({ src: smac, dst: dmac, etherType: ETHERTYPE_IPV4, vlanId }, ipv4Packet({ src, dst, protocol: IPPROTO_TCP, id: nextIpId++, ttl: 64 }, seg));
  };
  await load([{ t: 0, frame: vlanFrame('c', 20) }, { t: 0.1, frame: vlanFrame('s', 601) }], ({ flows }) => {
    assert.equal(flows.rowCount, 2);
    assert.deepEqual([cell(flows, 'flowInd', 0), cell(flows, 'flowInd', 1)], ['1', '1']);
    assert.deepEqual([cell(flows, 'vlanID', 0), cell(flows, 'vlanID', 1)], ['20', '601']);
    assert.equal(cell(flows, 'flowStat', 1), '0x0400000000004101');
  });
});

test('packetFlowRows maps each packet to the flows row of its flowInd and dir; l7Content reads a prefix on request', async () => {
  await load([
    { t: 0, frame: tcp4('c', 40001, 21, TCP_SYN, 100, 0) },
    { t: 0.001, frame: tcp4('s', 21, 40001, TCP_SYN | TCP_ACK, 500, 101) },
    { t: 0.002, frame: ethernet({ src: CMAC, dst: mac('ff:ff:ff:ff:ff:ff'), etherType: ETHERTYPE_ARP },
      arp({ op: ARP_REQUEST, senderMac: CMAC, senderIp: CLIENT, targetMac: mac('00:00:00:00:00:00'), targetIp: SERVER })) },
    { t: 0.010, frame: tcp4('s', 21, 40001, TCP_ACK | TCP_PSH, 501, 101, '220 ready for you\r\n') },
  ], (c) => {
    const { flows, packets, packetFlowRows } = c;
    assert.equal(packetFlowRows.length, packets.rowCount);
    for (let p = 0; p < packets.rowCount; p++) {
      const r = packetFlowRows[p]!;
      assert.ok(r >= 0 && r < flows.rowCount, `packet ${p + 1} has a flow row`);
      assert.equal(cell(flows, 'flowInd', r), cell(packets, 'flowInd', p));
      assert.equal(cell(flows, 'dir', r), cell(packets, 'dir', p));
    }
    const content = packets.column('l7Content') as unknown as { bytes(row: number, max?: number): Uint8Array };
    assert.equal(new TextDecoder().decode(content.bytes(3, 7)), '220 rea');
    assert.equal(content.bytes(3).length, 19);
    assert.equal(packets.column('l7Content')!.get(3), '220 ready for you\r\n');
  });
});

test('l7Content prefixes (kept for each direction\'s first payload) equal the start of the payload read from the file', async () => {
  const { readdirSync } = await import('node:fs');
  const dir = join(import.meta.dirname, '../../samples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng'));
  assert.ok(files.length > 3);
  let compared = 0;
  for (const f of files) {
    const c = await loadCapture(join(dir, f));
    try {
      const content = c.packets.column('l7Content') as unknown as { bytes(row: number, max?: number): Uint8Array };
      for (let p = 0; p < c.packets.rowCount; p++) {
        const whole = content.bytes(p);
        for (const max of [0, 3, 16]) assert.deepEqual(content.bytes(p, max), whole.subarray(0, max), `${f} packet ${p + 1}, ${max} bytes`);
        compared++;
      }
    } finally { c.close(); }
  }
  assert.ok(compared > 100);
});
