/**
 * The simulated network as seen from one capture point: hosts, their delays to the capture point,
 * and a trace that collects every frame at the time the capture point sees it.
 *
 * Time is in integer nanoseconds since the trace start. A host sends at its own time `t`; the
 * capture point sees the frame at `t + delay(sender)` and the receiver gets it at
 * `capture + delay(receiver)`. The capturing host itself has (almost) no delay, so its frames are
 * seen when sent, and frames it receives are seen when they arrive.
 */
import { BROADCAST_MAC, type IpBytes, ipv4, ipv6, mac, ZERO_MAC } from './addr.ts';
import {
  ARP_REPLY, ARP_REQUEST, arp, concat, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ethernet, icmpv6, IPPROTO_ICMPV6,
  IPPROTO_UDP, ipv4Packet, ipv6Packet, udpDatagram,
} from './layers.ts';
import type { Prng } from './prng.ts';
import type { CaptureWriter } from '../../src/capture/writer.ts';

export const MS = 1_000_000;
export const US = 1_000;

export interface CapturedFrame {
  readonly timeNs: number;
  readonly order: number;
  readonly data: Uint8Array;
  readonly interfaceId: number;
}

/** Every frame the capture point saw; written in time order (ties keep emission order). */
export class Trace {
  readonly frames: CapturedFrame[] = [];

  /** @param startSec Unix time of t = 0 */
  constructor(readonly startSec: number) {}

  add(timeNs: number, data: Uint8Array, interfaceId = 0): void {
    if (!Number.isInteger(timeNs) || timeNs < 0) throw new Error(`bad capture time ${timeNs}`);
    this.frames.push({ timeNs, order: this.frames.length, data, interfaceId });
  }

  sorted(): CapturedFrame[] {
    return [...this.frames].sort((a, b) => a.timeNs - b.timeNs || a.order - b.order);
  }

  writeTo(writer: CaptureWriter): void {
    for (const f of this.sorted()) {
      const sec = this.startSec + Math.floor(f.timeNs / 1e9);
      writer.writePacket(sec, f.timeNs % 1e9, f.data, undefined, f.interfaceId);
    }
  }
}

export interface HostConfig {
  readonly name: string;
  /** locally administered (02:...) */
  readonly mac?: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
  /** one-way delay between this host and the capture point */
  readonly delayNs: number;
  /** behind the gateway: frames carry the gateway's MAC and arrive with the TTL decremented once */
  readonly remote?: boolean;
  /** bottleneck bandwidth of this host's path towards the capture point, bits per second */
  readonly uplinkBps?: number;
}

export class Host {
  readonly name: string;
  readonly mac: Uint8Array;
  readonly ipv4: IpBytes | undefined;
  readonly ipv6: IpBytes | undefined;
  readonly delayNs: number;
  readonly remote: boolean;
  readonly uplinkBps: number;
  /** TTL / hop limit of packets it sends (Linux default) */
  readonly ttl = 64;
  /** when its application is ready to act next (advanced by the scenario and by what it receives) */
  now = 0;
  /** when its uplink is free again (frames are serialised one after another) */
  linkFreeAt = 0;
  /** when the capture point saw its last frame */
  lastCapturedAt = 0;
  private ipId: number;
  private ephemeralPort: number;

  constructor(config: HostConfig, rng: Prng) {
    this.name = config.name;
    this.mac = mac(config.mac ?? '02:00:00:00:00:00');
    this.ipv4 = config.ipv4 === undefined ? undefined : ipv4(config.ipv4);
    this.ipv6 = config.ipv6 === undefined ? undefined : ipv6(config.ipv6);
    this.delayNs = config.delayNs;
    this.remote = config.remote ?? false;
    this.uplinkBps = config.uplinkBps ?? 1e9;
    this.ipId = rng.int(0, 0xffff);
    this.ephemeralPort = rng.int(32768, 60000); // Linux ip_local_port_range
  }

  nextIpId(): number {
    const id = this.ipId;
    this.ipId = (this.ipId + 1) & 0xffff;
    return id;
  }

  /** Ephemeral ports go up with small random gaps, as consecutive connect() calls do. */
  nextEphemeralPort(rng: Prng): number {
    this.ephemeralPort += rng.int(1, 7);
    if (this.ephemeralPort > 60999) this.ephemeralPort = 32768;
    return this.ephemeralPort;
  }

  ip(version: 4 | 6): IpBytes {
    const address = version === 4 ? this.ipv4 : this.ipv6;
    if (address === undefined) throw new Error(`${this.name} has no IPv${version} address`);
    return address;
  }
}

