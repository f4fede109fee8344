/**
 * The DNS analyzer's columns and table, declared once. Flow columns follow Tranalyzer 0.9.3's
 * dnsDecode plugin (plugins/dnsDecode/src/dnsDecode.{c,h}: t2PrintHeader and the dnsStat
 * defines, default build DNS_MODE=4, DNS_HDRMD=0, DNS_TYPE=0, DNS_AGGR=0): same names, bit values
 * and meaning, with two changes said in each description: its compound columns
 * dnsHFlg_OpC_RetC and dnsCntQu_Asw_Aux_Add are split into one column per part (so each can be
 * queried), and lists keep every value instead of its 15/20-entry caps. The `dns` table is a
 * Zeek dns.log (one row per query with its answer) in flowsh's naming.
 */
import type { BitDef, ColumnDef, TableDef } from '../../schema/types.ts';
import { DNS_CLASS_NAMES, DNS_OPCODE_NAMES, DNS_RCODE_NAMES, DNS_TYPE_NAMES } from './message.ts';

const bit = (value: number, name: string, description: string, level?: BitDef['level']): BitDef =>
  level ? { value, name, description, level } : { value, name, description };

/** dnsStat: 0x0001..0x8000 as Tranalyzer (dnsDecode.h), flowsh's own bits from 0x10000 */
export const DNS_STAT_BITS: readonly BitDef[] = [
  bit(0x0001, 'DNS_PRTDT', 'DNS port (53, 137, 5353, 5355) or, in flowsh, DNS recognised by content on another port'),
  bit(0x0002, 'DNS_NBIOS', 'NetBIOS name service (port 137): names decoded from the NetBIOS encoding'),
  bit(0x0004, 'DNS_FRAGA', 'DNS over TCP: a message spread over more than one TCP segment'),
  bit(0x0008, 'DNS_FRAGS', 'DNS over TCP: the stream ends inside a message (Tranalyzer: fragment state at flow end)', 'warning'),
  bit(0x0010, 'DNS_FTRUNC', 'A name longer than 255 octets, cut there (Tranalyzer defines this bit but no longer sets it)', 'warning'),
  bit(0x0020, 'DNS_ANY', 'Query or record of type ANY (255): all records of a name', 'warning'),
  bit(0x0040, 'DNS_IZTRANS', 'Incremental zone transfer (IXFR, type 251)', 'warning'),
  bit(0x0080, 'DNS_ZTRANS', 'Zone transfer (AXFR, type 252)', 'warning'),
  bit(0x0100, 'DNS_WRNULN', 'DNS over UDP longer than 512 bytes (Tranalyzer: 548; EDNS allows it)', 'info'),
  bit(0x0200, 'DNS_WRNIGN', 'Records of a type the columns do not decode were skipped (kept in the dns table answers as TYPEn)'),
  bit(0x0400, 'DNS_WRNDEX', 'Tranalyzer: more than 15 query records; flowsh keeps them all and never sets it'),
  bit(0x0800, 'DNS_WRNAEX', 'Tranalyzer: more than 20 answer records; flowsh keeps them all and never sets it'),
  bit(0x1000, 'DNS_ERRLEN', 'A record or question runs past the end of the message, or its data does not fit its length', 'error'),
  bit(0x2000, 'DNS_ERRPTR', 'A bad compression pointer (to itself, forward, or a loop) or an unknown label type: the name is cut there', 'error'),
  bit(0x4000, 'DNS_WRNMLN', 'A message shorter than the 12-byte DNS header', 'warning'),
  bit(0x8000, 'DNS_ERRCRPT', 'Header corrupt (opcode or RCODE unassigned, counts impossible for the length) or DNS over TCP with bytes missing', 'error'),
  // flowsh additions
  bit(0x10000, 'DNS_CONTENT', 'Recognised as DNS by content on a port that is not a DNS port'),
  bit(0x20000, 'DNS_NOREPLY', 'A query of this flow got no reply in the capture', 'warning'),
  bit(0x40000, 'DNS_REPLYONLY', 'A reply without its query in the capture (capture started late, or spoofed)', 'warning'),
  bit(0x80000, 'DNS_MDNS', 'Multicast DNS (port 5353) or LLMNR (port 5355)'),
];

/** dnsHFlg: the header flags of the direction's messages, OR-ed; the bit layout of dnsDecode's hFlagsBF */
export const DNS_HFLG_BITS: readonly BitDef[] = [
  bit(0x01, 'CD', 'Checking disabled (DNSSEC)'),
  bit(0x02, 'AD', 'Authentic data (DNSSEC)'),
  bit(0x04, 'Z', 'Reserved Z bit set', 'warning'),
  bit(0x08, 'RA', 'Recursion available'),
  bit(0x10, 'RD', 'Recursion desired'),
  bit(0x20, 'TC', 'Truncated: the answer did not fit (retry over TCP)', 'warning'),
  bit(0x40, 'AA', 'Authoritative answer'),
  bit(0x80, 'QR', 'Response'),
];

