/**
 * tcpFlags: IP and TCP header statistics per flow direction and per packet (reference §3):
 * TTL, IP ID, ToS, IP options and IP flags with header and transport checksums; TCP flags with
 * composite bits, sequence and ACK progress, bytes in flight, windows, options (MPTCP included),
 * the timestamp clock, Tranalyzer's trip-time estimates and anomalies (retransmissions, duplicate
 * ACKs, keep-alives, gaps, scans). Sequence comparisons are modulo 2^32, so wrapping sequence
 * numbers are handled. The packet hook allocates nothing: all state lives in typed arrays.
 */
import type { Analyzer, FinishContext, FlowRows, PacketContext, ReportLine } from '../analyzer.ts';
import type { ColumnDef } from '../../schema/types.ts';
import type { Column } from '../../store/table.ts';
import { ComputedColumn, NumberColumn, TimeColumn } from '../../store/columns.ts';
import { growF64, growI32, growU16, growU32, growU8, type Growable } from '../../store/growable.ts';
import { Layer, PacketStatus } from '../../decode/packet.ts';
import { FlowStatHi } from '../core/schema.ts';
import {
  IpFlag, TCP_FLAGS_FLOW_COLUMNS, TCP_FLAGS_PACKET_COLUMNS, TcpAnomaly, TcpFlag, TcpFStat,
} from './schema.ts';
import { checksumFieldOffset, fold, pseudoHeaderSum, sum16, usesPseudoHeader } from './checksum.ts';
import { IpOptionScan, scanIpv4Options, scanIpv6Extensions } from './ipOptions.ts';
import { MptcpScan, scanMptcp } from './mptcp.ts';
import { TripTimes } from './tripTimes.ts';
import { optionKinds, readTimestamps, sackBlockBytes } from './tcpOptions.ts';
import {
  LazyNumberColumn, ipComputedChecksum, ipHeaderChecksum, l4ComputedChecksum, l4HeaderChecksum, optionBytes, optionLength,
  readHeaders, running, type HeaderView,
} from './lazyColumns.ts';

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
/** Tranalyzer's WINMIN: windows below it are counted by tcpWinSzThRt */
const WINMIN = 1;
const TIMESTAMP_OPTION_BIT = 1 << 8;
const MPTCP_OPTION_BIT = 1 << 30;

/** Per-direction marks. */
const enum Mark {
  Ip = 1, Ipv4Seen = 2, Tcp = 4, SynSeen = 8, WsOffered = 16, AckSeen = 32, FinSeen = 64, GapOpen = 128,
  TsSeen = 256, FragOpen = 512,
}

/** Per-packet marks. */
const enum PktMark { Ip = 1, Tcp = 2, SeqLenZero = 4, AckLenZero = 8 }

const enum Trend { None = 0, Up = 1, Down = 2 }

/** a is after b in sequence space (modulo 2^32) */
const after = (a: number, b: number): boolean => ((a - b) | 0) > 0;
const diff = (a: number, b: number): number => (a - b) >>> 0;

