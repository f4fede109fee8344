/**
 * DNS messages (RFC 1035, 3596, 2782, 6891) decoded from bytes for the DNS analyzer. Hostile
 * input is expected: every read is bounded by the message, a compression pointer must point
 * before the name that uses it (the rule BIND and tcpdump apply, so a name cannot loop), a name
 * follows at most MAX_POINTER_HOPS pointers and 255 octets, and every section loop consumes
 * bytes, so a message of n bytes is decoded in O(n) steps. What went wrong is kept as problem bits.
 */
import { IpAddr } from '../../store/value.ts';
import { decodeFtpText } from '../ftp/protocol.ts';

export const DNS_HEADER_LENGTH = 12;
/** RFC 1035 2.3.4: a name is at most 255 octets on the wire */
const MAX_NAME_OCTETS = 255;
/** a real name needs at most one pointer per label; more is a loop or an attack */
const MAX_POINTER_HOPS = 127;

/** What was wrong with a message, OR-ed over its parts. */
export const enum DnsProblem {
  /** shorter than the 12-byte header */
  Short = 1 << 0,
  /** ends inside a question or record (counts promise more than the bytes hold) */
  Truncated = 1 << 1,
  /** a compression pointer to itself, forward, or chained past the hop limit */
  BadPointer = 1 << 2,
  /** a label type 0x40 or 0x80 (EDNS0 extended / reserved) */
  BadLabel = 1 << 3,
  /** a name longer than 255 octets (cut there) */
  NameTooLong = 1 << 4,
  /** record data that does not fit its RDLENGTH or its type's size */
  BadRdata = 1 << 5,
}

export const DNS_TYPE = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33, NAPTR: 35,
  DNAME: 39, OPT: 41, DS: 43, RRSIG: 46, NSEC: 47, DNSKEY: 48, NSEC3: 50, SVCB: 64, HTTPS: 65, SPF: 99,
  IXFR: 251, AXFR: 252, ANY: 255, CAA: 257,
} as const;

/** Type mnemonics (IANA DNS parameters registry); 255 is "*" as Zeek writes it. */
export const DNS_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL', 11: 'WKS',
  12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB', 19: 'X25', 20: 'ISDN',
  21: 'RT', 22: 'NSAP', 23: 'NSAP_PTR', 24: 'SIG', 25: 'KEY', 26: 'PX', 27: 'GPOS', 28: 'AAAA', 29: 'LOC',
  30: 'NXT', 31: 'EID', 32: 'NIMLOC', 33: 'SRV', 34: 'ATMA', 35: 'NAPTR', 36: 'KX', 37: 'CERT', 38: 'A6',
  39: 'DNAME', 40: 'SINK', 41: 'OPT', 42: 'APL', 43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY', 46: 'RRSIG',
  47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 53: 'SMIMEA', 55: 'HIP',
  56: 'NINFO', 57: 'RKEY', 58: 'TALINK', 59: 'CDS', 60: 'CDNSKEY', 61: 'OPENPGPKEY', 62: 'CSYNC',
  63: 'ZONEMD', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC',
  104: 'NID', 105: 'L32', 106: 'L64', 107: 'LP', 108: 'EUI48', 109: 'EUI64', 249: 'TKEY', 250: 'TSIG',
  251: 'IXFR', 252: 'AXFR', 253: 'MAILB', 254: 'MAILA', 255: '*', 256: 'URI', 257: 'CAA', 258: 'AVC',
  259: 'DOA', 260: 'AMTRELAY', 32768: 'TA', 32769: 'DLV',
};

export const DNS_CLASS_NAMES: Readonly<Record<number, string>> = { 1: 'C_INTERNET', 3: 'C_CHAOS', 4: 'C_HESIOD', 254: 'C_NONE', 255: 'C_ANY' };

/** RFC 6895 RCODE mnemonics (the 4-bit header code; 16 and up need an OPT record) */
export const DNS_RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN',
  7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 16: 'BADVERS',
};

export const DNS_OPCODE_NAMES: Readonly<Record<number, string>> = { 0: 'QUERY', 1: 'IQUERY', 2: 'STATUS', 4: 'NOTIFY', 5: 'UPDATE' };

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly cls: number;
}

export type DnsSection = 'answer' | 'authority' | 'additional';

