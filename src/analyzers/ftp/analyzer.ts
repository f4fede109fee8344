/**
 * The FTP analyzer: finds control connections (port 21, or by content: a 220 greeting answered by
 * a known command, so any port works), parses both directions of their reassembled streams,
 * pairs replies with commands in delivery order, learns the data endpoints (PORT/EPRT/LPRT,
 * 227/228/229) and links every transfer to the TCP flow that is its data connection. Builds the
 * `ftp` and `files` tables and Tranalyzer's ftpDecode columns on the control and data flows.
 */
import { createHash } from 'node:crypto';
import type { PostLoadAnalyzer, PostLoadContext, ReportLine } from '../analyzer.ts';
import type { Column, Table } from '../../store/table.ts';
import type { LoadedCapture } from '../../store/load.ts';
import { IpAddr, type Value } from '../../store/value.ts';
import { MemoryTable, memoryColumn } from '../../store/memoryTable.ts';
import { BigFlagColumn, CharColumn, LazyBytesColumn, MappedColumn, NumberColumn, latin1, numberAt } from '../../store/columns.ts';
import type { ColumnDef } from '../../schema/types.ts';
import { streamOf, type TimedStreamChunk } from '../../reassembly/stream.ts';
import { FtpCommandParser, lookupCommand, commandBitfield, type FtpCommand, type FtpCommandEvent } from './commands.ts';
import { FtpReplyParser, type FtpReply, type FtpReplyEvent } from './replies.ts';
import { isTlsRecordHeader, looksLikeCommand, looksLikeReply, type FtpLoss } from './protocol.ts';
import { pairReplies, loginAttempts, type ExchangeItem } from './login.ts';
import {
  parseEprtArgument, parseEpsvReply, parseLprtArgument, parseLpsvReply, parsePasvReply, parsePortArgument,
  parseQuotedPath, parseSizeReply, parseTransferReply, parseUniqueName, type DataEndpoint,
} from './endpoints.ts';
import { FTP_COLUMNS, FTP_PACKET_STAT, ftpStatBit } from './schema.ts';
import { FILES_TABLE, FTP_TABLE } from './tables.ts';
import { StatTimeline } from './statTimeline.ts';
import { decideVerdict } from './verdict.ts';

const TCP = 6;
const FIN = 0x01, SYN = 0x02, RST = 0x04;

const BIT = {
  INIT: ftpStatBit('FTP_INIT'), PPRNT: ftpStatBit('FTP_PPRNT'), PPWF: ftpStatBit('FTP_PPWF'), APRNT: ftpStatBit('FTP_APRNT'),
  NDFLW: ftpStatBit('FTP_NDFLW'), OVFL: ftpStatBit('FTP_OVFL'), PASSIVE: ftpStatBit('FTP_PASSIVE'), ACTIVE: ftpStatBit('FTP_ACTIVE'),
  EXTENDED: ftpStatBit('FTP_EXTENDED'), LONG: ftpStatBit('FTP_LONG'), LOGIN_OK: ftpStatBit('FTP_LOGIN_OK'),
  LOGIN_FAIL: ftpStatBit('FTP_LOGIN_FAIL'), DATA_FIRST: ftpStatBit('FTP_DATA_FIRST'), NAT_SERVER: ftpStatBit('FTP_NAT_SERVER'),
  NAT_CLIENT: ftpStatBit('FTP_NAT_CLIENT'), XFER_INCOMPLETE: ftpStatBit('FTP_XFER_INCOMPLETE'), CTRL_GAP: ftpStatBit('FTP_CTRL_GAP'),
  MALFORMED: ftpStatBit('FTP_MALFORMED'), BAD_ENDPOINT: ftpStatBit('FTP_BAD_ENDPOINT'), TLS: ftpStatBit('FTP_TLS'),
} as const;

/** Where a byte of the control stream was delivered: the packet row that made it readable, and its time. */
interface Delivery {
  readonly row: number;
  readonly time: number;
  /** the packet that first carried the bytes (earlier than `row` when the capture reordered or lost a copy) */
  readonly firstRow: number;
}

export type FtpMode = 'PASV' | 'EPSV' | 'LPSV' | 'PORT' | 'EPRT' | 'LPRT';

/** One side of a TCP connection. */
interface Side {
  readonly ip: IpAddr;
  readonly port: number;
}

/** A TCP flow as the linking needs it. */
interface TcpFlow {
  readonly ind: number;
  /** flows-table rows of the A and B directions (-1 when absent) */
  rowA: number;
  rowB: number;
  /** the A row's source (a) and destination (b) */
  readonly a: Side;
  readonly b: Side;
  /** earliest timeFirst of both directions, and the row of the flow's first packet */
  start: number;
  firstPacketRow: number;
}

interface LearnedEndpoint {
  readonly control: ControlConnection;
  readonly mode: FtpMode;
  readonly passive: boolean;
  /**
   * addresses the data connection may use on the listening side: the control connection's server
   * (passive) or client (active) address, and the announced one when it differs (NAT, proxy, FXP)
   */
  readonly addresses: readonly IpAddr[];
  /** NaN when the reply that announced it is not in the capture (a lost 227/229): only timing can link its connection */
  readonly port: number;
  /** packet row and time of the command (active) or reply (passive) that announced it */
  readonly row: number;
  readonly time: number;
  /** earliest packet row a data connection for it can start at: the first packet of the command that asked (PASV, PORT, ...) */
  readonly askRow: number;
}

/** How a data connection was linked to its transfer: the values of the files table's linkedBy column. */
export type LinkReason = '' | 'endpoint' | 'timing' | 'after-tls';

/** A transfer announced on a control connection, before and after linking. */
export interface FtpTransfer {
  readonly control: ControlConnection;
  readonly command: string;
  readonly path: string;
  readonly resolvedPath: string;
  readonly direction: 'download' | 'upload' | 'listing';
  /** the endpoint in force for the command; cleared when it was announced for an earlier transfer and the linking found this one's connection by timing */
  endpoint: LearnedEndpoint | undefined;
  readonly type: string;
  readonly restOffset: number;
  announcedSize: number | undefined;
  /** final reply code, and the time of the 125/150 reply */
  readonly finalCode: number | null;
  readonly preliminaryTime: number;
  /** packet rows that delivered the command, its 125/150 and its final reply (NaN when absent) */
  readonly commandRow: number;
  readonly preliminaryRow: number;
  readonly finalRow: number;
  /** AUTH TLS/SSL was answered 234 before the command (CCC does not undo it: PROT P may still be in force) */
  readonly afterAuth: boolean;
  /** PROT P is in force as far as the clear text shows (a PROT sent inside TLS is not seen) */
  readonly protP: boolean;
  /** index of the ftp-table row of the command (-1 for transfers seen only as TLS data connections) */
  readonly ftpRow: number;
  dataFlow: TcpFlow | undefined;
  /** how dataFlow was found (the files table's linkedBy) */
  linkedBy: LinkReason;
  /** whether the data flow's A side is the control connection's server side (set when linked) */
  serverIsA: boolean | undefined;
  /**
   * The server refused the command (4xx/5xx without 125/150): no transfer, so no files row. It is
   * still linked, to take the connection a client opened before asking (curl connects after the 227).
   */
  readonly refused?: boolean;
}

