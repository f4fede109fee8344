/**
 * Derives impaired variants of a recorded capture by rewriting it (this kernel has no netem):
 *
 * - `<name>-reordered.pcap`: on every FTP data connection with at least three payload segments,
 *   some adjacent payload segments swap places (the 2nd and 3rd, then every 10th pair) and the
 *   first and the last payload segment appear twice. Every byte is still there, so carving must be
 *   exact.
 * - `<name>-lossy.pcap`: one payload segment (the 5th) of the largest data connection is dropped,
 *   a real gap in the capture (the receiver's ACKs still cover it, as when the capturing host
 *   missed a packet).
 * - for REORDER_SOURCES (recorded through a path that really dropped packets, so TCP really
 *   retransmitted): only `<name>-reordered.pcap.gz`, the same swaps and duplicates on top.
 *
 * Deterministic: the same original gives byte-identical variants (test/recorded-more.test.ts
 * checks this). Usage: node --import tsx samples/record/impair.ts [DIR]   (default samples/recorded);
 * it rewrites DIR/<variant>.pcap and their entries in DIR/manifest.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { PcapWriter, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, LINKTYPE_ETHERNET } from '../../src/capture/writer.ts';

export const IMPAIR_SOURCES = ['recorded-session-multi.pcap'] as const;
/** gzip-compressed recordings that get only the reordered variant (also gzip-compressed) */
export const REORDER_SOURCES = ['recorded-large-lossy.pcap.gz'] as const;
/** FTP control port of the sources: segments on it are never touched. */
const CONTROL_PORT = 21;
const SWAP_EVERY = 10;
const DROP_INDEX = 4;

interface PcapRecord {
  tsSec: number;
  tsFrac: number;
  wireLen: number;
  data: Buffer;
}

interface ParsedPcap {
  linkType: number;
  snapLen: number;
  nanosecond: boolean;
  records: PcapRecord[];
}

/** Minimal little-endian classic pcap reader (the recordings are written by tcpdump on x86). */
export function readPcap(bytes: Buffer): ParsedPcap {
  const magic = bytes.readUInt32LE(0);
  if (magic !== PCAP_MAGIC_MICRO && magic !== PCAP_MAGIC_NANO) throw new Error('not a little-endian classic pcap file');
  const records: PcapRecord[] = [];
  let at = 24;
  while (at + 16 <= bytes.length) {
    const capLen = bytes.readUInt32LE(at + 8);
    if (at + 16 + capLen > bytes.length) throw new Error(`record at ${at} runs past the end of the file`);
    records.push({
      tsSec: bytes.readUInt32LE(at), tsFrac: bytes.readUInt32LE(at + 4), wireLen: bytes.readUInt32LE(at + 12),
      data: bytes.subarray(at + 16, at + 16 + capLen),
    });
    at += 16 + capLen;
  }
  return { linkType: bytes.readUInt32LE(20), snapLen: bytes.readUInt32LE(16), nanosecond: magic === PCAP_MAGIC_NANO, records };
}

export interface TcpView {
  /** "addr:port>addr:port" of the sender and receiver */
  key: string;
  /** direction-free connection key */
  connection: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  syn: boolean;
  payloadLength: number;
}

function ipText(bytes: Buffer, at: number, length: number): string {
  if (length === 4) return [...bytes.subarray(at, at + 4)].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(at + i).toString(16));
  return groups.join(':');
}

/** TCP header fields of an Ethernet/IPv4 or Ethernet/IPv6 frame, or undefined for anything else. */
export function tcpView(frame: Buffer): TcpView | undefined {
  if (frame.length < 14) return undefined;
  const etherType = frame.readUInt16BE(12);
  let tcpAt: number, src: string, dst: string, ipPayloadEnd: number;
  if (etherType === 0x0800) {
    const ihl = (frame[14]! & 0x0f) * 4;
    if (frame[23] !== 6) return undefined;
    src = ipText(frame, 26, 4);
    dst = ipText(frame, 30, 4);
    tcpAt = 14 + ihl;
    ipPayloadEnd = 14 + frame.readUInt16BE(16);
  } else if (etherType === 0x86dd) {
    if (frame[20] !== 6) return undefined; // no extension headers in these recordings
    src = ipText(frame, 22, 16);
    dst = ipText(frame, 38, 16);
    tcpAt = 54;
    ipPayloadEnd = 54 + frame.readUInt16BE(18);
  } else {
    return undefined;
  }
  const srcPort = frame.readUInt16BE(tcpAt);
  const dstPort = frame.readUInt16BE(tcpAt + 2);
  const dataOffset = (frame[tcpAt + 12]! >> 4) * 4;
  const from = `${src}:${srcPort}`, to = `${dst}:${dstPort}`;
  return {
    key: `${from}>${to}`,
    connection: from < to ? `${from}|${to}` : `${to}|${from}`,
    srcPort, dstPort,
    seq: frame.readUInt32BE(tcpAt + 4),
    syn: (frame[tcpAt + 13]! & 0x02) !== 0,
    payloadLength: ipPayloadEnd - tcpAt - dataOffset,
  };
}

