/** tcpFlags' columns and bit tables (reference §3), declared once. */
import type { BitDef, ColumnDef } from '../../schema/types.ts';

const bit = (value: number, name: string, description: string, level?: BitDef['level']): BitDef =>
  ({ value, name, description, ...(level ? { level } : {}) });

/** tcpFlags (§3.1): the raw flag byte plus composite bits. */
export const enum TcpFlag {
  Fin = 0x0001, Syn = 0x0002, Rst = 0x0004, Psh = 0x0008, Ack = 0x0010, Urg = 0x0020, Ece = 0x0040, Cwr = 0x0080,
  FinAck = 0x0100, SynAck = 0x0200, RstAck = 0x0400, Null = 0x0800, SynFin = 0x1000, SynFinRst = 0x2000,
  RstFin = 0x4000, Xmas = 0x8000,
  ScanFlags = 0xf800,
}

export const TCP_FLAGS_BITS: readonly BitDef[] = [
  bit(0x0001, 'FIN', 'FIN: the sender has no more data to send; the FIN takes one sequence number and is acknowledged like a byte'),
  bit(0x0002, 'SYN', 'SYN: synchronise sequence numbers, i.e. open a connection (the first two packets of the three-way handshake)'),
  bit(0x0004, 'RST', 'RST: reset, abort the connection at once (a closed port answers a SYN with RST+ACK)'),
  bit(0x0008, 'PSH', 'PSH: push, hand the data to the application without waiting for more'),
  bit(0x0010, 'ACK', 'ACK: the acknowledgment number is valid (every packet after the first SYN carries it)'),
  bit(0x0020, 'URG', 'URG: the urgent pointer is valid (urgent data, rarely used)'),
  bit(0x0040, 'ECE', 'ECE: ECN echo; on a SYN, the sender can do ECN, later, the receiver saw congestion (CE) marks'),
  bit(0x0080, 'CWR', 'CWR: congestion window reduced, the sender reacted to an ECN echo'),
  bit(0x0100, 'FIN_ACK', 'FIN-ACK: ACK/RST/SYN/FIN bits exactly FIN+ACK (PSH etc. ignored)'),
  bit(0x0200, 'SYN_ACK', 'SYN-ACK: ACK/RST/SYN/FIN bits exactly SYN+ACK'),
  bit(0x0400, 'RST_ACK', 'RST-ACK: ACK/RST/SYN/FIN bits exactly RST+ACK'),
  bit(0x0800, 'NULL', 'NULL packet: no FIN/SYN/RST/PSH/ACK/URG (potential NULL scan)', 'warning'),
  bit(0x1000, 'SYN_FIN', 'SYN+FIN (exactly, among ACK/RST/SYN/FIN): scan or malicious packet', 'warning'),
  bit(0x2000, 'SYN_FIN_RST', 'SYN+FIN+RST (exactly, among ACK/RST/SYN/FIN): scan or malicious packet', 'warning'),
  bit(0x4000, 'RST_FIN', 'RST+FIN without ACK: abnormal termination', 'warning'),
  bit(0x8000, 'XMAS', 'Xmas packet: FIN/SYN/RST/PSH/ACK/URG exactly FIN+PSH+URG (potential Xmas scan)', 'warning'),
];

/** tcpAnomaly (§3.3). */
export const enum TcpAnomaly {
  SynRetry = 0x0001, SeqTimeoutRetry = 0x0002, SeqFastRetry = 0x0004, DupAck = 0x0008, KeepAlive = 0x0010,
  KeepAliveAck = 0x0020, SeqOutOfOrder = 0x0040, SeqMess = 0x0080, AckUnseen = 0x0100, PrevNotCaptured = 0x0200,
  Scan = 0x1000, ScanSuccess = 0x2000, SynPayload = 0x4000,
}

