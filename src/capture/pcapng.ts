/** pcapng: a sequence of sections (SHB), each with its own byte order and interfaces (IDB). */
import { CaptureOpenError, type CaptureSink, type InterfaceInfo } from './types.ts';
import { WarningGate, capLenLimit, type ByteWindow, type RecordParser } from './window.ts';

export const PCAPNG_MAGIC = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const IDB = 1, PB = 2, SPB = 3, NRB = 4, ISB = 5, EPB = 6, SJE = 9, DSB = 10;
const CB_COPY = 0x00000bad, CB_NOCOPY = 0x40000bad;
/** Blocks longer than this are taken as a corrupt length field. */
const MAX_BLOCK_BYTES = 16 * 1024 * 1024;
const OPT_END = 0, OPT_IF_NAME = 2, OPT_IF_TSRESOL = 9, OPT_IF_TSOFFSET = 14;
/** Timestamp units per second above this are split with BigInt (exact but allocating). */
const MAX_FAST_UNITS = 2 ** 36;

/** Smallest legal total length of the block types we know; 0 for unknown types. */
function minBlockBytes(type: number): number {
  switch (type) {
    case PCAPNG_MAGIC: return 28;
    case IDB: return 20;
    case PB: case EPB: return 32;
    case SPB: return 16;
    case ISB: return 24;
    case NRB: case SJE: case DSB: case CB_COPY: case CB_NOCOPY: return 12;
    default: return 0;
  }
}

const enum Step { Continue = 0, Done = -1 }

export class PcapngParser implements RecordParser {
  packets = 0;
  /** every interface of every section, in file order (the sink gets indexes into this list) */
  readonly interfaces: InterfaceInfo[] = [];
  /** byte order of the first section */
  firstLittleEndian = true;
  private le = true;
  private sections = 0;
  // interfaces of the current section, as parallel arrays for the hot loop
  private ifLinkType: number[] = [];
  private ifMaxCap: number[] = [];
  private ifSnapLen: number[] = [];
  private ifUnits: number[] = []; // timestamp units per second
  private ifUnitsBig: bigint[] = []; // the same, exact, for resolutions beyond MAX_FAST_UNITS
  private ifNsecMul: number[] = []; // nsec = floor(frac * mul) ...
  private ifNsecDiv: number[] = []; // ... or floor(frac / div) when div > 1
  private ifOffsetSec: number[] = [];
  private ifGlobal: number[] = [];
  private prevSec = -1;
  private prevNsec = 0;
  private resyncing = false;
  private resyncStart = 0;
  private resyncReason = '';
  private resyncAtEof = false;
  // scratch results of splitTimestamp (no allocation per packet)
  private tsSec = 0;
  private tsNsec = 0;

  constructor(private readonly file: string, private readonly sink: CaptureSink, private readonly gate: WarningGate) {}

  parse(win: ByteWindow): number {
    for (;;) {
      if (this.resyncing) {
        const r = this.resync(win);
        if (r !== Step.Continue) return r === Step.Done ? 0 : r;
      }
      if (this.sections > 0) this.readCleanPackets(win);
      const r = this.slowStep(win);
      if (r === Step.Done) return 0;
      if (r > 0) return r;
    }
  }