export interface Impairment {
  /** 1-based frame numbers in the original; a duplicate directly follows its original */
  swappedPairs: [number, number][];
  duplicatedFrames: number[];
  droppedFrames: number[];
  /** for a drop: the data connection and the stream offset and length of the missing bytes */
  gaps: { connection: string; sender: string; offset: number; length: number; connectionBytes: number }[];
}

interface DataConnection {
  connection: string;
  /** indexes (0-based) of the frames carrying payload, in capture order */
  payloadFrames: number[];
  payloadBytes: number;
}

function dataConnections(records: PcapRecord[]): DataConnection[] {
  const byKey = new Map<string, DataConnection>();
  records.forEach((record, index) => {
    const tcp = tcpView(record.data);
    if (!tcp || tcp.payloadLength === 0 || tcp.srcPort === CONTROL_PORT || tcp.dstPort === CONTROL_PORT) return;
    let entry = byKey.get(tcp.connection);
    if (!entry) byKey.set(tcp.connection, entry = { connection: tcp.connection, payloadFrames: [], payloadBytes: 0 });
    entry.payloadFrames.push(index);
    entry.payloadBytes += tcp.payloadLength;
  });
  return [...byKey.values()];
}

function writeVariant(source: ParsedPcap, order: PcapRecord[]): Buffer {
  const writer = new PcapWriter({ linkType: source.linkType, snapLen: source.snapLen, nanosecond: source.nanosecond });
  const scale = source.nanosecond ? 1 : 1000;
  for (const record of order) writer.writePacket(record.tsSec, record.tsFrac * scale, record.data, record.wireLen);
  writer.close();
  return writer.toBuffer();
}

/** Swaps and duplicates payload segments of every data connection; nothing is lost. */
export function reorder(source: ParsedPcap): { bytes: Buffer; impairment: Impairment } {
  const order = source.records.slice();
  /** which original record each slot holds after the swaps */
  const originalAt = source.records.map((_, index) => index);
  const impairment: Impairment = { swappedPairs: [], duplicatedFrames: [], droppedFrames: [], gaps: [] };
  const duplicateAfter = new Set<number>();
  for (const connection of dataConnections(source.records)) {
    const frames = connection.payloadFrames;
    if (frames.length < 3) continue;
    for (let k = 1; k + 1 < frames.length; k += SWAP_EVERY) {
      const a = frames[k]!, b = frames[k + 1]!;
      // The packets trade places but each slot keeps its time, so timestamps stay in order.
      order[a] = { ...source.records[b]!, tsSec: source.records[a]!.tsSec, tsFrac: source.records[a]!.tsFrac };
      order[b] = { ...source.records[a]!, tsSec: source.records[b]!.tsSec, tsFrac: source.records[b]!.tsFrac };
      originalAt[a] = b;
      originalAt[b] = a;
      impairment.swappedPairs.push([a + 1, b + 1]);
    }
    duplicateAfter.add(frames[0]!);
    duplicateAfter.add(frames.at(-1)!);
  }
  const out: PcapRecord[] = [];
  // A duplicate follows its original wherever the swaps put it.
  order.forEach((record, slot) => {
    out.push(record);
    if (duplicateAfter.has(originalAt[slot]!)) out.push(record);
  });
  impairment.duplicatedFrames = [...duplicateAfter].sort((x, y) => x - y).map((i) => i + 1);
  return { bytes: writeVariant(source, out), impairment };
}

/** Drops one payload segment of the largest data connection: a gap no reassembly can fill. */
export function dropOne(source: ParsedPcap): { bytes: Buffer; impairment: Impairment } {
  const largest = dataConnections(source.records).sort((x, y) => y.payloadBytes - x.payloadBytes)[0];
  if (!largest || largest.payloadFrames.length <= DROP_INDEX) throw new Error('no data connection long enough to drop a segment from');
  const dropped = largest.payloadFrames[DROP_INDEX]!;
  const tcp = tcpView(source.records[dropped]!.data)!;
  // The sender's SYN gives the initial sequence number; stream offsets start after it.
  const synRecord = source.records.find((r) => {
    const t = tcpView(r.data);
    return t !== undefined && t.syn && t.key === tcp.key;
  });
  if (!synRecord) throw new Error(`no SYN from the sender of ${tcp.key}`);
  const isn = tcpView(synRecord.data)!.seq;
  const offset = (tcp.seq - isn - 1) >>> 0;
  const out = source.records.filter((_, index) => index !== dropped);
  return {
    bytes: writeVariant(source, out),
    impairment: {
      swappedPairs: [], duplicatedFrames: [], droppedFrames: [dropped + 1],
      gaps: [{
        connection: largest.connection, sender: tcp.key.split('>')[0]!, offset, length: tcp.payloadLength,
        connectionBytes: largest.payloadBytes,
      }],
    },
  };
}

