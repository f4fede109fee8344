/**
 * The DNS analyzer (post-load): finds DNS flows — UDP or TCP on ports 53, 137 (NetBIOS names),
 * 5353 (mDNS) and 5355 (LLMNR), or by content on any other port — reads their messages back from
 * the capture by offset (UDP: each datagram's payload; TCP: the reassembled streams split at the
 * 2-byte length prefixes), fills Tranalyzer's dnsDecode columns per flow direction and builds the
 * `dns` table, one row per query paired with its reply. The load's hot path is untouched: only
 * the first payload of a non-DNS-port flow is looked at, 16 bytes first.
 */
import type { PostLoadAnalyzer, PostLoadContext, ReportLine } from '../analyzer.ts';
import type { Column, Table } from '../../store/table.ts';
import type { LoadedCapture } from '../../store/load.ts';
import { LazyBytesColumn, TimeColumn, numberAt } from '../../store/columns.ts';
import { IpAddr, type Value } from '../../store/value.ts';
import { MemoryTable, memoryColumn } from '../../store/memoryTable.ts';
import { readStream, streamOf } from '../../reassembly/stream.ts';
import {
  DNS_CLASS_NAMES, DNS_HEADER_LENGTH, DNS_RCODE_NAMES, DNS_TYPE, DNS_TYPE_NAMES, DnsProblem, isResponse, opcodeOf, parseDnsMessage, rcodeOf,
  type DnsMessage, type DnsRecord,
} from './message.ts';
import { DNS_FLOW_COLUMNS, DNS_STAT_BITS, DNS_TABLE } from './schema.ts';

const UDP = 17, TCP = 6;
const DNS_PORT = 53, NBNS_PORT = 137, MDNS_PORT = 5353, LLMNR_PORT = 5355;
const UDP_CLASSIC_LIMIT = 512;
/** seconds within which a repeated query is a retransmission (Wireshark's DNS retransmission timer) */
const RETRANSMISSION_WINDOW = 5;

const STAT = Object.fromEntries(DNS_STAT_BITS.map((b) => [b.name, Number(b.value)])) as Record<string, number>;

/** One DNS message as found in the capture. */
export interface FoundMessage {
  readonly flowInd: number;
  /** flows-table row of the direction that sent it */
  readonly flowRow: number;
  readonly isB: boolean;
  /** packets-table row of the packet carrying its first byte */
  readonly packetRow: number;
  readonly time: number;
  readonly transport: 'udp' | 'tcp';
  readonly message: DnsMessage;
  /** dnsStat bits of this message */
  readonly stat: number;
}

interface FlowInfo {
  readonly ind: number;
  readonly proto: number;
  rowA: number;
  rowB: number;
  /** the A row's ports */
  readonly aPort: number;
  readonly bPort: number;
  /** 'dns' by port, 'content' when recognised by its payload */
  how: 'port' | 'content' | undefined;
  readonly packets: number[];
}

const DNS_PORTS = new Set([DNS_PORT, NBNS_PORT, MDNS_PORT, LLMNR_PORT]);
const VALID_CLASSES = new Set([1, 3, 4, 254, 255]);

/**
 * Whether a message found on a non-DNS port is DNS: it decodes cleanly to its last byte, has 1 to
 * 16 questions of a real class and nonzero type, a known opcode and RCODE. Random payloads fail
 * several of these at once.
 */
export function looksLikeDns(m: DnsMessage): boolean {
  if (m.problems !== 0 || m.end !== m.length) return false;
  if (m.qdCount < 1 || m.qdCount > 16 || m.questions.length !== m.qdCount) return false;
  const opcode = opcodeOf(m);
  if (opcode !== 0 && opcode !== 4 && opcode !== 5) return false;
  if ((m.flags & 0xf) > 10 || (m.flags & 0x0040) !== 0) return false;
  return m.questions.every((q) => q.type !== 0 && VALID_CLASSES.has(q.cls & 0x7fff) && q.name !== '.');
}

/** Header sanity from the first 12 bytes only, before reading a whole payload. */
function plausibleHeader(b: Uint8Array, at: number): boolean {
  if (b.length < at + DNS_HEADER_LENGTH) return false;
  const flags = (b[at + 2]! << 8) | b[at + 3]!;
  const qd = (b[at + 4]! << 8) | b[at + 5]!;
  const opcode = (flags >> 11) & 0xf;
  return qd >= 1 && qd <= 16 && (opcode === 0 || opcode === 4 || opcode === 5) && (flags & 0x4f) <= 10;
}

