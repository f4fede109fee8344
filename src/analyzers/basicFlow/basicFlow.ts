/** basicFlow: timing, header stacks, addresses, ports and counts per flow direction and per packet. */
import type { Analyzer, FinishContext, PacketContext } from '../analyzer.ts';
import { BASIC_FLOW_COLUMNS, BASIC_PACKET_COLUMNS } from './schema.ts';
import type { ColumnDef } from '../../schema/types.ts';
import type { Column } from '../../store/table.ts';
import { growF64, growI32, growU16, growU32, growU8, type Growable } from '../../store/growable.ts';
import {
  ComputedColumn, DictColumn, DurationColumn, IpColumn, LazyBytesColumn, MappedColumn, NumberColumn, TimeColumn, formatMac,
} from '../../store/columns.ts';
import { headerStackCode, headerStackFromCode } from '../../decode/decode.ts';
import { PairIds } from '../../store/pairIds.ts';
import type { Value } from '../../store/value.ts';

const MAX_HDR_DESC = 4;
const MAX_MACS = 3;
/** payload bytes kept per flow direction (of its first payload only) */
const PREFIX_BYTES = 16;
const NS = 1_000_000_000;

function def(columns: readonly ColumnDef[], name: string): ColumnDef {
  const d = columns.find((c) => c.name === name);
  if (!d) throw new Error(`basicFlow: no column ${name}`);
  return d;
}

/** Up to `max` distinct small-integer ids per row: the first in a typed array, the rest in a map. */
class DistinctIds {
  readonly first = growU32();
  readonly more = new Map<number, number[]>();
  count = 0;
  constructor(private readonly max: number) {}
  add(row: number, id: number): void {
    // ids are stored +1 so 0 means none
    const f = this.first.data[row]!;
    if (f === 0) { this.first.data[row] = id + 1; return; }
    if (f === id + 1) return;
    let list = this.more.get(row);
    if (list === undefined) { list = []; this.more.set(row, list); }
    if (list.length + 1 < this.max && !list.includes(id)) list.push(id);
  }
  ids(row: number): number[] {
    const f = this.first.data[row]!;
    if (f === 0) return [];
    const more = this.more.get(row);
    return more ? [f - 1, ...more] : [f - 1];
  }
}

export class BasicFlowAnalyzer implements Analyzer {
  readonly name = 'basicFlow';
  readonly flowColumns = BASIC_FLOW_COLUMNS;
  readonly packetColumns = BASIC_PACKET_COLUMNS;

  // dictionaries
  private readonly macIds = new PairIds();
  private readonly hdrIdByCode = new Map<number, number>();
  private readonly hdrCodes: number[] = [];

  // per storage row
  private readonly firstSec = growU32();
  private readonly firstNsec = growU32();
  private readonly lastSec = growU32();
  private readonly lastNsec = growU32();
  private readonly lastPacket = growI32();
  /** packet row of the direction's first packet with payload (-1: none), and its first PREFIX_BYTES captured bytes */
  private readonly firstPayload = growI32();
  private readonly prefix = growU8();
  private readonly prefixLen = growU8();
  private readonly pkts = growF64();
  private readonly bytes = growF64();
  private readonly srcMacs = new DistinctIds(MAX_MACS);
  private readonly dstMacs = new DistinctIds(MAX_MACS);
  private readonly hdrs = new DistinctIds(MAX_HDR_DESC);
  private readonly ethType = growU16();
  private readonly vlans = new Map<number, number[]>();
  private readonly addr = growU32(); // 8 words per row: src(4) dst(4)
  private readonly v6 = growU8();
  private readonly hasIp = growU8();
  private readonly srcPort = growU16();
  private readonly dstPort = growU16();
  private readonly l4Proto = growU8();

  // per packet
  private readonly pktHdr: Growable<Uint16Array>;
  private readonly pktSrcMac: Growable<Uint32Array>;
  private readonly pktDstMac: Growable<Uint32Array>;
  private readonly pktL7Offset: Growable<Uint16Array>;
  private readonly pktL7Len: Growable<Uint32Array>;
  private readonly pktVlans = new Map<number, number[]>();

