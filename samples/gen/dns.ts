/** DNS messages (RFC 1035): one question, answers that point back at the question name. */
import type { IpBytes } from './addr.ts';

export const DNS_TYPE_A = 1;
export const DNS_TYPE_AAAA = 28;
const CLASS_IN = 1;
const FLAG_RESPONSE = 0x8000;
const FLAG_RECURSION_DESIRED = 0x0100;
const FLAG_RECURSION_AVAILABLE = 0x0080;
/** compression pointer to offset 12, where the question name starts */
const POINTER_TO_QUESTION = 0xc00c;

export function encodeName(name: string): Uint8Array {
  const bytes: number[] = [];
  for (const label of name.split('.').filter((l) => l !== '')) {
    if (label.length > 63) throw new Error(`DNS label too long: ${label}`);
    bytes.push(label.length, ...Buffer.from(label, 'ascii'));
  }
  bytes.push(0);
  return Uint8Array.from(bytes);
}

export interface DnsQuestion {
  readonly id: number;
  readonly name: string;
  readonly type: number;
}

export interface DnsAnswer {
  readonly ttl: number;
  /** 4 bytes for A, 16 for AAAA */
  readonly address: IpBytes;
}

function header(id: number, flags: number, answers: number): number[] {
  return [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, 1, answers >> 8, answers & 0xff, 0, 0, 0, 0];
}

function question(q: DnsQuestion): number[] {
  return [...encodeName(q.name), q.type >> 8, q.type & 0xff, 0, CLASS_IN];
}

/** A recursive query as a stub resolver sends it. */
export function dnsQuery(q: DnsQuestion): Uint8Array {
  return Uint8Array.from([...header(q.id, FLAG_RECURSION_DESIRED, 0), ...question(q)]);
}

/** The resolver's answer: same id and question, RA set, NOERROR. */
export function dnsResponse(q: DnsQuestion, answers: readonly DnsAnswer[]): Uint8Array {
  const flags = FLAG_RESPONSE | FLAG_RECURSION_DESIRED | FLAG_RECURSION_AVAILABLE;
  const bytes = [...header(q.id, flags, answers.length), ...question(q)];
  for (const a of answers) {
    const type = a.address.length === 4 ? DNS_TYPE_A : DNS_TYPE_AAAA;
    bytes.push(POINTER_TO_QUESTION >> 8, POINTER_TO_QUESTION & 0xff, type >> 8, type & 0xff, 0, CLASS_IN);
    bytes.push((a.ttl >>> 24) & 0xff, (a.ttl >>> 16) & 0xff, (a.ttl >>> 8) & 0xff, a.ttl & 0xff);
    bytes.push(0, a.address.length, ...a.address);
  }
  return Uint8Array.from(bytes);
}
