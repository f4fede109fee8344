/**
 * The DNS part of the tcpdump view: what tcpdump 4.99 (print-domain.c, no -v) prints for a DNS
 * message after `a.port > b.port: ` (UDP) or after `length N` (TCP): `1+ A? ftp.example.com. (33)`,
 * `1 1/0/0 A 192.0.2.180 (49)`. It follows tcpdump's walk step by step, including its
 * diagnostics (`<BAD PTR>`, `<ELT n>`, `[|domain]`) and quirks, because the output is compared
 * with the real tcpdump line by line; the DNS analyzer's own decoder is src/analyzers/dns/message.ts.
 */
import { formatIpv6, Truncated, type Walk } from './tcpdumpWalk.ts';
import { DNS_TYPE_NAMES } from '../analyzers/dns/message.ts';

const NAMESERVER_PORT = 53;
const MULTICASTDNS_PORT = 5353;
/** tcp_print tries these decoders before DNS, udp_print these before multicast DNS */
const TCP_BEFORE_DNS = new Set([21, 23, 80, 139, 179, 554, 1723, 6633, 6653, 8080, 8554, 10288]);
const UDP_BEFORE_MDNS = new Set([53, 67, 68, 69, 88, 123, 137, 138, 161, 162, 500, 514, 520, 521, 1812, 1813, 4500]);

/** Which DNS printer tcpdump runs for these ports: plain DNS, multicast DNS, or none. */
export function tcpdumpDnsKind(l4Proto: number, sport: number, dport: number): 'dns' | 'mdns' | undefined {
  const is = (p: number): boolean => sport === p || dport === p;
  if (l4Proto === 17) {
    if (is(NAMESERVER_PORT)) return 'dns';
    if (is(MULTICASTDNS_PORT) && !UDP_BEFORE_MDNS.has(sport) && !UDP_BEFORE_MDNS.has(dport)) return 'mdns';
  } else if (l4Proto === 6) {
    if (is(NAMESERVER_PORT) && !TCP_BEFORE_DNS.has(sport) && !TCP_BEFORE_DNS.has(dport)) return 'dns';
  }
  return undefined;
}

const OPS = [
  '', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7',
  ' op8', ' updateA', ' updateD', ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef',
];
// two entries lack their space in tcpdump too
const RESP = [
  '', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet',
  ' NXRRSet', ' NotAuth', ' NotZone', ' Resp11', ' Resp12', ' Resp13', ' Resp14', ' NoChange',
  ' BadVers', 'Resp17', ' Resp18', ' Resp19', ' Resp20', 'Resp21', ' Resp22', ' BadCookie',
];

/** The type names of tcpdump 4.99.3: IANA's up to DNSKEY, SPF to UNSPEC, TKEY to URI (newer ones print as TypeN) */
export const TCPDUMP_DNS_TYPES: Readonly<Record<number, string>> = {
  ...Object.fromEntries(Object.entries(DNS_TYPE_NAMES).filter(([t]) => Number(t) <= 48 || (Number(t) >= 99 && Number(t) <= 103) || (Number(t) >= 249 && Number(t) <= 256))),
  104: 'UNSPECA', 255: 'ANY',
};
const CLASSES: Readonly<Record<number, string>> = { 1: 'IN', 3: 'CHAOS', 4: 'HS', 255: 'ANY' };
const EDNS_OPTIONS: Readonly<Record<number, string>> = {
  1: 'LLQ', 2: 'UL', 3: 'NSID', 5: 'DAU', 6: 'DHU', 7: 'N3U', 8: 'ECS', 9: 'EXPIRE', 10: 'COOKIE',
  11: 'KEEPALIVE', 12: 'PADDING', 13: 'CHAIN', 14: 'KEY-TAG', 16: 'CLIENT-TAG', 17: 'SERVER-TAG',
};
const DAU_ALGORITHMS: Readonly<Record<number, string>> = {
  0: 'DELETE', 1: 'RSAMD5', 2: 'DH', 3: 'DS', 5: 'RSASHA1', 6: 'DSA-NSEC3-SHA1', 7: 'RSASHA1-NSEC3-SHA1',
  8: 'RSASHA256', 10: 'RSASHA512', 12: 'ECC-GOST', 13: 'ECDSAP256SHA256', 14: 'ECDSAP384SHA384',
  15: 'ED25519', 16: 'ED448', 252: 'INDIRECT', 253: 'PRIVATEDNS', 254: 'PRIVATEOID',
};
const DHU_ALGORITHMS: Readonly<Record<number, string>> = { 1: 'SHA-1', 2: 'SHA-256', 3: 'GOST_R_34.11-94', 4: 'SHA-384' };
const N3U_ALGORITHMS: Readonly<Record<number, string>> = { 1: 'SHA-1' };

