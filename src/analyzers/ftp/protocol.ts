/**
 * The FTP control connection below commands and replies: a reassembled byte stream per direction,
 * fed in chunks that may split anywhere, cut into lines (RFC 959 §4: CRLF, bare LF tolerated)
 * after removing Telnet commands (RFC 854; FTP's control connection speaks the Telnet NVT),
 * with gaps (bytes the capture lost) turned into an explicit loss instead of invented text, and
 * TLS records (after AUTH TLS) skipped by their own framing instead of being read as lines.
 *
 * Text is decoded as UTF-8 (RFC 2640). Bytes that are not valid UTF-8 are kept as "surrogate
 * escapes" (U+DC80 + byte, as Python's surrogateescape): nothing is dropped or replaced, the
 * bytes can be recovered exactly with encodeFtpText, and ftpTextForDisplay shows them as \xHH.
 */

/** A TLS record header: content type 20..23 (change cipher spec, alert, handshake, data), version 3.0..3.4 (SSL 3 to TLS 1.3). */
export function isTlsRecordHeader(type: number, major: number, minor: number): boolean {
  return type >= 20 && type <= 23 && major === 3 && minor <= 4;
}

/** One line of the control stream, Telnet commands removed, without its line terminator. */
export interface FtpLine<M> {
  /** the line's bytes after Telnet processing (IAC IAC became one 0xFF byte) */
  readonly bytes: Uint8Array;
  /** stream offset of the line's first byte (Telnet bytes included), counting gaps */
  readonly offset: number;
  /** stream offset just past the line terminator (or past the last byte for an unterminated line) */
  readonly end: number;
  /** the meta given with the chunk that held the line's first byte */
  readonly meta: M | undefined;
  /** how the line ended: CRLF (RFC 959), bare LF (tolerated), or not at all (stream ended) */
  readonly terminator: 'crlf' | 'lf' | 'none';
  /** Telnet commands removed from this line, e.g. ['IP', 'DM'] before ABOR, 'WILL 1' for options */
  readonly telnet: readonly string[];
  /** bytes beyond the line length limit that were counted but not kept (0 normally) */
  readonly overflow: number;
}

/**
 * Bytes lost from the stream: a gap of `missing` bytes and the received bytes around it that
 * could not be attributed to a whole line (the partial line before the gap and everything up to
 * the next line feed after it). Parsing resumes at `end`, the start of the next whole line.
 */
export interface FtpLoss<M> {
  readonly kind: 'loss';
  /** stream offset where the lost region starts (start of the partial line, or of the gap) */
  readonly offset: number;
  /** stream offset where parsing resumed (or the stream's end) */
  readonly end: number;
  /** bytes missing from the capture (sum of the gaps in this region) */
  readonly missing: number;
  /** bytes that were received but thrown away because their line was incomplete */
  readonly discarded: number;
  /** meta of the chunk where the lost region started (or of the gap call) */
  readonly meta: M | undefined;
}

/**
 * TLS records where a line should start: after AUTH TLS/SSL (RFC 4217) the control connection
 * carries TLS, which is framed as records (type 20..23, version 3.x, length) instead of lines; after
 * CCC it may return to clear text. One event covers a run of consecutive records.
 */
export interface FtpTls<M> {
  readonly kind: 'tls';
  readonly offset: number;
  readonly end: number;
  /** complete records in the run */
  readonly records: number;
  /** bytes of the run missing from the capture */
  readonly missing: number;
  readonly meta: M | undefined;
}

export type FtpStreamItem<M> = FtpLine<M> | FtpLoss<M> | FtpTls<M>;

const IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240;
const TELNET_NAMES: Readonly<Record<number, string>> = {
  240: 'SE', 241: 'NOP', 242: 'DM', 243: 'BRK', 244: 'IP', 245: 'AO', 246: 'AYT', 247: 'EC', 248: 'EL', 249: 'GA',
  251: 'WILL', 252: 'WONT', 253: 'DO', 254: 'DONT',
};

const enum TelnetState { Data, Iac, Option, Sub, SubIac }

export interface LineSplitterOptions {
  /** longest line kept in full; longer lines keep this many bytes and count the rest in `overflow` */
  readonly maxLineBytes?: number;
  /** stream offset of the first byte fed (default 0) */
  readonly startOffset?: number;
  /**
   * After a gap that began at a line boundary, a chunk (one packet's bytes) whose start this
   * accepts is taken as the start of a line instead of being skipped up to the next LF: clients
   * and servers send whole commands and replies per segment, so a lost segment rarely splits a line
   */
  readonly resumesLine?: (chunk: Uint8Array) => boolean;
}

