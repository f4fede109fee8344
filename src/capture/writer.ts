/**
 * Capture writers: classic pcap (`PcapWriter`) and pcapng (`PcapngWriter`), little-endian.
 *
 * A writer goes either to a file or to memory. A file is written atomically: the bytes go to a
 * temporary file in the destination's directory, and `close()` moves it into place (an existing
 * destination is only replaced with `overwrite: true`); `abort()` or a failure leaves nothing
 * behind. Packets are copied byte for byte; only a snaplen shorter than the data truncates them.
 */
import { AtomicFile, FileExistsError } from '../output/atomicFile.ts';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_EPB = 0x00000006;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const DEFAULT_SNAPLEN = 262144;
const STAGE_BYTES = 1 << 16;

/** Where a writer goes: a file path (atomic) or memory (read back with `toBuffer()`). */
export interface OutputTarget {
  /** destination file; omit to write to memory */
  readonly path?: string;
  /** replace an existing destination (default false: creating/closing fails with CaptureFileExistsError) */
  readonly overwrite?: boolean;
  /** create missing parent directories of `path` (default false) */
  readonly createDirectories?: boolean;
}

/** thrown when the destination exists (the one error of every atomic file in flowsh) */
export { FileExistsError as CaptureFileExistsError };

/**
 * Bytes are staged in one reused buffer (so writing a packet allocates nothing); a full stage goes
 * to the temp file, or for a memory target into a list of chunks.
 */
class Output {
  readonly stage = Buffer.allocUnsafe(STAGE_BYTES);
  stageUsed = 0;
  private readonly chunks: Buffer[] = [];
  private readonly file: AtomicFile | undefined;
  private finished = false;
  bytesWritten = 0;

  constructor(private readonly target: OutputTarget) {
    if (target.path !== undefined) this.file = new AtomicFile(target.path, { overwrite: target.overwrite ?? false, createDirectories: target.createDirectories ?? false });
  }

  get isFile(): boolean {
    return this.target.path !== undefined;
  }

  /** Makes room for `length` (<= STAGE_BYTES) bytes in the stage; returns where they go. */
  reserve(length: number): number {
    if (this.finished) throw new Error('capture writer is closed');
    if (this.stageUsed + length > STAGE_BYTES) this.spill();
    const at = this.stageUsed;
    this.stageUsed += length;
    this.bytesWritten += length;
    return at;
  }

  /** Appends a copy of `bytes`. */
  write(bytes: Uint8Array): void {
    if (bytes.length <= STAGE_BYTES) {
      this.stage.set(bytes, this.reserve(bytes.length));
      return;
    }
    if (this.finished) throw new Error('capture writer is closed');
    this.spill();
    this.emit(bytes);
    this.bytesWritten += bytes.length;
  }

  private spill(): void {
    if (this.stageUsed === 0) return;
    this.emit(this.stage.subarray(0, this.stageUsed));
    this.stageUsed = 0;
  }

  private emit(bytes: Uint8Array): void {
    if (this.file === undefined) this.chunks.push(Buffer.from(bytes)); // a copy: the stage is reused
    else this.file.write(bytes);
  }

  /** Memory targets: everything written so far. */
  toBuffer(): Buffer {
    if (this.isFile) throw new Error('toBuffer() is only for writers without a path');
    const all = Buffer.concat([...this.chunks, this.stage.subarray(0, this.stageUsed)]);
    this.chunks.length = 0;
    this.chunks.push(all);
    this.stageUsed = 0;
    return all;
  }

  close(): void {
    if (this.finished) return;
    try {
      this.spill();
      this.file?.commit();
    } catch (err) {
      this.abort();
      throw err;
    }
    this.finished = true;
  }

  abort(): void {
    this.finished = true;
    this.chunks.length = 0;
    this.stageUsed = 0;
    this.file?.abort();
  }
}

/** Common API of both writers. */
export interface CaptureWriter {
  /**
   * Append one packet. `tsNsec` is 0..999999999 (truncated to the file's resolution).
   * `wireLen` defaults to `data.length`; data longer than the snaplen is cut to it.
   */
  writePacket(tsSec: number, tsNsec: number, data: Uint8Array, wireLen?: number, interfaceId?: number): void;
  /** Finish: a file target is moved into place. Idempotent. */
  close(): void;
  /** Give up: a file target's temporary file is removed and the destination left untouched. */
  abort(): void;
  /** For writers without a path: the file bytes written so far. */
  toBuffer(): Buffer;
  readonly packets: number;
  readonly bytesWritten: number;
}

