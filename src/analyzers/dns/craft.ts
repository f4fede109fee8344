/**
 * Builders of DNS messages for tests: names as labels or raw bytes (so a test can place its own
 * compression pointers), records with any RDATA, counts that may lie.
 */
import { concat } from '../../decode/craft.ts';

export type NameBytes = string | readonly number[];

/** "ftp.example.com" -> 3ftp7example3com0 ("." or "" is the root); raw byte arrays pass through */
export function dnsName(name: NameBytes): number[] {
  if (typeof name !== 'string') return [...name];
  const out: number[] = [];
  for (const label of name.split('.').filter((l) => l !== '')) {
    const bytes = [...new TextEncoder().encode(label)];
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return out;
}

/** A compression pointer to `offset` in the message */
export function pointer(offset: number): number[] {
  return [0xc0 | (offset >> 8), offset & 0xff];
}

export interface QuestionSpec { name: NameBytes; type: number; cls?: number }
export interface RecordSpec { name: NameBytes; type: number; cls?: number; ttl?: number; rdata: readonly number[] }

export interface MessageSpec {
  id?: number;
  flags?: number;
  questions?: QuestionSpec[];
  answers?: RecordSpec[];
  authority?: RecordSpec[];
  additional?: RecordSpec[];
  /** header counts to write instead of the real ones (qd, an, ns, ar) */
  counts?: [number, number, number, number];
}

function u16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}
function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

export function dnsMessage(spec: MessageSpec): Uint8Array {
  const qs = spec.questions ?? [], an = spec.answers ?? [], ns = spec.authority ?? [], ar = spec.additional ?? [];
  const counts = spec.counts ?? [qs.length, an.length, ns.length, ar.length];
  const rr = (r: RecordSpec): number[] => [...dnsName(r.name), ...u16(r.type), ...u16(r.cls ?? 1), ...u32(r.ttl ?? 300), ...u16(r.rdata.length), ...r.rdata];
  return concat(
    u16(spec.id ?? 1), u16(spec.flags ?? 0x0100), ...counts.map(u16),
    ...qs.map((q) => [...dnsName(q.name), ...u16(q.type), ...u16(q.cls ?? 1)]),
    ...an.map(rr), ...ns.map(rr), ...ar.map(rr),
  );
}

/** RDATA helpers */
export const rdata = {
  a: (text: string): number[] => text.split('.').map(Number),
  aaaa: (words: number[]): number[] => words.flatMap(u16),
  name: dnsName,
  mx: (pref: number, name: NameBytes): number[] => [...u16(pref), ...dnsName(name)],
  srv: (prio: number, weight: number, port: number, name: NameBytes): number[] => [...u16(prio), ...u16(weight), ...u16(port), ...dnsName(name)],
  txt: (...texts: string[]): number[] => texts.flatMap((t) => { const b = [...new TextEncoder().encode(t)]; return [b.length, ...b]; }),
  soa: (mname: NameBytes, rname: NameBytes, serial: number, refresh: number, retry: number, expire: number, minimum: number): number[] =>
    [...dnsName(mname), ...dnsName(rname), ...u32(serial), ...u32(refresh), ...u32(retry), ...u32(expire), ...u32(minimum)],
  opt: (): number[] => [],
};

/** An OPT pseudo-record (RFC 6891): UDP size in the class, extended RCODE/version/flags in the TTL */
export function optRecord(udpSize: number, extRcode = 0, version = 0, flags = 0, rdataBytes: readonly number[] = []): RecordSpec {
  return { name: [0], type: 41, cls: udpSize, ttl: ((extRcode << 24) | (version << 16) | flags) >>> 0, rdata: rdataBytes };
}