/** A command line's start: 3 or 4 ASCII letters, then a space or the line end. */
export const looksLikeCommand = (chunk: Uint8Array): boolean => /^[A-Za-z]{3,4}[ \r\n]/.test(String.fromCharCode(...chunk.subarray(0, 6)));
/** A reply line's start: a code 100..699, then a space or '-'. */
export const looksLikeReply = (chunk: Uint8Array): boolean => /^[1-6][0-9]{2}[ -]/.test(String.fromCharCode(...chunk.subarray(0, 4)));

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/**
 * Incremental line splitter for one direction of a control connection. Output goes into the
 * array passed to each call, in stream order.
 */
export class FtpLineSplitter<M> {
  private readonly maxLineBytes: number;
  private buffer = new Uint8Array(256);
  private length = 0;
  private overflow = 0;
  private telnetState = TelnetState.Data;
  private telnetVerb = 0;
  private telnet: string[] = [];
  private readonly subBytes: number[] = [];
  private lineStarted = false;
  private lineOffset = 0;
  private lineMeta: M | undefined = undefined;
  private position: number;
  // loss bookkeeping: while `resyncing`, bytes are skipped up to the next LF
  private resyncing = false;
  private lossOffset = 0;
  private lossMissing = 0;
  private lossDiscarded = 0;
  private lossMeta: M | undefined = undefined;
  /** the current loss began at a line boundary and nothing after the gap was skipped yet */
  private lossAtLineStart = false;
  private readonly resumesLine: ((chunk: Uint8Array) => boolean) | undefined;
  // TLS: `probing` while the first bytes of a line may be a record header; a run stays open between records
  private probing = false;
  private inRecord = false;
  private readonly tlsHeader: number[] = [];
  private tlsRemaining = 0;
  private tlsRun: { offset: number; meta: M | undefined; records: number; missing: number } | undefined;

  constructor(options: LineSplitterOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.position = options.startOffset ?? 0;
    this.resumesLine = options.resumesLine;
  }

  /** stream offset of the next byte expected */
  get offset(): number {
    return this.position;
  }

  feed(chunk: Uint8Array, meta: M | undefined, out: FtpStreamItem<M>[]): void {
    for (let i = 0; i < chunk.length; i++) {
      if (this.inRecord) {
        if (this.tlsHeader.length < 5) {
          this.tlsHeader.push(chunk[i]!);
          this.position++;
          if (this.tlsHeader.length === 5) {
            this.tlsRemaining = (this.tlsHeader[3]! << 8) | this.tlsHeader[4]!;
            if (this.tlsRemaining === 0) this.recordDone();
          }
        } else {
          // skip the record body in one step
          const take = Math.min(this.tlsRemaining, chunk.length - i);
          this.position += take;
          this.tlsRemaining -= take;
          i += take - 1;
          if (this.tlsRemaining === 0) this.recordDone();
        }
        continue;
      }
      const b = chunk[i]!;
      const at = this.position++;
      if (this.resyncing && i === 0 && this.lossAtLineStart && this.resumesLine?.(chunk)) {
        this.finishLoss(at, out);
      }
      if (this.resyncing) {
        this.lossAtLineStart = false;
        this.lossDiscarded++;
        if (b === 10) this.finishLoss(at + 1, out);
        continue;
      }
      if (!this.lineStarted) {
        this.lineStarted = true;
        this.lineOffset = at;
        this.lineMeta = meta;
        // a TLS record type byte is a control character no command or reply starts with
        if (b >= 20 && b <= 23) this.probing = true;
        else this.closeTls(at, out);
      }
      switch (this.telnetState) {
        case TelnetState.Data:
          if (b === IAC) { this.notTls(out); this.telnetState = TelnetState.Iac; }
          else if (b === 10) { this.notTls(out); this.emitLine(at + 1, out); }
          else {
            this.push(b);
            if (this.probing && this.length === 3) this.checkTls(out);
          }
          break;
        case TelnetState.Iac:
          this.telnetState = TelnetState.Data;
          if (b === IAC) this.push(IAC);
          else if (b >= WILL) { this.telnetVerb = b; this.telnetState = TelnetState.Option; }
          else if (b === SB) { this.subBytes.length = 0; this.telnetState = TelnetState.Sub; }
          else if (b >= SE) this.telnet.push(TELNET_NAMES[b]!);
          else {
            // not a Telnet command: a raw 0xFF (e.g. Latin-1 ÿ) followed by data; keep both bytes
            this.push(IAC);
            if (b === 10) this.emitLine(at + 1, out);
            else this.push(b);
          }
          break;
        case TelnetState.Option:
          this.telnet.push(`${TELNET_NAMES[this.telnetVerb]} ${b}`);
          this.telnetState = TelnetState.Data;
          break;
        case TelnetState.Sub:
          // FTP never negotiates Telnet options, so a "subnegotiation" running into a line feed was
          // really data (e.g. a Latin-1 "ÿú"): its bytes go back into the line, nothing is swallowed
          if (b === 10) { this.restoreSub(); this.emitLine(at + 1, out); }
          else if (b === IAC) this.telnetState = TelnetState.SubIac;
          else this.subBytes.push(b);
          break;
        case TelnetState.SubIac:
          // IAC SE ends the subnegotiation; IAC IAC is a data byte inside it
          if (b === SE) { this.telnet.push('SB'); this.telnetState = TelnetState.Data; }
          else if (b === IAC) { this.subBytes.push(IAC); this.telnetState = TelnetState.Sub; }
          else { this.subBytes.push(IAC, b); this.telnetState = TelnetState.Sub; }
          break;
      }
    }
  }