function checkTimestamp(tsSec: number, tsNsec: number): void {
  if (!Number.isInteger(tsSec) || tsSec < 0 || tsSec > 0xffffffff) {
    throw new RangeError(`timestamp seconds out of range: ${tsSec}`);
  }
  if (!Number.isInteger(tsNsec) || tsNsec < 0 || tsNsec > 999_999_999) {
    throw new RangeError(`timestamp nanoseconds out of range: ${tsNsec}`);
  }
}

function capturedLength(data: Uint8Array, snapLen: number, wireLen: number | undefined): [number, number] {
  const capLen = snapLen > 0 && data.length > snapLen ? snapLen : data.length;
  const orig = wireLen === undefined ? data.length : wireLen;
  if (!Number.isInteger(orig) || orig < capLen || orig > 0xffffffff) {
    throw new RangeError(`wire length ${orig} is below the captured length ${capLen}`);
  }
  return [capLen, orig];
}

export interface PcapWriterOptions extends OutputTarget {
  readonly linkType: number;
  /** default 262144 */
  readonly snapLen?: number;
  /** nanosecond timestamps (magic 0xa1b23c4d); default microseconds */
  readonly nanosecond?: boolean;
}

/** Classic libpcap file: 24-byte global header, then 16-byte record headers. */
export class PcapWriter implements CaptureWriter {
  private readonly out: Output;
  readonly snapLen: number;
  readonly linkType: number;
  readonly nanosecond: boolean;
  packets = 0;

  static create(options: PcapWriterOptions): PcapWriter {
    return new PcapWriter(options);
  }

  constructor(options: PcapWriterOptions) {
    this.snapLen = options.snapLen ?? DEFAULT_SNAPLEN;
    this.linkType = options.linkType;
    this.nanosecond = options.nanosecond ?? false;
    this.out = new Output(options);
    const header = Buffer.alloc(24);
    header.writeUInt32LE(this.nanosecond ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, 0);
    header.writeUInt16LE(2, 4); // version 2.4
    header.writeUInt16LE(4, 6);
    // thiszone, sigfigs: 0
    header.writeUInt32LE(this.snapLen, 16);
    header.writeUInt32LE(this.linkType, 20);
    this.out.write(header);
  }

  get bytesWritten(): number {
    return this.out.bytesWritten;
  }

  writePacket(tsSec: number, tsNsec: number, data: Uint8Array, wireLen?: number, interfaceId = 0): void {
    if (interfaceId !== 0) throw new RangeError(`classic pcap has one interface; got interface ${interfaceId}`);
    checkTimestamp(tsSec, tsNsec);
    const [capLen, orig] = capturedLength(data, this.snapLen, wireLen);
    const out = this.out;
    const at = out.reserve(16);
    out.stage.writeUInt32LE(tsSec, at);
    out.stage.writeUInt32LE(this.nanosecond ? tsNsec : Math.floor(tsNsec / 1000), at + 4);
    out.stage.writeUInt32LE(capLen, at + 8);
    out.stage.writeUInt32LE(orig, at + 12);
    out.write(capLen === data.length ? data : data.subarray(0, capLen));
    this.packets++;
  }

  close(): void {
    this.out.close();
  }

  abort(): void {
    this.out.abort();
  }

  toBuffer(): Buffer {
    return this.out.toBuffer();
  }
}

export interface PcapngInterface {
  readonly linkType: number;
  /** 0 means unlimited; default 262144 */
  readonly snapLen?: number;
  /** timestamp resolution as decimal digits (if_tsresol): 6 (default) or 9 */
  readonly tsDigits?: number;
  /** if_name option */
  readonly name?: string;
}

export interface PcapngWriterOptions extends OutputTarget {
  readonly interfaces: readonly PcapngInterface[];
  /** shb_userappl option; default "flowsh" */
  readonly application?: string;
}

const OPT_ENDOFOPT = 0;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;

/** Options block: each option is code, length, value padded to 4, then opt_endofopt. */
function encodeOptions(options: readonly [number, Uint8Array][]): Buffer {
  if (options.length === 0) return Buffer.alloc(0);
  let size = 4;
  for (const [, value] of options) size += 4 + pad4(value.length);
  const buf = Buffer.alloc(size);
  let at = 0;
  for (const [code, value] of options) {
    buf.writeUInt16LE(code, at);
    buf.writeUInt16LE(value.length, at + 2);
    buf.set(value, at + 4);
    at += 4 + pad4(value.length);
  }
  buf.writeUInt16LE(OPT_ENDOFOPT, at);
  return buf;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(type, 0);
  buf.writeUInt32LE(total, 4);
  body.copy(buf, 8);
  buf.writeUInt32LE(total, total - 4);
  return buf;
}

