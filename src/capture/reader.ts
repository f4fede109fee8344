/**
 * Reads a capture file (classic pcap, pcapng, either gzip-compressed) in chunks and feeds every
 * packet record to a CaptureSink. The format is recognised by its magic number, never by name.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { constants as zlibConstants, createGunzip, type Gunzip } from 'node:zlib';
import { PcapParser, isPcapMagic, readPcapHeader, PCAP_FILE_HEADER_BYTES } from './pcap.ts';
import { PCAPNG_MAGIC, PcapngParser } from './pcapng.ts';
import {
  CaptureOpenError, type CaptureInfo, type CaptureSink, type InterfaceInfo, type ReadOptions,
} from './types.ts';
import { CHUNK_BYTES, INITIAL_WINDOW_BYTES, WarningGate, type ByteWindow, type RecordParser } from './window.ts';

const PROGRESS_STEP_BYTES = 1024 * 1024;
/** file reads are synchronous: the event loop gets a turn after this many bytes */
const YIELD_STEP_BYTES = 4 * 1024 * 1024;

interface ByteSource {
  /** Copies up to `length` bytes into target at offset; 0 means end of input. */
  read(target: Uint8Array, offset: number, length: number): Promise<number>;
  /** bytes of the underlying file consumed so far (compressed bytes for gzip) */
  readonly consumed: number;
  /** set when the input ended because of an error rather than at its end */
  readonly error: Error | undefined;
  close(): void;
}

class FileSource implements ByteSource {
  consumed = 0;
  error: Error | undefined;

  constructor(private readonly fh: FileHandle) {}

  /**
   * Reads synchronously: from the page cache a 256 KB read takes tens of microseconds, while an
   * asynchronous one waits for a thread-pool turn and leaves the loop idle (readCapture yields to
   * the event loop every few megabytes instead).
   */
  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    if (this.error) return 0;
    try {
      const bytesRead = readSync(this.fh.fd, target, offset, length, this.consumed);
      this.consumed += bytesRead;
      return bytesRead;
    } catch (e) {
      this.error = e as Error;
      return 0;
    }
  }

  close(): void {}
}

/**
 * Decompresses through node:zlib, copying the decompressed bytes to the spill file if asked.
 * Chunks are taken from 'data' events rather than an async iterator so that everything zlib
 * produced before an error (trailing garbage, a cut-short stream) is still read.
 */
class GzipSource implements ByteSource {
  consumed = 0;
  error: Error | undefined;
  spillError: Error | undefined;
  private readonly gunzip: Gunzip;
  private readonly queue: Buffer[] = [];
  private pending: Buffer | undefined;
  private pendingPos = 0;
  private ended = false;
  private wake: (() => void) | undefined;
  private spillFd = -1;

  constructor(fh: FileHandle, private readonly spillPath: string | undefined) {
    const compressed = fh.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES, autoClose: false, emitClose: false });
    compressed.on('data', (chunk) => { this.consumed += chunk.length; });
    // Z_SYNC_FLUSH at the end: a cut-short stream yields everything up to the cut instead of an
    // error that would drop zlib's last partial output chunk (the cut is detected separately).
    this.gunzip = createGunzip({ chunkSize: 64 * 1024, finishFlush: zlibConstants.Z_SYNC_FLUSH });
    pipeline(compressed, this.gunzip, (err) => {
      if (err && !this.ended) this.error = err;
      this.ended = true;
      this.notify();
    });
    this.gunzip.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      if (this.queue.length >= 4) this.gunzip.pause(); // backpressure: resumed when drained
      this.notify();
    });
    if (spillPath !== undefined) this.spillFd = openSync(spillPath, 'w');
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    while (this.pending === undefined || this.pendingPos >= this.pending.length) {
      const next = this.queue.shift();
      if (next !== undefined) {
        this.pending = next;
        this.pendingPos = 0;
        this.spill(next);
        break;
      }
      if (this.ended) return 0;
      if (this.gunzip.isPaused()) this.gunzip.resume();
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
    const pending = this.pending!;
    const n = Math.min(length, pending.length - this.pendingPos);
    pending.copy(target, offset, this.pendingPos, this.pendingPos + n);
    this.pendingPos += n;
    return n;
  }

  private spill(chunk: Buffer): void {
    if (this.spillFd < 0) return;
    try {
      for (let done = 0; done < chunk.length;) done += writeSync(this.spillFd, chunk, done, chunk.length - done);
    } catch (e) {
      this.spillError = e as Error;
      closeSync(this.spillFd);
      this.spillFd = -1;
    }
  }

  close(): void {
    this.ended = true;
    this.gunzip.destroy();
    if (this.spillFd >= 0) closeSync(this.spillFd);
    this.spillFd = -1;
  }

  /** Removes the spill file (the capture turned out unreadable). */
  discardSpill(): void {
    this.close();
    if (this.spillPath !== undefined) {
      try { unlinkSync(this.spillPath); } catch { /* already gone */ }
    }
  }
}

