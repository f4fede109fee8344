/** basicFlow's columns (reference §4.1, §5.4), declared once. */
import type { ColumnDef } from '../../schema/types.ts';

export const L4_PROTO_NAMES: Readonly<Record<number, string>> = {
  0: 'hopopt', 1: 'icmp', 2: 'igmp', 4: 'ipip', 6: 'tcp', 17: 'udp', 41: 'ipv6', 43: 'ipv6-route',
  44: 'ipv6-frag', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'icmp6', 59: 'ipv6-nonxt', 60: 'ipv6-opts',
  89: 'ospf', 103: 'pim', 112: 'vrrp', 132: 'sctp', 136: 'udplite',
};

export const ETH_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x8035: 'RARP', 0x8100: '802.1Q VLAN', 0x86dd: 'IPv6', 0x88a8: '802.1ad',
  0x88cc: 'LLDP', 0x8847: 'MPLS unicast', 0x8848: 'MPLS multicast', 0x8863: 'PPPoE discovery', 0x8864: 'PPPoE session',
};

const l4Proto: ColumnDef = { name: 'l4Proto', type: 'u8', tranalyzer: true, valueNames: L4_PROTO_NAMES, description: 'IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6); 0 for non-IP flows' };
const ethType: ColumnDef = { name: 'ethType', type: 'h16', tranalyzer: true, valueNames: ETH_TYPE_NAMES, description: 'EtherType of the network layer (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP)' };
const srcIP: ColumnDef = { name: 'srcIP', type: 'ip', tranalyzer: true, description: 'Source address (IPv4 or IPv6)' };
const srcPort: ColumnDef = { name: 'srcPort', type: 'u16', tranalyzer: true, description: 'Source port (0 without ports)' };
const dstIP: ColumnDef = { name: 'dstIP', type: 'ip', tranalyzer: true, description: 'Destination address (IPv4 or IPv6)' };
const dstPort: ColumnDef = { name: 'dstPort', type: 'u16', tranalyzer: true, description: 'Destination port (0 without ports)' };
const vlanID: ColumnDef = { name: 'vlanID', type: 'u16', repeated: true, tranalyzer: true, description: 'VLAN ids, outermost first (empty without VLAN tags)' };

export const BASIC_FLOW_COLUMNS: readonly ColumnDef[] = [
  { name: 'timeFirst', type: 'time', tranalyzer: true, description: 'Timestamp of the first packet of this direction' },
  { name: 'timeLast', type: 'time', tranalyzer: true, description: 'Timestamp of the last packet of this direction' },
  { name: 'duration', type: 'seconds', tranalyzer: true, description: 'timeLast - timeFirst (seconds)' },
  { name: 'numHdrDesc', type: 'u8', tranalyzer: true, description: 'Number of distinct header stacks seen (at most 4 listed)' },
  { name: 'numHdrs', type: 'u16', repeated: true, tranalyzer: true, description: 'Depth of each header stack' },
  { name: 'hdrDesc', type: 'str', repeated: true, tranalyzer: true, description: 'Header stacks, e.g. eth:ipv4:tcp' },
  { name: 'srcMac', type: 'mac', repeated: true, tranalyzer: true, description: 'Distinct source MAC addresses (at most 3)' },
  { name: 'dstMac', type: 'mac', repeated: true, tranalyzer: true, description: 'Distinct destination MAC addresses (at most 3)' },
  ethType,
  vlanID,
  srcIP,
  srcPort,
  dstIP,
  dstPort,
  l4Proto,
  { name: 'numPktsSnt', type: 'u64', tranalyzer: true, description: 'Packets sent in this direction' },
  { name: 'numBytesSnt', type: 'u64', tranalyzer: true, description: 'Bytes sent in this direction (captured frame lengths)' },
];

export const BASIC_PACKET_COLUMNS: readonly ColumnDef[] = [
  { name: 'pktIAT', type: 'seconds', tranalyzer: true, description: 'Time since the previous packet of the same flow direction (0 for its first)' },
  { name: 'pktTrip', type: 'seconds', tranalyzer: true, description: 'Time since the last packet of the reverse direction (0 if none yet)' },
  { name: 'flowDuration', type: 'seconds', tranalyzer: true, description: 'Time since the first packet of this flow direction' },
  { name: 'numHdrs', type: 'u16', tranalyzer: true, description: 'Number of headers in the packet\'s header stack' },
  { name: 'hdrDesc', type: 'str', tranalyzer: true, description: 'The packet\'s header stack, e.g. eth:ipv4:tcp' },
  vlanID,
  { name: 'srcMac', type: 'mac', tranalyzer: true, description: 'Source MAC address (empty without Ethernet)' },
  { name: 'dstMac', type: 'mac', tranalyzer: true, description: 'Destination MAC address (empty without Ethernet)' },
  ethType,
  srcIP,
  srcPort,
  dstIP,
  dstPort,
  l4Proto,
  { name: 'capLen', type: 'u32', description: 'Captured length of the frame (bytes in the file)' },
  { name: 'wireLen', type: 'u32', description: 'Length of the frame on the wire' },
  { name: 'l7Len', type: 'u32', description: 'Application payload length according to the headers' },
  { name: 'l7Content', type: 'str', tranalyzer: true, description: 'Captured application payload, control bytes escaped (\\r \\n \\xHH); read from the capture file on demand' },
];