export const TCP_ANOMALY_BITS: readonly BitDef[] = [
  bit(0x0001, 'SYN_RETRY', 'SYN retransmission: the same SYN again more than 0.9 s after the previous one', 'warning'),
  bit(0x0002, 'SEQ_TRETRY', 'Retransmission (timeout): a segment resending sequence space already sent, outside the gap of a lost segment, with no duplicate ACK asking for it', 'warning'),
  bit(0x0004, 'SEQ_FRETRY', 'Fast retransmission: resending the segment the reverse direction asked for with duplicate ACKs', 'warning'),
  bit(0x0008, 'ACK_2', 'Duplicate ACK: no data, no SYN/FIN/RST, same ACK number and window as this direction\'s previous packet', 'warning'),
  bit(0x0010, 'KPALV', 'Keep-alive: ACK with at most 1 byte whose sequence number is one below the next expected one'),
  bit(0x0020, 'KPALV_ACK', 'Keep-alive ACK: the reply to the reverse direction\'s keep-alive'),
  bit(0x0040, 'SEQ_OUTORDR', 'Sequence number out of order: a segment arriving late into the gap left before a later segment', 'warning'),
  bit(0x0080, 'SEQ_PLSSMS', 'Sequence mess: retransmission of data the reverse direction had already acknowledged (spurious retransmission)', 'warning'),
  bit(0x0100, 'ACK_UNSEEN', 'ACK for data not seen: ACK number beyond everything the reverse direction sent in the capture', 'warning'),
  bit(0x0200, 'PKT_NCAP', 'Previous packet not captured: the segment starts beyond the end of everything this direction sent before', 'warning'),
  bit(0x1000, 'SCAN_DET', 'Scan detected (Tranalyzer\'s heuristic): a SYN repeated < 0.9 s after the previous one, a NULL or Xmas packet, or at the flow\'s end ' +
    'a direction with < 4 packets carrying SYN, FIN or scan flags and no SYN retransmission. Misfires on normal short connections (a 2-packet server side of a handshake + FIN exchange)', 'warning'),
  bit(0x2000, 'SCAN_SU_DET', 'Successful scan (Tranalyzer\'s heuristic): set on both directions when one of them got 0x1000 at the flow\'s end and the reverse answered; ' +
    'misfires with 0x1000 on normal short connections', 'warning'),
  bit(0x4000, 'SYN_L7CNT', 'SYN packet with application payload', 'warning'),
];

/** tcpFStat (§3.2). */
export const enum TcpFStat {
  PktOk = 0x0001, OptInit = 0x0002, TsDecreasing = 0x0004, OptCorrupt = 0x0008, WinInit = 0x0010, WinUpdate = 0x0020,
  ZeroWinProbe = 0x0040, ZeroWinProbeAck = 0x0080, MinWin = 0x0100, WsUsed = 0x0200, WinFull = 0x0400, WinUp = 0x0800,
  L4ChecksumFragments = 0x1000, UdpLiteCoverage = 0x2000, Sack = 0x4000, Mptcp = 0x8000,
  /** bits a packet's value carries over from the direction's earlier packets (Tranalyzer's state bits) */
  State = PktOk | OptInit | WinInit | WsUsed | WinUp | L4ChecksumFragments,
}

export const TCP_FSTAT_BITS: readonly BitDef[] = [
  bit(0x0001, 'PKT_OK', 'Packet good for inter-distance assessment: the direction had a packet before (set on every flow; a packet shows it from its direction\'s second packet on)'),
  bit(0x0002, 'OPT_INIT', 'TCP timestamp option seen (timestamp clock initialised)'),
  bit(0x0004, 'OPT_TM_DEC', 'TCP timestamp value decreasing', 'warning'),
  bit(0x0008, 'OPT_CORRPT', 'TCP option field corrupt or not captured', 'warning'),
  bit(0x0010, 'WIN_INIT', 'Window state machine initialised (a TCP packet was seen)'),
  bit(0x0020, 'WIN_UPD', 'Window update: same ACK, no data, window changed'),
  bit(0x0040, 'WIN_0PRB', 'Window-0 probe: 1 byte sent while the reverse window was 0', 'warning'),
  bit(0x0080, 'WIN_0PRBACK', 'Window-0 probe ACK: window still 0, no data, after the reverse direction\'s probe', 'warning'),
  bit(0x0100, 'ZWIN', 'Window below WINMIN (1), i.e. 0, advertised without SYN/FIN/RST', 'warning'),
  bit(0x0200, 'WS_USED', 'Window scaling in use (both SYNs carried the window-scale option); on a packet: its window was scaled'),
  bit(0x0400, 'WIN_FLL', 'Window full (Tranalyzer\'s heuristic): after this direction\'s SYN, the bytes it sent since the reverse direction\'s last ACK segment (tcpBFlgt) reach the reverse\'s last window, ' +
    'the reverse\'s last packet not a RST. Also fires on every packet while the reverse window is 0, whatever was acknowledged; tcpBytesInFlight is the measure by sequence numbers', 'warning'),
  bit(0x0800, 'WIN_UP', 'Window trend: counting up (set) or down, after the direction\'s last packet (Tranalyzer ORs it, so its flows keep it once the window ever grew)'),
  bit(0x1000, 'L4CHKSUMC', 'L4 checksum computed across the fragments of a datagram (Tranalyzer leaves this set on flows with fragmented datagrams)'),
  bit(0x2000, 'UDPLITE_CHKCOV', 'UDP-Lite checksum coverage outside 8 .. datagram length (0, the whole datagram, is valid: Tranalyzer flags it)', 'warning'),
  bit(0x4000, 'SACK', 'SACK option (kind 5) seen'),
  bit(0x8000, 'MPTCP', 'MPTCP option (kind 30) seen'),
];