  private readonly rowArrays: Growable<Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>[] = [
    this.firstSec, this.firstNsec, this.lastSec, this.lastNsec, this.pkts, this.bytes, this.ethType, this.v6, this.hasIp,
    this.srcPort, this.dstPort, this.l4Proto, this.srcMacs.first, this.dstMacs.first, this.hdrs.first,
  ];

  constructor(expectedPackets = 1024) {
    this.pktHdr = growU16(expectedPackets);
    this.pktSrcMac = growU32(expectedPackets);
    this.pktDstMac = growU32(expectedPackets);
    this.pktL7Offset = growU16(expectedPackets);
    this.pktL7Len = growU32(expectedPackets);
  }

  private macId(hi: number, lo: number): number {
    return this.macIds.id(hi, lo);
  }

  // most packets repeat the previous packet's header stack: no map lookup then
  private lastHdrCode = -1;
  private lastHdrId = 0;

  private hdrId(code: number): number {
    if (code === this.lastHdrCode) return this.lastHdrId;
    let id = this.hdrIdByCode.get(code);
    if (id === undefined) {
      id = this.hdrCodes.length;
      this.hdrCodes.push(code);
      this.hdrIdByCode.set(code, id);
    }
    this.lastHdrCode = code;
    this.lastHdrId = id;
    return id;
  }

  flowCreated(row: number, ctx: PacketContext): void {
    const last = row | 1;
    const arrays = this.rowArrays;
    for (let i = 0; i < arrays.length; i++) arrays[i]!.ensure(last);
    this.lastPacket.ensure(last);
    this.lastPacket.data[row] = -1;
    this.firstPayload.ensure(last);
    this.firstPayload.data[row] = -1;
    this.prefixLen.ensure(last);
    this.prefix.ensure(last * PREFIX_BYTES + PREFIX_BYTES - 1);
    this.addr.ensure(last * 8 + 7);
    const pkt = ctx.pkt;
    this.firstSec.data[row] = ctx.tsSec;
    this.firstNsec.data[row] = ctx.tsNsec;
    this.ethType.data[row] = pkt.ethType;
    if (pkt.ipVersion !== 0) {
      this.hasIp.data[row] = 1;
      this.v6.data[row] = pkt.ipVersion === 6 ? 1 : 0;
      const a = this.addr.data;
      for (let i = 0; i < 4; i++) { a[row * 8 + i] = pkt.src[i]!; a[row * 8 + 4 + i] = pkt.dst[i]!; }
      this.srcPort.data[row] = pkt.srcPort;
      this.dstPort.data[row] = pkt.dstPort;
      this.l4Proto.data[row] = pkt.l4Proto;
    }
    if (pkt.numVlans > 0) this.vlans.set(row, Array.from(pkt.vlanIds.subarray(0, pkt.numVlans)));
  }

  packet(ctx: PacketContext): void {
    const pkt = ctx.pkt;
    const row = ctx.flowRow;
    const p = ctx.packetRow;
    const hdr = this.hdrId(headerStackCode(pkt));
    this.pktHdr.push(hdr);
    this.pktL7Offset.push(pkt.l7CapLen > 0 ? pkt.l7Offset : 0);
    this.pktL7Len.push(pkt.l7Len);
    if (pkt.hasMac) {
      const s = this.macId(pkt.srcMacHi, pkt.srcMacLo), d = this.macId(pkt.dstMacHi, pkt.dstMacLo);
      this.pktSrcMac.push(s + 1);
      this.pktDstMac.push(d + 1);
      if (row >= 0) { this.srcMacs.add(row, s); this.dstMacs.add(row, d); }
    } else {
      this.pktSrcMac.push(0);
      this.pktDstMac.push(0);
    }
    if (row < 0) {
      if (pkt.numVlans > 0) this.pktVlans.set(p, Array.from(pkt.vlanIds.subarray(0, pkt.numVlans)));
      return;
    }
    if (this.firstPayload.data[row]! < 0 && pkt.l7Len > 0) this.keepPrefix(ctx, row);
    this.lastPacket.data[row] = p;
    this.lastSec.data[row] = ctx.tsSec;
    this.lastNsec.data[row] = ctx.tsNsec;
    this.pkts.data[row]!++;
    this.bytes.data[row] = this.bytes.data[row]! + ctx.capLen;
    this.hdrs.add(row, hdr);
  }