  /** `missing` bytes are absent from the stream at the current position. */
  gap(missing: number, meta: M | undefined, out: FtpStreamItem<M>[]): void {
    if (!(missing > 0)) return;
    if (this.inRecord && this.tlsHeader.length === 5 && missing <= this.tlsRemaining) {
      // inside a record body the framing survives the gap
      this.tlsRun!.missing += missing;
      this.position += missing;
      this.tlsRemaining -= missing;
      if (this.tlsRemaining === 0) this.recordDone();
      return;
    }
    if (this.inRecord) {
      this.inRecord = false;
      this.closeTls(this.position, out);
    } else if (this.tlsRun) {
      this.closeTls(this.lineStarted ? this.lineOffset : this.position, out);
    }
    this.probing = false;
    if (!this.resyncing) {
      this.resyncing = true;
      this.lossOffset = this.lineStarted ? this.lineOffset : this.position;
      this.lossMeta = this.lineStarted ? this.lineMeta : meta;
      this.lossMissing = 0;
      this.lossDiscarded = this.lineStarted ? this.position - this.lineOffset : 0;
      this.lossAtLineStart = !this.lineStarted;
      this.resetLine();
    }
    this.lossMissing += missing;
    this.position += missing;
  }

  /** The stream ended: an unterminated last line is emitted as such, a pending loss is closed. */
  end(out: FtpStreamItem<M>[]): void {
    if (this.inRecord) {
      this.inRecord = false;
      this.closeTls(this.position, out);
      return;
    }
    this.closeTls(this.lineStarted ? this.lineOffset : this.position, out);
    this.probing = false;
    if (this.resyncing) {
      this.finishLoss(this.position, out);
      return;
    }
    if (!this.lineStarted) return;
    // a stream cut inside a Telnet sequence: its bytes are kept as data rather than dropped
    if (this.telnetState === TelnetState.Iac) this.push(IAC);
    else if (this.telnetState === TelnetState.Option) { this.push(IAC); this.push(this.telnetVerb); }
    else if (this.telnetState === TelnetState.Sub) this.restoreSub();
    else if (this.telnetState === TelnetState.SubIac) { this.restoreSub(); this.push(IAC); }
    this.emitLine(this.position, out, 'none');
  }

  /** An unterminated IAC SB ... goes back into the line as data. */
  private restoreSub(): void {
    this.push(IAC);
    this.push(SB);
    for (const b of this.subBytes) this.push(b);
    this.subBytes.length = 0;
    this.telnetState = TelnetState.Data;
  }

