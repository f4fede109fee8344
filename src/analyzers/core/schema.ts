/** The core's columns and Tranalyzer's flowStat bit table (reference §4.2), declared once. */
import type { BitDef, ColumnDef } from '../../schema/types.ts';

const bit = (n: number, name: string, description: string, level?: BitDef['level']): BitDef =>
  ({ value: 1n << BigInt(n), name, description, ...(level ? { level } : {}) });

export const FLOW_STAT_BITS: readonly BitDef[] = [
  bit(0, 'INVERTED', 'Inverted flow: did not initiate the connection (B side)'),
  bit(1, 'NO_ETHERNET', 'No Ethernet header'),
  bit(2, 'PURE_L2', 'Pure L2 flow'),
  bit(3, 'PPPOE_DISC', 'PPPoE discovery'),
  bit(4, 'PPPOE_SESS', 'PPPoE session'),
  bit(5, 'LLDP', 'LLDP'),
  bit(6, 'ARP', 'ARP'),
  bit(7, 'RARP', 'RARP'),
  bit(8, 'VLAN', 'VLAN'),
  bit(9, 'MPLS_UCAST', 'MPLS unicast'),
  bit(10, 'MPLS_MCAST', 'MPLS multicast'),
  bit(11, 'L2TP', 'L2TP v2/3'),
  bit(12, 'GRE', 'GRE v1/2'),
  bit(13, 'PPP', 'PPP header after L2TP/GRE'),
  bit(14, 'IPV4', 'IPv4 flow'),
  bit(15, 'IPV6', 'IPv6 flow'),
  bit(16, 'IPVX_BOGUS', 'IPvX bogus packet', 'warning'),
  bit(17, 'IP_IN_IP', 'IPv4/6 in IPv4/6'),
  bit(18, 'ETH_OVER_IP', 'Ethernet over IP'),
  bit(19, 'TEREDO', 'Teredo'),
  bit(20, 'AYIYA', 'AYIYA tunnel'),
  bit(21, 'GTP', 'GTP'),
  bit(22, 'VXLAN', 'VXLAN'),
  bit(23, 'CAPWAP', 'CAPWAP / LWAPP'),
  bit(24, 'SCTP', 'SCTP'),
  bit(25, 'SSDP', 'SSDP/UPnP'),
  bit(26, 'ERSPAN', 'ERSPAN'),
  bit(27, 'WCCP', 'Cisco WCCP'),
  bit(28, 'SIP_RTP', 'SIP/RTP'),
  bit(29, 'GENEVE', 'GENEVE'),
  bit(30, 'IPSEC_AH', 'IPsec AH'),
  bit(31, 'IPSEC_ESP', 'IPsec ESP'),
  bit(32, 'CAPLEN_L2', 'Captured length < minimal L2 datagram', 'warning'),
  bit(33, 'CAPLEN_L3LEN', 'Captured length < length in L3 header (snaplen cut)', 'warning'),
  bit(34, 'CAPLEN_L3', 'Captured length < minimal L3 header', 'warning'),
  bit(35, 'CAPLEN_L4', 'Captured length < minimal L4 header', 'warning'),
  bit(36, 'IPV4_FRAG', 'IPv4 fragmentation present'),
  bit(37, 'IPV4_FRAG_ERR', 'IPv4 fragmentation error', 'warning'),
  bit(38, 'FRAG_FIRST_MISSING', 'First fragment out of sequence or missing', 'warning'),
  bit(39, 'FRAG_PENDING', 'Fragmentation pending / not finished when flow timed out', 'warning'),
  bit(40, 'TIMEOUT', 'Flow timeout instead of protocol termination'),
  bit(41, 'FORCE', 'Force/alarm mode: remove flow instantly'),
  bit(42, 'AUTOPILOT', 'Autopilot: flow removed to free hash-map space', 'warning'),
  bit(43, 'STOP_DISSECT', 'Stop dissecting (clipped packet, unhandled protocol, later fragment)', 'warning'),
  bit(44, 'DUP_IPID', 'Consecutive duplicate (non-zero) IPv4 ID within the flow', 'warning'),
  bit(45, 'PPP_COMPRESSED', 'PPP L3 header not readable (compressed)', 'warning'),
  bit(46, 'IPV4_HDR_SHORT', 'IPv4 header length < 20', 'error'),
  bit(47, 'IP_LEN_MISMATCH', 'IP payload length differs from the framing length', 'warning'),
  bit(48, 'HDRDESC_OVERRUN', 'Header description overrun', 'warning'),
  bit(49, 'PCAPD', 'Alarm: pcapd dumps this flow'),
  bit(50, 'LAND', 'Land attack: same source and destination IP and port (TCP)', 'error'),
  bit(51, 'TIME_JUMP', 'Timestamp jump (negative inter-arrival time)', 'warning'),
  bit(52, 'LIVEXTR', 'Flow to be extracted by liveXtr'),
  bit(55, 'SUBNET_TESTED', 'Subnet tested for that flow'),
  bit(56, 'TOR', 'Tor address'),
  bit(57, 'VLAN_PRIO_TAG', 'VLAN priority tag (id 0)'),
  bit(58, 'IPV4_PKT', 'IPv4 packet'),
  bit(59, 'IPV6_PKT', 'IPv6 packet'),
  bit(60, 'LAPD', 'LAPD flow'),
  bit(61, 'DTLS', 'DTLS in L7'),
  bit(62, 'DURATION_LIMIT', 'Flow duration limit: same flowInd for all sub-flows'),
  bit(63, 'CAPLEN_REDUCED', 'pcap packet length > MAX_MTU, caplen reduced', 'warning'),
];

