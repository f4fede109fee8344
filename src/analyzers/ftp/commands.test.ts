import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  commandBitfield, commandMask, FTP_CBF_BITS, FTP_COMMANDS, FtpCommandParser, lookupCommand,
  type FtpCommand, type FtpCommandEvent,
} from './commands.ts';
import { decodeFtpText } from './protocol.ts';

const enc = (...parts: (string | number[])[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) out.push(...(typeof p === 'string' ? new TextEncoder().encode(p) : p));
  return Uint8Array.from(out);
};

// Tranalyzer 0.9.3 ftpCBF bit indexes (reference §1.6), the assignment flowsh must keep.
const TRANALYZER_BITS = [
  'ABOR', 'ACCT', 'ADAT', 'ALLO', 'APPE', 'AUTH', 'CCC', 'CDUP', 'CONF', 'CWD', 'DELE', 'ENC', 'EPRT', 'EPSV', 'FEAT', 'HELP',
  'LANG', 'LIST', 'LPRT', 'LPSV', 'MDTM', 'MIC', 'MKD', 'MLSD', 'MLST', 'MODE', 'NLST', 'NOOP', 'OPTS', 'PASS', 'PASV', 'PBSZ',
  'PORT', 'PROT', 'PWD', 'QUIT', 'REIN', 'REST', 'RETR', 'RMD', 'RNFR', 'RNTO', 'SITE', 'SIZE', 'SMNT', 'STAT', 'STOR', 'STOU',
  'STRU', 'SYST', 'TYPE', 'USER', 'XCUP', 'XMKD', 'XPWD', 'XRCP', 'XRMD', 'XRSQ', 'XSEM', 'XSEN', 'CLNT',
];

const RFC_959 = ['USER', 'PASS', 'ACCT', 'CWD', 'CDUP', 'SMNT', 'REIN', 'QUIT', 'PORT', 'PASV', 'TYPE', 'STRU', 'MODE', 'RETR', 'STOR', 'STOU', 'APPE',
  'ALLO', 'REST', 'RNFR', 'RNTO', 'ABOR', 'DELE', 'RMD', 'MKD', 'PWD', 'LIST', 'NLST', 'SITE', 'SYST', 'STAT', 'HELP', 'NOOP'];
const BY_RFC: Record<string, string[]> = {
  'RFC 2228': ['AUTH', 'ADAT', 'PROT', 'PBSZ', 'CCC', 'MIC', 'CONF', 'ENC'],
  'RFC 2389': ['FEAT', 'OPTS'],
  'RFC 2428': ['EPRT', 'EPSV'],
  'RFC 3659': ['MDTM', 'SIZE', 'REST', 'MLST', 'MLSD'],
  'RFC 7151': ['HOST'],
  'RFC 1639': ['LPRT', 'LPSV'],
  'RFC 2640': ['LANG'],
};

test('the table holds every command of RFC 959, 2228, 2389, 2428, 3659, 7151, 1639 and 2640 with its RFC', () => {
  for (const name of RFC_959) assert.ok(lookupCommand(name)?.rfc.includes('RFC 959'), name);
  for (const [rfc, names] of Object.entries(BY_RFC)) {
    for (const name of names) assert.ok(lookupCommand(name)?.rfc.includes(rfc), `${name} ${rfc}`);
  }
  for (const def of FTP_COMMANDS) {
    assert.match(def.name, /^[A-Z]{3,4}$/);
    assert.ok(def.meaning.length > 5, def.name);
    for (const rfc of def.rfc) assert.match(rfc, /^RFC \d+$/, def.name);
    if (def.rfc.length === 0) assert.equal(def.name, 'CLNT', 'only CLNT has no RFC (kept for its Tranalyzer bit)');
    assert.equal(def.argUse === 'none', def.arg === 'none' && def.name !== 'STOU', `${def.name}: argUse and arg kind agree`);
  }
  assert.equal(lookupCommand('AVBL'), undefined, 'AVBL is a draft, not an RFC');
  assert.equal(new Set(FTP_COMMANDS.map((d) => d.name)).size, FTP_COMMANDS.length, 'declared once');
});