  /**
   * The hot loop: well-formed Enhanced Packet Blocks wholly in the window. The interface's
   * parameters stay in locals while consecutive packets use the same one, and the timestamp's
   * high word (which changes every 2^32 units) is converted only when it changes.
   */
  private readCleanPackets(win: ByteWindow): void {
    const view = win.view, bytes = win.bytes, end = win.end, base = win.base, sink = this.sink, le = this.le;
    const nIf = this.ifLinkType.length;
    let pos = win.pos, prevSec = this.prevSec, prevNsec = this.prevNsec;
    let ifId = -1, units = 1, mul = 1, div = 1, maxCap = 0, linkType = 0, globalId = 0, offsetSec = 0;
    let baseHi = -1, baseSec = 0, baseRem = 0; // hi * 2^32 units = baseSec seconds + baseRem units
    while (end - pos >= 32) {
      if (view.getUint32(pos, le) !== EPB) break;
      const len = view.getUint32(pos + 4, le);
      if (len < 32 || (len & 3) !== 0 || len > end - pos) break;
      if (view.getUint32(pos + len - 4, le) !== len) break;
      const id = view.getUint32(pos + 8, le);
      if (id !== ifId) {
        if (id >= nIf || this.ifUnits[id]! > MAX_FAST_UNITS) break;
        ifId = id;
        units = this.ifUnits[id]!;
        mul = this.ifNsecMul[id]!;
        div = this.ifNsecDiv[id]!;
        maxCap = this.ifMaxCap[id]!;
        linkType = this.ifLinkType[id]!;
        globalId = this.ifGlobal[id]!;
        offsetSec = this.ifOffsetSec[id]!;
        baseHi = -1;
      }
      const capLen = view.getUint32(pos + 20, le), wireLen = view.getUint32(pos + 24, le);
      if (capLen === 0 || capLen > len - 32 || capLen > maxCap || capLen > wireLen) break;
      const hi = view.getUint32(pos + 12, le);
      if (hi !== baseHi) {
        // exact long division of hi * 2^32 by units, in 16-bit limbs
        baseHi = hi;
        const q1 = Math.floor(hi / units);
        let r = hi - q1 * units;
        let t = r * 65536;
        const q2 = Math.floor(t / units);
        r = t - q2 * units;
        t = r * 65536;
        const q3 = Math.floor(t / units);
        baseRem = t - q3 * units;
        baseSec = q1 * 4294967296 + q2 * 65536 + q3 + offsetSec;
      }
      const t = baseRem + view.getUint32(pos + 16, le); // < 2^37: exact
      const q = Math.floor(t / units);
      const sec = baseSec + q;
      const r = t - q * units;
      const nsec = div === 1 ? Math.floor(r * mul) : Math.floor(r / div);
      if (sec < prevSec || (sec === prevSec && nsec < prevNsec)) {
        this.gate.timeBackwards(this.packets + 1, base + pos, sec, nsec, prevSec, prevNsec);
      }
      prevSec = sec;
      prevNsec = nsec;
      this.packets++;
      sink.packet(bytes, view, pos + 28, capLen, wireLen, sec, nsec, linkType, base + pos + 28, globalId);
      pos += len;
    }
    win.pos = pos;
    this.prevSec = prevSec;
    this.prevNsec = prevNsec;
  }

  /** One block of any kind, with every check; also handles end of window and end of file. */
  private slowStep(win: ByteWindow): number {
    const view = win.view, pos = win.pos, avail = win.end - pos, offset = win.base + pos;
    const first = this.sections === 0;
    if (avail < 12) {
      if (!win.eof) return 12;
      if (first) throw new CaptureOpenError(this.file, offset, `pcapng section header cut short (${avail} bytes)`);
      if (avail > 0) this.gate.warn(this.packets + 1, offset, `file ends inside a block header (${avail} bytes left)`, true);
      return Step.Done;
    }
    let le = this.le;
    const type = view.getUint32(pos, le);
    if (type === PCAPNG_MAGIC) {
      const bom = view.getUint32(pos + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === BYTE_ORDER_MAGIC_SWAPPED) le = false;
      else {
        if (first) throw new CaptureOpenError(this.file, offset + 8, 'pcapng section header has no valid byte-order magic');
        return this.startResync(win, 'section header with an invalid byte-order magic', false);
      }
    } else if (first) {
      throw new CaptureOpenError(this.file, offset, 'pcapng file does not start with a section header');
    }
    const len = view.getUint32(pos + 4, le);
    const minLen = Math.max(12, minBlockBytes(type));
    if (len < minLen || (len & 3) !== 0 || len > MAX_BLOCK_BYTES) {
      if (first) throw new CaptureOpenError(this.file, offset + 4, `pcapng section header has an invalid length ${len}`);
      return this.startResync(win, `implausible block length ${len} (block type 0x${hex(type)})`, false);
    }
    if (len > avail) {
      if (!win.eof) return len;
      if (first) throw new CaptureOpenError(this.file, offset, `pcapng section header cut short (${avail} of ${len} bytes)`);
      return this.startResync(win, `block length ${len} runs past the end of the file (${avail} bytes left)`, true);
    }
    if (view.getUint32(pos + len - 4, le) !== len) {
      if (first) throw new CaptureOpenError(this.file, offset + len - 4, 'pcapng section header length does not match its trailing copy');
      return this.startResync(win, `block length ${len} does not match its trailing copy ${view.getUint32(pos + len - 4, le)}`, false);
    }
    switch (type) {
      case PCAPNG_MAGIC: this.sectionHeader(win, pos, le); break;
      case IDB: this.interfaceDescription(win, pos, len); break;
      case EPB: case PB: this.packetBlock(win, pos, len, type); break;
      case SPB: this.simplePacket(win, pos, len); break;
      default: break; // statistics, name resolution, custom and unknown blocks carry no packets
    }
    win.pos = pos + len;
    return Step.Continue;
  }

