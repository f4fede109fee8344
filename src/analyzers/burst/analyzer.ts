/**
 * The burst analyzer (post-load, after FTP): groups TCP connection attempts by opening host and
 * peer, chains those that start within BURST_MAX_GAP of each other, and calls a chain that
 * reaches BURST_MIN_PORTS different destination ports a burst. Each burst is then judged by the
 * FTP links: all FTP (data connections of a control channel, or the control channel itself), a
 * port scan (no FTP data connection), or mixed. One pass over the packets finds each flow's first
 * packet and the flags each direction sent; everything else is per flow.
 */
import type { PostLoadAnalyzer, PostLoadContext, ReportLine } from '../analyzer.ts';
import type { Column, Table } from '../../store/table.ts';
import type { LoadedCapture } from '../../store/load.ts';
import type { Value } from '../../store/value.ts';
import { NumberColumn, numberAt } from '../../store/columns.ts';
import { MemoryTable } from '../../store/memoryTable.ts';
import { ftpStatBit } from '../ftp/schema.ts';
import { BURST_FLOW_COLUMNS, BURST_MAX_GAP, BURST_MIN_PORTS, BURSTS_TABLE, BurstBit } from './schema.ts';

const TCP = 6;
const SYN = 0x02, RST = 0x04, ACK = 0x10;
const DIR_B = 66;
const FTP_INIT = ftpStatBit('FTP_INIT'), FTP_PPRNT = ftpStatBit('FTP_PPRNT');

/** One connection attempt: a TCP flow whose first packet carries neither ACK nor RST. */
interface Attempt {
  readonly ind: number;
  readonly time: number;
  readonly port: number;
  readonly answer: 'accepted' | 'refused' | 'unanswered' | 'other';
  /** the control flowInd of an FTP data connection, 0 otherwise */
  readonly control: number;
  readonly ftpControl: boolean;
}

export interface Burst {
  readonly id: number;
  readonly host: Value | undefined;
  readonly peer: Value | undefined;
  readonly members: readonly Attempt[];
  readonly ports: number;
  readonly lowPort: number;
  readonly highPort: number;
  readonly consecutive: boolean;
  readonly verdict: 'ftp' | 'scan' | 'mixed';
}

export class BurstAnalyzer implements PostLoadAnalyzer {
  readonly name = 'burst';
  readonly flowColumns = BURST_FLOW_COLUMNS;
  readonly packetColumns = [];
  readonly tables = [BURSTS_TABLE];

  build({ capture }: PostLoadContext): { flowColumns: Column[]; packetColumns: Column[]; tables: Table[]; report?: ReportLine[] } {
    const bursts = findBursts(capture);
    const n = capture.flows.rowCount;
    const id = new Uint32Array(n), size = new Uint32Array(n), stat = new Uint16Array(n);
    const rows = flowRowsByInd(capture);
    for (const burst of bursts) {
      const common = BurstBit.Member | (burst.consecutive ? BurstBit.Consecutive : 0)
        | (burst.verdict === 'ftp' ? BurstBit.VerdictFtp : burst.verdict === 'scan' ? BurstBit.VerdictScan : BurstBit.VerdictMixed);
      for (const m of burst.members) {
        const own = (m.control ? BurstBit.FtpData : 0) | (m.ftpControl ? BurstBit.FtpControl : 0)
          | (m.answer === 'refused' ? BurstBit.Refused : m.answer === 'unanswered' ? BurstBit.Unanswered : 0);
        for (const r of [rows.a[m.ind]!, rows.b[m.ind]!]) {
          if (r < 0) continue;
          id[r] = burst.id; size[r] = burst.members.length; stat[r] = common | own;
        }
      }
    }
    const [idDef, sizeDef, statDef] = BURST_FLOW_COLUMNS;
    const scans = bursts.filter((b) => b.verdict !== 'ftp').length;
    const report: ReportLine[] = bursts.length === 0 ? [] : [
      { label: 'burst: Bursts of connections to many ports of one peer', value: bursts.length },
      ...(scans ? [{ label: 'burst: of them port scans or mixed (not explained by FTP)', value: scans }] : []),
    ];
    return {
      flowColumns: [new NumberColumn(idDef!, id), new NumberColumn(sizeDef!, size), new NumberColumn(statDef!, stat)],
      packetColumns: [],
      tables: [MemoryTable.fromRows(BURSTS_TABLE, bursts.map(burstRow))],
      report,
    };
  }
}

function burstRow(b: Burst): Record<string, Value | undefined> {
  const first = b.members[0]!, last = b.members[b.members.length - 1]!;
  const count = (a: Attempt['answer']): number => b.members.filter((m) => m.answer === a).length;
  const controls = [...new Set(b.members.filter((m) => m.control).map((m) => m.control))].sort((x, y) => x - y);
  return {
    burstId: b.id, start: first.time, span: last.time - first.time, host: b.host, peer: b.peer,
    connections: b.members.length, ports: b.ports, lowPort: b.lowPort, highPort: b.highPort, consecutive: b.consecutive,
    accepted: count('accepted'), refused: count('refused'), unanswered: count('unanswered'),
    ftpData: b.members.filter((m) => m.control).length, ftpControl: b.members.filter((m) => m.ftpControl).length,
    controlFlows: controls, verdict: b.verdict, flows: b.members.map((m) => m.ind),
  };
}