/** NetBIOS first-level encoding (RFC 1001 14.1): 32 letters A..P are 16 bytes; name<suffix> */
export function decodeNetbiosName(name: string): string {
  const dot = name.indexOf('.');
  const first = dot < 0 ? name : name.slice(0, dot);
  if (!/^[A-P]{32}$/.test(first)) return name;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 2) bytes.push(((first.charCodeAt(i) - 65) << 4) | (first.charCodeAt(i + 1) - 65));
  const suffix = bytes.pop()!;
  let text = '';
  for (const b of bytes) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `<${b.toString(16).padStart(2, '0').toUpperCase()}>`;
  return text.replace(/ +$/, '') + `<${suffix.toString(16).padStart(2, '0').toUpperCase()}>` + (dot < 0 ? '' : name.slice(dot));
}

/** dnsStat bits of one message (the port and transport bits are added by the caller). */
export function messageStat(m: DnsMessage, transport: 'udp' | 'tcp'): number {
  let stat = 0;
  const p = m.problems;
  if (p & (DnsProblem.Truncated | DnsProblem.BadRdata)) stat |= STAT.DNS_ERRLEN!;
  if (p & (DnsProblem.BadPointer | DnsProblem.BadLabel)) stat |= STAT.DNS_ERRPTR!;
  if (p & DnsProblem.NameTooLong) stat |= STAT.DNS_FTRUNC!;
  const opcode = opcodeOf(m);
  const minimum = DNS_HEADER_LENGTH + 5 * m.qdCount + 11 * (m.anCount + m.nsCount + m.arCount);
  if (opcode >= 8 || (m.flags & 0xf) > 10 || minimum > m.length) stat |= STAT.DNS_ERRCRPT!;
  if (transport === 'udp' && m.length > UDP_CLASSIC_LIMIT) stat |= STAT.DNS_WRNULN!;
  const types = [...m.questions.map((q) => q.type), ...m.records.map((r) => r.type)];
  if (types.includes(DNS_TYPE.ANY)) stat |= STAT.DNS_ANY!;
  if (types.includes(DNS_TYPE.IXFR)) stat |= STAT.DNS_IZTRANS!;
  if (types.includes(DNS_TYPE.AXFR)) stat |= STAT.DNS_ZTRANS!;
  if (m.records.some((r) => !DECODED_TYPES.has(r.type))) stat |= STAT.DNS_WRNIGN!;
  return stat;
}

const DECODED_TYPES = new Set<number>([
  DNS_TYPE.A, DNS_TYPE.AAAA, DNS_TYPE.NS, DNS_TYPE.CNAME, DNS_TYPE.PTR, DNS_TYPE.DNAME, DNS_TYPE.MX, DNS_TYPE.SRV,
  DNS_TYPE.SOA, DNS_TYPE.TXT, DNS_TYPE.SPF, DNS_TYPE.OPT,
]);

/** A record's data as Zeek's dns.log answers show it. */
export function answerText(r: DnsRecord): string {
  if (r.address) return r.address.toString();
  if (r.texts) return `TXT ${r.texts.reduce((n, t) => n + t.length, 0)} ${r.texts.join(' ')}`;
  if (r.target !== undefined) return r.target;
  return `TYPE${r.type}`;
}

export class DnsAnalyzer implements PostLoadAnalyzer {
  readonly name = 'dns';
  readonly flowColumns = DNS_FLOW_COLUMNS;
  readonly packetColumns = [];
  readonly tables = [DNS_TABLE];

  build({ capture }: PostLoadContext): { flowColumns: Column[]; packetColumns: Column[]; tables: Table[]; report?: ReportLine[] } {
    return new DnsBuild(capture).run();
  }
}

type Row = Record<string, Value | undefined>;

class DnsBuild {
  private readonly flows = new Map<number, FlowInfo>();
  readonly messages: FoundMessage[] = [];
  private readonly content: LazyBytesColumn | undefined;

  constructor(private readonly capture: LoadedCapture) {
    const c = capture.packets.column('l7Content');
    this.content = c instanceof LazyBytesColumn ? c : undefined;
  }

