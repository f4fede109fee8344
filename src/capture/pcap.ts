/** Classic libpcap format: 24-byte file header, then records of header + captured bytes. */
import { CaptureOpenError, type CaptureSink } from './types.ts';
import {
  MAX_PLAUSIBLE_WIRELEN, WarningGate, capLenLimit, type ByteWindow, type RecordParser,
} from './window.ts';

export const PCAP_FILE_HEADER_BYTES = 24;
const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;
/** Kuznetsov's patched libpcap: same header, longer record headers (ifindex, protocol, ...). */
const MAGIC_MODIFIED = 0xa1b2cd34;
/** A resynchronisation candidate's timestamp must lie this close to the last good one. */
const RESYNC_WINDOW_SEC = 7 * 86400;

export interface PcapLayout {
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
  /** 16 normally; 24 or 28 for the patched "RedHat 6.1"/SuSE variants */
  readonly recordHeaderBytes: number;
  readonly snapLen: number;
  readonly linkType: number;
}

function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** True when the first four bytes are a classic pcap magic number in either byte order. */
export function isPcapMagic(magicLe: number): boolean {
  const m = magicLe >>> 0, s = swap32(m);
  return m === MAGIC_USEC || m === MAGIC_NSEC || m === MAGIC_MODIFIED
    || s === MAGIC_USEC || s === MAGIC_NSEC || s === MAGIC_MODIFIED;
}

/**
 * Reads the file header at win.pos (24 bytes must be available) and works out the record layout
 * by trying the candidate record-header sizes on the first records in the window, as Wireshark
 * does: files from patched libpcaps carry a standard magic but longer record headers.
 */
export function readPcapHeader(file: string, win: ByteWindow): PcapLayout {
  const view = win.view, pos = win.pos;
  if (win.end - pos < PCAP_FILE_HEADER_BYTES) {
    throw new CaptureOpenError(file, win.base + win.end,
      `pcap file header cut short (${win.end - pos} of ${PCAP_FILE_HEADER_BYTES} bytes)`);
  }
  const magicLe = view.getUint32(pos, true);
  const littleEndian = magicLe === MAGIC_USEC || magicLe === MAGIC_NSEC || magicLe === MAGIC_MODIFIED;
  const magic = littleEndian ? magicLe : swap32(magicLe);
  const snapLen = view.getUint32(pos + 16, littleEndian);
  // low 16 bits: link type; the upper bits carry FCS information
  const linkType = view.getUint32(pos + 20, littleEndian) & 0xffff;
  const nanosecond = magic === MAGIC_NSEC;
  const candidates = magic === MAGIC_MODIFIED ? [24, 28] : [16, 24];
  const fracLimit = nanosecond ? 1e9 : 1e6, maxCap = capLenLimit(snapLen);
  let recordHeaderBytes = candidates[0]!;
  for (const h of candidates) {
    if (firstRecordsFit(view, pos + PCAP_FILE_HEADER_BYTES, win.end, h, littleEndian, fracLimit, maxCap)) {
      recordHeaderBytes = h;
      break;
    }
  }
  return { littleEndian, nanosecond, recordHeaderBytes, snapLen, linkType };
}

function firstRecordsFit(view: DataView, at: number, end: number, h: number, le: boolean, fracLimit: number, maxCap: number): boolean {
  for (let i = 0; i < 3; i++) {
    if (at === end) return i > 0;
    if (at + h > end) return i > 0;
    const cap = view.getUint32(at + 8, le), wire = view.getUint32(at + 12, le);
    if (cap === 0 || cap > maxCap || cap > wire || wire > MAX_PLAUSIBLE_WIRELEN) return false;
    if (view.getUint32(at + 4, le) >= fracLimit) return false;
    at += h + cap;
  }
  return true;
}

const enum Step { Continue = 0, Done = -1 }

