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

/** tcpFStat (§3.2), the bits flowsh computes. */
export const enum TcpFStat {
  PktOk = 0x0001, OptInit = 0x0002, TsDecreasing = 0x0004, OptCorrupt = 0x0008, WinInit = 0x0010, WinUpdate = 0x0020,
  ZeroWinProbe = 0x0040, ZeroWinProbeAck = 0x0080, MinWin = 0x0100, WsUsed = 0x0200, WinUp = 0x0800,
  Sack = 0x4000, Mptcp = 0x8000,
}

export const TCP_FSTAT_BITS: readonly BitDef[] = [
  bit(0x0001, 'PKT_OK', 'Packet good for inter-distance assessment (after the first packet of the direction)'),
  bit(0x0002, 'OPT_INIT', 'TCP timestamp option seen (timestamp initialised)'),
  bit(0x0004, 'OPT_TM_DEC', 'TCP timestamp value decreasing', 'warning'),
  bit(0x0008, 'OPT_CORRPT', 'TCP option field corrupt', 'warning'),
  bit(0x0010, 'WIN_INIT', 'Window state machine initialised (a TCP packet was seen)'),
  bit(0x0020, 'WIN_UPD', 'Window update: same ACK, no data, window changed'),
  bit(0x0040, 'WIN_0PRB', 'Window-0 probe: 1 byte sent while the reverse window was 0', 'warning'),
  bit(0x0080, 'WIN_0PRBACK', 'Window-0 probe ACK: window still 0, no data, after the reverse direction\'s probe', 'warning'),
  bit(0x0100, 'ZWIN', 'Window 0 advertised (without SYN/FIN/RST)', 'warning'),
  bit(0x0200, 'WS_USED', 'Window scaling in use (both SYNs carried the window-scale option)'),
  bit(0x0400, 'WIN_FLL', 'Window full (not computed by flowsh)'),
  bit(0x0800, 'WIN_UP', 'Window trend at the end: counting up (set) or down'),
  bit(0x1000, 'L4CHKSUMC', 'L4 checksum calculated (not computed by flowsh)'),
  bit(0x2000, 'UDPLITE_CHKCOV', 'UDP-Lite checksum coverage error (not computed by flowsh)'),
  bit(0x4000, 'SACK', 'SACK option (kind 5) seen'),
  bit(0x8000, 'MPTCP', 'MPTCP option (kind 30) seen'),
];

/** ipFlags (§3.4), the bits flowsh computes. */
export const enum IpFlag {
  OptCorrupt = 0x0001, IdOutOfOrder = 0x0002, IdRollOver = 0x0004, FragBelowMin = 0x0008, FragOutOfRange = 0x0010,
  MoreFragments = 0x0020, DontFragment = 0x0040, Reserved = 0x0080, FragPosition = 0x0100, L3Checksum = 0x0400, SnapLen = 0x1000,
  UdpLength = 0x2000, SameTime = 0x4000, TimeBackwards = 0x8000,
}

export const IP_FLAGS_BITS: readonly BitDef[] = [
  bit(0x0001, 'IP_OPT_CORRPT', 'IPv4 options corrupt', 'warning'),
  bit(0x0002, 'IP_ID_OUT_ORDER', 'IPv4 ID went backwards (packets out of order)', 'warning'),
  bit(0x0004, 'IP_ID_ROLL_OVER', 'IPv4 ID rolled over (from >= 0xe000 to < 0x2000)'),
  bit(0x0008, 'IP_FRAG_BLW_MIN', 'Fragment (not the last) shorter than 48 bytes', 'warning'),
  bit(0x0010, 'IP_FRAG_OUT_RNG', 'Fragment reaches beyond the 64 KiB datagram range (teardrop-like)', 'error'),
  bit(0x0020, 'IP_FRAG_MF', 'More-fragments bit'),
  bit(0x0040, 'IP_FRAG_DF', 'IPv4 don\'t-fragment bit'),
  bit(0x0080, 'IP_FRAG_RES', 'IPv4 reserved (evil) bit', 'warning'),
  bit(0x0100, 'IP_FRAG_NXTPPOS', 'Fragment not at the expected position (loss, reordering or attack)', 'warning'),
  bit(0x0200, 'IP_FRAG_SEQERR', 'Fragmentation sequence error (not computed by flowsh)'),
  bit(0x0400, 'IP_L3CHK_SUMERR', 'IPv4 header checksum error', 'warning'),
  bit(0x0800, 'IP_L4CHK_SUMERR', 'L4 checksum error (not computed by flowsh)'),
  bit(0x1000, 'IP_SNP_HLEN_WRN', 'Captured length shorter than the IP length (snaplen cut)', 'warning'),
  bit(0x2000, 'IP_HLEN_WRN', 'UDP length field differs from the IP payload length', 'warning'),
  bit(0x4000, 'IP_PKT_INTDIS', 'Same timestamp as the previous packet of this direction'),
  bit(0x8000, 'IP_PKT_INTDISN', 'Timestamp before the previous packet of this direction', 'warning'),
];

