/**
 * Data-connection endpoints and other values carried in command arguments and reply texts:
 * PORT / 227 (RFC 959), EPRT / 229 (RFC 2428), LPRT / 228 (RFC 1639), announced sizes and names
 * in 125/150, SIZE and MDTM answers (213, RFC 3659), quoted paths in 257.
 *
 * Numbers are strictly decimal (a leading 0 does not make them octal, unlike Tranalyzer's
 * strtoul base 0); every value is range-checked. Failures are returned, never thrown.
 */
import { IpAddr } from '../../store/value.ts';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface DataEndpoint {
  /** the announced address; undefined when the form carries none (229 gives only a port) */
  readonly address: IpAddr | undefined;
  readonly port: number;
}

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

/** A decimal number of at most `maxDigits` digits no larger than `max`. */
function decimal(text: string, what: string, max: number): Parsed<number> {
  if (!/^[0-9]+$/.test(text)) return fail(`${what} "${text}" is not a decimal number`);
  const digits = text.replace(/^0+(?=\d)/, '');
  if (digits.length > String(max).length || Number(digits) > max) return fail(`${what} ${text} is out of range (0..${max})`);
  return ok(Number(digits));
}

/** Six numbers h1..h4,p1,p2 (already split) to an IPv4 endpoint. */
function hostPortFromNumbers(parts: readonly string[]): Parsed<DataEndpoint> {
  const values: number[] = [];
  for (let i = 0; i < 6; i++) {
    const n = decimal(parts[i]!, i < 4 ? `address byte h${i + 1}` : `port byte p${i - 3}`, 255);
    if (!n.ok) return n;
    values.push(n.value);
  }
  const port = values[4]! * 256 + values[5]!;
  if (port === 0) return fail('port 0 is not a usable data port');
  return ok({ address: new IpAddr(Uint8Array.from(values.slice(0, 4))), port });
}

/** PORT argument `h1,h2,h3,h4,p1,p2` (RFC 959 §4.1.2); surrounding blanks are allowed, nothing else. */
export function parsePortArgument(arg: string): Parsed<DataEndpoint> {
  const parts = arg.trim().split(',').map((s) => s.trim());
  if (parts.length !== 6) return fail(`PORT needs 6 comma-separated numbers, got ${parts.length === 1 && parts[0] === '' ? 'none' : parts.length}`);
  return hostPortFromNumbers(parts);
}

/**
 * 227 reply text: the numbers h1,h2,h3,h4,p1,p2 anywhere in the text (RFC 1123 §4.1.2.6: the
 * client must scan for them), with or without parentheses, e.g. `Entering Passive Mode
 * (192,0,2,21,195,80).` or `=192,0,2,21,195,80`. Pass the message after the code.
 */
export function parsePasvReply(message: string): Parsed<DataEndpoint> {
  const runs = message.match(/[0-9]+(?:\s*,\s*[0-9]+)+/g) ?? [];
  const six = runs.find((run) => run.split(',').length === 6);
  if (six === undefined) {
    return fail(runs.length === 0 ? '227 text holds no comma-separated numbers' : `227 text holds no run of exactly 6 numbers (found ${runs.map((r) => r.split(',').length).join(', ')})`);
  }
  return hostPortFromNumbers(six.split(',').map((s) => s.trim()));
}

function parseIpv4Strict(text: string): IpAddr | undefined {
  if (!/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(text)) return undefined;
  return IpAddr.parse(text);
}

/** One `<d>proto<d>address<d>port<d>` group (RFC 2428 §2) with `d` any printable ASCII character. */
function extendedFields(text: string, what: string): Parsed<{ proto: string; address: string; port: string }> {
  if (text.length < 4) return fail(`${what} "${text}" is too short for <d>proto<d>address<d>port<d>`);
  const d = text[0]!;
  const code = d.charCodeAt(0);
  if (code < 33 || code > 126) return fail(`${what} delimiter must be printable ASCII (33..126), got code ${code}`);
  const fields = text.split(d);
  // a leading and a trailing delimiter give empty first and last fields
  if (fields.length !== 5 || fields[0] !== '' || fields[4] !== '') return fail(`${what} "${text}" is not <d>proto<d>address<d>port<d> with delimiter "${d}"`);
  return ok({ proto: fields[1]!, address: fields[2]!, port: fields[3]! });
}

function portNumber(text: string, what: string): Parsed<number> {
  const port = decimal(text, `${what} port`, 65535);
  if (port.ok && port.value === 0) return fail(`${what} port 0 is not a usable data port`);
  return port;
}

