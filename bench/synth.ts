/**
 * Deterministic generator of large synthetic classic-pcap captures for benchmarks.
 *
 * Ethernet/IPv4/TCP only: every flow is a complete connection (SYN, SYN-ACK, ACK, data, FIN-ACK,
 * FIN-ACK, ACK) with consistent sequence/ack numbers and valid IPv4 and TCP checksums, so tshark
 * and other readers accept it without expert warnings. Packets are serialised into one reused
 * chunk buffer and written with large sequential writes; nothing is allocated per packet.
 *
 * Addresses are documentation ranges only (RFC 5737): clients in 192.0.2.0/24 and 203.0.113.0/24
 * with ephemeral ports, servers in 198.51.100.0/24 on well-known ports; MAC addresses are locally
 * administered (02:00:<IPv4 address>).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export const LINKTYPE_ETHERNET = 1;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Packets every flow needs besides data: 3 for the handshake, 3 for the FIN teardown. */
export const CONTROL_PACKETS_PER_FLOW = 6;
/** Clients: 192.0.2.1-250 and 203.0.113.1-250. */
const CLIENT_HOSTS = 500;
/** Client ports come from the IANA ephemeral range, skipping 57000 (tshark decodes it as IRC). */
const CLIENT_PORT_BASE = 49152;
const CLIENT_PORT_SKIPPED = 57000;
const CLIENT_PORTS = 65536 - CLIENT_PORT_BASE - 1;
/** Client (address, port) pairs are unique per flow, which bounds the number of flows. */
export const MAX_SYNTHETIC_FLOWS = CLIENT_HOSTS * CLIENT_PORTS;
/**
 * No port 21: the FTP analyzer parses every byte on port 21 as commands and replies, and bulk
 * text there (an eighth of the capture) would measure that parser on a traffic no FTP server sends.
 */
const SERVER_PORTS = [80, 443, 110, 22, 25, 8080, 993, 3306] as const;

const ETH_LEN = 14;
const IPV4_LEN = 20;
const TCP_LEN = 20;
/** MSS (4 bytes) + NOP + window scale (3 bytes): only on SYN and SYN-ACK. */
const SYN_OPTIONS_LEN = 8;
const WINDOW_SCALE = 7;
const MSS = 1460;
const MAX_FRAME = ETH_LEN + IPV4_LEN + TCP_LEN + MSS; // 1514
const PCAP_RECORD_HEADER = 16;

/** Payload bytes are copied from this text; word prefix sums give the TCP checksum of any slice in O(1). */
const PATTERN_LEN = 4096;
const payloadPattern = new Uint8Array(PATTERN_LEN);
const patternWordPrefix = new Float64Array(PATTERN_LEN / 2 + 1);
{
  let pos = 0;
  for (let line = 0; pos < PATTERN_LEN; line++) {
    const text = `synthetic flowsh benchmark payload line ${String(line).padStart(5, '0')} abcdefghijklmnopqrstuvwxyz\r\n`;
    for (let i = 0; i < text.length && pos < PATTERN_LEN; i++) payloadPattern[pos++] = text.charCodeAt(i);
  }
  for (let w = 0; w < PATTERN_LEN / 2; w++) {
    patternWordPrefix[w + 1] = patternWordPrefix[w] + ((payloadPattern[2 * w] << 8) | payloadPattern[2 * w + 1]);
  }
}

/** Writes a classic little-endian microsecond pcap (snaplen 65535, Ethernet) in big sequential chunks. */
export class PcapChunkWriter {
  private readonly fd: number;
  private readonly chunk: Uint8Array;
  private readonly view: DataView;
  private used = 0;
  private ipId = 0;
  bytesWritten = 0;
  packetsWritten = 0;
  /** timestamps of the first and last packet written, seconds and microseconds */
  firstSec = 0;
  firstUsec = 0;
  lastSec = 0;
  lastUsec = 0;