  /**
   * The first bytes of a direction's first payload: what content detection looks at (FTP, DNS)
   * for every flow, served without reading the file again.
   */
  private keepPrefix(ctx: PacketContext, row: number): void {
    const pkt = ctx.pkt;
    this.firstPayload.data[row] = ctx.packetRow;
    const n = Math.min(PREFIX_BYTES, pkt.l7CapLen);
    if (n > 0) this.prefix.data.set(ctx.bytes.subarray(ctx.start + pkt.l7Offset, ctx.start + pkt.l7Offset + n), row * PREFIX_BYTES);
    this.prefixLen.data[row] = n;
  }

  finish(ctx: FinishContext): { flowColumns: Column[]; packetColumns: Column[] } {
    const order = ctx.flowOrder;
    const F = (name: string) => def(BASIC_FLOW_COLUMNS, name);
    const P = (name: string) => def(BASIC_PACKET_COLUMNS, name);
    const digits = ctx.tsDigits;
    const fSec = this.firstSec.reorder(order), fNs = this.firstNsec.reorder(order);
    const lSec = this.lastSec.reorder(order), lNs = this.lastNsec.reorder(order);
    const n = order.length;
    const addr = new Uint32Array(n * 4), daddr = new Uint32Array(n * 4);
    const a = this.addr.data;
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      for (let j = 0; j < 4; j++) { addr[i * 4 + j] = a[r * 8 + j]!; daddr[i * 4 + j] = a[r * 8 + 4 + j]!; }
    }
    const v6 = this.v6.reorder(order), hasIp = this.hasIp.reorder(order);
    const listOf = <T extends Value>(fn: (storageRow: number) => T[]) => (row: number): T[] => fn(order[row]!);
    const macs = this.macIds;
    const macText = (id: number) => formatMac(macs.hi(id), macs.lo(id));
    const hdrText = (id: number) => headerStackFromCode(this.hdrCodes[id]!);
    const hdrDepth = (id: number) => hdrText(id).split(':').length;

    const flowColumns: Column[] = [
      new TimeColumn(F('timeFirst'), fSec, fNs, digits),
      new TimeColumn(F('timeLast'), lSec, lNs, digits),
      new DurationColumn(F('duration'), (row) => (lSec[row]! - fSec[row]!) * NS + (lNs[row]! - fNs[row]!), digits),
      new NumberColumn(F('numHdrDesc'), Uint8Array.from(order, (r) => this.hdrs.ids(r).length)),
      new ComputedColumn(F('numHdrs'), listOf((r) => this.hdrs.ids(r).map(hdrDepth))),
      new ComputedColumn(F('hdrDesc'), listOf((r) => this.hdrs.ids(r).map(hdrText))),
      new ComputedColumn(F('srcMac'), listOf((r) => this.srcMacs.ids(r).map(macText))),
      new ComputedColumn(F('dstMac'), listOf((r) => this.dstMacs.ids(r).map(macText))),
      new NumberColumn(F('ethType'), this.ethType.reorder(order)),
      new ComputedColumn(F('vlanID'), listOf((r) => this.vlans.get(r) ?? [])),
      new IpColumn(F('srcIP'), addr, v6, hasIp),
      new NumberColumn(F('srcPort'), this.srcPort.reorder(order)),
      new IpColumn(F('dstIP'), daddr, v6, hasIp),
      new NumberColumn(F('dstPort'), this.dstPort.reorder(order)),
      new NumberColumn(F('l4Proto'), this.l4Proto.reorder(order)),
      new NumberColumn(F('numPktsSnt'), this.pkts.reorder(order)),
      new NumberColumn(F('numBytesSnt'), this.bytes.reorder(order)),
    ];

