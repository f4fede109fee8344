/**
 * `save packets|flows [where EXPR] to FILE`: the selected packets, or every packet of the selected
 * flows in both directions, copied frame by frame (bytes, captured and wire length, timestamp) into
 * a new pcap or pcapng chosen by the file's ending. The capture's timestamp precision is kept
 * (nanosecond pcap when the source has nanoseconds); pcapng gets the interfaces the packets used.
 */
import { extname } from 'node:path';
import { PcapngWriter, PcapWriter, type CaptureWriter } from '../capture/writer.ts';
import type { InterfaceInfo } from '../capture/types.ts';
import type { Frame, LoadedCapture } from '../store/load.ts';
import { linkTypeName } from '../report/linkTypes.ts';

export type CaptureFormat = 'pcap' | 'pcapng';

export class SaveError extends Error {}

export function captureFormatOf(path: string): CaptureFormat | undefined {
  const ending = extname(path).toLowerCase();
  if (ending === '.pcapng') return 'pcapng';
  if (ending === '.pcap' || ending === '.cap') return 'pcap';
  return undefined;
}

/** Rows of the packets table (ascending) of every packet whose flowInd is among `flowInds`. */
export function packetsOfFlows(capture: LoadedCapture, flowInds: ReadonlySet<number>): Int32Array {
  const column = capture.packets.column('flowInd');
  if (!column) throw new SaveError('the packets table has no flowInd column');
  const out: number[] = [];
  const n = capture.packets.rowCount;
  const numbers = column.numbers;
  for (let row = 0; row < n; row++) {
    const ind = numbers ? numbers[row]! : Number(column.get(row));
    if (ind !== 0 && flowInds.has(ind)) out.push(row);
  }
  return Int32Array.from(out);
}

export interface SaveResult {
  readonly format: CaptureFormat;
  readonly packets: number;
  readonly interfaces: number;
  readonly bytes: number;
}

/** snap length for the new file: the source's, raised if a packet was captured longer (never cut one) */
function snapLength(sources: readonly InterfaceInfo[], maxCapLen: number): number {
  if (sources.some((i) => i.snapLen === 0)) return 0;
  return Math.max(maxCapLen, ...sources.map((i) => i.snapLen));
}

function maxCapturedLength(capture: LoadedCapture, rows: ArrayLike<number>): number {
  const capLen = capture.packets.column('capLen');
  let max = 0;
  for (let i = 0; i < rows.length; i++) {
    const n = capLen ? Number(capLen.get(rows[i]!)) : capture.readFrame(rows[i]!).capLen;
    if (n > max) max = n;
  }
  return max;
}

/** Writes packets-table `rows` (in that order) to `path`; nothing is left behind on failure. */
export function saveCapture(capture: LoadedCapture, rows: ArrayLike<number>, path: string): SaveResult {
  const format = captureFormatOf(path);
  if (!format) throw new SaveError(`${path}: save writes a .pcap or .pcapng file (the ending says which)`);
  const interfaces = capture.info.interfaces;
  const maxCapLen = maxCapturedLength(capture, rows);
  const first: Frame | undefined = rows.length > 0 ? capture.readFrame(rows[0]!) : undefined;
  let writer: CaptureWriter;
  /** source interface -> interface id in the new file (pcapng: added when first used) */
  const newId = new Map<number, number>();
  let pcapng: PcapngWriter | undefined;
  if (format === 'pcap') {
    const linkType = first?.linkType ?? interfaces[0]?.linkType ?? 1;
    writer = PcapWriter.create({
      path, createDirectories: true, linkType, nanosecond: capture.info.tsDigits > 6,
      snapLen: snapLength(interfaces.filter((i) => i.linkType === linkType), maxCapLen),
    });
  } else {
    pcapng = PcapngWriter.create({ path, createDirectories: true, interfaces: [] });
    writer = pcapng;
  }
  try {
    for (let i = 0; i < rows.length; i++) {
      const frame = i === 0 ? first! : capture.readFrame(rows[i]!);
      let id = 0;
      if (pcapng) {
        const known = newId.get(frame.interfaceId);
        if (known === undefined) {
          const source = interfaces[frame.interfaceId] ?? { linkType: frame.linkType, snapLen: 0, tsDigits: capture.info.tsDigits };
          id = pcapng.addInterface({
            linkType: source.linkType, snapLen: snapLength([source], maxCapLen), tsDigits: Math.min(9, source.tsDigits),
            ...(source.name !== undefined ? { name: source.name } : {}),
          });
          newId.set(frame.interfaceId, id);
        } else id = known;
      } else if (frame.linkType !== first!.linkType) {
        throw new SaveError(`packet ${rows[i]! + 1} is ${linkTypeName(frame.linkType)} but packet ${rows[0]! + 1} is ${linkTypeName(first!.linkType)}: a .pcap file has one link type, save to a .pcapng file`);
      }
      writer.writePacket(frame.tsSec, frame.tsNsec, frame.bytes, frame.wireLen, id);
    }
    writer.close();
  } catch (e) {
    writer.abort();
    throw e;
  }
  return { format, packets: rows.length, interfaces: pcapng ? pcapng.interfaceCount : 1, bytes: writer.bytesWritten };
}
