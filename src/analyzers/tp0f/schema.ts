/**
 * tp0f's columns and bit tables, declared once: Tranalyzer's passive OS fingerprint (plugin tp0f)
 * with its column names and tp0fStat bits, plus the facts it rests on (initial TTL, option layout,
 * quirks, the whole signature) as flowsh columns.
 */
import type { BitDef, ColumnDef } from '../../schema/types.ts';

/** tp0fStat bits (Tranalyzer's values). */
export const enum Tp0fStatBit {
  SynMatched = 0x01,
  SynAckMatched = 0x02,
  OptionsBad = 0x80,
}

export const TP0F_STAT_BITS: readonly BitDef[] = [
  { value: 0x01, name: 'TP0F_TSSIG', description: 'The direction\'s SYN matched a signature of the table' },
  { value: 0x02, name: 'TP0F_TSASIG', description: 'The direction\'s SYN+ACK matched a signature of the table' },
  { value: 0x80, name: 'TP0F_L4OPTBAD', level: 'warning', description: 'The SYN\'s TCP options are malformed or not captured: no fingerprint taken' },
];

/** Quirks of a SYN / SYN+ACK, in p0f's words (the `quirks` part of tp0fSig). */
export const enum Tp0fQuirk {
  Df = 0x0001,
  IdNonZeroDf = 0x0002,
  IdZeroNoDf = 0x0004,
  Ecn = 0x0008,
  ReservedBit = 0x0010,
  FlowLabel = 0x0020,
  SeqZero = 0x0040,
  AckNumNoFlag = 0x0080,
  AckFlagZero = 0x0100,
  UrgPtrNoFlag = 0x0200,
  UrgFlag = 0x0400,
  PushFlag = 0x0800,
  OwnTsZero = 0x1000,
  PeerTsOnSyn = 0x2000,
  DataAfterEol = 0x4000,
  ExcessiveWscale = 0x8000,
}

export const TP0F_QUIRK_BITS: readonly BitDef[] = [
  { value: 0x0001, name: 'df', description: 'IPv4 don\'t-fragment bit set' },
  { value: 0x0002, name: 'id+', description: 'DF set and the IPv4 ID is not zero (Linux SYNs, Windows)' },
  { value: 0x0004, name: 'id-', description: 'DF clear and the IPv4 ID is zero' },
  { value: 0x0008, name: 'ecn', description: 'Explicit congestion: ECN bits in the IP header, or ECE/CWR on the SYN' },
  { value: 0x0010, name: '0+', description: 'IPv4 reserved ("evil") bit set' },
  { value: 0x0020, name: 'flow', description: 'IPv6 flow label not zero' },
  { value: 0x0040, name: 'seq-', description: 'Sequence number zero' },
  { value: 0x0080, name: 'ack+', description: 'ACK number not zero while the ACK flag is clear' },
  { value: 0x0100, name: 'ack-', description: 'ACK flag set with ACK number zero' },
  { value: 0x0200, name: 'uptr+', description: 'Urgent pointer not zero while the URG flag is clear' },
  { value: 0x0400, name: 'urgf+', description: 'URG flag set' },
  { value: 0x0800, name: 'pushf+', description: 'PSH flag set' },
  { value: 0x1000, name: 'ts1-', description: 'Own timestamp (TSval) zero' },
  { value: 0x2000, name: 'ts2+', description: 'Timestamp echo (TSecr) not zero on a SYN without ACK' },
  { value: 0x4000, name: 'opt+', description: 'Bytes other than zero after the EOL option' },
  { value: 0x8000, name: 'exws', description: 'Window scale above 14 (RFC 7323\'s maximum)' },
];

const UNKNOWN_NOTE = '"unknown" when no signature matched (or the direction sent no SYN / SYN+ACK); ' +
  'unlike Tranalyzer, nothing is guessed from the TTL alone';

export const TP0F_FLOW_COLUMNS: readonly ColumnDef[] = [
  {
    name: 'tp0fStat', type: 'h8', tranalyzer: true, bits: TP0F_STAT_BITS,
    description: 'Passive OS fingerprint status: which of the direction\'s SYN / SYN+ACK matched a signature (`explain tp0fStat=0x01`)',
  },
  {
    name: 'tp0fDis', type: 'u8', tranalyzer: true,
    description: 'TTL distance in hops: initial TTL (the TTL rounded up to 32, 64, 128 or 255) minus the TTL seen, ' +
      'of the direction\'s SYN / SYN+ACK, else of its first IP packet (0 for non-IP flows)',
  },
  { name: 'tp0fClName', type: 'str', tranalyzer: true, description: `OS class of the matching signature: win, unix or other; ${UNKNOWN_NOTE}` },
  { name: 'tp0fPrName', type: 'str', tranalyzer: true, description: `OS (or program) of the matching signature, e.g. Linux, Windows, macOS, FreeBSD; ${UNKNOWN_NOTE}` },
  { name: 'tp0fVerName', type: 'str', tranalyzer: true, description: `Version of the matching signature, e.g. 3.11 and newer; ${UNKNOWN_NOTE}` },
  {
    name: 'tp0fSig', type: 'str',
    description: 'The direction\'s first SYN (or SYN+ACK) as a signature in p0f 3\'s layout ver:ittl+dist:olen:mss:wsize,scale:options:quirks:pclass, ' +
      'e.g. 4:64+0:0:1460:mss*44,10:mss,sok,ts,nop,ws:df,id+:0 (mss, scale `*` when the option is absent; wsize as mss*N when a multiple of the MSS); empty without SYN',
  },
  { name: 'tp0fRule', type: 'str', description: 'Id of the signature that matched (see `help tp0f`), empty when none did' },
  { name: 'tp0fInitTTL', type: 'u8', description: 'Initial TTL of the SYN / SYN+ACK: its TTL (hop limit) rounded up to 32, 64, 128 or 255 (0 without SYN)' },
  { name: 'tp0fOptLayout', type: 'str', description: 'Order of the SYN\'s TCP options, e.g. mss,sok,ts,nop,ws (eol+N: EOL followed by N padding bytes; ?K: kind K)' },
  { name: 'tp0fQuirks', type: 'h16', bits: TP0F_QUIRK_BITS, description: 'Quirks of the SYN / SYN+ACK in p0f\'s terms (df, id+, ecn, ts1-, ...)' },
];
