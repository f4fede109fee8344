/**
 * FTP commands: the one table of known verbs (read by help, completion, `explain`, the ftpCBF
 * bitfield) and the incremental parser of the client->server control stream.
 */
import type { BitDef } from '../../schema/types.ts';
import { decodeFtpText, FtpLineSplitter, isLine, type FtpLine, type FtpLoss, type FtpStreamItem, type FtpTls, type LineSplitterOptions } from './protocol.ts';

/** What a command's argument is (RFC 959 §5.3.2 syntax and the extensions' grammars). */
export type FtpArgKind =
  | 'none'
  | 'username' | 'password' | 'account'
  | 'pathname' // a file or directory name
  | 'host-port' // PORT h1,h2,h3,h4,p1,p2
  | 'long-host-port' // LPRT af,hal,h1..,pal,p1.. (RFC 1639)
  | 'extended-host-port' // EPRT |proto|address|port| (RFC 2428)
  | 'net-protocol' // EPSV 1 | 2 | ALL
  | 'type-code' | 'structure-code' | 'mode-code'
  | 'decimal' // ALLO size, PBSZ buffer size
  | 'marker' // REST restart marker (a byte offset in stream mode, RFC 3659)
  | 'mechanism' // AUTH TLS, AUTH GSSAPI
  | 'base64' // ADAT, MIC, CONF, ENC payloads
  | 'protection-level' // PROT C | S | E | P
  | 'command-options' // OPTS command-name [options]
  | 'command-name' // HELP [command]
  | 'language-tag' // LANG [tag] (RFC 2640)
  | 'hostname' // HOST (RFC 7151)
  | 'string'; // SITE, CLNT, historic X commands: free text

/** Data transfer a command starts on a data connection. */
export type FtpDataDirection = 'download' | 'upload' | 'listing';

export type FtpCommandGroup = 'access' | 'transfer-parameters' | 'service' | 'security' | 'extension' | 'historic';

export interface FtpCommandDef {
  readonly name: string;
  /** where the command is defined, e.g. ['RFC 959'] (empty for CLNT, which no RFC defines) */
  readonly rfc: readonly string[];
  readonly meaning: string;
  readonly group: FtpCommandGroup;
  readonly arg: FtpArgKind;
  readonly argUse: 'none' | 'optional' | 'required';
  /** set for commands that transfer over a data connection, with the transfer's direction */
  readonly data?: FtpDataDirection;
  /** set for commands that announce the data endpoint: active (client listens) or passive (server listens) */
  readonly endpoint?: 'active' | 'passive';
  /** bit index in ftpCBF (value 2^bit); 0..60 are Tranalyzer's, 61..63 flowsh's */
  readonly bit: number;
}

type Row = [name: string, bit: number, rfc: string, group: FtpCommandGroup, arg: FtpArgKind, argUse: FtpCommandDef['argUse'], meaning: string, extra?: Partial<FtpCommandDef>];