/** EPRT argument `|1|192.0.2.10|5282|` or `|2|2001:db8::10|5282|`, any delimiter (RFC 2428 §2). */
export function parseEprtArgument(arg: string): Parsed<DataEndpoint & { readonly family: 4 | 6 }> {
  const f = extendedFields(arg.trim(), 'EPRT');
  if (!f.ok) return f;
  const { proto, address, port: portText } = f.value;
  if (proto !== '1' && proto !== '2') return fail(`EPRT network protocol "${proto}" is neither 1 (IPv4) nor 2 (IPv6)`);
  const addr = proto === '1' ? parseIpv4Strict(address) : IpAddr.parse(address);
  if (addr === undefined || (proto === '2' && !addr.isV6)) return fail(`EPRT address "${address}" is not a valid ${proto === '1' ? 'IPv4' : 'IPv6'} address`);
  const port = portNumber(portText, 'EPRT');
  if (!port.ok) return port;
  return ok({ address: addr, port: port.value, family: proto === '1' ? 4 : 6 });
}

/**
 * 229 reply text `Entering Extended Passive Mode (|||6446|)`: the port between the delimiters
 * inside the parentheses, any delimiter character; a protocol and address there (which RFC 2428
 * says must be empty) are used when present. Without parentheses, a bare `|||port|` is found.
 */
export function parseEpsvReply(message: string): Parsed<DataEndpoint> {
  const inParens = /\(([^()]*)\)/.exec(message);
  let group: string | undefined = inParens?.[1];
  if (group === undefined) {
    const bare = /([!-~])\1\1[0-9]+\1/.exec(message);
    if (bare === null) return fail('229 text holds no (<d><d><d>port<d>) group');
    group = bare[0];
  }
  const f = extendedFields(group.trim(), '229');
  if (!f.ok) return f;
  const port = portNumber(f.value.port, '229');
  if (!port.ok) return port;
  let address: IpAddr | undefined;
  if (f.value.address !== '') {
    address = f.value.proto === '1' ? parseIpv4Strict(f.value.address) : IpAddr.parse(f.value.address);
    if (address === undefined) return fail(`229 address "${f.value.address}" is not a valid address`);
  }
  return ok({ address, port: port.value });
}

/** RFC 1639 number list `af,hal,h1..hN,pal,p1..pM` to an endpoint (IPv4: af 4, hal 4; IPv6: af 6, hal 16). */
function longAddress(text: string, what: string): Parsed<DataEndpoint & { readonly family: 4 | 6 }> {
  const parts = text.split(',').map((s) => s.trim());
  const numbers: number[] = [];
  for (const p of parts) {
    const n = decimal(p, `${what} number`, 255);
    if (!n.ok) return n;
    numbers.push(n.value);
  }
  const [af, hal] = numbers;
  if (af !== 4 && af !== 6) return fail(`${what} address family ${af} is neither 4 (IPv4) nor 6 (IPv6)`);
  const wantHal = af === 4 ? 4 : 16;
  if (hal !== wantHal) return fail(`${what} address length ${hal} does not fit family ${af} (needs ${wantHal})`);
  const pal = numbers[2 + hal];
  if (pal === undefined) return fail(`${what} ends before the port length`);
  if (numbers.length !== 3 + hal + pal) return fail(`${what} has ${numbers.length} numbers, family ${af} with port length ${pal} needs ${3 + hal + pal}`);
  let port = 0;
  for (let i = 0; i < pal; i++) port = port * 256 + numbers[3 + hal + i]!;
  if (port > 65535) return fail(`${what} port ${port} is out of range (0..65535)`);
  if (port === 0) return fail(`${what} port 0 is not a usable data port`);
  return ok({ address: new IpAddr(Uint8Array.from(numbers.slice(2, 2 + hal))), port, family: af === 4 ? 4 : 6 });
}

/** LPRT argument, e.g. `4,4,192,0,2,10,2,20,160` or `6,16,32,1,13,184,...,2,20,160` (RFC 1639). */
export function parseLprtArgument(arg: string): Parsed<DataEndpoint & { readonly family: 4 | 6 }> {
  const text = arg.trim();
  if (!/^[0-9]+(\s*,\s*[0-9]+)*$/.test(text)) return fail('LPRT needs comma-separated decimal numbers');
  return longAddress(text, 'LPRT');
}

/** 228 reply text `Entering Long Passive Mode (4,4,192,0,2,21,2,195,80)`: the longest number run in the text. */
export function parseLpsvReply(message: string): Parsed<DataEndpoint & { readonly family: 4 | 6 }> {
  const runs = message.match(/[0-9]+(?:\s*,\s*[0-9]+)+/g) ?? [];
  if (runs.length === 0) return fail('228 text holds no comma-separated numbers');
  const longest = runs.reduce((a, b) => (b.split(',').length > a.split(',').length ? b : a));
  return longAddress(longest, '228');
}

export interface TransferAnnouncement {
  /** size from `(N bytes)`; undefined when the reply announces none */
  readonly size: number | undefined;
  /** file name after `for`, quotes removed; undefined when the reply names none */
  readonly name: string | undefined;
}