/** pcapng: a section header block, interface description blocks, enhanced packet blocks. */
export class PcapngWriter implements CaptureWriter {
  private readonly out: Output;
  private readonly interfaces: Required<Omit<PcapngInterface, 'name'>>[] = [];
  packets = 0;

  static create(options: PcapngWriterOptions): PcapngWriter {
    return new PcapngWriter(options);
  }

  constructor(options: PcapngWriterOptions) {
    this.out = new Output(options);
    const shb = Buffer.alloc(16);
    shb.writeUInt32LE(PCAPNG_BYTE_ORDER_MAGIC, 0);
    shb.writeUInt16LE(1, 4); // version 1.0
    shb.writeUInt16LE(0, 6);
    shb.writeInt32LE(-1, 8); // section length unknown
    shb.writeInt32LE(-1, 12);
    const appl = Buffer.from(options.application ?? 'flowsh', 'utf8');
    this.out.write(block(PCAPNG_SHB, Buffer.concat([shb, encodeOptions([[OPT_SHB_USERAPPL, appl]])])));
    for (const iface of options.interfaces) this.addInterface(iface);
  }

  get bytesWritten(): number {
    return this.out.bytesWritten;
  }

  get interfaceCount(): number {
    return this.interfaces.length;
  }

  /** Writes an interface description block; returns its interface id. */
  addInterface(iface: PcapngInterface): number {
    const tsDigits = iface.tsDigits ?? 6;
    if (!Number.isInteger(tsDigits) || tsDigits < 0 || tsDigits > 9) {
      throw new RangeError(`unsupported timestamp resolution: ${tsDigits} digits`);
    }
    const snapLen = iface.snapLen ?? DEFAULT_SNAPLEN;
    const fixed = Buffer.alloc(8);
    fixed.writeUInt16LE(iface.linkType, 0);
    fixed.writeUInt32LE(snapLen, 4);
    const options: [number, Uint8Array][] = [];
    if (iface.name !== undefined) options.push([OPT_IF_NAME, Buffer.from(iface.name, 'utf8')]);
    // microseconds is the default resolution; say so only when it differs
    if (tsDigits !== 6) options.push([OPT_IF_TSRESOL, Uint8Array.of(tsDigits)]);
    this.out.write(block(PCAPNG_IDB, Buffer.concat([fixed, encodeOptions(options)])));
    this.interfaces.push({ linkType: iface.linkType, snapLen, tsDigits });
    return this.interfaces.length - 1;
  }

  writePacket(tsSec: number, tsNsec: number, data: Uint8Array, wireLen?: number, interfaceId = 0): void {
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) throw new RangeError(`no interface ${interfaceId} (have ${this.interfaces.length})`);
    checkTimestamp(tsSec, tsNsec);
    const [capLen, orig] = capturedLength(data, iface.snapLen, wireLen);
    const padded = pad4(capLen);
    const total = 32 + padded;
    // timestamp = tsSec * 10^d + fraction as a 64-bit count, split without losing precision:
    // tsSec = hi16 * 2^16 + lo16, so each product stays below 2^53.
    const unit = 10 ** iface.tsDigits;
    const fraction = Math.floor(tsNsec / 10 ** (9 - iface.tsDigits));
    const hiProduct = Math.floor(tsSec / 65536) * unit;
    let tsHigh = Math.floor(hiProduct / 65536);
    let tsLow = (hiProduct % 65536) * 65536 + (tsSec % 65536) * unit + fraction;
    tsHigh += Math.floor(tsLow / 4294967296);
    tsLow %= 4294967296;
    const out = this.out;
    const at = out.reserve(28);
    const stage = out.stage;
    stage.writeUInt32LE(PCAPNG_EPB, at);
    stage.writeUInt32LE(total, at + 4);
    stage.writeUInt32LE(interfaceId, at + 8);
    stage.writeUInt32LE(tsHigh, at + 12);
    stage.writeUInt32LE(tsLow, at + 16);
    stage.writeUInt32LE(capLen, at + 20);
    stage.writeUInt32LE(orig, at + 24);
    out.write(capLen === data.length ? data : data.subarray(0, capLen));
    const tail = out.reserve(padded - capLen + 4);
    stage.fill(0, tail, tail + padded - capLen);
    stage.writeUInt32LE(total, tail + padded - capLen);
    this.packets++;
  }

  close(): void {
    this.out.close();
  }

  abort(): void {
    this.out.abort();
  }

  toBuffer(): Buffer {
    return this.out.toBuffer();
  }
}