// Bit indexes 0..60 are Tranalyzer's ftpCBF assignment (reference §1.6); 61..63 are new.
const ROWS: readonly Row[] = [
  ['ABOR', 0, 'RFC 959', 'service', 'none', 'none', 'abort the previous command and its data transfer'],
  ['ACCT', 1, 'RFC 959', 'access', 'account', 'required', 'send account information (after USER/PASS when the server asks with 332)'],
  ['ADAT', 2, 'RFC 2228', 'security', 'base64', 'required', 'authentication/security data exchange (base64)'],
  ['ALLO', 3, 'RFC 959', 'service', 'decimal', 'required', 'allocate storage for a file of the given size'],
  ['APPE', 4, 'RFC 959', 'service', 'pathname', 'required', 'append (upload) data to a file, creating it if needed', { data: 'upload' }],
  ['AUTH', 5, 'RFC 2228', 'security', 'mechanism', 'required', 'start a security mechanism (AUTH TLS: the control connection becomes TLS after 234)'],
  ['CCC', 6, 'RFC 2228', 'security', 'none', 'none', 'clear command channel: stop protecting the control connection'],
  ['CDUP', 7, 'RFC 959', 'access', 'none', 'none', 'change to the parent directory'],
  ['CONF', 8, 'RFC 2228', 'security', 'base64', 'required', 'confidentiality-protected command (base64)'],
  ['CWD', 9, 'RFC 959', 'access', 'pathname', 'required', 'change working directory'],
  ['DELE', 10, 'RFC 959', 'service', 'pathname', 'required', 'delete a file'],
  ['ENC', 11, 'RFC 2228', 'security', 'base64', 'required', 'privacy-protected (encrypted) command (base64)'],
  ['EPRT', 12, 'RFC 2428', 'transfer-parameters', 'extended-host-port', 'required', 'active mode, IPv4 or IPv6: the server connects to |proto|address|port|', { endpoint: 'active' }],
  ['EPSV', 13, 'RFC 2428', 'transfer-parameters', 'net-protocol', 'optional', 'extended passive mode: the server listens, answers 229 (|||port|)', { endpoint: 'passive' }],
  ['FEAT', 14, 'RFC 2389', 'extension', 'none', 'none', 'list the extensions the server supports (multi-line 211)'],
  ['HELP', 15, 'RFC 959', 'service', 'command-name', 'optional', 'help text, on the server or on one command'],
  ['LANG', 16, 'RFC 2640', 'extension', 'language-tag', 'optional', 'choose the language of reply texts'],
  ['LIST', 17, 'RFC 959', 'service', 'pathname', 'optional', 'directory listing for people, over the data connection', { data: 'listing' }],
  ['LPRT', 18, 'RFC 1639', 'transfer-parameters', 'long-host-port', 'required', 'long port: active mode with a long (IPv4 or IPv6) address', { endpoint: 'active' }],
  ['LPSV', 19, 'RFC 1639', 'transfer-parameters', 'none', 'none', 'long passive: the server listens, answers 228 with a long address', { endpoint: 'passive' }],
  ['MDTM', 20, 'RFC 3659', 'extension', 'pathname', 'required', 'modification time of a file (213 YYYYMMDDHHMMSS, UTC)'],
  ['MIC', 21, 'RFC 2228', 'security', 'base64', 'required', 'integrity-protected command (base64)'],
  ['MKD', 22, 'RFC 959', 'service', 'pathname', 'required', 'make a directory (257 "name")'],
  ['MLSD', 23, 'RFC 3659', 'extension', 'pathname', 'optional', 'machine-readable directory listing over the data connection', { data: 'listing' }],
  ['MLST', 24, 'RFC 3659', 'extension', 'pathname', 'optional', 'machine-readable facts about one file, on the control connection'],
  ['MODE', 25, 'RFC 959', 'transfer-parameters', 'mode-code', 'required', 'transfer mode: S stream, B block, C compressed'],
  ['NLST', 26, 'RFC 959', 'service', 'pathname', 'optional', 'name list (file names only) over the data connection', { data: 'listing' }],
  ['NOOP', 27, 'RFC 959', 'service', 'none', 'none', 'no operation (keep-alive)'],
  ['OPTS', 28, 'RFC 2389', 'extension', 'command-options', 'required', 'set options of a command, e.g. OPTS UTF8 ON'],
  ['PASS', 29, 'RFC 959', 'access', 'password', 'required', 'password, after USER answered 331'],
  ['PASV', 30, 'RFC 959', 'transfer-parameters', 'none', 'none', 'passive mode: the server listens, answers 227 with h1,h2,h3,h4,p1,p2', { endpoint: 'passive' }],
  ['PBSZ', 31, 'RFC 2228', 'security', 'decimal', 'required', 'protection buffer size (PBSZ 0 with TLS)'],
  ['PORT', 32, 'RFC 959', 'transfer-parameters', 'host-port', 'required', 'active mode, IPv4: the server connects to h1,h2,h3,h4,p1,p2', { endpoint: 'active' }],
  ['PROT', 33, 'RFC 2228', 'security', 'protection-level', 'required', 'data channel protection: C clear, S safe, E confidential, P private'],
  ['PWD', 34, 'RFC 959', 'service', 'none', 'none', 'print working directory (257 "name")'],
  ['QUIT', 35, 'RFC 959', 'access', 'none', 'none', 'log out and close the control connection'],
  ['REIN', 36, 'RFC 959', 'access', 'none', 'none', 'reinitialize: log out, keep the connection'],
  ['REST', 37, 'RFC 959, RFC 3659', 'service', 'marker', 'required', 'restart the next transfer at this marker (byte offset in stream mode)'],
  ['RETR', 38, 'RFC 959', 'service', 'pathname', 'required', 'retrieve (download) a file', { data: 'download' }],
  ['RMD', 39, 'RFC 959', 'service', 'pathname', 'required', 'remove a directory'],
  ['RNFR', 40, 'RFC 959', 'service', 'pathname', 'required', 'rename from (followed by RNTO)'],
  ['RNTO', 41, 'RFC 959', 'service', 'pathname', 'required', 'rename to'],
  ['SITE', 42, 'RFC 959', 'service', 'string', 'required', 'site-specific command, e.g. SITE CHMOD'],
  ['SIZE', 43, 'RFC 3659', 'extension', 'pathname', 'required', 'size of a file in bytes (213 N)'],
  ['SMNT', 44, 'RFC 959', 'access', 'pathname', 'required', 'structure mount: mount another file system'],
  ['STAT', 45, 'RFC 959', 'service', 'pathname', 'optional', 'status of the server or a transfer; with a path, a listing on the control connection'],
  ['STOR', 46, 'RFC 959', 'service', 'pathname', 'required', 'store (upload) a file, replacing it', { data: 'upload' }],
  ['STOU', 47, 'RFC 959', 'service', 'none', 'optional', 'store (upload) under a unique name the server chooses (told in the 125/150 reply)', { data: 'upload' }],
  ['STRU', 48, 'RFC 959', 'transfer-parameters', 'structure-code', 'required', 'file structure: F file, R record, P page'],
  ['SYST', 49, 'RFC 959', 'service', 'none', 'none', 'operating system type of the server (215)'],
  ['TYPE', 50, 'RFC 959', 'transfer-parameters', 'type-code', 'required', 'representation type: A ASCII, I image (binary), E EBCDIC, L local byte size'],
  ['USER', 51, 'RFC 959', 'access', 'username', 'required', 'user name, starts a login'],
  ['XCUP', 52, 'RFC 775', 'historic', 'none', 'none', 'experimental CDUP (RFC 959 §A: servers should accept it)'],
  ['XMKD', 53, 'RFC 775', 'historic', 'pathname', 'required', 'experimental MKD'],
  ['XPWD', 54, 'RFC 775', 'historic', 'none', 'none', 'experimental PWD'],
  ['XRCP', 55, 'RFC 743', 'historic', 'string', 'optional', 'mail recipient (historic mail-over-FTP)'],
  ['XRMD', 56, 'RFC 775', 'historic', 'pathname', 'required', 'experimental RMD'],
  ['XRSQ', 57, 'RFC 743', 'historic', 'string', 'optional', 'mail recipient scheme selection (historic)'],
  ['XSEM', 58, 'RFC 737', 'historic', 'string', 'optional', 'send mail, else terminal message (historic)'],
  ['XSEN', 59, 'RFC 737', 'historic', 'string', 'optional', 'send message to a terminal (historic)'],
  ['CLNT', 60, '', 'extension', 'string', 'required', 'client software name (no RFC: Serv-U/NcFTP extension, kept because Tranalyzer has bit 60 for it)'],
  // flowsh additions above Tranalyzer's bits
  ['HOST', 61, 'RFC 7151', 'access', 'hostname', 'required', 'virtual host to log in to, sent before USER'],
  ['XCWD', 62, 'RFC 775', 'historic', 'pathname', 'required', 'experimental CWD'],
  ['XMAS', 63, 'RFC 737', 'historic', 'string', 'optional', 'send mail and terminal message (historic)'],
];