export interface NetworkConfig {
  readonly trace: Trace;
  readonly rng: Prng;
  /** the host whose interface is captured: its own frames are captured unpadded */
  readonly captureHost: Host;
  /** router for remote hosts (its MAC appears on their frames) */
  readonly gateway?: Host;
  /** 'ethernet' frames or bare IP packets ('raw', e.g. a tun interface) */
  readonly link?: 'ethernet' | 'raw';
  /** 802.1Q tag on every frame */
  readonly vlanId?: number;
  readonly interfaceId?: number;
}

export interface IpSendOptions {
  readonly version: 4 | 6;
  readonly protocol: number;
  /** builds the transport layer once the addresses are known (for the pseudo-header checksum) */
  readonly payload: (src: IpBytes, dst: IpBytes) => Uint8Array;
  readonly flowLabel?: number;
  readonly dontFragment?: boolean;
  /** extra delay for this packet only: it may then be captured after later ones (reordering) */
  readonly extraDelayNs?: number;
}

export interface Delivery {
  /** when the capture point saw it */
  readonly capturedAt: number;
  /** when the receiver got it */
  readonly arrivesAt: number;
}

/** Capture-point line rate used to keep frames on one path apart (1 Gbit/s: 8 ns per byte). */
const CAPTURE_NS_PER_BYTE = 8;

export class Network {
  readonly trace: Trace;
  readonly rng: Prng;
  readonly captureHost: Host;
  readonly gateway: Host | undefined;
  readonly link: 'ethernet' | 'raw';
  readonly vlanId: number | undefined;
  readonly interfaceId: number;
  /** per direction (sender>receiver): last arrival time, so a path stays FIFO */
  private readonly lastArrival = new Map<string, number>();
  private readonly finishers: (() => void)[] = [];

  constructor(config: NetworkConfig) {
    this.trace = config.trace;
    this.rng = config.rng;
    this.captureHost = config.captureHost;
    this.gateway = config.gateway;
    this.link = config.link ?? 'ethernet';
    this.vlanId = config.vlanId;
    this.interfaceId = config.interfaceId ?? 0;
  }

  /** One-way delay with a little jitter: ±2%, at most ±100 µs, never below 1 µs. */
  private pathDelay(host: Host): number {
    const spread = Math.min(0.02 * host.delayNs, 100 * US);
    return Math.max(US, Math.round(host.delayNs + (this.rng.float() * 2 - 1) * spread));
  }

  /**
   * Puts one frame on the wire: serialised on the sender's uplink (its bottleneck), captured,
   * delivered. Frames from one sender keep their order and spacing unless `extraDelayNs` is set.
   */
  private transmit(from: Host, to: Host, sendAt: number, frame: Uint8Array, extraDelayNs = 0): Delivery {
    const departs = Math.max(sendAt, from.linkFreeAt);
    const serialisation = Math.ceil(((frame.length + 24) * 8 * 1e9) / from.uplinkBps); // + preamble, FCS, gap
    from.linkFreeAt = departs + serialisation;
    let capturedAt = departs + serialisation + this.pathDelay(from) + extraDelayNs;
    if (extraDelayNs === 0) {
      capturedAt = Math.max(capturedAt, from.lastCapturedAt + serialisation);
      from.lastCapturedAt = capturedAt;
    }
    const key = `${from.name}>${to.name}`;
    const lastArrival = this.lastArrival.get(key) ?? 0;
    let arrivesAt = capturedAt + this.pathDelay(to);
    if (extraDelayNs === 0) {
      arrivesAt = Math.max(arrivesAt, lastArrival + frame.length * CAPTURE_NS_PER_BYTE);
      this.lastArrival.set(key, arrivesAt);
    }
    this.trace.add(capturedAt, frame, this.interfaceId);
    return { capturedAt, arrivesAt };
  }

  private linkMac(host: Host): Uint8Array {
    if (!host.remote) return host.mac;
    if (this.gateway === undefined) throw new Error(`${host.name} is remote but the network has no gateway`);
    return this.gateway.mac;
  }

  /** `to` is the receiving host (its MAC, or the gateway's) or an explicit MAC (broadcast, multicast). */
  private frame(from: Host, to: Host | Uint8Array, etherType: number, payload: Uint8Array): Uint8Array {
    if (this.link === 'raw') return payload;
    return ethernet({
      dst: to instanceof Host ? this.linkMac(to) : to, src: this.linkMac(from), etherType, vlanId: this.vlanId,
      padToMinimum: from !== this.captureHost, // the capturing host's own frames are seen before the NIC pads them
    }, payload);
  }

