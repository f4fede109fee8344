/**
 * The FTP analyzer on crafted captures: a 227 address behind NAT, a data connection opened after
 * the 150 reply, a size that contradicts the announcement, a transfer whose data connection is
 * not in the capture, and a reset data connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Value } from '../../store/value.ts';
import { CraftedCapture, bytesOf } from './craftedCapture.ts';
import { ftpStatBit } from './schema.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';

test('crafted: NAT 227 address, data connection after the 150, size mismatch, missing data connection, reset', async () => {
  const cap = new CraftedCapture();
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  ctl.client('TYPE I\r\n').server('200 binary\r\n');
  // 1: the server announces a private-looking address (NAT): the data connection goes to the control server address
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,99,39,16).\r\n');
  ctl.client('RETR a.bin\r\n').server('150 Opening BINARY mode data connection for a.bin (300 bytes).\r\n');
  cap.conn({ ip: CLIENT, port: 50001 }, { ip: SERVER, port: 10000 }, 5000).open().server(bytesOf(300)).serverFin();
  ctl.server('226 done\r\n');
  // 2: 150 announces 500 bytes, 400 arrive, 226: size-mismatch
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,21,39,17).\r\n');
  ctl.client('RETR b.bin\r\n').server('150 Opening BINARY mode data connection for b.bin (500 bytes).\r\n');
  cap.conn({ ip: CLIENT, port: 50002 }, { ip: SERVER, port: 10001 }, 9000).open().server(bytesOf(400)).serverFin();
  ctl.server('226 done\r\n');
  // 3: a transfer whose data connection is not in the capture
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,21,39,18).\r\n');
  ctl.client('RETR c.bin\r\n').server('150 Opening BINARY mode data connection for c.bin (10 bytes).\r\n').server('226 done\r\n');
  // 4: active mode, the server resets the data connection: aborted
  ctl.client('PORT 192,0,2,10,195,81\r\n').server('200 PORT ok\r\n');
  ctl.client('RETR d.bin\r\n').server('150 Opening BINARY mode data connection for d.bin (1000 bytes).\r\n');
  cap.conn({ ip: CLIENT, port: 50001 }, { ip: SERVER, port: 20 }, 13000, false).open().server(bytesOf(200)).serverRst();
  ctl.server('426 Failure writing network stream.\r\n');
  ctl.client('QUIT\r\n').server('221 bye\r\n').serverFin();

  const { files, ftp, flows } = await cap.load();
  assert.deepEqual(files.map((f) => [f.path, f.verdict, f.bytes, f.complete]), [
    ['a.bin', 'complete', 300, true],
    ['b.bin', 'size-mismatch', 400, false],
    ['c.bin', 'no-data-connection', 0, false],
    ['d.bin', 'aborted', 200, false],
  ]);
  const flowOf = (port: number): number => Number(flows.find((r) => r.srcPort === port || r.dstPort === port)!.flowInd);
  assert.equal(files[0]!.dataFlow, flowOf(10000));
  assert.equal(files[1]!.dataFlow, flowOf(10001));
  assert.equal(files[2]!.dataFlow, 0);
  assert.equal(files[3]!.dataFlow, flowOf(20));
  assert.equal(files[3]!.mode, 'PORT');
  assert.equal(ftp.find((r) => r.arg === 'd.bin')!.replyCode, 426);
  const controlStat = Number(flows.find((r) => r.dstPort === 21)!.ftpStat);
  for (const name of ['FTP_INIT', 'FTP_NAT_SERVER', 'FTP_NDFLW', 'FTP_XFER_INCOMPLETE', 'FTP_PASSIVE', 'FTP_ACTIVE', 'FTP_LOGIN_OK']) {
    assert.ok(controlStat & ftpStatBit(name), name);
  }
  // the first data connection opened after its 150 reply: no FTP_DATA_FIRST; b.bin carried fewer bytes than announced: no FTP_PPWF
  const statOf = (flowInd: number): number => Number(flows.find((r) => r.flowInd === flowInd)!.ftpStat);
  assert.equal(statOf(Number(files[0]!.dataFlow)) & ftpStatBit('FTP_DATA_FIRST'), 0);
  assert.ok(statOf(Number(files[1]!.dataFlow)) & ftpStatBit('FTP_XFER_INCOMPLETE'));
  assert.equal(statOf(Number(files[1]!.dataFlow)) & ftpStatBit('FTP_PPWF'), 0);
});

test('crafted: two sessions at once announcing the same passive port are linked to their own connections', async () => {
  const cap = new CraftedCapture();
  const one = cap.conn({ ip: CLIENT, port: 40010 }, { ip: SERVER, port: 21 }, 100).open();
  const two = cap.conn({ ip: CLIENT, port: 40011 }, { ip: SERVER, port: 21 }, 200).open();
  one.server('220 a\r\n'); two.server('220 b\r\n');
  one.client('PASV\r\n'); two.client('PASV\r\n');
  one.server('227 Entering Passive Mode (192,0,2,21,39,20).\r\n');
  two.server('227 Entering Passive Mode (192,0,2,21,39,20).\r\n');
  one.client('RETR one\r\n'); two.client('RETR two\r\n');
  // the data connection of session one starts first, session two's after it (same server port, other client ports)
  cap.conn({ ip: CLIENT, port: 50010 }, { ip: SERVER, port: 10004 }, 3000).open().server(bytesOf(11)).serverFin();
  cap.conn({ ip: CLIENT, port: 50011 }, { ip: SERVER, port: 10004 }, 4000).open().server(bytesOf(22)).serverFin();
  one.server('150 go\r\n').server('226 done\r\n');
  two.server('150 go\r\n').server('226 done\r\n');
  const { files, flows } = await cap.load();
  const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
  const clientPortOf = (flowInd: Value): Value => flows.find((r) => r.flowInd === flowInd && r.dstPort === 10004)!.srcPort;
  assert.equal(clientPortOf(byPath.one!.dataFlow!), 50010);
  assert.equal(clientPortOf(byPath.two!.dataFlow!), 50011);
  assert.equal(byPath.one!.bytes, 11);
  assert.equal(byPath.two!.bytes, 22);
  assert.notEqual(byPath.one!.controlFlow, byPath.two!.controlFlow);
});
