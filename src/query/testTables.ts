/**
 * Test fixture: a small flows table with realistic Tranalyzer-style columns (64-bit flowStat as
 * bigints, 16-bit tcpFlags, IPv4 and IPv6 addresses, ports, list columns, text). Used by the query
 * tests; the rows are also exported as plain objects so tests can compute expectations independently.
 */
import type { BitDef, ColumnDef, TableDef } from '../schema/types.ts';
import { MemoryCatalog, MemoryTable } from '../store/memoryTable.ts';
import { IpAddr, type Value } from '../store/value.ts';

/** a subset of Tranalyzer's flowStat bits (reference 4.2), enough for explain tests */
export const FLOW_STAT_BITS: readonly BitDef[] = [
  { value: 0x0000000000000001n, name: 'INVERTED', description: 'inverted flow: did not initiate the connection' },
  { value: 0x0000000000000100n, name: 'VLAN', description: 'VLAN' },
  { value: 0x0000000000004000n, name: 'IPV4', description: 'IPv4 flow' },
  { value: 0x0000000000008000n, name: 'IPV6', description: 'IPv6 flow' },
  { value: 0x0000100000000000n, name: 'DUP_IPID', description: 'consecutive duplicate IPv4 ID', level: 'warning' },
  { value: 0x0400000000000000n, name: 'IPV4_PKT', description: 'IPv4 packet' },
  { value: 0x0800000000000000n, name: 'IPV6_PKT', description: 'IPv6 packet' },
];

export const TCP_FLAGS_BITS: readonly BitDef[] = [
  { value: 0x0001, name: 'FIN', description: 'FIN' },
  { value: 0x0002, name: 'SYN', description: 'SYN' },
  { value: 0x0004, name: 'RST', description: 'RST' },
  { value: 0x0008, name: 'PSH', description: 'PSH' },
  { value: 0x0010, name: 'ACK', description: 'ACK' },
  { value: 0x0020, name: 'URG', description: 'URG' },
  { value: 0x0040, name: 'ECE', description: 'ECE' },
  { value: 0x0080, name: 'CWR', description: 'CWR' },
  { value: 0x0100, name: 'FIN_ACK', description: 'FIN-ACK' },
  { value: 0x0200, name: 'SYN_ACK', description: 'SYN-ACK' },
  { value: 0x0400, name: 'RST_ACK', description: 'RST-ACK' },
];