/** ipFlags (§3.4). */
export const enum IpFlag {
  OptCorrupt = 0x0001, IdOutOfOrder = 0x0002, IdRollOver = 0x0004, FragBelowMin = 0x0008, FragOutOfRange = 0x0010,
  MoreFragments = 0x0020, DontFragment = 0x0040, Reserved = 0x0080, FragPosition = 0x0100, FragSequence = 0x0200,
  L3Checksum = 0x0400, L4Checksum = 0x0800, SnapLen = 0x1000, UdpLength = 0x2000, SameTime = 0x4000, TimeBackwards = 0x8000,
}

export const IP_FLAGS_BITS: readonly BitDef[] = [
  bit(0x0001, 'IP_OPT_CORRPT', 'IPv4 options or IPv6 hop-by-hop/destination options corrupt (impossible length) or not captured', 'warning'),
  bit(0x0002, 'IP_ID_OUT_ORDER', 'IPv4 ID went backwards (packets out of order)', 'warning'),
  bit(0x0004, 'IP_ID_ROLL_OVER', 'IPv4 ID rolled over (from >= 0xe000 to < 0x2000)'),
  bit(0x0008, 'IP_FRAG_BLW_MIN', 'Fragment (not the last) shorter than 48 bytes', 'warning'),
  bit(0x0010, 'IP_FRAG_OUT_RNG', 'Fragment reaches beyond the 64 KiB datagram range (teardrop-like)', 'error'),
  bit(0x0020, 'IP_FRAG_MF', 'More-fragments bit'),
  bit(0x0040, 'IP_FRAG_DF', 'IPv4 don\'t-fragment bit'),
  bit(0x0080, 'IP_FRAG_RES', 'IPv4 reserved (evil) bit', 'warning'),
  bit(0x0100, 'IP_FRAG_NXTPPOS', 'Fragment not at the expected position (loss, reordering or attack)', 'warning'),
  bit(0x0200, 'IP_FRAG_SEQERR', 'Fragment sequence error: a later fragment without its first fragment, a new datagram starting before the previous one was complete, ' +
    'or (flows) a datagram still incomplete at the flow\'s end', 'warning'),
  bit(0x0400, 'IP_L3CHK_SUMERR', 'IPv4 header checksum wrong (only checked when the header is captured; Tranalyzer also sets it on a cut header)', 'warning'),
  bit(0x0800, 'IP_L4CHK_SUMERR', 'TCP, UDP, UDP-Lite, ICMP, ICMPv6 or IGMP checksum wrong, over the pseudo header where the protocol has one and across in-order fragments. ' +
    'Only checked when the whole segment is captured (Tranalyzer also sets it on a segment cut by the snaplen) and not for a zero UDP/IPv4 checksum (none sent). ' +
    'Outgoing packets captured on a host with checksum offload show it although the wire was fine', 'warning'),
  bit(0x1000, 'IP_SNP_HLEN_WRN', 'Captured length shorter than the IP length (snaplen cut)', 'warning'),
  bit(0x2000, 'IP_HLEN_WRN', 'UDP length field differs from the IP payload length', 'warning'),
  bit(0x4000, 'IP_PKT_INTDIS', 'Same timestamp as the previous packet of this direction'),
  bit(0x8000, 'IP_PKT_INTDISN', 'Timestamp before the previous packet of this direction', 'warning'),
];

/** IPv4 option copy flag and class bits (the top three bits of the option type). */
export const IP_OPT_COPY_CLASS_BITS: readonly BitDef[] = [
  bit(0x20, 'CLASS_1', 'Class 1 (reserved)'),
  bit(0x40, 'CLASS_DEBUG', 'Class 2: debugging and measurement (timestamp)'),
  bit(0x80, 'COPIED', 'Copied flag: the option is copied into every fragment (security, source routes)'),
];

const numberBits = (names: Readonly<Record<number, string>>, what: string): BitDef[] =>
  Object.entries(names).map(([n, text]) => bit((1 << Number(n)) >>> 0, text.split(':')[0]!, `${what} ${n}: ${text.split(': ')[1] ?? text}`));

/** IPv4 option numbers (type & 0x1f) as bits. */
export const IP_OPT_NUMBER_BITS: readonly BitDef[] = numberBits({
  1: 'NOP: no operation', 2: 'SEC: security (130)', 3: 'LSRR: loose source route (131)', 4: 'TS: timestamp (68)',
  5: 'ESEC: extended security (133)', 7: 'RR: record route (7)', 8: 'SID: stream id (136)', 9: 'SSRR: strict source route (137)',
  18: 'TR: traceroute (82)', 20: 'RTRALT: router alert (148)',
}, 'Option number');