interface ControlConnection {
  readonly flow: TcpFlow;
  /** which direction (A/B) the client sends on */
  readonly clientDir: 'A' | 'B';
  readonly client: Side;
  readonly server: Side;
  readonly verbs: string[];
  readonly replyCodes: number[];
  readonly users: string[];
  readonly passwords: string[];
  readonly clientNames: string[];
  readonly serverNames: string[];
  lastAnnouncedSize: number;
  tlsTime: number;
  tlsRow: number;
  readonly transfers: FtpTransfer[];
  /** every data endpoint learned, in order */
  readonly endpoints: LearnedEndpoint[];
  /** packet rows that delivered the client's commands, in order (lost ones included) */
  readonly commandRows: number[];
}

/** Per flow direction (storage index 2 * (flowInd - 1) + (B ? 1 : 0)): TCP flags and snaplen cuts. */
interface DirectionFacts {
  readonly flags: Uint16Array;
  readonly packets: Uint32Array;
  /** packets-table row of the direction's first packet with TCP payload (-1: none) */
  readonly firstPayloadRow: Int32Array;
  /** rows of the direction's first FIN, first RST, first payload packet cut by the snaplen, and last packet (-1: none) */
  readonly finRow: Int32Array;
  readonly rstRow: Int32Array;
  readonly cutRow: Int32Array;
  readonly lastRow: Int32Array;
}

function sameSide(x: Side, ip: IpAddr, port: number): boolean {
  return x.port === port && x.ip.equals(ip);
}

const DATA_COMMANDS = new Set(['RETR', 'STOR', 'STOU', 'APPE', 'LIST', 'NLST', 'MLSD']);

/**
 * Resolves `path` against `cwd` (POSIX style; `.`, empty parts and `..` folded). Without a known
 * directory the result stays relative to the unknown start, keeping the `..` that climb above it.
 */
export function resolveFtpPath(cwd: string | undefined, path: string): string {
  const joined = path.startsWith('/') || cwd === undefined || cwd === '' ? path : (cwd.endsWith('/') ? cwd : cwd + '/') + path;
  const absolute = joined.startsWith('/');
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    // above the root there is nothing; above an unknown start, the climb is kept
    else if (!absolute) parts.push('..');
  }
  return (absolute ? '/' : '') + parts.join('/');
}

/** The directory of a 257 reply (RFC 959: quoted, "" for a quote); servers that send it bare: its first word if absolute. */
function directoryOf257(message: string): string | undefined {
  const quoted = parseQuotedPath(message);
  if (quoted.ok) return quoted.value;
  return /^\/\S*/.exec(message.trim())?.[0];
}

export class FtpAnalyzer implements PostLoadAnalyzer {
  readonly name = 'ftp';
  readonly flowColumns = FTP_COLUMNS;
  readonly packetColumns = [FTP_PACKET_STAT];
  readonly tables = [FTP_TABLE, FILES_TABLE];

  build({ capture }: PostLoadContext): { flowColumns: Column[]; packetColumns: Column[]; tables: Table[]; report?: ReportLine[] } {
    return new FtpBuild(capture).run();
  }
}

type FtpRow = Record<string, Value | undefined>;

/** One build: the state of analysing one capture. */
class FtpBuild {
  private readonly flows = new Map<number, TcpFlow>();
  private readonly facts: DirectionFacts;
  private readonly ftpRows: FtpRow[] = [];
  private readonly controls: ControlConnection[] = [];
  private readonly maxFlow: number;
  /** every ftpStat bit of every flow, with the packet that set it */
  private readonly stat = new StatTimeline();

  constructor(private readonly capture: LoadedCapture) {
    this.maxFlow = this.indexFlows();
    this.facts = this.directionFacts();
  }

  private indexFlows(): number {
    const t = this.capture.flows;
    const ind = t.column('flowInd'), dir = t.column('dir'), proto = t.column('l4Proto');
    const srcIP = t.column('srcIP'), dstIP = t.column('dstIP'), srcPort = t.column('srcPort'), dstPort = t.column('dstPort');
    const timeFirst = t.column('timeFirst');
    let max = 0;
    for (let r = 0; r < t.rowCount; r++) {
      const f = numberAt(ind, r);
      if (f > max) max = f;
      if (numberAt(proto, r) !== TCP) continue;
      const isB = dir?.get(r) === 'B';
      const src = { ip: srcIP!.get(r) as IpAddr, port: numberAt(srcPort, r) };
      const dst = { ip: dstIP!.get(r) as IpAddr, port: numberAt(dstPort, r) };
      const start = numberAt(timeFirst, r);
      let flow = this.flows.get(f);
      if (!flow) {
        flow = { ind: f, rowA: -1, rowB: -1, a: isB ? dst : src, b: isB ? src : dst, start, firstPacketRow: -1 };
        this.flows.set(f, flow);
      }
      if (isB) flow.rowB = r; else flow.rowA = r;
      if (start < flow.start) flow.start = start;
    }
    return max;
  }

  private directionFacts(): DirectionFacts {
    const p = this.capture.packets;
    const n = this.maxFlow * 2 + 2;
    const flags = new Uint16Array(n), packets = new Uint32Array(n), firstPayloadRow = new Int32Array(n).fill(-1);
    const finRow = new Int32Array(n).fill(-1), rstRow = new Int32Array(n).fill(-1), cutRow = new Int32Array(n).fill(-1), lastRow = new Int32Array(n).fill(-1);
    const ind = p.column('flowInd'), dir = p.column('dir'), tcpFlags = p.column('tcpFlags');
    const capLen = p.column('capLen'), wireLen = p.column('wireLen'), mlen = p.column('l7Len');
    // one pass over every packet: typed arrays where the columns have them, a flow array by flowInd
    const flowOf: (TcpFlow | undefined)[] = new Array(this.maxFlow + 1).fill(undefined);
    for (const flow of this.flows.values()) flowOf[flow.ind] = flow;
    const indN = ind?.numbers, flagsN = tcpFlags?.numbers, mlenN = mlen?.numbers, capN = capLen?.numbers, wireN = wireLen?.numbers;
    const dirCodes = dir instanceof CharColumn ? dir.codes : undefined;
    const B = 'B'.charCodeAt(0);
    for (let r = 0; r < p.rowCount; r++) {
      const f = indN ? indN[r]! : numberAt(ind, r);
      if (!(f > 0)) continue;
      const flow = flowOf[f];
      if (!flow) continue;
      if (flow.firstPacketRow < 0) flow.firstPacketRow = r;
      const k = 2 * (f - 1) + ((dirCodes ? dirCodes[r] === B : dir?.get(r) === 'B') ? 1 : 0);
      const f8 = (flagsN ? flagsN[r]! : numberAt(tcpFlags, r)) & 0xff;
      flags[k]! |= f8;
      packets[k]!++;
      lastRow[k] = r;
      if ((f8 & FIN) && finRow[k]! < 0) finRow[k] = r;
      if ((f8 & RST) && rstRow[k]! < 0) rstRow[k] = r;
      if ((mlenN ? mlenN[r]! : numberAt(mlen, r)) > 0) {
        if (firstPayloadRow[k]! < 0) firstPayloadRow[k] = r;
        if ((capN ? capN[r]! : numberAt(capLen, r)) < (wireN ? wireN[r]! : numberAt(wireLen, r))) { if (cutRow[k]! < 0) cutRow[k] = r; }
      }
    }
    return { flags, packets, firstPayloadRow, finRow, rstRow, cutRow, lastRow };
  }