/**
 * 125/150 reply text, e.g. `Opening BINARY mode data connection for a.bin (4000 bytes).`,
 * `Opening data channel for file download from server of "/x.txt"`, `Ok to send data.`.
 * The size is the number in the last `(N bytes)` (or `N bytes` after the name); the name is
 * what follows the last " for " (or " of ") up to the size or the end, trailing period and quotes removed.
 */
export function parseTransferReply(message: string): Parsed<TransferAnnouncement> {
  let size: number | undefined;
  let rest = message;
  const sized = /\(?\s*([0-9]+)\s+bytes?\s*\)?\.?\s*$/i.exec(message) ?? /\(\s*([0-9]+)\s+bytes?\s*\)/i.exec(message);
  if (sized) {
    const n = parseSize(sized[1]!);
    if (!n.ok) return n;
    size = n.value;
    rest = message.slice(0, sized.index);
  }
  let name: string | undefined;
  const lower = rest.toLowerCase();
  let at = lower.lastIndexOf(' for ');
  let skip = 5;
  const of = lower.lastIndexOf(' of ');
  if (of > at && /["']/.test(rest.slice(of))) { at = of; skip = 4; }
  if (at >= 0) {
    let candidate = rest.slice(at + skip).trim().replace(/[.,;:]$/, '').trim();
    const quoted = /^(["'])(.*)\1$/.exec(candidate);
    if (quoted) candidate = quoted[2]!;
    // ProFTPD's listing announcement names no file
    if (candidate !== '' && !/^file list$/i.test(candidate)) name = candidate;
  }
  return ok({ size, name });
}

/** A non-negative byte count, at most 2^53 - 1. */
export function parseSize(text: string): Parsed<number> {
  if (!/^[0-9]+$/.test(text)) return fail(`size "${text}" is not a decimal number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) return fail(`size ${text} is too large (above 2^53 - 1)`);
  return ok(n);
}

/** 213 answer to SIZE (RFC 3659 §4): the message is exactly one decimal number. */
export function parseSizeReply(message: string): Parsed<number> {
  return parseSize(message.trim());
}

/** 213 answer to MDTM (RFC 3659 §3): YYYYMMDDHHMMSS[.fraction] in UTC, as epoch seconds and ISO text. */
export function parseMdtmReply(message: string): Parsed<{ readonly seconds: number; readonly iso: string }> {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})(?:\.([0-9]+))?$/.exec(message.trim());
  if (m === null) return fail(`MDTM time "${message.trim()}" is not YYYYMMDDHHMMSS[.sss]`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (mo < 1 || mo > 12 || back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1 || h > 23 || mi > 59 || s > 60) {
    return fail(`MDTM time "${m[0]}" is not a valid date and time`);
  }
  const fraction = m[7] ? Number('0.' + m[7]) : 0;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ? '.' + m[7] : ''}Z`;
  return ok({ seconds: ms / 1000 + fraction, iso });
}

/**
 * 257 reply text `"/usr/dm" created.` (RFC 959 §7): the quoted path, with each doubled quote
 * inside standing for one quote character.
 */
export function parseQuotedPath(message: string): Parsed<string> {
  const open = message.indexOf('"');
  if (open < 0) return fail('257 text holds no quoted path');
  let path = '';
  for (let i = open + 1; i < message.length; i++) {
    const c = message[i]!;
    if (c !== '"') { path += c; continue; }
    if (message[i + 1] === '"') { path += '"'; i++; continue; }
    return ok(path);
  }
  return fail('257 quoted path has no closing quote');
}

/**
 * The name a server gave a STOU upload, from the lines of its 125/150 or final reply (codes
 * included or not): `FILE: name` (RFC 1123 §4.1.2.9; vsftpd, ProFTPD, pyftpdlib, Pure-FTPd in
 * 226), `unique file name: name` (wu-ftpd's 226), else the name after " for " of a 150
 * (parseTransferReply). Surrounding quotes and a trailing period or parenthesis are removed.
 */
export function parseUniqueName(lines: readonly string[]): string | undefined {
  const clean = (name: string): string => {
    let n = name.trim().replace(/[.)]+$/, '').trim();
    const quoted = /^(["'])(.*)\1$/.exec(n);
    if (quoted) n = quoted[2]!;
    return n;
  };
  for (const line of lines) {
    const text = line.replace(/^[1-6][0-9]{2}[ -]?/, '');
    const m = /^\s*FILE:\s*(.+)$/i.exec(text) ?? /unique file name:?\s*(.+)$/i.exec(text);
    if (m && clean(m[1]!) !== '') return clean(m[1]!);
  }
  for (const line of lines) {
    const a = parseTransferReply(line.replace(/^[1-6][0-9]{2}[ -]?/, ''));
    if (a.ok && a.value.name !== undefined) return a.value.name;
  }
  return undefined;
}
