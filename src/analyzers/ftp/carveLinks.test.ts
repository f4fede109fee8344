/**
 * Carving what the linking found: the bytes written are the ones the analyzer measured, whichever
 * address the data connection used (NAT: the 227 names another address than the control
 * connection's server, e.g. a private 10.x or 0.0.0.0, and the client connects to either); listings
 * named as listings of their directory, not like a file of that name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CraftedCapture, bytesOf, rows, type Conn, type Row } from './craftedCapture.ts';
import { carveFiles } from '../../carve/carve.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const pasv = (port: number, host: string): string => `227 Entering Passive Mode (${host.replaceAll('.', ',')},${port >> 8},${port & 0xff}).\r\n`;

function login(cap: CraftedCapture): Conn {
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  return ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n').client('TYPE I\r\n').server('200 ok\r\n');
}

/** Carves every transfer of `cap` into a fresh directory; returns the files rows and each carved file's sha256 by path. */
async function carveAll(cap: CraftedCapture): Promise<{ files: Row[]; carved: Record<string, string>; names: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-carvelinks-'));
  try {
    return await cap.with((capture) => {
      const result = carveFiles(capture, undefined, join(dir, 'out'), 'carve to out');
      const carved: Record<string, string> = {};
      for (const f of result.files) carved[f.path] = f.carvedAs === '' ? `not carved: ${f.note}` : sha(readFileSync(join(dir, 'out', f.carvedAs)));
      return { files: rows(capture.catalog.table('files')), carved, names: result.files.map((f) => f.carvedAs) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('carve: NAT 227 announcing a private, a zero or another address; the data connection uses the announced or the real server address', async () => {
  const cap = new CraftedCapture();
  const ctl = login(cap);
  const cases = [
    // [announced address, address the client connects to, path, download?]
    ['10.0.0.5', SERVER, 'private-real.bin', true],
    ['0.0.0.0', SERVER, 'zero-real.bin', true],
    ['192.0.2.99', '192.0.2.99', 'followed.bin', true],
    ['192.0.2.99', '192.0.2.99', 'followed-up.bin', false],
    ['10.0.0.5', SERVER, 'private-up.bin', false],
  ] as const;
  cases.forEach(([announced, target, path, download], i) => {
    const port = 30000 + i;
    ctl.client('PASV\r\n').server(pasv(port, announced)).client(`${download ? 'RETR' : 'STOR'} ${path}\r\n`).server('150 go\r\n');
    const data = cap.conn({ ip: CLIENT, port: 50000 + i }, { ip: target, port }, 5000 + i * 10_000).open();
    if (download) data.server(bytesOf(700 + i, i)).serverFin(); else data.client(bytesOf(700 + i, i)).clientFin();
    ctl.server('226 done\r\n');
  });
  const { files, carved } = await carveAll(cap);
  cases.forEach(([, , path], i) => {
    const row = files.find((f) => f.path === path)!;
    assert.equal(row.verdict, 'complete', path);
    assert.ok(Number(row.dataFlow) > 0, `${path} linked`);
    assert.equal(carved[path], sha(bytesOf(700 + i, i)), `${path} carved with the bytes sent`);
  });
});

test('carve: LIST, NLST and MLSD are written as N-listing-<dir>.txt, not under the directory\'s name', async () => {
  const cap = new CraftedCapture();
  const ctl = login(cap);
  ctl.client('PWD\r\n').server('257 "/home/u" is the current directory\r\n');
  const listings = ['LIST -la pub', 'LIST', 'NLST /srv/data/', 'MLSD /', 'RETR pub'];
  listings.forEach((command, i) => {
    const port = 31000 + i;
    ctl.client('PASV\r\n').server(pasv(port, SERVER)).client(`${command}\r\n`).server('150 here\r\n');
    cap.conn({ ip: CLIENT, port: 51000 + i }, { ip: SERVER, port }, 7000 + i * 10_000).open().server(`entry ${i}\r\n`).serverFin();
    ctl.server('226 done\r\n');
  });
  const { files, names } = await carveAll(cap);
  const flow = (i: number): number => Number(files[i]!.dataFlow);
  assert.deepEqual(names, [
    `${flow(0)}-listing-pub.txt`, `${flow(1)}-listing-u.txt`, `${flow(2)}-listing-data.txt`, `${flow(3)}-listing.txt`,
    // a file that happens to be called like a directory is still a file
    `${flow(4)}-pub`,
  ]);
});