  run(): { flowColumns: Column[]; packetColumns: Column[]; tables: Table[]; report?: ReportLine[] } {
    this.indexFlows();
    this.indexPackets();
    for (const flow of this.flows.values()) {
      if (flow.how === undefined) flow.how = this.recognise(flow);
      if (flow.how === undefined) continue;
      if (flow.proto === UDP) this.readUdp(flow);
      else this.readTcp(flow);
    }
    const rows = this.pair();
    return { flowColumns: this.columns(), packetColumns: [], tables: [MemoryTable.fromRows(DNS_TABLE, rows)], report: this.report(rows) };
  }

  private indexFlows(): void {
    const t = this.capture.flows;
    const ind = t.column('flowInd'), dir = t.column('dir'), proto = t.column('l4Proto');
    const srcPort = t.column('srcPort'), dstPort = t.column('dstPort');
    for (let r = 0; r < t.rowCount; r++) {
      const p = numberAt(proto, r);
      if (p !== UDP && p !== TCP) continue;
      const f = numberAt(ind, r);
      const isB = dir?.get(r) === 'B';
      let flow = this.flows.get(f);
      if (!flow) {
        const s = numberAt(srcPort, r), d = numberAt(dstPort, r);
        flow = { ind: f, proto: p, rowA: -1, rowB: -1, aPort: isB ? d : s, bPort: isB ? s : d, how: undefined, packets: [] };
        const dnsPort = p === UDP ? DNS_PORTS.has(flow.aPort) || DNS_PORTS.has(flow.bPort) : flow.aPort === DNS_PORT || flow.bPort === DNS_PORT;
        if (dnsPort) flow.how = 'port';
        this.flows.set(f, flow);
      }
      if (isB) flow.rowB = r; else flow.rowA = r;
    }
  }

  /** packet rows with payload of every UDP/TCP flow, in capture order */
  private indexPackets(): void {
    const p = this.capture.packets;
    const ind = p.column('flowInd'), l7Len = p.column('l7Len');
    for (let r = 0; r < p.rowCount; r++) {
      const f = numberAt(ind, r);
      if (!(f > 0) || !(numberAt(l7Len, r) > 0)) continue;
      this.flows.get(f)?.packets.push(r);
    }
  }

  private payload(row: number, max = Infinity): Uint8Array {
    return this.content ? this.content.bytes(row, max) : new Uint8Array(0);
  }

  /** By content: the flow's first payload is a clean DNS message (TCP: with its length prefix). */
  private recognise(flow: FlowInfo): 'content' | undefined {
    const first = flow.packets[0];
    if (first === undefined) return undefined;
    const at = flow.proto === TCP ? 2 : 0;
    if (!plausibleHeader(this.payload(first, at + DNS_HEADER_LENGTH), at)) return undefined;
    const bytes = this.payload(first);
    if (flow.proto === TCP && ((bytes[0]! << 8) | bytes[1]!) !== bytes.length - 2) return undefined;
    const m = parseDnsMessage(bytes, at);
    return m !== undefined && looksLikeDns(m) ? 'content' : undefined;
  }

  private baseStat(flow: FlowInfo): number {
    const ports = [flow.aPort, flow.bPort];
    let stat = STAT.DNS_PRTDT!;
    if (flow.how === 'content') stat |= STAT.DNS_CONTENT!;
    if (ports.includes(NBNS_PORT)) stat |= STAT.DNS_NBIOS!;
    if (ports.includes(MDNS_PORT) || ports.includes(LLMNR_PORT)) stat |= STAT.DNS_MDNS!;
    return stat;
  }

  private directionOf(flow: FlowInfo, row: number): boolean {
    return this.capture.packetFlowRows[row] === flow.rowB;
  }

  private add(flow: FlowInfo, isB: boolean, packetRow: number, transport: 'udp' | 'tcp', m: DnsMessage | undefined, extra: number): void {
    const flowRow = isB ? flow.rowB : flow.rowA;
    const time = this.time(packetRow);
    if (m === undefined) {
      this.noteStat(flowRow, this.baseStat(flow) | STAT.DNS_WRNMLN! | extra);
      return;
    }
    let message = m;
    if (flow.aPort === NBNS_PORT || flow.bPort === NBNS_PORT) message = netbiosNames(m);
    const stat = this.baseStat(flow) | messageStat(message, transport) | extra;
    this.messages.push({ flowInd: flow.ind, flowRow, isB, packetRow, time, transport, message, stat });
  }

  /** seconds since the epoch of a packet, from the time column's exact parts */
  private time(row: number): number {
    const t = this.capture.packets.column('time');
    return numberAt(t, row);
  }

