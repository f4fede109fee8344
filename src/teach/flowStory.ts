/**
 * `explain flow N`: the story of one flow in plain sentences, each built from facts in the store
 * (flows, packets, ftp and files tables) and nothing else. A sentence is a `FlowFact` with a kind,
 * so tests can check that each kind of sentence is there exactly when its fact holds.
 */
import type { LoadedCapture } from '../store/load.ts';
import type { Table } from '../store/table.ts';
import { formatHex, isFlagType, type BitDef, type ColumnDef } from '../schema/types.ts';
import { TCP_STATES_BITS, TcpStateBit } from '../analyzers/tcpStates/schema.ts';
import { TcpAnomaly } from '../analyzers/tcpFlags/schema.ts';
import { ftpStatBit } from '../analyzers/ftp/schema.ts';
import { BurstBit } from '../analyzers/burst/schema.ts';
import { bitsOf, numberOf, storeView, type Dir, type StoreView } from './storeView.ts';
import { portService } from './ports.ts';
import { escapeText } from '../output/escape.ts';

export type FactKind =
  | 'identity'
  // what the flow is
  | 'ftp-control' | 'ftp-data' | 'dns' | 'other-protocol'
  // one of many connections to many ports of one peer: a port scan, or FTP data connections
  | 'burst' | 'scan-heuristic' | 'arp'
  // what was asked and answered: one sentence per DNS query or ARP exchange of the flow
  | 'dns-exchange' | 'arp-exchange' | 'more-exchanges'
  // how it opened
  | 'opened' | 'no-syn' | 'handshake-complete' | 'handshake-malformed' | 'one-sided'
  // what was sent
  | 'sent' | 'retransmissions' | 'out-of-order' | 'gaps' | 'conflicts' | 'after-fin'
  // how it ended
  | 'fin-close' | 'reset' | 'teardown-complete' | 'teardown-malformed'
  // flag bits
  | 'flag-bit';

export interface FlowFact {
  readonly kind: FactKind;
  readonly text: string;
  /** the direction the fact is about, when it is about one */
  readonly dir?: Dir;
  /** for flag-bit facts: the column and the bit's value */
  readonly column?: string;
  readonly bit?: bigint;
  /** packet numbers the sentence names */
  readonly packets?: readonly number[];
  /** for flag-bit facts: the bit's name, level and description, and where it came from */
  readonly name?: string;
  readonly level?: BitDef['level'];
  readonly description?: string;
  readonly origin?: string;
}

export interface FlowStory {
  readonly flowInd: number;
  readonly sections: readonly { readonly title: string; readonly facts: readonly FlowFact[] }[];
}

const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;
const TCP = 6, UDP = 17;

const FTP_INIT = ftpStatBit('FTP_INIT'), FTP_PPRNT = ftpStatBit('FTP_PPRNT');
const FTP_PASSIVE = ftpStatBit('FTP_PASSIVE'), FTP_ACTIVE = ftpStatBit('FTP_ACTIVE'), FTP_LOGIN_OK = ftpStatBit('FTP_LOGIN_OK'), FTP_LOGIN_FAIL = ftpStatBit('FTP_LOGIN_FAIL');

const ENDPOINT_COMMANDS = new Set(['PORT', 'EPRT', 'LPRT', 'PASV', 'EPSV', 'LPSV']);
const PASSIVE_COMMANDS = new Set(['PASV', 'EPSV', 'LPSV']);
/** anomaly bits that mark retransmissions, in tcpStream's sense (resent sequence space) */
const RETRANSMISSION_BITS = TcpAnomaly.SeqTimeoutRetry | TcpAnomaly.SeqFastRetry | TcpAnomaly.SeqMess | TcpAnomaly.SynRetry;

function plural(n: number, word: string, many = word + 's'): string {
  return `${n} ${n === 1 ? word : many}`;
}

function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
  return `${s.toFixed(3)} s`;
}

/** One packet as the story needs it. */
interface Pkt {
  readonly row: number;
  readonly no: number;
  readonly dir: Dir;
  readonly time: number;
  readonly timeText: string;
  readonly flags: number;
  readonly len: number;
  readonly seq: number;
}

class FlowReader {
  readonly rows: { A: number; B: number };
  readonly packets: Pkt[];
  readonly host: { A: string; B: string };
  readonly port: { A: number; B: number };
  readonly proto: number;

  constructor(readonly view: StoreView, readonly flowInd: number) {
    const { a, b } = view.flowRows(flowInd);
    this.rows = { A: a, B: b };
    const any = a >= 0 ? a : b;
    const aIsSrc = a >= 0;
    this.proto = view.flowNum('l4Proto', any);
    const ip = (row: number, side: 'src' | 'dst'): string => view.flowText(side === 'src' ? 'srcIP' : 'dstIP', row)
      || (view.flow(side === 'src' ? 'srcMac' : 'dstMac', row) as readonly string[] | null)?.[0] || '?';
    this.host = { A: ip(any, aIsSrc ? 'src' : 'dst'), B: ip(any, aIsSrc ? 'dst' : 'src') };
    this.port = {
      A: view.flowNum(aIsSrc ? 'srcPort' : 'dstPort', any),
      B: view.flowNum(aIsSrc ? 'dstPort' : 'srcPort', any),
    };
    const time = view.packetColumn('time');
    this.packets = Array.from(view.packetRows(flowInd), (row) => ({
      row, no: row + 1, dir: view.packet('dir', row) === 'B' ? 'B' : 'A',
      time: numberOf(time?.get(row)), timeText: time?.text(row) ?? '',
      flags: view.packetNum('tcpFlags', row) & 0xff, len: view.packetNum('l7Len', row) || 0, seq: view.packetNum('relSeq', row),
    }));
  }