/** whether the IPv4 header sums to 0xffff (true when the header is not fully captured: nothing to check) */
function ipv4HeaderChecksumOk(ctx: PacketContext): boolean {
  const pkt = ctx.pkt;
  const len = pkt.ipHeaderLen;
  if (len < 20 || pkt.ipOffset + len > ctx.capLen) return true;
  const at = ctx.start + pkt.ipOffset;
  return fold(sum16(ctx.bytes, at, at + len, 0)) === 0xffff;
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

/** Tranalyzer's timestamp clock classes (seconds per tick) from a measured increment. */
function clockClass(secondsPerTick: number): number {
  if (secondsPerTick < 0.002) return 0.001; // Cisco, Windows
  if (secondsPerTick < 0.005) return 0.004; // Linux (HZ 250)
  if (secondsPerTick < 0.02) return 0.01; // Linux (HZ 100)
  if (secondsPerTick < 0.7) return 0.1; // Solaris, OpenBSD
  return 1;
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
  private readonly ipCopyClass = growU8();
  private readonly ipOptNumbers = growU32();
  private readonly ip6HopCnt = growU32();
  private readonly ip6DestCnt = growU32();
  private readonly ip6HopTypes = growU32();
  private readonly ip6DestTypes = growU32();
  private readonly nextFragment = growU32();
  /** an in-order fragmented IPv4 datagram whose transport checksum is being summed */
  private readonly fragChecking = growU8();
  private readonly fragSum = growF64();
  private readonly fragId = growU32();
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
  /** the previous TCP packet's sequence and ACK numbers (Tranalyzer's seqDiff / ackDiff bases) */
  private readonly seqPrev = growU32();
  private readonly ackPrev = growU32();
  /** Tranalyzer's bytes in flight: payload sent in ACK segments since the reverse's last pure ACK */
  private readonly t2InFlight = growU32();
  private readonly t2InFlightMax = growU32();
  /**
   * Wireshark's bytes in flight: the span [bifLow, bifHigh) of the direction's segments not yet
   * acknowledged by the reverse direction (bifPending 0: none), bifNext its highest next sequence
   * number and bifValid whether the measure holds (cleared by a lost segment until an ACK is seen)
   */
  private readonly bifLow = growU32();
  private readonly bifHigh = growU32();
  private readonly bifPending = growU8();
  private readonly bifNext = growU32();
  private readonly bifValid = growU8();
  /** bytes the SACK blocks of the direction's last packet cover (right - left edges summed) */
  private readonly sackedBytes = growU32();
  private readonly inFlightMax = growU32();
  private readonly winLast = growU32();
  private readonly winInit = growU32();
  private readonly winMin = growU32();
  private readonly winMax = growU32();
  private readonly winSum = growF64();
  private readonly winTrend = growU8();
  private readonly winDown = growU32();
  private readonly winUp = growU32();
  private readonly winTurns = growU32();
  private readonly winBelowMin = growU32();
  private readonly wsShift = growU8();
  private readonly optPkts = growU32();
  private readonly optCnt = growU32();
  private readonly options = growU32();
  private readonly mss = growU16();
  private readonly mpSubtypes = growU16();
  private readonly mpFlags = growU8();
  private readonly mpAddressId = growU8();
  private readonly mpDssFlags = growU8();
  private readonly tsVal = growU32();
  private readonly tsEcr = growU32();
  /** the first timestamped packet's TSval and time, the last one's time (for the clock estimate) */
  private readonly tsFirstVal = growU32();
  private readonly tsFirstTime = growF64();
  private readonly tsLastTime = growF64();
  /** packet row of the direction's first SYN (-1: none), for JA4T */
  private readonly firstSyn = growI32();
  private readonly trips = new TripTimes();

  // ---- per packet ----
  private readonly pktMarks: Growable<Uint8Array>;
  private readonly pktIpOff: Growable<Uint16Array>;
  private readonly pktL4Off: Growable<Uint16Array>;
  private readonly pktIpId: Growable<Uint16Array>;
  private readonly pktTtl: Growable<Uint8Array>;
  private readonly pktTos: Growable<Uint8Array>;
  private readonly pktIpFlags: Growable<Uint16Array>;
  private readonly pktSeq: Growable<Uint32Array>;
  private readonly pktAck: Growable<Uint32Array>;
  private readonly pktRelSeq: Growable<Uint32Array>;
  private readonly pktRelAck: Growable<Uint32Array>;
  private readonly pktSeqMax: Growable<Uint32Array>;
  private readonly pktSeqDiff: Growable<Int32Array>;
  private readonly pktAckDiff: Growable<Int32Array>;
  private readonly pktT2InFlight: Growable<Uint32Array>;
  private readonly pktInFlight: Growable<Uint32Array>;
  private readonly pktFStat: Growable<Uint16Array>;
  private readonly pktFlags: Growable<Uint16Array>;
  private readonly pktWin: Growable<Uint32Array>;
  private readonly pktTcpHdrLen: Growable<Uint8Array>;
  private readonly pktOptions: Growable<Uint32Array>;
  private readonly pktMLen: Growable<Uint32Array>;
  private readonly pktAnomaly: Growable<Uint16Array>;
  private readonly pktMss: Growable<Uint16Array>;
  private readonly pktWscale: Growable<Uint8Array>;

  private readonly rowArrays: Growable<Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>[];
  /** scratch results, reused for every packet */
  private readonly ipScan = new IpOptionScan();
  private readonly mpScan = new MptcpScan();
  /** this packet's tcpFStat bits found outside the TCP header (UDP-Lite coverage, fragment checksum) */
  private packetFStat = 0;
  /** whole seconds of the first packet: times are kept relative to it, exact to the nanosecond */
  private baseSec = -1;
  private now = 0;
  /** this packet's seqLen/ackLen marks, set by tcpPacket */
  private pendingPktMarks = 0;
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
    const n = expectedPackets;
    this.pktMarks = growU8(n); this.pktIpOff = growU16(n); this.pktL4Off = growU16(n); this.pktIpId = growU16(n);
    this.pktTtl = growU8(n); this.pktTos = growU8(n); this.pktIpFlags = growU16(n);
    this.pktSeq = growU32(n); this.pktAck = growU32(n); this.pktRelSeq = growU32(n); this.pktRelAck = growU32(n);
    this.pktSeqMax = growU32(n); this.pktSeqDiff = growI32(n); this.pktAckDiff = growI32(n);
    this.pktT2InFlight = growU32(n); this.pktInFlight = growU32(n); this.pktFStat = growU16(n); this.pktFlags = growU16(n);
    this.pktWin = growU32(n); this.pktTcpHdrLen = growU8(n); this.pktOptions = growU32(n); this.pktMLen = growU32(n);
    this.pktAnomaly = growU16(n); this.pktMss = growU16(n); this.pktWscale = growU8(n);
    this.rowArrays = [
      this.marks, this.lastTime, this.ipPkts, this.lastIpId, this.minDIpId, this.maxDIpId, this.ttlLast, this.ttlMin,
      this.ttlMax, this.ttlChanges, this.tos, this.ipFlags, this.ipOptCnt, this.ipCopyClass, this.ipOptNumbers, this.ip6HopCnt,
      this.ip6DestCnt, this.ip6HopTypes, this.ip6DestTypes, this.nextFragment, this.fragChecking, this.fragSum, this.fragId,
      this.tcpPkts, this.fstat, this.flagsOr, this.anomalyOr, this.lastFlags, this.lastAnomaly, this.lastFStat, this.isn,
      this.relBase, this.relBaseSet, this.seqNext, this.seqMax, this.dataMax, this.sentBytes, this.gapStart, this.gapEnd,
      this.finSeq, this.inSeqCnt, this.seqFaults, this.ackCnt, this.ackFaults, this.ackLast, this.ackBase, this.ackMax,
      this.ackedBytes, this.seqPrev, this.ackPrev, this.t2InFlight, this.t2InFlightMax, this.bifLow, this.bifHigh, this.bifPending, this.bifNext, this.bifValid, this.sackedBytes, this.inFlightMax,
      this.winLast, this.winInit, this.winMin, this.winMax, this.winSum, this.winTrend, this.winDown, this.winUp, this.winTurns,
      this.winBelowMin, this.wsShift, this.optPkts, this.optCnt, this.options, this.mss, this.mpSubtypes, this.mpFlags,
      this.mpAddressId, this.mpDssFlags, this.tsVal, this.tsEcr, this.tsFirstVal, this.tsFirstTime, this.tsLastTime, this.firstSyn,
    ];
  }

  flowCreated(row: number): void {
    const last = row | 1;
    const arrays = this.rowArrays;
    for (let i = 0; i < arrays.length; i++) arrays[i]!.ensure(last);
    // rows are never reused; only the reverse direction's ACK may have set this row's relative base
    this.firstSyn.data[row] = -1;
    this.bifValid.data[row] = 1;
    this.trips.flowCreated(row);
  }

  packet(ctx: PacketContext, rows: FlowRows): void {
    const pkt = ctx.pkt;
    const row = ctx.flowRow;
    const isIp = row >= 0 && pkt.ipVersion !== 0;
    // only complete 20-byte TCP headers (a header cut by the snaplen leaves fields unread)
    const isTcp = isIp && pkt.l4Proto === 6 && pkt.tcpHeaderLen > 0 &&
      (pkt.status & (PacketStatus.LaterFragment | PacketStatus.CapLenBelowL4)) === 0;
    // the state bits this direction carried before this packet (Tranalyzer prints them with the packet's own)
    const priorFStat = isIp ? this.fstat.data[row]! & TcpFStat.State : 0;
    this.packetFStat = 0;
    if (this.baseSec < 0) this.baseSec = ctx.tsSec;
    this.now = (ctx.tsSec - this.baseSec) + ctx.tsNsec / 1e9;
    if (isIp) {
      const rev = rows.reverse(row);
      this.trips.packet(row, this.now, rows.exists(rev) && this.ipPkts.data[rev]! > 0 ? this.lastTime.data[rev]! : NaN);
      this.ipPacket(ctx, row);
    } else {
      this.pktIpOff.push(0); this.pktL4Off.push(0); this.pktIpId.push(0); this.pktTtl.push(0); this.pktTos.push(0);
      this.pktIpFlags.push(0);
    }
    if (isTcp) {
      this.tcpPacket(ctx, row, rows, priorFStat);
      this.trips.tcp(row, pkt.tcpFlags, rows.exists(rows.reverse(row)));
    } else {
      this.pktSeq.push(0); this.pktAck.push(0); this.pktRelSeq.push(0); this.pktRelAck.push(0); this.pktSeqMax.push(0);
      this.pktSeqDiff.push(0); this.pktAckDiff.push(0); this.pktT2InFlight.push(0); this.pktInFlight.push(0);
      this.pktFStat.push(0); this.pktFlags.push(0); this.pktWin.push(0); this.pktTcpHdrLen.push(0); this.pktOptions.push(0);
      this.pktMLen.push(0); this.pktAnomaly.push(0); this.pktMss.push(0); this.pktWscale.push(0);
      if (isIp) this.trips.notTcp(row);
    }
    this.pktMarks.push((isIp ? PktMark.Ip : 0) | (isTcp ? PktMark.Tcp : 0) | this.pendingPktMarks);
    this.pendingPktMarks = 0;
    if (isIp) this.lastTime.data[row] = this.now;
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
      const dt = this.now - this.lastTime.data[row]!;
      if (dt === 0) flags |= IpFlag.SameTime;
      else if (dt < 0) flags |= IpFlag.TimeBackwards;
    }
    this.ttlLast.data[row] = ttl;
    this.tos.data[row]! |= pkt.tos;
    this.ipPkts.data[row]!++;
    const s = pkt.status;
    const bytes = ctx.bytes, ipAt = ctx.start + pkt.ipOffset, capEnd = ctx.start + ctx.capLen;
    const scan = this.ipScan;
    scan.reset();
    if (pkt.ipVersion === 4) {
      flags |= (pkt.ipFlags >>> 8) & (IpFlag.MoreFragments | IpFlag.DontFragment | IpFlag.Reserved);
      if (pkt.ipHeaderLen > 20) scanIpv4Options(bytes, ipAt + 20, ipAt + pkt.ipHeaderLen, capEnd, scan);
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
    } else {
      if (pkt.moreFragments) flags |= IpFlag.MoreFragments;
      if (pkt.ipv6ExtMask & ((1 << Layer.Ip6HopOpts) | (1 << Layer.Ip6DestOpts))) {
        scanIpv6Extensions(bytes, ipAt, ipAt + pkt.ipHeaderLen, capEnd, scan);
      }
    }
    this.ipOptCnt.data[row]! += scan.count;
    this.ipCopyClass.data[row]! |= scan.copyClass;
    this.ipOptNumbers.data[row]! |= scan.numbers;
    this.ip6HopCnt.data[row]! += scan.hopCount;
    this.ip6DestCnt.data[row]! += scan.destCount;
    this.ip6HopTypes.data[row]! |= scan.hopTypes;
    this.ip6DestTypes.data[row]! |= scan.destTypes;
    if ((s & PacketStatus.IpOptionsCorrupt) || scan.corrupt) flags |= IpFlag.OptCorrupt;
    if (s & PacketStatus.CapLenBelowIpLen) flags |= IpFlag.SnapLen;
    const ipPayload = pkt.ipTotalLen - pkt.ipHeaderLen;
    if (s & PacketStatus.Fragment) {
      flags |= this.fragment(ctx, row, ipPayload);
    } else {
      if (pkt.l4Proto === 17 && pkt.udpLength !== 0 && pkt.udpLength !== ipPayload) flags |= IpFlag.UdpLength;
      flags |= this.transportChecksum(ctx);
    }
    this.ipFlags.data[row]! |= flags;
    this.fstat.data[row]! |= TcpFStat.PktOk | this.packetFStat;

    this.pktIpOff.push(pkt.ipOffset);
    this.pktL4Off.push(pkt.l4Offset);
    this.pktIpId.push(pkt.ipVersion === 4 ? pkt.ipId : 0);
    this.pktTtl.push(ttl);
    this.pktTos.push(pkt.tos);
    this.pktIpFlags.push(flags);
  }

  /** Fragment position and sequence checks, and the transport checksum summed across in-order IPv4 fragments. */
  private fragment(ctx: PacketContext, row: number, ipPayload: number): number {
    const pkt = ctx.pkt;
    const m = this.marks.data;
    let flags = 0;
    if (pkt.fragOffset > 0 && pkt.fragOffset !== this.nextFragment.data[row]) flags |= IpFlag.FragPosition;
    const expected = this.nextFragment.data[row]!;
    this.nextFragment.data[row] = pkt.fragOffset + ipPayload;
    if (pkt.moreFragments && pkt.ipTotalLen < MIN_FRAGMENT) flags |= IpFlag.FragBelowMin;
    if (pkt.fragOffset + ipPayload > 0xffff) flags |= IpFlag.FragOutOfRange;
    if (pkt.fragOffset === 0) {
      if (m[row]! & Mark.FragOpen) flags |= IpFlag.FragSequence; // the previous datagram never completed
      m[row]! |= Mark.FragOpen;
    } else if (ctx.statusHi & FlowStatHi.FragFirstMissing) {
      flags |= IpFlag.FragSequence;
    }
    if (!pkt.moreFragments) m[row]! &= ~Mark.FragOpen;

    // the checksum of an in-order IPv4 datagram, first fragment first
    const proto = pkt.l4Proto, field = checksumFieldOffset(proto);
    const bytes = ctx.bytes, ipAt = ctx.start + pkt.ipOffset, l4At = ctx.start + pkt.l4Offset;
    const end = ipAt + pkt.ipTotalLen;
    const captured = end <= ctx.start + ctx.capLen;
    if (pkt.ipVersion !== 4 || field < 0 || !captured) {
      this.fragChecking.data[row] = 0;
      return flags;
    }
    if (pkt.fragOffset === 0) {
      const zeroUdp = proto === 17 && l4At + 8 <= end && bytes[l4At + 6] === 0 && bytes[l4At + 7] === 0;
      this.fragChecking.data[row] = zeroUdp || l4At + field + 2 > end ? 0 : 1;
      this.fragId.data[row] = pkt.ipId;
      this.fragSum.data[row] = (usesPseudoHeader(proto, 4) ? pseudoHeaderSum(bytes, ipAt, proto, 0) : 0) + sum16(bytes, l4At, end, 0);
    } else if (this.fragChecking.data[row] && pkt.ipId === this.fragId.data[row] && pkt.fragOffset === expected) {
      this.fragSum.data[row]! += sum16(bytes, l4At, end, 0);
      if (!pkt.moreFragments) {
        const total = pkt.fragOffset + (end - l4At);
        const sum = this.fragSum.data[row]! + (usesPseudoHeader(proto, 4) ? (total >>> 16) + (total & 0xffff) : 0);
        if (fold(sum) !== 0xffff) flags |= IpFlag.L4Checksum;
        this.packetFStat |= TcpFStat.L4ChecksumFragments;
        this.fragChecking.data[row] = 0;
      }
    } else {
      this.fragChecking.data[row] = 0;
    }
    return flags;
  }

  /** The transport checksum of an unfragmented, fully captured datagram: IpFlag.L4Checksum when wrong. */
  private transportChecksum(ctx: PacketContext): number {
    const pkt = ctx.pkt;
    const proto = pkt.l4Proto, field = checksumFieldOffset(proto);
    if (field < 0 || pkt.l4Offset === 0) return 0;
    if ((proto === 1 || proto === 2) && pkt.ipVersion !== 4) return 0;
    if (proto === 58 && pkt.ipVersion !== 6) return 0;
    const bytes = ctx.bytes, ipAt = ctx.start + pkt.ipOffset, l4At = ctx.start + pkt.l4Offset;
    const end = ipAt + pkt.ipTotalLen;
    if (end > ctx.start + ctx.capLen || l4At + field + 2 > end) return 0;
    const l4Len = end - l4At;
    let covered = l4Len;
    if (proto === 17 && pkt.ipVersion === 4 && bytes[l4At + 6] === 0 && bytes[l4At + 7] === 0) return 0; // no checksum sent
    if (proto === 136) {
      const coverage = (bytes[l4At + 4]! << 8) | bytes[l4At + 5]!;
      if (coverage !== 0 && (coverage < 8 || coverage > l4Len)) {
        this.packetFStat |= TcpFStat.UdpLiteCoverage;
        return 0;
      }
      if (coverage !== 0) covered = coverage;
    }
    let sum = usesPseudoHeader(proto, pkt.ipVersion) ? pseudoHeaderSum(bytes, ipAt, proto, l4Len) : 0;
    sum = sum16(bytes, l4At, l4At + covered, sum);
    return fold(sum) === 0xffff ? 0 : IpFlag.L4Checksum;
  }

  private tcpPacket(ctx: PacketContext, row: number, rows: FlowRows, priorFStat: number): void {
    const pkt = ctx.pkt;
    const m = this.marks.data;
    const rev = rows.reverse(row);
    const revExists = rows.exists(rev);
    const hasRev = revExists && this.tcpPkts.data[rev]! > 0;
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
    const optStart = ctx.start + pkt.l4Offset + 20, optEnd = Math.min(ctx.start + pkt.l4Offset + headerLen, ctx.start + ctx.capLen);
    if (headerLen > 20) {
      this.optPkts.data[row]!++;
      this.optCnt.data[row]! += pkt.tcpOptCount - (hasEol ? 1 : 0);
      this.options.data[row]! |= opts;
    }
    if (pkt.tcpMss >= 0) this.mss.data[row] = pkt.tcpMss;
    if (pkt.tcpSackBlocks > 0) fstat |= TcpFStat.Sack;
    if (opts & MPTCP_OPTION_BIT) {
      fstat |= TcpFStat.Mptcp;
      const mp = this.mpScan;
      mp.reset();
      scanMptcp(ctx.bytes, optStart, optEnd, mp);
      this.mpSubtypes.data[row]! |= mp.subtypes;
      this.mpFlags.data[row]! |= mp.flags;
      this.mpDssFlags.data[row]! |= mp.dssFlags;
      if (mp.hasAddressId) this.mpAddressId.data[row] = mp.addressId;
    }
    if (pkt.tcpTsVal >= 0) {
      if ((m[row]! & Mark.TsSeen) && after(this.tsVal.data[row]!, pkt.tcpTsVal)) fstat |= TcpFStat.TsDecreasing;
      if ((m[row]! & Mark.TsSeen) === 0) {
        this.tsFirstVal.data[row] = pkt.tcpTsVal;
        this.tsFirstTime.data[row] = this.now;
      }
      m[row]! |= Mark.TsSeen;
      fstat |= TcpFStat.OptInit;
      this.tsVal.data[row] = pkt.tcpTsVal;
      this.tsEcr.data[row] = pkt.tcpTsEcr;
      this.tsLastTime.data[row] = this.now;
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
    const scaled = wsUsed && (flags & SYN) === 0;
    const win = scaled ? pkt.tcpWindow * (1 << this.wsShift.data[row]!) : pkt.tcpWindow;

    // scans and SYNs
    const six = flags & SIX_FLAGS;
    if (six === 0 || six === (FIN | PSH | URG)) anomaly |= TcpAnomaly.Scan;
    // a SYN right after a SYN: Tranalyzer's SYN retransmission or scan (a later repeated SYN is a plain retransmission)
    const synRepeat = (flags & ARSF) === SYN && !first && (this.lastFlags.data[row]! & ARSF) === SYN;
    if (synRepeat) {
      if (this.now - this.lastTime.data[row]! > SYN_RETRY_GAP) { anomaly |= TcpAnomaly.SynRetry; this.synRetries++; }
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

    // Tranalyzer's per-packet sequence and ACK steps (only on ACK segments, against the previous packet)
    let seqDiff = 0, ackDiff = 0, pktMarks = 0;
    if (!first && (flags & ACK)) {
      const lastSfr = (this.lastFlags.data[row]! & SFR) !== 0;
      seqDiff = (seq - this.seqPrev.data[row]!) | 0;
      if (lastSfr && seqDiff === 1) pktMarks |= PktMark.SeqLenZero;
      ackDiff = this.ackPrev.data[row] === 0 ? 0 : (ack - this.ackPrev.data[row]!) | 0;
      if ((lastSfr || (hasRev && (this.lastFlags.data[rev]! & SFR) !== 0)) && ackDiff === 1) pktMarks |= PktMark.AckLenZero;
    }
    this.pendingPktMarks = pktMarks;
    this.seqPrev.data[row] = seq;
    this.ackPrev.data[row] = ack;

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
    if ((flags & SFR) === 0 && win < WINMIN) {
      fstat |= TcpFStat.MinWin;
      this.winBelowMin.data[row]!++;
    }
    const seqMaxBefore = first ? seq : this.seqMax.data[row]!;

    // in sequence: an ACK segment (a RST too) at the sequence number the previous one left off
    if ((flags & ACK) && (first || seq === this.seqNext.data[row])) this.inSeqCnt.data[row]!++;
    if (first) {
      this.isn.data[row] = seq;
      this.seqNext.data[row] = end;
      this.seqMax.data[row] = end;
      this.dataMax.data[row] = dataEnd;
      this.sentBytes.data[row] = len;
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

    // bytes in flight: Tranalyzer's count of ACK-segment payload since the reverse's last pure ACK ...
    if ((flags & ARSF) === ACK && revExists) {
      this.t2InFlight.data[rev] = 0;
      this.t2InFlight.data[row]! += len;
      if (this.t2InFlight.data[row]! > this.t2InFlightMax.data[row]!) this.t2InFlightMax.data[row] = this.t2InFlight.data[row]!;
    }
    if (hasRev && (fstat & (TcpFStat.ZeroWinProbe | TcpFStat.ZeroWinProbeAck)) === 0 && this.t2InFlight.data[row]! >= this.winLast.data[rev]! &&
        (this.lastFlags.data[rev]! & RST) === 0 && (this.flagsOr.data[row]! & SYN) !== 0) {
      fstat |= TcpFStat.WinFull;
    }
    this.sackedBytes.data[row] = pkt.tcpSackBlocks > 0 ? sackBlockBytes(ctx.bytes, optStart, optEnd) : 0;
    const inFlight = this.wiresharkInFlight(row, rev, flags, seq, ack, len, zeroWinProbe);

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
    const trendUp = this.winTrend.data[row] === Trend.Up;
    if (trendUp) this.fstat.data[row]! |= TcpFStat.WinUp;
    else this.fstat.data[row]! &= ~TcpFStat.WinUp;
    this.lastFStat.data[row] = fstat;

    // the packet's value: the direction's state bits before it, its own bits, the trend and scaling after it
    const packetFStat = ((priorFStat | fstat | this.packetFStat) & ~(TcpFStat.WinUp | TcpFStat.WsUsed)) |
      (trendUp ? TcpFStat.WinUp : 0) | (scaled ? TcpFStat.WsUsed : 0);
    this.pktSeq.push(seq);
    this.pktAck.push(ack);
    this.pktRelSeq.push(diff(seq, this.relBase.data[row]!));
    this.pktRelAck.push(relAck);
    this.pktSeqMax.push(seqMaxBefore);
    this.pktSeqDiff.push(seqDiff);
    this.pktAckDiff.push(ackDiff);
    this.pktT2InFlight.push(this.t2InFlight.data[row]!);
    this.pktInFlight.push(inFlight);
    this.pktFStat.push(packetFStat);
    this.pktFlags.push(composite);
    this.pktWin.push(win);
    this.pktTcpHdrLen.push(headerLen);
    this.pktOptions.push(pkt.tcpOptions);
    this.pktMLen.push(len);
    this.pktAnomaly.push(anomaly);
    this.pktMss.push(pkt.tcpMss >= 0 ? pkt.tcpMss : 0);
    this.pktWscale.push(pkt.tcpWscale >= 0 ? pkt.tcpWscale + 1 : 0);
  }

  /**
   * Wireshark's (4.0) tcp.analysis.bytes_in_flight after a segment of `row`: the span of its
   * segments the reverse direction has not acknowledged, less the bytes the reverse direction's
   * last SACK blocks cover, on segments with data, unless a segment was lost since the reverse
   * direction's last ACK. Kept as one span per direction (Wireshark keeps the list of segments;
   * the two differ only when a hole sits right at the ACK number).
   */
  private wiresharkInFlight(row: number, rev: number, flags: number, seq: number, ack: number, len: number, zeroWinProbe: boolean): number {
    const low = this.bifLow.data, high = this.bifHigh.data, pending = this.bifPending.data, next = this.bifNext.data;
    if (flags & ACK) this.bifValid.data[rev] = 1;
    if (next[row] !== 0 && after(seq, next[row]!) && (flags & RST) === 0) this.bifValid.data[row] = 0;
    let end = (seq + len) >>> 0;
    if (len > 0 || (flags & (SYN | FIN))) {
      if (flags & (SYN | FIN)) end = (end + 1) >>> 0;
      if (!pending[row]) { pending[row] = 1; low[row] = seq; high[row] = end; } else {
        if (after(low[row]!, seq)) low[row] = seq;
        if (after(end, high[row]!)) high[row] = end;
      }
    }
    if ((after(end, next[row]!) || next[row] === 0) && !zeroWinProbe) next[row] = end;
    // this packet's ACK number retires the reverse direction's segments below it
    if (pending[rev]) {
      if (!after(high[rev]!, ack)) pending[rev] = 0;
      else if (after(ack, low[rev]!)) low[rev] = ack;
    }
    if (len === 0 || !pending[row] || !this.bifValid.data[row]) return 0;
    let span = (diff(high[row]!, low[row]!) - this.sackedBytes.data[rev]!) | 0;
    if (span <= 0 || span >= 2_000_000_000) return 0;
    // a SYN or FIN of this segment takes a sequence number but is no byte in flight
    if (flags & (SYN | FIN)) span--;
    if (span > this.inFlightMax.data[row]!) this.inFlightMax.data[row] = span;
    return span;
  }

  /** At the flow's end: Tranalyzer's scan heuristic (reference §3.3), including its misfires, and unfinished fragments. */
  flowEnded(rowA: number, rowB: number, rows: FlowRows): void {
    const a = this.anomalyOr.data, n = this.tcpPkts.data;
    for (let row = rowA; row <= rowB; row++) {
      if (rows.exists(row) && (this.marks.data[row]! & Mark.FragOpen)) this.ipFlags.data[row]! |= IpFlag.FragSequence;
      if (!rows.exists(row) || n[row] === 0) continue;
      if ((a[row]! & TcpAnomaly.SynRetry) || (this.flagsOr.data[row]! & (TcpFlag.Syn | TcpFlag.Fin | TcpFlag.ScanFlags)) === 0) continue;
      if (n[row]! < SCAN_MAX_PACKETS && (a[row]! & (TcpAnomaly.Scan | TcpAnomaly.ScanSuccess)) === 0) {
        a[row]! |= TcpAnomaly.Scan;
        this.scans++;
      }
      const rev = rows.reverse(row);
      if (!rows.exists(rev) || n[rev] === 0) continue;
      const scanned = (a[row]! & (TcpAnomaly.Scan | TcpAnomaly.ScanSuccess)) === TcpAnomaly.Scan;
      const revScanned = (a[rev]! & (TcpAnomaly.Scan | TcpAnomaly.ScanSuccess)) === TcpAnomaly.Scan;
      if (scanned || (revScanned && n[row]! < SCAN_MAX_PACKETS && n[rev]! < SCAN_MAX_PACKETS)) {
        a[row]! |= TcpAnomaly.ScanSuccess;
        a[rev]! |= TcpAnomaly.ScanSuccess;
        this.successfulScans++;
      }
    }
  }

  /** tcpEcI: Tranalyzer's estimate of the direction's timestamp clock (seconds per tick), 0 without timestamps. */
  private clockIncrement(r: number): number {
    if ((this.options.data[r]! & TIMESTAMP_OPTION_BIT) === 0) return 0;
    const ticks = (this.tsVal.data[r]! - this.tsFirstVal.data[r]!) >>> 0;
    if (ticks !== 0) return clockClass((this.tsLastTime.data[r]! - this.tsFirstTime.data[r]!) / ticks);
    const ttl = this.ttlMin.data[r]!;
    return ttl >= 128 ? 0.1 : ttl >= 64 ? 0.004 : ttl > 32 ? 0.01 : 0.001;
  }

  finish(ctx: FinishContext): { flowColumns: Column[]; packetColumns: Column[] } {
    const order = ctx.flowOrder;
    const n = order.length;
    const m = this.marks.data;
    const flows = new Map<string, Column>();
    const flowDef = (name: string): ColumnDef => {
      const d = TCP_FLAGS_FLOW_COLUMNS.find((c) => c.name === name);
      if (!d) throw new Error(`tcpFlags: no flow column ${name}`);
      return d;
    };
    const num = (name: string, g: Growable<Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>) =>
      flows.set(name, new NumberColumn(flowDef(name), g.reorder(order)));
    // a plain loop: Float64Array.from(order, fn) is ~20x slower on large tables
    const perRow = (name: string, fn: (r: number) => number) => {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = fn(order[i]!);
      flows.set(name, new NumberColumn(flowDef(name), values));
    };
    const text = (name: string, fn: (r: number) => string) => flows.set(name, new ComputedColumn(flowDef(name), (row) => fn(order[row]!)));
    const hex = (v: number, digits: number) => '0x' + (v >>> 0).toString(16).padStart(digits, '0');

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
    const payload = ctx.payload, fileOffset = ctx.packetFileOffset, capLen = ctx.packetCapLen;
    const l4Off = this.pktL4Off.finish(), tcpHdrLen = this.pktTcpHdrLen.finish();
    const tcpOptionBytes = (p: number): Uint8Array => {
      const hdr = tcpHdrLen[p]!;
      if (hdr <= 20) return new Uint8Array(0);
      const start = l4Off[p]! + 20, len = Math.max(0, Math.min(hdr - 20, capLen[p]! - start));
      return len === 0 ? new Uint8Array(0) : payload.read(fileOffset[p]! + start, len);
    };
    const pktWin = this.pktWin.finish(), pktMss = this.pktMss.finish(), pktWscale = this.pktWscale.finish();
    const ja4t = (r: number): string => {
      const p = this.firstSyn.data[r]!;
      if (p < 0) return '';
      const kinds = optionKinds(tcpOptionBytes(p));
      const mss = pktMss[p]!, ws = pktWscale[p]!;
      return `${pktWin[p]}_${kinds.length ? kinds.join('-') : '00'}_${mss ? String(mss).padStart(2, '0') : '00'}_${ws ? ws - 1 : '00'}`;
    };
    const inverted = (r: number) => (r & 1) === 1;
    const hasReverse = (r: number) => this.ipPkts.data[r ^ 1]! > 0;
    const uptime = (r: number) => this.tsVal.data[r]! * this.clockIncrement(r);
    // tcpBtm: the last timestamped packet's time minus the up time, as whole seconds and nanoseconds
    const bootSec = new Float64Array(n), bootNsec = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      if ((this.options.data[r]! & TIMESTAMP_OPTION_BIT) === 0) continue;
      const ns = Math.round((this.tsLastTime.data[r]! - uptime(r)) * 1e9);
      const sec = Math.floor(ns / 1e9);
      bootSec[i] = this.baseSec + sec;
      bootNsec[i] = ns - sec * 1e9;
    }

    num('tcpFStat', this.fstat);
    perRow('ipMindIPID', (r) => (this.ipPkts.data[r]! > 1 && (m[r]! & Mark.Ipv4Seen) ? this.minDIpId.data[r]! : 0));
    num('ipMaxdIPID', this.maxDIpId);
    num('ipMinTTL', this.ttlMin);
    num('ipMaxTTL', this.ttlMax);
    num('ipTTLChg', this.ttlChanges);
    num('ipToS', this.tos);
    num('ipFlags', this.ipFlags);
    num('ipOptCnt', this.ipOptCnt);
    text('ipOptCpCl_Num', (r) => `${hex(this.ipCopyClass.data[r]!, 2)}_${hex(this.ipOptNumbers.data[r]!, 8)}`);
    num('ipOptCpCl', this.ipCopyClass);
    num('ipOptNum', this.ipOptNumbers);
    text('ip6OptCntHH_D', (r) => `${this.ip6HopCnt.data[r]}_${this.ip6DestCnt.data[r]}`);
    text('ip6OptHH_D', (r) => `${hex(this.ip6HopTypes.data[r]!, 8)}_${hex(this.ip6DestTypes.data[r]!, 8)}`);
    num('ip6OptCntHH', this.ip6HopCnt);
    num('ip6OptCntD', this.ip6DestCnt);
    num('ip6OptHH', this.ip6HopTypes);
    num('ip6OptD', this.ip6DestTypes);
    num('tcpISeqN', this.isn);
    num('tcpPSeqCnt', this.inSeqCnt);
    num('tcpSeqSntBytes', this.sentBytes);
    num('tcpSeqFaultCnt', this.seqFaults);
    num('tcpPAckCnt', this.ackCnt);
    perRow('tcpFlwLssAckRcvdBytes', ackedBytes);
    num('tcpAckFaultCnt', this.ackFaults);
    num('tcpBFlgtMx', this.t2InFlightMax);
    num('tcpBytesInFlightMax', this.inFlightMax);
    num('tcpInitWinSz', this.winInit);
    perRow('tcpAvgWinSz', (r) => (this.tcpPkts.data[r]! > 0 ? this.winSum.data[r]! / this.tcpPkts.data[r]! : 0));
    num('tcpMinWinSz', this.winMin);
    num('tcpMaxWinSz', this.winMax);
    num('tcpWinSzDwnCnt', this.winDown);
    num('tcpWinSzUpCnt', this.winUp);
    num('tcpWinSzChgDirCnt', this.winTurns);
    perRow('tcpWinSzThRt', (r) => (this.tcpPkts.data[r]! > 0 ? this.winBelowMin.data[r]! / this.tcpPkts.data[r]! : 0));
    num('tcpFlags', this.flagsOr);
    num('tcpAnomaly', this.anomalyOr);
    text('tcpJA4T', ja4t);
    num('tcpOptPktCnt', this.optPkts);
    num('tcpOptCnt', this.optCnt);
    num('tcpOptions', this.options);
    num('tcpMSS', this.mss);
    perRow('tcpWS', (r) => ((this.fstat.data[r]! & TcpFStat.WsUsed) ? 1 << this.wsShift.data[r]! : 0));
    num('tcpMPTBF', this.mpSubtypes);
    num('tcpMPF', this.mpFlags);
    num('tcpMPAID', this.mpAddressId);
    num('tcpMPDSSF', this.mpDssFlags);
    num('tcpTmS', this.tsVal);
    num('tcpTmER', this.tsEcr);
    perRow('tcpEcI', (r) => this.clockIncrement(r));
    perRow('tcpUtm', uptime);
    flows.set('tcpBtm', new TimeColumn(flowDef('tcpBtm'), bootSec, bootNsec, ctx.tsDigits));
    const t = this.trips;
    perRow('tcpSSASAATrip', (r) => t.trip.data[r]!);
    perRow('tcpRTTAckTripMin', (r) => t.min.data[r]!);
    perRow('tcpRTTAckTripMax', (r) => t.max.data[r]!);
    perRow('tcpRTTAckTripAvg', (r) => t.mean.data[r]!);
    perRow('tcpRTTAckTripJitAvg', (r) => Math.sqrt(t.jitter.data[r]!));
    perRow('tcpRTTSseqAA', (r) => t.roundTrip(r, inverted(r), hasReverse(r)));
    perRow('tcpRTTAckJitAvg', (r) => t.roundTripJitter(r, inverted(r), hasReverse(r)));

    return { flowColumns: TCP_FLAGS_FLOW_COLUMNS.map((d) => flows.get(d.name)!), packetColumns: this.packetColumnsOf(ctx, tcpOptionBytes) };
  }

  private packetColumnsOf(ctx: FinishContext, tcpOptionBytes: (p: number) => Uint8Array): Column[] {
    const count = ctx.packetCount, flowRow = ctx.packetFlowRow, storageRows = this.marks.length;
    const payload = ctx.payload, fileOffset = ctx.packetFileOffset, capLen = ctx.packetCapLen;
    const marks = this.pktMarks.finish(), ipOff = this.pktIpOff.finish(), l4Off = this.pktL4Off.finish();
    const seqDiff = this.pktSeqDiff.finish(), ackDiff = this.pktAckDiff.finish(), fstat = this.pktFStat.finish();
    const ipId = this.pktIpId.finish(), mlen = this.pktMLen.finish(), mss = this.pktMss.finish(), options = this.pktOptions.finish();
    const cols = new Map<string, Column>();
    const def = (name: string): ColumnDef => {
      const d = TCP_FLAGS_PACKET_COLUMNS.find((c) => c.name === name);
      if (!d) throw new Error(`tcpFlags: no packet column ${name}`);
      return d;
    };
    const stored = (name: string, values: ArrayLike<number>) => cols.set(name, new NumberColumn(def(name), values));
    const lazy = (name: string, build: () => ArrayLike<number>) => cols.set(name, new LazyNumberColumn(def(name), build));
    const perPacket = (name: string, fn: (p: number) => number) => lazy(name, () => Float64Array.from({ length: count }, (_, p) => fn(p)));

    // header fields read back from the file, one packet at a time
    const headers = (p: number): HeaderView | null =>
      (marks[p]! & PktMark.Ip) ? readHeaders((o, l) => payload.read(o, l), fileOffset[p]!, capLen[p]!, ipOff[p]!, l4Off[p]!) : null;
    const fromHeaders = (name: string, fn: (h: HeaderView) => number) => cols.set(name, new ComputedColumn(def(name), (p) => {
      const h = headers(p);
      return h ? fn(h) : 0;
    }));
    const bytesFromHeaders = (name: string, which: 'ipv4' | 'hop' | 'dest') => cols.set(name, new ComputedColumn(def(name), (p) => {
      const h = headers(p);
      return h ? optionBytes(h, which) : [];
    }));
    const mptcp = (p: number): MptcpScan => {
      const scan = new MptcpScan();
      if (options[p]! & MPTCP_OPTION_BIT) {
        const b = tcpOptionBytes(p);
        scanMptcp(b, 0, b.length, scan);
      }
      return scan;
    };
    const timestamps = (which: 0 | 1) => running(count, flowRow, storageRows, (p, state, r) => {
      if (options[p]! & TIMESTAMP_OPTION_BIT) {
        const b = tcpOptionBytes(p), ts = new Uint32Array(2);
        if (readTimestamps(b, 0, b.length, ts)) state[r] = ts[which]!;
      }
      return state[r]!;
    });

    stored('ipToS', this.pktTos.finish());
    stored('ipID', ipId);
    // the running state holds the previous ID + 0x10000 (0: no packet yet)
    lazy('ipIDDiff', () => running(count, flowRow, storageRows, (p, last, r) => {
      if (!(marks[p]! & PktMark.Ip)) return 0;
      const seen = last[r]! >= 0x10000;
      const d = seen ? ipId[p]! - (last[r]! - 0x10000) : 0;
      last[r] = ipId[p]! + 0x10000;
      return d;
    }));
    fromHeaders('ipFrag', (h) => h.fragWord);
    stored('ipTTL', this.pktTtl.finish());
    fromHeaders('ipHdrChkSum', ipHeaderChecksum);
    fromHeaders('ipCalChkSum', ipComputedChecksum);
    fromHeaders('l4HdrChkSum', l4HeaderChecksum);
    fromHeaders('l4CalChkSum', l4ComputedChecksum);
    stored('ipFlags', this.pktIpFlags.finish());
    fromHeaders('ip6HHOptLen', (h) => optionLength(h, 'hop'));
    bytesFromHeaders('ip6HHOpts', 'hop');
    fromHeaders('ip6DOptLen', (h) => optionLength(h, 'dest'));
    bytesFromHeaders('ip6DOpts', 'dest');
    fromHeaders('ipOptLen', (h) => optionLength(h, 'ipv4'));
    bytesFromHeaders('ipOpts', 'ipv4');
    stored('seq', this.pktSeq.finish());
    stored('ack', this.pktAck.finish());
    stored('relSeq', this.pktRelSeq.finish());
    stored('relAck', this.pktRelAck.finish());
    stored('seqMax', this.pktSeqMax.finish());
    stored('seqDiff', seqDiff);
    stored('ackDiff', ackDiff);
    const seqLen = (p: number) => (seqDiff[p]! > 0 && !(marks[p]! & PktMark.SeqLenZero) ? seqDiff[p]! : 0);
    const ackLen = (p: number) => (ackDiff[p]! > 0 && !(marks[p]! & PktMark.AckLenZero) ? ackDiff[p]! : 0);
    perPacket('seqLen', seqLen);
    perPacket('ackLen', ackLen);
    lazy('seqFlowLen', () => running(count, flowRow, storageRows, (p, sum, r) => (sum[r]! += seqLen(p))));
    lazy('ackFlowLen', () => running(count, flowRow, storageRows, (p, sum, r) => (sum[r]! += ackLen(p))));
    lazy('tcpMLen', () => running(count, flowRow, storageRows, (p, sum, r) => (sum[r]! += mlen[p]!)));
    stored('tcpBFlgt', this.pktT2InFlight.finish());
    stored('tcpBytesInFlight', this.pktInFlight.finish());
    stored('tcpFStat', fstat);
    stored('tcpFlags', this.pktFlags.finish());
    stored('tcpAnomaly', this.pktAnomaly.finish());
    stored('tcpWin', this.pktWin.finish());
    perPacket('tcpWS', (p) => (fstat[p]! & TcpFStat.WsUsed ? 1 << this.wsShift.data[flowRow[p]!]! : 0));
    lazy('tcpMSS', () => running(count, flowRow, storageRows, (p, last, r) => (mss[p]! ? (last[r] = mss[p]!) : last[r]!)));
    lazy('tcpTmS', () => timestamps(0));
    lazy('tcpTmER', () => timestamps(1));
    cols.set('tcpMPTyp', new ComputedColumn(def('tcpMPTyp'), (p) => mptcp(p).subtype));
    cols.set('tcpMPF', new ComputedColumn(def('tcpMPF'), (p) => mptcp(p).flags));
    cols.set('tcpMPAID', new ComputedColumn(def('tcpMPAID'), (p) => mptcp(p).addressId));
    cols.set('tcpMPDSSF', new ComputedColumn(def('tcpMPDSSF'), (p) => mptcp(p).dssFlags));
    perPacket('tcpOptLen', (p) => Math.max(0, this.pktTcpHdrLen.data[p]! - 20));
    cols.set('tcpOpts', new ComputedColumn(def('tcpOpts'), (p) => Array.from(tcpOptionBytes(p))));
    stored('tcpOptions', options);
    return TCP_FLAGS_PACKET_COLUMNS.map((d) => {
      const c = cols.get(d.name);
      if (!c) throw new Error(`tcpFlags: packet column ${d.name} not built`);
      return c;
    });
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