  /** exact difference of two packets' times (seconds) */
  private elapsed(from: number, to: number): number {
    const t = this.capture.packets.column('time');
    if (!(t instanceof TimeColumn)) return this.time(to) - this.time(from);
    return (t.sec[to]! - t.sec[from]!) + (t.nsec[to]! - t.nsec[from]!) / 1e9;
  }

  /** dnsStat bits that belong to no message (short or missing bytes) */
  private readonly looseStat = new Map<number, number>();
  private noteStat(flowRow: number, bits: number): void {
    this.looseStat.set(flowRow, (this.looseStat.get(flowRow) ?? 0) | bits);
  }

  private readUdp(flow: FlowInfo): void {
    for (const row of flow.packets) {
      const bytes = this.payload(row);
      this.add(flow, this.directionOf(flow, row), row, 'udp', parseDnsMessage(bytes), 0);
    }
  }

  /**
   * Each direction's stream split at the 2-byte length prefixes. Without the direction's SYN the
   * prefixes cannot be found (as Tranalyzer: corrupt); a gap ends the direction.
   */
  private readTcp(flow: FlowInfo): void {
    const tcpFlags = this.capture.flows.column('tcpFlags');
    for (const dir of ['A', 'B'] as const) {
      const flowRow = dir === 'A' ? flow.rowA : flow.rowB;
      if (flowRow < 0 || flow.packets.every((row) => this.capture.packetFlowRows[row] !== flowRow)) continue;
      if ((numberAt(tcpFlags, flowRow) & 0x02) === 0) {
        this.noteStat(flowRow, this.baseStat(flow) | STAT.DNS_ERRCRPT!);
        continue;
      }
      const chunks = streamOf(this.capture, flow.ind, dir);
      const end = chunks.length ? chunks[chunks.length - 1]!.streamOffset + chunks[chunks.length - 1]!.length : 0;
      const gapAt = chunks.find((c) => c.gap)?.streamOffset ?? end;
      const chunkAt = (offset: number): number => chunks.findIndex((c) => offset >= c.streamOffset && offset < c.streamOffset + c.length);
      let pos = 0;
      while (pos + 2 <= gapAt) {
        const prefix = readStream(this.capture, flow.ind, dir, pos, pos + 2).bytes;
        const len = (prefix[0]! << 8) | prefix[1]!;
        if (pos + 2 + len > gapAt) break;
        const first = chunkAt(pos);
        const bytes = readStream(this.capture, flow.ind, dir, pos + 2, pos + 2 + len).bytes;
        const spread = chunkAt(pos + 1 + len) !== first ? STAT.DNS_FRAGA! : 0;
        this.add(flow, dir === 'B', chunks[first]!.firstPacketRow, 'tcp', parseDnsMessage(bytes), spread);
        pos += 2 + len;
      }
      if (gapAt < end) this.noteStat(flowRow, this.baseStat(flow) | STAT.DNS_ERRCRPT!);
      else if (pos < end) this.noteStat(flowRow, this.baseStat(flow) | STAT.DNS_FRAGS!);
    }
  }