  private push(b: number): void {
    if (this.length >= this.maxLineBytes) { this.overflow++; return; }
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.buffer.length * 2, Math.max(this.maxLineBytes, 1)));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = b;
  }

  /** The first three bytes of the line decide: record type, version 3.0..3.4 (SSL 3 to TLS 1.3). */
  private checkTls(out: FtpStreamItem<M>[]): void {
    this.probing = false;
    const [type, major, minor] = this.buffer;
    if (!isTlsRecordHeader(type!, major!, minor!)) { this.closeTls(this.lineOffset, out); return; }
    this.tlsRun ??= { offset: this.lineOffset, meta: this.lineMeta, records: 0, missing: 0 };
    this.tlsHeader.length = 0;
    this.tlsHeader.push(type!, major, minor!);
    this.inRecord = true;
    this.resetLine();
  }

  /** The line turned out not to be a record: a pending run of records ends where it starts. */
  private notTls(out: FtpStreamItem<M>[]): void {
    if (!this.probing) return;
    this.probing = false;
    this.closeTls(this.lineOffset, out);
  }

  private recordDone(): void {
    this.tlsRun!.records++;
    this.inRecord = false;
    this.tlsHeader.length = 0;
  }

  private closeTls(end: number, out: FtpStreamItem<M>[]): void {
    const run = this.tlsRun;
    if (!run) return;
    out.push({ kind: 'tls', offset: run.offset, end, records: run.records, missing: run.missing, meta: run.meta });
    this.tlsRun = undefined;
  }

  private emitLine(end: number, out: FtpStreamItem<M>[], ending?: 'none'): void {
    let length = this.length;
    let terminator: FtpLine<M>['terminator'] = ending ?? 'lf';
    if (ending === undefined && this.overflow === 0 && length > 0 && this.buffer[length - 1] === 13) {
      length--;
      terminator = 'crlf';
    }
    out.push({
      bytes: this.buffer.slice(0, length),
      offset: this.lineOffset,
      end,
      meta: this.lineMeta,
      terminator,
      telnet: this.telnet.length === 0 ? NO_TELNET : this.telnet,
      overflow: this.overflow,
    });
    this.resetLine();
  }

  private finishLoss(end: number, out: FtpStreamItem<M>[]): void {
    out.push({ kind: 'loss', offset: this.lossOffset, end, missing: this.lossMissing, discarded: this.lossDiscarded, meta: this.lossMeta });
    this.resyncing = false;
  }

  private resetLine(): void {
    this.length = 0;
    this.overflow = 0;
    this.lineStarted = false;
    this.lineMeta = undefined;
    this.probing = false;
    this.telnetState = TelnetState.Data;
    if (this.telnet.length > 0) this.telnet = [];
  }
}

const NO_TELNET: readonly string[] = Object.freeze([]);

export function isLine<M>(item: FtpStreamItem<M>): item is FtpLine<M> {
  return !('kind' in item);
}

export function isLoss<M>(item: FtpStreamItem<M>): item is FtpLoss<M> {
  return (item as FtpLoss<M>).kind === 'loss';
}

/**
 * UTF-8 (RFC 2640) to text. Each byte that is not part of a valid, shortest-form UTF-8 sequence
 * becomes the lone surrogate U+DC80 + byte, so the text is lossless (see encodeFtpText).
 */
export function decodeFtpText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) { out += String.fromCharCode(b); i++; continue; }
    let need = 0, cp = 0, min = 0;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; cp = b & 0x0f; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; cp = b & 0x07; min = 0x10000; }
    let ok = need > 0 && i + need < end;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const c = bytes[i + k]!;
        if ((c & 0xc0) !== 0x80) { ok = false; break; }
        cp = (cp << 6) | (c & 0x3f);
      }
    }
    // overlong forms, UTF-16 surrogates and values above U+10FFFF are not valid UTF-8
    if (ok && (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)) ok = false;
    if (ok) { out += String.fromCodePoint(cp); i += need + 1; }
    else { out += String.fromCharCode(0xdc00 + b); i++; }
  }
  return out;
}

/** Exact inverse of decodeFtpText: text back to the bytes that were on the wire. */
export function encodeFtpText(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff) { out.push(c - 0xdc00); continue; }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) { cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00); i++; }
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Text for people: the surrogate escapes of undecodable bytes shown as \xHH (terminal escaping still applies). */
export function ftpTextForDisplay(text: string): string {
  return text.replace(/[\udc80-\udcff]/g, (c) => '\\x' + (c.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0'));
}

/** true when decodeFtpText had to escape bytes (the text was not valid UTF-8) */
export function hasUndecodableBytes(text: string): boolean {
  return /[\udc80-\udcff]/.test(text);
}