test('ftpCBF bits keep Tranalyzer\'s assignment; flowsh\'s commands take the bits above 60', () => {
  TRANALYZER_BITS.forEach((name, bit) => assert.equal(lookupCommand(name)?.bit, bit, name));
  const extra = FTP_COMMANDS.filter((d) => !TRANALYZER_BITS.includes(d.name));
  assert.deepEqual(extra.map((d) => d.name).sort(), ['HOST', 'XCWD', 'XMAS']);
  for (const def of extra) assert.ok(def.bit > 60 && def.bit < 64, def.name);
  assert.equal(new Set(FTP_COMMANDS.map((d) => d.bit)).size, FTP_COMMANDS.length, 'bits are unique');
  // the reference's examples
  assert.equal(commandMask('USER'), 0x0008000000000000n);
  assert.equal(commandMask('RETR'), 0x0000004000000000n);
  assert.equal(commandMask('user'), commandMask('USER'));
  assert.equal(commandMask('XYZW'), 0n);
  assert.equal(commandBitfield(['USER', 'PASS', 'RETR', 'bogus', 'user']), (1n << 51n) | (1n << 29n) | (1n << 38n));
  assert.equal(FTP_CBF_BITS.length, FTP_COMMANDS.length);
  for (const bit of FTP_CBF_BITS) assert.equal(bit.value, commandMask(bit.name));
  assert.match(FTP_CBF_BITS.find((b) => b.name === 'HOST')!.description, /flowsh bit/);
});

test('data commands and endpoint commands are flagged with their direction and mode', () => {
  const data = Object.fromEntries(FTP_COMMANDS.filter((d) => d.data).map((d) => [d.name, d.data]));
  assert.deepEqual(data, { APPE: 'upload', LIST: 'listing', MLSD: 'listing', NLST: 'listing', RETR: 'download', STOR: 'upload', STOU: 'upload' });
  const endpoint = Object.fromEntries(FTP_COMMANDS.filter((d) => d.endpoint).map((d) => [d.name, d.endpoint]));
  assert.deepEqual(endpoint, { EPRT: 'active', EPSV: 'passive', LPRT: 'active', LPSV: 'passive', PASV: 'passive', PORT: 'active' });
  assert.equal(lookupCommand('PASS')?.arg, 'password');
  assert.equal(lookupCommand('USER')?.arg, 'username');
});

type Cmd = FtpCommand<number>;
function parseAll(chunks: readonly Uint8Array[]): FtpCommandEvent<number>[] {
  const p = new FtpCommandParser<number>();
  const out: FtpCommandEvent<number>[] = [];
  chunks.forEach((chunk, i) => out.push(...p.feed(chunk, i)));
  out.push(...p.end());
  return out;
}
const commands = (events: FtpCommandEvent<number>[]) => events.filter((e): e is Cmd => e.kind === 'command');
const summary = (events: FtpCommandEvent<number>[]) => events.map((e) => (e.kind === 'command' ? `${e.verb}|${e.arg}` : `${e.kind}@${e.offset}`));

test('verbs are case-insensitive, arguments verbatim, unknown verbs kept', () => {
  const out = commands(parseAll([enc('user Alice\r\nPwd\r\nPWD\r\nRETR  two  spaces \r\nXYZZY magic words\r\nLIST\r\nSTOR \r\n\r\n')]));
  assert.deepEqual(out.map((c) => [c.verb, c.rawVerb, c.arg, c.hasArg]), [
    ['USER', 'user', 'Alice', true],
    ['PWD', 'Pwd', '', false],
    ['PWD', 'PWD', '', false],
    ['RETR', 'RETR', ' two  spaces ', true],
    ['XYZZY', 'XYZZY', 'magic words', true],
    ['LIST', 'LIST', '', false],
    ['STOR', 'STOR', '', true],
    ['', '', '', false],
  ]);
  assert.equal(out[0]!.def?.name, 'USER');
  assert.equal(out[1]!.def?.name, 'PWD', 'bare lower-case pwd is recognised (Tranalyzer misses it)');
  assert.equal(out[4]!.def, undefined);
  assert.deepEqual(out.map((c) => c.wellFormed), [true, true, true, true, false, true, true, false]);
});

test('USER and PASS arguments are kept in full, however long', () => {
  const user = 'a-very-long-user-name-that-tranalyzer-would-cut';
  const pass = 'Secr3tPassw0rdThatIsLongerThanFifteen chars with spaces';
  const out = commands(parseAll([enc(`USER ${user}\r\nPASS ${pass}\r\n`)]));
  assert.deepEqual(out.map((c) => c.arg), [user, pass]);
});