  constructor(path: string, chunkBytes = 8 << 20) {
    if (chunkBytes < 64 * 1024) throw new RangeError('chunkBytes must be at least 64 KiB');
    this.fd = openSync(path, 'w');
    this.chunk = new Uint8Array(chunkBytes);
    this.view = new DataView(this.chunk.buffer);
    const v = this.view;
    v.setUint32(0, 0xa1b2c3d4, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true); // thiszone
    v.setUint32(12, 0, true); // sigfigs
    v.setUint32(16, 65535, true); // snaplen
    v.setUint32(20, LINKTYPE_ETHERNET, true);
    this.used = 24;
  }

  /**
   * Appends one Ethernet/IPv4/TCP packet. Addresses are IPv4 as unsigned 32-bit numbers.
   * `synOptions` adds MSS 1460 and window scale 7 (use on SYN and SYN-ACK). The payload is
   * `payloadLen` bytes (0..1460) of the built-in text pattern, chosen by the sequence number.
   */
  tcp(
    tsSec: number, tsUsec: number, srcIp: number, dstIp: number, srcPort: number, dstPort: number,
    seq: number, ack: number, flags: number, payloadLen: number, synOptions: boolean,
  ): void {
    if (this.used + PCAP_RECORD_HEADER + MAX_FRAME + SYN_OPTIONS_LEN > this.chunk.length) this.flush();
    const v = this.view;
    const c = this.chunk;
    const optLen = synOptions ? SYN_OPTIONS_LEN : 0;
    const tcpLen = TCP_LEN + optLen;
    const ipTotal = IPV4_LEN + tcpLen + payloadLen;
    const frameLen = ETH_LEN + ipTotal;
    let o = this.used;
    v.setUint32(o, tsSec, true);
    v.setUint32(o + 4, tsUsec, true);
    v.setUint32(o + 8, frameLen, true);
    v.setUint32(o + 12, frameLen, true);
    o += PCAP_RECORD_HEADER;
    // Ethernet: 02:00 + IPv4 address as MAC
    v.setUint16(o, 0x0200);
    v.setUint32(o + 2, dstIp);
    v.setUint16(o + 6, 0x0200);
    v.setUint32(o + 8, srcIp);
    v.setUint16(o + 12, 0x0800);
    o += ETH_LEN;
    // IPv4
    const ipId = this.ipId;
    this.ipId = (ipId + 1) & 0xffff;
    const ttlProto = (64 << 8) | 6;
    let sum = 0x4500 + ipTotal + ipId + 0x4000 + ttlProto
      + (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff);
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    v.setUint16(o, 0x4500);
    v.setUint16(o + 2, ipTotal);
    v.setUint16(o + 4, ipId);
    v.setUint16(o + 6, 0x4000); // DF
    v.setUint16(o + 8, ttlProto);
    v.setUint16(o + 10, ~sum & 0xffff);
    v.setUint32(o + 12, srcIp);
    v.setUint32(o + 16, dstIp);
    o += IPV4_LEN;
    // TCP
    const offFlags = ((tcpLen >>> 2) << 12) | flags;
    const window = 0xffff;
    v.setUint16(o, srcPort);
    v.setUint16(o + 2, dstPort);
    v.setUint32(o + 4, seq);
    v.setUint32(o + 8, ack);
    v.setUint16(o + 12, offFlags);
    v.setUint16(o + 14, window);
    v.setUint16(o + 18, 0); // urgent pointer
    let tcpSum = (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + 6 + tcpLen + payloadLen
      + srcPort + dstPort + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) + offFlags + window;
    if (synOptions) {
      v.setUint32(o + 20, (2 << 24) | (4 << 16) | MSS); // MSS
      v.setUint32(o + 24, (1 << 24) | (3 << 16) | (3 << 8) | WINDOW_SCALE); // NOP, window scale
      tcpSum += 0x0204 + MSS + 0x0103 + ((3 << 8) | WINDOW_SCALE);
    }
    o += tcpLen;
    if (payloadLen > 0) {
      const start = (seq & 1023) << 1; // even, so pattern words line up with checksum words
      c.set(payloadPattern.subarray(start, start + payloadLen), o);
      const words = payloadLen >>> 1;
      tcpSum += patternWordPrefix[(start >>> 1) + words] - patternWordPrefix[start >>> 1];
      if (payloadLen & 1) tcpSum += payloadPattern[start + payloadLen - 1] << 8;
    }
    // fold: the sum stays far below 2^53, so plain arithmetic is exact
    tcpSum = (tcpSum % 65536) + Math.floor(tcpSum / 65536);
    tcpSum = (tcpSum % 65536) + Math.floor(tcpSum / 65536);
    tcpSum = (tcpSum & 0xffff) + (tcpSum >>> 16);
    v.setUint16(o - tcpLen + 16, ~tcpSum & 0xffff);
    this.used = o + payloadLen;
    if (this.packetsWritten++ === 0) { this.firstSec = tsSec; this.firstUsec = tsUsec; }
    this.lastSec = tsSec;
    this.lastUsec = tsUsec;
  }

