/**
 * The flow store: consumes packets from a capture reader, decodes them, finds or creates their
 * bidirectional flow (Tranalyzer's core, reference §5) and lets every analyzer see each packet.
 * Storage rows: flow k (0-based, flowInd k + 1) keeps its A direction in row 2k and B in 2k + 1.
 * The hot path allocates nothing: keys are packed into typed arrays, the hash is open addressing.
 */
import type { Analyzer, FlowRows, PacketContext } from '../analyzers/analyzer.ts';
import { FlowStatHi, FlowStatLo } from '../analyzers/core/schema.ts';
import type { CaptureSink, CaptureWarning } from '../capture/types.ts';
import { decodePacket } from '../decode/decode.ts';
import { DecodedPacket, PacketStatus } from '../decode/packet.ts';
import { growF64, growI32, growU32, growU8, type Growable } from './growable.ts';

/** Tranalyzer's core FLOW_TIMEOUT (seconds); tcpStates shortens it for TCP flows. */
export const DEFAULT_FLOW_TIMEOUT = 182;
const KEY_WORDS = 10; // src(4) dst(4) ports meta
const MAX_WARNINGS = 100;

const enum Family { L2 = 0, V4 = 1, V6 = 2 }

class MutableContext implements PacketContext {
  pkt: DecodedPacket;
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  start = 0;
  capLen = 0;
  wireLen = 0;
  tsSec = 0;
  tsNsec = 0;
  time = 0;
  fileOffset = 0;
  packetRow = 0;
  flowRow = -1;
  statusLo = 0;
  statusHi = 0;
  constructor(pkt: DecodedPacket) {
    this.pkt = pkt;
  }
}

export interface ProtoCount { packets: number; bytes: number }

/** Counters for the end report, filled while loading. */
export class LoadCounters {
  packets = 0;
  capturedBytes = 0;
  wireBytes = 0;
  l2Packets = 0;
  ipv4Packets = 0;
  ipv6Packets = 0;
  packetsWithoutFlow = 0;
  aPackets = 0;
  bPackets = 0;
  aBytes = 0;
  bBytes = 0;
  arpPackets = 0;
  lldpPackets = 0;
  ipv4Fragments = 0;
  ipv6Fragments = 0;
  truncatedPackets = 0;
  decodeErrors = 0;
  readonly decodeErrorSamples: string[] = [];
  /** packets and bytes per IP protocol number */
  readonly protocols = new Map<number, ProtoCount>();
  /** packets per link type the decoder does not support */
  readonly unsupportedLinkTypes = new Map<number, number>();
  firstSec = -1;
  firstNsec = 0;
  lastSec = -1;
  lastNsec = 0;
  minHeaders = Infinity;
  maxHeaders = 0;
  sumHeaders = 0;
}

export class FlowStore implements CaptureSink, FlowRows {
  readonly pkt = new DecodedPacket();
  private readonly ctx = new MutableContext(this.pkt);
  readonly counters = new LoadCounters();
  readonly warnings: CaptureWarning[] = [];
  private suppressedWarnings = 0;

  // per storage row
  private readonly keys: Growable<Uint32Array>;
  private readonly lastSeen: Growable<Float64Array>;
  private readonly timeouts: Growable<Float64Array>;
  private readonly present: Growable<Uint8Array>;
  readonly statLo: Growable<Uint32Array>;
  readonly statHi: Growable<Uint32Array>;
  private readonly lastIpId: Growable<Int32Array>;
  private readonly family: Growable<Uint8Array>;
  // per flow (pair)
  private readonly ended: Growable<Uint8Array>;
  /** which direction's SYN opened the flow: 0 none, 1 the A row's, 2 the B row's; and its sequence number */
  private readonly synSide: Growable<Uint8Array>;
  private readonly synSeq: Growable<Uint32Array>;
  private pairs = 0;
  // open-addressing hash: slot -> storage row + 1 (0 = empty)
  private slots: Int32Array;
  private slotHashes: Uint32Array;
  private slotsUsed = 0;
  private readonly key = new Uint32Array(KEY_WORDS);
  private readonly reverseKey = new Uint32Array(KEY_WORDS);
  /** first IPv4/IPv6 fragments: (addresses, protocol, id) -> ports word, for the later fragments */
  private readonly fragmentPorts = new Map<string, number>();

