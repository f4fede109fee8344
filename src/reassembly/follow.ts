/**
 * Follow TCP Stream, as Wireshark does it: each direction in sequence order, both directions
 * interleaved by when each piece became deliverable (the arrival of the packet that completed its
 * contiguous run), gaps shown as gaps. `raw` gives the bytes unchanged (gaps left out); `ascii`
 * and `hex` are terminal-safe text.
 */
import type { LoadedCapture } from '../store/load.ts';
import { escapeBytes } from '../output/escape.ts';
import { connectionOf, type Direction, type TimedStreamChunk } from './stream.ts';

export type FollowFormat = 'ascii' | 'hex' | 'raw';

export interface FollowOptions {
  /** only this direction (default: both, interleaved) */
  readonly dir?: Direction;
  readonly format: FollowFormat;
}

interface Piece {
  readonly dir: Direction;
  readonly chunk: TimedStreamChunk;
}

/** The pieces of both directions (or one) in delivery order; ties keep A first. */
function interleave(a: readonly TimedStreamChunk[], b: readonly TimedStreamChunk[]): Piece[] {
  const out: Piece[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.deliveredAtRow <= b[j]!.deliveredAtRow)) out.push({ dir: 'A', chunk: a[i++]! });
    else out.push({ dir: 'B', chunk: b[j++]! });
  }
  return out;
}

export function gapText(length: number): string {
  return `[... ${length} byte${length === 1 ? '' : 's'} missing ...]`;
}

function endpoint(capture: LoadedCapture, flowInd: number, dir: Direction): string | undefined {
  const flows = capture.flows;
  const ind = flows.column('flowInd'), d = flows.column('dir');
  const ip = flows.column('srcIP'), port = flows.column('srcPort');
  if (!ind || !d || !ip || !port) return undefined;
  for (let r = 0; r < flows.rowCount; r++) {
    if (ind.get(r) === flowInd && d.get(r) === dir) {
      const addr = ip.text(r);
      return `${addr.includes(':') ? `[${addr}]` : addr}:${port.text(r)}`;
    }
  }
  return undefined;
}

/**
 * Follow flow `flowInd` (TCP): `raw` returns the payload bytes (Uint8Array), `ascii` and `hex` a
 * string whose control bytes are escaped. Throws RangeError for a flow that does not exist.
 */
export function followFlow(capture: LoadedCapture, flowInd: number, options: FollowOptions & { format: 'raw' }): Uint8Array;
export function followFlow(capture: LoadedCapture, flowInd: number, options: FollowOptions & { format: 'ascii' | 'hex' }): string;
export function followFlow(capture: LoadedCapture, flowInd: number, options: FollowOptions): string | Uint8Array;
export function followFlow(capture: LoadedCapture, flowInd: number, options: FollowOptions): string | Uint8Array {
  const [a, b] = connectionOf(capture, flowInd);
  const pieces = interleave(options.dir === 'B' ? [] : a, options.dir === 'A' ? [] : b);
  if (options.format === 'raw') return rawBytes(capture, pieces);
  const lines: string[] = [];
  const ends = (['A', 'B'] as const).map((d) => `${d} ${endpoint(capture, flowInd, d) ?? '(no packets)'}`);
  lines.push(`Follow flow ${flowInd}: ${ends[0]} <-> ${ends[1]}${options.dir ? `, direction ${options.dir} only` : ''}`);
  if (pieces.length === 0) lines.push('(no TCP payload)');
  if (options.format === 'ascii') asciiLines(capture, pieces, lines);
  else hexLines(capture, pieces, lines);
  return lines.join('\n') + '\n';
}

function rawBytes(capture: LoadedCapture, pieces: readonly Piece[]): Uint8Array {
  let total = 0;
  for (const p of pieces) if (!p.chunk.gap) total += p.chunk.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of pieces) {
    if (p.chunk.gap) continue;
    out.set(capture.payload.read(p.chunk.fileOffset, p.chunk.length), at);
    at += p.chunk.length;
  }
  return out;
}

/**
 * ASCII: one output line per line of payload, prefixed `A> ` or `B> `; line feeds end lines,
 * other control bytes are escaped (\r, \t, \xHH). A line cut by the other direction or by a gap
 * continues on a new prefixed line.
 */
function asciiLines(capture: LoadedCapture, pieces: readonly Piece[], lines: string[]): void {
  let current = '';
  let open = false; // current holds an unfinished line of dir `openDir`
  let openDir: Direction = 'A';
  const flush = () => {
    if (open) lines.push(`${openDir}> ${current}`);
    current = '';
    open = false;
  };
  for (const { dir, chunk } of pieces) {
    if (open && dir !== openDir) flush();
    if (chunk.gap) {
      flush();
      lines.push(`${dir}> ${gapText(chunk.length)}`);
      continue;
    }
    const bytes = capture.payload.read(chunk.fileOffset, chunk.length);
    let lineStart = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0x0a) continue;
      current += escapeBytes(bytes, lineStart, i);
      open = true;
      openDir = dir;
      flush();
      lineStart = i + 1;
    }
    if (lineStart < bytes.length) {
      current += escapeBytes(bytes, lineStart, bytes.length);
      open = true;
      openDir = dir;
    }
  }
  flush();
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/**
 * Hex: tshark's follow hex dump — stream offset (upper-case hex, as tshark prints it), 16 bytes in
 * two groups of 8, then the printable ASCII (dots for the rest) in two groups; B's lines indented
 * by a tab. Each chunk (the new bytes of one packet) starts a new line at its own stream offset.
 */
function hexLines(capture: LoadedCapture, pieces: readonly Piece[], lines: string[]): void {
  for (const { dir, chunk } of pieces) {
    const indent = dir === 'B' ? '\t' : '';
    if (chunk.gap) {
      lines.push(`${indent}${gapText(chunk.length)}`);
      continue;
    }
    const bytes = capture.payload.read(chunk.fileOffset, chunk.length);
    for (let at = 0; at < bytes.length; at += 16) {
      let hex = '', text = '';
      const n = Math.min(16, bytes.length - at);
      for (let k = 0; k < n; k++) {
        if (k === 8) { hex += ' '; text += ' '; }
        const v = bytes[at + k]!;
        hex += hex2(v) + ' ';
        text += v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '.';
      }
      lines.push(`${indent}${(chunk.streamOffset + at).toString(16).toUpperCase().padStart(8, '0')}  ${hex.padEnd(49)} ${text}`);
    }
  }
}