  run(): { flowColumns: Column[]; packetColumns: Column[]; tables: Table[]; report?: ReportLine[] } {
    for (const flow of this.flows.values()) {
      const control = this.asControl(flow);
      if (control) this.controls.push(control);
    }
    this.controls.sort((x, y) => x.flow.start - y.flow.start);
    for (const control of this.controls) this.parseControl(control);
    this.link();
    const files = this.files();
    return { ...this.columns(), tables: [MemoryTable.fromRows(FTP_TABLE, this.ftpRows), MemoryTable.fromRows(FILES_TABLE, files)], report: this.reportLines() };
  }

  /** the start of a direction's first payload (escaped text; printable ASCII stays as it is), without reassembling the flow */
  private streamStart(flow: TcpFlow, dir: 'A' | 'B'): string {
    const row = this.facts.firstPayloadRow[2 * (flow.ind - 1) + (dir === 'B' ? 1 : 0)]!;
    const content = this.capture.packets.column('l7Content');
    if (row < 0 || !content) return '';
    if (content instanceof LazyBytesColumn) return latin1(content.bytes(row, 16));
    const text = content.get(row);
    return typeof text === 'string' ? text.slice(0, 16) : '';
  }

  /** Whether either direction of a data connection starts with a TLS record header. */
  private startsWithTls(flow: TcpFlow): boolean {
    return (['A', 'B'] as const).some((dir) => {
      const s = this.streamStart(flow, dir);
      return s.length >= 3 && isTlsRecordHeader(s.charCodeAt(0), s.charCodeAt(1), s.charCodeAt(2));
    });
  }

  /** A control connection when one side is port 21, or when the content looks like FTP (220 greeting, known command). */
  private asControl(flow: TcpFlow): ControlConnection | undefined {
    let serverIsB: boolean | undefined;
    // port 21 is enough even when the capture holds one direction only (asymmetric routing, a one-way tap)
    if (flow.b.port === 21) serverIsB = true;
    else if (flow.a.port === 21) serverIsB = false;
    else if (flow.rowA < 0 || flow.rowB < 0) return undefined;
    else {
      // by content: the first payload of each direction
      const looksFtp = (server: string, client: string): boolean =>
        /^220[ -]/.test(server) && lookupCommand(/^[A-Za-z]+/.exec(client)?.[0] ?? '') !== undefined;
      const a = this.streamStart(flow, 'A'), b = this.streamStart(flow, 'B');
      if (looksFtp(b, a)) serverIsB = true;
      else if (looksFtp(a, b)) serverIsB = false;
      else return undefined;
    }
    // known from the first packet by port, by content once both first payloads are in
    const byPort = flow.a.port === 21 || flow.b.port === 21;
    const firstPayload = (isB: boolean): number => this.facts.firstPayloadRow[2 * (flow.ind - 1) + (isB ? 1 : 0)]!;
    this.stat.set(flow.ind, BIT.INIT, byPort ? flow.firstPacketRow : Math.max(firstPayload(false), firstPayload(true)));
    return {
      flow, clientDir: serverIsB ? 'A' : 'B', client: serverIsB ? flow.a : flow.b, server: serverIsB ? flow.b : flow.a,
      verbs: [], replyCodes: [], users: [], passwords: [], clientNames: [], serverNames: [],
      lastAnnouncedSize: 0, tlsTime: NaN, tlsRow: NaN, transfers: [], endpoints: [], commandRows: [],
    };
  }

  /** Feeds one direction's chunks to a parser; events come back with the delivery of their first byte. */
  private parseDirection<E>(chunks: readonly TimedStreamChunk[], parser: { feed(b: Uint8Array, m?: Delivery): E[]; gap(n: number, m?: Delivery): E[]; end(): E[] }): E[] {
    const out: E[] = [];
    for (const c of chunks) {
      const meta: Delivery = { row: c.deliveredAtRow >= 0 ? c.deliveredAtRow : c.firstPacketRow, time: c.time, firstRow: c.firstPacketRow >= 0 ? c.firstPacketRow : c.deliveredAtRow };
      if (c.gap) out.push(...parser.gap(c.length, meta));
      else out.push(...parser.feed(this.capture.payload.read(c.fileOffset, c.length), meta));
    }
    out.push(...parser.end());
    return out;
  }