  // per packet
  readonly packetFlowRow: Growable<Int32Array>;
  readonly packetSec: Growable<Uint32Array>;
  readonly packetNsec: Growable<Uint32Array>;
  /** the packet's flowStat as (low, high) 32-bit words, two per packet: a 64-bit column without a copy */
  readonly packetStatWords: Growable<Uint32Array>;

  constructor(readonly file: string, readonly analyzers: readonly Analyzer[], expectedPackets = 1024) {
    const flowGuess = Math.max(1024, expectedPackets >> 4);
    this.keys = growU32(flowGuess * KEY_WORDS);
    this.lastSeen = growF64(flowGuess);
    this.timeouts = growF64(flowGuess);
    this.present = growU8(flowGuess);
    this.statLo = growU32(flowGuess);
    this.statHi = growU32(flowGuess);
    this.lastIpId = growI32(flowGuess);
    this.family = growU8(flowGuess);
    this.ended = growU8(flowGuess >> 1);
    this.synSide = growU8(flowGuess >> 1);
    this.synSeq = growU32(flowGuess >> 1);
    this.slots = new Int32Array(nextPow2(flowGuess * 2));
    this.slotHashes = new Uint32Array(this.slots.length);
    this.packetFlowRow = growI32(expectedPackets);
    this.packetSec = growU32(expectedPackets);
    this.packetNsec = growU32(expectedPackets);
    this.packetStatWords = growU32(expectedPackets * 2);
  }

  // ---- FlowRows ----
  get storageRows(): number {
    return this.pairs * 2;
  }
  exists(row: number): boolean {
    return row >= 0 && row < this.present.length && this.present.data[row] === 1;
  }
  setTimeout(row: number, seconds: number): void {
    this.timeouts.data[row] = seconds;
  }
  reverse(row: number): number {
    return row ^ 1;
  }
  flowCount(): number {
    return this.pairs;
  }
  rowFamily(row: number): number {
    return this.family.data[row]!;
  }

