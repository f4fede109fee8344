import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAttempts, pairReplies, type ExchangeItem } from './login.ts';
import { FtpCommandParser } from './commands.ts';
import { FtpReplyParser } from './replies.ts';

/** A script of `> COMMAND arg` and `< code text` lines, in time order. */
function script(...lines: string[]): ExchangeItem[] {
  return lines.map((line) => {
    if (line.startsWith('> ')) {
      const [verb, ...rest] = line.slice(2).split(' ');
      return { kind: 'command', verb: verb!, arg: rest.join(' ') };
    }
    const code = line.slice(2, 5);
    return { kind: 'reply', code: /^\d{3}$/.test(code) ? Number(code) : null };
  });
}

const summary = (items: ExchangeItem[]) => loginAttempts(items).map((a) => `${a.user ?? '?'}/${a.password ?? '-'} ${a.outcome}${a.code ? ' ' + a.code : ''}`);

test('pairing: greeting unsolicited, 1xx preliminary, pipelined commands answered in order', () => {
  const items = script('< 220 hi', '> USER a', '> PASS b', '> RETR f', '< 331 pw', '< 230 ok', '< 150 opening', '< 226 done', '< 221 extra');
  const { exchanges, unsolicited } = pairReplies(items);
  assert.deepEqual(exchanges.map((e) => [e.command, e.preliminary, e.final]), [[1, [], 4], [2, [], 5], [3, [6], 7]]);
  assert.deepEqual(unsolicited, [0, 8]);
});

test('pairing: ABOR during a transfer: 426 ends the transfer, 226 answers ABOR', () => {
  const items = script('> RETR big', '< 150 opening', '> ABOR', '< 426 aborted', '< 226 abort ok');
  const { exchanges } = pairReplies(items);
  assert.deepEqual(exchanges.map((e) => [e.command, e.preliminary, e.final]), [[0, [1], 3], [2, [], 4]]);
});

test('pairing: a malformed reply answers the command it stands for; losses are skipped', () => {
  const items: ExchangeItem[] = [...script('> PASV', '< 99 PASV invalid'), { kind: 'loss' }, ...script('> QUIT', '< 221 bye')];
  assert.deepEqual(pairReplies(items).exchanges.map((e) => e.final), [1, 4]);
});

test('login: password accepted, rejected, 230 right after USER, unknown', () => {
  assert.deepEqual(summary(script('< 220 hi', '> USER alice', '< 331 pw', '> PASS secret', '< 230 in')), ['alice/secret succeeded 230']);
  assert.deepEqual(summary(script('> USER alice', '< 331 pw', '> PASS wrong', '< 530 Login incorrect.')), ['alice/wrong failed 530']);
  assert.deepEqual(summary(script('> USER ftp', '< 230 no password needed')), ['ftp/- succeeded 230']);
  assert.deepEqual(summary(script('> USER root', '< 530 not allowed')), ['root/- failed 530']);
  assert.deepEqual(summary(script('> USER bob', '< 331 pw', '> PASS x', '< 421 too many users')), ['bob/x failed 421']);
  assert.deepEqual(summary(script('> USER bob', '< 331 pw', '> PASS x')), ['bob/x unknown']);
  assert.deepEqual(summary(script('> AUTH TLS', '< 234 go', '> USER bob')), ['bob/- unknown']);
});

test('login: ACCT after 332; 202 and RFC 2228 232 count as success; 6xx protected replies decide nothing', () => {
  assert.deepEqual(summary(script('> USER u', '< 331 pw', '> PASS p', '< 332 need account', '> ACCT acc', '< 230 ok')), ['u/p succeeded 230']);
  const attempt = loginAttempts(script('> USER u', '< 331 pw', '> PASS p', '< 332 need account', '> ACCT acc', '< 530 no'))[0]!;
  assert.deepEqual([attempt.account, attempt.outcome, attempt.decidedBy], ['acc', 'failed', 5]);
  assert.deepEqual(summary(script('> USER u', '< 331 pw', '> PASS p', '< 202 superfluous')), ['u/p succeeded 202']);
  assert.deepEqual(summary(script('> AUTH GSSAPI', '< 334 adat', '> ADAT x', '< 235 ok', '> USER u', '< 232 authorized')), ['u/- succeeded 232']);
  assert.deepEqual(summary(script('> USER u', '< 331 pw', '> ENC xyz', '< 632 protected')), ['u/- unknown']);
});

test('login: repeated attempts (password guessing) and a PASS without USER', () => {
  const items = script(
    '< 220 hi',
    '> USER admin', '< 331 pw', '> PASS 123456', '< 530 no',
    '> USER admin', '< 331 pw', '> PASS password', '< 530 no',
    '> PASS again', '< 503 login with USER first',
    '> USER admin', '< 331 pw', '> PASS letmein', '< 230 welcome',
  );
  assert.deepEqual(summary(items), ['admin/123456 failed 530', 'admin/password failed 530', '?/again failed 503', 'admin/letmein succeeded 230']);
  const attempts = loginAttempts(items);
  assert.deepEqual(attempts.map((a) => [a.start, a.decidedBy]), [[1, 4], [5, 8], [9, 10], [11, 14]]);
});

test('login: pipelined USER and PASS before any reply', () => {
  assert.deepEqual(summary(script('> USER a', '> PASS b', '< 220 late greeting?', '< 331 pw', '< 230 ok')), ['a/b succeeded 230']);
});

test('login from parsed streams: full, untruncated credentials', () => {
  const commands = new FtpCommandParser().feed(new TextEncoder().encode('USER a-very-long-user-name\r\nPASS Secr3tPassw0rdThatIsLong\r\nQUIT\r\n'));
  const replies = new FtpReplyParser().feed(new TextEncoder().encode('331-Password\r\n please\r\n331 required\r\n230 Login successful.\r\n221 Bye\r\n'));
  const merged: ExchangeItem[] = [commands[0]!, replies[0]!, commands[1]!, replies[1]!, commands[2]!, replies[2]!];
  const [attempt] = loginAttempts(merged);
  assert.deepEqual([attempt!.user, attempt!.password, attempt!.outcome], ['a-very-long-user-name', 'Secr3tPassw0rdThatIsLong', 'succeeded']);
});

test('pairing: 120 then 220 greeting; 220 answering REIN is not a greeting', () => {
  const items = script('< 120 wait', '> USER a', '< 220 ready', '< 331 pw', '> REIN', '< 220 again');
  const { exchanges, unsolicited } = pairReplies(items);
  assert.deepEqual(unsolicited, [0, 2]);
  assert.deepEqual(exchanges.map((e) => e.final), [3, 5]);
  const mid = pairReplies(script('> NOOP', '< 200 ok', '> QUIT', '< 221 bye'));
  assert.deepEqual([mid.exchanges.map((e) => e.final), mid.unsolicited], [[1, 3], []]);
});

test('login: a PASS after USER was already answered belongs to that attempt without changing its outcome', () => {
  assert.deepEqual(summary(script('> USER zeek', '< 230 USER OK', '> PASS zeek', '< 230 PASS OK')), ['zeek/zeek succeeded 230']);
  assert.deepEqual(summary(script('> USER root', '< 530 no root', '> PASS toor', '< 503 USER first')), ['root/toor failed 530']);
  assert.deepEqual(summary(script('> USER a', '< 331 pw', '> PASS x', '< 530 no', '> PASS y', '< 503 USER first')), ['a/x failed 530', '?/y failed 503']);
});