  /** Queries paired with replies: same flow, opposite direction, same id (same first question preferred). */
  private pair(): Row[] {
    const byFlow = new Map<number, FoundMessage[]>();
    for (const m of this.messages) {
      let list = byFlow.get(m.flowInd);
      if (!list) { list = []; byFlow.set(m.flowInd, list); }
      list.push(m);
    }
    const rows: Row[] = [];
    const flowsT = this.capture.flows;
    const srcIP = flowsT.column('srcIP'), srcPort = flowsT.column('srcPort'), dstIP = flowsT.column('dstIP'), dstPort = flowsT.column('dstPort');
    const pktNo = (row: number): number => row + 1;
    for (const list of byFlow.values()) {
      // open queries by direction and id, oldest first
      const open = new Map<string, number[]>();
      const pairs: [FoundMessage | undefined, FoundMessage | undefined][] = [];
      const retransmissions = new Set<number>();
      for (const m of list) {
        if (!isResponse(m.message)) {
          const key = `${m.isB ? 'B' : 'A'}${m.message.id}`;
          let waiting = open.get(key);
          if (!waiting) { waiting = []; open.set(key, waiting); }
          const index = pairs.push([m, undefined]) - 1;
          // the same id again within the retransmission window repeats an open query: the
          // reply belongs to the first (tshark's rule); a later repeat is a new transaction
          const repeated = waiting.some((k) => m.time - pairs[k]![0]!.time < RETRANSMISSION_WINDOW);
          if (repeated) retransmissions.add(index);
          else waiting.push(index);
          continue;
        }
        // the latest open query with this id, one asking the same question first (as tshark and
        // Zeek, a reply answers a retransmitted query; a damaged question does not unpair it)
        const waiting = open.get(`${m.isB ? 'A' : 'B'}${m.message.id}`) ?? [];
        let i = waiting.length - 1;
        while (i >= 0 && !sameQuestion(pairs[waiting[i]!]![0]!.message, m.message)) i--;
        if (i < 0) i = waiting.length - 1;
        if (i < 0) pairs.push([undefined, m]);
        else pairs[waiting.splice(i, 1)[0]!]![1] = m;
      }
      for (const [index, [q, r]] of pairs.entries()) {
        const sender = q ?? r!;
        // the client is the query's sender: for a lone reply, its destination
        const fromRow = sender.flowRow;
        const clientIs = q ? 'src' : 'dst';
        const question = (q ?? r!).message.questions[0] ?? r?.message.questions[0];
        const rcode = r ? rcodeOf(r.message) : undefined;
        const answers = r ? r.message.records.filter((a) => a.section === 'answer' && a.type !== DNS_TYPE.OPT) : [];
        rows.push({
          time: sender.time, flowInd: sender.flowInd, proto: sender.transport,
          client: (clientIs === 'src' ? srcIP : dstIP)?.get(fromRow) as IpAddr,
          clientPort: numberAt(clientIs === 'src' ? srcPort : dstPort, fromRow),
          server: (clientIs === 'src' ? dstIP : srcIP)?.get(fromRow) as IpAddr,
          serverPort: numberAt(clientIs === 'src' ? dstPort : srcPort, fromRow),
          transId: sender.message.id,
          rtt: q && r ? this.elapsed(q.packetRow, r.packetRow) : undefined,
          query: question?.name, qclass: question?.cls, qclassName: question ? DNS_CLASS_NAMES[question.cls] ?? `C${question.cls}` : undefined,
          qtype: question?.type, qtypeName: question ? DNS_TYPE_NAMES[question.type] ?? `TYPE${question.type}` : undefined,
          rcode, rcodeName: rcode === undefined ? undefined : DNS_RCODE_NAMES[rcode] ?? `RCODE${rcode}`,
          AA: r ? (r.message.flags & 0x0400) !== 0 : false, TC: r ? (r.message.flags & 0x0200) !== 0 : false,
          RD: q ? (q.message.flags & 0x0100) !== 0 : (r!.message.flags & 0x0100) !== 0, RA: r ? (r.message.flags & 0x0080) !== 0 : false,
          Z: (sender.message.flags >> 6) & 1,
          answers: answers.map(answerText), TTLs: answers.map((a) => a.ttl),
          rejected: rcode !== undefined && rcode !== 0,
          retransmission: retransmissions.has(index),
          queryPkt: q ? pktNo(q.packetRow) : 0, replyPkt: r ? pktNo(r.packetRow) : 0,
          problems: (q?.stat ?? 0) | (r?.stat ?? 0),
        });
        if (q && !r && !retransmissions.has(index)) this.noteStat(q.flowRow, STAT.DNS_NOREPLY!);
        if (r && !q) this.noteStat(r.flowRow, STAT.DNS_REPLYONLY!);
      }
    }
    rows.sort((x, y) => (x.time as number) - (y.time as number) || (x.flowInd as number) - (y.flowInd as number));
    return rows;
  }