  other(d: Dir): Dir { return d === 'A' ? 'B' : 'A'; }
  endpoint(d: Dir): string { return this.port[d] ? `${this.host[d]} port ${this.port[d]}` : this.host[d]; }
  flowNum(name: string, d: Dir): number { return this.view.flowNum(name, this.rows[d]); }
  flowBits(name: string, d: Dir): bigint { return this.view.flowBits(name, this.rows[d]); }
  both(name: string): bigint { return this.flowBits(name, 'A') | this.flowBits(name, 'B'); }
  exists(d: Dir): boolean { return this.rows[d] >= 0; }
  first(test: (p: Pkt) => boolean): Pkt | undefined { return this.packets.find(test); }
  at(p: Pkt): string { return `packet ${p.no} at ${p.timeText}`; }
}

function rowsWhere(table: Table | undefined, column: string, value: number): number[] {
  const col = table?.column(column);
  if (!table || !col) return [];
  const out: number[] = [];
  for (let r = 0; r < table.rowCount; r++) if (numberOf(col.get(r)) === value) out.push(r);
  return out;
}

function str(table: Table, column: string, row: number): string {
  return table.column(column)?.text(row) ?? '';
}

// ---------------------------------------------------------------- what the flow is

function identity(f: FlowReader): FlowFact {
  const count = { A: f.packets.filter((p) => p.dir === 'A').length, B: f.packets.filter((p) => p.dir === 'B').length };
  const start = f.packets[0], end = f.packets[f.packets.length - 1];
  const kind = f.proto === TCP ? 'a TCP connection' : f.proto === UDP ? 'a UDP flow' : f.proto > 0 ? `an IP flow of protocol ${f.proto}`
    : `a layer-2 flow (EtherType ${f.view.flowText('ethType', f.rows.A >= 0 ? f.rows.A : f.rows.B)})`;
  const span = start && end ? `, from ${start.timeText} to ${end.timeText} (${seconds(end.time - start.time)})` : '';
  const sides = f.exists('B') ? `${count.A} from ${f.host.A} and ${count.B} from ${f.host.B}` : `all from ${f.host.A}, none back`;
  return {
    kind: 'identity',
    text: `Flow ${f.flowInd} is ${kind} between ${f.endpoint('A')} and ${f.endpoint('B')}: ${plural(f.packets.length, 'packet')} (${sides})${span}.`,
  };
}

/** the packet of a control connection that carried an FTP line starting with `prefix`, at or after `time` */
function controlPacket(view: StoreView, control: number, fromTime: number, test: (text: string) => boolean): Pkt | undefined {
  const reader = new FlowReader(view, control);
  const content = view.packetColumn('l7Content');
  return reader.packets.find((p) => p.len > 0 && p.time >= fromTime - 1e-9 && test(String(content?.get(p.row) ?? '')));
}

function ftpControl(f: FlowReader, capture: LoadedCapture): FlowFact {
  const ftp = capture.catalog.table('ftp');
  const files = capture.catalog.table('files');
  const stat = Number(f.both('ftpStat'));
  const commands = rowsWhere(ftp, 'controlFlow', f.flowInd);
  const clientDir: Dir = f.port.B === 21 || (f.port.A !== 21 && f.view.flow('ftpCC', f.rows.A) !== null) ? 'A' : 'B';
  const client = f.host[clientDir], server = f.endpoint(f.other(clientDir));
  const parts = [`It is an FTP control connection: ${client} is the client, ${server} the server, and ${plural(commands.length, 'command')} ${commands.length === 1 ? 'was' : 'were'} answered or sent on it`];
  const users = f.view.flow('ftpUser', f.rows[clientDir]);
  const userList = Array.isArray(users) ? users.map(String) : [];
  if (stat & FTP_LOGIN_OK) parts.push(`a login succeeded${userList.length ? ` (user ${userList.join(', ')})` : ''}`);
  if (stat & FTP_LOGIN_FAIL) parts.push('a login failed');
  const transfers = rowsWhere(files, 'controlFlow', f.flowInd);
  if (files && transfers.length) {
    const list = transfers.map((r) => {
      const data = numberOf(files.column('dataFlow')?.get(r));
      const what = `${str(files, 'command', r)}${str(files, 'path', r) ? ' ' + str(files, 'path', r) : ''}`;
      return `${what} (${str(files, 'mode', r) || 'no mode'}, ${data > 0 ? `data flow ${data}` : 'no data connection in the capture'}, ${str(files, 'verdict', r)})`;
    });
    parts.push(`its transfers: ${list.join('; ')}`);
  }
  return { kind: 'ftp-control', text: parts.join('; ') + '.' };
}

