/**
 * How many packets a capture file holds, guessed from the records in a few samples spread over
 * the file: columns are sized once up front instead of growing by doubling (which copies them and
 * can leave half of the last allocation unused). Only a guess: the columns still grow if the file
 * holds more.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const SAMPLE_BYTES = 256 * 1024;
const SAMPLES = 16;
const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
const PCAPNG_SHB = 0x0a0d0d0a;
const MAX_RECORD = 256 * 1024;
/** a sample's first record must be followed by this many plausible ones */
const CHAIN = 8;

type Layout = { kind: 'pcap'; le: boolean } | { kind: 'pcapng'; le: boolean };

/** The expected packet count, or undefined when the file is not an uncompressed pcap/pcapng or no sample holds whole records. */
export function estimatePackets(path: string): number | undefined {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const head = read(fd, 0, Math.min(SAMPLE_BYTES, size));
    const layout = layoutOf(head);
    if (!layout) return undefined;
    const start = count(head, layout, true);
    if (size <= SAMPLE_BYTES) return start.records > 0 ? start.records : undefined;
    // the start of a capture is often unlike the rest (handshakes, a quiet start): samples from
    // the middle on stand for the file, the start only when they find nothing
    let records = 0, bytes = 0;
    for (let i = 1; i < SAMPLES; i++) {
      const at = Math.floor((size * i) / SAMPLES);
      if (at + SAMPLE_BYTES > size) break;
      const counted = count(read(fd, at, SAMPLE_BYTES), layout, false);
      records += counted.records;
      bytes += counted.bytes;
    }
    if (records === 0) { records = start.records; bytes = start.bytes; }
    if (records === 0) return undefined;
    return Math.ceil((size / (bytes / records)) * 1.01) + 64;
  } catch {
    return undefined;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function read(fd: number, at: number, length: number): DataView {
  const buf = new Uint8Array(length);
  const got = readSync(fd, buf, 0, length, at);
  return new DataView(buf.buffer, 0, got);
}

function layoutOf(view: DataView): Layout | undefined {
  if (view.byteLength < 12) return undefined;
  const magic = view.getUint32(0, true);
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) return { kind: 'pcap', le: true };
  if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) return { kind: 'pcap', le: false };
  if (magic === PCAPNG_SHB) return { kind: 'pcapng', le: view.getUint32(8, true) === 0x1a2b3c4d };
  return undefined;
}

/** Whole packet records in the sample and the bytes they span (from the first record found). */
function count(view: DataView, layout: Layout, atStart: boolean): { records: number; bytes: number } {
  const len = layout.kind === 'pcap' ? pcapRecordLength : pcapngBlockLength;
  let pos = atStart ? (layout.kind === 'pcap' ? PCAP_FILE_HEADER : 0) : findChain(view, layout.le, len);
  if (pos < 0) return { records: 0, bytes: 0 };
  const first = pos;
  let records = 0, lastEnd = pos;
  for (;;) {
    const l = len(view, pos, layout.le);
    if (l <= 0 || pos + l > view.byteLength) break;
    if (layout.kind === 'pcap' || isPacketBlock(view.getUint32(pos, layout.le))) records++;
    pos += l;
    lastEnd = pos;
  }
  return { records, bytes: lastEnd - first };
}

function isPacketBlock(type: number): boolean {
  return type === 6 || type === 3 || type === 2;
}

/** Length of the plausible pcap record at `pos`, or -1. */
function pcapRecordLength(view: DataView, pos: number, le: boolean): number {
  if (pos + PCAP_RECORD_HEADER > view.byteLength) return -1;
  const cap = view.getUint32(pos + 8, le), wire = view.getUint32(pos + 12, le);
  if (cap === 0 || cap > MAX_RECORD || cap > wire) return -1;
  return PCAP_RECORD_HEADER + cap;
}

/** Length of the pcapng block at `pos` when its leading and trailing lengths agree, or -1. */
function pcapngBlockLength(view: DataView, pos: number, le: boolean): number {
  if (pos + 12 > view.byteLength) return -1;
  const l = view.getUint32(pos + 4, le);
  if (l < 12 || l % 4 !== 0 || l > 16 * 1024 * 1024) return -1;
  if (pos + l <= view.byteLength && view.getUint32(pos + l - 4, le) !== l) return -1;
  return l;
}

/** The first offset where CHAIN records in a row parse (a sample taken in the middle of a file). */
function findChain(view: DataView, le: boolean, len: (v: DataView, p: number, le: boolean) => number): number {
  const limit = view.byteLength - MAX_RECORD / 4;
  for (let start = 0; start < limit; start++) {
    let pos = start, n = 0;
    while (n < CHAIN) {
      const l = len(view, pos, le);
      if (l <= 0 || pos + l > view.byteLength) break;
      pos += l;
      n++;
    }
    if (n === CHAIN) return start;
  }
  return -1;
}