  private parseControl(control: ControlConnection): void {
    const mark = (bits: number, at: { readonly meta: Delivery | undefined } | undefined): void => this.stat.set(control.flow.ind, bits, at?.meta?.row ?? NaN);
    const clientChunks = streamOf(this.capture, control.flow.ind, control.clientDir);
    // a lost client region stands for a command we cannot read: it still takes one reply, so the replies after it stay paired with their commands
    const commands = this.parseDirection<FtpCommandEvent<Delivery>>(clientChunks, new FtpCommandParser<Delivery>({ resumesLine: looksLikeCommand }))
      .flatMap((e, i, all): FtpCommandEvent<Delivery>[] => {
        if (e.kind !== 'loss') return [e];
        const placeholder = lostCommand(e, all[i - 1]?.meta);
        return [placeholder, { ...e, meta: placeholder.meta }];
      });
    const serverChunks = streamOf(this.capture, control.flow.ind, control.clientDir === 'A' ? 'B' : 'A');
    const parsedReplies = this.parseDirection<FtpReplyEvent<Delivery>>(serverChunks, new FtpReplyParser<Delivery>({ resumesLine: looksLikeReply }));
    // lost reply bytes stand for a reply of unknown code: the command waiting for it must not take the next command's reply
    const replies = parsedReplies.map((e, i): FtpReplyEvent<Delivery> => {
      if (e.kind !== 'loss') return e;
      mark(BIT.CTRL_GAP, e);
      // ordered just before the reply after it (the lost one was sent first), not where the hole was noticed
      const next = parsedReplies.slice(i + 1).find((n) => n.kind === 'reply')?.meta;
      const meta = next && e.meta ? { ...e.meta, row: e.meta.row >= 0 ? Math.min(e.meta.row, next.row) : next.row } : e.meta;
      return { kind: 'reply', code: null, lines: [], text: '', message: '', multiline: false, problem: 'gap', offset: e.offset, end: e.end, meta, lastLineMeta: meta, overflow: 0 };
    });
    // merge by delivery row: a reply delivered after a command's packet answers it or a later one
    const rowOf = (e: { meta: Delivery | undefined }): number => e.meta?.row ?? Number.MAX_SAFE_INTEGER;
    const items: (FtpCommandEvent<Delivery> | FtpReplyEvent<Delivery>)[] = [];
    let i = 0, j = 0;
    while (i < commands.length || j < replies.length) {
      if (j >= replies.length || (i < commands.length && rowOf(commands[i]!) <= rowOf(replies[j]!))) items.push(commands[i++]!);
      else items.push(replies[j++]!);
    }
    for (const item of items) {
      if (item.kind === 'command' && item.meta) control.commandRows.push(item.meta.row);
      if (item.kind === 'loss') mark(BIT.CTRL_GAP, item);
      // a line longer than the splitter keeps: its argument or text is stored cut (the only limit flowsh has)
      if ((item.kind === 'command' || item.kind === 'reply') && (item as FtpCommand<Delivery> | FtpReply<Delivery>).overflow > 0) mark(BIT.OVFL, item);
      if (item.kind === 'command' && !(item as FtpCommand<Delivery>).wellFormed && (item as FtpCommand<Delivery>).verb !== '') mark(BIT.MALFORMED, item);
      if (item.kind === 'reply' && (item as FtpReply<Delivery>).problem !== undefined && (item as FtpReply<Delivery>).problem !== 'gap') mark(BIT.MALFORMED, item);
      if (item.kind === 'reply') {
        const code = (item as FtpReply<Delivery>).code;
        if (code !== null && !control.replyCodes.includes(code)) control.replyCodes.push(code);
      }
    }
    for (const attempt of loginAttempts(items as ExchangeItem[])) {
      const decided = attempt.decidedBy === undefined ? undefined : (items[attempt.decidedBy] as FtpReply<Delivery>);
      if (attempt.outcome === 'succeeded') mark(BIT.LOGIN_OK, decided);
      if (attempt.outcome === 'failed') mark(BIT.LOGIN_FAIL, decided);
    }
    const { exchanges } = pairReplies(items as ExchangeItem[]);
    let user = '';
    let cwd: string | undefined;
    let type = '';
    let rest = 0;
    let endpoint: LearnedEndpoint | undefined;
    let prot = 'C';
    let tls = false;
    const sizes = new Map<string, number>();
    for (const exchange of exchanges) {
      const cmd = items[exchange.command] as FtpCommand<Delivery>;
      const final = exchange.final === undefined ? undefined : (items[exchange.final] as FtpReply<Delivery>);
      const code = final?.code ?? null;
      const ok = code !== null && code >= 200 && code < 300;
      const verb = cmd.verb;
      const time = cmd.meta?.time ?? NaN;
      if (verb !== '' && !control.verbs.includes(verb)) control.verbs.push(verb);
      if (cmd.arg !== '' && verb !== 'PASS') control.clientNames.push(cmd.arg);
      for (const index of exchange.preliminary) {
        const announced = parseTransferReply((items[index] as FtpReply<Delivery>).message);
        if (announced.ok && announced.value.name !== undefined) control.serverNames.push(announced.value.name);
      }
      if (final && code === 215) control.serverNames.push(final.message);
      const row: FtpRow = {
        time, controlFlow: control.flow.ind, user, command: verb === '' ? cmd.rawVerb : verb, arg: cmd.arg,
        replyCode: code ?? undefined, replyText: final ? [final.message, ...final.lines.slice(1)].join('\n') : '', dataFlow: 0, mode: '',
      };
      const lost = LOST_COMMANDS.has(cmd);
      const ftpRow = lost ? -1 : this.ftpRows.push(row) - 1;
      const announceActive = (parsed: { ok: true; value: DataEndpoint } | { ok: false; error: string }, mode: FtpMode): void => {
        if (!parsed.ok || parsed.value.address === undefined) { mark(BIT.BAD_ENDPOINT, cmd); return; }
        if (code !== null && code >= 400) return;
        const address = parsed.value.address;
        const addresses = [control.client.ip];
        if (!address.equals(control.client.ip)) { mark(BIT.NAT_CLIENT, cmd); addresses.push(address); }
        mark(BIT.APRNT, cmd);
        const row = cmd.meta?.row ?? 0;
        endpoint = { control, mode, passive: false, addresses, port: parsed.value.port, row, time, askRow: Math.min(row, cmd.meta?.firstRow ?? row) };
        control.endpoints.push(endpoint);
      };
      const announcePassive = (parsed: { ok: true; value: DataEndpoint } | { ok: false; error: string }, mode: FtpMode): void => {
        if (!parsed.ok) { mark(BIT.BAD_ENDPOINT, final); return; }
        const address = parsed.value.address;
        const addresses = [control.server.ip];
        if (address !== undefined && !address.equals(control.server.ip)) { mark(BIT.NAT_SERVER, final); addresses.push(address); }
        mark(BIT.APRNT, final);
        const row = final!.meta?.row ?? 0;
        // the client may connect before the capture shows the reply (a lost and resent 227): from the PASV on
        const askRow = Math.min(row, cmd.meta?.firstRow ?? row, cmd.meta?.row ?? row);
        endpoint = { control, mode, passive: true, addresses, port: parsed.value.port, row, time: final!.meta?.time ?? time, askRow };
        control.endpoints.push(endpoint);
      };
      // PASV, EPSV or LPSV whose reply the capture lost: the endpoint is unknown, not the previous one
      const askedUnanswered = (mode: FtpMode): void => {
        if (code !== null) { endpoint = undefined; return; }
        const row = cmd.meta?.row ?? 0;
        endpoint = { control, mode, passive: true, addresses: [control.server.ip], port: NaN, row, time, askRow: Math.min(row, cmd.meta?.firstRow ?? row) };
        control.endpoints.push(endpoint);
      };
      // the control connection is protected from here on: data connections are linked by the hosts alone
      const secured = (): void => { tls = true; mark(BIT.TLS, final); control.tlsTime = final!.meta?.time ?? time; control.tlsRow = final!.meta?.row ?? NaN; };
      switch (verb) {
        case 'USER': user = cmd.arg; control.users.push(cmd.arg); break;
        case 'PASS': control.passwords.push(cmd.arg); break;
        case 'PWD': case 'XPWD': if (final && code === 257) cwd = directoryOf257(final.message) ?? cwd; break;
        case 'MKD': case 'XMKD': break;
        case 'CWD': case 'XCWD': if (code === 250 || code === 200) cwd = resolveFtpPath(cwd, cmd.arg); break;
        // the directory is not known yet: relative to where the session started
        case 'CDUP': case 'XCUP': if (ok || code === 250) cwd = resolveFtpPath(cwd ?? '', '..'); break;
        case 'TYPE': if (ok) type = cmd.arg.trim().charAt(0).toUpperCase(); break;
        case 'REST': if (code === 350) { const n = Number(cmd.arg.trim()); rest = Number.isSafeInteger(n) && n >= 0 ? n : 0; } break;
        case 'SIZE': if (code === 213) { const s = parseSizeReply(final!.message); if (s.ok) { sizes.set(resolveFtpPath(cwd, cmd.arg), s.value); control.lastAnnouncedSize = s.value; } } break;
        case 'AUTH': if (code === 234) secured(); break;
        // RFC 2228 GSSAPI (GridFTP): the security exchange ends with 235; commands then travel in ENC/MIC, endpoints unreadable
        case 'ADAT': if (code === 235 && Number.isNaN(control.tlsRow)) secured(); break;
        case 'PROT': if (ok) prot = cmd.arg.trim().toUpperCase(); break;
        case 'CCC': if (ok) tls = false; break;
        case 'PORT': announceActive(parsePortArgument(cmd.arg), 'PORT'); break;
        case 'EPRT': mark(BIT.EXTENDED, cmd); announceActive(parseEprtArgument(cmd.arg), 'EPRT'); break;
        case 'LPRT': mark(BIT.LONG, cmd); announceActive(parseLprtArgument(cmd.arg), 'LPRT'); break;
        case 'PASV': if (code === 227) announcePassive(parsePasvReply(final!.message), 'PASV'); else askedUnanswered('PASV'); break;
        case 'EPSV': if (code === 229) { mark(BIT.EXTENDED, final); announcePassive(parseEpsvReply(final!.message), 'EPSV'); } else askedUnanswered('EPSV'); break;
        case 'LPSV': if (code === 228) { mark(BIT.LONG, final); announcePassive(parseLpsvReply(final!.message), 'LPSV'); } else askedUnanswered('LPSV'); break;
        default:
          // the command was lost from the capture, but a 227/229 says what it was
          if (lost && code === 227) announcePassive(parsePasvReply(final!.message), 'PASV');
          else if (lost && code === 229) { mark(BIT.EXTENDED, final); announcePassive(parseEpsvReply(final!.message), 'EPSV'); }
          break;
      }
      if (DATA_COMMANDS.has(verb)) {
        const prelim = exchange.preliminary.map((k) => items[k] as FtpReply<Delivery>).find((r) => r.code === 125 || r.code === 150);
        // accepted: a 125/150, a 2xx (its 1xx not captured), or a reply lost in a gap. A 4xx/5xx
        // without 1xx (550 no such file, 425, 451, ...) is refused: in the ftp table only, like Zeek's files.log
        const lost = final !== undefined && code === null && final.problem === 'gap';
        const accepted = prelim !== undefined || lost || code === 226 || code === 250;
        const refused = !accepted && code !== null && code >= 400;
        if (accepted || refused) {
          const def = lookupCommand(verb)!;
          // STOU: the server chooses the name and tells it in the 125/150 or the final reply
          const unique = verb === 'STOU' ? parseUniqueName([...(prelim?.lines ?? []), ...(final?.lines ?? [])]) : undefined;
          const path = unique ?? cmd.arg;
          // a listing without argument lists the working directory; a file without a name has no path
          const resolved = path === '' && def.data !== 'listing' ? '' : resolveFtpPath(cwd, path);
          let announcedSize: number | undefined;
          if (prelim) { const a = parseTransferReply(prelim.message); if (a.ok) announcedSize = a.value.size; }
          if (announcedSize === undefined && def.data === 'download') announcedSize = sizes.get(resolved);
          if (announcedSize !== undefined) control.lastAnnouncedSize = announcedSize;
          control.transfers.push({
            control, command: verb, path, resolvedPath: resolved, direction: def.data!, endpoint, type, restOffset: rest,
            announcedSize, finalCode: code, preliminaryTime: prelim?.meta?.time ?? NaN, afterAuth: !Number.isNaN(control.tlsRow) || tls, protP: prot === 'P', ftpRow, dataFlow: undefined, linkedBy: '', serverIsA: undefined,
            commandRow: cmd.meta?.row ?? NaN, preliminaryRow: prelim?.meta?.row ?? NaN, finalRow: final?.meta?.row ?? NaN, refused,
          });
          if (!refused) row.mode = endpoint?.mode ?? '';
        }
        rest = 0;
      }
    }
  }