function newWindow(capacity: number): ByteWindow {
  const bytes = new Uint8Array(capacity);
  return { bytes, view: new DataView(bytes.buffer), pos: 0, end: 0, base: 0, eof: false };
}

/**
 * Makes at least `need` bytes available at win.pos (unless the input ends first): moves the
 * unparsed tail to the front, grows the buffer for oversized records, reads chunks.
 */
async function refill(win: ByteWindow, source: ByteSource, need: number): Promise<void> {
  if (win.pos > 0) {
    win.bytes.copyWithin(0, win.pos, win.end);
    win.base += win.pos;
    win.end -= win.pos;
    win.pos = 0;
  }
  if (need > win.bytes.length) {
    const bigger = new Uint8Array(need + CHUNK_BYTES);
    bigger.set(win.bytes.subarray(0, win.end));
    win.bytes = bigger;
    win.view = new DataView(bigger.buffer);
  }
  do {
    const room = Math.min(CHUNK_BYTES, win.bytes.length - win.end);
    if (room === 0) break;
    const n = await source.read(win.bytes, win.end, room);
    if (n === 0) {
      win.eof = true;
      break;
    }
    win.end += n;
  } while (win.end < need);
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'a path component is not a directory',
  EMFILE: 'too many open files', ELOOP: 'too many symbolic links',
};

/** The reason without repeating the path (the message already starts with it). */
function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code) return ERRNO_TEXT[err.code] ?? `${err.code} (${err.message.replace(/^\w+: /, '')})`;
  return String(err?.message ?? e);
}

