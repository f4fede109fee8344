/**
 * FTP replies: the table of reply codes (for `explain` and help) and the incremental parser of
 * the server->client control stream, single- and multi-line (RFC 959 §4.2), which reports
 * malformed lines as such instead of failing.
 */
import { decodeFtpText, FtpLineSplitter, isLine, type FtpLine, type FtpLoss, type FtpStreamItem, type FtpTls, type LineSplitterOptions } from './protocol.ts';

export interface FtpReplyCodeDef {
  readonly code: number;
  readonly rfc: string;
  readonly meaning: string;
}

const CODES: readonly [number, string, string][] = [
  [110, 'RFC 959', 'restart marker reply'],
  [120, 'RFC 959', 'service ready in N minutes'],
  [125, 'RFC 959', 'data connection already open; transfer starting'],
  [150, 'RFC 959', 'file status okay; about to open data connection'],
  [200, 'RFC 959', 'command okay'],
  [202, 'RFC 959', 'command not implemented, superfluous at this site'],
  [211, 'RFC 959', 'system status, or system help reply (FEAT list, RFC 2389)'],
  [212, 'RFC 959', 'directory status'],
  [213, 'RFC 959', 'file status (SIZE, MDTM answers, RFC 3659)'],
  [214, 'RFC 959', 'help message'],
  [215, 'RFC 959', 'NAME system type'],
  [220, 'RFC 959', 'service ready for new user (greeting)'],
  [221, 'RFC 959', 'service closing control connection'],
  [225, 'RFC 959', 'data connection open; no transfer in progress'],
  [226, 'RFC 959', 'closing data connection; requested file action successful'],
  [227, 'RFC 959', 'entering passive mode (h1,h2,h3,h4,p1,p2)'],
  [228, 'RFC 1639', 'entering long passive mode (long address)'],
  [229, 'RFC 2428', 'entering extended passive mode (|||port|)'],
  [230, 'RFC 959', 'user logged in, proceed'],
  [232, 'RFC 2228', 'user logged in, authorized by security data exchange'],
  [234, 'RFC 2228', 'security data exchange complete (AUTH accepted: TLS follows)'],
  [235, 'RFC 2228', 'security data exchange completed successfully'],
  [250, 'RFC 959', 'requested file action okay, completed'],
  [257, 'RFC 959', '"PATHNAME" created (or current directory)'],
  [331, 'RFC 959', 'user name okay, need password'],
  [332, 'RFC 959', 'need account for login'],
  [334, 'RFC 2228', 'security mechanism accepted, ADAT data required'],
  [335, 'RFC 2228', 'security data acceptable, more is required'],
  [336, 'RFC 2228', 'username okay, need password; challenge is "..."'],
  [350, 'RFC 959', 'requested file action pending further information (REST, RNFR)'],
  [421, 'RFC 959', 'service not available, closing control connection'],
  [425, 'RFC 959', 'cannot open data connection'],
  [426, 'RFC 959', 'connection closed; transfer aborted'],
  [431, 'RFC 2228', 'need some unavailable resource to process security'],
  [450, 'RFC 959', 'requested file action not taken: file unavailable (busy)'],
  [451, 'RFC 959', 'requested action aborted: local error in processing'],
  [452, 'RFC 959', 'requested action not taken: insufficient storage space'],
  [500, 'RFC 959', 'syntax error, command unrecognized'],
  [501, 'RFC 959', 'syntax error in parameters or arguments'],
  [502, 'RFC 959', 'command not implemented'],
  [503, 'RFC 959', 'bad sequence of commands'],
  [504, 'RFC 959', 'command not implemented for that parameter'],
  [521, 'RFC 959', 'directory already exists (MKD example in RFC 959 Appendix II)'],
  [522, 'RFC 2428', 'network protocol not supported (EPRT/EPSV), use (1,2)'],
  [530, 'RFC 959', 'not logged in'],
  [532, 'RFC 959', 'need account for storing files'],
  [533, 'RFC 2228', 'command protection level denied for policy reasons'],
  [534, 'RFC 2228', 'request denied for policy reasons'],
  [535, 'RFC 2228', 'failed security check'],
  [536, 'RFC 2228', 'requested PROT level not supported by mechanism'],
  [537, 'RFC 2228', 'command protection level not supported by security mechanism'],
  [550, 'RFC 959', 'requested action not taken: file unavailable (not found, no access)'],
  [551, 'RFC 959', 'requested action aborted: page type unknown'],
  [552, 'RFC 959', 'requested file action aborted: exceeded storage allocation'],
  [553, 'RFC 959', 'requested action not taken: file name not allowed'],
  [631, 'RFC 2228', 'integrity protected reply (MIC)'],
  [632, 'RFC 2228', 'confidentiality and integrity protected reply (ENC)'],
  [633, 'RFC 2228', 'confidentiality protected reply (CONF)'],
];