  private isControlFlow(flow: TcpFlow): boolean {
    return this.controls.some((c) => c.flow === flow);
  }

  /**
   * Which side of `flow` is the listening side of `ep` (true: its A side), or undefined when the
   * flow is not a connection to that endpoint: the listening side has one of the endpoint's
   * addresses and its port, the other side the control connection's other host.
   */
  private listenerIsA(flow: TcpFlow, ep: LearnedEndpoint): boolean | undefined {
    const other = ep.passive ? ep.control.client.ip : ep.control.server.ip;
    for (const address of ep.addresses) {
      if (sameSide(flow.a, address, ep.port) && flow.b.ip.equals(other)) return true;
      if (sameSide(flow.b, address, ep.port) && flow.a.ip.equals(other)) return false;
    }
    return undefined;
  }

  /**
   * Links each transfer to its data connection. A transfer's window runs from the command that
   * asked for its endpoint (PASV, PORT, ...: the connection cannot start earlier, though the capture
   * may show it before the reply) to its final reply (or, without one, the next endpoint asked for
   * on its control connection). Transfers are served in the order their endpoints were announced,
   * each taking the earliest unused connection to its endpoint that starts in its window, so
   * sessions running at once and a port reused later each get their own. A connection to an
   * announced endpoint that no command used is listed as a transfer without command; one that
   * matches no announcement is left unlinked.
   */
  private link(): void {
    const used = new Set<number>(this.controls.map((c) => c.flow.ind));
    const candidates = [...this.flows.values()].filter((f) => !used.has(f.ind)).sort((x, y) => x.firstPacketRow - y.firstPacketRow);
    const windows: { transfer: FtpTransfer; from: number; to: number; late: number }[] = [];
    for (const control of this.controls) {
      const asks = control.endpoints.map((e) => e.askRow);
      let previous: FtpTransfer | undefined;
      for (const t of control.transfers) {
        const ep = t.endpoint;
        if (!ep) continue;
        let from = ep.askRow;
        // an endpoint used again without a new announcement: not before the previous transfer on it ended
        if (previous?.endpoint === ep) from = Math.max(from, firstKnown(previous.finalRow, previous.commandRow, from));
        const nextAsk = asks.find((r) => r > Math.max(ep.askRow, t.commandRow));
        const to = firstKnown(t.finalRow, nextAsk ?? NaN, Number.MAX_SAFE_INTEGER);
        // a late connection is not looked for past the next ask or the next command on the same endpoint
        const nextOnEndpoint = control.transfers.find((u) => u.endpoint === ep && u.commandRow > t.commandRow)?.commandRow;
        windows.push({ transfer: t, from, to, late: Math.min(nextAsk ?? Number.MAX_SAFE_INTEGER, nextOnEndpoint ?? Number.MAX_SAFE_INTEGER) });
        previous = t;
      }
    }
    windows.sort((x, y) => x.transfer.endpoint!.row - y.transfer.endpoint!.row || x.transfer.commandRow - y.transfer.commandRow);
    const take = (transfer: FtpTransfer, from: number, to: number): void => {
      const ep = transfer.endpoint!;
      for (const flow of candidates) {
        if (flow.firstPacketRow > to) break;
        if (used.has(flow.ind) || flow.firstPacketRow < from) continue;
        const listenerIsA = this.listenerIsA(flow, ep);
        if (listenerIsA === undefined) continue;
        transfer.dataFlow = flow;
        transfer.linkedBy = 'endpoint';
        transfer.serverIsA = ep.passive ? listenerIsA : !listenerIsA;
        used.add(flow.ind);
        break;
      }
    };
    for (const { transfer, from, to } of windows) take(transfer, from, to);
    // a connection to the transfer's own endpoint first captured after its final reply (a capture that
    // missed the handshake and shows the data packet after the 226, as with Windows ftp.exe in active
    // mode): still this transfer's, up to the next endpoint asked for. Only after every transfer took
    // the connection in its own window, so none is taken from a later transfer on a reused endpoint.
    for (const { transfer, from, late } of windows) if (!transfer.dataFlow && !transfer.refused) take(transfer, from, late);
    // connections to an announced endpoint that no transfer took: listed, linked to their control connection only
    for (const control of this.controls) {
      control.endpoints.forEach((ep, i) => {
        const until = control.endpoints[i + 1]?.askRow ?? Number.MAX_SAFE_INTEGER;
        for (const flow of candidates) {
          if (flow.firstPacketRow >= until) break;
          if (used.has(flow.ind) || flow.firstPacketRow < ep.askRow) continue;
          const listenerIsA = this.listenerIsA(flow, ep);
          if (listenerIsA === undefined) continue;
          used.add(flow.ind);
          control.transfers.push({
            control, command: '', path: '', resolvedPath: '', direction: 'download', endpoint: ep, type: '', restOffset: 0,
            announcedSize: undefined, finalCode: null, preliminaryTime: NaN, afterAuth: !Number.isNaN(control.tlsRow), protP: false, ftpRow: -1, dataFlow: flow, linkedBy: 'endpoint',
            serverIsA: ep.passive ? listenerIsA : !listenerIsA, commandRow: NaN, preliminaryRow: NaN, finalRow: NaN,
          });
        }
      });
    }
    this.linkByTiming(candidates, used);
    // after AUTH TLS the commands are unreadable: data connections between the same hosts are transfers, TLS or clear (PROT C)
    for (const control of this.controls) {
      if (Number.isNaN(control.tlsTime)) continue;
      const end = Math.max(numberAt(this.capture.flows.column('timeLast'), control.flow.rowA), numberAt(this.capture.flows.column('timeLast'), control.flow.rowB));
      for (const flow of candidates) {
        if (used.has(flow.ind) || flow.start < control.tlsTime || flow.start > end) continue;
        const between = (flow.a.ip.equals(control.client.ip) && flow.b.ip.equals(control.server.ip)) ||
          (flow.b.ip.equals(control.client.ip) && flow.a.ip.equals(control.server.ip));
        if (!between || this.isControlFlow(flow)) continue;
        used.add(flow.ind);
        // the side that is the control server's address sends unless we cannot tell; count both ways below
        control.transfers.push({
          control, command: '', path: '', resolvedPath: '', direction: 'download', endpoint: undefined, type: '', restOffset: 0,
          announcedSize: undefined, finalCode: null, preliminaryTime: NaN, afterAuth: true, protP: false, ftpRow: -1, dataFlow: flow, linkedBy: 'after-tls', serverIsA: undefined,
          commandRow: NaN, preliminaryRow: NaN, finalRow: NaN,
        });
      }
    }
  }