function magicHex(win: ByteWindow): string {
  return Array.from(win.bytes.subarray(0, Math.min(4, win.end)), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Reads the capture at `path`, calling sink.packet for every packet record in file order and
 * sink.warning for every problem. Throws only CaptureOpenError (file missing or unreadable, not a
 * capture, header cut short); everything else is a warning and reading goes on where it can.
 * The interfaceId given to the sink indexes the returned `interfaces` (all sections of a pcapng).
 */
export async function readCapture(path: string, sink: CaptureSink, opts: ReadOptions = {}): Promise<CaptureInfo> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new CaptureOpenError(path, 0, `cannot open: ${describe(e)}`);
  }
  let source: ByteSource | undefined;
  try {
    const totalBytes = (await fh.stat()).size;
    source = new FileSource(fh);
    let win = newWindow(INITIAL_WINDOW_BYTES);
    await refill(win, source, 4);
    if (source.error) throw new CaptureOpenError(path, 0, `cannot read: ${describe(source.error)}`);
    if (win.end === 0) throw new CaptureOpenError(path, 0, 'empty file');
    let compressed = false;
    if (win.end >= 2 && win.bytes[0] === 0x1f && win.bytes[1] === 0x8b) {
      compressed = true;
      try {
        source = new GzipSource(fh, opts.spillPath);
      } catch (e) {
        throw new CaptureOpenError(path, 0, `cannot create the spill file ${opts.spillPath}: ${describe(e)}`);
      }
      win = newWindow(INITIAL_WINDOW_BYTES);
      await refill(win, source, 4);
      if (win.end === 0) {
        throw new CaptureOpenError(path, 0, source.error
          ? `gzip data unreadable: ${describe(source.error)}`
          : 'empty file (after decompression)');
      }
    }
    const inside = compressed ? ' inside the gzip data' : '';
    if (win.end < 4) throw new CaptureOpenError(path, 0, `file too short for a capture header (${win.end} bytes${inside})`);

    const gate = new WarningGate(path, sink);
    const magic = win.view.getUint32(0, true);
    let parser: RecordParser;
    let info: Omit<CaptureInfo, 'fileBytes' | 'packets' | 'cancelled'>;
    let pcapng: PcapngParser | undefined;
    if (isPcapMagic(magic)) {
      await refill(win, source, PCAP_FILE_HEADER_BYTES);
      const layout = readPcapHeader(path, win);
      win.pos = PCAP_FILE_HEADER_BYTES;
      parser = new PcapParser(sink, gate, layout);
      const iface: InterfaceInfo = { linkType: layout.linkType, snapLen: layout.snapLen, tsDigits: layout.nanosecond ? 9 : 6 };
      info = { file: path, format: 'pcap', compressed, littleEndian: layout.littleEndian, interfaces: [iface], tsDigits: iface.tsDigits };
    } else if (magic === PCAPNG_MAGIC) {
      parser = pcapng = new PcapngParser(path, sink, gate);
      info = { file: path, format: 'pcapng', compressed, littleEndian: true, interfaces: pcapng.interfaces, tsDigits: 6 };
    } else {
      throw new CaptureOpenError(path, 0, `not a pcap or pcapng file${inside} (magic ${magicHex(win)})`);
    }

    let cancelled = false;
    let lastProgress = 0, lastYield = 0;
    for (;;) {
      if (source.consumed - lastYield >= YIELD_STEP_BYTES) {
        // let the event loop run (progress display, a cancel key) between stretches of parsing
        lastYield = source.consumed;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (opts.signal?.aborted) {
        cancelled = true;
        break;
      }
      const need = parser.parse(win);
      if (need === 0 || win.eof) break; // eof: the parser has already seen everything
      await refill(win, source, need);
      if (source.error) {
        gate.warn(parser.packets + 1, win.base + win.end,
          `${compressed ? 'compressed data unreadable' : 'read error'}: ${describe(source.error)}; reading stopped here`, true);
      }
      if (opts.progress && source.consumed - lastProgress >= PROGRESS_STEP_BYTES) {
        lastProgress = source.consumed;
        opts.progress(source.consumed, totalBytes, parser.packets);
      }
    }
    const fileBytes = win.base + win.end;
    if (compressed && win.eof && !cancelled && !source.error && totalBytes >= 18) {
      // A gzip file ends with the uncompressed size (mod 2^32) of its last member; a cut-short one
      // ends in compressed data. A smaller size may be the last of several members: no alarm then.
      const trailer = new Uint8Array(4);
      await fh.read(trailer, 0, 4, totalBytes - 4);
      const isize = new DataView(trailer.buffer).getUint32(0, true);
      if (isize > fileBytes % 2 ** 32) {
        gate.warn(parser.packets + 1, fileBytes, `compressed data cut short: ${fileBytes} bytes decompressed, the gzip trailer says ${isize} (mod 2^32); reading stopped here`, true);
      }
    }
    if (source instanceof GzipSource && source.spillError) {
      gate.warn(parser.packets + 1, 0, `could not write the spill file ${opts.spillPath}: ${describe(source.spillError)}; payload will be unavailable`);
    }
    gate.finish(parser.packets + 1, fileBytes);
    opts.progress?.(source.consumed, totalBytes, parser.packets);
    if (pcapng) {
      const digits = pcapng.interfaces.reduce((m, i) => Math.max(m, i.tsDigits), 0);
      info = { ...info, littleEndian: pcapng.firstLittleEndian, tsDigits: pcapng.interfaces.length > 0 ? digits : 6 };
    }
    return { ...info, fileBytes, packets: parser.packets, cancelled };
  } catch (e) {
    if (source instanceof GzipSource && e instanceof CaptureOpenError) source.discardSpill();
    throw e;
  } finally {
    source?.close();
    await fh.close();
  }
}