function ftpData(f: FlowReader, capture: LoadedCapture): FlowFact {
  const stat = Number(f.both('ftpStat'));
  const ftp = capture.catalog.table('ftp');
  const files = capture.catalog.table('files');
  const links = f.view.flow('ftpCDFindex', f.rows.A >= 0 ? f.rows.A : f.rows.B);
  const control = Array.isArray(links) && links.length ? numberOf(links[0]) : 0;
  const mode = stat & FTP_PASSIVE ? 'passive' : stat & FTP_ACTIVE ? 'active' : 'an unknown';
  const packets: number[] = [];
  const parts = [`It is an FTP data connection in ${mode} mode, linked to control flow ${control}`];
  const fileRow = rowsWhere(files, 'dataFlow', f.flowInd)[0];
  const commandRows = ftp ? rowsWhere(ftp, 'controlFlow', control) : [];
  const dataCommand = commandRows.find((r) => numberOf(ftp!.column('dataFlow')?.get(r)) === f.flowInd);
  if (ftp && dataCommand !== undefined) {
    // the endpoint was learned from the last PORT/EPRT/LPRT/PASV/EPSV/LPSV before the command
    const before = commandRows.filter((r) => r < dataCommand && ENDPOINT_COMMANDS.has(str(ftp, 'command', r)));
    const ep = before[before.length - 1];
    const time = (r: number): number => numberOf(ftp.column('time')?.get(r));
    if (ep !== undefined) {
      const verb = str(ftp, 'command', ep), arg = str(ftp, 'arg', ep), code = numberOf(ftp.column('replyCode')?.get(ep));
      const cmdPkt = controlPacket(f.view, control, time(ep), (t) => t.toUpperCase().startsWith(verb));
      const replyPkt = Number.isFinite(code) ? controlPacket(f.view, control, time(ep), (t) => t.startsWith(String(code))) : undefined;
      const cmdAt = cmdPkt ? ` (${f.at(cmdPkt)})` : ` (at ${ftp.column('time')!.text(ep)})`;
      const reply = Number.isFinite(code) ? `, and the server answered ${code} "${str(ftp, 'replyText', ep)}"${replyPkt ? ` (${f.at(replyPkt)})` : ''}` : '';
      for (const p of [cmdPkt, replyPkt]) if (p) packets.push(p.no);
      const announced = PASSIVE_COMMANDS.has(verb) ? 'the server announced where it listens' : 'the client announced where it listens';
      parts.push(`the client sent ${verb}${arg ? ' ' + arg : ''}${cmdAt}${reply}: ${announced}`);
    }
    const dataVerb = str(ftp, 'command', dataCommand);
    const dataPkt = controlPacket(f.view, control, time(dataCommand), (t) => t.toUpperCase().startsWith(dataVerb));
    if (dataPkt) packets.push(dataPkt.no);
    parts.push(`it carried ${dataVerb}${str(ftp, 'arg', dataCommand) ? ' ' + str(ftp, 'arg', dataCommand) : ''}, sent on the control connection ${dataPkt ? `in ${f.at(dataPkt)}` : `at ${ftp.column('time')!.text(dataCommand)}`}` +
      ` (final reply ${str(ftp, 'replyCode', dataCommand) || 'not captured'})`);
  }
  const syn = f.first((p) => (p.flags & (SYN | ACK)) === SYN);
  if (syn) {
    const from = f.endpoint(syn.dir), to = f.endpoint(f.other(syn.dir));
    parts.push(`${mode === 'active' ? 'the server connected back' : 'the client connected'} from ${from} to ${to} (SYN, ${f.at(syn)})`);
    packets.push(syn.no);
  }
  if (files && fileRow !== undefined) {
    parts.push(`the transfer is ${str(files, 'verdict', fileRow)}: ${str(files, 'bytes', fileRow)} bytes delivered, ${str(files, 'missingBytes', fileRow)} missing`);
  }
  return { kind: 'ftp-data', text: parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('. ') + '.', packets };
}