  /**
   * Transfers no endpoint was announced for (the 227/229 reply or the PASV itself lost from the
   * capture, or no PASV/PORT captured at all) and that no connection was linked to: the earliest
   * connection between the control connection's two hosts that no announcement explains, opened
   * after the command that asked (or the previous transfer's end) and before the final reply. An
   * endpoint announced for an earlier transfer is not trusted for this one (servers open a new
   * listener per PASV): a connection to it was taken above if there was one, else it is cleared.
   */
  private linkByTiming(candidates: readonly TcpFlow[], used: Set<number>): void {
    for (const control of this.controls) {
      const commanded = control.transfers.filter((t) => t.command !== '');
      const earlier = new Set<LearnedEndpoint>();
      commanded.forEach((t, i) => {
        const ep = t.endpoint;
        const stale = ep !== undefined && earlier.has(ep);
        if (ep) earlier.add(ep);
        const unannounced = ep === undefined || Number.isNaN(ep.port) || stale;
        if (t.dataFlow || !unannounced || t.refused) return;
        const previous = commanded[i - 1];
        const from = ep && !stale ? ep.askRow : firstKnown(previous?.finalRow ?? NaN, previous?.commandRow ?? NaN, control.flow.firstPacketRow);
        const to = firstKnown(t.finalRow, commanded[i + 1]?.commandRow ?? NaN, Number.MAX_SAFE_INTEGER);
        const servers = ep && !stale ? ep.addresses : [control.server.ip];
        for (const flow of candidates) {
          if (flow.firstPacketRow > to) break;
          if (used.has(flow.ind) || flow.firstPacketRow < from || this.isControlFlow(flow)) continue;
          const isServer = (x: Side): boolean => servers.some((ip) => ip.equals(x.ip));
          const aServes = isServer(flow.a) && flow.b.ip.equals(control.client.ip);
          const bServes = isServer(flow.b) && flow.a.ip.equals(control.client.ip);
          if (!aServes && !bServes) continue;
          used.add(flow.ind);
          t.dataFlow = flow;
          t.linkedBy = 'timing';
          // both sides on one host: the side that opened (A) is the client, as in passive mode
          t.serverIsA = aServes && !bServes;
          if (stale) {
            t.endpoint = undefined;
            if (t.ftpRow >= 0) this.ftpRows[t.ftpRow]!.mode = '';
          }
          break;
        }
      });
    }
  }

