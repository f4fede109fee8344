/**
 * tp0f: passive OS fingerprints, as Tranalyzer's tp0f plugin names them. Each flow direction keeps
 * the facts of its first SYN (client) or SYN+ACK (server): initial TTL and distance, window, window
 * scale, MSS, option layout, DF and quirks; at the end of the load they are matched against the
 * signature table. Unlike Tranalyzer, which looks only at a flow's first packet and names an OS from
 * the TTL alone when no rule fires, a direction without a matching signature says "unknown".
 */
import type { Analyzer, FinishContext, FlowRows, PacketContext, ReportLine } from '../analyzer.ts';
import type { Column } from '../../store/table.ts';
import { DictColumn, NumberColumn } from '../../store/columns.ts';
import { growU16, growU32, growU8 } from '../../store/growable.ts';
import { PacketStatus } from '../../decode/packet.ts';
import { initialTtl, layoutText, MAX_LAYOUT, quirksText, SynFacts, windowText } from './fingerprint.ts';
import { TP0F_FLOW_COLUMNS, TP0F_QUIRK_BITS, Tp0fStatBit } from './schema.ts';

const SYN = 0x02, RST = 0x04, FIN = 0x01, ACK = 0x10;
const enum Seen { None = 0, Syn = 1, SynAck = 2 }

const col = (name: string) => TP0F_FLOW_COLUMNS.find((c) => c.name === name)!;

export class Tp0fAnalyzer implements Analyzer {
  readonly name = 'tp0f';
  readonly flowColumns = TP0F_FLOW_COLUMNS;
  readonly packetColumns = [];

  private readonly facts = new SynFacts();
  // per storage row
  private readonly seen = growU8();
  private readonly stat = growU8();
  /** TTL of the direction's first IP packet + 1 (0: none yet) */
  private readonly firstTtl = growU16();
  private readonly ttl = growU8();
  private readonly ipVersion = growU8();
  private readonly ipOptLen = growU8();
  private readonly window = growU16();
  /** MSS + 1, 0 when absent */
  private readonly mss = growU32();
  /** window scale + 1, 0 when absent */
  private readonly wscale = growU16();
  private readonly quirks = growU16();
  private readonly payload = growU8();
  private readonly layoutLen = growU8();
  private readonly eolPad = growU8();
  /** MAX_LAYOUT option kinds per row */
  private readonly layout = growU8();
  private aggregated = 0;

  flowCreated(row: number): void {
    const last = row | 1;
    for (const g of [this.seen, this.stat, this.ttl, this.ipVersion, this.ipOptLen, this.payload, this.layoutLen, this.eolPad]) g.ensure(last);
    this.firstTtl.ensure(last);
    this.window.ensure(last);
    this.wscale.ensure(last);
    this.quirks.ensure(last);
    this.mss.ensure(last);
    this.layout.ensure(last * MAX_LAYOUT + MAX_LAYOUT - 1);
    // a storage row is created once; zero-filled by ensure
  }

  packet(ctx: PacketContext, _rows: FlowRows): void {
    const row = ctx.flowRow;
    const pkt = ctx.pkt;
    if (row < 0 || pkt.ipVersion === 0) return;
    if (this.firstTtl.data[row] === 0) this.firstTtl.data[row] = pkt.ttl + 1;
    if (pkt.l4Proto !== 6 || pkt.tcpHeaderLen === 0 || (pkt.status & PacketStatus.LaterFragment) !== 0) return;
    if ((pkt.tcpFlags & (SYN | RST | FIN)) !== SYN || this.seen.data[row] !== Seen.None) return;
    const f = this.facts;
    f.read(pkt, ctx.bytes, ctx.start, ctx.capLen);
    this.seen.data[row] = (pkt.tcpFlags & ACK) ? Seen.SynAck : Seen.Syn;
    if (f.bad || (pkt.status & PacketStatus.TcpOptionsCorrupt) !== 0) this.stat.data[row]! |= Tp0fStatBit.OptionsBad;
    this.ttl.data[row] = f.ttl;
    this.ipVersion.data[row] = f.ipVersion;
    this.ipOptLen.data[row] = f.ipOptLen;
    this.window.data[row] = f.window;
    this.mss.data[row] = f.mss + 1;
    this.wscale.data[row] = f.wscale + 1;
    this.quirks.data[row] = f.quirks;
    this.payload.data[row] = f.payload;
    this.layoutLen.data[row] = f.layoutLen;
    this.eolPad.data[row] = f.eolPad;
    this.layout.data.set(f.layout.subarray(0, f.layoutLen), row * MAX_LAYOUT);
  }