const codeBits = (names: Readonly<Record<number, string>>, what: string): BitDef[] =>
  Array.from({ length: 16 }, (_, code) => bit(1 << code, names[code] ?? `${what}${code}`, `${what} ${code}${names[code] ? ` (${names[code]})` : ''} seen`));

export const DNS_OPCODE_BITS: readonly BitDef[] = codeBits(DNS_OPCODE_NAMES, 'opcode');
export const DNS_RCODE_BITS: readonly BitDef[] = codeBits(DNS_RCODE_NAMES, 'rcode');

const R = true;
export const DNS_FLOW_COLUMNS: readonly ColumnDef[] = [
  { name: 'dnsStat', type: 'h32', tranalyzer: true, bits: DNS_STAT_BITS, description: 'DNS status, warnings and errors of this direction; 0x0001..0x8000 as Tranalyzer, flowsh bits from 0x10000 (Tranalyzer: H16)' },
  { name: 'dnsHdrOPField', type: 'h16', tranalyzer: true, description: 'Flags word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE) of the direction\'s last DNS message' },
  { name: 'dnsHFlg', type: 'h8', tranalyzer: true, bits: DNS_HFLG_BITS, description: 'Header flags of the direction\'s messages, OR-ed (Tranalyzer\'s name with DNS_HDRMD=1; the first part of its default dnsHFlg_OpC_RetC)' },
  { name: 'dnsOpC', type: 'h16', bits: DNS_OPCODE_BITS, description: 'Opcodes seen: bit n = opcode n (second part of Tranalyzer\'s dnsHFlg_OpC_RetC)' },
  { name: 'dnsRetC', type: 'h16', bits: DNS_RCODE_BITS, description: 'Return codes seen: bit n = RCODE n (third part of Tranalyzer\'s dnsHFlg_OpC_RetC)' },
  { name: 'dnsCntQu', type: 'u32', description: 'Question count of the direction\'s messages, summed (first part of Tranalyzer\'s dnsCntQu_Asw_Aux_Add)' },
  { name: 'dnsCntAsw', type: 'u32', description: 'Answer record count, summed (second part of dnsCntQu_Asw_Aux_Add)' },
  { name: 'dnsCntAux', type: 'u32', description: 'Authority record count, summed (third part of dnsCntQu_Asw_Aux_Add)' },
  { name: 'dnsCntAdd', type: 'u32', description: 'Additional record count, summed (fourth part of dnsCntQu_Asw_Aux_Add)' },
  { name: 'dnsAAAqF', type: 'f64', tranalyzer: true, description: 'Amplification factor: bytes of the direction\'s responses over the bytes of their header and question section (0 without responses)' },
  { name: 'dnsQname', type: 'str', repeated: R, tranalyzer: true, description: 'Question names of every message, in order (no trailing dot; "." is the root; Tranalyzer keeps only the last message\'s)' },
  { name: 'dnsAname', type: 'str', repeated: R, tranalyzer: true, description: 'Owner name of every answer, authority and additional record except OPT, in order' },
  { name: 'dnsAPname', type: 'str', repeated: R, tranalyzer: true, description: 'Name data of the records that carry one, in order: CNAME/NS/PTR/DNAME target, MX exchange, SRV target, SOA primary server, TXT text (Tranalyzer aligns it with dnsAname, empty for the others)' },
  { name: 'dns4Aaddress', type: 'ip', repeated: R, tranalyzer: true, description: 'Addresses of the A records, in order (Tranalyzer pads this list with 0.0.0.0 for the other records)' },
  { name: 'dns6Aaddress', type: 'ip', repeated: R, tranalyzer: true, description: 'Addresses of the AAAA records, in order' },
  { name: 'dnsQType', type: 'u16', repeated: R, tranalyzer: true, valueNames: DNS_TYPE_NAMES, description: 'Question types, aligned with dnsQname' },
  { name: 'dnsQClass', type: 'u16', repeated: R, tranalyzer: true, valueNames: DNS_CLASS_NAMES, description: 'Question classes, aligned with dnsQname' },
  { name: 'dnsAType', type: 'u16', repeated: R, tranalyzer: true, valueNames: DNS_TYPE_NAMES, description: 'Record types, aligned with dnsAname' },
  { name: 'dnsAClass', type: 'u16', repeated: R, tranalyzer: true, valueNames: DNS_CLASS_NAMES, description: 'Record classes, aligned with dnsAname' },
  { name: 'dnsATTL', type: 'u32', repeated: R, tranalyzer: true, description: 'Record TTLs in seconds, aligned with dnsAname' },
  { name: 'dnsMXpref', type: 'u16', repeated: R, tranalyzer: true, description: 'Preferences of the MX records, in order' },
  { name: 'dnsSRVprio', type: 'u16', repeated: R, tranalyzer: true, description: 'Priorities of the SRV records, in order' },
  { name: 'dnsSRVwgt', type: 'u16', repeated: R, tranalyzer: true, description: 'Weights of the SRV records, in order' },
  { name: 'dnsSRVprt', type: 'u16', repeated: R, tranalyzer: true, description: 'Ports of the SRV records, in order' },
  { name: 'dnsOptStat', type: 'h32', repeated: R, tranalyzer: true, description: 'TTL field of each OPT record (EDNS): extended RCODE << 24 | version << 16 | flags (0x8000 = DNSSEC OK)' },
];