export function variantName(source: string, kind: 'reordered' | 'lossy'): string {
  return source.replace(/\.pcap(\.gz)?$/, `-${kind}.pcap$1`);
}

/** A capture file's bytes, gunzipped when the name ends in .gz. */
export function readCaptureFile(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  return file.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes;
}

interface ManifestTransfer {
  command: string;
  path: string;
  size: number;
  expect: string;
  [field: string]: unknown;
}
interface ManifestCapture {
  file: string;
  transfers: ManifestTransfer[];
  [field: string]: unknown;
}

function main(dir: string): void {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { captures: ManifestCapture[] };
  for (const source of IMPAIR_SOURCES) {
    const original = manifest.captures.find((c) => c.file === source);
    if (!original) {
      // e.g. a partial run of record-more.sh (ONLY=...) that did not record this source
      console.error(`impair: ${source} is not in ${manifestFile}; no variants made`);
      continue;
    }
    const parsed = readPcap(fs.readFileSync(path.join(dir, source)));
    if (parsed.linkType !== LINKTYPE_ETHERNET) throw new Error(`${source}: only Ethernet captures are rewritten`);
    const variants: ManifestCapture[] = [];

    const reordered = reorder(parsed);
    const reorderedName = variantName(source, 'reordered');
    fs.writeFileSync(path.join(dir, reorderedName), reordered.bytes);
    variants.push({
      ...original, file: reorderedName, derivedFrom: source, expect: 'complete',
      exercises: `${source} rewritten by samples/record/impair.ts: on each data connection some adjacent payload segments swapped and the first and last payload segments duplicated; every byte is present, so carving must be exact`,
      impairment: reordered.impairment,
      transfers: original.transfers.map((t) => ({ ...t })),
    });

    const lossy = dropOne(parsed);
    const lossyName = variantName(source, 'lossy');
    fs.writeFileSync(path.join(dir, lossyName), lossy.bytes);
    const gap = lossy.impairment.gaps[0]!;
    // The transfer whose wire size is what the damaged connection carried.
    if (original.transfers.filter((t) => t.size === gap.connectionBytes).length !== 1) {
      throw new Error(`${source}: no single transfer of ${gap.connectionBytes} bytes for the dropped segment`);
    }
    variants.push({
      ...original, file: lossyName, derivedFrom: source, expect: 'gaps',
      exercises: `${source} rewritten by samples/record/impair.ts: one payload segment of the largest data connection dropped (a real gap of ${gap.length} bytes at offset ${gap.offset}); the other transfers are intact`,
      impairment: lossy.impairment,
      transfers: original.transfers.map((t) => (t.size === gap.connectionBytes
        ? { ...t, expect: 'gaps', missing: { offset: gap.offset, length: gap.length } }
        : { ...t })),
    });

    manifest.captures = manifest.captures.filter((c) => !variants.some((v) => v.file === c.file));
    const at = manifest.captures.indexOf(original) + 1;
    manifest.captures.splice(at, 0, ...variants);
    for (const v of variants) console.error(`impair: wrote ${path.join(dir, v.file)}`);
  }
  for (const source of REORDER_SOURCES) {
    const original = manifest.captures.find((c) => c.file === source);
    if (!original) {
      console.error(`impair: ${source} is not in ${manifestFile}; no variant made`);
      continue;
    }
    const reordered = reorder(readPcap(readCaptureFile(path.join(dir, source))));
    const name = variantName(source, 'reordered');
    fs.writeFileSync(path.join(dir, name), zlib.gzipSync(reordered.bytes, { level: 9 }));
    const variant: ManifestCapture = {
      ...original, file: name, derivedFrom: source, expect: 'complete',
      exercises: `${source} (real loss and TCP's real retransmissions) rewritten by samples/record/impair.ts: on the data connection every 10th pair of adjacent payload segments swapped and the first and last payload segments duplicated; every byte is present, so carving must be exact`,
      impairment: reordered.impairment,
      transfers: original.transfers.map((t) => ({ ...t })),
    };
    manifest.captures = manifest.captures.filter((c) => c.file !== name);
    manifest.captures.splice(manifest.captures.indexOf(original) + 1, 0, variant);
    console.error(`impair: wrote ${path.join(dir, name)}`);
  }
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'recorded')));
}