  private flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.chunk, done, this.used - done);
    this.bytesWritten += this.used;
    this.used = 0;
  }

  /** Writes what is buffered and closes the file; returns the file size. */
  close(): number {
    this.flush();
    closeSync(this.fd);
    return this.bytesWritten;
  }
}

export type SyntheticLayout = 'rolling' | 'allOpen';

export interface SyntheticCaptureOptions {
  /** total packet records; at least 6 per flow (default 2,000,000) */
  readonly packets?: number;
  /** TCP connections, each with its own address/port 4-tuple (default 100,000) */
  readonly flows?: number;
  /** rolling layout: at most this many connections open at once (default 1,000) */
  readonly concurrentFlows?: number;
  /** PRNG seed; same options + seed give the same bytes (default 1) */
  readonly seed?: number;
  /**
   * 'rolling' (default): a window of `concurrentFlows` connections, packets of a random open one
   * at each step, a finished connection replaced by the next. 'allOpen': every handshake first
   * (flow order), then all data interleaved at random, then every teardown; `concurrentFlows`
   * is ignored (all flows are open at once).
   */
  readonly layout?: SyntheticLayout;
  /** timestamp of the first packet, seconds since the epoch (default 1,700,000,000) */
  readonly startTimeSec?: number;
  /** size of the reused write buffer (default 8 MiB) */
  readonly chunkBytes?: number;
}

export interface SyntheticCaptureSummary {
  readonly path: string;
  readonly packets: number;
  readonly flows: number;
  /** data segments and pure ACKs between handshakes and teardowns */
  readonly dataPackets: number;
  readonly fileBytes: number;
  /** first and last timestamps as [seconds, microseconds] */
  readonly firstTime: readonly [number, number];
  readonly lastTime: readonly [number, number];
}