export const FLOW_COLUMNS: readonly ColumnDef[] = [
  { name: 'dir', type: 'char', description: 'A or B' },
  { name: 'flowInd', type: 'u64', description: 'flow index' },
  { name: 'flowStat', type: 'h64', description: 'flow status', bits: FLOW_STAT_BITS },
  { name: 'timeFirst', type: 'time', description: 'first packet' },
  { name: 'duration', type: 'seconds', description: 'duration' },
  { name: 'srcMac', type: 'mac', description: 'source MACs', repeated: true },
  { name: 'hdrDesc', type: 'str', description: 'header stacks', repeated: true },
  { name: 'vlanID', type: 'u16', description: 'VLAN ids', repeated: true },
  { name: 'srcIP', type: 'ip', description: 'source address' },
  { name: 'srcPort', type: 'u16', description: 'source port' },
  { name: 'dstIP', type: 'ip', description: 'destination address' },
  { name: 'dstPort', type: 'u16', description: 'destination port' },
  { name: 'l4Proto', type: 'u8', description: 'IP protocol', valueNames: { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' } },
  { name: 'numPktsSnt', type: 'u64', description: 'packets sent' },
  { name: 'numBytesSnt', type: 'u64', description: 'bytes sent' },
  { name: 'tcpFlags', type: 'h16', description: 'TCP flags', bits: TCP_FLAGS_BITS },
  { name: 'srcIPOrg', type: 'str', description: 'source organisation' },
];

export type FlowRow = {
  dir: string; flowInd: number; flowStat: bigint; timeFirst: number; duration: number; srcMac: string[];
  hdrDesc: string[]; vlanID: number[]; srcIP: IpAddr; srcPort: number; dstIP: IpAddr; dstPort: number;
  l4Proto: number; numPktsSnt: number; numBytesSnt: number; tcpFlags: number; srcIPOrg: string;
};

const ip = (text: string): IpAddr => IpAddr.parse(text)!;

function flow(
  dir: string, flowInd: number, flowStat: bigint, src: string, srcPort: number, dst: string, dstPort: number,
  l4Proto: number, numPktsSnt: number, numBytesSnt: number, tcpFlags: number, extra: Partial<FlowRow> = {},
): FlowRow {
  const v6 = src.includes(':');
  return {
    dir, flowInd, flowStat, timeFirst: 1700000000 + flowInd + (dir === 'B' ? 0.25 : 0), duration: numPktsSnt * 0.5,
    srcMac: ['00:11:22:33:44:55'], hdrDesc: [v6 ? 'eth:ipv6:tcp' : 'eth:ipv4:tcp'], vlanID: [],
    srcIP: ip(src), srcPort, dstIP: ip(dst), dstPort, l4Proto, numPktsSnt, numBytesSnt, tcpFlags,
    srcIPOrg: 'Private network', ...extra,
  };
}

export const FLOW_ROWS: readonly FlowRow[] = [
  flow('A', 1, 0x0400000000004000n, '192.0.2.10', 49152, '192.0.2.20', 21, 6, 12, 640, 0x011b),
  flow('B', 1, 0x0400000000004001n, '192.0.2.20', 21, '192.0.2.10', 49152, 6, 10, 1210, 0x031b,
    { srcMac: ['AA:BB:CC:DD:EE:FF'] }),
  flow('A', 2, 0x0400000000004000n, '192.0.2.20', 20, '192.0.2.10', 50000, 6, 80, 100000, 0x0313,
    { vlanID: [10, 20], srcIPOrg: 'Example Org' }),
  flow('A', 3, 0x0400000000004100n, '192.0.2.10', 53000, '192.0.2.53', 53, 17, 1, 45, 0,
    { hdrDesc: ['eth:vlan:ipv4:udp'], vlanID: [10] }),
  flow('B', 3, 0x0400000000004101n, '192.0.2.53', 53, '192.0.2.10', 53000, 17, 1, 120, 0,
    { hdrDesc: ['eth:vlan:ipv4:udp', 'eth:ipv4:udp'], vlanID: [10, 30] }),
  flow('A', 4, 0x0800000000008000n, '2001:db8::1', 40000, '2001:db8::2', 443, 6, 2, 150, 0x0002,
    { srcMac: ['00:11:22:33:44:55', '02:00:00:00:00:01'] }),
  flow('A', 5, 0x0400000000004000n, '192.0.2.30', 0, '192.0.2.40', 0, 1, 4, 336, 0, { hdrDesc: ['eth:ipv4:icmp'] }),
  flow('A', 6, 0x0800000000008000n, '2001:db8:1::5', 0, '2001:db8::1', 0, 58, 3, 192, 0, { hdrDesc: ['eth:ipv6:icmp6'] }),
  flow('A', 7, 0x0400100000004000n, '192.0.2.10', 50001, '192.0.2.20', 21, 6, 3, 180, 0x0416),
  flow('A', 8, 0x8400000000004000n, '192.0.2.11', 1024, '192.0.2.20', 8080, 6, 1, 0, 0x0002, { srcIPOrg: 'examples\tinc' }),
  flow('A', 9, 0x0400000000004000n, '192.0.2.12', 2000, '192.0.2.20', 21, 6, 12, 640, 0x0119),
];

export const FLOWS_DEF: TableDef = { name: 'flows', description: 'test flows', columns: FLOW_COLUMNS };

export function flowsTable(): MemoryTable {
  return MemoryTable.fromRows(FLOWS_DEF, FLOW_ROWS as unknown as Record<string, Value>[]);
}

/** a second table without tcpFlags or flowStat, to test per-table availability */
export const PACKET_COLUMNS: readonly ColumnDef[] = [
  { name: 'pktNo', type: 'u64', description: 'packet number' },
  { name: 'flowInd', type: 'u64', description: 'flow index' },
  { name: 'srcIP', type: 'ip', description: 'source address' },
  { name: 'dstIP', type: 'ip', description: 'destination address' },
  { name: 'l4Proto', type: 'u8', description: 'IP protocol', valueNames: { 6: 'tcp', 17: 'udp' } },
  { name: 'ipFlags', type: 'h16', description: 'IP flags', bits: [{ value: 0x0040, name: 'DF', description: "don't fragment" }] },
];

export function packetsTable(): MemoryTable {
  return MemoryTable.fromRows({ name: 'packets', description: 'test packets', columns: PACKET_COLUMNS }, [
    { pktNo: 1, flowInd: 1, srcIP: '192.0.2.10', dstIP: '192.0.2.20', l4Proto: 6, ipFlags: 0x40 },
    { pktNo: 2, flowInd: 4, srcIP: '2001:db8::1', dstIP: '2001:db8::2', l4Proto: 6, ipFlags: 0 },
    { pktNo: 3, flowInd: 3, srcIP: '192.0.2.10', dstIP: '192.0.2.53', l4Proto: 17, ipFlags: 0x40 },
  ]);
}

export function testCatalog(): MemoryCatalog {
  return new MemoryCatalog([flowsTable(), packetsTable()]);
}