  /** Measures a transfer's data stream and decides its verdict. */
  private measure(t: FtpTransfer): FtpRow {
    const control = t.control;
    const row: FtpRow = {
      dataFlow: t.dataFlow?.ind ?? 0, controlFlow: control.flow.ind, command: t.command, path: t.path, resolvedPath: t.resolvedPath,
      direction: t.direction, mode: t.endpoint?.mode ?? '', linkedBy: t.linkedBy, senderDir: '', type: t.type, restOffset: t.restOffset, announcedSize: t.announcedSize,
      bytes: 0, missingBytes: 0, complete: false, verdict: 'no-data-connection', sha256: '', carvedAs: '',
    };
    const flow = t.dataFlow;
    if (!flow) {
      // known once the transfer is over without one: at its final reply (or the last thing seen of it)
      this.stat.set(control.flow.ind, BIT.NDFLW | BIT.XFER_INCOMPLETE, firstKnown(t.finalRow, t.preliminaryRow, t.commandRow));
      return row;
    }
    if (t.ftpRow >= 0) this.ftpRows[t.ftpRow]!.dataFlow = flow.ind;
    // the sender: the server side for downloads and listings, the client side for uploads
    const serverIsA = t.serverIsA ?? flow.a.ip.equals(control.server.ip);
    let senderIsA = t.direction === 'upload' ? !serverIsA : serverIsA;
    const facts = this.facts, kA = 2 * (flow.ind - 1), kB = kA + 1;
    // after AUTH the wire decides: a data stream that starts with a TLS record is encrypted, clear text
    // (PROT C, or no PROT) is carved; only an empty connection falls back on the PROT P seen in clear
    const hasPayload = facts.firstPayloadRow[kA]! >= 0 || facts.firstPayloadRow[kB]! >= 0;
    const encrypted = t.afterAuth && (hasPayload ? this.startsWithTls(flow) : t.protP);
    if (t.command === '') {
      // no command used the connection (or it was sent inside TLS): the side that sent more
      const sb = this.capture.flows.column('tcpStreamBytes');
      senderIsA = flow.rowB < 0 || numberAt(sb, flow.rowA) >= numberAt(sb, flow.rowB);
      // clear bytes show who sent the file; TLS records flow both ways, so the larger side is a guess, not said
      row.direction = encrypted ? 'unknown' : senderIsA === serverIsA ? 'download' : 'upload';
    }
    const dir = senderIsA ? 'A' : 'B';
    row.senderDir = row.direction === 'unknown' ? '' : dir;
    const hash = createHash('sha256');
    let bytes = 0, missing = 0, firstGapRow = NaN, overrunRow = NaN;
    const sizeKnown = t.announcedSize !== undefined && t.type !== 'A';
    for (const c of streamOf(this.capture, flow.ind, dir)) {
      if (sizeKnown && Number.isNaN(overrunRow) && c.streamOffset + c.length > t.announcedSize!) overrunRow = c.gap ? c.deliveredAtRow : c.firstPacketRow;
      if (c.gap) { missing += c.length; if (Number.isNaN(firstGapRow)) firstGapRow = c.deliveredAtRow; continue; }
      bytes += c.length;
      hash.update(this.capture.payload.read(c.fileOffset, c.length));
    }
    row.bytes = bytes;
    row.missingBytes = missing;
    row.sha256 = hash.digest('hex');
    const sender = senderIsA ? kA : kB, receiver = senderIsA ? kB : kA;
    const { verdict, decidedAt } = decideVerdict({
      encrypted, finalCode: t.finalCode, finalRow: t.finalRow,
      senderFinRow: facts.finRow[sender]!, rstRow: minRow(facts.rstRow[kA]!, facts.rstRow[kB]!), cutRow: facts.cutRow[sender]!,
      sawSyn: (facts.flags[sender]! & SYN) !== 0, bytes, missing, firstGapRow, announcedSize: t.announcedSize, ascii: t.type === 'A',
      restOffset: t.restOffset, firstRow: flow.firstPacketRow, lastRow: Math.max(facts.lastRow[kA]!, facts.lastRow[kB]!),
      receiverFinRow: facts.finRow[receiver]!, hangupRow: this.hangupBeforeFinal(t), download: t.direction !== 'upload',
    });
    row.verdict = verdict;
    row.complete = verdict === 'complete';
    // linked once both the data connection and its announcement are seen
    const linkedAt = Math.max(flow.firstPacketRow, t.endpoint?.row ?? control.tlsRow);
    const at = (r: number): number => (Number.isFinite(r) && r >= 0 ? Math.max(r, linkedAt) : linkedAt);
    const mode = t.endpoint?.mode;
    const modeBit = mode === undefined ? 0 : mode === 'PASV' || mode === 'EPSV' || mode === 'LPSV' ? BIT.PASSIVE : BIT.ACTIVE;
    this.stat.set(flow.ind, BIT.PPRNT | modeBit, linkedAt);
    this.stat.set(control.flow.ind, modeBit, linkedAt);
    if (sizeKnown && bytes + missing > t.announcedSize!) this.stat.set(flow.ind, BIT.PPWF, at(firstKnown(overrunRow, facts.finRow[sender]!)));
    if (!Number.isNaN(t.preliminaryTime) && flow.start < t.preliminaryTime) this.stat.set(flow.ind, BIT.DATA_FIRST, at(t.preliminaryRow));
    if (verdict !== 'complete' && verdict !== 'encrypted') {
      this.stat.set(flow.ind, BIT.XFER_INCOMPLETE, at(decidedAt));
      this.stat.set(control.flow.ind, BIT.XFER_INCOMPLETE, at(decidedAt));
    }
    return row;
  }

  /**
   * The row where the control connection was closed (the first FIN or RST of either side) while
   * the transfer still waited for its final reply: before that reply, or without one and without
   * any later command (a QUIT sent after it means the session was ended on purpose, the reply only
   * lost from the capture). -1 when the session outlived the transfer. A killed client closes its
   * sockets at once, so this is what marks an upload cut short: its data FIN looks like a normal end.
   */
  private hangupBeforeFinal(t: FtpTransfer): number {
    // a connection no command used (or seen only after AUTH TLS) waits for no reply we know of
    if (!Number.isFinite(t.commandRow)) return -1;
    const k = 2 * (t.control.flow.ind - 1), f = this.facts;
    const closed = minRow(minRow(f.finRow[k]!, f.finRow[k + 1]!), minRow(f.rstRow[k]!, f.rstRow[k + 1]!));
    if (closed < 0) return -1;
    if (Number.isFinite(t.finalRow)) return closed < t.finalRow ? closed : -1;
    const laterCommand = t.control.commandRows.some((r) => r > t.commandRow && r <= closed);
    return laterCommand || closed < t.commandRow ? -1 : closed;
  }

  /** whether the transfer's data connection carried payload either way (bytes after a refusal are still listed) */
  private carriedBytes(t: FtpTransfer): boolean {
    if (!t.dataFlow) return false;
    const k = 2 * (t.dataFlow.ind - 1);
    return this.facts.firstPayloadRow[k]! >= 0 || this.facts.firstPayloadRow[k + 1]! >= 0;
  }

  /** data flowInd -> its control flowInd, file name, announced size */
  private readonly dataFlows = new Map<number, { control: number; name: string; size: number }>();

