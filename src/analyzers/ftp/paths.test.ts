/**
 * Names and paths of transfers on crafted captures: the name a server gives a STOU upload (B7), paths
 * resolved against the working directory (B8: 257 quoting, CWD/CDUP and their X forms, `..`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CraftedCapture, bytesOf, type Conn } from './craftedCapture.ts';
import { parseUniqueName } from './endpoints.ts';
import { resolveFtpPath } from './analyzer.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function login(cap: CraftedCapture): Conn {
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  return ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
}

let nextPort = 30000;
/** PASV, the command, its data connection carrying `bytes` (from the client for uploads), then `replies`. */
function transfer(cap: CraftedCapture, ctl: Conn, command: string, bytes: Uint8Array, upload: boolean, prelim: string, final: string): void {
  const port = nextPort++;
  ctl.client('PASV\r\n').server(`227 Entering Passive Mode (192,0,2,21,${port >> 8},${port & 0xff}).\r\n`).client(`${command}\r\n`).server(prelim);
  const data = cap.conn({ ip: CLIENT, port: port + 20000 }, { ip: SERVER, port }, port).open();
  if (upload) data.client(bytes).clientFin(); else data.server(bytes).serverFin();
  ctl.server(final);
}

test('STOU: the path is the name the server gave in 150 FILE:, in the final reply, or after "for"', async () => {
  const cap = new CraftedCapture();
  const ctl = login(cap);
  ctl.client('CWD /incoming\r\n').server('250 ok\r\n');
  transfer(cap, ctl, 'STOU', bytesOf(500, 1), true, '150 FILE: upload.1\r\n', '226 Transfer complete.\r\n');
  transfer(cap, ctl, 'STOU', bytesOf(600, 2), true, '150 Opening BINARY mode data connection.\r\n', '226 Transfer complete (unique file name:/incoming/wu.2).\r\n');
  transfer(cap, ctl, 'STOU', bytesOf(700, 3), true, '150 Ok to send data.\r\n', '226-FILE: pure.3\r\n226 File successfully transferred\r\n');
  transfer(cap, ctl, 'STOU', bytesOf(800, 4), true, '150 Opening BINARY mode data connection for "named 4".\r\n', '226 done\r\n');
  transfer(cap, ctl, 'STOU', bytesOf(900, 5), true, '150 Ok to send data.\r\n', '226 done\r\n');
  const { files, flows } = await cap.load();
  assert.deepEqual(files.map((f) => [f.command, f.path, f.resolvedPath, f.direction, f.verdict, f.sha256]), [
    ['STOU', 'upload.1', '/incoming/upload.1', 'upload', 'complete', sha(bytesOf(500, 1))],
    ['STOU', '/incoming/wu.2', '/incoming/wu.2', 'upload', 'complete', sha(bytesOf(600, 2))],
    ['STOU', 'pure.3', '/incoming/pure.3', 'upload', 'complete', sha(bytesOf(700, 3))],
    ['STOU', 'named 4', '/incoming/named 4', 'upload', 'complete', sha(bytesOf(800, 4))],
    // a server that names nothing: nothing is invented
    ['STOU', '', '', 'upload', 'complete', sha(bytesOf(900, 5))],
  ]);
  // the data flow's ftpCP carries the server's name too
  const data = flows.find((f) => f.flowInd === files[0]!.dataFlow)!;
  assert.deepEqual(data.ftpCP, ['upload.1']);
});

test('parseUniqueName: the forms servers use', () => {
  assert.equal(parseUniqueName(['150 FILE: a.txt']), 'a.txt');
  assert.equal(parseUniqueName(['150 FILE: "with space.txt"']), 'with space.txt');
  assert.equal(parseUniqueName(['150 Opening', '226 Transfer complete (unique file name:x.1).']), 'x.1');
  assert.equal(parseUniqueName(['226-FILE: p.3', '226 File successfully transferred']), 'p.3');
  assert.equal(parseUniqueName(['150 Opening BINARY mode data connection for b.bin (10 bytes).']), 'b.bin');
  assert.equal(parseUniqueName(['150 Ok to send data.', '226 Transfer complete.']), undefined);
});

test('resolvedPath follows the working directory: PWD/257 with "" escapes, CWD, XCWD, CDUP, XCUP, MKD, failed CWD, ..', async () => {
  const cap = new CraftedCapture();
  const ctl = login(cap);
  const retr = (arg: string, n: number): void => transfer(cap, ctl, `RETR ${arg}`, bytesOf(n, n), false, '150 go\r\n', '226 done\r\n');
  // before any directory is known, paths stay relative, but folded
  ctl.client('CWD pub\r\n').server('250 ok\r\n');
  retr('a/../one.bin', 101);
  ctl.client('CDUP\r\n').server('200 ok\r\n').client('CDUP\r\n').server('250 ok\r\n');
  retr('two.bin', 102);
  ctl.client('PWD\r\n').server('257 "/home/u ""q"" dir" is the current directory\r\n');
  retr('three.bin', 103);
  // MKD's 257 names the new directory but does not enter it; a refused CWD changes nothing
  ctl.client('MKD new\r\n').server('257 "/home/u ""q"" dir/new" created\r\n').client('CWD nowhere\r\n').server('550 no such directory\r\n');
  retr('four.bin', 104);
  ctl.client('XCWD /srv//ftp/./x/\r\n').server('250 ok\r\n').client('CWD ../y\r\n').server('250 ok\r\n');
  retr('../../../../etc/five.bin', 105);
  ctl.client('XCUP\r\n').server('200 ok\r\n');
  retr('/abs/./six.bin', 106);
  // a server answering PWD without quotes
  ctl.client('PWD\r\n').server('257 /srv/unquoted\r\n');
  retr('seven.bin', 107);
  ctl.client('LIST\r\n').server('150 list\r\n');
  cap.conn({ ip: CLIENT, port: 61000 }, { ip: SERVER, port: nextPort - 1 }, 61000).open().server('x\r\n').serverFin();
  ctl.server('226 done\r\n');
  const { files } = await cap.load();
  assert.deepEqual(files.map((f) => [f.path, f.resolvedPath]), [
    ['a/../one.bin', 'pub/one.bin'],
    ['two.bin', '../two.bin'],
    ['three.bin', '/home/u "q" dir/three.bin'],
    ['four.bin', '/home/u "q" dir/four.bin'],
    ['../../../../etc/five.bin', '/etc/five.bin'],
    ['/abs/./six.bin', '/abs/six.bin'],
    ['seven.bin', '/srv/unquoted/seven.bin'],
    ['', '/srv/unquoted'],
  ]);
});

test('resolveFtpPath folds relative paths too, keeping the climb above an unknown start', () => {
  assert.equal(resolveFtpPath(undefined, 'a/../b/./c'), 'b/c');
  assert.equal(resolveFtpPath('a', '../../x'), '../x');
  assert.equal(resolveFtpPath('..', '../y'), '../../y');
  assert.equal(resolveFtpPath('/a', '../../../z'), '/z');
  assert.equal(resolveFtpPath('', ''), '');
});