test('non-ASCII paths: UTF-8 decoded (RFC 2640), invalid bytes kept as escapes with the raw bytes alongside', () => {
  const out = commands(parseAll([enc('CWD /données/日本\r\nRETR caf', [0xe9], '.txt\r\nSTOR a', [255, 255], 'b\r\n')]));
  assert.equal(out[0]!.arg, '/données/日本');
  assert.equal(out[1]!.arg, 'caf\udce9.txt');
  assert.deepEqual([...out[1]!.argBytes], [...enc('caf', [0xe9], '.txt')]);
  assert.deepEqual([...out[2]!.argBytes], [...enc('a', [255], 'b')], 'IAC IAC is one 0xFF byte of the name');
});

test('ABOR after Telnet IP and DM (RFC 959 §4.1.3), option negotiation removed', () => {
  const out = commands(parseAll([enc([255, 244, 255, 242], 'ABOR\r\n', [255, 253, 1], 'NOOP\r\n')]));
  assert.deepEqual(out.map((c) => [c.verb, c.telnet]), [['ABOR', ['IP', 'DM']], ['NOOP', ['DO 1']]]);
  assert.equal(out[0]!.def?.name, 'ABOR');
});

const SESSION = enc(
  'USER anonymous\r\nPASS guest@example.org\r\nsyst\r\nTYPE I\r\nPORT 192,0,2,10,19,137\r\n',
  [255, 244, 255, 242], 'ABOR\r\n',
  'EPRT |2|2001:db8::10|5282|\r\nRETR /pub/r', [0xc3, 0xa9], 'sum', [0xc3, 0xa9], '.pdf\r\n',
  'STOR x', [255, 255], 'y\nSIZE caf', [0xe9], '\r\nPWD\r\nQUIT\r\n',
);

test('every two-chunk split of a multi-command stream gives identical commands', () => {
  const whole = parseAll([SESSION]);
  assert.deepEqual(summary(whole), [
    'USER|anonymous', 'PASS|guest@example.org', 'SYST|', 'TYPE|I', 'PORT|192,0,2,10,19,137', 'ABOR|',
    'EPRT||2|2001:db8::10|5282|', 'RETR|/pub/résumé.pdf', 'STOR|x\udcffy', 'SIZE|caf\udce9', 'PWD|', 'QUIT|',
  ]);
  const strip = (events: FtpCommandEvent<number>[]) => events.map((e) => ({ ...e, meta: undefined }));
  for (let cut = 0; cut <= SESSION.length; cut++) {
    const split = parseAll([SESSION.subarray(0, cut), SESSION.subarray(cut)]);
    assert.deepEqual(strip(split), strip(whole), `cut at ${cut}`);
    for (const c of split) assert.equal(c.meta, c.offset < cut ? 0 : 1);
  }
});

test('each command carries the stream offset where it started', () => {
  const out = commands(parseAll([SESSION]));
  for (const c of out) {
    const line = decodeFtpText(SESSION.subarray(c.offset, c.end));
    assert.ok(line.endsWith('\n'), `line at ${c.offset} ends at a line feed`);
    if (c.telnet.length === 0) assert.ok(line.toUpperCase().startsWith(c.verb), `${c.verb} at ${c.offset}`);
  }
  assert.equal(out[0]!.offset, 0);
  assert.equal(out[1]!.offset, 16);
  assert.equal(out.at(-1)!.end, SESSION.length);
});

test('a gap loses the broken command only; the next whole line parses; nothing is invented', () => {
  const p = new FtpCommandParser<string>();
  const events = [...p.feed(enc('USER bob\r\nRETR /secret/pl'), 'a'), ...p.gap(20, 'gap'), ...p.feed(enc('ans.txt\r\nQUIT\r\n'), 'b'), ...p.end()];
  assert.deepEqual(events.map((e) => (e.kind === 'command' ? e.verb : e.kind === 'loss' ? `loss ${e.offset}-${e.end} ${e.missing}/${e.discarded}` : e.kind)), ['USER', 'loss 10-54 20/24', 'QUIT']);
  assert.equal(p.offset, 60);
});

test('a command cut off by the end of the stream is reported unterminated', () => {
  const out = commands(parseAll([enc('NOOP\r\nRETR file.b')]));
  assert.deepEqual(out.map((c) => [c.verb, c.arg, c.terminator]), [['NOOP', '', 'crlf'], ['RETR', 'file.b', 'none']]);
});