  /** p0f 3 signature text of a storage row's SYN / SYN+ACK ('' without one). */
  signature(row: number): string {
    if (this.seen.data[row] === Seen.None) return '';
    const ttl = this.ttl.data[row]!, ittl = initialTtl(ttl);
    const mss = this.mss.data[row]! - 1, ws = this.wscale.data[row]! - 1;
    return [
      this.ipVersion.data[row]!,
      `${ittl}+${ittl - ttl}`,
      this.ipOptLen.data[row]!,
      mss < 0 ? '*' : mss,
      `${windowText(this.window.data[row]!, mss)},${ws < 0 ? '*' : ws}`,
      this.layoutOf(row),
      quirksText(this.quirks.data[row]!, TP0F_QUIRK_BITS),
      this.payload.data[row] ? '+' : '0',
    ].join(':');
  }

  private layoutOf(row: number): string {
    const at = row * MAX_LAYOUT;
    return layoutText(this.layout.data.subarray(at, at + MAX_LAYOUT), this.layoutLen.data[row]!, this.eolPad.data[row]!);
  }

  finish(ctx: FinishContext): { flowColumns: Column[]; packetColumns: Column[] } {
    const order = ctx.flowOrder, n = order.length;
    const dis = new Uint8Array(n), ittl = new Uint8Array(n), stat = new Uint8Array(n), quirks = new Uint16Array(n);
    const sigIds = new Uint32Array(n), layoutIds = new Uint32Array(n), nameIds = new Uint32Array(n).fill(1);
    const sigs = new Dict(), layouts = new Dict();
    for (let i = 0; i < n; i++) {
      const row = order[i]!;
      stat[i] = this.stat.data[row]!;
      this.aggregated |= stat[i]!;
      if (this.seen.data[row] !== Seen.None) {
        const t = this.ttl.data[row]!;
        ittl[i] = initialTtl(t);
        dis[i] = ittl[i]! - t;
        quirks[i] = this.quirks.data[row]!;
        sigIds[i] = sigs.id(this.signature(row));
        layoutIds[i] = layouts.id(this.layoutOf(row));
      } else if (this.firstTtl.data[row]! > 0) {
        const t = this.firstTtl.data[row]! - 1;
        dis[i] = initialTtl(t) - t;
      }
    }
    const unknown = ['', 'unknown'];
    return {
      flowColumns: [
        new NumberColumn(col('tp0fStat'), stat),
        new NumberColumn(col('tp0fDis'), dis),
        new DictColumn(col('tp0fClName'), nameIds, unknown),
        new DictColumn(col('tp0fPrName'), nameIds, unknown),
        new DictColumn(col('tp0fVerName'), nameIds, unknown),
        new DictColumn(col('tp0fSig'), sigIds, sigs.values),
        new DictColumn(col('tp0fRule'), new Uint32Array(n), ['']),
        new NumberColumn(col('tp0fInitTTL'), ittl),
        new DictColumn(col('tp0fOptLayout'), layoutIds, layouts.values),
        new NumberColumn(col('tp0fQuirks'), quirks),
      ],
      packetColumns: [],
    };
  }

  report(): ReportLine[] {
    if (this.aggregated === 0) return [];
    return [{ label: 'tp0f: Aggregated tp0fStat', value: BigInt(this.aggregated), column: 'tp0fStat' }];
  }
}

/** Strings to ids for a DictColumn (id 0 is the empty string). */
class Dict {
  readonly values: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}