/** IPv6 hop-by-hop / destination option types (type & 0x1f) as bits. */
export const IP6_OPT_TYPE_BITS: readonly BitDef[] = numberBits({
  1: 'PADN: PadN', 2: 'JUMBO: jumbo payload (0xc2)', 3: 'RPL: RPL option (0x63)', 4: 'TUN_LIMIT: tunnel encapsulation limit (4)',
  5: 'RTALERT: router alert (5)', 6: 'QUICKSTART: quick-start (0x26)', 7: 'CALIPSO: CALIPSO (7)', 9: 'HOME: home address (0xc9)',
}, 'Option type');

/** tcpMPTBF: bit n = MPTCP subtype n. */
export const MPTCP_SUBTYPE_BITS: readonly BitDef[] = [
  bit(0x0001, 'MP_CAPABLE', 'MP_CAPABLE (subtype 0)'),
  bit(0x0002, 'MP_JOIN', 'MP_JOIN (subtype 1)'),
  bit(0x0004, 'MP_DSS', 'DSS: data sequence signal (subtype 2)'),
  bit(0x0008, 'MP_ADD_ADDR', 'ADD_ADDR (subtype 3)'),
  bit(0x0010, 'MP_REMOVE_ADDR', 'REMOVE_ADDR (subtype 4)'),
  bit(0x0020, 'MP_PRIO', 'MP_PRIO: change subflow priority (subtype 5)'),
  bit(0x0040, 'MP_FAIL', 'MP_FAIL: fall back (subtype 6)', 'warning'),
  bit(0x0080, 'MP_FASTCLOSE', 'MP_FASTCLOSE (subtype 7)', 'warning'),
  bit(0x0100, 'MP_TCPRST', 'MP_TCPRST: subflow reset reason (subtype 8)', 'warning'),
  bit(0x8000, 'MP_EXPERIMENTAL', 'Private use (subtype 15)'),
];

/** tcpMPF: the MP_CAPABLE flag byte ORed with the low nibble of MP_JOIN / MP_PRIO. */
export const MPTCP_FLAG_BITS: readonly BitDef[] = [
  bit(0x01, 'MP_H_BACKUP', 'MP_CAPABLE H: HMAC-SHA256; MP_JOIN / MP_PRIO B: backup subflow'),
  bit(0x20, 'MP_C', 'MP_CAPABLE C: do not open subflows to this address'),
  bit(0x40, 'MP_B', 'MP_CAPABLE B: extensibility'),
  bit(0x80, 'MP_A', 'MP_CAPABLE A: DSS checksums required'),
];

/** tcpMPDSSF: DSS flags. */
export const MPTCP_DSS_BITS: readonly BitDef[] = [
  bit(0x01, 'DSS_A', 'A: data ACK present'),
  bit(0x02, 'DSS_a', 'a: data ACK is 8 bytes'),
  bit(0x04, 'DSS_M', 'M: data sequence number, subflow sequence number, length and checksum present'),
  bit(0x08, 'DSS_m', 'm: data sequence number is 8 bytes'),
  bit(0x10, 'DSS_F', 'F: DATA_FIN'),
];

const RTT_NOTE = 'Tranalyzer\'s estimate: each packet counts as the answer to the reverse direction\'s last packet, so a stream in one direction adds answers too';