export const FTP_REPLY_CODES: readonly FtpReplyCodeDef[] = Object.freeze(CODES.map(([code, rfc, meaning]) => Object.freeze({ code, rfc, meaning })));
const CODE_MAP = new Map(FTP_REPLY_CODES.map((def) => [def.code, def]));

const FIRST_DIGIT = ['', 'positive preliminary', 'positive completion', 'positive intermediate', 'transient negative completion', 'permanent negative completion', 'protected (RFC 2228)'];
const SECOND_DIGIT = ['syntax', 'information', 'connections', 'authentication and accounting', 'unspecified', 'file system'];

/** What a code means: its own entry, else what its digits say (RFC 959 §4.2.1). */
export function replyCodeMeaning(code: number): string {
  const def = CODE_MAP.get(code);
  if (def) return def.meaning;
  const first = Math.trunc(code / 100), second = Math.trunc(code / 10) % 10;
  if (code < 100 || code > 699 || first < 1) return 'not an FTP reply code';
  return `${FIRST_DIGIT[first]}, ${SECOND_DIGIT[second] ?? 'unassigned category'}`;
}

export function lookupReplyCode(code: number): FtpReplyCodeDef | undefined {
  return CODE_MAP.get(code);
}

/**
 * Why a reply is not what RFC 959 prescribes:
 * - no-code: the line does not start with a digit (Zeek: "non-numeric reply code");
 * - short-code: fewer than three digits, e.g. `99 PASV invalid` (Zeek: "non-numeric reply code");
 * - no-separator: three digits followed by neither space, '-' nor the line end, e.g. `230_no_space`
 *   (Zeek: "invalid reply line"); `code` still holds the three digits;
 * - code-out-of-range: three digits whose first is not 1..6 (6xx are RFC 2228's protected replies);
 * - gap: bytes of this multi-line reply were lost; `lines` holds what was received;
 * - unterminated: the stream ended inside a multi-line reply.
 */
export type FtpReplyProblem = 'no-code' | 'short-code' | 'no-separator' | 'code-out-of-range' | 'gap' | 'unterminated';

export interface FtpReply<M> {
  readonly kind: 'reply';
  /** the three-digit code; null when the line has none (no-code, short-code) */
  readonly code: number | null;
  /** every line of the reply, codes included, as sent (decoded UTF-8, undecodable bytes escaped) */
  readonly lines: readonly string[];
  /** all lines joined with '\n' */
  readonly text: string;
  /** the first line after the code and its separator (the whole line when there is no code) */
  readonly message: string;
  readonly multiline: boolean;
  readonly problem: FtpReplyProblem | undefined;
  /** stream offset of the first line's first byte */
  readonly offset: number;
  /** stream offset past the last line */
  readonly end: number;
  /** meta of the chunk holding the reply's first byte */
  readonly meta: M | undefined;
  /** meta of the chunk holding the first byte of the reply's last line */
  readonly lastLineMeta: M | undefined;
  /** bytes beyond the line length limit, summed over the reply's lines (counted, not kept; 0 normally) */
  readonly overflow: number;
}

/** Replies in stream order, with lost regions and TLS-protected stretches (after 234) between them. */
export type FtpReplyEvent<M> = FtpReply<M> | FtpLoss<M> | FtpTls<M>;

interface Classified {
  code: number | null;
  /** '-' opens a multi-line reply, ' ' or '' ends one, anything else is malformed */
  separator: string;
  message: string;
  problem: FtpReplyProblem | undefined;
}

function classify(line: string): Classified {
  const m = /^(\d{0,3})/.exec(line)!;
  const digits = m[1]!;
  if (digits.length === 0) return { code: null, separator: '', message: line, problem: 'no-code' };
  if (digits.length < 3) return { code: null, separator: '', message: line, problem: 'short-code' };
  const code = Number(digits);
  const separator = line.charAt(3);
  if (separator !== '' && separator !== ' ' && separator !== '-') return { code, separator, message: line.slice(3), problem: 'no-separator' };
  const first = line.charCodeAt(0) - 48;
  return { code, separator, message: line.slice(4), problem: first >= 1 && first <= 6 ? undefined : 'code-out-of-range' };
}