  private sectionHeader(win: ByteWindow, pos: number, le: boolean): void {
    if (this.sections === 0) this.firstLittleEndian = le;
    this.sections++;
    this.le = le;
    this.startSection();
    const major = win.view.getUint16(pos + 12, le);
    if (major !== 1) {
      this.gate.warn(this.packets + 1, win.base + pos, `section header has unsupported version ${major}.${win.view.getUint16(pos + 14, le)}; reading it as 1.0`);
    }
  }

  /** Interfaces are numbered per section. */
  private startSection(): void {
    this.ifLinkType = [];
    this.ifMaxCap = [];
    this.ifSnapLen = [];
    this.ifUnits = [];
    this.ifUnitsBig = [];
    this.ifNsecMul = [];
    this.ifNsecDiv = [];
    this.ifOffsetSec = [];
    this.ifGlobal = [];
  }

  private interfaceDescription(win: ByteWindow, pos: number, len: number): void {
    const view = win.view, le = this.le;
    const linkType = view.getUint16(pos + 8, le);
    const snapLen = view.getUint32(pos + 12, le);
    let tsresol = 6, offsetSec = 0, name: string | undefined;
    const optEnd = pos + len - 4;
    for (let o = pos + 16; o + 4 <= optEnd;) {
      const code = view.getUint16(o, le), olen = view.getUint16(o + 2, le);
      if (code === OPT_END || o + 4 + olen > optEnd) break;
      if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = view.getUint8(o + 4);
      else if (code === OPT_IF_TSOFFSET && olen >= 8) offsetSec = Number(view.getBigInt64(o + 4, le));
      else if (code === OPT_IF_NAME) name = new TextDecoder().decode(win.bytes.subarray(o + 4, o + 4 + olen)).replace(/\0+$/, '');
      o += 4 + ((olen + 3) & ~3);
    }
    const pow2 = (tsresol & 0x80) !== 0, exp = tsresol & 0x7f;
    const units = pow2 ? 2 ** exp : 10 ** exp;
    let mul = 1, div = 1;
    if (pow2) mul = 1e9 / units; // exact: 1e9 = 2^9 * 5^9, so this is a power of two times 5^9
    else if (exp <= 9) mul = 10 ** (9 - exp);
    else div = 10 ** (exp - 9);
    const tsDigits = pow2 ? Math.ceil(exp * Math.log10(2)) : exp;
    this.ifLinkType.push(linkType);
    this.ifSnapLen.push(snapLen);
    this.ifMaxCap.push(capLenLimit(snapLen));
    this.ifUnits.push(units);
    this.ifUnitsBig.push(pow2 ? 1n << BigInt(exp) : 10n ** BigInt(exp));
    this.ifNsecMul.push(mul);
    this.ifNsecDiv.push(div);
    this.ifOffsetSec.push(offsetSec);
    this.ifGlobal.push(this.interfaces.length);
    this.interfaces.push(name === undefined ? { linkType, snapLen, tsDigits } : { linkType, snapLen, tsDigits, name });
  }

