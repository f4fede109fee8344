/**
 * FTPS (RFC 4217) on crafted captures. After AUTH TLS answered 234 the data connections are TLS
 * only after PROT P: clear data (PROT C, or no PROT) is carved like any other (B4). A TLS data
 * connection's direction comes from its command when the control channel shows it (after CCC),
 * and is `unknown` when the command was sent inside TLS, instead of a guess from byte counts (B9).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CraftedCapture, bytesOf, flowWith, type Conn } from './craftedCapture.ts';
import { ftpStatBit } from './schema.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A TLS record: type (22 handshake, 23 application data), version 3.3, length, body. */
function record(type: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([type, 3, 3, body.length >> 8, body.length & 0xff, ...body]);
}

/** The control connection up to AUTH TLS answered 234 and a TLS handshake on it. */
function authTls(cap: CraftedCapture): Conn {
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n').client('AUTH TLS\r\n').server('234 Proceed with negotiation.\r\n');
  return ctl.client(record(22, bytesOf(200, 1))).server(record(22, bytesOf(900, 2))).client(record(23, bytesOf(60, 3)));
}

/** A passive data connection from the client to `port`; the server sends `bytes`. */
function download(cap: CraftedCapture, clientPort: number, port: number, bytes: Uint8Array, tls: boolean): void {
  const data = cap.conn({ ip: CLIENT, port: clientPort }, { ip: SERVER, port }, clientPort).open();
  if (tls) data.client(record(22, bytesOf(180, 4))).server(record(22, bytesOf(700, 5))).client(record(23, bytesOf(30, 6)));
  data.server(tls ? record(23, bytes) : bytes).serverFin();
}

test('FTPS: clear data connections after AUTH TLS (PROT C) are carved; TLS ones are encrypted with direction unknown', async () => {
  const cap = new CraftedCapture();
  const ctl = authTls(cap);
  // commands inside TLS: PBSZ 0, PROT C, PASV, RETR ... (unreadable); the server's replies too
  ctl.client(record(23, bytesOf(40, 7))).server(record(23, bytesOf(80, 8)));
  download(cap, 50001, 30001, bytesOf(1500, 9), false);
  ctl.client(record(23, bytesOf(40, 10))).server(record(23, bytesOf(80, 11)));
  download(cap, 50002, 30002, bytesOf(2500, 12), true);
  ctl.server(record(23, bytesOf(50, 13))).serverFin();
  const { files, flows } = await cap.load();
  assert.deepEqual(files.map((f) => [f.dataFlow, f.linkedBy, f.verdict, f.direction, f.senderDir !== '']), [
    [flowWith(flows, 50001), 'after-tls', 'complete', 'download', true],
    [flowWith(flows, 50002), 'after-tls', 'encrypted', 'unknown', false],
  ]);
  assert.equal(files[0]!.sha256, sha(bytesOf(1500, 9)), 'the clear data are the file');
  assert.equal(files[0]!.complete, true);
});

test('FTPS with CCC: the clear control channel gives the TLS transfer its direction; a clear transfer is carved', async () => {
  const cap = new CraftedCapture();
  const ctl = authTls(cap);
  // PBSZ, PROT P and CCC inside TLS, then the control connection is clear again
  ctl.client(record(23, bytesOf(40, 14))).server(record(23, bytesOf(40, 15)));
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,21,117,51).\r\n').client('STOR up.bin\r\n').server('150 go\r\n');
  const up = cap.conn({ ip: CLIENT, port: 50003 }, { ip: SERVER, port: 30003 }, 50003).open();
  up.client(record(22, bytesOf(180, 16))).server(record(22, bytesOf(700, 17))).client(record(23, bytesOf(3000, 18))).clientFin();
  ctl.server('226 done\r\n');
  // PROT C sent in clear: the next data connection is clear
  ctl.client('PROT C\r\n').server('200 PROT now Clear.\r\n');
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,21,117,52).\r\n').client('RETR clear.bin\r\n').server('150 go\r\n');
  download(cap, 50004, 30004, bytesOf(800, 19), false);
  ctl.server('226 done\r\n');
  const { files, flows } = await cap.load();
  assert.deepEqual(files.map((f) => [f.command, f.dataFlow, f.linkedBy, f.verdict, f.direction]), [
    ['STOR', flowWith(flows, 50003), 'endpoint', 'encrypted', 'upload'],
    ['RETR', flowWith(flows, 50004), 'endpoint', 'complete', 'download'],
  ]);
  assert.equal(files[1]!.sha256, sha(bytesOf(800, 19)));
});

/** AUTH GSSAPI (RFC 2228, as GridFTP does it): ADAT rounds, then commands in ENC whose PASV replies are unreadable. */
function gssapi(cap: CraftedCapture, last: string): Conn {
  const ctl = cap.conn({ ip: CLIENT, port: 40002 }, { ip: SERVER, port: 2811 }, 1000).open();
  ctl.server('220 GridFTP Server ready.\r\n').client('AUTH GSSAPI\r\n').server('334 Using authentication type; ADAT must follow.\r\n');
  ctl.client('ADAT FgMBAGsBAABn\r\n').server('335 ADAT=FgMBBv8LAAb7\r\n').client('ADAT FwMBACAaXmW+\r\n').server(last);
  return ctl.client('ENC FwMBADDdzzrs\r\n').server('632 FwMBAFDq9rd7\r\n');
}

test('GSSAPI: after ADAT 235 the data connection between the hosts is listed as encrypted (GridFTP), not left unlinked', async () => {
  const cap = new CraftedCapture();
  const ctl = gssapi(cap, '235 ADAT=FwMBATBTxCmP\r\n');
  const data = cap.conn({ ip: CLIENT, port: 50010 }, { ip: SERVER, port: 55968 }, 9000).open();
  data.client(record(22, bytesOf(180, 4))).server(record(22, bytesOf(700, 5))).server(record(23, bytesOf(300, 6))).serverFin();
  ctl.client('ENC FwMBACBIaoGS\r\n').server('632 FwMBAEA5Q2y6\r\n').clientFin();
  const { files, flows } = await cap.load();
  assert.deepEqual(files.map((f) => [f.dataFlow, f.command, f.linkedBy, f.direction, f.verdict]), [[flowWith(flows, 55968), '', 'after-tls', 'unknown', 'encrypted']]);
  assert.ok(Number(flows.find((f) => f.dstPort === 2811)!.ftpStat) & ftpStatBit('FTP_TLS'), 'FTP_TLS on the control connection');
});

test('GSSAPI: a security exchange that failed (ADAT 535) protects nothing: no connection is linked by hosts alone', async () => {
  const cap = new CraftedCapture();
  const ctl = gssapi(cap, '535 Failed security check.\r\n');
  cap.conn({ ip: CLIENT, port: 50011 }, { ip: SERVER, port: 55969 }, 9000).open().server(bytesOf(100)).serverFin();
  ctl.clientFin();
  const { files, flows } = await cap.load();
  assert.deepEqual(files, []);
  assert.equal(Number(flows.find((f) => f.dstPort === 2811)!.ftpStat) & ftpStatBit('FTP_TLS'), 0);
});
