/**
 * tcpFlags: IP and TCP header statistics per flow direction and per packet (reference §3):
 * TTL, IP ID, ToS and IP flags; TCP flags with composite bits, sequence and ACK progress,
 * windows, options, and anomalies (retransmissions, duplicate ACKs, keep-alives, gaps, scans).
 * Sequence comparisons are modulo 2^32, so wrapping sequence numbers are handled.
 */
import type { Analyzer, FinishContext, FlowRows, PacketContext, ReportLine } from '../analyzer.ts';
import type { ColumnDef } from '../../schema/types.ts';
import type { Column } from '../../store/table.ts';
import { ComputedColumn, NumberColumn } from '../../store/columns.ts';
import { growF64, growI32, growU16, growU32, growU8, type Growable } from '../../store/growable.ts';
import { PacketStatus } from '../../decode/packet.ts';
import {
  IpFlag, TCP_FLAGS_FLOW_COLUMNS, TCP_FLAGS_PACKET_COLUMNS, TcpAnomaly, TcpFlag, TcpFStat,
} from './schema.ts';

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;
const ARSF = ACK | RST | SYN | FIN;
const SFR = SYN | FIN | RST;
const SIX_FLAGS = 0x3f;
/** Tranalyzer: a SYN repeated within this many seconds is a scan, later a retransmission. */
const SYN_RETRY_GAP = 0.9;
/** Tranalyzer's scan heuristic: directions with fewer packets than this are scan candidates. */
const SCAN_MAX_PACKETS = 4;
const MIN_FRAGMENT = 48;
const MAX_WINDOW_SHIFT = 14;

/** Per-direction marks. */
const enum Mark {
  Ip = 1, Ipv4Seen = 2, Tcp = 4, SynSeen = 8, WsOffered = 16, AckSeen = 32, FinSeen = 64, GapOpen = 128,
  TsSeen = 256,
}

const enum Trend { None = 0, Up = 1, Down = 2 }

/** a is after b in sequence space (modulo 2^32) */
const after = (a: number, b: number): boolean => ((a - b) | 0) > 0;
const diff = (a: number, b: number): number => (a - b) >>> 0;