export class PcapParser implements RecordParser {
  packets = 0;
  private readonly le: boolean;
  private readonly hdr: number;
  private readonly fracLimit: number;
  private readonly nsecPerUnit: number;
  private readonly maxCap: number;
  private readonly linkType: number;
  private prevSec = -1;
  private prevNsec = 0;
  private resyncing = false;
  private resyncStart = 0; // file offset where unreadable data began
  private resyncReason = '';
  private resyncAtEof = false; // the fault was a record running past the end of the file

  constructor(private readonly sink: CaptureSink, private readonly gate: WarningGate, layout: PcapLayout) {
    this.le = layout.littleEndian;
    this.hdr = layout.recordHeaderBytes;
    this.fracLimit = layout.nanosecond ? 1e9 : 1e6;
    this.nsecPerUnit = layout.nanosecond ? 1 : 1000;
    this.maxCap = capLenLimit(layout.snapLen);
    this.linkType = layout.linkType;
  }

  parse(win: ByteWindow): number {
    for (;;) {
      if (this.resyncing) {
        const r = this.resync(win);
        if (r !== Step.Continue) return r === Step.Done ? 0 : r;
      }
      this.readCleanRecords(win);
      const r = this.slowStep(win);
      if (r === Step.Done) return 0;
      if (r > 0) return r;
    }
  }

  /** The hot loop: well-formed records that are wholly in the window. */
  private readCleanRecords(win: ByteWindow): void {
    const view = win.view, bytes = win.bytes, end = win.end, base = win.base, sink = this.sink;
    const le = this.le, hdr = this.hdr, maxCap = this.maxCap, fracLimit = this.fracLimit;
    const nsecPerUnit = this.nsecPerUnit, linkType = this.linkType;
    let pos = win.pos, prevSec = this.prevSec, prevNsec = this.prevNsec;
    while (end - pos >= hdr) {
      const capLen = view.getUint32(pos + 8, le);
      const wireLen = view.getUint32(pos + 12, le);
      if (capLen === 0 || capLen > maxCap || capLen > wireLen) break;
      const data = pos + hdr;
      if (data + capLen > end) break;
      const sec = view.getUint32(pos, le);
      const frac = view.getUint32(pos + 4, le);
      if (frac >= fracLimit) break;
      const nsec = frac * nsecPerUnit;
      if (sec < prevSec || (sec === prevSec && nsec < prevNsec)) {
        this.gate.timeBackwards(this.packets + 1, base + pos, sec, nsec, prevSec, prevNsec);
      }
      prevSec = sec;
      prevNsec = nsec;
      this.packets++;
      sink.packet(bytes, view, data, capLen, wireLen, sec, nsec, linkType, base + data, 0);
      pos = data + capLen;
    }
    win.pos = pos;
    this.prevSec = prevSec;
    this.prevNsec = prevNsec;
  }

  /** Handles whatever stopped the hot loop: end of window, end of file, or a suspicious record. */
  private slowStep(win: ByteWindow): number {
    const view = win.view, le = this.le, hdr = this.hdr, pos = win.pos;
    const avail = win.end - pos, offset = win.base + pos;
    if (avail < hdr) {
      if (!win.eof) return hdr;
      if (avail > 0) {
        this.gate.warn(this.packets + 1, offset,
          `file ends inside a record header (${avail} of ${hdr} bytes)`, true);
      }
      return Step.Done;
    }
    const capLen = view.getUint32(pos + 8, le), wireLen = view.getUint32(pos + 12, le);
    const sec = view.getUint32(pos, le), frac = view.getUint32(pos + 4, le);
    if (capLen > this.maxCap) {
      return this.startResync(win, `implausible captured length ${capLen} (limit ${this.maxCap})`, false);
    }
    if (capLen === 0) {
      if (wireLen <= MAX_PLAUSIBLE_WIRELEN && frac < this.fracLimit && this.timeNear(sec, this.prevSec)) {
        this.gate.warn(this.packets + 1, offset, `zero-length packet skipped (wire length ${wireLen})`);
        win.pos = pos + hdr;
        return Step.Continue;
      }
      return this.startResync(win, 'implausible record header (captured length 0)', false);
    }
    const next = pos + hdr + capLen;
    if (next > win.end) {
      if (!win.eof) return hdr + capLen;
      return this.startResync(win,
        `record length ${capLen} runs past the end of the file (${avail - hdr} bytes left)`, true);
    }
    let problem = '';
    if (capLen > wireLen) problem = `captured length ${capLen} above wire length ${wireLen}`;
    else if (frac >= this.fracLimit) problem = `timestamp fraction ${frac} out of range`;
    if (problem !== '') {
      // Trust the record only if the one after it makes sense too.
      if (next + hdr > win.end && !win.eof) return hdr + capLen + hdr;
      if (next + hdr <= win.end && !this.headerPlausible(view, next, sec)) {
        return this.startResync(win, problem, false);
      }
      this.gate.warn(this.packets + 1, offset, problem);
    }
    this.deliver(win, pos, capLen, Math.max(capLen, wireLen), sec + Math.floor(frac / this.fracLimit),
      (frac % this.fracLimit) * this.nsecPerUnit);
    win.pos = next;
    return Step.Continue;
  }