export const DNS_TABLE_COLUMNS: readonly ColumnDef[] = [
  { name: 'time', type: 'time', description: 'Time of the query (of the reply when no query was captured) (Zeek: ts)' },
  { name: 'flowInd', type: 'u64', description: 'flowInd of the UDP or TCP flow carrying the exchange (Zeek: uid)' },
  { name: 'proto', type: 'str', description: 'udp or tcp' },
  { name: 'client', type: 'ip', description: 'Address that sent the query (Zeek: id.orig_h)' },
  { name: 'clientPort', type: 'u16', description: 'Its port (Zeek: id.orig_p)' },
  { name: 'server', type: 'ip', description: 'Address the query went to (Zeek: id.resp_h)' },
  { name: 'serverPort', type: 'u16', description: 'Its port (Zeek: id.resp_p)' },
  { name: 'transId', type: 'u16', description: 'DNS transaction id (Zeek: trans_id)' },
  { name: 'rtt', type: 'seconds', description: 'Reply time minus query time; empty without both (Zeek: rtt)' },
  { name: 'query', type: 'str', description: 'Name of the first question (no trailing dot; "." is the root)' },
  { name: 'qclass', type: 'u16', valueNames: DNS_CLASS_NAMES, description: 'Class of the first question' },
  { name: 'qclassName', type: 'str', description: 'Its mnemonic (C_INTERNET, ...), as Zeek names it' },
  { name: 'qtype', type: 'u16', valueNames: DNS_TYPE_NAMES, description: 'Type of the first question' },
  { name: 'qtypeName', type: 'str', description: 'Its mnemonic (A, AAAA, PTR, ...)' },
  { name: 'rcode', type: 'u16', valueNames: DNS_RCODE_NAMES, description: 'Response code, extended by an OPT record; empty without a reply' },
  { name: 'rcodeName', type: 'str', description: 'Its mnemonic (NOERROR, NXDOMAIN, ...)' },
  { name: 'AA', type: 'bool', description: 'Authoritative answer bit of the reply' },
  { name: 'TC', type: 'bool', description: 'Truncation bit of the reply' },
  { name: 'RD', type: 'bool', description: 'Recursion desired bit of the query' },
  { name: 'RA', type: 'bool', description: 'Recursion available bit of the reply' },
  { name: 'Z', type: 'u8', description: 'The reserved Z bit of the query' },
  { name: 'answers', type: 'str', repeated: R, description: 'The reply\'s answer section: addresses, names (CNAME, PTR, NS, MX, SRV targets), TXT "TXT n text", others "TYPEn" (Zeek\'s answers)' },
  { name: 'TTLs', type: 'u32', repeated: R, description: 'TTLs of the answers, aligned with them (seconds)' },
  { name: 'rejected', type: 'bool', description: 'The reply carried an error code (not NOERROR)' },
  { name: 'retransmission', type: 'bool', description: 'The query repeats an unanswered one with the same id sent less than 5 s before; the reply is paired with the first (as tshark)' },
  { name: 'queryPkt', type: 'u64', description: 'pktNo of the query (0 when not captured)' },
  { name: 'replyPkt', type: 'u64', description: 'pktNo of the reply (0 when none)' },
  { name: 'problems', type: 'h32', bits: DNS_STAT_BITS, description: 'dnsStat bits of the two messages (errors in either)' },
];

export const DNS_TABLE: TableDef = {
  name: 'dns',
  description: 'One row per DNS query with its reply (queries without reply and replies without query too), like Zeek\'s dns.log',
  columns: DNS_TABLE_COLUMNS,
};