  // ---- CaptureSink ----
  warning(w: CaptureWarning): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(w);
    else this.suppressedWarnings++;
  }
  get warningsSuppressed(): number {
    return this.suppressedWarnings;
  }

  packet(
    bytes: Uint8Array, view: DataView, start: number, capLen: number, wireLen: number,
    tsSec: number, tsNsec: number, linkType: number, fileOffset: number,
  ): void {
    const pkt = this.pkt;
    const ctx = this.ctx;
    const c = this.counters;
    decodePacket(bytes, view, start, capLen, wireLen, linkType, pkt);

    const packetRow = c.packets++;
    c.capturedBytes += capLen;
    c.wireBytes += wireLen;
    if (c.firstSec < 0) { c.firstSec = tsSec; c.firstNsec = tsNsec; }
    c.lastSec = tsSec;
    c.lastNsec = tsNsec;
    const time = tsSec + tsNsec / 1e9;

    ctx.bytes = bytes; ctx.view = view; ctx.start = start; ctx.capLen = capLen; ctx.wireLen = wireLen;
    ctx.tsSec = tsSec; ctx.tsNsec = tsNsec; ctx.time = time; ctx.fileOffset = fileOffset; ctx.packetRow = packetRow;
    this.countPacket(pkt, capLen);

    ctx.statusLo = 0;
    ctx.statusHi = 0;
    // the packet's time goes to the helpers through ctx.time: a float argument would be boxed per call
    const row = this.findFlow(pkt);
    ctx.flowRow = row;
    if (row >= 0) {
      this.noteSyn(pkt, row);
      this.packetStatus(pkt, row);
      this.lastSeen.data[row] = time;
      if ((row & 1) === 0) { c.aPackets++; c.aBytes += capLen; } else { c.bPackets++; c.bBytes += capLen; }
    } else {
      c.packetsWithoutFlow++;
    }
    for (let i = 0; i < this.analyzers.length; i++) this.analyzers[i]!.packet(ctx, this);

    this.packetFlowRow.push(row);
    this.packetSec.push(tsSec);
    this.packetNsec.push(tsNsec);
    if (row >= 0) {
      const lo = (this.statLo.data[row]! | ctx.statusLo) >>> 0;
      const hi = (this.statHi.data[row]! | ctx.statusHi) >>> 0;
      this.statLo.data[row] = lo;
      this.statHi.data[row] = hi;
      this.packetStatWords.push(lo);
      this.packetStatWords.push(hi);
    } else {
      this.packetStatWords.push(ctx.statusLo);
      this.packetStatWords.push(ctx.statusHi);
    }
  }

  /** End of capture: every flow still open ends now. */
  finishFlows(): void {
    for (let k = 0; k < this.pairs; k++) this.endPair(k);
  }

  // ---- internals ----

  private countPacket(pkt: DecodedPacket, capLen: number): void {
    const c = this.counters;
    const s = pkt.status;
    if (s & PacketStatus.UnsupportedLink) {
      c.unsupportedLinkTypes.set(pkt.linkType, (c.unsupportedLinkTypes.get(pkt.linkType) ?? 0) + 1);
    }
    if (pkt.ipVersion === 4) c.ipv4Packets++;
    else if (pkt.ipVersion === 6) c.ipv6Packets++;
    else c.l2Packets++;
    if (s & PacketStatus.Arp) c.arpPackets++;
    if (s & PacketStatus.Lldp) c.lldpPackets++;
    if (s & PacketStatus.Fragment) {
      if (pkt.ipVersion === 4) c.ipv4Fragments++; else c.ipv6Fragments++;
    }
    if (s & PacketStatus.Truncated) c.truncatedPackets++;
    if (pkt.error !== '') {
      c.decodeErrors++;
      if (c.decodeErrorSamples.length < 10) c.decodeErrorSamples.push(`packet ${c.packets}: ${pkt.error}`);
    }
    if (pkt.ipVersion !== 0) {
      let pc = c.protocols.get(pkt.l4Proto);
      if (pc === undefined) { pc = { packets: 0, bytes: 0 }; c.protocols.set(pkt.l4Proto, pc); }
      pc.packets++;
      pc.bytes += capLen;
    }
    const n = pkt.numLayers;
    if (n < c.minHeaders) c.minHeaders = n;
    if (n > c.maxHeaders) c.maxHeaders = n;
    c.sumHeaders += n;
  }

  /** Fills this.key; returns false when the packet cannot belong to a flow. */
  private buildKey(pkt: DecodedPacket): boolean {
    const k = this.key;
    const s = pkt.status;
    if (s & PacketStatus.UnsupportedLink) return false;
    let fam: Family;
    let ports: number;
    if (pkt.ipVersion === 4 || pkt.ipVersion === 6) {
      fam = pkt.ipVersion === 4 ? Family.V4 : Family.V6;
      for (let i = 0; i < 4; i++) { k[i] = pkt.src[i]!; k[4 + i] = pkt.dst[i]!; }
      ports = ((pkt.srcPort << 16) | pkt.dstPort) >>> 0;
      if (s & PacketStatus.Fragment) ports = this.fragmentKeyPorts(pkt, ports);
      k[9] = (pkt.l4Proto << 12) | (fam << 20);
    } else if (pkt.hasMac && (pkt.ethType !== 0 || (s & PacketStatus.PureL2) !== 0)) {
      // layer-2 flows (ARP, LLDP, other EtherTypes; 802.3/LLC frames with EtherType 0): MAC pair and EtherType
      fam = Family.L2;
      k[0] = pkt.srcMacHi; k[1] = pkt.srcMacLo; k[2] = 0; k[3] = 0;
      k[4] = pkt.dstMacHi; k[5] = pkt.dstMacLo; k[6] = 0; k[7] = 0;
      ports = pkt.ethType;
      k[9] = Family.L2 << 20;
    } else {
      return false;
    }
    k[8] = ports;
    return true;
  }

  /** The key of the reverse direction (needed only when the packet's own key is not found). */
  private buildReverseKey(): void {
    const k = this.key, r = this.reverseKey;
    for (let i = 0; i < 4; i++) { r[i] = k[4 + i]!; r[4 + i] = k[i]!; }
    const ports = k[8]!;
    r[8] = k[9]! >>> 20 === Family.L2 ? ports : ((ports << 16) | (ports >>> 16)) >>> 0;
    r[9] = k[9]!;
  }

  /** Later fragments carry no ports: they join the flow of their first fragment. */
  private fragmentKeyPorts(pkt: DecodedPacket, ports: number): number {
    const id = `${pkt.src.join('.')}|${pkt.dst.join('.')}|${pkt.l4Proto}|${pkt.ipId}`;
    if (pkt.fragOffset === 0) {
      if (pkt.moreFragments) this.fragmentPorts.set(id, ports);
      return ports;
    }
    const known = this.fragmentPorts.get(id);
    if (known !== undefined) {
      if (!pkt.moreFragments) this.fragmentPorts.delete(id);
      return known;
    }
    this.ctx.statusHi |= FlowStatHi.FragFirstMissing;
    return 0;
  }

  private hashKey(k: Uint32Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < KEY_WORDS; i++) {
      h = Math.imul(h ^ k[i]!, 0x01000193);
      h ^= h >>> 13;
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    return (h ^ (h >>> 13)) >>> 0;
  }

  private keyEquals(row: number, k: Uint32Array): boolean {
    const d = this.keys.data;
    const base = row * KEY_WORDS;
    for (let i = 0; i < KEY_WORDS; i++) if (d[base + i] !== k[i]) return false;
    return true;
  }

  /**
   * Slot holding key k, or the empty slot where it would go. Each slot also keeps its key's hash,
   * so only a slot with the same hash has its key (elsewhere in memory) compared.
   */
  private findSlot(k: Uint32Array): number {
    const slots = this.slots, hashes = this.slotHashes;
    const mask = slots.length - 1;
    const h = this.hashKey(k);
    let slot = h & mask;
    for (;;) {
      const v = slots[slot]!;
      if (v === 0 || (hashes[slot] === h && this.keyEquals(v - 1, k))) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private setSlot(slot: number, row: number, k: Uint32Array): void {
    if (this.slots[slot] === 0) this.slotsUsed++;
    this.slots[slot] = row + 1;
    this.slotHashes[slot] = this.hashKey(k);
    if (this.slotsUsed * 2 > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const old = this.slots, oldHashes = this.slotHashes;
    this.slots = new Int32Array(old.length * 2);
    this.slotHashes = new Uint32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < old.length; i++) {
      const v = old[i]!;
      if (v === 0) continue;
      const h = oldHashes[i]!;
      let slot = h & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = v;
      this.slotHashes[slot] = h;
    }
  }

  /** A flow has ended when both its directions have been idle for their timeouts. */
  private expired(row: number): boolean {
    const time = this.ctx.time;
    const a = row & ~1;
    const p = this.present.data, seen = this.lastSeen.data, to = this.timeouts.data;
    for (let r = a; r <= a + 1; r++) {
      if (p[r] === 1 && time - seen[r]! < to[r]!) return false;
    }
    this.endPair(a >> 1);
    return true;
  }

  private endPair(pair: number): void {
    if (this.ended.data[pair]) return;
    this.ended.data[pair] = 1;
    for (let i = 0; i < this.analyzers.length; i++) this.analyzers[i]!.flowEnded?.(pair * 2, pair * 2 + 1, this);
  }

  /** whether the flow of `row` still takes packets at the packet's time (not ended, not timed out) */
  private alive(row: number): boolean {
    return this.ended.data[row >> 1] === 0 && !this.expired(row);
  }

  /**
   * A SYN without ACK starts a new connection unless it repeats the SYN that opened this flow
   * (same side, same sequence number) — Wireshark's rule for tcp.stream, so port reuse after a
   * close, a retried SYN with a new ISN, or a SYN after a mid-stream start is a new flow.
   */
  private startsNewConnection(pkt: DecodedPacket, row: number): boolean {
    if (pkt.l4Proto !== 6 || (pkt.tcpFlags & 0x12) !== 0x02) return false;
    const pair = row >> 1;
    const side = this.synSide.data[pair]!;
    return !(side === (row & 1) + 1 && this.synSeq.data[pair] === pkt.tcpSeq);
  }

  private noteSyn(pkt: DecodedPacket, row: number): void {
    const pair = row >> 1;
    if (pkt.l4Proto === 6 && (pkt.tcpFlags & 0x12) === 0x02 && this.synSide.data[pair] === 0) {
      this.synSide.data[pair] = (row & 1) + 1;
      this.synSeq.data[pair] = pkt.tcpSeq;
    }
  }

  private findFlow(pkt: DecodedPacket): number {
    if (!this.buildKey(pkt)) return -1;
    const slot = this.findSlot(this.key);
    const found = this.slots[slot]! - 1;
    if (found >= 0 && this.alive(found)) {
      if (!this.startsNewConnection(pkt, found)) return found;
      this.endPair(found >> 1);
    }
    // a new direction: the reverse of a live flow, or a new flow
    this.buildReverseKey();
    const rslot = this.findSlot(this.reverseKey);
    const rev = this.slots[rslot]! - 1;
    let row: number;
    if (rev >= 0 && this.alive(rev) && !this.exists(rev ^ 1) && !this.startsNewConnection(pkt, rev ^ 1)) {
      row = rev ^ 1;
    } else {
      // a live reverse flow that this packet does not join (its SYN starts a new connection) is over
      if (rev >= 0 && this.alive(rev)) this.endPair(rev >> 1);
      const pair = this.pairs++;
      this.ended.ensure(pair);
      this.synSide.ensure(pair);
      this.synSeq.ensure(pair);
      row = pair * 2 + (this.looksLikeReply(pkt) ? 1 : 0);
      this.allocateRows(pair);
    }
    this.keys.ensure(row * KEY_WORDS + KEY_WORDS - 1);
    this.keys.data.set(this.key, row * KEY_WORDS);
    this.present.data[row] = 1;
    this.timeouts.data[row] = DEFAULT_FLOW_TIMEOUT;
    this.family.data[row] = this.key[9]! >>> 20;
    // nothing was inserted since the lookup: `slot` is still the key's slot (or where it goes)
    this.setSlot(slot, row, this.key);
    this.ctx.flowRow = row;
    for (let i = 0; i < this.analyzers.length; i++) this.analyzers[i]!.flowCreated(row, this.ctx, this);
    return row;
  }

  private allocateRows(pair: number): void {
    const last = pair * 2 + 1;
    this.lastSeen.ensure(last);
    this.timeouts.ensure(last);
    this.present.ensure(last);
    this.statLo.ensure(last);
    this.statHi.ensure(last);
    this.lastIpId.ensure(last);
    this.family.ensure(last);
    this.keys.ensure((last + 1) * KEY_WORDS - 1);
  }

  /**
   * Tranalyzer's guess that a flow's first packet is a server's answer (reference §5.1):
   * source port below 1024 and below the destination port, 8080-style ports, or a SYN+ACK.
   */
  private looksLikeReply(pkt: DecodedPacket): boolean {
    if (pkt.ipVersion === 0) return false;
    const sp = pkt.srcPort, dp = pkt.dstPort;
    if (sp < 1024 && sp < dp) return true;
    if (sp !== 0 && (sp & 0xfff6) === 8080) return true;
    return pkt.l4Proto === 6 && (pkt.tcpFlags & 0x12) === 0x12;
  }

  /** This packet's flowStat bits, from the decoder's status and the flow's history. */
  private packetStatus(pkt: DecodedPacket, row: number): void {
    const time = this.ctx.time;
    const s = pkt.status;
    let lo = this.ctx.statusLo, hi = this.ctx.statusHi;
    if (row & 1) lo |= FlowStatLo.Inverted;
    if (s & PacketStatus.NoEthernet) lo |= FlowStatLo.NoEthernet;
    if (s & PacketStatus.PureL2) lo |= FlowStatLo.PureL2;
    if (s & PacketStatus.Lldp) lo |= FlowStatLo.Lldp;
    if (s & PacketStatus.Arp) lo |= FlowStatLo.Arp;
    if (s & PacketStatus.Rarp) lo |= FlowStatLo.Rarp;
    if (s & PacketStatus.Vlan) lo |= FlowStatLo.Vlan;
    if (s & PacketStatus.Bogus) lo |= FlowStatLo.Bogus;
    if (s & PacketStatus.Tunnel) lo |= FlowStatLo.IpInIp;
    if (pkt.ipVersion === 4) { lo |= FlowStatLo.Ipv4; hi |= FlowStatHi.Ipv4Pkt; }
    if (pkt.ipVersion === 6) { lo |= FlowStatLo.Ipv6; hi |= FlowStatHi.Ipv6Pkt; }
    if (pkt.l4Proto === 132) lo |= FlowStatLo.Sctp;
    if (s & PacketStatus.CapLenBelowL2) hi |= FlowStatHi.CapLenL2;
    if (s & PacketStatus.CapLenBelowIpLen) hi |= FlowStatHi.CapLenL3Len;
    if (s & PacketStatus.CapLenBelowL3) hi |= FlowStatHi.CapLenL3;
    if (s & PacketStatus.CapLenBelowL4) hi |= FlowStatHi.CapLenL4;
    if ((s & PacketStatus.Fragment) && pkt.ipVersion === 4) hi |= FlowStatHi.Ipv4Frag;
    if (s & (PacketStatus.Truncated | PacketStatus.LaterFragment)) hi |= FlowStatHi.StopDissect;
    if (s & PacketStatus.Ipv4HdrShort) hi |= FlowStatHi.Ipv4HdrShort;
    if (s & PacketStatus.IpLenMismatch) hi |= FlowStatHi.IpLenMismatch;
    if (s & PacketStatus.VlanPriorityTag) hi |= FlowStatHi.VlanPrioTag;
    if (pkt.ipVersion === 4) {
      const prev = this.lastIpId.data[row]!;
      if (pkt.ipId !== 0 && prev === pkt.ipId) hi |= FlowStatHi.DupIpId;
      this.lastIpId.data[row] = pkt.ipId;
    }
    if (pkt.l4Proto === 6 && pkt.srcPort === pkt.dstPort && sameAddress(pkt)) hi |= FlowStatHi.Land;
    if (this.present.data[row] === 1 && this.lastSeen.data[row]! > time) hi |= FlowStatHi.TimeJump;
    this.ctx.statusLo = lo >>> 0;
    this.ctx.statusHi = hi >>> 0;
  }
}

function sameAddress(pkt: DecodedPacket): boolean {
  for (let i = 0; i < 4; i++) if (pkt.src[i] !== pkt.dst[i]) return false;
  return true;
}

function nextPow2(n: number): number {
  let p = 1024;
  while (p < n) p *= 2;
  return p;
}