    const sec = ctx.packetSec, nsec = ctx.packetNsec;
    // each packet's previous packet in its direction and the reverse's last before it, worked out
    // from the packets' flow rows when a column first needs them (not kept while loading)
    let prevRows: { prev: Int32Array; revLast: Int32Array } | undefined;
    const packetFlowRow = ctx.packetFlowRow, storageRows = this.lastPacket.length, packetCount = ctx.packetCount;
    const previous = (): { prev: Int32Array; revLast: Int32Array } => {
      if (prevRows) return prevRows;
      const prev = new Int32Array(packetCount), revLast = new Int32Array(packetCount);
      const lastOf = new Int32Array(storageRows + 1).fill(-1);
      for (let p = 0; p < packetCount; p++) {
        const r = packetFlowRow[p]!;
        if (r < 0) { prev[p] = -1; revLast[p] = -1; continue; }
        prev[p] = lastOf[r]!;
        revLast[p] = lastOf[r ^ 1]!;
        lastOf[r] = p;
      }
      return (prevRows = { prev, revLast });
    };
    const flowOf = ctx.packetFlowTableRow;
    const diffNs = (p: number, q: number) => (q < 0 ? 0 : (sec[p]! - sec[q]!) * NS + (nsec[p]! - nsec[q]!));
    const mapped = (name: string) => {
      const base = flowColumns.find((c) => c.def.name === name)!;
      return new MappedColumn(P(name), base, flowOf);
    };
    const hdrIds = this.pktHdr.finish();
    const srcMac = this.pktSrcMac.finish(), dstMac = this.pktDstMac.finish();
    const l7Off = this.pktL7Offset.finish(), l7Len = this.pktL7Len.finish();
    const capLen = ctx.packetCapLen, fileOffset = ctx.packetFileOffset, payload = ctx.payload;
    const firstPayload = this.firstPayload.finish(), prefix = this.prefix.finish(), prefixLen = this.prefixLen.finish();
    const l7Bytes = (p: number, max: number): Uint8Array => {
      const r = packetFlowRow[p]!;
      if (max <= PREFIX_BYTES && r >= 0 && firstPayload[r] === p) return prefix.slice(r * PREFIX_BYTES, r * PREFIX_BYTES + Math.min(max, prefixLen[r]!));
      const off = l7Off[p]!;
      if (off === 0) return new Uint8Array(0);
      const len = Math.max(0, Math.min(l7Len[p]!, capLen[p]! - off, max));
      return len === 0 ? new Uint8Array(0) : payload.read(fileOffset[p]! + off, len);
    };
    const hdrDict = this.hdrCodes.map((c) => headerStackFromCode(c));
    const macDict = [''];
    for (let id = 0; id < macs.size; id++) macDict.push(macText(id));
    const packetColumns: Column[] = [
      new DurationColumn(P('pktIAT'), (p) => diffNs(p, previous().prev[p]!), digits),
      new DurationColumn(P('pktTrip'), (p) => diffNs(p, previous().revLast[p]!), digits),
      new DurationColumn(P('flowDuration'), (p) => {
        const f = flowOf[p]!;
        return f < 0 ? 0 : (sec[p]! - fSec[f]!) * NS + (nsec[p]! - fNs[f]!);
      }, digits),
      new NumberColumn(P('numHdrs'), mapIds(hdrIds, hdrDict.map((t) => t.split(':').length))),
      new DictColumn(P('hdrDesc'), hdrIds, hdrDict),
      new ComputedColumn(P('vlanID'), (p) => {
        const f = flowOf[p]!;
        return f < 0 ? (this.pktVlans.get(p) ?? []) : (this.vlans.get(order[f]!) ?? []);
      }),
      new DictColumn(P('srcMac'), srcMac, macDict),
      new DictColumn(P('dstMac'), dstMac, macDict),
      mapped('ethType'),
      mapped('srcIP'),
      mapped('srcPort'),
      mapped('dstIP'),
      mapped('dstPort'),
      mapped('l4Proto'),
      new NumberColumn(P('capLen'), capLen),
      new NumberColumn(P('wireLen'), ctx.packetWireLen),
      new NumberColumn(P('l7Len'), l7Len),
      new LazyBytesColumn(P('l7Content'), l7Bytes),
    ];
    return { flowColumns, packetColumns };
  }
}

/** per-row value from a small per-id table, in a plain loop */
function mapIds(ids: ArrayLike<number>, valueOfId: readonly number[]): Uint16Array {
  const out = new Uint16Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = valueOfId[ids[i]!]!;
  return out;
}