export const TCP_FLAGS_FLOW_COLUMNS: readonly ColumnDef[] = [
  { name: 'tcpFStat', type: 'h16', tranalyzer: true, bits: TCP_FSTAT_BITS, description: 'tcpFlags status bits, OR over the direction\'s packets' },
  { name: 'ipMindIPID', type: 'u16', tranalyzer: true, description: 'Smallest IPv4 ID step between consecutive packets of this direction, modulo 65536 (0 with fewer than two IPv4 packets)' },
  { name: 'ipMaxdIPID', type: 'u16', tranalyzer: true, description: 'Largest IPv4 ID step between consecutive packets of this direction, modulo 65536' },
  { name: 'ipMinTTL', type: 'u8', tranalyzer: true, description: 'Minimum IP TTL / hop limit' },
  { name: 'ipMaxTTL', type: 'u8', tranalyzer: true, description: 'Maximum IP TTL / hop limit' },
  { name: 'ipTTLChg', type: 'u32', tranalyzer: true, description: 'Number of TTL changes between consecutive packets' },
  { name: 'ipToS', type: 'h8', tranalyzer: true, description: 'OR of the IPv4 ToS / IPv6 traffic class bytes' },
  { name: 'ipFlags', type: 'h16', tranalyzer: true, bits: IP_FLAGS_BITS, description: 'IP flags and anomalies, OR over the direction\'s packets' },
  { name: 'ipOptCnt', type: 'u32', tranalyzer: true, description: 'Number of IPv4 options (NOP and EOL included)' },
  { name: 'tcpISeqN', type: 'u32', tranalyzer: true, description: 'Initial sequence number: the sequence number of the direction\'s first TCP packet' },
  { name: 'tcpPSeqCnt', type: 'u32', tranalyzer: true, description: 'Packets with ACK whose sequence number is the one expected after the previous packet (in sequence)' },
  {
    name: 'tcpSeqSntBytes', type: 'u64', tranalyzer: true,
    description: 'Bytes of sequence space sent: highest segment end minus the first sequence number, SYN and FIN not counted, retransmissions counted once, ' +
      'gaps of uncaptured segments included (Tranalyzer sums steps between consecutive packets and leaves out the last segment)',
  },
  { name: 'tcpSeqFaultCnt', type: 'u32', tranalyzer: true, description: 'Retransmitted segments (tcpAnomaly 0x0002 or 0x0004)' },
  { name: 'tcpPAckCnt', type: 'u32', tranalyzer: true, description: 'Packets with the ACK flag' },
  {
    name: 'tcpFlwLssAckRcvdBytes', type: 'u64', tranalyzer: true,
    description: 'Bytes acknowledged: highest ACK number minus the first one of this direction, the reverse FIN not counted',
  },
  { name: 'tcpAckFaultCnt', type: 'u32', tranalyzer: true, description: 'Duplicate ACKs plus ACKs of data not seen (tcpAnomaly 0x0008, 0x0100)' },
  { name: 'tcpInitWinSz', type: 'u32', tranalyzer: true, description: 'Effective window (scaled when window scaling is in use) of the first TCP packet' },
  { name: 'tcpAvgWinSz', type: 'f64', tranalyzer: true, description: 'Mean effective window over the TCP packets (Tranalyzer uses a 0.7/0.3 moving average)' },
  { name: 'tcpMinWinSz', type: 'u32', tranalyzer: true, description: 'Minimum effective window' },
  { name: 'tcpMaxWinSz', type: 'u32', tranalyzer: true, description: 'Maximum effective window' },
  { name: 'tcpWinSzDwnCnt', type: 'u32', tranalyzer: true, description: 'Packets whose window is smaller than the previous packet\'s' },
  { name: 'tcpWinSzUpCnt', type: 'u32', tranalyzer: true, description: 'Packets whose window is larger than the previous packet\'s' },
  { name: 'tcpWinSzChgDirCnt', type: 'u32', tranalyzer: true, description: 'Times the window trend reversed (an increase after a decrease or the reverse)' },
  { name: 'tcpFlags', type: 'h16', tranalyzer: true, bits: TCP_FLAGS_BITS, description: 'TCP flags and composite bits (FIN-ACK, SYN-ACK, RST-ACK, NULL, Xmas, ...), OR over the direction\'s packets' },
  { name: 'tcpAnomaly', type: 'h16', tranalyzer: true, bits: TCP_ANOMALY_BITS, description: 'TCP anomalies, OR over the direction\'s packets plus Tranalyzer\'s end-of-flow scan heuristic, which also marks normal short connections (0x1000/0x2000)' },
  {
    name: 'tcpJA4T', type: 'str', tranalyzer: true,
    description: 'JA4T (client) / JA4TS (server) fingerprint of the direction\'s first SYN: window_options_mss_wscale, e.g. 64240_2-1-3-1-1-4_1460_7 ' +
      '(empty without SYN; Tranalyzer appends the options of every SYN, so retransmitted SYNs repeat them)',
  },
  { name: 'tcpOptPktCnt', type: 'u32', tranalyzer: true, description: 'Packets carrying TCP options' },
  { name: 'tcpOptCnt', type: 'u32', tranalyzer: true, description: 'Number of TCP options (NOP counted, EOL not)' },
  { name: 'tcpOptions', type: 'h32', tranalyzer: true, description: 'Option kinds seen: bit n = kind n (0x80000000: kind >= 31); EOL not recorded' },
  { name: 'tcpMSS', type: 'u16', tranalyzer: true, description: 'Last MSS option value (0 if none)' },
  { name: 'tcpWS', type: 'u16', tranalyzer: true, description: 'Window scale factor (2^shift) when window scaling is in use, else 0' },
  { name: 'tcpTmS', type: 'u32', tranalyzer: true, description: 'Last TCP timestamp value (TSval)' },
  { name: 'tcpTmER', type: 'u32', tranalyzer: true, description: 'Last TCP timestamp echo reply (TSecr)' },
];