const T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_PTR = 12, T_MX = 15, T_TXT = 16, T_AAAA = 28, T_SRV = 33;
const T_A6 = 38, T_DNAME = 39, T_OPT = 41, T_TSIG = 250, T_URI = 256;
const C_IN = 1;
const IQUERY = 1;
const MAXCDNAME = 255;
const INDIR = 0xc0, EDNS0 = 0x40, RESERVED = 0x80;
const EDNS0_ELT_BITLABEL = 0x01;

/** A name printer step failed (tcpdump's NULL return); distinct from a truncation longjmp. */
const FAILED = -1;

/** tcpdump's walk over one DNS message: `bp` is the message start, `w.end` the snapend. */
class DnsPrinter {
  constructor(private readonly w: Walk, private readonly bp: number, private readonly isMdns: boolean) {}

  private has(at: number, len = 1): boolean {
    return at >= 0 && at + len <= this.w.end;
  }
  /** GET_U_1: a read past the snapend ends the line with [|domain] */
  private u8(at: number): number {
    if (!this.has(at)) throw new Truncated('domain');
    return this.w.bytes[at]!;
  }
  private u16(at: number): number {
    if (!this.has(at, 2)) throw new Truncated('domain');
    return this.w.view.getUint16(at);
  }
  private u32(at: number): number {
    if (!this.has(at, 4)) throw new Truncated('domain');
    return this.w.view.getUint32(at);
  }
  private print(s: string): void {
    this.w.out += s;
  }

  /** fn_print_char: M- for the high bit, ^ for control characters */
  private printChar(c: number): void {
    if (c & 0x80) { c &= 0x7f; this.print('M-'); }
    if (c < 0x20 || c > 0x7e) { c ^= 0x40; this.print('^'); }
    this.print(String.fromCharCode(c));
  }
  /** nd_printn: true when the snapend came first */
  private printn(at: number, n: number): boolean {
    while (n > 0 && at < this.w.end) {
      n--;
      this.printChar(this.w.bytes[at++]!);
    }
    return n !== 0;
  }

  /** ns_nskip: the offset after the name at `cp`, FAILED when it cannot be skipped */
  skipName(cp: number): number {
    if (!this.has(cp)) return FAILED;
    let i = this.w.bytes[cp++]!;
    while (i) {
      switch (i & INDIR) {
        case INDIR: return cp + 1;
        case EDNS0: {
          if ((i & ~INDIR) !== EDNS0_ELT_BITLABEL) return FAILED;
          if (!this.has(cp)) return FAILED;
          const bitlen = this.w.bytes[cp]! || 256;
          cp += 1 + Math.trunc((bitlen + 7) / 8);
          break;
        }
        case RESERVED: return FAILED;
        default: cp += i;
      }
      if (!this.has(cp)) return FAILED;
      i = this.w.bytes[cp++]!;
    }
    return cp;
  }

  private labelLength(cp: number): number {
    if (!this.has(cp)) return FAILED;
    const i = this.w.bytes[cp]!;
    switch (i & INDIR) {
      case EDNS0: {
        const elt = i & ~INDIR;
        if (elt !== EDNS0_ELT_BITLABEL) { this.print(`<ELT ${elt}>`); return FAILED; }
        if (!this.has(cp + 1)) return FAILED;
        const bitlen = this.w.bytes[cp + 1]! || 256;
        return Math.trunc((bitlen + 7) / 8) + 1;
      }
      case INDIR: case 0: return i;
      default: this.print('<BAD LABEL TYPE>'); return FAILED;
    }
  }

