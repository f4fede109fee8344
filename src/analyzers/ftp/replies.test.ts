import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FTP_REPLY_CODES, FtpReplyParser, lookupReplyCode, replyCodeMeaning, type FtpReply, type FtpReplyEvent } from './replies.ts';

const enc = (...parts: (string | number[])[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) out.push(...(typeof p === 'string' ? new TextEncoder().encode(p) : p));
  return Uint8Array.from(out);
};

function parseAll(chunks: readonly Uint8Array[]): FtpReplyEvent<number>[] {
  const p = new FtpReplyParser<number>();
  const out: FtpReplyEvent<number>[] = [];
  chunks.forEach((chunk, i) => out.push(...p.feed(chunk, i)));
  out.push(...p.end());
  return out;
}
const replies = (events: FtpReplyEvent<number>[]) => events.filter((e): e is FtpReply<number> => e.kind === 'reply');

test('single-line replies: code, message, offsets', () => {
  const out = replies(parseAll([enc('220 Service ready\r\n331 Please specify the password.\r\n230\r\n')]));
  assert.deepEqual(out.map((r) => [r.code, r.message, r.multiline, r.problem, r.offset, r.end]), [
    [220, 'Service ready', false, undefined, 0, 19],
    [331, 'Please specify the password.', false, undefined, 19, 53],
    [230, '', false, undefined, 53, 58],
  ]);
});

test('multi-line reply: every line kept, inner lines may start with other codes or the same code and a dash', () => {
  const text = '220-Welcome\r\n   indented line\r\n230 looks like a reply but is text\r\n220-still going\r\n220x not the end either\r\n\r\n220 Ready.\r\n';
  const out = replies(parseAll([enc(text, '200 next\r\n')]));
  assert.equal(out.length, 2);
  const r = out[0]!;
  assert.equal(r.code, 220);
  assert.equal(r.multiline, true);
  assert.equal(r.problem, undefined);
  assert.equal(r.message, 'Welcome');
  assert.deepEqual(r.lines, ['220-Welcome', '   indented line', '230 looks like a reply but is text', '220-still going', '220x not the end either', '', '220 Ready.']);
  assert.equal(r.text, r.lines.join('\n'));
  assert.deepEqual([r.offset, r.end], [0, text.length]);
  assert.deepEqual([out[1]!.code, out[1]!.offset], [200, text.length]);
});

test('FEAT reply (RFC 2389): feature lines start with a space', () => {
  const out = replies(parseAll([enc('211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n UTF8\r\n211 End\r\n')]));
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]!.lines.slice(1, -1).map((l) => l.trim()), ['EPRT', 'EPSV', 'MDTM', 'UTF8']);
});

test('malformed replies as in Zeek\'s test captures are reported, not fatal, and parsing goes on', () => {
  const out = replies(parseAll([enc('220 py.fake ready\r\n99 PASV invalid\r\nSYST not supported\r\n230_no_space\r\n999 odd\r\n000 zero\r\n221 Bye\r\n')]));
  assert.deepEqual(out.map((r) => [r.code, r.problem, r.message]), [
    [220, undefined, 'py.fake ready'],
    [null, 'short-code', '99 PASV invalid'],
    [null, 'no-code', 'SYST not supported'],
    [230, 'no-separator', '_no_space'],
    [999, 'code-out-of-range', 'odd'],
    [0, 'code-out-of-range', 'zero'],
    [221, undefined, 'Bye'],
  ]);
});

test('RFC 2228 protected replies (6xx) are valid codes', () => {
  const out = replies(parseAll([enc('631 base64data\r\n633-first\r\n633 last\r\n')]));
  assert.deepEqual(out.map((r) => [r.code, r.problem, r.multiline]), [[631, undefined, false], [633, undefined, true]]);
});

test('multi-line reply cut by the stream end is flagged unterminated with the lines received', () => {
  const out = replies(parseAll([enc('230-Hello\r\nmore text\r\nlast without end')]));
  assert.deepEqual(out.map((r) => [r.code, r.problem, r.lines.length]), [[230, 'unterminated', 3]]);
});

const STREAM = enc(
  '220-FTP server ready\r\n 230 inside\r\n220 go\r\n331 pw ', [0xc3, 0xa9], '\r\n230-Welcome\r\n', '226-tricky\r\n', '230 ok\r\n',
  '227 Entering Passive Mode (192,0,2,21,195,80).\r\n150 Opening BINARY mode data connection for caf', [0xe9], ' (12 bytes).\n',
  '99 bad\r\n226 Transfer complete.\r\n',
);