export interface DnsRecord {
  readonly section: DnsSection;
  readonly name: string;
  readonly type: number;
  /** the class field (for OPT: the sender's UDP payload size) */
  readonly cls: number;
  /** the TTL field (for OPT: extended RCODE, version and flags) */
  readonly ttl: number;
  readonly rdLength: number;
  /** A / AAAA */
  readonly address?: IpAddr;
  /** NS, CNAME, PTR, DNAME, MX exchange, SRV target, SOA primary server */
  readonly target?: string;
  /** MX preference */
  readonly preference?: number;
  readonly srv?: { readonly priority: number; readonly weight: number; readonly port: number };
  readonly soa?: { readonly rname: string; readonly serial: number; readonly refresh: number; readonly retry: number; readonly expire: number; readonly minimum: number };
  /** TXT (and SPF) character strings */
  readonly texts?: readonly string[];
}

export interface DnsMessage {
  readonly length: number;
  readonly id: number;
  /** the 16-bit flags word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE) */
  readonly flags: number;
  readonly qdCount: number;
  readonly anCount: number;
  readonly nsCount: number;
  readonly arCount: number;
  readonly questions: readonly DnsQuestion[];
  readonly records: readonly DnsRecord[];
  /** DnsProblem bits */
  readonly problems: number;
  /** offset after the question section (where the first record starts) */
  readonly questionEnd: number;
  /** offset after the last question or record decoded */
  readonly end: number;
}

export function isResponse(m: DnsMessage): boolean {
  return (m.flags & 0x8000) !== 0;
}
export function opcodeOf(m: DnsMessage): number {
  return (m.flags >> 11) & 0xf;
}
/** RCODE with the upper 8 bits from an OPT record (RFC 6891 6.1.3) */
export function rcodeOf(m: DnsMessage): number {
  const opt = m.records.find((r) => r.type === DNS_TYPE.OPT && r.section === 'additional');
  return (m.flags & 0xf) | (opt ? ((opt.ttl >>> 24) << 4) : 0);
}

/** A name read from a message: its text (no trailing dot, "." for the root) and the offset after it. */
interface NameRead {
  text: string;
  next: number;
  problems: number;
}

/** Decodes the name at `pos` of msg[0 .. len); see the module comment for the limits. */
export function readName(msg: Uint8Array, len: number, pos: number): NameRead {
  let text = '';
  let octets = 0;
  let problems = 0;
  let next = -1;
  let hops = 0;
  // pointers must go strictly backwards from the name's start and from every earlier target
  let limit = pos;
  for (;;) {
    if (pos >= len) { problems |= DnsProblem.Truncated; break; }
    const b = msg[pos]!;
    if (b === 0) { pos++; break; }
    const kind = b & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= len) { problems |= DnsProblem.Truncated; break; }
      const target = ((b & 0x3f) << 8) | msg[pos + 1]!;
      if (next < 0) next = pos + 2;
      if (target >= limit || ++hops > MAX_POINTER_HOPS) { problems |= DnsProblem.BadPointer; break; }
      limit = target;
      pos = target;
      continue;
    }
    if (kind !== 0) { problems |= DnsProblem.BadLabel; break; }
    if (pos + 1 + b > len) { problems |= DnsProblem.Truncated; break; }
    octets += b + 1;
    if (octets + 1 > MAX_NAME_OCTETS) { problems |= DnsProblem.NameTooLong; break; }
    text += (text === '' ? '' : '.') + decodeFtpText(msg, pos + 1, pos + 1 + b);
    pos += 1 + b;
  }
  return { text: text === '' ? '.' : text, next: next >= 0 ? next : pos, problems };
}

/** The first character-string at `pos` (length byte, then bytes) within [pos, end). */
function readCharacterStrings(msg: Uint8Array, pos: number, end: number): { texts: string[]; ok: boolean } {
  const texts: string[] = [];
  while (pos < end) {
    const n = msg[pos]!;
    if (pos + 1 + n > end) return { texts, ok: false };
    texts.push(decodeFtpText(msg, pos + 1, pos + 1 + n));
    pos += 1 + n;
  }
  return { texts, ok: true };
}

function u16(msg: Uint8Array, at: number): number {
  return (msg[at]! << 8) | msg[at + 1]!;
}
function u32(msg: Uint8Array, at: number): number {
  return ((msg[at]! << 24) | (msg[at + 1]! << 16) | (msg[at + 2]! << 8) | msg[at + 3]!) >>> 0;
}