/** True when `line` ends the multi-line reply of `code`: the code followed by a space (or nothing). */
function endsMultiline(line: string, code: number): boolean {
  const prefix = String(code);
  return line.startsWith(prefix) && (line.length === 3 || line.charCodeAt(3) === 0x20);
}

/**
 * Incremental parser of the server->client control stream. Single-line replies, multi-line
 * replies (`123-` ... `123 `, any lines between, including lines with other codes) and malformed
 * lines (each reported as a reply with `problem` set). After a gap inside a multi-line reply, a
 * line that starts a reply with a different code closes the damaged reply (problem 'gap'), since
 * its terminating line may have been in the lost bytes.
 */
export class FtpReplyParser<M = unknown> {
  private readonly lines: FtpLineSplitter<M>;
  private readonly scratch: FtpStreamItem<M>[] = [];
  private open: { code: number; lines: string[]; message: string; offset: number; end: number; meta: M | undefined; lastLineMeta: M | undefined; damaged: boolean; problem: FtpReplyProblem | undefined; overflow: number } | undefined;

  constructor(options: LineSplitterOptions = {}) {
    this.lines = new FtpLineSplitter<M>(options);
  }

  get offset(): number {
    return this.lines.offset;
  }

  feed(chunk: Uint8Array, meta?: M): FtpReplyEvent<M>[] {
    this.lines.feed(chunk, meta, this.scratch);
    return this.drain(false);
  }

  gap(missing: number, meta?: M): FtpReplyEvent<M>[] {
    if (missing > 0 && this.open) this.open.damaged = true;
    this.lines.gap(missing, meta, this.scratch);
    return this.drain(false);
  }

  end(): FtpReplyEvent<M>[] {
    this.lines.end(this.scratch);
    return this.drain(true);
  }

  private drain(atEnd: boolean): FtpReplyEvent<M>[] {
    const out: FtpReplyEvent<M>[] = [];
    for (const item of this.scratch) {
      if (isLine(item)) this.line(item, out);
      else {
        // TLS in the middle of a multi-line reply: the reply cannot go on in clear text
        if (item.kind === 'tls' && this.open) out.push(this.close('gap'));
        out.push(item);
      }
    }
    this.scratch.length = 0;
    if (atEnd && this.open) out.push(this.close(this.open.damaged ? 'gap' : 'unterminated'));
    return out;
  }

  private line(line: FtpLine<M>, out: FtpReplyEvent<M>[]): void {
    const text = decodeFtpText(line.bytes);
    const open = this.open;
    if (open) {
      if (endsMultiline(text, open.code)) {
        open.lines.push(text);
        open.overflow += line.overflow;
        open.end = line.end;
        open.lastLineMeta = line.meta;
        out.push(this.close(open.damaged ? 'gap' : open.problem));
        return;
      }
      const c = open.damaged ? classify(text) : undefined;
      if (!c || c.problem !== undefined || c.code === open.code) {
        open.lines.push(text);
        open.overflow += line.overflow;
        open.end = line.end;
        open.lastLineMeta = line.meta;
        return;
      }
      out.push(this.close('gap'));
    }
    const c = classify(text);
    if (c.separator === '-' && c.code !== null) {
      this.open = { code: c.code, lines: [text], message: c.message, offset: line.offset, end: line.end, meta: line.meta, lastLineMeta: line.meta, damaged: false, problem: c.problem, overflow: line.overflow };
      return;
    }
    out.push({
      kind: 'reply', code: c.code, lines: [text], text, message: c.message, multiline: false, problem: c.problem,
      offset: line.offset, end: line.end, meta: line.meta, lastLineMeta: line.meta, overflow: line.overflow,
    });
  }

  private close(problem: FtpReplyProblem | undefined): FtpReply<M> {
    const open = this.open!;
    this.open = undefined;
    return {
      kind: 'reply', code: open.code, lines: open.lines, text: open.lines.join('\n'), message: open.message, multiline: true, problem,
      offset: open.offset, end: open.end, meta: open.meta, lastLineMeta: open.lastLineMeta, overflow: open.overflow,
    };
  }
}