  private bitLabel(cp: number): number {
    if (!this.has(cp)) return FAILED;
    const bitlen = this.w.bytes[cp]! || 256;
    const slen = Math.trunc((bitlen + 3) / 4);
    const lim = cp + 1 + slen;
    this.print('\\[x');
    let bitp = cp + 1, b = bitlen;
    for (; bitp < lim && b > 7; b -= 8, bitp++) this.print(hex2(this.u8(bitp)));
    if (b > 4) {
      this.print(hex2(this.u8(bitp) & ((0xff << (8 - b)) & 0xff)));
    } else if (b > 0) {
      this.print((((this.u8(bitp) >> 4) & 0x0f) & (0x0f << (4 - b))).toString(16));
    }
    this.print(`/${bitlen}]`);
    return lim;
  }

  /** fqdn_print relative to `bp`: the offset after the name (where the pointer chain started), FAILED on error */
  name(cp: number, bp = this.bp): number {
    let l = this.labelLength(cp);
    if (l === FAILED) return FAILED;
    if (!this.has(cp)) return FAILED;
    let maxOffset = cp - bp;
    let i = this.w.bytes[cp++]!;
    let rp = -1;
    let compress = false;
    let nameChars = 0;
    if ((i & INDIR) !== INDIR) rp = cp + l;
    if (i === 0) {
      this.print('.');
      return rp;
    }
    while (i && cp < this.w.end) {
      switch (i & INDIR) {
        case INDIR: {
          if (!compress) { rp = cp + 1; compress = true; }
          if (!this.has(cp)) return FAILED;
          const offset = ((i << 8) | this.w.bytes[cp]!) & 0x3fff;
          // tcpdump, like BIND, accepts only pointers back into the message: this ends every loop
          if (offset >= maxOffset) { this.print('<BAD PTR>'); return FAILED; }
          maxOffset = offset;
          cp = bp + offset;
          if (!this.has(cp)) return FAILED;
          i = this.w.bytes[cp]!;
          l = this.labelLength(cp);
          if (l === FAILED) return FAILED;
          cp++;
          continue;
        }
        case EDNS0: {
          const elt = i & ~INDIR;
          if (elt !== EDNS0_ELT_BITLABEL) { this.print(`<ELT ${elt}>`); return FAILED; }
          if (this.bitLabel(cp) === FAILED) return FAILED;
          break;
        }
        case RESERVED:
          this.print('<BAD LABEL TYPE>');
          return FAILED;
        default:
          if (nameChars + l <= MAXCDNAME) {
            if (this.printn(cp, l)) return FAILED;
          } else if (nameChars < MAXCDNAME) {
            if (this.printn(cp, MAXCDNAME - nameChars)) return FAILED;
          }
          nameChars += l;
      }
      cp += l;
      if (nameChars <= MAXCDNAME) this.print('.');
      nameChars++;
      if (!this.has(cp)) return FAILED;
      i = this.w.bytes[cp]!;
      l = this.labelLength(cp);
      if (l === FAILED) return FAILED;
      cp++;
      if (!compress) rp += l + 1;
    }
    if (nameChars > MAXCDNAME) this.print('<DOMAIN NAME TOO LONG>');
    return rp;
  }

  private characterString(cp: number): number {
    if (!this.has(cp)) return FAILED;
    const n = this.w.bytes[cp++]!;
    if (this.printn(cp, n)) return FAILED;
    return cp + n;
  }

  private typeName(t: number): string {
    return TCPDUMP_DNS_TYPES[t] ?? `Type${t}`;
  }
  private className(c: number): string {
    return CLASSES[c] ?? `(Class ${c})`;
  }

  /** ns_qprint */
  question(cp: number): number {
    const np = cp;
    cp = this.skipName(cp);
    if (cp === FAILED || !this.has(cp, 4)) return FAILED;
    this.print(' ' + this.typeName(this.u16(cp)));
    const raw = this.u16(cp + 2);
    const cls = this.isMdns ? raw & ~0x8000 : raw;
    if (cls !== C_IN) this.print(' ' + this.className(cls));
    if (this.isMdns) this.print(raw & 0x8000 ? ' (QU)' : ' (QM)');
    this.print('? ');
    const end = this.name(np);
    return end === FAILED ? FAILED : end + 4;
  }