/** Parses the DNS message in bytes[start .. start + len). Never throws; undefined below 12 bytes. */
export function parseDnsMessage(bytes: Uint8Array, start = 0, len = bytes.length - start): DnsMessage | undefined {
  if (len < DNS_HEADER_LENGTH) return undefined;
  const msg = start === 0 && len === bytes.length ? bytes : bytes.subarray(start, start + len);
  const qdCount = u16(msg, 4), anCount = u16(msg, 6), nsCount = u16(msg, 8), arCount = u16(msg, 10);
  let problems = 0;
  let pos = DNS_HEADER_LENGTH;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qdCount; i++) {
    if (pos >= len) { problems |= DnsProblem.Truncated; break; }
    const name = readName(msg, len, pos);
    problems |= name.problems;
    if (name.next + 4 > len) { problems |= DnsProblem.Truncated; pos = len; break; }
    questions.push({ name: name.text, type: u16(msg, name.next), cls: u16(msg, name.next + 2) });
    pos = name.next + 4;
    // after a bad label type the name's end is unknown; after a bad pointer it is known
    if (name.problems & DnsProblem.BadLabel) break;
  }
  const questionEnd = pos;
  const records: DnsRecord[] = [];
  const sections: [DnsSection, number][] = [['answer', anCount], ['authority', nsCount], ['additional', arCount]];
  outer: for (const [section, count] of sections) {
    for (let i = 0; i < count; i++) {
      if (pos >= len || problems & DnsProblem.BadLabel) {
        if (pos >= len) problems |= DnsProblem.Truncated;
        break outer;
      }
      const record = readRecord(msg, len, pos, section);
      problems |= record.problems;
      if (record.record) records.push(record.record);
      if (record.next <= pos) break outer;
      pos = record.next;
    }
  }
  return { length: len, id: u16(msg, 0), flags: u16(msg, 2), qdCount, anCount, nsCount, arCount, questions, records, problems, questionEnd, end: pos };
}

function readRecord(msg: Uint8Array, len: number, pos: number, section: DnsSection): { record?: DnsRecord; next: number; problems: number } {
  const name = readName(msg, len, pos);
  let problems = name.problems;
  const p = name.next;
  if (p + 10 > len) return { next: len, problems: problems | DnsProblem.Truncated };
  const type = u16(msg, p), cls = u16(msg, p + 2), ttl = u32(msg, p + 4), rdLength = u16(msg, p + 8);
  const data = p + 10, end = data + rdLength;
  const base = { section, name: name.text, type, cls, ttl, rdLength };
  if (end > len) return { record: base, next: len, problems: problems | DnsProblem.Truncated };
  const fixed = (size: number): boolean => {
    if (rdLength === size) return true;
    problems |= DnsProblem.BadRdata;
    return false;
  };
  /** a name inside the record data: it must end within RDLENGTH */
  const nameAt = (at: number): string | undefined => {
    if (at >= end) { problems |= DnsProblem.BadRdata; return undefined; }
    const n = readName(msg, len, at);
    problems |= n.problems;
    if (n.next > end) problems |= DnsProblem.BadRdata;
    return n.text;
  };
  let record: DnsRecord = base;
  switch (type) {
    case DNS_TYPE.A:
      if (fixed(4)) record = { ...base, address: IpAddr.fromV4(u32(msg, data)) };
      break;
    case DNS_TYPE.AAAA:
      if (fixed(16)) record = { ...base, address: new IpAddr(msg.slice(data, data + 16)) };
      break;
    case DNS_TYPE.NS: case DNS_TYPE.CNAME: case DNS_TYPE.PTR: case DNS_TYPE.DNAME: {
      const target = nameAt(data);
      if (target !== undefined) record = { ...base, target };
      break;
    }
    case DNS_TYPE.MX: {
      if (rdLength < 3) { problems |= DnsProblem.BadRdata; break; }
      const target = nameAt(data + 2);
      if (target !== undefined) record = { ...base, preference: u16(msg, data), target };
      break;
    }
    case DNS_TYPE.SRV: {
      if (rdLength < 7) { problems |= DnsProblem.BadRdata; break; }
      const target = nameAt(data + 6);
      if (target !== undefined) record = { ...base, srv: { priority: u16(msg, data), weight: u16(msg, data + 2), port: u16(msg, data + 4) }, target };
      break;
    }
    case DNS_TYPE.SOA: {
      const mname = readName(msg, len, data);
      const rname = readName(msg, len, mname.next);
      problems |= mname.problems | rname.problems;
      if (rname.next + 20 !== end) { problems |= DnsProblem.BadRdata; break; }
      const at = rname.next;
      record = {
        ...base, target: mname.text,
        soa: { rname: rname.text, serial: u32(msg, at), refresh: u32(msg, at + 4), retry: u32(msg, at + 8), expire: u32(msg, at + 12), minimum: u32(msg, at + 16) },
      };
      break;
    }
    case DNS_TYPE.TXT: case DNS_TYPE.SPF: {
      const { texts, ok } = readCharacterStrings(msg, data, end);
      if (!ok) problems |= DnsProblem.BadRdata;
      record = { ...base, texts };
      break;
    }
    default:
      break;
  }
  return { record, next: end, problems };
}