function protocolFact(f: FlowReader, capture: LoadedCapture): FlowFact {
  const stat = Number(f.both('ftpStat'));
  if (stat & FTP_INIT) return ftpControl(f, capture);
  if (stat & FTP_PPRNT) return ftpData(f, capture);
  const dns = capture.catalog.table('dns');
  const queries = dnsRows(f, capture);
  if (dns && queries.length) {
    const first = queries[0]!;
    const answered = queries.filter((r) => numberOf(dns.column('replyPkt')?.get(r)) > 0).length;
    return {
      kind: 'dns',
      text: `It is DNS: ${str(dns, 'client', first)} asks ${str(dns, 'server', first)} (port ${str(dns, 'serverPort', first)}) to look names up: ` +
        `${plural(queries.length, 'query', 'queries')}, ${answered === queries.length ? (queries.length === 1 ? 'answered' : 'all answered') : `${answered} answered`}.`,
    };
  }
  if ((f.proto === UDP || f.proto === TCP) && (f.port.A === 53 || f.port.B === 53)) {
    const server = f.port.B === 53 ? 'B' : 'A';
    return { kind: 'dns', text: `It is DNS: ${f.host[f.other(server)]} asks ${f.host[server]} (port 53) to look names up, but no DNS message of it could be read.` };
  }
  const arp = arpRows(f, capture);
  if (arp.length) {
    return {
      kind: 'arp',
      text: `It is ARP: a host on the link asks which MAC address has an IP address (who-has) and the owner answers (is-at); ${plural(arp.length, 'exchange')} travelled in this flow.`,
    };
  }
  const known = [portService(f.port.A), portService(f.port.B)].find((s) => s);
  return {
    kind: 'other-protocol',
    text: `flowsh decodes no application protocol on it${known ? ` (port ${known === portService(f.port.B) ? f.port.B : f.port.A} is usually ${known.name}: ${known.description})` : ''}.`,
  };
}

