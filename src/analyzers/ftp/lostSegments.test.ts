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
