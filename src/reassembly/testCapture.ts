/** Crafted TCP connections for the reassembly tests: segments written in a chosen arrival order. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter, LINKTYPE_ETHERNET } from '../capture/writer.ts';
import { ipv4, mac } from '../../samples/gen/addr.ts';
import { ETHERTYPE_IPV4, IPPROTO_TCP, ethernet, ipv4Packet, tcpSegment } from '../../samples/gen/layers.ts';
import { loadCapture, type LoadedCapture } from '../store/load.ts';

export const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';
const CMAC = mac('02:00:00:00:00:0a'), SMAC = mac('02:00:00:00:00:15');
const T0 = 1_700_000_000;

export interface CraftedSegment {
  readonly from: 'c' | 's';
  readonly seq: number;
  readonly ack?: number;
  readonly flags: number;
  readonly data?: string | Uint8Array;
  readonly window?: number;
  /** keep only this many bytes of the frame (the snaplen cut), the wire length stays whole */
  readonly capture?: number;
}

/** Writes the segments in the order given (1 ms apart), loads the file, runs `fn`, cleans up. */
export async function withConnection<T>(segments: readonly CraftedSegment[], fn: (c: LoadedCapture) => T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-reasm-'));
  const file = join(dir, 'test.pcap');
  const w = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET, nanosecond: true });
  const c = ipv4(CLIENT), s = ipv4(SERVER);
  segments.forEach((seg, i) => {
    const [src, dst, smac, dmac, sport, dport] = seg.from === 'c' ? [c, s, CMAC, SMAC, 40000, 21] : [s, c, SMAC, CMAC, 21, 40000];
    const payload = typeof seg.data === 'string' ? new TextEncoder().encode(seg.data) : seg.data ?? new Uint8Array(0);
    const tcp = tcpSegment(src, dst, { srcPort: sport, dstPort: dport, seq: seg.seq >>> 0, ack: (seg.ack ?? 0) >>> 0, flags: seg.flags, window: seg.window ?? 65535 }, payload);
    const frame = ethernet({ src: smac, dst: dmac, etherType: ETHERTYPE_IPV4 }, ipv4Packet({ src, dst, protocol: IPPROTO_TCP, id: i + 1, ttl: 64 }, tcp));
    const kept = seg.capture === undefined ? frame : frame.subarray(0, seg.capture);
    w.writePacket(T0, i * 1_000_000, kept, frame.length);
  });
  w.close();
  const capture = await loadCapture(file);
  try {
    return fn(capture);
  } finally {
    capture.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Frame bytes before the TCP payload in these crafted frames: Ethernet 14 + IPv4 20 + TCP 20. */
export const HEADER_BYTES = 54;