function listOf(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** the bursts-table row of this flow's burst, -1 when it belongs to none */
function burstRow(f: FlowReader, capture: LoadedCapture): number {
  const id = f.flowNum('burstId', f.rows.A >= 0 ? 'A' : 'B');
  const bursts = capture.catalog.table('bursts');
  if (!bursts || !(id > 0)) return -1;
  return rowsWhere(bursts, 'burstId', id)[0] ?? -1;
}

/** "one of 200 connections from X to consecutive ports 1-200 of Y within 57 ms: ... a port scan" */
function burstFact(f: FlowReader, capture: LoadedCapture): FlowFact | undefined {
  const row = burstRow(f, capture);
  const bursts = capture.catalog.table('bursts');
  if (!bursts || row < 0) return undefined;
  const num = (c: string): number => numberOf(bursts.column(c)?.get(row));
  const id = num('burstId'), connections = num('connections'), ports = num('ports');
  const low = num('lowPort'), high = num('highPort');
  const portText = bursts.column('consecutive')?.get(row) === true ? `consecutive ports ${low}-${high}` : `${ports} different ports (${low} to ${high})`;
  const head = `It is one of ${connections} connections from ${str(bursts, 'host', row)} to ${portText} of ${str(bursts, 'peer', row)} ` +
    `within ${seconds(num('span'))} (burst ${id}, bursts table)`;
  const controls = bursts.column('controlFlows')?.get(row);
  const controlList = Array.isArray(controls) ? controls.map((c) => String(numberOf(c))) : [];
  const controlText = `control flow${controlList.length === 1 ? '' : 's'} ${listOf(controlList)}`;
  const data = num('ftpData'), control = num('ftpControl');
  const answers = [
    num('accepted') ? `${num('accepted')} accepted` : '', num('refused') ? `${num('refused')} refused with RST` : '',
    num('unanswered') ? `${num('unanswered')} unanswered` : '',
  ].filter((t) => t);
  const verdict = str(bursts, 'verdict', row);
  let why: string;
  if (verdict === 'ftp') {
    why = `FTP data connections of ${controlText}${control ? ` (with ${plural(control, 'FTP control connection')})` : ''}, not a port scan`;
  } else if (verdict === 'scan') {
    why = `${answers.length ? listOf(answers) + ', and ' : ''}none is an FTP data connection: a port scan`;
  } else {
    why = `${plural(data, 'is an FTP data connection', 'are FTP data connections')} of ${controlText}, the other ${connections - data - control} FTP does not explain: ` +
      'a scan during an FTP session, or data connections the capture could not link';
  }
  return { kind: 'burst', text: `${head}: ${why}.` };
}

const SCAN_ANOMALY = TcpAnomaly.Scan | TcpAnomaly.ScanSuccess;

/** what Tranalyzer's per-flow scan bits say, next to what the burst analysis found */
function scanHeuristicFact(f: FlowReader, capture: LoadedCapture): FlowFact | undefined {
  if (f.proto !== TCP) return undefined;
  const anomaly = Number(f.both('tcpAnomaly')) & SCAN_ANOMALY;
  const evil = Number(f.both('tcpStatesAFlags')) & TcpStateBit.Scan;
  if (!anomaly && !evil) return undefined;
  // bit names and values come from the schema, as in flagFacts
  const named = (column: string, value: number): string[] => {
    const def = capture.flows.column(column)?.def;
    return def ? setBits(def, BigInt(value)).map((bit) => `${column} ${bit.name} ${formatHex(bit.value, def.type)}`) : [];
  };
  const marks = [...named('tcpAnomaly', anomaly), ...named('tcpStatesAFlags', evil)];
  const head = `Tranalyzer's per-flow scan heuristic marks it (${listOf(marks)})`;
  const stat = Number(f.both('burstStat'));
  const id = f.flowNum('burstId', f.rows.A >= 0 ? 'A' : 'B');
  let text: string;
  if (stat & BurstBit.FtpData) text = `${head}, but it is an FTP data connection linked to its control connection${stat & BurstBit.Member ? ` (burst ${id} is FTP data connections)` : ''}: not a scan.`;
  else if (stat & (BurstBit.VerdictScan | BurstBit.VerdictMixed)) text = `${head}, and here it is right: the flow is part of burst ${id}, which FTP does not explain.`;
  else if (stat & BurstBit.Member) text = `${head}, but it belongs to burst ${id}, which is FTP: not a scan.`;
  else text = `${head}, but it is no part of a burst of connection attempts to many ports of one peer (burstStat 0): taken alone, a short connection is no sign of a scan.`;
  return { kind: 'scan-heuristic', text };
}

// ---------------------------------------------------------------- what was asked and answered (DNS, ARP)

/** exchanges told one by one; the rest are counted */
export const MAX_EXCHANGES = 20;

const RCODE_MEANING: Readonly<Record<string, string>> = {
  NXDOMAIN: 'the name does not exist', SERVFAIL: 'the server failed to answer', REFUSED: 'the server refused to answer',
  FORMERR: 'the server could not read the query', NOTIMP: 'the server does not support the query',
};

function textList(table: Table, column: string, row: number): string[] {
  const v = table.column(column)?.get(row);
  return Array.isArray(v) ? v.map((x) => escapeText(String(x))) : [];
}

/** the dns table rows of this flow */
function dnsRows(f: FlowReader, capture: LoadedCapture): number[] {
  return rowsWhere(capture.catalog.table('dns'), 'flowInd', f.flowInd);
}

/** the arp table rows whose request or reply travelled in this flow */
function arpRows(f: FlowReader, capture: LoadedCapture): number[] {
  const arp = capture.catalog.table('arp');
  return [...new Set([...rowsWhere(arp, 'requestFlow', f.flowInd), ...rowsWhere(arp, 'replyFlow', f.flowInd)])].sort((x, y) => x - y);
}

function dnsExchange(dns: Table, row: number): FlowFact {
  const num = (c: string): number => numberOf(dns.column(c)?.get(row));
  const queryPkt = num('queryPkt'), replyPkt = num('replyPkt');
  const query = str(dns, 'query', row), type = str(dns, 'qtypeName', row) || `type ${str(dns, 'qtype', row)}`;
  const asked = `${str(dns, 'client', row)} asked ${str(dns, 'server', row)} for the ${type} records of ${query || '(no question)'} (id ${num('transId')})`;
  const parts: string[] = [];
  if (queryPkt > 0) parts.push(`${asked} in packet ${queryPkt} at ${str(dns, 'time', row)}${dns.column('retransmission')?.get(row) === true ? ', repeating an unanswered query' : ''}`);
  else parts.push(`A reply in packet ${replyPkt} answers a query the capture does not hold: ${asked}`);
  if (replyPkt > 0) {
    const rcode = str(dns, 'rcodeName', row) || `rcode ${str(dns, 'rcode', row)}`;
    const answers = textList(dns, 'answers', row), ttls = textList(dns, 'TTLs', row);
    const said = answers.length
      ? `${answers.map((a, i) => ttls[i] ? `${a} (TTL ${ttls[i]} s)` : a).join(', ')}`
      : RCODE_MEANING[rcode] ?? (rcode === 'NOERROR' ? 'no records of that type' : 'no answer records');
    const when = queryPkt > 0 && Number.isFinite(num('rtt')) ? `, ${seconds(num('rtt'))} later` : '';
    const tc = dns.column('TC')?.get(row) === true ? '; it is truncated (TC): the client should ask again over TCP' : '';
    parts.push(`the reply (packet ${replyPkt}${when}) says ${rcode}: ${said}${tc}`);
  } else {
    parts.push('no reply was captured');
  }
  return { kind: 'dns-exchange', text: parts.join('; ') + '.', packets: [queryPkt, replyPkt].filter((p) => p > 0) };
}

function arpExchange(arp: Table, row: number, flowInd: number): FlowFact {
  const num = (c: string): number => numberOf(arp.column(c)?.get(row));
  const kind = str(arp, 'kind', row), ip = str(arp, 'ip', row), mac = str(arp, 'mac', row);
  const askerMac = str(arp, 'askerMac', row), askerIP = str(arp, 'askerIP', row);
  const requestPkt = num('requestPkt'), replyPkt = num('replyPkt'), replyFlow = num('replyFlow'), requestFlow = num('requestFlow');
  const elsewhere = (other: number): string => other > 0 && other !== flowInd ? `, flow ${other}` : '';
  let text: string;
  if (kind === 'request') {
    text = `Who has ${ip}? Tell ${askerIP}: ${askerMac} asked in packet ${requestPkt} at ${str(arp, 'time', row)}${elsewhere(requestFlow)}; ` +
      (replyPkt > 0 ? `${ip} is at ${mac}, said the reply in packet ${replyPkt}${elsewhere(replyFlow)}, ${seconds(num('rtt'))} later.` : 'no reply was captured.');
  } else if (kind === 'reply') {
    text = `${ip} is at ${mac}: a reply to ${askerIP || askerMac} in packet ${replyPkt} that nobody was seen asking for.`;
  } else if (kind === 'announcement') {
    text = `Gratuitous ARP: ${mac || askerMac} announces that ${ip} is at it (packet ${requestPkt || replyPkt}), so that neighbours update their caches.`;
  } else if (kind === 'probe') {
    text = `ARP probe (RFC 5227): ${askerMac} asks whether anyone has ${ip} before taking that address (packet ${requestPkt})${replyPkt > 0 ? `; ${mac} answered in packet ${replyPkt}: the address is in use` : ''}.`;
  } else {
    text = `An ARP packet of kind ${kind} (opcode ${num('opcode')}) in packet ${requestPkt || replyPkt}.`;
  }
  if (arp.column('macChanged')?.get(row) === true) {
    const changed = arp.column('changedPkts')?.get(row);
    const list = Array.isArray(changed) ? changed.map((p) => String(numberOf(p))) : [];
    text += ` The capture bound ${ip || askerIP} to ${str(arp, 'firstMac', row)} before: its MAC changed (packet${list.length === 1 ? '' : 's'} ${listOf(list)}), a replaced NIC, failover, or ARP spoofing.`;
  }
  return { kind: 'arp-exchange', text, packets: [requestPkt, replyPkt].filter((p) => p > 0) };
}

function exchanges(f: FlowReader, capture: LoadedCapture): FlowFact[] {
  const dns = capture.catalog.table('dns'), arp = capture.catalog.table('arp');
  const facts: FlowFact[] = [];
  const told = (rows: number[], fact: (r: number) => FlowFact, what: string, query: string): void => {
    for (const r of rows.slice(0, MAX_EXCHANGES)) facts.push(fact(r));
    if (rows.length > MAX_EXCHANGES) facts.push({ kind: 'more-exchanges', text: `${plural(rows.length - MAX_EXCHANGES, `more ${what}`, `more ${what}s`)} (\`${query}\` lists them all).` });
  };
  if (dns) told(dnsRows(f, capture), (r) => dnsExchange(dns, r), 'query', `dns where flowInd == ${f.flowInd}`);
  if (arp) told(arpRows(f, capture), (r) => arpExchange(arp, r, f.flowInd), 'ARP exchange', `arp where requestFlow == ${f.flowInd} or replyFlow == ${f.flowInd}`);
  return facts;
}

// ---------------------------------------------------------------- how it opened

function firstNewBit(f: FlowReader, bit: number): Pkt | undefined {
  return f.first((p) => (f.view.packetNum('tcpStatesNewBits', p.row) & bit) !== 0);
}

function opening(f: FlowReader): FlowFact[] {
  const facts: FlowFact[] = [];
  if (f.proto !== TCP) return facts;
  const syn = f.first((p) => (p.flags & (SYN | ACK)) === SYN);
  const synAck = syn && f.first((p) => p.dir !== syn.dir && (p.flags & (SYN | ACK)) === (SYN | ACK));
  const lastAck = synAck && f.first((p) => p.no > synAck.no && p.dir === syn!.dir && (p.flags & (SYN | ACK | RST)) === ACK);
  if (syn) facts.push({ kind: 'opened', dir: syn.dir, text: `${f.host[syn.dir]} opened it: SYN from port ${f.port[syn.dir]} in ${f.at(syn)}.`, packets: [syn.no] });
  else {
    const p0 = f.packets[0];
    facts.push({ kind: 'no-syn', text: `No SYN of it was captured: the capture starts after the connection was opened${p0 ? ` (its first packet, ${p0.no}, comes from ${f.host[p0.dir]})` : ''}.` });
  }
  if (!f.exists('B')) {
    facts.push({ kind: 'one-sided', text: `Only ${f.host.A} sent packets: nothing came back from ${f.endpoint('B')} in the capture.` });
  }
  const malformed = Number(f.both('tcpStatesAFlags')) & TcpStateBit.MalformedEstablishment;
  if (!malformed) {
    const steps = [syn, synAck, lastAck].filter((p): p is Pkt => p !== undefined);
    const rtt = syn && lastAck ? ` in ${seconds(lastAck.time - syn.time)}` : '';
    facts.push({ kind: 'handshake-complete', text: `The three-way handshake completed normally${steps.length === 3 ? `: SYN (packet ${syn!.no}), SYN+ACK (packet ${synAck!.no}), ACK (packet ${lastAck!.no})${rtt}` : ''}.`, packets: steps.map((p) => p.no) });
  } else {
    const def = TCP_STATES_BITS.find((b) => Number(b.value) === TcpStateBit.MalformedEstablishment)!;
    const raisedBy = firstNewBit(f, TcpStateBit.MalformedEstablishment);
    let why: string;
    const refused = syn && f.first((p) => p.dir !== syn.dir && (p.flags & RST) !== 0);
    if (!syn) why = 'no SYN was captured';
    else if (!f.exists('B')) why = 'the SYN was never answered';
    else if (!synAck && refused) why = `${f.host[refused.dir]} refused it with ${refused.flags & ACK ? 'RST+ACK' : 'RST'} (packet ${refused.no}): the port is closed`;
    else if (!synAck) why = 'the SYN was never answered with SYN+ACK';
    else if (!lastAck) why = `the SYN+ACK (packet ${synAck.no}) was never acknowledged`;
    else why = 'a handshake packet acknowledged the wrong sequence number';
    const where = raisedBy ? `raised by packet ${raisedBy.no}` : 'set when the flow ended';
    facts.push({
      kind: 'handshake-malformed',
      text: `The connection establishment is malformed (tcpStatesAFlags ${def.name} ${formatHex(def.value, 'h8')}, ${where}): ${why}.`,
      ...(raisedBy ? { packets: [raisedBy.no] } : {}),
    });
  }
  return facts;
}

// ---------------------------------------------------------------- what was sent

function firstAnomaly(f: FlowReader, d: Dir, bits: number): Pkt | undefined {
  return f.first((p) => p.dir === d && (f.view.packetNum('tcpAnomaly', p.row) & bits) !== 0);
}

function sending(f: FlowReader): FlowFact[] {
  const facts: FlowFact[] = [];
  for (const d of ['A', 'B'] as const) {
    if (!f.exists(d)) continue;
    const count = f.packets.filter((p) => p.dir === d).length;
    if (f.proto === TCP) {
      const bytes = f.flowNum('tcpStreamBytes', d);
      facts.push({ kind: 'sent', dir: d, text: `${f.host[d]} sent ${plural(bytes, 'byte')} of payload in ${plural(count, 'packet')} (its reassembled stream).` });
      const retrans = f.flowNum('tcpStreamRetrans', d);
      if (retrans > 0) {
        const p = firstAnomaly(f, d, RETRANSMISSION_BITS);
        facts.push({ kind: 'retransmissions', dir: d, text: `${plural(retrans, 'segment')} from ${f.host[d]} repeated data already seen (retransmissions${p ? `, the first flagged in packet ${p.no}` : ''}).`, ...(p ? { packets: [p.no] } : {}) });
      }
      const ooo = f.flowNum('tcpStreamOoo', d);
      if (ooo > 0) {
        const p = firstAnomaly(f, d, TcpAnomaly.SeqOutOfOrder);
        facts.push({ kind: 'out-of-order', dir: d, text: `${plural(ooo, 'segment')} from ${f.host[d]} arrived out of order, filling a hole left before a later segment${p ? ` (packet ${p.no})` : ''}.`, ...(p ? { packets: [p.no] } : {}) });
      }
      const missing = f.flowNum('tcpStreamMissing', d);
      if (missing > 0) {
        facts.push({ kind: 'gaps', dir: d, text: `${plural(missing, 'byte')} of ${f.host[d]}'s stream were never captured (lost before the capture point, or cut by the snaplen).` });
      }
      const conflicts = f.flowNum('tcpStreamConflicts', d);
      if (conflicts > 0) {
        facts.push({ kind: 'conflicts', dir: d, text: `${plural(conflicts, 'segment')} from ${f.host[d]} overlapped earlier data with different bytes (the first copy is what follow shows).` });
      }
      const fin = f.first((p) => p.dir === d && (p.flags & FIN) !== 0);
      const late = fin && f.first((p) => p.dir === d && p.no > fin.no && p.len > 0 && ((fin.seq - p.seq) | 0) > 0);
      if (fin && late) {
        facts.push({
          kind: 'after-fin', dir: d, packets: [fin.no, late.no],
          text: `A data segment from ${f.host[d]} (packet ${late.no}, bytes ${late.seq}-${late.seq + late.len - 1}) arrived after its FIN (packet ${fin.no}) although it comes before the FIN in sequence: it was delayed on the way, and the receiver put it in place.`,
        });
      }
    } else {
      facts.push({ kind: 'sent', dir: d, text: `${f.host[d]} sent ${plural(count, 'packet')}, ${plural(f.flowNum('numBytesSnt', d), 'byte')} in all.` });
    }
  }
  return facts;
}

// ---------------------------------------------------------------- how it ended

function ending(f: FlowReader): FlowFact[] {
  const facts: FlowFact[] = [];
  if (f.proto !== TCP) return facts;
  const fin = f.first((p) => (p.flags & FIN) !== 0 && (p.flags & RST) === 0);
  if (fin) {
    const answer = f.first((p) => p.dir !== fin.dir && (p.flags & FIN) !== 0);
    facts.push({
      kind: 'fin-close', dir: fin.dir, packets: [fin.no, ...(answer ? [answer.no] : [])],
      text: `${f.host[fin.dir]} closed first: FIN in ${f.at(fin)}; ${answer ? `${f.host[answer.dir]} sent its own FIN in packet ${answer.no}` : `${f.host[f.other(fin.dir)]} sent no FIN in the capture`}.`,
    });
  }
  const rst = f.first((p) => (p.flags & RST) !== 0);
  if (rst) facts.push({ kind: 'reset', dir: rst.dir, packets: [rst.no], text: `${f.host[rst.dir]} reset the connection: ${rst.flags & ACK ? 'RST+ACK' : 'RST'} in ${f.at(rst)}.` });
  const malformed = Number(f.both('tcpStatesAFlags')) & TcpStateBit.MalformedTeardown;
  if (!malformed) {
    facts.push({ kind: 'teardown-complete', text: 'Both FINs were sent and acknowledged: a normal teardown.' });
  } else {
    const def = TCP_STATES_BITS.find((b) => Number(b.value) === TcpStateBit.MalformedTeardown)!;
    const raisedBy = firstNewBit(f, TcpStateBit.MalformedTeardown);
    const noFin = (['A', 'B'] as const).filter((d) => f.exists(d) && !f.first((p) => p.dir === d && (p.flags & FIN) !== 0));
    const why = rst ? `it was reset (packet ${rst.no}) instead of closed with FINs`
      : noFin.length ? `${noFin.map((d) => f.host[d]).join(' and ')} sent no FIN: the connection was still open when the capture ended`
        : !f.exists('B') ? 'only one side was seen' : 'a FIN was never acknowledged';
    facts.push({
      kind: 'teardown-malformed',
      text: `The teardown is malformed (tcpStatesAFlags ${def.name} ${formatHex(def.value, 'h8')}, ${raisedBy ? `raised by packet ${raisedBy.no}` : 'set when the flow ended'}): ${why}.`,
      ...(raisedBy ? { packets: [raisedBy.no] } : {}),
    });
  }
  return facts;
}

// ---------------------------------------------------------------- flag bits

/** per-packet columns whose value shows where a flow bit came from, by flow column */
const PACKET_SOURCE: Readonly<Record<string, { column: string; any?: boolean }>> = {
  tcpStatesAFlags: { column: 'tcpStatesNewBits', any: true },
  tcpFlags: { column: 'tcpFlags' },
  tcpAnomaly: { column: 'tcpAnomaly' },
  flowStat: { column: 'flowStat' },
  ftpStat: { column: 'ftpStat' },
};

function setBits(def: ColumnDef, value: bigint): BitDef[] {
  return (def.bits ?? []).filter((b) => BigInt(b.value) !== 0n && (BigInt(b.value) & value) === BigInt(b.value));
}

function flagFacts(f: FlowReader, capture: LoadedCapture): FlowFact[] {
  const facts: FlowFact[] = [];
  for (const column of capture.flows.columns) {
    const def = column.def;
    if (!def.bits || !isFlagType(def.type)) continue;
    for (const d of ['A', 'B'] as const) {
      if (!f.exists(d)) continue;
      const value = f.flowBits(def.name, d);
      if (value === 0n) continue;
      for (const b of setBits(def, value)) {
        const v = BigInt(b.value);
        const source = PACKET_SOURCE[def.name];
        let origin = 'no packet column records which packet set it';
        let packet: Pkt | undefined;
        if (source && capture.packets.column(source.column)) {
          packet = f.first((p) => (source.any || p.dir === d) && (bitsOf(f.view.packet(source.column, p.row)) & v) !== 0n);
          origin = packet ? `first set by packet ${packet.no}` : 'set when the flow ended (by no single packet)';
        } else if (def.name === 'ftpCBF') {
          origin = 'a command seen on the control connection (ftp table)';
        } else if (def.name === 'burstStat') {
          origin = `from the connections of burst ${f.flowNum('burstId', d)} (bursts table)`;
        }
        facts.push({
          kind: 'flag-bit', dir: d, column: def.name, bit: v, ...(packet ? { packets: [packet.no] } : {}),
          ...(b.level ? { level: b.level } : {}), name: b.name, description: b.description, origin,
          text: `${def.name} ${formatHex(v, def.type)} ${b.name} on ${d} (${f.host[d]}): ${b.description}; ${origin}.`,
        });
      }
    }
  }
  return facts;
}

// ---------------------------------------------------------------- the story

export class NoSuchFlow extends Error {}

export function flowStory(capture: LoadedCapture, flowInd: number): FlowStory {
  const view = storeView(capture);
  if (!view.hasFlow(flowInd)) throw new NoSuchFlow(`there is no flow ${flowInd} (flowInd runs from 1 to ${view.maxFlow})`);
  const f = new FlowReader(view, flowInd);
  const what = [identity(f), protocolFact(f, capture), burstFact(f, capture), scanHeuristicFact(f, capture)]
    .filter((fact): fact is FlowFact => fact !== undefined);
  return {
    flowInd,
    sections: [
      { title: 'What it is', facts: what },
      { title: 'What was asked and answered', facts: exchanges(f, capture) },
      { title: 'How it opened', facts: opening(f) },
      { title: 'What was sent', facts: sending(f) },
      { title: 'How it ended', facts: ending(f) },
      { title: 'Flag bits set on it', facts: flagFacts(f, capture) },
    ].filter((s) => s.facts.length > 0),
  };
}

export function flowStoryFacts(story: FlowStory): FlowFact[] {
  return story.sections.flatMap((s) => [...s.facts]);
}