export const TCP_FLAGS_FLOW_COLUMNS: readonly ColumnDef[] = [
  { name: 'tcpFStat', type: 'h16', tranalyzer: true, bits: TCP_FSTAT_BITS, description: 'tcpFlags status bits, OR over the direction\'s packets' },
  { name: 'ipMindIPID', type: 'u16', tranalyzer: true, description: 'Smallest IPv4 ID step between consecutive packets of this direction, modulo 65536 (0 with fewer than two IPv4 packets; Tranalyzer prints its start value 65535)' },
  { name: 'ipMaxdIPID', type: 'u16', tranalyzer: true, description: 'Largest IPv4 ID step between consecutive packets of this direction, modulo 65536' },
  { name: 'ipMinTTL', type: 'u8', tranalyzer: true, description: 'Minimum IP TTL / hop limit' },
  { name: 'ipMaxTTL', type: 'u8', tranalyzer: true, description: 'Maximum IP TTL / hop limit' },
  { name: 'ipTTLChg', type: 'u32', tranalyzer: true, description: 'Number of TTL changes between consecutive packets' },
  { name: 'ipToS', type: 'h8', tranalyzer: true, description: 'OR of the IPv4 ToS / IPv6 traffic class bytes' },
  { name: 'ipFlags', type: 'h16', tranalyzer: true, bits: IP_FLAGS_BITS, description: 'IP flags and anomalies, OR over the direction\'s packets' },
  { name: 'ipOptCnt', type: 'u32', tranalyzer: true, description: 'Number of IPv4 options (NOP counted; the list ends at EOL, which is not counted)' },
  { name: 'ipOptCpCl_Num', type: 'str', tranalyzer: true, description: 'IPv4 options as Tranalyzer prints them: copy/class bits _ option-number bits (ipOptCpCl _ ipOptNum, e.g. 0x00_0x00000000)' },
  { name: 'ipOptCpCl', type: 'h8', bits: IP_OPT_COPY_CLASS_BITS, description: 'OR of the IPv4 options\' copy flag and class bits (type & 0xe0)' },
  { name: 'ipOptNum', type: 'h32', bits: IP_OPT_NUMBER_BITS, description: 'IPv4 option numbers seen: bit n = option number n (type & 0x1f)' },
  { name: 'ip6OptCntHH_D', type: 'str', tranalyzer: true, description: 'IPv6 hop-by-hop _ destination option counts as Tranalyzer prints them (ip6OptCntHH _ ip6OptCntD)' },
  { name: 'ip6OptHH_D', type: 'str', tranalyzer: true, description: 'IPv6 hop-by-hop _ destination option type bits as Tranalyzer prints them (ip6OptHH _ ip6OptD)' },
  { name: 'ip6OptCntHH', type: 'u32', description: 'IPv6 hop-by-hop options counted (PadN counted, Pad1 skipped)' },
  { name: 'ip6OptCntD', type: 'u32', description: 'IPv6 destination options counted (PadN counted, Pad1 skipped)' },
  { name: 'ip6OptHH', type: 'h32', bits: IP6_OPT_TYPE_BITS, description: 'IPv6 hop-by-hop option types seen: bit n = type & 0x1f' },
  { name: 'ip6OptD', type: 'h32', bits: IP6_OPT_TYPE_BITS, description: 'IPv6 destination option types seen: bit n = type & 0x1f' },
  { name: 'tcpISeqN', type: 'u32', tranalyzer: true, description: 'Initial sequence number: the sequence number of the direction\'s first TCP packet' },
  { name: 'tcpPSeqCnt', type: 'u32', tranalyzer: true, description: 'Packets with ACK whose sequence number is the one expected after the previous packet (in sequence)' },
  {
    name: 'tcpSeqSntBytes', type: 'u64', tranalyzer: true,
    description: 'Bytes of sequence space sent: highest segment end minus the first sequence number, SYN and FIN not counted, retransmissions counted once, ' +
      'gaps of uncaptured segments included (Tranalyzer sums forward steps between consecutive packets: it leaves out the last segment and counts a gap twice when it is filled late)',
  },
  { name: 'tcpSeqFaultCnt', type: 'u32', tranalyzer: true, description: 'Retransmitted segments (tcpAnomaly 0x0002 or 0x0004)' },
  { name: 'tcpPAckCnt', type: 'u32', tranalyzer: true, description: 'Packets with the ACK flag' },
  {
    name: 'tcpFlwLssAckRcvdBytes', type: 'u64', tranalyzer: true,
    description: 'Bytes acknowledged: highest ACK number minus the first one of this direction, the reverse FIN not counted',
  },
  { name: 'tcpAckFaultCnt', type: 'u32', tranalyzer: true, description: 'Duplicate ACKs plus ACKs of data not seen (tcpAnomaly 0x0008, 0x0100)' },
  {
    name: 'tcpBFlgtMx', type: 'u32', tranalyzer: true,
    description: 'Largest tcpBFlgt: Tranalyzer\'s bytes in flight, the payload this direction sent in ACK segments since the reverse direction\'s last ACK segment, ' +
      'whatever that acknowledged (a duplicate ACK resets it, a FIN+ACK does not); tcpBytesInFlightMax is the measure by sequence numbers',
  },
  {
    name: 'tcpBytesInFlightMax', type: 'u32',
    description: 'Largest tcpBytesInFlight of the direction: the most data it had sent and not yet seen acknowledged (by Wireshark\'s tcp.analysis.bytes_in_flight)',
  },
  { name: 'tcpInitWinSz', type: 'u32', tranalyzer: true, description: 'Effective window (scaled when window scaling is in use) of the first TCP packet' },
  { name: 'tcpAvgWinSz', type: 'f64', tranalyzer: true, description: 'Mean effective window over the TCP packets (Tranalyzer uses a 0.7/0.3 moving average)' },
  { name: 'tcpMinWinSz', type: 'u32', tranalyzer: true, description: 'Minimum effective window' },
  { name: 'tcpMaxWinSz', type: 'u32', tranalyzer: true, description: 'Maximum effective window' },
  { name: 'tcpWinSzDwnCnt', type: 'u32', tranalyzer: true, description: 'Packets whose window is smaller than the previous packet\'s' },
  { name: 'tcpWinSzUpCnt', type: 'u32', tranalyzer: true, description: 'Packets whose window is larger than the previous packet\'s' },
  { name: 'tcpWinSzChgDirCnt', type: 'u32', tranalyzer: true, description: 'Times the window trend reversed (an increase after a decrease or the reverse; Tranalyzer also counts the first increase and every decrease after it)' },
  { name: 'tcpWinSzThRt', type: 'f64', tranalyzer: true, description: 'Share of the TCP packets advertising a window below WINMIN (1), i.e. 0, without SYN/FIN/RST (tcpFStat 0x0100)' },
  { name: 'tcpFlags', type: 'h16', tranalyzer: true, bits: TCP_FLAGS_BITS, description: 'TCP flags and composite bits (FIN-ACK, SYN-ACK, RST-ACK, NULL, Xmas, ...), OR over the direction\'s packets' },
  { name: 'tcpAnomaly', type: 'h16', tranalyzer: true, bits: TCP_ANOMALY_BITS, description: 'TCP anomalies, OR over the direction\'s packets plus Tranalyzer\'s end-of-flow scan heuristic, which also marks normal short connections (0x1000/0x2000)' },
  {
    name: 'tcpJA4T', type: 'str', tranalyzer: true,
    description: 'JA4T (client) / JA4TS (server) fingerprint of the direction\'s first SYN: window_options_mss_wscale, e.g. 64240_2-1-3-1-1-4_1460_7 ' +
      '(empty without SYN, where Tranalyzer prints the first packet\'s window with 00 parts; Tranalyzer appends the options of every SYN, so retransmitted SYNs repeat them)',
  },
  { name: 'tcpOptPktCnt', type: 'u32', tranalyzer: true, description: 'Packets carrying TCP options' },
  { name: 'tcpOptCnt', type: 'u32', tranalyzer: true, description: 'Number of TCP options (NOP counted, EOL not)' },
  { name: 'tcpOptions', type: 'h32', tranalyzer: true, description: 'Option kinds seen: bit n = kind n (0x80000000: kind >= 31); EOL not recorded' },
  { name: 'tcpMSS', type: 'u16', tranalyzer: true, description: 'Last MSS option value (0 if none)' },
  { name: 'tcpWS', type: 'u16', tranalyzer: true, description: 'Window scale factor (2^shift) when window scaling is in use, else 0' },
  { name: 'tcpMPTBF', type: 'h16', tranalyzer: true, bits: MPTCP_SUBTYPE_BITS, description: 'MPTCP option subtypes seen: bit n = subtype n' },
  { name: 'tcpMPF', type: 'h8', tranalyzer: true, bits: MPTCP_FLAG_BITS, description: 'MPTCP flags: OR of the MP_CAPABLE flag byte and the MP_JOIN / MP_PRIO low nibble' },
  { name: 'tcpMPAID', type: 'u8', tranalyzer: true, description: 'Last MPTCP address id (MP_JOIN, MP_PRIO, ADD_ADDR, REMOVE_ADDR)' },
  { name: 'tcpMPDSSF', type: 'h8', tranalyzer: true, bits: MPTCP_DSS_BITS, description: 'OR of the MPTCP DSS flags' },
  { name: 'tcpTmS', type: 'u32', tranalyzer: true, description: 'Last TCP timestamp value (TSval)' },
  { name: 'tcpTmER', type: 'u32', tranalyzer: true, description: 'Last TCP timestamp echo reply (TSecr)' },
  {
    name: 'tcpEcI', type: 'f64', tranalyzer: true,
    description: 'Estimated timestamp clock increment (seconds per TSval tick), Tranalyzer\'s classes 0.001 / 0.004 / 0.01 / 0.1 / 1 from the TSval progress over time; ' +
      'with no progress a guess from the minimum TTL (>= 128: 0.1, >= 64: 0.004, > 32: 0.01, else 0.001). 0 without timestamps',
  },
  {
    name: 'tcpUtm', type: 'f64', tranalyzer: true,
    description: 'Estimated sender up time (seconds): last TSval x tcpEcI. Meaningless where TSval starts at a random offset per connection (Linux since 4.10, most current systems)',
  },
  { name: 'tcpBtm', type: 'time', tranalyzer: true, description: 'Estimated sender boot time: the last timestamped packet\'s time minus tcpUtm (0 without timestamps; see tcpUtm)' },
  { name: 'tcpSSASAATrip', type: 'f64', tranalyzer: true, description: 'Handshake trip time (seconds): A: SYN -> SYN-ACK, B: SYN-ACK -> ACK (the first answer to the direction\'s first packet)' },
  { name: 'tcpRTTAckTripMin', type: 'f64', tranalyzer: true, description: `Shortest ACK trip (seconds): time from this direction's packet to the reverse direction's next one; 65535 when nothing answered. ${RTT_NOTE}` },
  { name: 'tcpRTTAckTripMax', type: 'f64', tranalyzer: true, description: `Longest ACK trip (seconds). ${RTT_NOTE}` },
  { name: 'tcpRTTAckTripAvg', type: 'f64', tranalyzer: true, description: `Running mean ACK trip (seconds), divided by the answering direction's packet count. ${RTT_NOTE}` },
  { name: 'tcpRTTAckTripJitAvg', type: 'f64', tranalyzer: true, description: 'ACK trip jitter (seconds): square root of the running mean squared deviation from tcpRTTAckTripAvg' },
  { name: 'tcpRTTSseqAA', type: 'f64', tranalyzer: true, description: 'Round trip time (seconds): A: SYN -> SYN-ACK -> ACK (sum of both tcpSSASAATrip); B: the two directions\' tcpRTTAckTripAvg summed' },
  { name: 'tcpRTTAckJitAvg', type: 'f64', tranalyzer: true, description: 'Round trip jitter (seconds), on the B row only: square root of both directions\' mean squared trip deviations summed' },
];