  /** ns_rprint without -v: the record's class (if not IN), type and data; the snapend when it cannot be skipped */
  record(cp: number): number {
    cp = this.skipName(cp);
    if (cp === FAILED || !this.has(cp, 10)) return this.w.end;
    const typ = this.u16(cp);
    const raw = this.u16(cp + 2);
    const cls = this.isMdns ? raw & ~0x8000 : raw;
    if (cls !== C_IN && typ !== T_OPT) this.print(' ' + this.className(cls));
    if (this.isMdns && raw & 0x8000) this.print(' (Cache flush)');
    const optFlags = typ === T_OPT ? this.u16(cp + 6) : 0;
    const len = this.u16(cp + 8);
    cp += 10;
    const rp = cp + len;
    this.print(' ' + this.typeName(typ));
    if (rp > this.w.end) return FAILED;
    switch (typ) {
      case T_A:
        if (!this.has(cp, 4)) return FAILED;
        this.print(` ${this.w.bytes[cp]}.${this.w.bytes[cp + 1]}.${this.w.bytes[cp + 2]}.${this.w.bytes[cp + 3]}`);
        break;
      case T_NS: case T_CNAME: case T_PTR: case T_DNAME:
        this.print(' ');
        if (this.name(cp) === FAILED) return FAILED;
        break;
      case T_SOA:
        break; // only with -v
      case T_MX:
        this.print(' ');
        if (!this.has(cp, 2)) return FAILED;
        if (this.name(cp + 2) === FAILED) return FAILED;
        this.print(` ${this.u16(cp)}`);
        break;
      case T_TXT:
        while (cp < rp) {
          this.print(' "');
          cp = this.characterString(cp);
          if (cp === FAILED) return FAILED;
          this.print('"');
        }
        break;
      case T_SRV:
        this.print(' ');
        if (!this.has(cp, 6)) return FAILED;
        if (this.name(cp + 6) === FAILED) return FAILED;
        this.print(`:${this.u16(cp + 4)} ${this.u16(cp)} ${this.u16(cp + 2)}`);
        break;
      case T_AAAA:
        if (!this.has(cp, 16)) return FAILED;
        this.print(' ' + formatIpv6(this.w.view, cp));
        break;
      case T_A6: {
        if (!this.has(cp)) return FAILED;
        const pbit = this.w.bytes[cp]!;
        const pbyte = (pbit & ~7) / 8;
        if (pbit > 128) { this.print(` ${pbit}(bad plen)`); break; }
        if (pbit < 128) {
          const a = new Uint8Array(16);
          for (let k = pbyte; k < 16; k++) a[k] = this.u8(cp + 1 + k - pbyte);
          this.print(` ${pbit} ${formatIpv6(new DataView(a.buffer), 0)}`);
        }
        if (pbit > 0) {
          this.print(' ');
          if (this.name(cp + 1 + 16 - pbyte) === FAILED) return FAILED;
        }
        break;
      }
      case T_URI:
        if (!this.has(cp, len)) return FAILED;
        this.print(` ${this.u16(cp)} ${this.u16(cp + 2)} `);
        // len - 4 is unsigned in tcpdump: a short record prints up to the snapend and fails
        if (this.printn(cp + 4, len >= 4 ? len - 4 : 0x100000000 + len - 4)) return FAILED;
        break;
      case T_OPT:
        this.print(` UDPsize=${cls}`);
        if (optFlags & 0x8000) this.print(' DO');
        if (cp < rp) {
          this.print(' [');
          while (cp < rp) {
            cp = this.ednsOption(cp);
            if (cp === FAILED) return FAILED;
            if (cp < rp) this.print(',');
          }
          this.print(']');
        }
        break;
      case T_TSIG:
        if (cp + len > this.w.end) return FAILED;
        break; // details only with -v
      default:
        break;
    }
    return rp;
  }