/** flowInd -> flows-table row of its A and B direction (-1 when absent) */
function flowRowsByInd(capture: LoadedCapture): { a: Int32Array; b: Int32Array; max: number } {
  const flows = capture.flows;
  const ind = flows.column('flowInd'), dir = flows.column('dir');
  let max = 0;
  for (let r = 0; r < flows.rowCount; r++) max = Math.max(max, numberAt(ind, r));
  const a = new Int32Array(max + 1).fill(-1), b = new Int32Array(max + 1).fill(-1);
  for (let r = 0; r < flows.rowCount; r++) (dir?.get(r) === 'B' ? b : a)[numberAt(ind, r)] = r;
  return { a, b, max };
}

/** All bursts of a loaded capture (its flows table must have the FTP columns), numbered by start. */
export function findBursts(capture: LoadedCapture): Burst[] {
  const rows = flowRowsByInd(capture);
  const max = rows.max;
  // one pass over the packets: each flow's first packet, and the TCP flags each direction sent
  const p = capture.packets;
  const pInd = p.column('flowInd'), pDir = p.column('dir'), pFlags = p.column('tcpFlags'), pTime = p.column('time');
  const firstRow = new Float64Array(max + 1).fill(-1);
  const sent = new Uint8Array(2 * (max + 1));
  const dirCodes = pDir && 'codes' in pDir ? (pDir as unknown as { codes: ArrayLike<number> }).codes : undefined;
  for (let r = 0; r < p.rowCount; r++) {
    const f = numberAt(pInd, r);
    if (!(f > 0)) continue;
    if (firstRow[f]! < 0) firstRow[f] = r;
    const isB = dirCodes ? dirCodes[r] === DIR_B : pDir?.get(r) === 'B';
    sent[2 * f + (isB ? 1 : 0)]! |= numberAt(pFlags, r) & 0xff;
  }
  const time = (r: number): number => numberAt(pTime, r);
  const flows = capture.flows;
  const proto = flows.column('l4Proto'), srcIP = flows.column('srcIP'), dstIP = flows.column('dstIP'), dstPort = flows.column('dstPort');
  const ftpStat = flows.column('ftpStat'), links = flows.column('ftpCDFindex');
  const groups = new Map<string, { host: Value | undefined; peer: Value | undefined; attempts: Attempt[] }>();
  for (let f = 1; f <= max; f++) {
    const first = firstRow[f]!;
    if (first < 0) continue;
    const openerB = dirCodes ? dirCodes[first] === DIR_B : pDir?.get(first) === 'B';
    const opener = openerB ? rows.b[f]! : rows.a[f]!;
    if (opener < 0 || numberAt(proto, opener) !== TCP) continue;
    const flags = numberAt(pFlags, first) & 0xff;
    if (flags & (ACK | RST)) continue;
    const back = sent[2 * f + (openerB ? 0 : 1)]!;
    const answer = (back & (SYN | ACK)) === (SYN | ACK) ? 'accepted' : back & RST ? 'refused' : (rows.a[f]! < 0 || rows.b[f]! < 0) ? 'unanswered' : 'other';
    const stat = numberAt(ftpStat, opener) || 0;
    const linked = links?.get(opener);
    const control = stat & FTP_PPRNT && Array.isArray(linked) && linked.length ? Number(linked[0]) : 0;
    const host = srcIP?.get(opener), peer = dstIP?.get(opener);
    const key = `${srcIP?.text(opener)}|${dstIP?.text(opener)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, g = { host, peer, attempts: [] });
    g.attempts.push({ ind: f, time: time(first), port: numberAt(dstPort, opener), answer, control, ftpControl: (stat & FTP_INIT) !== 0 });
  }
  const found: Omit<Burst, 'id'>[] = [];
  for (const g of groups.values()) {
    const attempts = g.attempts.sort((x, y) => x.time - y.time || x.ind - y.ind);
    let start = 0;
    for (let i = 1; i <= attempts.length; i++) {
      if (i < attempts.length && attempts[i]!.time - attempts[i - 1]!.time <= BURST_MAX_GAP) continue;
      const chain = attempts.slice(start, i);
      start = i;
      const ports = [...new Set(chain.map((m) => m.port))].sort((x, y) => x - y);
      if (ports.length < BURST_MIN_PORTS) continue;
      const data = chain.filter((m) => m.control).length, control = chain.filter((m) => m.ftpControl).length;
      const low = ports[0]!, high = ports[ports.length - 1]!;
      found.push({
        host: g.host, peer: g.peer, members: chain, ports: ports.length, lowPort: low, highPort: high,
        consecutive: high - low + 1 === ports.length,
        verdict: data === 0 ? 'scan' : data + control === chain.length ? 'ftp' : 'mixed',
      });
    }
  }
  found.sort((x, y) => x.members[0]!.time - y.members[0]!.time || x.members[0]!.ind - y.members[0]!.ind);
  return found.map((b, i) => ({ ...b, id: i + 1 }));
}