export const FTP_COMMANDS: readonly FtpCommandDef[] = Object.freeze(ROWS.map(([name, bit, rfc, group, arg, argUse, meaning, extra]) =>
  Object.freeze({ name, bit, rfc: rfc === '' ? [] : rfc.split(', '), group, arg, argUse, meaning, ...extra })));

const BY_NAME = new Map(FTP_COMMANDS.map((def) => [def.name, def]));

/** The command definition of a verb, any case; undefined for verbs no RFC (or Tranalyzer) knows. */
export function lookupCommand(verb: string): FtpCommandDef | undefined {
  return BY_NAME.get(asciiUpper(verb));
}

/** ftpCBF mask of a verb (0n for unknown verbs). */
export function commandMask(verb: string): bigint {
  const def = lookupCommand(verb);
  return def === undefined ? 0n : 1n << BigInt(def.bit);
}

/** OR of the masks of all verbs: the ftpCBF value of a flow. */
export function commandBitfield(verbs: Iterable<string>): bigint {
  let bits = 0n;
  for (const verb of verbs) bits |= commandMask(verb);
  return bits;
}

/** ftpCBF's bit table, one bit per command (value 2^bit). */
export const FTP_CBF_BITS: readonly BitDef[] = Object.freeze([...FTP_COMMANDS].sort((a, b) => a.bit - b.bit).map((def) => ({
  value: 1n << BigInt(def.bit),
  name: def.name,
  description: `${def.meaning} (${def.rfc.length > 0 ? def.rfc.join(', ') : 'no RFC'})${def.bit > 60 ? '; flowsh bit, not in Tranalyzer' : ''}`,
})));