  private ednsOption(cp: number): number {
    if (!this.has(cp, 2)) return FAILED;
    const opt = this.u16(cp);
    cp += 2;
    this.print(EDNS_OPTIONS[opt] ?? `Opt${opt}`);
    if (!this.has(cp, 2)) return FAILED;
    const dataLen = this.u16(cp);
    cp += 2;
    if (!this.has(cp, dataLen)) return FAILED;
    if (dataLen > 0) {
      this.print(' ');
      const bytes = this.w.bytes;
      const hexOf = (from: number, to: number, split = -1): string => {
        let s = '';
        for (let k = from; k < to; k++) s += (k - from === split ? ' ' : '') + hex2(bytes[k]!);
        return s;
      };
      const algs = (names: Readonly<Record<number, string>>): string =>
        Array.from(bytes.subarray(cp, cp + dataLen), (a) => names[a] ?? `Alg_${a}`).join(' ');
      switch (opt) {
        case 8: this.print(clientSubnet(bytes, cp, dataLen)); break;
        case 10:
          if (dataLen < 8 || (dataLen > 8 && dataLen < 16) || dataLen > 40) this.print(' (invalid)');
          else this.print(hexOf(cp, cp + dataLen, 8));
          break;
        case 11:
          if (dataLen !== 2) this.print(' (invalid)');
          else this.print(`${(this.u16(cp) / 10).toFixed(1)} sec`);
          break;
        case 9:
          if (dataLen !== 4) this.print(' (invalid)');
          else this.print(`${this.u32(cp)} sec`);
          break;
        case 12: this.print(`(${dataLen})`); break;
        case 14:
          if (dataLen % 2 !== 0) this.print(' (invalid)');
          else {
            const tags: number[] = [];
            for (let k = 0; k < dataLen; k += 2) tags.push(this.u16(cp + k));
            this.print(tags.join(' '));
          }
          break;
        case 5: this.print(algs(DAU_ALGORITHMS)); break;
        case 6: this.print(algs(DHU_ALGORITHMS)); break;
        case 7: this.print(algs(N3U_ALGORITHMS)); break;
        case 13: this.name(cp, cp + dataLen); break;
        default: this.print(hexOf(cp, cp + dataLen));
      }
    }
    return cp + dataLen;
  }
}