  /** Enhanced Packet Block, or the obsolete Packet Block (16-bit interface id, drop count). */
  private packetBlock(win: ByteWindow, pos: number, len: number, type: number): void {
    const view = win.view, le = this.le, offset = win.base + pos, packetNo = this.packets + 1;
    const ifId = type === EPB ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
    if (ifId >= this.ifLinkType.length) {
      this.gate.warn(packetNo, offset, `packet refers to interface ${ifId}, but this section defines ${this.ifLinkType.length}; skipped`);
      return;
    }
    const capLen = view.getUint32(pos + 20, le);
    let wireLen = view.getUint32(pos + 24, le);
    if (capLen === 0) {
      this.gate.warn(packetNo, offset, `zero-length packet skipped (wire length ${wireLen})`);
      return;
    }
    if (capLen > len - 32) {
      this.gate.warn(packetNo, offset, `captured length ${capLen} does not fit in its ${len}-byte block; skipped`);
      return;
    }
    if (capLen > this.ifMaxCap[ifId]!) {
      this.gate.warn(packetNo, offset, `implausible captured length ${capLen} (limit ${this.ifMaxCap[ifId]}); skipped`);
      return;
    }
    if (capLen > wireLen) {
      this.gate.warn(packetNo, offset, `captured length ${capLen} above wire length ${wireLen}`);
      wireLen = capLen;
    }
    this.splitTimestamp(view.getUint32(pos + 12, le), view.getUint32(pos + 16, le), ifId);
    this.deliver(win, pos, pos + 28, capLen, wireLen, ifId);
  }

  private simplePacket(win: ByteWindow, pos: number, len: number): void {
    const offset = win.base + pos, packetNo = this.packets + 1;
    if (this.ifLinkType.length === 0) {
      this.gate.warn(packetNo, offset, 'simple packet block before any interface description; skipped');
      return;
    }
    const wireLen = win.view.getUint32(pos + 8, this.le);
    const snapLen = this.ifSnapLen[0]!;
    const capLen = Math.min(wireLen, len - 16, snapLen === 0 ? Infinity : snapLen);
    if (capLen === 0) {
      this.gate.warn(packetNo, offset, `zero-length packet skipped (wire length ${wireLen})`);
      return;
    }
    if (capLen > this.ifMaxCap[0]!) {
      this.gate.warn(packetNo, offset, `implausible captured length ${capLen} (limit ${this.ifMaxCap[0]}); skipped`);
      return;
    }
    // A simple packet block has no timestamp: keep the previous packet's so time never jumps.
    this.tsSec = Math.max(this.prevSec, 0);
    this.tsNsec = this.prevSec < 0 ? 0 : this.prevNsec;
    this.deliver(win, pos, pos + 12, capLen, wireLen, 0);
  }

  private deliver(win: ByteWindow, pos: number, data: number, capLen: number, wireLen: number, ifId: number): void {
    const sec = this.tsSec, nsec = this.tsNsec;
    if (sec < this.prevSec || (sec === this.prevSec && nsec < this.prevNsec)) {
      this.gate.timeBackwards(this.packets + 1, win.base + pos, sec, nsec, this.prevSec, this.prevNsec);
    }
    this.prevSec = sec;
    this.prevNsec = nsec;
    this.packets++;
    this.sink.packet(win.bytes, win.view, data, capLen, wireLen, sec, nsec, this.ifLinkType[ifId]!, win.base + data, this.ifGlobal[ifId]!);
  }