/** whether the IPv4 header sums to 0xffff (true when the header is not fully captured: nothing to check) */
function ipv4HeaderChecksumOk(ctx: PacketContext): boolean {
  const pkt = ctx.pkt;
  const len = pkt.ipHeaderLen;
  if (len < 20 || pkt.ipOffset + len > ctx.capLen) return true;
  const view = ctx.view, at = ctx.start + pkt.ipOffset;
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += view.getUint16(at + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/** Tranalyzer's tcpFlags value of one packet: the flag byte plus composite bits. */
export function compositeTcpFlags(flags: number): number {
  let v = flags & 0xff;
  const six = flags & SIX_FLAGS;
  if (six === 0) v |= TcpFlag.Null;
  else if (six === (FIN | PSH | URG)) v |= TcpFlag.Xmas;
  switch (flags & ARSF) {
    case FIN | ACK: v |= TcpFlag.FinAck; break;
    case SYN | ACK: v |= TcpFlag.SynAck; break;
    case RST | ACK: v |= TcpFlag.RstAck; break;
    case SYN | FIN: v |= TcpFlag.SynFin; break;
    case SYN | FIN | RST: v |= TcpFlag.SynFinRst; break;
    case RST | FIN: v |= TcpFlag.RstFin; break;
  }
  return v;
}

function def(name: string, columns: readonly ColumnDef[]): ColumnDef {
  const d = columns.find((c) => c.name === name);
  if (!d) throw new Error(`tcpFlags: no column ${name}`);
  return d;
}

export class TcpFlagsAnalyzer implements Analyzer {
  readonly name = 'tcpFlags';
  readonly flowColumns = TCP_FLAGS_FLOW_COLUMNS;
  readonly packetColumns = TCP_FLAGS_PACKET_COLUMNS;

  // ---- per storage row ----
  private readonly marks = growU16();
  private readonly lastTime = growF64();
  private readonly ipPkts = growU32();
  // IP
  private readonly lastIpId = growU16();
  private readonly minDIpId = growU32();
  private readonly maxDIpId = growU32();
  private readonly ttlLast = growU8();
  private readonly ttlMin = growU8();
  private readonly ttlMax = growU8();
  private readonly ttlChanges = growU32();
  private readonly tos = growU8();
  private readonly ipFlags = growU16();
  private readonly ipOptCnt = growU32();
  private readonly nextFragment = growU32();
  // TCP
  private readonly tcpPkts = growU32();
  private readonly fstat = growU16();
  private readonly flagsOr = growU16();
  private readonly anomalyOr = growU16();
  private readonly lastFlags = growU8();
  private readonly lastAnomaly = growU16();
  /** the tcpFStat bits of the direction's last packet (for the window-0 probe ACK) */
  private readonly lastFStat = growU16();
  private readonly isn = growU32();
  /** base of relative sequence numbers (Wireshark's), set from the first packet or the reverse ACK */
  private readonly relBase = growU32();
  private readonly relBaseSet = growU8();
  private readonly seqNext = growU32();
  private readonly seqMax = growU32();
  private readonly dataMax = growU32();
  private readonly sentBytes = growF64();
  private readonly gapStart = growU32();
  private readonly gapEnd = growU32();
  private readonly finSeq = growU32();
  private readonly inSeqCnt = growU32();
  private readonly seqFaults = growU32();
  private readonly ackCnt = growU32();
  private readonly ackFaults = growU32();
  private readonly ackLast = growU32();
  private readonly ackBase = growU32();
  private readonly ackMax = growU32();
  private readonly ackedBytes = growF64();
  private readonly winLast = growU32();
  private readonly winInit = growU32();
  private readonly winMin = growU32();
  private readonly winMax = growU32();
  private readonly winSum = growF64();
  private readonly winTrend = growU8();
  private readonly winDown = growU32();
  private readonly winUp = growU32();
  private readonly winTurns = growU32();
  private readonly wsShift = growU8();
  private readonly optPkts = growU32();
  private readonly optCnt = growU32();
  private readonly options = growU32();
  private readonly mss = growU16();
  private readonly tsVal = growU32();
  private readonly tsEcr = growU32();
  /** packet row of the direction's first SYN (-1: none), for JA4T */
  private readonly firstSyn = growI32();

  // ---- per packet ----
  private readonly pktSeq: Growable<Uint32Array>;
  private readonly pktAck: Growable<Uint32Array>;
  private readonly pktRelSeq: Growable<Uint32Array>;
  private readonly pktRelAck: Growable<Uint32Array>;
  private readonly pktFlags: Growable<Uint16Array>;
  private readonly pktWin: Growable<Uint32Array>;
  private readonly pktOptOffset: Growable<Uint16Array>;
  private readonly pktOptLen: Growable<Uint8Array>;
  private readonly pktOptions: Growable<Uint32Array>;
  private readonly pktMLen: Growable<Uint32Array>;
  private readonly pktAnomaly: Growable<Uint16Array>;
  private readonly pktMss: Growable<Uint16Array>;
  private readonly pktWscale: Growable<Uint8Array>;

  private readonly rowArrays: Growable<Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>[];
  private synRetries = 0;
  private seqRetries = 0;
  private scans = 0;
  private successfulScans = 0;
  private aggIpFlags = 0;
  private aggFStat = 0;
  private aggFlags = 0;
  private aggAnomaly = 0;
  private aggToS = 0;

  constructor(expectedPackets = 1024) {
    this.pktSeq = growU32(expectedPackets);
    this.pktAck = growU32(expectedPackets);
    this.pktRelSeq = growU32(expectedPackets);
    this.pktRelAck = growU32(expectedPackets);
    this.pktFlags = growU16(expectedPackets);
    this.pktWin = growU32(expectedPackets);
    this.pktOptOffset = growU16(expectedPackets);
    this.pktOptLen = growU8(expectedPackets);
    this.pktOptions = growU32(expectedPackets);
    this.pktMLen = growU32(expectedPackets);
    this.pktAnomaly = growU16(expectedPackets);
    this.pktMss = growU16(expectedPackets);
    this.pktWscale = growU8(expectedPackets);
    this.rowArrays = [
      this.marks, this.lastTime, this.ipPkts, this.lastIpId, this.minDIpId, this.maxDIpId, this.ttlLast, this.ttlMin,
      this.ttlMax, this.ttlChanges, this.tos, this.ipFlags, this.ipOptCnt, this.nextFragment, this.tcpPkts, this.fstat,
      this.flagsOr, this.anomalyOr, this.lastFlags, this.lastAnomaly, this.lastFStat, this.isn, this.relBase, this.relBaseSet,
      this.seqNext, this.seqMax, this.dataMax, this.sentBytes, this.gapStart, this.gapEnd, this.finSeq, this.inSeqCnt,
      this.seqFaults, this.ackCnt, this.ackFaults, this.ackLast, this.ackBase, this.ackMax, this.ackedBytes,
      this.winLast, this.winInit, this.winMin, this.winMax, this.winSum, this.winTrend, this.winDown, this.winUp,
      this.winTurns, this.wsShift, this.optPkts, this.optCnt, this.options, this.mss, this.tsVal, this.tsEcr,
      this.firstSyn,
    ];
  }

  flowCreated(row: number): void {
    const last = row | 1;
    for (const g of this.rowArrays) g.ensure(last);
    // rows are never reused; only the reverse direction's ACK may have set this row's relative base
    this.firstSyn.data[row] = -1;
  }

  packet(ctx: PacketContext, rows: FlowRows): void {
    const pkt = ctx.pkt;
    const row = ctx.flowRow;
    // only complete 20-byte TCP headers (a header cut by the snaplen leaves fields unread)
    const isTcp = row >= 0 && pkt.l4Proto === 6 && pkt.tcpHeaderLen > 0 &&
      (pkt.status & (PacketStatus.LaterFragment | PacketStatus.CapLenBelowL4)) === 0;
    if (row >= 0 && pkt.ipVersion !== 0) this.ipPacket(ctx, row);
    if (!isTcp) {
      this.pktSeq.push(0); this.pktAck.push(0); this.pktRelSeq.push(0); this.pktRelAck.push(0);
      this.pktFlags.push(0); this.pktWin.push(0); this.pktOptOffset.push(0); this.pktOptLen.push(0);
      this.pktOptions.push(0); this.pktMLen.push(0); this.pktAnomaly.push(0); this.pktMss.push(0); this.pktWscale.push(0);
      if (row >= 0 && pkt.ipVersion !== 0) this.lastTime.data[row] = ctx.time;
      return;
    }
    this.tcpPacket(ctx, row, rows);
    this.lastTime.data[row] = ctx.time;
  }

  private ipPacket(ctx: PacketContext, row: number): void {
    const pkt = ctx.pkt;
    const m = this.marks.data;
    let flags = 0;
    const ttl = pkt.ttl;
    if ((m[row]! & Mark.Ip) === 0) {
      m[row]! |= Mark.Ip;
      this.ttlMin.data[row] = ttl;
      this.ttlMax.data[row] = ttl;
    } else {
      if (ttl !== this.ttlLast.data[row]) this.ttlChanges.data[row]!++;
      if (ttl < this.ttlMin.data[row]!) this.ttlMin.data[row] = ttl;
      if (ttl > this.ttlMax.data[row]!) this.ttlMax.data[row] = ttl;
      const dt = ctx.time - this.lastTime.data[row]!;
      if (dt === 0) flags |= IpFlag.SameTime;
      else if (dt < 0) flags |= IpFlag.TimeBackwards;
    }
    this.ttlLast.data[row] = ttl;
    this.tos.data[row]! |= pkt.tos;
    this.ipPkts.data[row]!++;
    const s = pkt.status;
    if (pkt.ipVersion === 4) {
      flags |= (pkt.ipFlags >>> 8) & (IpFlag.MoreFragments | IpFlag.DontFragment | IpFlag.Reserved);
      this.ipOptCnt.data[row]! += pkt.ipOptCount;
      const id = pkt.ipId;
      if (m[row]! & Mark.Ipv4Seen) {
        const prev = this.lastIpId.data[row]!;
        const step = (id - prev) & 0xffff;
        if (step < this.minDIpId.data[row]!) this.minDIpId.data[row] = step;
        if (step > this.maxDIpId.data[row]!) this.maxDIpId.data[row] = step;
        if (id < prev) flags |= prev >= 0xe000 && id < 0x2000 ? IpFlag.IdRollOver : IpFlag.IdOutOfOrder;
      } else {
        m[row]! |= Mark.Ipv4Seen;
        this.minDIpId.data[row] = 0xffff;
      }
      this.lastIpId.data[row] = id;
      if (!ipv4HeaderChecksumOk(ctx)) flags |= IpFlag.L3Checksum;
    } else if (pkt.moreFragments) {
      flags |= IpFlag.MoreFragments;
    }
    if (s & PacketStatus.IpOptionsCorrupt) flags |= IpFlag.OptCorrupt;
    if (s & PacketStatus.CapLenBelowIpLen) flags |= IpFlag.SnapLen;
    const ipPayload = pkt.ipTotalLen - pkt.ipHeaderLen;
    if (s & PacketStatus.Fragment) {
      if (pkt.fragOffset > 0 && pkt.fragOffset !== this.nextFragment.data[row]) flags |= IpFlag.FragPosition;
      this.nextFragment.data[row] = pkt.fragOffset + ipPayload;
      if (pkt.moreFragments && pkt.ipTotalLen < MIN_FRAGMENT) flags |= IpFlag.FragBelowMin;
      if (pkt.fragOffset + ipPayload > 0xffff) flags |= IpFlag.FragOutOfRange;
    } else if (pkt.l4Proto === 17 && pkt.udpLength !== 0 && pkt.udpLength !== ipPayload) {
      flags |= IpFlag.UdpLength;
    }
    this.ipFlags.data[row]! |= flags;
    this.fstat.data[row]! |= TcpFStat.PktOk;
  }

  private tcpPacket(ctx: PacketContext, row: number, rows: FlowRows): void {
    const pkt = ctx.pkt;
    const m = this.marks.data;
    const rev = rows.reverse(row);
    const hasRev = rows.exists(rev) && this.tcpPkts.data[rev]! > 0;
    const flags = pkt.tcpFlags;
    const seq = pkt.tcpSeq, ack = pkt.tcpAck;
    const len = pkt.l7Len;
    const first = this.tcpPkts.data[row] === 0;
    const composite = compositeTcpFlags(flags);
    let anomaly = 0;
    let fstat = TcpFStat.WinInit;
    const s = pkt.status;
    if (s & PacketStatus.TcpOptionsCorrupt) fstat |= TcpFStat.OptCorrupt;

    // options
    const headerLen = pkt.tcpHeaderLen;
    const hasEol = (pkt.tcpOptions & 1) !== 0;
    const opts = pkt.tcpOptions & ~1;
    if (headerLen > 20) {
      this.optPkts.data[row]!++;
      this.optCnt.data[row]! += pkt.tcpOptCount - (hasEol ? 1 : 0);
      this.options.data[row]! |= opts;
    }
    if (pkt.tcpMss >= 0) this.mss.data[row] = pkt.tcpMss;
    if (pkt.tcpSackBlocks > 0) fstat |= TcpFStat.Sack;
    if (opts & (1 << 30)) fstat |= TcpFStat.Mptcp;
    if (pkt.tcpTsVal >= 0) {
      if ((m[row]! & Mark.TsSeen) && after(this.tsVal.data[row]!, pkt.tcpTsVal)) fstat |= TcpFStat.TsDecreasing;
      m[row]! |= Mark.TsSeen;
      fstat |= TcpFStat.OptInit;
      this.tsVal.data[row] = pkt.tcpTsVal;
      this.tsEcr.data[row] = pkt.tcpTsEcr;
    }
    if (flags & SYN) {
      if ((m[row]! & Mark.SynSeen) === 0) {
        m[row]! |= Mark.SynSeen;
        this.firstSyn.data[row] = ctx.packetRow;
      }
      if (pkt.tcpWscale >= 0) {
        m[row]! |= Mark.WsOffered;
        this.wsShift.data[row] = Math.min(pkt.tcpWscale, MAX_WINDOW_SHIFT);
      }
    }

    // effective window: scaled once both SYNs offered window scaling (never on the SYNs themselves)
    const wsUsed = (m[row]! & Mark.WsOffered) !== 0 && (m[rev]! & Mark.WsOffered) !== 0;
    if (wsUsed) fstat |= TcpFStat.WsUsed;
    const win = wsUsed && (flags & SYN) === 0 ? pkt.tcpWindow * (1 << this.wsShift.data[row]!) : pkt.tcpWindow;

    // scans and SYNs
    const six = flags & SIX_FLAGS;
    if (six === 0 || six === (FIN | PSH | URG)) anomaly |= TcpAnomaly.Scan;
    // a SYN right after a SYN: Tranalyzer's SYN retransmission or scan (a later repeated SYN is a plain retransmission)
    const synRepeat = (flags & ARSF) === SYN && !first && (this.lastFlags.data[row]! & ARSF) === SYN;
    if (synRepeat) {
      if (ctx.time - this.lastTime.data[row]! > SYN_RETRY_GAP) { anomaly |= TcpAnomaly.SynRetry; this.synRetries++; }
      else anomaly |= TcpAnomaly.Scan;
    }
    if ((flags & (SYN | RST)) === SYN && len > 0) anomaly |= TcpAnomaly.SynPayload;

    // relative numbers as Wireshark shows them
    if (!this.relBaseSet.data[row]) {
      this.relBaseSet.data[row] = 1;
      this.relBase.data[row] = flags & SYN ? seq : (seq - 1) >>> 0;
    }
    let relAck = 0;
    if (flags & ACK) {
      if (!this.relBaseSet.data[rev]) {
        this.relBaseSet.data[rev] = 1;
        this.relBase.data[rev] = (ack - 1) >>> 0;
      }
      relAck = diff(ack, this.relBase.data[rev]!);
    }

    // sequence numbers
    const phantom = (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
    const consumes = len + phantom;
    const end = (seq + consumes) >>> 0;
    const dataStart = (seq + (flags & SYN ? 1 : 0)) >>> 0;
    const dataEnd = (dataStart + len) >>> 0;
    const zeroWinProbe = hasRev && !first && (flags & SFR) === 0 && len === 1 && this.winLast.data[rev] === 0;
    if (zeroWinProbe) fstat |= TcpFStat.ZeroWinProbe;
    else if (hasRev && (flags & SFR) === 0 && len === 0 && win === 0 && (this.lastFStat.data[rev]! & TcpFStat.ZeroWinProbe)) {
      fstat |= TcpFStat.ZeroWinProbeAck;
    }
    if ((flags & SFR) === 0 && win === 0) fstat |= TcpFStat.MinWin;

    if (first) {
      this.isn.data[row] = seq;
      this.seqNext.data[row] = end;
      this.seqMax.data[row] = end;
      this.dataMax.data[row] = dataEnd;
      this.sentBytes.data[row] = len;
      if (flags & ACK) this.inSeqCnt.data[row]!++;
    } else if ((flags & RST) === 0) {
      const seqMax = this.seqMax.data[row]!;
      const probeOrKeepAlive = zeroWinProbe ||
        ((flags & ACK) !== 0 && (flags & SFR) === 0 && len <= 1 && seq === ((seqMax - 1) >>> 0));
      if (probeOrKeepAlive) {
        if (!zeroWinProbe) anomaly |= TcpAnomaly.KeepAlive;
      } else if (consumes > 0 && after(seqMax, seq) && !synRepeat) {
        // resending sequence space: fills the gap of a missed segment, or a retransmission
        if ((m[row]! & Mark.GapOpen) && !after(this.gapStart.data[row]!, seq) && after(this.gapEnd.data[row]!, seq)) {
          anomaly |= TcpAnomaly.SeqOutOfOrder;
          if (seq === this.gapStart.data[row]) {
            this.gapStart.data[row] = end;
            if (!after(this.gapEnd.data[row]!, end)) m[row]! &= ~Mark.GapOpen;
          }
        } else {
          const asked = hasRev && (this.lastAnomaly.data[rev]! & TcpAnomaly.DupAck) !== 0 && this.ackLast.data[rev] === seq;
          anomaly |= asked ? TcpAnomaly.SeqFastRetry : TcpAnomaly.SeqTimeoutRetry;
          this.seqFaults.data[row]!++;
          this.seqRetries++;
          if (hasRev && (m[rev]! & Mark.AckSeen) && !after(end, this.ackMax.data[rev]!)) anomaly |= TcpAnomaly.SeqMess;
        }
      } else if (after(seq, seqMax)) {
        anomaly |= TcpAnomaly.PrevNotCaptured;
        m[row]! |= Mark.GapOpen;
        this.gapStart.data[row] = seqMax;
        this.gapEnd.data[row] = seq;
      }
      if ((flags & ACK) && seq === this.seqNext.data[row]) this.inSeqCnt.data[row]!++;
      if (after(dataEnd, this.dataMax.data[row]!)) {
        this.sentBytes.data[row]! += diff(dataEnd, this.dataMax.data[row]!);
        this.dataMax.data[row] = dataEnd;
      }
      if ((flags & FIN) && after(end, this.dataMax.data[row]!)) this.dataMax.data[row] = end; // the FIN is no data
      this.seqNext.data[row] = zeroWinProbe ? seq : end;
      if (after(end, seqMax) && !zeroWinProbe) this.seqMax.data[row] = end;
    }
    if ((flags & FIN) && (flags & RST) === 0) {
      m[row]! |= Mark.FinSeen;
      this.finSeq.data[row] = (seq + len) >>> 0;
    }

    // acknowledgements
    if (flags & ACK) {
      this.ackCnt.data[row]!++;
      const pureAck = (flags & SFR) === 0 && len === 0 && (anomaly & TcpAnomaly.KeepAlive) === 0 && !zeroWinProbe &&
        (fstat & TcpFStat.ZeroWinProbeAck) === 0;
      if (pureAck && hasRev && (this.lastAnomaly.data[rev]! & TcpAnomaly.KeepAlive) !== 0 && ack === this.seqMax.data[rev]) {
        anomaly |= TcpAnomaly.KeepAliveAck;
      } else if (pureAck && !first && (m[row]! & Mark.AckSeen) && ack === this.ackLast.data[row]) {
        if (win === this.winLast.data[row]) anomaly |= TcpAnomaly.DupAck;
        else fstat |= TcpFStat.WinUpdate;
      }
      if (hasRev && after(ack, this.seqMax.data[rev]!)) anomaly |= TcpAnomaly.AckUnseen;
      if (anomaly & (TcpAnomaly.DupAck | TcpAnomaly.AckUnseen)) this.ackFaults.data[row]!++;
      if ((m[row]! & Mark.AckSeen) === 0) {
        m[row]! |= Mark.AckSeen;
        this.ackBase.data[row] = ack;
        this.ackMax.data[row] = ack;
      } else if (after(ack, this.ackMax.data[row]!)) {
        this.ackedBytes.data[row]! += diff(ack, this.ackMax.data[row]!);
        this.ackMax.data[row] = ack;
      }
      this.ackLast.data[row] = ack;
    }

    // windows
    if (first) {
      this.winInit.data[row] = win;
      this.winMin.data[row] = win;
      this.winMax.data[row] = win;
    } else {
      const prev = this.winLast.data[row]!;
      const trend = this.winTrend.data[row]! as Trend;
      if (win < prev) {
        this.winDown.data[row]!++;
        if (trend === Trend.Up) this.winTurns.data[row]!++;
        this.winTrend.data[row] = Trend.Down;
      } else if (win > prev) {
        this.winUp.data[row]!++;
        if (trend === Trend.Down) this.winTurns.data[row]!++;
        this.winTrend.data[row] = Trend.Up;
      }
      if (win < this.winMin.data[row]!) this.winMin.data[row] = win;
      if (win > this.winMax.data[row]!) this.winMax.data[row] = win;
    }
    this.winSum.data[row]! += win;
    this.winLast.data[row] = win;

    this.tcpPkts.data[row]!++;
    this.lastFlags.data[row] = flags;
    this.lastAnomaly.data[row] = anomaly;
    this.flagsOr.data[row]! |= composite;
    this.anomalyOr.data[row]! |= anomaly;
    this.fstat.data[row]! |= fstat;
    if (this.winTrend.data[row] === Trend.Up) this.fstat.data[row]! |= TcpFStat.WinUp;
    else this.fstat.data[row]! &= ~TcpFStat.WinUp;
    this.lastFStat.data[row] = fstat;

    const optStart = pkt.l4Offset + 20;
    this.pktSeq.push(seq);
    this.pktAck.push(ack);
    this.pktRelSeq.push(diff(seq, this.relBase.data[row]!));
    this.pktRelAck.push(relAck);
    this.pktFlags.push(composite);
    this.pktWin.push(win);
    this.pktOptOffset.push(headerLen > 20 ? optStart : 0);
    this.pktOptLen.push(headerLen > 20 ? Math.max(0, Math.min(headerLen - 20, ctx.capLen - optStart)) : 0);
    this.pktOptions.push(pkt.tcpOptions);
    this.pktMLen.push(len);
    this.pktAnomaly.push(anomaly);
    this.pktMss.push(pkt.tcpMss >= 0 ? pkt.tcpMss : 0);
    this.pktWscale.push(pkt.tcpWscale >= 0 ? pkt.tcpWscale + 1 : 0);
  }

  /** Tranalyzer's scan heuristic at the flow's end (reference §3.3), including its misfires. */
  flowEnded(rowA: number, rowB: number, rows: FlowRows): void {
    const a = this.anomalyOr.data, n = this.tcpPkts.data;
    for (let row = rowA; row <= rowB; row++) {
      if (!rows.exists(row) || n[row] === 0) continue;
      if ((a[row]! & TcpAnomaly.SynRetry) || (this.flagsOr.data[row]! & (TcpFlag.Syn | TcpFlag.Fin | TcpFlag.ScanFlags)) === 0) continue;
      if (n[row]! < SCAN_MAX_PACKETS && (a[row]! & (TcpAnomaly.Scan | TcpAnomaly.ScanSuccess)) === 0) {
        a[row]! |= TcpAnomaly.Scan;
        this.scans++;
      }
      const rev = rows.reverse(row);
      if (!rows.exists(rev) || n[rev] === 0) continue;
      const scanned = (x: number) => (a[x]! & (TcpAnomaly.Scan | TcpAnomaly.ScanSuccess)) === TcpAnomaly.Scan;
      if (scanned(row) || (scanned(rev) && n[row]! < SCAN_MAX_PACKETS && n[rev]! < SCAN_MAX_PACKETS)) {
        a[row]! |= TcpAnomaly.ScanSuccess;
        a[rev]! |= TcpAnomaly.ScanSuccess;
        this.successfulScans++;
      }
    }
  }

  finish(ctx: FinishContext): { flowColumns: Column[]; packetColumns: Column[] } {
    const order = ctx.flowOrder;
    const F = (name: string) => def(name, TCP_FLAGS_FLOW_COLUMNS);
    const P = (name: string) => def(name, TCP_FLAGS_PACKET_COLUMNS);
    const n = order.length;
    const m = this.marks.data;
    const num = (name: string, g: Growable<Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>) =>
      new NumberColumn(F(name), g.reorder(order));
    const perRow = (name: string, fn: (r: number) => number) => new NumberColumn(F(name), Float64Array.from(order, fn));

    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      this.aggIpFlags |= this.ipFlags.data[r]!;
      this.aggFStat |= this.fstat.data[r]!;
      this.aggFlags |= this.flagsOr.data[r]!;
      this.aggAnomaly |= this.anomalyOr.data[r]!;
      this.aggToS |= this.tos.data[r]!;
    }
    const ackedBytes = (r: number): number => {
      let bytes = this.ackedBytes.data[r]!;
      const rev = r ^ 1;
      if ((m[rev]! & Mark.FinSeen) && (m[r]! & Mark.AckSeen)) {
        const finAck = (this.finSeq.data[rev]! + 1) >>> 0;
        if (after(finAck, this.ackBase.data[r]!) && !after(finAck, this.ackMax.data[r]!)) bytes = Math.max(0, bytes - 1);
      }
      return bytes;
    };
    const payload = ctx.payload, fileOffset = ctx.packetFileOffset;
    const optOffset = this.pktOptOffset.finish(), optLen = this.pktOptLen.finish();
    const optionBytes = (p: number): Uint8Array =>
      optLen[p]! === 0 ? new Uint8Array(0) : payload.read(fileOffset[p]! + optOffset[p]!, optLen[p]!);
    const pktWin = this.pktWin.finish(), pktMss = this.pktMss.finish(), pktWscale = this.pktWscale.finish();
    const ja4t = (r: number): string => {
      const p = this.firstSyn.data[r]!;
      if (p < 0) return '';
      const kinds: number[] = [];
      const bytes = optionBytes(p);
      for (let i = 0; i < bytes.length && bytes[i] !== 0;) {
        kinds.push(bytes[i]!);
        if (bytes[i] === 1) { i++; continue; }
        const l = bytes[i + 1] ?? 0;
        if (l < 2) break;
        i += l;
      }
      const mss = pktMss[p]!, ws = pktWscale[p]!;
      return `${pktWin[p]}_${kinds.length ? kinds.join('-') : '00'}_${mss ? String(mss).padStart(2, '0') : '00'}_${ws ? ws - 1 : '00'}`;
    };

    const flowColumns: Column[] = [
      num('tcpFStat', this.fstat),
      perRow('ipMindIPID', (r) => (this.ipPkts.data[r]! > 1 && (m[r]! & Mark.Ipv4Seen) ? this.minDIpId.data[r]! : 0)),
      num('ipMaxdIPID', this.maxDIpId),
      num('ipMinTTL', this.ttlMin),
      num('ipMaxTTL', this.ttlMax),
      num('ipTTLChg', this.ttlChanges),
      num('ipToS', this.tos),
      num('ipFlags', this.ipFlags),
      num('ipOptCnt', this.ipOptCnt),
      num('tcpISeqN', this.isn),
      num('tcpPSeqCnt', this.inSeqCnt),
      num('tcpSeqSntBytes', this.sentBytes),
      num('tcpSeqFaultCnt', this.seqFaults),
      num('tcpPAckCnt', this.ackCnt),
      perRow('tcpFlwLssAckRcvdBytes', ackedBytes),
      num('tcpAckFaultCnt', this.ackFaults),
      num('tcpInitWinSz', this.winInit),
      perRow('tcpAvgWinSz', (r) => (this.tcpPkts.data[r]! > 0 ? this.winSum.data[r]! / this.tcpPkts.data[r]! : 0)),
      num('tcpMinWinSz', this.winMin),
      num('tcpMaxWinSz', this.winMax),
      num('tcpWinSzDwnCnt', this.winDown),
      num('tcpWinSzUpCnt', this.winUp),
      num('tcpWinSzChgDirCnt', this.winTurns),
      num('tcpFlags', this.flagsOr),
      num('tcpAnomaly', this.anomalyOr),
      new ComputedColumn(F('tcpJA4T'), (row) => ja4t(order[row]!)),
      num('tcpOptPktCnt', this.optPkts),
      num('tcpOptCnt', this.optCnt),
      num('tcpOptions', this.options),
      num('tcpMSS', this.mss),
      perRow('tcpWS', (r) => ((this.fstat.data[r]! & TcpFStat.WsUsed) ? 1 << this.wsShift.data[r]! : 0)),
      num('tcpTmS', this.tsVal),
      num('tcpTmER', this.tsEcr),
    ];
    const packetColumns: Column[] = [
      new NumberColumn(P('seq'), this.pktSeq.finish()),
      new NumberColumn(P('ack'), this.pktAck.finish()),
      new NumberColumn(P('relSeq'), this.pktRelSeq.finish()),
      new NumberColumn(P('relAck'), this.pktRelAck.finish()),
      new NumberColumn(P('tcpFlags'), this.pktFlags.finish()),
      new NumberColumn(P('tcpWin'), pktWin),
      new ComputedColumn(P('tcpOpts'), (p) => Array.from(optionBytes(p))),
      new NumberColumn(P('tcpOptions'), this.pktOptions.finish()),
      new NumberColumn(P('tcpMLen'), this.pktMLen.finish()),
      new NumberColumn(P('tcpAnomaly'), this.pktAnomaly.finish()),
    ];
    return { flowColumns, packetColumns };
  }

  report(): ReportLine[] {
    const out: ReportLine[] = [];
    const flag = (name: string, value: number) => {
      if (value !== 0) out.push({ label: `tcpFlags: Aggregated ${name}`, value: BigInt(value), column: name });
    };
    flag('ipFlags', this.aggIpFlags);
    flag('tcpFStat', this.aggFStat);
    flag('tcpFlags', this.aggFlags);
    flag('tcpAnomaly', this.aggAnomaly);
    flag('ipToS', this.aggToS);
    if (this.scans || this.successfulScans) {
      out.push({ label: 'tcpFlags: Number of TCP scans attempted, successful', value: `${this.scans}, ${this.successfulScans}` });
    }
    if (this.synRetries || this.seqRetries) {
      out.push({ label: 'tcpFlags: Number of TCP SYN retries, seq retries', value: `${this.synRetries}, ${this.seqRetries}` });
    }
    return out;
  }
}
