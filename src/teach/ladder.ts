/**
 * `ladder flow N` and `ladder flows where EXPR`: a sequence diagram of packets in the terminal.
 * One column per endpoint (address and port), grouped by host; one arrow per packet, time on the
 * left, the packet's flags, relative seq/ack, length and an escaped payload summary beside it.
 * An FTP control flow is drawn with its data connections, so the PORT or 227 that announces an
 * endpoint and the connection to it appear together. Lines never exceed the width.
 */
import type { LoadedCapture } from '../store/load.ts';
import { tcpFlagsText } from '../output/tcpdump.ts';
import { ftpStatBit } from '../analyzers/ftp/schema.ts';
import { parseEprtArgument, parseEpsvReply, parsePasvReply, parsePortArgument } from '../analyzers/ftp/endpoints.ts';
import { numberOf, storeView, endpointText, type StoreView } from './storeView.ts';
import { safeLine } from './text.ts';

const FTP_INIT = ftpStatBit('FTP_INIT'), FTP_PPRNT = ftpStatBit('FTP_PPRNT');
const SUMMARY_CHARS = 28;
const TIME_WIDTH = 11;
const NO_WIDTH = 6;
/** narrowest lane spacing before lanes fall back to one per host */
const MIN_LANE = 7;
/** room the labels right of the lanes need at least */
const MIN_LABEL = 30;

export interface LadderLane {
  readonly host: string;
  /** "52875", or "" for a host lane (no ports) */
  readonly port: string;
  readonly key: string;
}

export interface LadderArrow {
  readonly pktNo: number;
  readonly time: number;
  readonly from: number;
  readonly to: number;
  /** flags, seq/ack, length */
  readonly label: string;
  /** what flowsh knows this packet did (announced an endpoint, opened a flow) */
  readonly note?: string;
  /** the start of the payload, escaped and quoted */
  readonly summary?: string;
}

export interface Ladder {
  readonly title: string;
  readonly flows: readonly number[];
  readonly lanes: readonly LadderLane[];
  readonly arrows: readonly LadderArrow[];
  /** true when there were too many endpoints for the width and each host got one lane */
  readonly perHost: boolean;
}

/** the flows drawn for `ladder flow N`: an FTP control flow with its data flows, a data flow with its control flow */
export function ladderFlowsOf(capture: LoadedCapture, flowInd: number): number[] {
  const view = storeView(capture);
  const { a, b } = view.flowRows(flowInd);
  const row = a >= 0 ? a : b;
  const stat = view.flowNum('ftpStat', a) | view.flowNum('ftpStat', b);
  const linked = view.flow('ftpCDFindex', row);
  const links = Array.isArray(linked) ? linked.map(numberOf).filter((n) => view.hasFlow(n)) : [];
  if (stat & FTP_INIT) return [flowInd, ...links];
  if (stat & FTP_PPRNT) return [...links, flowInd];
  return [flowInd];
}

function payloadSummary(view: StoreView, row: number): string {
  const text = view.packetText('l7Content', row);
  if (text === '') return '';
  return text.length > SUMMARY_CHARS ? `"${text.slice(0, SUMMARY_CHARS)}…"` : `"${text}"`;
}

/** the data endpoint a control line announces, e.g. "⇒ 192.0.2.180:43297" */
function announcement(view: StoreView, row: number): string | undefined {
  const line = String(view.packet('l7Content', row) ?? '');
  const m = /^(PORT|EPRT) (.*?)\r?\n?$/i.exec(line) ?? /^(227|229)[ -](.*?)\r?\n?$/.exec(line);
  if (!m) return undefined;
  const kind = m[1]!.toUpperCase();
  const parsed = kind === 'PORT' ? parsePortArgument(m[2]!) : kind === 'EPRT' ? parseEprtArgument(m[2]!) : kind === '227' ? parsePasvReply(m[2]!) : parseEpsvReply(m[2]!);
  if (!parsed.ok) return undefined;
  const address = parsed.value.address?.toString() ?? view.packetText('srcIP', row);
  return `⇒ listens at ${endpointText(address, parsed.value.port)}`;
}

function packetLabel(view: StoreView, row: number): string {
  const proto = view.packetNum('l4Proto', row);
  const len = view.packetNum('l7Len', row);
  if (proto === 6) {
    const flags = view.packetNum('tcpFlags', row) & 0xff;
    const seq = view.packetNum('relSeq', row), ack = view.packetNum('relAck', row);
    const parts = [`[${tcpFlagsText(flags)}]`];
    if (len > 0 || flags & 0x07) parts.push(`seq ${seq}`);
    if (flags & 0x10) parts.push(`ack ${ack}`);
    parts.push(`len ${len}`);
    return parts.join(' ');
  }
  const name = proto === 17 ? 'UDP' : proto === 1 ? 'ICMP' : proto === 58 ? 'ICMPv6' : proto > 0 ? `proto ${proto}` : view.packetText('hdrDesc', row).split(':').pop()?.toUpperCase() ?? '';
  return [name, `len ${len}`].filter(Boolean).join(' ');
}