/** EDNS client subnet: family, source and scope prefix lengths, the address padded with zeros */
function clientSubnet(bytes: Uint8Array, cp: number, dataLen: number): string {
  if (dataLen < 4) return ' (invalid)';
  const family = (bytes[cp]! << 8) | bytes[cp + 1]!;
  const srcLen = bytes[cp + 2]!, scopeLen = bytes[cp + 3]!;
  const bits = family === 1 ? 32 : family === 2 ? 128 : 0;
  if (bits === 0 || dataLen - 4 > bits / 8) return ' (invalid)';
  if (srcLen > bits || scopeLen > bits || Math.trunc((srcLen + 7) / 8) !== dataLen - 4) return ' (invalid)';
  const padded = new Uint8Array(16);
  padded.set(bytes.subarray(cp + 4, cp + dataLen));
  const addr = family === 1 ? `${padded[0]}.${padded[1]}.${padded[2]}.${padded[3]}` : formatIpv6(new DataView(padded.buffer), 0);
  return `${addr}/${srcLen}/${scopeLen}`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/**
 * domain_print: the DNS message at `off` (for TCP, its 2-byte length prefix) of `length` bytes
 * on the wire; w.end is the snapend. Appends to w.out; throws Truncated('domain') where tcpdump
 * would stop with [|domain].
 */
export function domainPrint(w: Walk, off: number, length: number, overTcp: boolean, isMdns: boolean): void {
  if (overTcp) {
    if (length < 2) {
      w.out += ` [DNS over TCP: length ${length} < 2] (invalid)`;
      return;
    }
    length -= 2;
    if (!(off + 2 <= w.end)) throw new Truncated('domain');
    const prefix = w.view.getUint16(off);
    if (prefix !== length) {
      w.out += ` [prefix length(${prefix}) != length(${length})] (invalid)`;
      return;
    }
    off += 2;
    w.out += ' ';
  }
  if (length < 12) {
    w.out += `domain [length ${length} < 12] (invalid)`;
    return;
  }
  if (off + 12 > w.end) throw new Truncated('domain');
  const p = new DnsPrinter(w, off, isMdns);
  const flags = w.view.getUint16(off + 2);
  const qd = w.view.getUint16(off + 4), an = w.view.getUint16(off + 6), ns = w.view.getUint16(off + 8), ar = w.view.getUint16(off + 10);
  const rcode = extendedRcode(w, p, off, flags, qd, an, ns, ar);
  const id = w.view.getUint16(off);
  const opcode = (flags >> 11) & 0xf;
  let cp = off + 12;
  if (flags & 0x8000) {
    w.out += `${id}${OPS[opcode]}${rcode < RESP.length ? RESP[rcode] : ` Resp${rcode & 0xfff}`}` +
      `${flags & 0x0400 ? '*' : ''}${flags & 0x0080 ? '' : '-'}${flags & 0x0200 ? '|' : ''}${flags & 0x0020 ? '$' : ''}`;
    if (qd !== 1) w.out += ` [${qd}q]`;
    for (let i = 0; i < qd; i++) {
      if (i !== 0) w.out += ',';
      cp = p.skipName(cp);
      if (cp === FAILED) throw new Truncated('domain');
      cp += 4;
    }
    w.out += ` ${an}/${ns}/${ar}`;
    let left = an;
    if (left) {
      cp = p.record(cp);
      if (cp === FAILED) throw new Truncated('domain');
      left--;
      while (cp < w.end && left) {
        w.out += ',';
        cp = p.record(cp);
        if (cp === FAILED) throw new Truncated('domain');
        left--;
      }
    }
    if (left) throw new Truncated('domain');
  } else {
    w.out += `${id}${OPS[opcode]}${flags & 0x0100 ? '+' : ''}${flags & 0x0010 ? '%' : ''}`;
    if (flags & 0x6cf) w.out += ` [b2&3=0x${flags.toString(16)}]`;
    if (opcode === IQUERY) {
      if (qd) w.out += ` [${qd}q]`;
      if (an !== 1) w.out += ` [${an}a]`;
    } else {
      if (an) w.out += ` [${an}a]`;
      if (qd !== 1) w.out += ` [${qd}q]`;
    }
    if (ns) w.out += ` [${ns}n]`;
    if (ar) w.out += ` [${ar}au]`;
    let left = qd;
    if (left) {
      cp = p.question(cp);
      if (cp === FAILED) throw new Truncated('domain');
      left--;
      while (cp < w.end && left) {
        cp = p.question(cp);
        if (cp === FAILED) throw new Truncated('domain');
        left--;
      }
    }
    if (left) throw new Truncated('domain');
  }
  w.out += ` (${length})`;
}

/** The RCODE with the extended bits of an OPT record, found the way tcpdump skips to it. */
function extendedRcode(w: Walk, p: DnsPrinter, off: number, flags: number, qd: number, an: number, ns: number, ar: number): number {
  let rcode = flags & 0xf;
  let cp = off + 12;
  const end = w.end;
  for (let i = 0; i < qd; i++) {
    cp = p.skipName(cp);
    if (cp === FAILED) return rcode;
    cp += 4;
    if (cp >= end) return rcode;
  }
  for (let i = 0; i < an + ns; i++) {
    cp = p.skipName(cp);
    if (cp === FAILED) return rcode;
    cp += 8;
    if (cp + 2 > end) return rcode;
    cp += 2 + w.view.getUint16(cp);
    if (cp >= end) return rcode;
  }
  for (let i = 0; i < ar; i++) {
    cp = p.skipName(cp);
    if (cp === FAILED) return rcode;
    if (cp + 2 > end) return rcode;
    const type = w.view.getUint16(cp);
    cp += 4;
    if (cp + 1 > end) return rcode;
    if (type === T_OPT) return rcode | (w.bytes[cp]! << 4);
    cp += 4;
    if (cp + 2 > end) return rcode;
    cp += 2 + w.view.getUint16(cp);
    if (cp >= end) return rcode;
  }
  return rcode;
}
