/**
 * Writing carved files: inside the directory the user named and nowhere else, to a temporary name
 * first, then linked into place without ever replacing an existing file.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export class UnsafeNameError extends Error {}

/** Resolves the target directory (created if missing) to its real path. */
export function prepareDirectory(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return realpathSync(dir);
}

/**
 * Writes `chunks` to DIR/name, or DIR/name (2), (3)... when the name is taken; returns the name used.
 * `name` must be a single path component (sanitised by the caller); anything else is refused.
 */
export function writeNewFile(realDir: string, name: string, chunks: Iterable<Uint8Array>): string {
  if (name !== basename(name) || name === '.' || name === '..' || name === '' || name.includes('\0')) {
    throw new UnsafeNameError(`refusing to write '${name}': not a plain file name`);
  }
  const temp = join(realDir, `.flowsh-${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(temp);
    throw e;
  }
  closeSync(fd);
  try {
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : withCounter(name, n);
      try {
        linkSync(temp, join(realDir, candidate)); // fails with EEXIST instead of replacing
        return candidate;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  } finally {
    unlinkSync(temp);
  }
}

function withCounter(name: string, n: number): string {
  const partial = name.endsWith('.partial') ? '.partial' : '';
  const base = name.slice(0, name.length - partial.length);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? `${base.slice(0, dot)} (${n})${base.slice(dot)}${partial}` : `${base} (${n})${partial}`;
}
