/**
 * A client killed mid-transfer (issue 4 B1). Its kernel closes both sockets at once: the data
 * connection ends with the bytes sent so far and a FIN (or a RST when unread data was queued), the
 * control connection with a FIN, and the server's final reply (226 for an upload it believes
 * finished, 426 for a download it could not finish, or none) meets a closed socket. For an upload
 * the data FIN looks like a normal end of file, so the control connection's close before the final
 * reply is what tells: aborted, never complete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CraftedCapture, bytesOf, type Conn } from './craftedCapture.ts';
import { ftpStatBit } from './schema.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';

function loggedIn(cap: CraftedCapture, port: number): Conn {
  const ctl = cap.conn({ ip: CLIENT, port }, { ip: SERVER, port: 21 }, port * 10).open();
  return ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n')
    .client('TYPE I\r\n').server('200 binary\r\n');
}

/** PASV and the transfer command; returns the data connection (port 10000 + i) opened by the client. */
function transfer(cap: CraftedCapture, ctl: Conn, i: number, command: string): Conn {
  const port = 10000 + i;
  ctl.client('PASV\r\n').server(`227 Entering Passive Mode (192,0,2,21,${port >> 8},${port & 0xff}).\r\n`).client(`${command}\r\n`);
  const data = cap.conn({ ip: CLIENT, port: 50000 + i }, { ip: SERVER, port }, 7000 + i * 10_000).open();
  ctl.server(`150 Ok to send data.\r\n`);
  return data;
}

test('aborted: an upload whose client is killed mid-way (data FIN, control FIN, then a 226 answered by RST)', async () => {
  const cap = new CraftedCapture();
  const ctl = loggedIn(cap, 40001);
  const data = transfer(cap, ctl, 0, 'STOR big.bin');
  data.client(bytesOf(1448)).client(bytesOf(1448, 1)).ack(false);
  // the kill: the kernel closes the data socket (FIN after the queued bytes), then the control socket
  data.emit(true, 0x11, new Uint8Array(0));
  ctl.emit(true, 0x11, new Uint8Array(0));
  data.emit(false, 0x11, new Uint8Array(0));
  ctl.server('226 Transfer complete.\r\n').clientRst();
  const { files, flows } = await cap.load();
  assert.deepEqual(files.map((f) => [f.command, f.direction, f.verdict, f.complete, f.bytes]), [['STOR', 'upload', 'aborted', false, 2896]]);
  const control = flows.find((f) => f.dstPort === 21)!;
  assert.ok(Number(control.ftpStat) & ftpStatBit('FTP_XFER_INCOMPLETE'));
});

test('aborted: an upload killed before any final reply, the control connection closed by the client', async () => {
  const cap = new CraftedCapture();
  const ctl = loggedIn(cap, 40002);
  const data = transfer(cap, ctl, 0, 'STOR part.bin');
  data.client(bytesOf(1000)).clientFin();
  ctl.clientFin();
  const { files } = await cap.load();
  assert.deepEqual(files.map((f) => [f.verdict, f.complete]), [['aborted', false]]);
});

test('aborted: a download killed mid-way, the client\'s data FIN before the server\'s, no final reply, control closed', async () => {
  const cap = new CraftedCapture();
  const ctl = loggedIn(cap, 40003);
  ctl.client('SIZE big.bin\r\n').server('213 100000\r\n');
  const data = transfer(cap, ctl, 0, 'RETR big.bin');
  data.server(bytesOf(1448)).ack(true);
  data.emit(true, 0x11, new Uint8Array(0));
  ctl.emit(true, 0x11, new Uint8Array(0));
  // the server stops sending and closes: the download is short, but not a size-mismatch, it was cut short
  data.emit(false, 0x11, new Uint8Array(0));
  const { files } = await cap.load();
  assert.deepEqual(files.map((f) => [f.verdict, f.complete, f.announcedSize]), [['aborted', false, 100000]]);
});

test('aborted: a download killed mid-way (data RST, 426 from the server)', async () => {
  const cap = new CraftedCapture();
  const ctl = loggedIn(cap, 40004);
  const data = transfer(cap, ctl, 0, 'RETR big.bin');
  data.server(bytesOf(1448)).clientRst();
  ctl.emit(true, 0x11, new Uint8Array(0));
  ctl.server('426 Failure writing network stream.\r\n').clientRst();
  const { files } = await cap.load();
  assert.deepEqual(files.map((f) => [f.verdict, f.complete]), [['aborted', false]]);
});

test('not aborted: the session ends normally (226 then QUIT), or a proven-whole download whose client hangs up before the 226', async () => {
  const cap = new CraftedCapture();
  const ctl = loggedIn(cap, 40005);
  transfer(cap, ctl, 0, 'STOR ok.bin').client(bytesOf(700)).clientFin();
  ctl.server('226 Transfer complete.\r\n');
  // every announced byte and the server's FIN are in: the file is whole whatever the client did next
  ctl.client('SIZE whole.bin\r\n').server('213 900\r\n');
  transfer(cap, ctl, 1, 'RETR whole.bin').server(bytesOf(900)).serverFin();
  ctl.clientFin();
  const { files } = await cap.load();
  assert.deepEqual(files.map((f) => [f.path, f.verdict, f.complete]), [['ok.bin', 'complete', true], ['whole.bin', 'complete', true]]);
});

test('not aborted: QUIT sent after the transfer, its final reply lost from the capture', async () => {
  const cap = new CraftedCapture();
  const ctl = loggedIn(cap, 40006);
  transfer(cap, ctl, 0, 'STOR q.bin').client(bytesOf(500)).clientFin();
  ctl.lose(false, '226 Transfer complete.\r\n'.length).client('QUIT\r\n').server('221 bye\r\n').clientFin();
  const { files } = await cap.load();
  assert.notEqual(files[0]!.verdict, 'aborted');
});

test('not aborted by the hang-up: a connection to an announced endpoint that no command used', async () => {
  const cap = new CraftedCapture();
  const ctl = loggedIn(cap, 40007);
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,21,39,16).\r\n');
  cap.conn({ ip: CLIENT, port: 50001 }, { ip: SERVER, port: 10000 }, 5000).open().server(bytesOf(300)).serverFin();
  ctl.clientFin();
  const { files } = await cap.load();
  assert.deepEqual(files.map((f) => [f.command, f.verdict]), [['', 'complete']]);
});