export const TCP_FLAGS_PACKET_COLUMNS: readonly ColumnDef[] = [
  { name: 'seq', type: 'u32', tranalyzer: true, description: 'TCP sequence number (absolute; 0 for non-TCP packets)' },
  { name: 'ack', type: 'u32', tranalyzer: true, description: 'TCP acknowledgement number (absolute; 0 for non-TCP packets)' },
  {
    name: 'relSeq', type: 'u32',
    description: 'Sequence number relative to the direction\'s initial one, as Wireshark shows it: its SYN is 0; without SYN the first packet is 1',
  },
  {
    name: 'relAck', type: 'u32',
    description: 'Acknowledgement number relative to the reverse direction\'s initial sequence number (as Wireshark: an ACK seen before the reverse direction sets its base); 0 without the ACK flag',
  },
  { name: 'tcpFlags', type: 'h16', tranalyzer: true, bits: TCP_FLAGS_BITS, description: 'The packet\'s TCP flags with the composite bits (SYN-ACK packet 0x0212, FIN-ACK 0x0111); 0 for non-TCP packets' },
  { name: 'tcpWin', type: 'u32', tranalyzer: true, description: 'Effective window: the window field, scaled when window scaling is in use (not on SYNs)' },
  { name: 'tcpOpts', type: 'h8', repeated: true, tranalyzer: true, description: 'Raw TCP option bytes, read from the capture on demand' },
  { name: 'tcpOptions', type: 'h32', description: 'Option kinds in this packet: bit n = kind n (0x80000000: kind >= 31)' },
  { name: 'tcpMLen', type: 'u32', tranalyzer: true, description: 'TCP segment payload length (from the IP length; Tranalyzer\'s column is the running sum)' },
  { name: 'tcpAnomaly', type: 'h16', tranalyzer: true, bits: TCP_ANOMALY_BITS, description: 'The packet\'s TCP anomalies (the end-of-flow scan bits are only in the flows table)' },
];