/** Bit positions the core sets, as (word, mask) pairs over the low/high 32-bit halves. */
export const enum FlowStatLo {
  Inverted = 1 << 0, NoEthernet = 1 << 1, PureL2 = 1 << 2, Lldp = 1 << 5, Arp = 1 << 6, Rarp = 1 << 7,
  Vlan = 1 << 8, Ipv4 = 1 << 14, Ipv6 = 1 << 15, Bogus = 1 << 16, IpInIp = 1 << 17, Sctp = 1 << 24,
}
export const enum FlowStatHi {
  CapLenL2 = 1 << 0, CapLenL3Len = 1 << 1, CapLenL3 = 1 << 2, CapLenL4 = 1 << 3, Ipv4Frag = 1 << 4,
  FragFirstMissing = 1 << 6, StopDissect = 1 << 11, DupIpId = 1 << 12, Ipv4HdrShort = 1 << 14,
  IpLenMismatch = 1 << 15, Land = 1 << 18, TimeJump = 1 << 19, VlanPrioTag = 1 << 25, Ipv4Pkt = 1 << 26,
  Ipv6Pkt = 1 << 27,
}

export const DIR_COLUMN: ColumnDef = {
  name: 'dir', type: 'char', tranalyzer: true,
  description: 'A: the direction that initiated the connection (the first packet\'s sender, unless that packet looks like a server\'s answer: ' +
    'source port below 1024 and below the destination port, 8080-style ports, or a SYN+ACK); B: the reverse. ' +
    'A flow seen in one direction only keeps its letter (Tranalyzer prints such a flow as A even when it is inverted)',
};
export const FLOW_IND_COLUMN: ColumnDef = {
  name: 'flowInd', type: 'u64', tranalyzer: true,
  description: 'Flow index, shared by the A and B rows of one connection, in order of creation (0: packet without flow). ' +
    'Unlike Tranalyzer, a SYN with a new sequence number on a used address/port pair starts a new flow (as Wireshark\'s tcp.stream), ' +
    'and VLAN ids are not part of the flow key, so directions seen on different VLANs stay one flow',
};
export const FLOW_STAT_COLUMN: ColumnDef = {
  name: 'flowStat', type: 'h64', tranalyzer: true, bits: FLOW_STAT_BITS,
  description: 'Flow status bits, OR of the statuses of this direction\'s packets (per packet: the flow\'s status so far)',
};

export const CORE_FLOW_COLUMNS: readonly ColumnDef[] = [DIR_COLUMN, FLOW_IND_COLUMN, FLOW_STAT_COLUMN];

export const CORE_PACKET_COLUMNS: readonly ColumnDef[] = [
  { name: 'pktNo', type: 'u64', tranalyzer: true, description: 'Packet number in the capture, from 1' },
  FLOW_IND_COLUMN,
  DIR_COLUMN,
  FLOW_STAT_COLUMN,
  { name: 'time', type: 'time', tranalyzer: true, description: 'Packet timestamp (seconds since the epoch)' },
];
