/** Shared machinery of the capture readers: the sliding byte window and the warning limiter. */
import type { CaptureSink, CaptureWarning } from './types.ts';

/** Bytes requested from the file per read. */
export const CHUNK_BYTES = 256 * 1024;
/** Largest captured length taken at face value (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD). */
export const MAX_PLAUSIBLE_CAPLEN = 256 * 1024;
/** A wire length above this is not a frame but garbage (covers TSO/GRO super-frames). */
export const MAX_PLAUSIBLE_WIRELEN = 16 * 1024 * 1024;
/** Largest snapshot length honoured for the captured-length limit (anything larger means "no limit"). */
export const MAX_HONOURED_SNAPLEN = 16 * 1024 * 1024;
/** Records are always buffered whole: room for one chunk plus one maximal record. */
export const INITIAL_WINDOW_BYTES = CHUNK_BYTES + MAX_PLAUSIBLE_CAPLEN + 4096;

/**
 * The part of the capture currently in memory: bytes[pos, end) are unparsed, bytes[0] is at
 * file offset `base`. The reader refills it (moving the unparsed tail to the front) whenever a
 * parser asks for more bytes.
 */
export interface ByteWindow {
  bytes: Uint8Array;
  view: DataView;
  pos: number;
  end: number;
  base: number;
  /** no more bytes will come: what is in the window is the rest of the file */
  eof: boolean;
}

export interface RecordParser {
  /**
   * Consumes records from win.pos. Returns the number of bytes needed at win.pos (more than are
   * available) to continue, or 0 when reading is finished (end of file or a fatal fault).
   */
  parse(win: ByteWindow): number;
  /** packets delivered to the sink so far */
  readonly packets: number;
}

/** Captured-length ceiling for a snapshot length (0 and absurd values mean "no limit"). */
export function capLenLimit(snapLen: number): number {
  return snapLen > MAX_PLAUSIBLE_CAPLEN && snapLen <= MAX_HONOURED_SNAPLEN ? snapLen : MAX_PLAUSIBLE_CAPLEN;
}

const MAX_BACKWARD_TIME_WARNINGS = 10;

/**
 * Forwards warnings to the sink, at most `limit` per file (fatal ones always), then one summary
 * line at the end. Timestamps going backwards are common in merged captures, so only the first
 * few are listed individually and the rest are counted.
 */
export class WarningGate {
  private emitted = 0;
  private suppressed = 0;
  private firstSuppressed: { packetNo: number; byteOffset: number } | undefined;
  private backwardTimes = 0;

  constructor(readonly file: string, private readonly sink: CaptureSink, private readonly limit = 100) {}

  warn(packetNo: number, byteOffset: number, message: string, fatal = false): void {
    if (this.emitted >= this.limit && !fatal) {
      if (this.suppressed++ === 0) this.firstSuppressed = { packetNo, byteOffset };
      return;
    }
    this.emitted++;
    const w: CaptureWarning = { file: this.file, packetNo, byteOffset, message, fatal };
    this.sink.warning(w);
  }

  timeBackwards(packetNo: number, byteOffset: number, sec: number, nsec: number, prevSec: number, prevNsec: number): void {
    if (++this.backwardTimes > MAX_BACKWARD_TIME_WARNINGS) return;
    this.warn(packetNo, byteOffset,
      `timestamp ${formatTime(sec, nsec)} goes backwards (previous packet: ${formatTime(prevSec, prevNsec)})`);
  }

  /** Emits the summary lines; call once when reading ends. */
  finish(packetNo: number, byteOffset: number): void {
    if (this.backwardTimes > MAX_BACKWARD_TIME_WARNINGS) {
      const more = this.backwardTimes - MAX_BACKWARD_TIME_WARNINGS;
      this.warn(packetNo, byteOffset,
        `${more} more packet${more === 1 ? '' : 's'} with timestamps going backwards (not listed)`);
    }
    if (this.suppressed > 0) {
      const at = this.firstSuppressed!;
      this.emitted = 0; // the summary itself must get through
      this.warn(at.packetNo, at.byteOffset,
        `further warnings suppressed (${this.suppressed} from here to the end of the file)`);
    }
  }
}

export function formatTime(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}