test('every two-chunk split gives identical replies', () => {
  const whole = parseAll([STREAM]);
  assert.deepEqual(replies(whole).map((r) => r.code), [220, 331, 230, 227, 150, null, 226]);
  assert.equal(replies(whole)[1]!.message, 'pw é');
  assert.equal(replies(whole)[4]!.message, 'Opening BINARY mode data connection for caf\udce9 (12 bytes).');
  const strip = (events: FtpReplyEvent<number>[]) => events.map((e) => ({ ...e, meta: undefined, lastLineMeta: undefined }));
  for (let cut = 0; cut <= STREAM.length; cut++) {
    const split = parseAll([STREAM.subarray(0, cut), STREAM.subarray(cut)]);
    assert.deepEqual(strip(split), strip(whole), `cut at ${cut}`);
    for (const r of replies(split)) assert.equal(r.meta, r.offset < cut ? 0 : 1, `meta at cut ${cut}`);
  }
});

test('a multi-line reply records the meta of its first and of its last line', () => {
  const p = new FtpReplyParser<string>();
  const events = [...p.feed(enc('220-a\r\n'), 'first'), ...p.feed(enc('b\r\n'), 'mid'), ...p.feed(enc('220 c\r\n'), 'last')];
  assert.deepEqual(events.map((e) => [e.meta, (e as FtpReply<string>).lastLineMeta]), [['first', 'last']]);
});

test('gap between replies: loss reported, the broken reply dropped, the next whole reply parsed', () => {
  const p = new FtpReplyParser<number>();
  const events = [...p.feed(enc('200 ok\r\n150 Opening for fi'), 0), ...p.gap(30), ...p.feed(enc('le (5 bytes)\r\n226 Done\r\n'), 1), ...p.end()];
  assert.deepEqual(events.map((e) => (e.kind === 'reply' ? e.code : e.kind === 'loss' ? `loss ${e.missing}/${e.discarded}` : e.kind)), [200, 'loss 30/32', 226]);
});

test('gap inside a multi-line reply: a reply with another code closes the damaged one', () => {
  const p = new FtpReplyParser<number>();
  const events = [
    ...p.feed(enc('220-banner line 1\r\nbanner li'), 0), ...p.gap(100),
    ...p.feed(enc('ne 9\r\nbanner line 10\r\n230 Login successful.\r\n'), 1), ...p.end(),
  ];
  const shape = events.map((e) => (e.kind === 'reply' ? `${e.code} ${e.problem} ${e.lines.length}` : e.kind));
  assert.deepEqual(shape, ['loss', '220 gap 2', '230 undefined 1']);
  assert.deepEqual((events[1] as FtpReply<number>).lines, ['220-banner line 1', 'banner line 10']);
});

test('gap inside a multi-line reply whose terminator arrives: one reply, flagged gap', () => {
  const p = new FtpReplyParser<number>();
  const events = [...p.feed(enc('211-Features:\r\n EPSV\r\n'), 0), ...p.gap(7), ...p.feed(enc('UTF8\r\n MDTM\r\n211 End\r\n'), 1), ...p.end()];
  const r = replies(events);
  assert.equal(r.length, 1);
  assert.deepEqual([r[0]!.code, r[0]!.problem, r[0]!.lines], [211, 'gap', ['211-Features:', ' EPSV', ' MDTM', '211 End']]);
});

test('reply code table and meanings', () => {
  assert.equal(new Set(FTP_REPLY_CODES.map((c) => c.code)).size, FTP_REPLY_CODES.length);
  for (const def of FTP_REPLY_CODES) {
    assert.ok(def.code >= 100 && def.code <= 699);
    assert.match(def.rfc, /^RFC \d+$/);
  }
  assert.equal(lookupReplyCode(229)?.rfc, 'RFC 2428');
  assert.equal(lookupReplyCode(228)?.rfc, 'RFC 1639');
  assert.match(replyCodeMeaning(530), /not logged in/);
  assert.equal(replyCodeMeaning(259), 'positive completion, file system');
  assert.equal(replyCodeMeaning(439), 'transient negative completion, authentication and accounting');
  assert.equal(replyCodeMeaning(99), 'not an FTP reply code');
  assert.equal(replyCodeMeaning(712), 'not an FTP reply code');
});

test('after 234 the server speaks TLS: the records are one tls event, clear-text replies after them parse', () => {
  const tls = [22, 3, 3, 0, 6, 10, 255, 50, 51, 48, 13];
  const out = parseAll([enc('234 Proceed with negotiation.\r\n', tls, [23, 3, 3, 0, 2, 10, 10], '200 CCC ok\r\n')]);
  assert.deepEqual(out.map((e) => (e.kind === 'reply' ? e.code : `${e.kind} ${e.offset}-${e.end}`)), [234, 'tls 31-49', 200]);
  const cut = parseAll([enc('211-Features:\r\n AUTH TLS\r\n', tls)]);
  assert.deepEqual(cut.map((e) => (e.kind === 'reply' ? `${e.code} ${e.problem}` : e.kind)), ['211 gap', 'tls']);
});
