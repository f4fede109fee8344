/**
 * The result of decoding one packet. One instance is reused for every packet (the hot path
 * allocates nothing): decoders overwrite the fields, `reset()` clears them first.
 * Offsets are relative to the start of the packet's captured bytes.
 */
export const enum Layer {
  // header stack codes, printed by hdrDescName (`eth:vlan:ipv4:tcp`)
  None = 0, Eth = 1, Vlan = 2, Sll = 3, Sll2 = 4, Null = 5, Raw = 6,
  Ipv4 = 7, Ipv6 = 8, Tcp = 9, Udp = 10, Icmp = 11, Icmp6 = 12, Arp = 13, Lldp = 14,
  Ip6HopOpts = 15, Ip6Route = 16, Ip6Frag = 17, Ip6DestOpts = 18, Other = 19, Llc = 20,
  Sctp = 21, Igmp = 22, Gre = 23, Esp = 24, Ah = 25, Qinq = 26, Rarp = 27,
}

export const LAYER_NAMES: readonly string[] = [
  '', 'eth', 'vlan', 'sll', 'sll2', 'null', 'raw', 'ipv4', 'ipv6', 'tcp', 'udp', 'icmp', 'icmp6',
  'arp', 'lldp', 'ip6hop', 'ip6route', 'ip6frag', 'ip6dest', 'data', 'llc', 'sctp', 'igmp', 'gre',
  'esp', 'ah', 'qinq', 'rarp',
];

/** Packet-level status bits; the flow store maps them onto Tranalyzer's flowStat bits. */
export const enum PacketStatus {
  NoEthernet = 1 << 0, // link layer is not Ethernet
  Vlan = 1 << 1,
  Ipv4 = 1 << 2,
  Ipv6 = 1 << 3,
  PureL2 = 1 << 4, // no IP layer (ARP, LLDP, ...)
  Arp = 1 << 5,
  Lldp = 1 << 6,
  Rarp = 1 << 7,
  Fragment = 1 << 8, // IPv4 or IPv6 fragment (any)
  LaterFragment = 1 << 9, // fragment offset > 0: no L4 header here
  CapLenBelowL2 = 1 << 10, // captured length < minimal L2 header
  CapLenBelowIpLen = 1 << 11, // captured length < length in the L3 header (snaplen cut)
  CapLenBelowL3 = 1 << 12, // captured length < minimal L3 header
  CapLenBelowL4 = 1 << 13, // captured length < minimal L4 header
  Ipv4HdrShort = 1 << 14, // IHL < 5
  IpLenMismatch = 1 << 15, // IP payload length != framing length
  VlanPriorityTag = 1 << 16, // VLAN id 0
  UnsupportedLink = 1 << 17, // link type this decoder does not know
  Bogus = 1 << 18, // version nibble or header nonsense
  Tunnel = 1 << 19, // IP in IP
  TcpOptionsCorrupt = 1 << 20,
  Truncated = 1 << 21, // any field cut short by the snaplen
  IpOptionsCorrupt = 1 << 22, // IPv4 option with an impossible length (Tranalyzer ipFlags 0x0001)
  HeaderStackOverrun = 1 << 23, // more layers than a header-stack code can hold; the rest not recorded
}

export class DecodedPacket {
  status = 0;
  // header stack
  readonly layers = new Uint8Array(16);
  numLayers = 0;
  // link layer
  linkType = 0;
  srcMacHi = 0; // top 16 bits of the MAC
  srcMacLo = 0; // low 32 bits
  dstMacHi = 0;
  dstMacLo = 0;
  hasMac = false;
  ethType = 0; // EtherType of the network layer (after VLAN tags), 0 if none
  netOffset = 0; // offset of the network-layer header (IP, ARP, LLC payload, ...) after the link header
  readonly vlanIds = new Uint16Array(8);
  numVlans = 0;
  // network layer
  ipVersion = 0; // 4, 6 or 0
  ipOffset = 0;
  ipHeaderLen = 0; // IPv4 IHL*4 or 40 + extension headers for IPv6
  ipTotalLen = 0; // from the header (IPv4 total length, IPv6 40 + payload length)
  /** source address: IPv4 in word 0 (words 1..3 zero); IPv6 as four big-endian words */
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  ttl = 0; // TTL / hop limit
  tos = 0; // ToS / traffic class
  ipId = 0; // IPv4 ID, or IPv6 fragment identification
  ipFlags = 0; // IPv4: 0x4000 DF, 0x2000 MF, 0x8000 reserved (raw flags<<13 form)
  fragOffset = 0; // in bytes
  moreFragments = false;
  ipOptCount = 0;
  ipv6ExtMask = 0; // bit n set: extension header of Layer n seen
  l4Proto = 0; // IP protocol number (after extension headers), 0 when none
  l4Offset = 0;
  // transport layer
  srcPort = 0;
  dstPort = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpFlags = 0; // the 8 flag bits (CWR..FIN)
  tcpWindow = 0;
  tcpHeaderLen = 0;
  tcpUrgent = 0;
  tcpOptions = 0; // bit n = option kind n seen (0x80000000 = kind > 31), Tranalyzer's tcpOptions
  tcpOptCount = 0;
  tcpMss = -1; // -1: option absent
  tcpWscale = -1;
  tcpSackPermitted = false;
  tcpSackBlocks = 0;
  tcpTsVal = -1;
  tcpTsEcr = -1;
  udpLength = 0;
  icmpType = -1;
  icmpCode = -1;
  // application payload
  l7Offset = 0; // offset of the payload in the captured bytes
  l7Len = 0; // payload length according to the headers (wire)
  l7CapLen = 0; // payload bytes actually captured
  /** first problem found, for the decoding-error count; empty when none */
  error = '';

  reset(): void {
    this.status = 0;
    this.numLayers = 0;
    this.linkType = 0;
    this.srcMacHi = this.srcMacLo = this.dstMacHi = this.dstMacLo = 0;
    this.hasMac = false;
    this.ethType = 0;
    this.netOffset = 0;
    this.numVlans = 0;
    this.ipVersion = 0;
    this.ipOffset = this.ipHeaderLen = this.ipTotalLen = 0;
    this.src.fill(0);
    this.dst.fill(0);
    this.ttl = this.tos = this.ipId = this.ipFlags = this.fragOffset = 0;
    this.moreFragments = false;
    this.ipOptCount = 0;
    this.ipv6ExtMask = 0;
    this.l4Proto = this.l4Offset = 0;
    this.srcPort = this.dstPort = 0;
    this.tcpSeq = this.tcpAck = this.tcpFlags = this.tcpWindow = this.tcpHeaderLen = this.tcpUrgent = 0;
    this.tcpOptions = this.tcpOptCount = 0;
    this.tcpMss = this.tcpWscale = -1;
    this.tcpSackPermitted = false;
    this.tcpSackBlocks = 0;
    this.tcpTsVal = this.tcpTsEcr = -1;
    this.udpLength = 0;
    this.icmpType = this.icmpCode = -1;
    this.l7Offset = this.l7Len = this.l7CapLen = 0;
    this.error = '';
  }

  pushLayer(layer: Layer): void {
    if (this.numLayers < this.layers.length) this.layers[this.numLayers++] = layer;
  }
}