  /** Sets tsSec/tsNsec from a 64-bit count of the interface's units (any resolution). */
  private splitTimestamp(hi: number, lo: number, ifId: number): void {
    const units = this.ifUnits[ifId]!;
    if (units <= MAX_FAST_UNITS) {
      const q1 = Math.floor(hi / units);
      let r = hi - q1 * units;
      let t = r * 65536 + (lo >>> 16);
      const q2 = Math.floor(t / units);
      r = t - q2 * units;
      t = r * 65536 + (lo & 0xffff);
      const q3 = Math.floor(t / units);
      r = t - q3 * units;
      this.tsSec = q1 * 4294967296 + q2 * 65536 + q3 + this.ifOffsetSec[ifId]!;
      const div = this.ifNsecDiv[ifId]!;
      this.tsNsec = div === 1 ? Math.floor(r * this.ifNsecMul[ifId]!) : Math.floor(r / div);
      return;
    }
    const ts = (BigInt(hi) << 32n) | BigInt(lo), u = this.ifUnitsBig[ifId]!;
    this.tsSec = Number(ts / u) + this.ifOffsetSec[ifId]!;
    this.tsNsec = Number(((ts % u) * 1_000_000_000n) / u);
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
   * Scans forward for a known block type whose leading and trailing lengths agree (and, for packet
   * blocks, whose interface exists). Byte by byte rather than in 4-byte steps: blocks are aligned
   * only until bytes go missing or get inserted. A section of the other byte order read 3 bytes
   * off looks like a valid block stream, so its headers must be found first: an interface block
   * in the other byte order is accepted too (its section header was lost) and starts a section.
   * Emits one warning for the whole skipped stretch.
   */
  private resync(win: ByteWindow): number {
    const view = win.view, end = win.end;
    for (let c = win.pos; ; c++) {
      if (end - c < 12) {
        if (!win.eof) {
          win.pos = c;
          return 12;
        }
        const skipped = win.base + end - this.resyncStart;
        this.gate.warn(this.packets + 1, this.resyncStart, this.resyncAtEof
          ? this.resyncReason
          : `${this.resyncReason}; no readable block in the remaining ${skipped} bytes`, true);
        this.resyncing = false;
        win.pos = end;
        return Step.Done;
      }
      let found = this.candidate(view, c, end, win.eof, this.le, false);
      let flipped = false;
      if (found === 0) {
        found = this.candidate(view, c, end, win.eof, !this.le, true);
        flipped = found > 0;
      }
      if (found === 0) continue;
      if (found < 0) {
        win.pos = c;
        return -found;
      }
      let note = '';
      if (flipped) {
        // The lost section header would have reset the interfaces and set this byte order.
        this.le = !this.le;
        this.startSection();
        note = ` (a section header in ${this.le ? 'little' : 'big'}-endian order seems lost)`;
      }
      const skipped = win.base + c - this.resyncStart;
      this.gate.warn(this.packets + 1, this.resyncStart,
        `${this.resyncReason}; skipped ${skipped} bytes to the next block at byte offset ${win.base + c}${note}`);
      this.resyncing = false;
      win.pos = c;
      return Step.Continue;
    }
  }

  /**
   * Whether a block plausibly starts at `at` when read in byte order `le`: its length when it
   * does, 0 when it does not, minus the bytes needed to tell. `interfaceOnly` admits only an
   * interface description block (used for the other byte order).
   */
  private candidate(view: DataView, at: number, end: number, eof: boolean, le: boolean, interfaceOnly: boolean): number {
    const type = view.getUint32(at, le);
    // The reserved field must be 0: read 3 bytes early, an interface block of the other byte
    // order shows its link type there (the length's zero bytes pose as type and length).
    if (interfaceOnly && (type !== IDB || view.getUint16(at + 10, le) !== 0)) return 0;
    if (type === PCAPNG_MAGIC) {
      const bom = view.getUint32(at + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === BYTE_ORDER_MAGIC_SWAPPED) le = false;
      else return 0;
    }
    const minLen = minBlockBytes(type);
    if (minLen === 0) return 0;
    const len = view.getUint32(at + 4, le);
    if (len < minLen || (len & 3) !== 0 || len > MAX_BLOCK_BYTES) return 0;
    if (len > end - at) return eof ? 0 : -len;
    if (view.getUint32(at + len - 4, le) !== len) return 0;
    if (type === EPB || type === PB) {
      const ifId = type === EPB ? view.getUint32(at + 8, le) : view.getUint16(at + 8, le);
      if (ifId >= this.ifLinkType.length || view.getUint32(at + 20, le) > len - 32) return 0;
    } else if (type === SPB && this.ifLinkType.length === 0) {
      return 0;
    }
    return len;
  }
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
