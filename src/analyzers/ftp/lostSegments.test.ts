/**
 * Control segments missing from the capture (as in Zeek's cwd-navigation.pcap: a PASV and the 200
 * before the 227 lost): the next segment that starts like a command or reply is read as one instead
 * of being skipped to the next line end, a lost command still takes its reply, and a 227 answering a
 * lost command still announces the endpoint. Before, the RETR after the loss was dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CraftedCapture, bytesOf, flowWith } from './craftedCapture.ts';
import { ftpStatBit } from './schema.ts';

test('lost control segments: the RETR after a lost PASV is decoded, paired and linked', async () => {
  const cap = new CraftedCapture();
  const ctl = cap.conn({ ip: '192.0.2.10', port: 40001 }, { ip: '192.0.2.21', port: 21 }, 1000).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  ctl.client('TYPE I\r\n').lose(false, '200 Switching to Binary mode.\r\n'.length);
  ctl.lose(true, 'PASV\r\n'.length).server('227 Entering Passive Mode (192,0,2,21,39,16).\r\n');
  ctl.client('RETR after-loss.bin\r\n');
  const data = cap.conn({ ip: '192.0.2.10', port: 50001 }, { ip: '192.0.2.21', port: 10000 }, 5000).open();
  ctl.server('150 Opening BINARY mode data connection for after-loss.bin (640 bytes).\r\n');
  data.server(bytesOf(640)).serverFin();
  ctl.server('226 done\r\n').client('QUIT\r\n').server('221 bye\r\n').serverFin();
  const { ftp, files, flows } = await cap.load();
  assert.deepEqual(ftp.map((r) => [r.command, r.replyCode ?? null]), [['USER', 331], ['PASS', 230], ['TYPE', null], ['RETR', 226], ['QUIT', 221]]);
  assert.equal(files.length, 1);
  assert.deepEqual([files[0]!.path, files[0]!.dataFlow, files[0]!.mode, files[0]!.verdict], ['after-loss.bin', flowWith(flows, 10000), 'PASV', 'complete']);
  assert.ok(Number(flows.find((f) => f.dstPort === 21)!.ftpStat) & ftpStatBit('FTP_CTRL_GAP'));
});

/**
 * B10: a 227/229 reply lost from the capture. Before, the RETR after it kept the previous
 * transfer's (stale) endpoint: no connection matched it (no-data-connection), or a later
 * connection to that old port was taken. Now the endpoint is unknown and the connection is found
 * by timing between the two hosts, which linkedBy says.
 */
test('lost 227/229 reply: the next transfer is linked by timing, not to the previous endpoint', async () => {
  const cap = new CraftedCapture();
  const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  const transfer = (name: string, dataPort: number, clientPort: number, n: number): void => {
    ctl.client(`RETR ${name}\r\n`);
    cap.conn({ ip: CLIENT, port: clientPort }, { ip: SERVER, port: dataPort }, clientPort).open().server(bytesOf(n, n)).serverFin();
    ctl.server('150 go\r\n').server('226 done\r\n');
  };
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,21,117,49).\r\n');
  transfer('announced.bin', 30001, 50001, 100);
  // the 227 for port 30002 is lost
  ctl.client('PASV\r\n').lose(false, '227 Entering Passive Mode (192,0,2,21,117,50).\r\n'.length);
  transfer('lost-227.bin', 30002, 50002, 200);
  // a lost 229, and the server happens to offer the previous port again: still linked by timing, not by the stale endpoint
  ctl.client('EPSV\r\n').lose(false, '229 Entering Extended Passive Mode (|||30002|)\r\n'.length);
  transfer('lost-229.bin', 30002, 50003, 300);
  // PASV and 227 both lost: the endpoint in force was announced for an earlier transfer
  ctl.lose(true, 'PASV\r\n'.length).lose(false, '227 Entering Passive Mode (192,0,2,21,117,52).\r\n'.length);
  transfer('lost-both.bin', 30004, 50004, 400);
  // a lost 227 and no data connection in the capture: nothing else is taken
  ctl.client('PASV\r\n').lose(false, '227 Entering Passive Mode (192,0,2,21,117,53).\r\n'.length);
  ctl.client('RETR nothing.bin\r\n').server('150 go\r\n').server('226 done\r\n');
  ctl.client('QUIT\r\n').server('221 bye\r\n').serverFin();
  const { files, flows, ftp } = await cap.load();
  const dataFlowOf = (clientPort: number): number => flowWith(flows, clientPort);
  assert.deepEqual(files.map((f) => [f.path, f.dataFlow, f.linkedBy, f.mode, f.bytes, f.verdict]), [
    ['announced.bin', dataFlowOf(50001), 'endpoint', 'PASV', 100, 'complete'],
    ['lost-227.bin', dataFlowOf(50002), 'timing', 'PASV', 200, 'complete'],
    ['lost-229.bin', dataFlowOf(50003), 'timing', 'EPSV', 300, 'complete'],
    ['lost-both.bin', dataFlowOf(50004), 'timing', '', 400, 'complete'],
    ['nothing.bin', 0, '', 'PASV', 0, 'no-data-connection'],
  ]);
  assert.equal(ftp.find((r) => r.arg === 'lost-both.bin')!.mode, '', 'the ftp table does not claim the stale mode either');
});
