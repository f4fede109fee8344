/**
 * A TCP connection simulator that behaves like two Linux stacks talking through `Network`:
 * three-way handshake with MSS/SACK-permitted/timestamps/window-scale options, data cut into
 * MSS-sized segments limited by the congestion and receive windows, ACKs that are immediate for
 * the first segments (quick-ack) and otherwise every second segment or after the 40 ms delayed-ACK
 * timer, receive windows that grow as data arrives, SACK for out-of-order data, FIN teardown.
 *
 * Sequence numbers are kept relative to each side's ISN and made absolute only on the wire.
 * Each operation (connect, send, shutdown) runs the connection's event queue until no segment is
 * in flight; a pending delayed ACK stays queued, so a later reply can carry it (piggybacking).
 */
import type { IpBytes } from './addr.ts';
import { IPPROTO_TCP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type TcpOption, tcpSegment } from './layers.ts';
import { type Host, MS, type Network, US } from './network.ts';

/** 0: the side that connects (client), 1: the side that accepts (server) */
export type Side = 0 | 1;
export const CLIENT: Side = 0;
export const SERVER: Side = 1;

const TIMESTAMP_OPTION_BYTES = 12; // NOP, NOP, kind 8 (10 bytes) on every non-SYN segment
const DELAYED_ACK_NS = 40 * MS; // Linux TCP_DELACK_MIN
const QUICK_ACKS = 2; // segments ACKed at once at the start of a connection
const INITIAL_CWND_SEGMENTS = 10;
const WINDOW_SCALE = 7;
const MAX_RECEIVE_WINDOW = 3 * 1024 * 1024;

interface Segment {
  readonly from: Side;
  readonly flags: number;
  readonly seq: number; // relative to the sender's ISN
  readonly ack: number; // relative to the receiver's ISN
  readonly payload: Uint8Array;
  readonly length: number; // payload bytes
  readonly windowBytes: number; // receive window the sender announced
  readonly tsVal: number;
}

type EventBody =
  | { readonly kind: 'segment'; readonly to: Side; readonly segment: Segment }
  | { readonly kind: 'delayedAck'; readonly side: Side };
type Event = EventBody & { readonly time: number; readonly order: number };

class Endpoint {
  readonly isn: number;
  readonly tsOffset: number;
  readonly flowLabel: number;
  /** MSS this side announces (link MTU minus IP and TCP headers) */
  readonly mss: number;
  sndUna = 0;
  sndNxt = 0;
  rcvNxt = 0;
  /** receive window this side announces, bytes */
  rcvWnd: number;
  peerWindow = 0;
  cwnd = 0;
  tsRecent = 0;
  /** application data waiting to be sent, and how much of it is sent */
  queue: Uint8Array = new Uint8Array(0);
  queued = 0;
  finQueued = false;
  finSent = false;
  finReceived = false;
  /** extra network delay for the last data segment of the current send (reordering) */
  delayLastSegmentNs = 0;
  ackNow = false;
  delayedAckDue: number | undefined;
  unackedSegments = 0;
  quickAcks = QUICK_ACKS;
  /** out-of-order data held: [start, end) relative sequence ranges (FIN counts one) */
  outOfOrder: [number, number, boolean, Uint8Array][] = [];
  lastEventAt = 0;
  established = false;
  readonly received: Uint8Array[] = [];

  constructor(readonly host: Host, readonly port: number, version: 4 | 6, net: Network) {
    this.isn = net.rng.nextUint32();
    this.tsOffset = net.rng.nextUint32(); // Linux randomises the timestamp base per connection
    this.flowLabel = net.rng.int(1, 0xfffff);
    this.mss = version === 4 ? 1460 : 1440;
    // Linux: the largest multiple of the MSS that fits in 16 bits
    this.rcvWnd = Math.floor(65535 / this.mss) * this.mss;
  }

  tsClock(timeNs: number): number {
    return (this.tsOffset + Math.floor(timeNs / MS)) >>> 0; // 1000 Hz timestamp clock
  }
}

export interface TcpConnectionConfig {
  readonly client: Host;
  readonly server: Host;
  readonly serverPort: number;
  /** default: the client's next ephemeral port */
  readonly clientPort?: number;
  readonly version?: 4 | 6;
}

export interface SendOptions {
  /** when the application writes (default: its host's `now`) */
  readonly at?: number;
  /** close after the data: FIN follows the last segment */
  readonly fin?: boolean;
  /** the last data segment is delayed this long in the network (captured after the FIN) */
  readonly delayLastSegmentNs?: number;
}

export class TcpConnection {
  readonly version: 4 | 6;
  readonly sides: readonly [Endpoint, Endpoint];
  private readonly events: Event[] = [];
  private eventOrder = 0;
  private refused = false;