  /** Sends an IP packet from `from` to `to` at `sendAt`. */
  sendIp(from: Host, to: Host, sendAt: number, o: IpSendOptions): Delivery {
    const src = from.ip(o.version);
    const dst = to.ip(o.version);
    const transport = o.payload(src, dst);
    // a remote host's packets cross the gateway once before the capture point
    const ttl = from.remote ? from.ttl - 1 : from.ttl;
    const packet = o.version === 4
      ? ipv4Packet({ src, dst, protocol: o.protocol, id: from.nextIpId(), ttl, dontFragment: o.dontFragment ?? true }, transport)
      : ipv6Packet({ src, dst, nextHeader: o.protocol, hopLimit: ttl, flowLabel: o.flowLabel }, transport);
    const etherType = o.version === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
    return this.transmit(from, to, sendAt, this.frame(from, to, etherType, packet), o.extraDelayNs);
  }

  /**
   * `asker` resolves `target`'s IPv4 address: broadcast request, unicast reply.
   * Returns when the asker has the answer.
   */
  arpResolve(asker: Host, target: Host, at: number): number {
    const request = arp({ op: ARP_REQUEST, senderMac: asker.mac, senderIp: asker.ip(4), targetMac: ZERO_MAC, targetIp: target.ip(4) });
    const asked = this.transmit(asker, target, at, this.frame(asker, BROADCAST_MAC, ETHERTYPE_ARP, request));
    const reply = arp({ op: ARP_REPLY, senderMac: target.mac, senderIp: target.ip(4), targetMac: asker.mac, targetIp: asker.ip(4) });
    const replyAt = asked.arrivesAt + this.rng.jitter(30 * US, 0.3);
    const answered = this.transmit(target, asker, replyAt, this.frame(target, asker, ETHERTYPE_ARP, reply));
    asker.now = Math.max(asker.now, answered.arrivesAt);
    return answered.arrivesAt;
  }

  /** Sends a UDP datagram (DNS and the like). */
  sendUdp(from: Host, to: Host, sendAt: number, version: 4 | 6, srcPort: number, dstPort: number, payload: Uint8Array): Delivery {
    return this.sendIp(from, to, sendAt, {
      version, protocol: IPPROTO_UDP, dontFragment: false,
      payload: (src, dst) => udpDatagram(src, dst, { srcPort, dstPort }, payload),
    });
  }

  /**
   * IPv6 neighbour discovery (RFC 4861): `asker` multicasts a neighbour solicitation for
   * `target`'s address, `target` answers with a solicited neighbour advertisement.
   */
  neighborDiscovery(asker: Host, target: Host, at: number): number {
    const targetIp = target.ip(6);
    const solicitedNode = ipv6(`ff02::1:ff${hex2(targetIp[13]!)}:${hex2(targetIp[14]!)}${hex2(targetIp[15]!)}`);
    const solicitedMac = Uint8Array.of(0x33, 0x33, 0xff, targetIp[13]!, targetIp[14]!, targetIp[15]!);
    const nsBody = concat(new Uint8Array(4), targetIp, Uint8Array.of(1, 1), asker.mac); // reserved, target, source link-layer option
    const ns = icmpv6(asker.ip(6), solicitedNode, 135, 0, nsBody);
    const nsPacket = ipv6Packet({ src: asker.ip(6), dst: solicitedNode, nextHeader: IPPROTO_ICMPV6, hopLimit: 255 }, ns);
    const asked = this.transmit(asker, target, at, this.frame(asker, solicitedMac, ETHERTYPE_IPV6, nsPacket));
    // flags: router, solicited, override; then the target address and its link-layer address option
    const naBody = concat(Uint8Array.of(0xe0, 0, 0, 0), targetIp, Uint8Array.of(2, 1), target.mac);
    const na = icmpv6(targetIp, asker.ip(6), 136, 0, naBody);
    const naPacket = ipv6Packet({ src: targetIp, dst: asker.ip(6), nextHeader: IPPROTO_ICMPV6, hopLimit: 255 }, na);
    const replyAt = asked.arrivesAt + this.rng.jitter(40 * US, 0.3);
    const answered = this.transmit(target, asker, replyAt, this.frame(target, asker, ETHERTYPE_IPV6, naPacket));
    asker.now = Math.max(asker.now, answered.arrivesAt);
    return answered.arrivesAt;
  }

  /** Registers work to run at `finish()` (e.g. TCP delayed ACKs still pending). */
  onFinish(finisher: () => void): void {
    this.finishers.push(finisher);
  }

  finish(): void {
    for (const f of this.finishers) f();
    this.finishers.length = 0;
  }
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
