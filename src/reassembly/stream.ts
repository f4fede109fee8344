/**
 * Reassembled TCP streams of a loaded capture, for features that read them (FTP control channels,
 * carving, follow flow). A connection is rebuilt on demand by replaying its packets from the file
 * through the same engine the tcpStream analyzer ran while loading, so nothing is kept in memory
 * between loads and calls beyond a packet index per capture and the last connection rebuilt.
 */
import type { LoadedCapture } from '../store/load.ts';
import { DecodedPacket } from '../decode/packet.ts';
import { decodePacket } from '../decode/decode.ts';
import { ConnectionReassembler, type StreamChunk } from './engine.ts';
import { newSegment, tcpSegmentOf } from '../analyzers/tcpStream/tcpStream.ts';

export type Direction = 'A' | 'B';

/** A chunk of a direction's stream with the time of the packet that first carried it. */
export interface TimedStreamChunk extends StreamChunk {
  /** seconds since the epoch of firstPacketRow (of deliveredAtRow for a gap; NaN when none) */
  readonly time: number;
}

/** Bytes of a stream range: gap bytes are zero and listed in `gaps` (stream offsets, [start, end)). */
export interface StreamSlice {
  readonly from: number;
  readonly bytes: Uint8Array;
  readonly gaps: readonly { readonly start: number; readonly end: number }[];
}

/** Packet rows grouped by flow: rows of flow f are rows[start[f - 1] .. start[f]). */
interface FlowPacketIndex {
  readonly start: Int32Array;
  readonly rows: Int32Array;
  readonly isB: Uint8Array;
}

const indexes = new WeakMap<LoadedCapture, FlowPacketIndex>();
const lastConnection = new WeakMap<LoadedCapture, { flowInd: number; chunks: [TimedStreamChunk[], TimedStreamChunk[]] }>();

function packetIndex(capture: LoadedCapture): FlowPacketIndex {
  let index = indexes.get(capture);
  if (index) return index;
  const packets = capture.packets;
  const flowCol = packets.column('flowInd'), dirCol = packets.column('dir');
  if (!flowCol || !dirCol) throw new Error('packets table lacks flowInd or dir');
  const n = packets.rowCount;
  const flowOf = new Float64Array(n);
  let maxFlow = 0;
  for (let r = 0; r < n; r++) {
    const f = flowCol.get(r) as number;
    flowOf[r] = f;
    if (f > maxFlow) maxFlow = f;
  }
  // counting sort: rows stay in capture order within a flow
  const start = new Int32Array(maxFlow + 1);
  for (let r = 0; r < n; r++) if (flowOf[r]! > 0) start[flowOf[r]!]!++;
  for (let f = 1; f <= maxFlow; f++) start[f]! += start[f - 1]!;
  const fill = start.slice(0, maxFlow + 1);
  const rows = new Int32Array(start[maxFlow]!);
  const isB = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const f = flowOf[r]!;
    if (f <= 0) continue;
    rows[fill[f - 1]!++] = r;
    isB[r] = dirCol.get(r) === 'B' ? 1 : 0;
  }
  index = { start, rows, isB };
  indexes.set(capture, index);
  return index;
}

/** packets-table rows of flow `flowInd` in capture order (empty for an unknown flow) */
export function flowPacketRows(capture: LoadedCapture, flowInd: number): Int32Array {
  const index = packetIndex(capture);
  if (!Number.isInteger(flowInd) || flowInd < 1 || flowInd >= index.start.length) return new Int32Array(0);
  return index.rows.subarray(index.start[flowInd - 1]!, index.start[flowInd]!);
}

/** Both directions of flow `flowInd` reassembled: [A chunks, B chunks]. Throws RangeError for an unknown flow. */
export function connectionOf(capture: LoadedCapture, flowInd: number): [TimedStreamChunk[], TimedStreamChunk[]] {
  const cached = lastConnection.get(capture);
  if (cached && cached.flowInd === flowInd) return cached.chunks;
  const index = packetIndex(capture);
  if (!Number.isInteger(flowInd) || flowInd < 1 || flowInd >= index.start.length) {
    throw new RangeError(`no flow ${flowInd} (flows are numbered 1 to ${index.start.length - 1})`);
  }
  const conn = new ConnectionReassembler();
  const pkt = new DecodedPacket();
  const seg = newSegment();
  for (let i = index.start[flowInd - 1]!; i < index.start[flowInd]!; i++) {
    const row = index.rows[i]!;
    const frame = capture.readFrame(row);
    const view = new DataView(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
    decodePacket(frame.bytes, view, 0, frame.capLen, frame.wireLen, frame.linkType, pkt);
    if (tcpSegmentOf(pkt, frame.fileOffset, row, seg)) conn.add(index.isB[row] as 0 | 1, seg);
  }
  const time = capture.packets.column('time');
  const timed = (c: StreamChunk): TimedStreamChunk => {
    const row = c.gap ? c.deliveredAtRow : c.firstPacketRow;
    return { ...c, time: row >= 0 && time ? (time.get(row) as number) : NaN };
  };
  const chunks: [TimedStreamChunk[], TimedStreamChunk[]] = [conn.directions[0].chunks().map(timed), conn.directions[1].chunks().map(timed)];
  lastConnection.set(capture, { flowInd, chunks });
  return chunks;
}

/** One direction of a TCP flow in sequence order: captured chunks and gaps, covering the whole stream. */
export function streamOf(capture: LoadedCapture, flowInd: number, dir: Direction): TimedStreamChunk[] {
  return connectionOf(capture, flowInd)[dir === 'A' ? 0 : 1];
}

/** Length of a direction's stream in bytes (captured plus missing). */
export function streamLength(chunks: readonly StreamChunk[]): number {
  const last = chunks[chunks.length - 1];
  return last ? last.streamOffset + last.length : 0;
}

/** Bytes [from, to) of a direction's stream (clamped to its length), read from the capture file. */
export function readStream(capture: LoadedCapture, flowInd: number, dir: Direction, from = 0, to = Infinity): StreamSlice {
  const chunks = streamOf(capture, flowInd, dir);
  const length = streamLength(chunks);
  const lo = Math.max(0, Math.min(from, length)), hi = Math.max(lo, Math.min(to, length));
  const bytes = new Uint8Array(hi - lo);
  const gaps: { start: number; end: number }[] = [];
  for (const c of chunks) {
    const s = Math.max(lo, c.streamOffset), e = Math.min(hi, c.streamOffset + c.length);
    if (e <= s) continue;
    if (c.gap) gaps.push({ start: s, end: e });
    else bytes.set(capture.payload.read(c.fileOffset + (s - c.streamOffset), e - s), s - lo);
  }
  return { from: lo, bytes, gaps };
}