/** The ladder of some flows: lanes and arrows, before layout. */
export function buildLadder(capture: LoadedCapture, flows: readonly number[], width: number): Ladder {
  const view = storeView(capture);
  const wanted = [...new Set(flows)].filter((f) => view.hasFlow(f));
  const rows = wanted.flatMap((f) => Array.from(view.packetRows(f))).sort((x, y) => x - y);
  // endpoints in order of appearance, grouped by host (first host seen first)
  const hostOrder: string[] = [];
  const portsOf = new Map<string, string[]>();
  const sideOf = (row: number, side: 'src' | 'dst'): { host: string; port: string } => {
    const ip = view.packetText(side === 'src' ? 'srcIP' : 'dstIP', row);
    const port = view.packetNum(side === 'src' ? 'srcPort' : 'dstPort', row);
    if (ip !== '') return { host: ip, port: port > 0 ? String(port) : '' };
    const mac = view.packetText(side === 'src' ? 'srcMac' : 'dstMac', row);
    return { host: mac || '?', port: '' };
  };
  const note = (host: string, port: string): void => {
    if (!portsOf.has(host)) { portsOf.set(host, []); hostOrder.push(host); }
    const ports = portsOf.get(host)!;
    if (!ports.includes(port)) ports.push(port);
  };
  for (const r of rows) {
    const s = sideOf(r, 'src'), d = sideOf(r, 'dst');
    note(s.host, s.port);
    note(d.host, d.port);
  }
  const endpointCount = hostOrder.reduce((n, h) => n + portsOf.get(h)!.length, 0);
  const lanesRoom = width - TIME_WIDTH - NO_WIDTH - MIN_LABEL;
  const perHost = endpointCount > 2 && endpointCount * MIN_LANE > lanesRoom;
  const lanes: LadderLane[] = perHost
    ? hostOrder.map((h) => ({ host: h, port: '', key: h }))
    : hostOrder.flatMap((h) => portsOf.get(h)!.map((p) => ({ host: h, port: p, key: `${h}|${p}` })));
  const laneOf = new Map(lanes.map((l, i) => [l.key, i]));
  const laneIndex = (side: { host: string; port: string }): number => laneOf.get(perHost ? side.host : `${side.host}|${side.port}`)!;

  // which packet opened which data flow, for a note on its SYN
  const firstRow = new Map<number, number>();
  for (const f of wanted) { const pr = view.packetRows(f); if (pr.length) firstRow.set(f, pr[0]!); }
  const time = view.packetColumn('time');
  const t0 = rows.length ? numberOf(time?.get(rows[0]!)) : 0;
  const arrows: LadderArrow[] = rows.map((r) => {
    const s = sideOf(r, 'src'), d = sideOf(r, 'dst');
    const flowInd = view.packetNum('flowInd', r);
    let label = packetLabel(view, r);
    if (perHost) label = `${s.port || '-'} > ${d.port || '-'} ${label}`;
    let note: string | undefined;
    const stat = view.packetNum('ftpStat', r);
    if (stat & FTP_INIT) note = announcement(view, r);
    if (firstRow.get(flowInd) === r && wanted.length > 1) {
      const fstat = view.flowNum('ftpStat', view.flowRows(flowInd).a) | view.flowNum('ftpStat', view.flowRows(flowInd).b);
      note = `opens ${fstat & FTP_PPRNT ? 'data ' : fstat & FTP_INIT ? 'control ' : ''}flow ${flowInd}`;
    }
    const summary = payloadSummary(view, r);
    return { pktNo: r + 1, time: numberOf(time?.get(r)) - t0, from: laneIndex(s), to: laneIndex(d), label, ...(note ? { note } : {}), ...(summary ? { summary } : {}) };
  });
  const title = wanted.length === 1 ? `flow ${wanted[0]}` : `flows ${wanted.join(', ')}`;
  return { title, flows: wanted, lanes, arrows, perHost };
}

function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
}