/** ASCII-only upper case: a verb's non-ASCII bytes stay as they are. */
export function asciiUpper(text: string): string {
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** One command line of the client->server stream. */
export interface FtpCommand<M> {
  readonly kind: 'command';
  /** the verb in upper case (ASCII letters only are folded); '' for an empty line */
  readonly verb: string;
  /** the verb as sent */
  readonly rawVerb: string;
  /** everything after the first space, verbatim (decoded as UTF-8, undecodable bytes escaped) */
  readonly arg: string;
  /** the argument's bytes as sent (after Telnet processing) */
  readonly argBytes: Uint8Array;
  /** whether a space followed the verb (an argument, possibly empty, was given) */
  readonly hasArg: boolean;
  /** the table entry; undefined for unknown verbs (kept verbatim all the same) */
  readonly def: FtpCommandDef | undefined;
  /** the verb has RFC 959's shape: 3 or 4 ASCII letters */
  readonly wellFormed: boolean;
  readonly offset: number;
  readonly end: number;
  readonly meta: M | undefined;
  readonly terminator: FtpLine<M>['terminator'];
  readonly telnet: readonly string[];
  readonly overflow: number;
}

/** Commands in stream order, with lost regions and TLS-protected stretches (after AUTH TLS) between them. */
export type FtpCommandEvent<M> = FtpCommand<M> | FtpLoss<M> | FtpTls<M>;

/** Turns one line into a command. */
export function commandFromLine<M>(line: FtpLine<M>): FtpCommand<M> {
  const bytes = line.bytes;
  let space = bytes.indexOf(0x20);
  const hasArg = space >= 0;
  if (!hasArg) space = bytes.length;
  const rawVerb = decodeFtpText(bytes, 0, space);
  const verb = asciiUpper(rawVerb);
  const argBytes = hasArg ? bytes.subarray(space + 1) : bytes.subarray(bytes.length);
  return {
    kind: 'command',
    verb,
    rawVerb,
    arg: decodeFtpText(argBytes),
    argBytes,
    hasArg,
    def: BY_NAME.get(verb),
    wellFormed: /^[A-Za-z]{3,4}$/.test(rawVerb),
    offset: line.offset,
    end: line.end,
    meta: line.meta,
    terminator: line.terminator,
    telnet: line.telnet,
    overflow: line.overflow,
  };
}

/**
 * Incremental parser of the client->server control stream: feed chunks in stream order, report
 * gaps, call end() once. Each call returns the commands (and losses) completed by it.
 */
export class FtpCommandParser<M = unknown> {
  private readonly lines: FtpLineSplitter<M>;
  private readonly scratch: FtpStreamItem<M>[] = [];

  constructor(options: LineSplitterOptions = {}) {
    this.lines = new FtpLineSplitter<M>(options);
  }

  get offset(): number {
    return this.lines.offset;
  }

  feed(chunk: Uint8Array, meta?: M): FtpCommandEvent<M>[] {
    this.lines.feed(chunk, meta, this.scratch);
    return this.drain();
  }

  gap(missing: number, meta?: M): FtpCommandEvent<M>[] {
    this.lines.gap(missing, meta, this.scratch);
    return this.drain();
  }

  end(): FtpCommandEvent<M>[] {
    this.lines.end(this.scratch);
    return this.drain();
  }

  private drain(): FtpCommandEvent<M>[] {
    if (this.scratch.length === 0) return [];
    const out = this.scratch.map((item) => (isLine(item) ? commandFromLine(item) : item));
    this.scratch.length = 0;
    return out;
  }
}