  constructor(private readonly net: Network, config: TcpConnectionConfig) {
    this.version = config.version ?? 4;
    const clientPort = config.clientPort ?? config.client.nextEphemeralPort(net.rng);
    this.sides = [
      new Endpoint(config.client, clientPort, this.version, net),
      new Endpoint(config.server, config.serverPort, this.version, net),
    ];
    // delayed ACKs still pending when the scenario ends fire then
    net.onFinish(() => this.runUntil(Infinity));
  }

  get clientPort(): number {
    return this.sides[0].port;
  }

  get serverPort(): number {
    return this.sides[1].port;
  }

  /** Time of the last segment `side` sent or processed. */
  lastEventAt(side: Side): number {
    return this.sides[side].lastEventAt;
  }

  /** Everything the side's application has received in order, concatenated (reassembled stream). */
  receivedBy(side: Side): Uint8Array {
    return Buffer.concat(this.sides[side].received);
  }

  /** Kernel turnaround for segments the stack answers itself (ACK, SYN/ACK, RST). */
  private stackDelay(): number {
    return this.net.rng.int(3 * US, 15 * US);
  }

  private schedule(time: number, body: EventBody): void {
    const e: Event = { ...body, time, order: this.eventOrder++ };
    let i = this.events.length;
    while (i > 0 && (this.events[i - 1]!.time > e.time || (this.events[i - 1]!.time === e.time && this.events[i - 1]!.order > e.order))) i--;
    this.events.splice(i, 0, e);
  }