export const TCP_FLAGS_PACKET_COLUMNS: readonly ColumnDef[] = [
  { name: 'ipToS', type: 'h8', tranalyzer: true, description: 'IPv4 ToS / IPv6 traffic class byte' },
  { name: 'ipID', type: 'u32', tranalyzer: true, description: 'IPv4 identification (0 for IPv6)' },
  { name: 'ipIDDiff', type: 'i64', tranalyzer: true, description: 'IPv4 ID minus the previous packet\'s of this direction, not wrapped (a roll-over is negative); 0 for the direction\'s first packet' },
  { name: 'ipFrag', type: 'h16', tranalyzer: true, description: 'IPv4 flags and fragment offset word (0x4000 DF, 0x2000 MF, offset in 8-byte units); IPv6: the fragment header\'s offset word, 0 without one' },
  { name: 'ipTTL', type: 'u8', tranalyzer: true, description: 'IP TTL / hop limit' },
  { name: 'ipHdrChkSum', type: 'h16', tranalyzer: true, description: 'IPv4 header checksum field (0 for IPv6), read from the capture' },
  { name: 'ipCalChkSum', type: 'h16', tranalyzer: true, description: 'IPv4 header checksum computed over the captured header (0 when not captured, IPv6)' },
  { name: 'l4HdrChkSum', type: 'h16', tranalyzer: true, description: 'TCP/UDP/ICMP/ICMPv6/IGMP checksum field, read from the capture (0 for other protocols and later fragments)' },
  {
    name: 'l4CalChkSum', type: 'h16', tranalyzer: true,
    description: 'The checksum computed over the captured segment and pseudo header (a computed 0 shows as 0xffff, as Tranalyzer prints it); 0 when the segment is cut or fragmented, or the protocol is not checked',
  },
  { name: 'ipFlags', type: 'h16', tranalyzer: true, bits: IP_FLAGS_BITS, description: 'The packet\'s IP flags and anomalies' },
  { name: 'ip6HHOptLen', type: 'u32', tranalyzer: true, description: 'Length of the option bytes of the IPv6 hop-by-hop header (0 without one)' },
  { name: 'ip6HHOpts', type: 'h8', repeated: true, tranalyzer: true, description: 'Option bytes of the IPv6 hop-by-hop header, read from the capture' },
  { name: 'ip6DOptLen', type: 'u32', tranalyzer: true, description: 'Length of the option bytes of the first IPv6 destination options header (0 without one)' },
  { name: 'ip6DOpts', type: 'h8', repeated: true, tranalyzer: true, description: 'Option bytes of the first IPv6 destination options header, read from the capture' },
  { name: 'ipOptLen', type: 'u32', tranalyzer: true, description: 'Length of the IPv4 options (header length - 20)' },
  { name: 'ipOpts', type: 'h8', repeated: true, tranalyzer: true, description: 'IPv4 option bytes, read from the capture' },
  { name: 'seq', type: 'u32', tranalyzer: true, description: 'TCP sequence number (absolute; 0 for non-TCP packets, which Tranalyzer leaves empty)' },
  { name: 'ack', type: 'u32', tranalyzer: true, description: 'TCP acknowledgement number (absolute; 0 for non-TCP packets)' },
  {
    name: 'relSeq', type: 'u32',
    description: 'Sequence number relative to the direction\'s initial one, as Wireshark shows it: its SYN is 0; without SYN the first packet is 1',
  },
  {
    name: 'relAck', type: 'u32',
    description: 'Acknowledgement number relative to the reverse direction\'s initial sequence number (as Wireshark: an ACK seen before the reverse direction sets its base); 0 without the ACK flag',
  },
  { name: 'seqMax', type: 'u32', tranalyzer: true, description: 'Highest sequence number reached by this direction before this packet (the expected next one in order)' },
  { name: 'seqDiff', type: 'i64', tranalyzer: true, description: 'Sequence number minus the previous packet\'s of this direction (signed; 0 for the first packet and packets without ACK)' },
  { name: 'ackDiff', type: 'i64', tranalyzer: true, description: 'ACK number minus the previous packet\'s of this direction (signed; 0 for the first packet and packets without ACK)' },
  { name: 'seqLen', type: 'u32', tranalyzer: true, description: 'seqDiff when positive (bytes the sequence moved forward), without the 1 a previous SYN/FIN/RST adds' },
  { name: 'ackLen', type: 'u32', tranalyzer: true, description: 'ackDiff when positive (bytes newly acknowledged), without the 1 of a SYN/FIN/RST' },
  { name: 'seqFlowLen', type: 'u64', tranalyzer: true, description: 'Running sum of seqLen over the direction\'s packets so far' },
  { name: 'ackFlowLen', type: 'u64', tranalyzer: true, description: 'Running sum of ackLen over the direction\'s packets so far' },
  { name: 'tcpMLen', type: 'u64', tranalyzer: true, description: 'Running sum of the TCP payload lengths of the direction so far (the packet\'s own length is l7Len)' },
  { name: 'tcpBFlgt', type: 'u32', tranalyzer: true, description: 'Tranalyzer\'s bytes in flight after the packet: payload sent in ACK segments since the reverse direction\'s last ACK segment (see tcpBytesInFlight)' },
  {
    name: 'tcpBytesInFlight', type: 'u32',
    description: 'Bytes in flight after a data segment, as Wireshark 4.0\'s tcp.analysis.bytes_in_flight: the span of the direction\'s segments not yet acknowledged by the reverse direction, ' +
      'less the bytes the reverse direction\'s last SACK blocks cover, a SYN/FIN not counted; 0 on segments without data and after a lost segment until the reverse direction ACKs again',
  },
  { name: 'tcpFStat', type: 'h16', tranalyzer: true, bits: TCP_FSTAT_BITS, description: 'The packet\'s tcpFStat bits with the state bits its direction carries (0x0001 from its second packet on, 0x0010 ...); 0 for non-TCP packets' },
  { name: 'tcpFlags', type: 'h16', tranalyzer: true, bits: TCP_FLAGS_BITS, description: 'The packet\'s TCP flags with the composite bits (SYN-ACK packet 0x0212, FIN-ACK 0x0111); 0 for non-TCP packets' },
  { name: 'tcpAnomaly', type: 'h16', tranalyzer: true, bits: TCP_ANOMALY_BITS, description: 'The packet\'s TCP anomalies (the end-of-flow scan bits are only in the flows table)' },
  { name: 'tcpWin', type: 'u32', tranalyzer: true, description: 'Effective window: the window field, scaled when window scaling is in use (not on SYNs)' },
  { name: 'tcpWS', type: 'u16', tranalyzer: true, description: 'Window scale factor applied to this packet\'s window (0 when not scaled)' },
  { name: 'tcpMSS', type: 'u16', tranalyzer: true, description: 'Last MSS option value of the direction so far (0 if none yet)' },
  { name: 'tcpTmS', type: 'u32', tranalyzer: true, description: 'Last TCP timestamp value (TSval) of the direction so far' },
  { name: 'tcpTmER', type: 'u32', tranalyzer: true, description: 'Last TCP timestamp echo reply (TSecr) of the direction so far' },
  { name: 'tcpMPTyp', type: 'u16', tranalyzer: true, description: 'Subtype of the packet\'s MPTCP option (0 also without one: check tcpOptions bit 30)' },
  { name: 'tcpMPF', type: 'h8', tranalyzer: true, bits: MPTCP_FLAG_BITS, description: 'The packet\'s MPTCP flags' },
  { name: 'tcpMPAID', type: 'u8', tranalyzer: true, description: 'The packet\'s MPTCP address id' },
  { name: 'tcpMPDSSF', type: 'h8', tranalyzer: true, bits: MPTCP_DSS_BITS, description: 'The packet\'s MPTCP DSS flags' },
  { name: 'tcpOptLen', type: 'u32', tranalyzer: true, description: 'Length of the TCP options by the header (data offset x 4 - 20)' },
  { name: 'tcpOpts', type: 'h8', repeated: true, tranalyzer: true, description: 'Raw TCP option bytes, read from the capture on demand' },
  { name: 'tcpOptions', type: 'h32', description: 'Option kinds in this packet: bit n = kind n (0x80000000: kind >= 31)' },
];