/** Murmur3 finaliser: a well-mixed 32-bit hash, used for per-flow choices (ISNs, server). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

// per-flow connection stages
const STAGE_SYN = 0;
const STAGE_SYNACK = 1;
const STAGE_ACK = 2;
const STAGE_DATA = 3;
const STAGE_FIN_CLIENT = 4;
const STAGE_FIN_SERVER = 5;
const STAGE_LAST_ACK = 6;
const STAGE_DONE = 7;
// pending-acknowledgement bits
const CLIENT_OWES_ACK = 1;
const SERVER_OWES_ACK = 2;

/** Writes a synthetic capture to `path` (overwritten) and returns what it wrote. Synchronous. */
export function writeSyntheticCapture(path: string, options: SyntheticCaptureOptions = {}): SyntheticCaptureSummary {
  const packets = options.packets ?? 2_000_000;
  const flows = options.flows ?? 100_000;
  const layout = options.layout ?? 'rolling';
  const concurrent = Math.min(options.concurrentFlows ?? 1_000, flows);
  const seed = (options.seed ?? 1) >>> 0;
  const startTimeSec = options.startTimeSec ?? 1_700_000_000;
  if (!Number.isInteger(flows) || flows < 1 || flows > MAX_SYNTHETIC_FLOWS) {
    throw new RangeError(`flows must be an integer in 1..${MAX_SYNTHETIC_FLOWS}`);
  }
  if (!Number.isInteger(packets) || packets < CONTROL_PACKETS_PER_FLOW * flows) {
    throw new RangeError(`packets must be an integer >= ${CONTROL_PACKETS_PER_FLOW} * flows (${CONTROL_PACKETS_PER_FLOW * flows})`);
  }
  if (layout === 'rolling' && (!Number.isInteger(concurrent) || concurrent < 1)) {
    throw new RangeError('concurrentFlows must be a positive integer');
  }

  let rng = seed ^ 0x9e3779b9;
  /** mulberry32 */
  const next = (): number => {
    rng = (rng + 0x6d2b79f5) | 0;
    let t = Math.imul(rng ^ (rng >>> 15), rng | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };

  // Data packets per flow: heavy-tailed (a few elephants, many mice), spread over flow ids by a
  // bijection so the big flows are not all the first ones.
  const dataPackets = packets - CONTROL_PACKETS_PER_FLOW * flows;
  const dataLeft = new Uint32Array(flows);
  let multiplier = 1_000_003;
  for (const prime of [1_000_003, 999_983, 1_000_033]) {
    if (flows % prime !== 0) { multiplier = prime; break; }
  }
  const offset = seed % flows;
  for (let k = 0; k < dataPackets; k++) {
    const u = next() / 4294967296;
    const rank = Math.floor(flows * u * u * u);
    dataLeft[(rank * multiplier + offset) % flows]++;
  }

  const stage = new Uint8Array(flows);
  const pending = new Uint8Array(flows);
  const clientSeq = new Uint32Array(flows);
  const serverSeq = new Uint32Array(flows);

  const writer = new PcapChunkWriter(path, options.chunkBytes);
  let tsSec = startTimeSec;
  let tsUsec = 0;

  /** Emits the next packet of flow `f`; returns true when that was its last packet. */
  const emit = (f: number): boolean => {
    const host = f % CLIENT_HOSTS;
    const clientIp = (host < 250 ? 0xc0000201 + host : 0xcb007101 + host - 250) >>> 0; // 192.0.2.x, 203.0.113.x
    const portIndex = CLIENT_PORT_BASE + Math.floor(f / CLIENT_HOSTS);
    const clientPort = portIndex < CLIENT_PORT_SKIPPED ? portIndex : portIndex + 1;
    const h = mix32(f ^ Math.imul(seed, 0x27d4eb2d));
    const serverIp = (0xc6336400 | (1 + (h % 250))) >>> 0; // 198.51.100.x
    const serverPort = SERVER_PORTS[(h >>> 24) & 7];
    const r = next();
    // Timestamps advance 0..63 us per packet: monotonic, about 30k packets per second.
    tsUsec += r & 63;
    if (tsUsec >= 1_000_000) { tsUsec -= 1_000_000; tsSec++; }
    const s = stage[f];
    if (s === STAGE_DATA && dataLeft[f] > 0) {
      dataLeft[f]--;
      const kind = (r >>> 6) % 100;
      const size = next();
      const p = pending[f];
      if (kind < 30 && p !== 0) {
        // pure ACK from the side that has unacknowledged data to acknowledge
        if (p & CLIENT_OWES_ACK) {
          writer.tcp(tsSec, tsUsec, clientIp, serverIp, clientPort, serverPort, clientSeq[f], serverSeq[f], TCP_ACK, 0, false);
          pending[f] = p & ~CLIENT_OWES_ACK;
        } else {
          writer.tcp(tsSec, tsUsec, serverIp, clientIp, serverPort, clientPort, serverSeq[f], clientSeq[f], TCP_ACK, 0, false);
          pending[f] = p & ~SERVER_OWES_ACK;
        }
      } else if (kind < 80) {
        // server segment: mostly full-sized, sometimes a short tail
        const len = kind < 68 ? MSS : 1 + (size % (MSS - 1));
        writer.tcp(tsSec, tsUsec, serverIp, clientIp, serverPort, clientPort, serverSeq[f], clientSeq[f], TCP_ACK | TCP_PSH, len, false);
        serverSeq[f] = (serverSeq[f] + len) >>> 0;
        pending[f] = CLIENT_OWES_ACK;
      } else {
        // client request: small
        const len = 1 + (size % 400);
        writer.tcp(tsSec, tsUsec, clientIp, serverIp, clientPort, serverPort, clientSeq[f], serverSeq[f], TCP_ACK | TCP_PSH, len, false);
        clientSeq[f] = (clientSeq[f] + len) >>> 0;
        pending[f] = SERVER_OWES_ACK;
      }
      return false;
    }
    switch (s) {
      case STAGE_SYN: {
        const isn = mix32(Math.imul(f, 2) ^ seed ^ 0x5bd1e995);
        writer.tcp(tsSec, tsUsec, clientIp, serverIp, clientPort, serverPort, isn, 0, TCP_SYN, 0, true);
        clientSeq[f] = (isn + 1) >>> 0;
        break;
      }
      case STAGE_SYNACK: {
        const isn = mix32((Math.imul(f, 2) + 1) ^ seed ^ 0x5bd1e995);
        writer.tcp(tsSec, tsUsec, serverIp, clientIp, serverPort, clientPort, isn, clientSeq[f], TCP_SYN | TCP_ACK, 0, true);
        serverSeq[f] = (isn + 1) >>> 0;
        break;
      }
      case STAGE_ACK:
        writer.tcp(tsSec, tsUsec, clientIp, serverIp, clientPort, serverPort, clientSeq[f], serverSeq[f], TCP_ACK, 0, false);
        break;
      case STAGE_DATA: // no data left: start the teardown
      case STAGE_FIN_CLIENT:
        writer.tcp(tsSec, tsUsec, clientIp, serverIp, clientPort, serverPort, clientSeq[f], serverSeq[f], TCP_FIN | TCP_ACK, 0, false);
        clientSeq[f] = (clientSeq[f] + 1) >>> 0;
        stage[f] = STAGE_FIN_SERVER;
        return false;
      case STAGE_FIN_SERVER:
        writer.tcp(tsSec, tsUsec, serverIp, clientIp, serverPort, clientPort, serverSeq[f], clientSeq[f], TCP_FIN | TCP_ACK, 0, false);
        serverSeq[f] = (serverSeq[f] + 1) >>> 0;
        break;
      case STAGE_LAST_ACK:
        writer.tcp(tsSec, tsUsec, clientIp, serverIp, clientPort, serverPort, clientSeq[f], serverSeq[f], TCP_ACK, 0, false);
        stage[f] = STAGE_DONE;
        return true;
      default:
        throw new Error(`flow ${f} has no packet left`);
    }
    stage[f] = s + 1;
    return false;
  };

  if (layout === 'allOpen') {
    for (let f = 0; f < flows; f++) { emit(f); emit(f); emit(f); }
    const active = new Int32Array(flows);
    let activeCount = 0;
    for (let f = 0; f < flows; f++) if (dataLeft[f] > 0) active[activeCount++] = f;
    while (activeCount > 0) {
      const i = next() % activeCount;
      const f = active[i];
      emit(f);
      if (dataLeft[f] === 0) active[i] = active[--activeCount];
    }
    for (let f = 0; f < flows; f++) { emit(f); emit(f); emit(f); }
  } else {
    const active = new Int32Array(concurrent);
    let activeCount = concurrent;
    let nextFlow = concurrent;
    for (let i = 0; i < concurrent; i++) active[i] = i;
    while (activeCount > 0) {
      const i = next() % activeCount;
      if (emit(active[i])) {
        if (nextFlow < flows) active[i] = nextFlow++;
        else active[i] = active[--activeCount];
      }
    }
  }

  const fileBytes = writer.close();
  if (writer.packetsWritten !== packets) {
    throw new Error(`internal: wrote ${writer.packetsWritten} packets instead of ${packets}`);
  }
  return {
    path, packets, flows, dataPackets, fileBytes,
    firstTime: [writer.firstSec, writer.firstUsec], lastTime: [writer.lastSec, writer.lastUsec],
  };
}
