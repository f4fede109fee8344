/**
 * A new file written atomically: the bytes go to a temporary file in the destination's directory,
 * and `commit()` links it into place, so readers never see half a file and an existing file is
 * never replaced (unless `overwrite`). `abort()` or a failure leaves nothing behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class FileExistsError extends Error {
  constructor(readonly file: string) {
    super(`${file}: file exists (not overwritten)`);
  }
}

export interface AtomicFileOptions {
  /** replace an existing destination (default false: FileExistsError) */
  readonly overwrite?: boolean;
  /** create missing parent directories (default false) */
  readonly createDirectories?: boolean;
}

let tempCounter = 0;

export class AtomicFile {
  private fd: number | undefined;
  private tempPath: string | undefined;
  private readonly dest: string;
  bytesWritten = 0;

  /** Throws FileExistsError when `file` exists already (checked again when committing). */
  constructor(readonly file: string, private readonly options: AtomicFileOptions = {}) {
    this.dest = path.resolve(file);
    if (!options.overwrite && fs.existsSync(this.dest)) throw new FileExistsError(file);
    const dir = path.dirname(this.dest);
    if (options.createDirectories) fs.mkdirSync(dir, { recursive: true });
    // .tmp names are git-ignored; pid + counter keep concurrent writers (batch workers) apart
    for (let attempt = 0; ; attempt++) {
      const candidate = path.join(dir, `.${path.basename(this.dest)}.${process.pid}.${tempCounter++}.tmp`);
      try {
        this.fd = fs.openSync(candidate, 'wx', 0o644);
        this.tempPath = candidate;
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw err;
      }
    }
  }

  write(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.file}: already closed`);
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
    this.bytesWritten += bytes.length;
  }

  /** Makes the file visible under its name. Idempotent; on failure nothing is left behind. */
  commit(): void {
    if (this.fd === undefined) return;
    try {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = undefined;
      this.moveIntoPlace();
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  private moveIntoPlace(): void {
    const temp = this.tempPath!;
    if (this.options.overwrite) {
      fs.renameSync(temp, this.dest);
      this.tempPath = undefined;
      return;
    }
    // link() fails if dest exists, so a file created meanwhile is never clobbered
    try {
      fs.linkSync(temp, this.dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new FileExistsError(this.file);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
      // file systems without hard links: check, then rename (a small race remains)
      if (fs.existsSync(this.dest)) throw new FileExistsError(this.file);
      fs.renameSync(temp, this.dest);
      this.tempPath = undefined;
      return;
    }
    fs.unlinkSync(temp);
    this.tempPath = undefined;
  }

  abort(): void {
    if (this.fd !== undefined) {
      try { fs.closeSync(this.fd); } catch { /* already failing */ }
      this.fd = undefined;
    }
    if (this.tempPath !== undefined) {
      try { fs.unlinkSync(this.tempPath); } catch { /* already gone */ }
      this.tempPath = undefined;
    }
  }
}