  /** Builds and sends one segment from `from` at `time`. */
  private emit(from: Side, time: number, flags: number, payload: Uint8Array, extra: { sack?: boolean; extraDelayNs?: number } = {}): void {
    const s = this.sides[from];
    const peer = this.sides[1 - from as Side];
    const seq = flags & TCP_SYN ? 0 : s.sndNxt;
    const isSyn = (flags & TCP_SYN) !== 0;
    const isRst = (flags & TCP_RST) !== 0;
    const tsVal = s.tsClock(time);
    const tsEcr = flags & TCP_ACK ? s.tsRecent : 0;
    let options: TcpOption[] = [];
    if (isSyn) {
      options = [
        { kind: 'mss', mss: s.mss }, { kind: 'sackPermitted' }, { kind: 'timestamps', tsVal, tsEcr },
        { kind: 'nop' }, { kind: 'windowScale', shift: WINDOW_SCALE },
      ];
    } else if (!isRst) {
      options = [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamps', tsVal, tsEcr }];
      if (extra.sack && s.outOfOrder.length > 0) {
        options.push({ kind: 'nop' }, { kind: 'nop' }, {
          kind: 'sack', blocks: s.outOfOrder.slice(0, 3).map(([a, b]) => [peer.isn + a, peer.isn + b] as const),
        });
      }
    }
    // SYNs announce the window unscaled; later segments in units of 2^WINDOW_SCALE (rounded up, as Linux does)
    const windowField = isRst ? 0 : isSyn ? Math.min(s.rcvWnd, 65535) : Math.ceil(s.rcvWnd / (1 << WINDOW_SCALE));
    const windowBytes = isSyn ? windowField : windowField << WINDOW_SCALE;
    const ack = flags & TCP_ACK ? s.rcvNxt : 0;
    // a RST answering a SYN has sequence number 0 (there is no connection to take it from)
    const wireSeq = isRst && this.refused ? 0 : (s.isn + seq) >>> 0;
    const header = {
      srcPort: s.port, dstPort: peer.port, seq: wireSeq, ack: flags & TCP_ACK ? (peer.isn + ack) >>> 0 : 0,
      flags, window: windowField, options,
    };
    const delivery = this.net.sendIp(s.host, peer.host, time, {
      version: this.version, protocol: IPPROTO_TCP, flowLabel: s.flowLabel, extraDelayNs: extra.extraDelayNs,
      payload: (src: IpBytes, dst: IpBytes) => tcpSegment(src, dst, header, payload),
    });
    if (flags & TCP_ACK) {
      s.ackNow = false;
      s.delayedAckDue = undefined;
      s.unackedSegments = 0;
    }
    s.lastEventAt = Math.max(s.lastEventAt, time);
    this.schedule(delivery.arrivesAt, {
      kind: 'segment', to: 1 - from as Side,
      segment: { from, flags, seq, ack, payload, length: payload.length, windowBytes, tsVal },
    });
  }

  /** Sends queued data (and a queued FIN) as far as the windows allow. */
  private trySend(side: Side, time: number): void {
    const s = this.sides[side];
    const peer = this.sides[1 - side as Side];
    const segmentSize = Math.min(s.mss, peer.mss) - TIMESTAMP_OPTION_BYTES;
    let at = Math.max(time, s.lastEventAt);
    while (s.queued < s.queue.length) {
      const length = Math.min(segmentSize, s.queue.length - s.queued);
      const inFlight = s.sndNxt - s.sndUna;
      if (inFlight + length > Math.min(s.cwnd, s.peerWindow)) break;
      const last = s.queued + length === s.queue.length;
      this.emit(side, at, TCP_ACK | (last ? TCP_PSH : 0), s.queue.subarray(s.queued, s.queued + length), {
        extraDelayNs: last ? s.delayLastSegmentNs : 0,
      });
      s.sndNxt += length;
      s.queued += length;
      at += this.net.rng.int(1 * US, 4 * US);
    }
    if (s.queued === s.queue.length && s.finQueued && !s.finSent) {
      const finAt = s.queue.length > 0 ? at + this.net.rng.int(30 * US, 120 * US) : at; // close() after the last write
      this.emit(side, finAt, TCP_FIN | TCP_ACK, new Uint8Array(0));
      s.sndNxt += 1;
      s.finSent = true;
    }
  }

  private scheduleAck(side: Side, time: number): void {
    const s = this.sides[side];
    if (s.ackNow) {
      this.emit(side, time + this.stackDelay(), TCP_ACK, new Uint8Array(0), { sack: s.outOfOrder.length > 0 });
    } else if (s.unackedSegments > 0 && s.delayedAckDue === undefined) {
      s.delayedAckDue = time + this.net.rng.int(DELAYED_ACK_NS, DELAYED_ACK_NS + 4 * MS);
      this.schedule(s.delayedAckDue, { kind: 'delayedAck', side });
    }
  }

  private onSegment(to: Side, seg: Segment, time: number): void {
    const s = this.sides[to];
    s.lastEventAt = Math.max(s.lastEventAt, time);
    const isSyn = (seg.flags & TCP_SYN) !== 0;
    if (seg.flags & TCP_RST) return;

    if (isSyn && !(seg.flags & TCP_ACK)) { // server: connection request
      s.rcvNxt = 1;
      s.tsRecent = seg.tsVal;
      s.peerWindow = seg.windowBytes;
      const respondAt = time + this.stackDelay();
      if (this.refused) {
        this.emit(to, respondAt, TCP_RST | TCP_ACK, new Uint8Array(0));
      } else {
        this.emit(to, respondAt, TCP_SYN | TCP_ACK, new Uint8Array(0));
        s.sndNxt = 1;
      }
      return;
    }
    if (isSyn) { // client: SYN/ACK
      s.rcvNxt = 1;
      s.sndUna = 1;
      s.tsRecent = seg.tsVal;
      s.peerWindow = seg.windowBytes;
      s.cwnd = INITIAL_CWND_SEGMENTS * s.mss;
      s.established = true;
      this.emit(to, time + this.stackDelay(), TCP_ACK, new Uint8Array(0));
      s.host.now = Math.max(s.host.now, time);
      return;
    }

    // data and FIN
    const hasFin = (seg.flags & TCP_FIN) !== 0;
    if (seg.seq <= s.rcvNxt) s.tsRecent = seg.tsVal; // RFC 7323: any segment that is not ahead of rcvNxt
    const end = seg.seq + seg.length + (hasFin ? 1 : 0);
    if (end > seg.seq) {
      if (seg.seq === s.rcvNxt) {
        const filledHole = s.outOfOrder.length > 0;
        s.rcvNxt = end;
        if (hasFin) s.finReceived = true;
        if (seg.length > 0) s.received.push(seg.payload);
        while (s.outOfOrder.length > 0 && s.outOfOrder[0]![0] === s.rcvNxt) {
          const [, oooEnd, oooFin, oooPayload] = s.outOfOrder.shift()!;
          s.rcvNxt = oooEnd;
          if (oooFin) s.finReceived = true;
          if (oooPayload.length > 0) s.received.push(oooPayload);
        }
        if (seg.length > 0) {
          // Linux lets the window grow as the application keeps reading
          s.rcvWnd = Math.min(MAX_RECEIVE_WINDOW, s.rcvWnd + 2 * seg.length);
          s.unackedSegments++;
        }
        if (filledHole || hasFin || s.finReceived || s.unackedSegments >= 2 || (seg.length > 0 && s.quickAcks > 0)) {
          if (seg.length > 0 && s.quickAcks > 0) s.quickAcks--;
          s.ackNow = true;
        }
        s.host.now = Math.max(s.host.now, time);
      } else if (seg.seq > s.rcvNxt) {
        s.outOfOrder.push([seg.seq, end, hasFin, seg.payload]);
        s.outOfOrder.sort((a, b) => a[0] - b[0]);
        s.ackNow = true; // duplicate ACK with a SACK block
      }
    }
    if (seg.flags & TCP_ACK) {
      if (!s.established) { // server: the handshake's final ACK
        s.established = true;
        s.sndUna = 1;
        s.cwnd = INITIAL_CWND_SEGMENTS * s.mss;
        s.host.now = Math.max(s.host.now, time);
      }
      if (seg.ack > s.sndUna) {
        s.cwnd += Math.min(seg.ack - s.sndUna, s.mss); // slow start
        s.sndUna = seg.ack;
      }
      s.peerWindow = seg.windowBytes;
      this.trySend(to, time + this.stackDelay());
    }
    this.scheduleAck(to, time);
  }

  /** Processes events: all segments in flight, and timers up to `until`. */
  private runUntil(until: number): void {
    for (;;) {
      const next = this.events[0];
      if (next === undefined) return;
      const inFlight = this.events.some((e) => e.kind === 'segment');
      if (!inFlight && next.time > until) return;
      this.events.shift();
      if (next.kind === 'segment') {
        this.onSegment(next.to, next.segment, next.time);
      } else {
        const s = this.sides[next.side];
        if (s.delayedAckDue === next.time) {
          s.lastEventAt = Math.max(s.lastEventAt, next.time);
          this.emit(next.side, next.time, TCP_ACK, new Uint8Array(0));
        }
      }
    }
  }

  /** When `side` can act: not before its own last event, and late enough not to overtake the peer's. */
  private begin(side: Side, at: number | undefined): number {
    const s = this.sides[side];
    const peer = this.sides[1 - side as Side];
    const pathDelay = s.host.delayNs + peer.host.delayNs;
    const start = Math.max(at ?? s.host.now, s.lastEventAt, peer.lastEventAt - 0.8 * pathDelay);
    const time = Math.round(start);
    this.runUntil(time);
    s.host.now = Math.max(s.host.now, time); // its application acted then
    return Math.max(time, s.lastEventAt);
  }

  /** Three-way handshake (or SYN + RST/ACK with `refused`). Returns when the client is connected. */
  connect(options: { at?: number; refused?: boolean } = {}): this {
    this.refused = options.refused ?? false;
    const time = this.begin(CLIENT, options.at);
    this.emit(CLIENT, time, TCP_SYN, new Uint8Array(0));
    this.sides[0].sndNxt = 1;
    this.runUntil(time);
    return this;
  }

  /** The application of `side` writes `data` (text is sent as UTF-8). */
  send(side: Side, data: Uint8Array | string, options: SendOptions = {}): this {
    if (!this.sides[side].established) throw new Error('send() before the connection is established');
    const s = this.sides[side];
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (s.finQueued) throw new Error('send() after shutdown()');
    const time = this.begin(side, options.at);
    s.queue = bytes;
    s.queued = 0;
    s.finQueued = options.fin ?? false;
    s.delayLastSegmentNs = options.delayLastSegmentNs ?? 0;
    this.trySend(side, time);
    this.runUntil(time);
    s.delayLastSegmentNs = 0;
    return this;
  }

  /** `side` closes its half: FIN, which the peer ACKs. */
  shutdown(side: Side, options: { at?: number } = {}): this {
    const s = this.sides[side];
    if (s.finQueued) return this;
    const time = this.begin(side, options.at);
    s.queue = new Uint8Array(0);
    s.queued = 0;
    s.finQueued = true;
    this.trySend(side, time);
    this.runUntil(time);
    return this;
  }

  /** Orderly teardown: `first` sends FIN, the peer ACKs it, closes after `peerDelayNs`, and its FIN is ACKed. */
  close(first: Side, options: { at?: number; peerDelayNs?: number } = {}): this {
    this.shutdown(first, options);
    const other = 1 - first as Side;
    const peerHost = this.sides[other].host;
    this.shutdown(other, { at: peerHost.now + (options.peerDelayNs ?? this.net.rng.int(50 * US, 400 * US)) });
    return this;
  }

  /** `side` aborts the connection (RST/ACK), as a connect scan does after the handshake. */
  abort(side: Side, options: { at?: number } = {}): this {
    const time = this.begin(side, options.at);
    this.emit(side, time, TCP_RST | TCP_ACK, new Uint8Array(0));
    this.sides[side].finSent = true;
    this.runUntil(time);
    this.events.length = 0; // nothing else happens on an aborted connection
    return this;
  }
}