  private files(): FtpRow[] {
    const rows: FtpRow[] = [];
    for (const control of this.controls) {
      for (const t of control.transfers) {
        if (t.refused && !this.carriedBytes(t)) {
          // an empty connection opened for a refused command: explained in the ftp table, not a file
          if (t.dataFlow) { this.ftpRows[t.ftpRow]!.dataFlow = t.dataFlow.ind; this.ftpRows[t.ftpRow]!.mode = t.endpoint?.mode ?? ''; }
          continue;
        }
        rows.push(this.measure(t));
      }
    }
    for (const control of this.controls) {
      for (const t of control.transfers) {
        if (!t.dataFlow) continue;
        let d = this.dataFlows.get(t.dataFlow.ind);
        if (!d) { d = { control: 0, name: '', size: 0 }; this.dataFlows.set(t.dataFlow.ind, d); }
        d.control = control.flow.ind;
        if (t.direction !== 'listing' && t.path !== '') d.name = t.path;
        d.size = t.announcedSize ?? 0;
      }
    }
    return rows;
  }

  private columns(): { flowColumns: Column[]; packetColumns: Column[] } {
    // typed arrays for the numbers; the lists only on the FTP flows (null on the others)
    const n = this.capture.flows.rowCount;
    const stat = new Uint32Array(n), cbf = new BigUint64Array(n), plen = new Float64Array(n);
    const numUser = new Uint32Array(n), numPass = new Uint32Array(n), numCp = new Uint32Array(n);
    const cdf = new SparseLists(n), cc = new SparseLists(n), rc = new SparseLists(n);
    const users = new SparseLists(n), passes = new SparseLists(n), cp = new SparseLists(n);
    for (const control of this.controls) {
      const { rowA, rowB } = control.flow;
      const clientRow = control.clientDir === 'A' ? rowA : rowB, serverRow = control.clientDir === 'A' ? rowB : rowA;
      const links = control.transfers.flatMap((t) => (t.dataFlow ? [t.dataFlow.ind] : []));
      for (const r of [rowA, rowB]) {
        if (r < 0) continue;
        stat[r] = this.stat.value(control.flow.ind);
        cdf.set(r, links);
        plen[r] = control.lastAnnouncedSize;
      }
      if (clientRow >= 0) {
        cbf[clientRow] = commandBitfield(control.verbs);
        cc.set(clientRow, control.verbs);
        numUser[clientRow] = control.users.length; users.set(clientRow, control.users);
        numPass[clientRow] = control.passwords.length; passes.set(clientRow, control.passwords);
        numCp[clientRow] = control.clientNames.length; cp.set(clientRow, control.clientNames);
      }
      if (serverRow >= 0) {
        rc.set(serverRow, control.replyCodes);
        numCp[serverRow] = control.serverNames.length; cp.set(serverRow, control.serverNames);
      }
    }
    for (const [ind, d] of this.dataFlows) {
      const flow = this.flows.get(ind)!;
      for (const r of [flow.rowA, flow.rowB]) {
        if (r < 0) continue;
        stat[r] = this.stat.value(ind);
        cdf.set(r, [d.control]);
        plen[r] = d.size;
        if (d.name !== '') { cp.set(r, [d.name]); numCp[r] = 1; }
      }
    }
    const [statDef, cdfDef, cbfDef, ccDef, rcDef, numUserDef, userDef, numPassDef, passDef, numCpDef, cpDef, plenDef] = FTP_COLUMNS;
    const flowColumns: Column[] = [
      new NumberColumn(statDef!, stat), cdf.column(cdfDef!), new BigFlagColumn(cbfDef!, cbf), cc.column(ccDef!), rc.column(rcDef!),
      new NumberColumn(numUserDef!, numUser), users.column(userDef!), new NumberColumn(numPassDef!, numPass), passes.column(passDef!),
      new NumberColumn(numCpDef!, numCp), cp.column(cpDef!), new NumberColumn(plenDef!, plen),
    ];
    // per packet: its flow's ftpStat after that packet (bits set by later packets not yet)
    const p = this.capture.packets;
    const ind = p.column('flowInd');
    const indN = ind?.numbers;
    const packetStat = this.stat.perPacket(indN ?? ((r) => numberAt(ind, r)), p.rowCount);
    // counted by what the flow turned out to be, as Tranalyzer counts at flow output
    let controlPackets = 0, dataPackets = 0;
    for (const flow of this.flows.values()) {
      if (!this.stat.has(flow.ind)) continue;
      const s = this.stat.value(flow.ind);
      const count = this.facts.packets[2 * (flow.ind - 1)]! + this.facts.packets[2 * (flow.ind - 1) + 1]!;
      if (s & BIT.INIT) controlPackets += count;
      else if (s & BIT.PPRNT) dataPackets += count;
    }
    this.packetCounts = { controlPackets, dataPackets };
    return { flowColumns, packetColumns: [new NumberColumn(FTP_PACKET_STAT, packetStat)] };
  }

  private packetCounts = { controlPackets: 0, dataPackets: 0 };

  private reportLines(): ReportLine[] {
    if (this.controls.length === 0) return [];
    const transfers = this.controls.reduce((n, c) => n + c.transfers.filter((t) => !t.refused || this.carriedBytes(t)).length, 0);
    return [
      { label: 'FTP control packets', value: this.packetCounts.controlPackets },
      { label: 'FTP data packets', value: this.packetCounts.dataPackets },
      { label: 'FTP transfers', value: transfers },
    ];
  }
}

/** A list column with values on few rows: null on the others. */
class SparseLists {
  private readonly index: Int32Array;
  private readonly values: Value[] = [];
  constructor(rows: number) {
    this.index = new Int32Array(rows).fill(-1);
  }
  set(row: number, value: Value): void {
    if (this.index[row]! < 0) this.index[row] = this.values.push(value) - 1;
    else this.values[this.index[row]!] = value;
  }
  column(def: ColumnDef): Column {
    return new MappedColumn(def, memoryColumn(def, this.values), this.index);
  }
}

/** placeholder commands standing for lost client bytes */
const LOST_COMMANDS = new WeakSet<object>();

/**
 * A command for lost client bytes. It is ordered right after the command before it (the lost bytes
 * were sent after that one, and replies come in order), not at the packet that ended the gap, which
 * may arrive after the replies to the lost command.
 */
function lostCommand(loss: FtpLoss<Delivery>, previous: Delivery | undefined): FtpCommand<Delivery> {
  const meta = previous && loss.meta ? { ...loss.meta, row: Math.min(previous.row, loss.meta.row) } : loss.meta;
  const cmd: FtpCommand<Delivery> = {
    kind: 'command', verb: '', rawVerb: '', arg: '', argBytes: new Uint8Array(0), hasArg: false, def: undefined, wellFormed: false,
    offset: loss.offset, end: loss.end, meta, terminator: 'none', telnet: [], overflow: 0,
  };
  LOST_COMMANDS.add(cmd);
  return cmd;
}

/** The first of `rows` that is a packet row (NaN when none is). */
function firstKnown(...rows: number[]): number {
  for (const r of rows) if (Number.isFinite(r) && r >= 0) return r;
  return NaN;
}

/** The smaller of two rows where -1 means none (-1 when both are). */
function minRow(x: number, y: number): number {
  return x < 0 ? y : y < 0 ? x : Math.min(x, y);
}
