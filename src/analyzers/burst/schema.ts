/**
 * The burst analyzer's columns, bit table and `bursts` table, declared once. A burst is what makes
 * traffic look like a port scan: many TCP connection attempts from one host to different ports of
 * one peer in quick succession. FTP makes the same picture (a client opening data connections to
 * the ports a server announces, or a server connecting back from port 20 to a client's ports), so
 * every burst says whether its members are FTP data connections linked to a control channel.
 * Tranalyzer has no such notion: its "scan" bits (tcpAnomaly SCAN_DET 0x1000 / SCAN_SU_DET 0x2000,
 * tcpStatesAFlags EVIL 0x80) judge each flow alone and also fire on normal short connections.
 */
import type { BitDef, ColumnDef, TableDef } from '../../schema/types.ts';

/** A burst has at least this many different destination ports. */
export const BURST_MIN_PORTS = 5;
/** Each member starts at most this many seconds after the previous one (of the same host and peer). */
export const BURST_MAX_GAP = 1;

export const enum BurstBit {
  Member = 0x01,
  Consecutive = 0x02,
  FtpData = 0x04,
  FtpControl = 0x08,
  VerdictFtp = 0x10,
  VerdictScan = 0x20,
  VerdictMixed = 0x40,
  Refused = 0x80,
  Unanswered = 0x100,
}

export const BURST_STAT_BITS: readonly BitDef[] = [
  { value: 0x01, name: 'BURST_MEMBER', description: `One of a burst: at least ${BURST_MIN_PORTS} TCP connection attempts (first packet without ACK or RST: SYN, or a NULL/FIN/Xmas probe) from one host to different ports of one peer, each starting within ${BURST_MAX_GAP} s of the previous` },
  { value: 0x02, name: 'BURST_CONSEC', description: 'The burst\'s destination ports are consecutive (sorted, no port between the lowest and the highest is missing)' },
  { value: 0x04, name: 'BURST_FTP_DATA', description: 'This connection is an FTP data connection linked to a control connection (ftpStat FTP_PPRNT, ftpCDFindex names the control flow)' },
  { value: 0x08, name: 'BURST_FTP_CTRL', description: 'This connection is an FTP control connection (ftpStat FTP_INIT)' },
  { value: 0x10, name: 'BURST_FTP', description: 'The burst is FTP, not a scan: every member is an FTP data connection linked to a control connection, or a control connection itself' },
  { value: 0x20, name: 'BURST_SCAN', level: 'warning', description: 'The burst is a port scan: none of its members is an FTP data connection (a host trying many ports of its peer)' },
  { value: 0x40, name: 'BURST_MIXED', level: 'warning', description: 'The burst mixes FTP data connections with connections FTP does not explain (a scan during an FTP session, or a data connection the capture could not link)' },
  { value: 0x80, name: 'BURST_REFUSED', description: 'This connection attempt was refused: the peer answered with RST and no SYN+ACK (the port is closed)' },
  { value: 0x100, name: 'BURST_NO_ANSWER', description: 'Nothing came back for this connection attempt (the port is filtered, or the peer is not there)' },
];

export const BURST_FLOW_COLUMNS: readonly ColumnDef[] = [
  { name: 'burstId', type: 'u32', description: 'Burst this connection belongs to (a row of the bursts table), 0 for none; both directions' },
  { name: 'burstSize', type: 'u32', description: 'Number of connections in this flow\'s burst, 0 for none' },
  {
    name: 'burstStat', type: 'h16', bits: BURST_STAT_BITS,
    description: 'Burst membership and verdict (FTP data or port scan), both directions. Unlike Tranalyzer\'s per-flow scan bits (tcpAnomaly 0x1000/0x2000, tcpStatesAFlags 0x80), which also mark normal short connections, it looks at all connections from a host to its peer and at the FTP links',
  },
];

export const BURSTS_TABLE_COLUMNS: readonly ColumnDef[] = [
  { name: 'burstId', type: 'u32', description: 'Burst number, in order of the first connection attempt' },
  { name: 'start', type: 'time', description: 'Time of the first connection attempt' },
  { name: 'span', type: 'seconds', description: 'From the first attempt to the last' },
  { name: 'host', type: 'ip', description: 'The host that opened the connections' },
  { name: 'peer', type: 'ip', description: 'The host they went to' },
  { name: 'connections', type: 'u32', description: 'Number of connection attempts' },
  { name: 'ports', type: 'u32', description: 'Number of different destination ports' },
  { name: 'lowPort', type: 'u16', description: 'Lowest destination port' },
  { name: 'highPort', type: 'u16', description: 'Highest destination port' },
  { name: 'consecutive', type: 'bool', description: 'The destination ports are consecutive (no port between lowPort and highPort missing)' },
  { name: 'accepted', type: 'u32', description: 'Attempts the peer answered with SYN+ACK (open ports)' },
  { name: 'refused', type: 'u32', description: 'Attempts answered with RST only (closed ports)' },
  { name: 'unanswered', type: 'u32', description: 'Attempts nothing came back for' },
  { name: 'ftpData', type: 'u32', description: 'Members that are FTP data connections linked to a control connection' },
  { name: 'ftpControl', type: 'u32', description: 'Members that are FTP control connections' },
  { name: 'controlFlows', type: 'u64', repeated: true, description: 'flowInd of the control connections the FTP data members are linked to' },
  { name: 'verdict', type: 'str', description: 'ftp (every member an FTP data or control connection), scan (no FTP data connection among them) or mixed' },
  { name: 'flows', type: 'u64', repeated: true, description: 'flowInd of the members, in order of their start' },
];

export const BURSTS_TABLE: TableDef = {
  name: 'bursts',
  description: 'One row per burst of connection attempts from one host to many ports of one peer: a port scan, or FTP data connections',
  columns: BURSTS_TABLE_COLUMNS,
};