  private deliver(win: ByteWindow, pos: number, capLen: number, wireLen: number, sec: number, nsec: number): void {
    if (sec < this.prevSec || (sec === this.prevSec && nsec < this.prevNsec)) {
      this.gate.timeBackwards(this.packets + 1, win.base + pos, sec, nsec, this.prevSec, this.prevNsec);
    }
    this.prevSec = sec;
    this.prevNsec = nsec;
    this.packets++;
    const data = pos + this.hdr;
    this.sink.packet(win.bytes, win.view, data, capLen, wireLen, sec, nsec, this.linkType, win.base + data, 0);
  }

  private timeNear(sec: number, refSec: number): boolean {
    return refSec < 0 || Math.abs(sec - refSec) <= RESYNC_WINDOW_SEC;
  }

  private headerPlausible(view: DataView, at: number, refSec: number): boolean {
    const le = this.le;
    const capLen = view.getUint32(at + 8, le), wireLen = view.getUint32(at + 12, le);
    return capLen !== 0 && capLen <= this.maxCap && capLen <= wireLen && wireLen <= MAX_PLAUSIBLE_WIRELEN
      && view.getUint32(at + 4, le) < this.fracLimit && this.timeNear(view.getUint32(at, le), refSec);
  }

  private startResync(win: ByteWindow, reason: string, atEof: boolean): number {
    this.resyncing = true;
    this.resyncStart = win.base + win.pos;
    this.resyncReason = reason;
    this.resyncAtEof = atEof;
    win.pos++;
    return Step.Continue;
  }

  /**
   * Scans forward byte by byte for a plausible record header whose successor (when it is in the
   * file) is plausible too. Emits one warning for the whole skipped stretch.
   */
  private resync(win: ByteWindow): number {
    const view = win.view, hdr = this.hdr, end = win.end;
    for (let c = win.pos; ; c++) {
      if (end - c < hdr) {
        if (!win.eof) {
          win.pos = c;
          return hdr;
        }
        const skipped = win.base + end - this.resyncStart;
        this.gate.warn(this.packets + 1, this.resyncStart, this.resyncAtEof
          ? this.resyncReason
          : `${this.resyncReason}; no readable record in the remaining ${skipped} bytes`, true);
        this.resyncing = false;
        win.pos = end;
        return Step.Done;
      }
      if (!this.headerPlausible(view, c, this.prevSec)) continue;
      const next = c + hdr + view.getUint32(c + 8, this.le);
      if (next + hdr <= end) {
        if (!this.headerPlausible(view, next, view.getUint32(c, this.le))) continue;
      } else if (!win.eof) {
        win.pos = c;
        return next + hdr - c;
      } else if (next > end) {
        continue; // would run past the end of the file
      }
      const skipped = win.base + c - this.resyncStart;
      this.gate.warn(this.packets + 1, this.resyncStart,
        `${this.resyncReason}; skipped ${skipped} bytes to the next plausible record at byte offset ${win.base + c}`);
      this.resyncing = false;
      win.pos = c;
      return Step.Continue;
    }
  }
}
