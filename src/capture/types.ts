/** The contract between the capture readers and whoever consumes packets (the flow store). */

/** A problem in the input, reported as one line naming the file, packet number and byte offset. */
export interface CaptureWarning {
  readonly file: string;
  /** 1-based number of the packet concerned (the next one to be read when the fault is between packets) */
  readonly packetNo: number;
  /** byte offset in the (decompressed) capture where the fault was found */
  readonly byteOffset: number;
  readonly message: string;
  /** true when reading stopped here (nothing after this offset was loaded) */
  readonly fatal: boolean;
}

export function formatWarning(w: CaptureWarning): string {
  return `${w.file}: packet ${w.packetNo}, byte offset ${w.byteOffset}: ${w.message}`;
}

/** Thrown when a capture cannot be read at all (missing file, unknown magic number). */
export class CaptureOpenError extends Error {
  constructor(readonly file: string, readonly byteOffset: number, message: string) {
    super(`${file}: byte offset ${byteOffset}: ${message}`);
  }
}

export interface CaptureSink {
  /**
   * Called once per packet record, in file order. `bytes` is only valid during the call (the
   * reader reuses its buffer); `start` is where the packet's captured bytes begin in it.
   * `fileOffset` is the offset of those bytes in the (decompressed) capture file, so the payload
   * can be read back later. `tsSec`/`tsNsec` are the timestamp with nanosecond resolution.
   * `interfaceId` is the pcapng interface (0 for classic pcap).
   */
  packet(
    bytes: Uint8Array, view: DataView, start: number, capLen: number, wireLen: number,
    tsSec: number, tsNsec: number, linkType: number, fileOffset: number, interfaceId: number,
  ): void;
  warning(w: CaptureWarning): void;
}

export interface InterfaceInfo {
  readonly linkType: number;
  readonly snapLen: number;
  /** decimal digits of the timestamp resolution (6 for microseconds, 9 for nanoseconds) */
  readonly tsDigits: number;
  readonly name?: string;
}

export interface CaptureInfo {
  readonly file: string;
  readonly format: 'pcap' | 'pcapng';
  readonly compressed: boolean;
  readonly littleEndian: boolean;
  readonly interfaces: readonly InterfaceInfo[];
  /** finest timestamp resolution among interfaces, in decimal digits (6 or 9 usually) */
  readonly tsDigits: number;
  readonly fileBytes: number; // bytes of the (decompressed) capture read
  readonly packets: number; // records delivered to the sink
  readonly cancelled: boolean;
}

export interface ReadOptions {
  /** stop reading (the result has `cancelled: true`) */
  readonly signal?: AbortSignal;
  /** called every so often with bytes read so far and packets delivered */
  readonly progress?: (bytesRead: number, totalBytes: number, packets: number) => void;
  /** for .gz input: where the decompressed bytes are spilled so payload can be read back by offset */
  readonly spillPath?: string;
}

/**
 * Reads payload bytes back from a loaded capture by their file offset (payload is never kept in
 * memory). For compressed captures it reads the decompressed copy spilled while loading.
 */
export interface PayloadSource {
  read(fileOffset: number, length: number): Uint8Array;
  close(): void;
}