  private columns(): Column[] {
    const n = this.capture.flows.rowCount;
    const data: Record<string, (Value | undefined)[]> = {};
    // as Tranalyzer (and the FTP columns): numbers 0 on flows without DNS, lists empty
    for (const def of DNS_FLOW_COLUMNS) data[def.name] = new Array<Value | undefined>(n).fill(def.repeated ? null : 0);
    const perRow = new Map<number, FoundMessage[]>();
    for (const m of this.messages) {
      let list = perRow.get(m.flowRow);
      if (!list) { list = []; perRow.set(m.flowRow, list); }
      list.push(m);
    }
    const rowsWithDns = new Set([...perRow.keys(), ...this.looseStat.keys()]);
    for (const r of rowsWithDns) {
      const list = perRow.get(r) ?? [];
      let stat = this.looseStat.get(r) ?? 0, hflg = 0, opc = 0, retc = 0, qu = 0, asw = 0, aux = 0, add = 0, respBytes = 0, questionBytes = 0;
      const qname: string[] = [], qtype: number[] = [], qclass: number[] = [];
      const aname: string[] = [], apname: string[] = [], atype: number[] = [], aclass: number[] = [], attl: number[] = [];
      const a4: IpAddr[] = [], a6: IpAddr[] = [], mx: number[] = [], prio: number[] = [], wgt: number[] = [], prt: number[] = [], opt: number[] = [];
      for (const { message: m, stat: s } of list) {
        stat |= s;
        const f = m.flags;
        hflg |= ((f & 0x07f0) >> 4) | ((f & 0x8000) >> 8);
        opc |= 1 << opcodeOf(m);
        retc |= 1 << (f & 0xf);
        qu += m.qdCount; asw += m.anCount; aux += m.nsCount; add += m.arCount;
        if (isResponse(m)) {
          respBytes += m.length;
          questionBytes += m.questionEnd;
        }
        for (const q of m.questions) { qname.push(q.name); qtype.push(q.type); qclass.push(q.cls); }
        for (const rec of m.records) {
          if (rec.type === DNS_TYPE.OPT) { opt.push(rec.ttl); continue; }
          aname.push(rec.name); atype.push(rec.type); aclass.push(rec.cls); attl.push(rec.ttl);
          const data = rec.texts ? rec.texts.join(' ') : rec.target;
          if (data !== undefined) apname.push(data);
          if (rec.address) (rec.address.isV6 ? a6 : a4).push(rec.address);
          if (rec.preference !== undefined) mx.push(rec.preference);
          if (rec.srv) { prio.push(rec.srv.priority); wgt.push(rec.srv.weight); prt.push(rec.srv.port); }
        }
      }
      const last = list[list.length - 1]?.message;
      const set = (name: string, v: Value | undefined): void => { data[name]![r] = v; };
      set('dnsStat', stat); set('dnsHdrOPField', last?.flags ?? 0); set('dnsHFlg', hflg); set('dnsOpC', opc); set('dnsRetC', retc);
      set('dnsCntQu', qu); set('dnsCntAsw', asw); set('dnsCntAux', aux); set('dnsCntAdd', add);
      set('dnsAAAqF', questionBytes > 0 ? respBytes / questionBytes : 0);
      set('dnsQname', qname); set('dnsAname', aname); set('dnsAPname', apname); set('dns4Aaddress', a4); set('dns6Aaddress', a6);
      set('dnsQType', qtype); set('dnsQClass', qclass); set('dnsAType', atype); set('dnsAClass', aclass); set('dnsATTL', attl);
      set('dnsMXpref', mx); set('dnsSRVprio', prio); set('dnsSRVwgt', wgt); set('dnsSRVprt', prt); set('dnsOptStat', opt);
    }
    return DNS_FLOW_COLUMNS.map((def) => memoryColumn(def, data[def.name]!));
  }

  private report(rows: Row[]): ReportLine[] {
    if (this.messages.length === 0) return [];
    const queries = this.messages.filter((m) => !isResponse(m.message)).length;
    const aggregated = this.messages.reduce((s, m) => s | m.stat, 0) | [...this.looseStat.values()].reduce((s, v) => s | v, 0);
    return [
      { label: 'dnsDecode: Number of DNS messages', value: this.messages.length },
      { label: 'dnsDecode: Number of DNS Q messages', value: queries },
      { label: 'dnsDecode: Number of DNS R messages', value: this.messages.length - queries },
      { label: 'dnsDecode: DNS queries without reply', value: rows.filter((r) => r.replyPkt === 0).length },
      { label: 'dnsDecode: Aggregated dnsStat', value: BigInt(aggregated), column: 'dnsStat' },
    ];
  }
}

/** both ask the same first question (names compared without case), or either has none */
function sameQuestion(a: DnsMessage, b: DnsMessage): boolean {
  const x = a.questions[0], y = b.questions[0];
  return x !== undefined && y !== undefined && x.name.toLowerCase() === y.name.toLowerCase() && x.type === y.type && x.cls === y.cls;
}

function netbiosNames(m: DnsMessage): DnsMessage {
  return {
    ...m,
    questions: m.questions.map((q) => ({ ...q, name: decodeNetbiosName(q.name) })),
    records: m.records.map((r) => ({ ...r, name: decodeNetbiosName(r.name) })),
  };
}