/** Lays a ladder out in `width` columns. */
export function ladderText(ladder: Ladder, width: number, startTime?: string): string {
  const out: string[] = [];
  const n = ladder.lanes.length;
  out.push(truncate(`Ladder of ${ladder.title}: ${ladder.arrows.length} packets${startTime ? `, time from ${startTime}` : ''}` +
    `${ladder.perHost ? ' (one column per host: too many endpoints for the width, ports in the labels)' : ''}`, width));
  if (n === 0) return out.join('\n') + '\n';
  const left = TIME_WIDTH + NO_WIDTH;
  // two lanes: the whole width between them, labels on the arrows; more: narrow lanes, labels to the right
  const inside = n <= 2;
  // labels get most of the room: at least MIN_LABEL, and more than half of a wide terminal
  const labelRoom = Math.max(MIN_LABEL, Math.floor(width * 0.55));
  const laneRoom = inside ? Math.max(20, width - left - 2) : Math.max(MIN_LANE * (n - 1), Math.min(14 * (n - 1), width - left - labelRoom - 3));
  const spacing = n === 1 ? 0 : Math.floor(laneRoom / (n - 1));
  const x = ladder.lanes.map((_, i) => left + 1 + i * spacing);
  const labelStart = inside ? 0 : x[n - 1]! + 3;

  // header: hosts over their lanes, then ports
  const hostLine = Array.from({ length: width }, () => ' ');
  const portLine = Array.from({ length: width }, () => ' ');
  const put = (line: string[], at: number, text: string, max: number): void => {
    const t = truncate(text, max);
    for (let i = 0; i < t.length && at + i < width; i++) line[at + i] = t[i]!;
  };
  for (let i = 0; i < n; i++) {
    const lane = ladder.lanes[i]!;
    const next = i + 1 < n ? x[i + 1]! - x[i]! - 1 : width - x[i]!;
    const firstOfHost = i === 0 || ladder.lanes[i - 1]!.host !== lane.host;
    if (firstOfHost) {
      let end = i;
      while (end + 1 < n && ladder.lanes[end + 1]!.host === lane.host) end++;
      const room = (end + 1 < n ? x[end + 1]! - 1 : width) - x[i]!;
      put(hostLine, x[i]!, lane.host, inside && i === n - 1 ? width - x[i]! : Math.max(room, next));
    }
    put(portLine, x[i]!, lane.port ? `:${lane.port}` : '', next);
  }
  if (inside && n === 2) {
    // right-align the second endpoint's header under its lane's end
    const host = ladder.lanes[1]!.host, port = ladder.lanes[1]!.port ? `:${ladder.lanes[1]!.port}` : '';
    for (const [line, text] of [[hostLine, host], [portLine, port]] as const) {
      for (let i = x[1]!; i < width; i++) line[i] = ' ';
      const t = truncate(text, width - left - 2);
      const at = Math.max(x[0]! + 1, Math.min(x[1]!, width - t.length));
      for (let i = 0; i < t.length; i++) line[at + i] = t[i]!;
    }
  }
  put(portLine, 0, 'time (s)'.padStart(TIME_WIDTH - 1), TIME_WIDTH);
  put(portLine, TIME_WIDTH, 'pkt'.padStart(NO_WIDTH - 1), NO_WIDTH);
  out.push(hostLine.join('').trimEnd(), portLine.join('').trimEnd());

  for (const a of ladder.arrows) {
    const line = Array.from({ length: width }, () => ' ');
    put(line, 0, a.time.toFixed(6).padStart(TIME_WIDTH - 1), TIME_WIDTH);
    put(line, TIME_WIDTH, String(a.pktNo).padStart(NO_WIDTH - 1), NO_WIDTH);
    for (const xi of x) if (xi < width) line[xi] = '│';
    const from = x[a.from]!, to = x[a.to]!;
    const text = [a.label, a.note, a.summary].filter(Boolean).join(' ');
    if (from === to) {
      // a packet between two ports of one host lane, or to itself
      if (from + 1 < width) line[from + 1] = '↺';
    } else {
      const lo = Math.min(from, to), hi = Math.max(from, to);
      for (let i = lo + 1; i < hi && i < width; i++) line[i] = '─';
      if (to > from) { if (hi - 1 < width) line[hi - 1] = '▶'; } else line[lo + 1] = '◀';
      if (inside) {
        const room = hi - lo - 5;
        const t = truncate(text, room);
        if (t.length > 0) {
          const at = lo + 2 + Math.floor((hi - lo - 3 - t.length) / 2);
          line[at - 1] = ' ';
          for (let i = 0; i < t.length; i++) line[at + i] = t[i]!;
          line[at + t.length] = ' ';
        }
      }
    }
    if (!inside) put(line, labelStart, text, width - labelStart);
    out.push(line.join('').trimEnd());
  }
  return out.map(safeLine).join('\n') + '\n';
}
