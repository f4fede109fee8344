/** Reading packet bytes back from a loaded capture by file offset (payload is not kept in memory). */
import { closeSync, openSync, readSync } from 'node:fs';
import { CaptureOpenError, type PayloadSource } from './types.ts';

/**
 * Opens the capture (or, for a compressed capture, the decompressed copy spilled while loading)
 * for reading by offset. Offsets are those the reader gave the sink.
 */
export function openPayloadSource(path: string, spillPath?: string): PayloadSource {
  const target = spillPath ?? path;
  let fd: number;
  try {
    fd = openSync(target, 'r');
  } catch (e) {
    throw new CaptureOpenError(target, 0, `cannot open for payload reading: ${(e as Error).message}`);
  }
  if (spillPath === undefined) {
    const magic = new Uint8Array(2);
    if (readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
      closeSync(fd);
      throw new CaptureOpenError(path, 0, 'compressed capture: payload needs the spill file written while loading');
    }
  }
  return new FilePayloadSource(fd);
}

class FilePayloadSource implements PayloadSource {
  constructor(private fd: number) {}

  /** Returns up to `length` bytes at fileOffset; fewer (possibly none) past the end of the file. */
  read(fileOffset: number, length: number): Uint8Array {
    if (this.fd < 0) throw new Error('payload source is closed');
    const out = new Uint8Array(Math.max(0, length));
    let got = 0;
    while (got < out.length) {
      const n = readSync(this.fd, out, got, out.length - got, fileOffset + got);
      if (n === 0) break;
      got += n;
    }
    return got === out.length ? out : out.subarray(0, got);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
