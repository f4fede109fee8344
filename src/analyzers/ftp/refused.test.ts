/**
 * F2: a data command the server refused (4xx/5xx without 125/150: 550 no such file, 553, 425,
 * 450, 451, 426) is no transfer: it stays in the ftp table and gets no files row, as in Zeek's
 * files.log and NetworkMiner. An accepted transfer (125/150, or a 2xx whose 1xx the capture lost)
 * whose data connection is not in the capture keeps its row, verdict no-data-connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CraftedCapture, bytesOf, flowWith, type Conn } from './craftedCapture.ts';
import { ftpStatBit } from './schema.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';

function session(): { cap: CraftedCapture; ctl: Conn; pasv: () => number } {
  const cap = new CraftedCapture();
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  let port = 10000;
  const pasv = (): number => {
    ctl.client('PASV\r\n').server(`227 Entering Passive Mode (192,0,2,21,${port >> 8},${port & 0xff}).\r\n`);
    return port++;
  };
  return { cap, ctl, pasv };
}

test('refused data commands get no files row; accepted ones without a captured connection stay no-data-connection', async () => {
  const { cap, ctl, pasv } = session();
  pasv(); ctl.client('RETR missing.bin\r\n').server('550 missing.bin: No such file or directory\r\n');
  pasv(); ctl.client('STOR up.bin\r\n').server('553 Could not create file.\r\n');
  pasv(); ctl.client('RETR y.bin\r\n').server("425 Can't open data connection.\r\n");
  pasv(); ctl.client('RETR z.bin\r\n').server('451 Requested action aborted: local error in processing.\r\n');
  pasv(); ctl.client('APPE k.bin\r\n').server('426 Connection closed; transfer aborted.\r\n');
  pasv(); ctl.client('LIST nothing\r\n').server('450 No files found\r\n');
  // accepted: 150 then 226, 150 then 426, and a 226 alone (its 150 not captured); no data connection in the capture
  pasv(); ctl.client('RETR w.bin\r\n').server('150 Opening BINARY mode data connection for w.bin (10 bytes)\r\n').server('226 done\r\n');
  pasv(); ctl.client('RETR v.bin\r\n').server('150 Opening BINARY mode data connection for v.bin (10 bytes)\r\n').server('426 aborted\r\n');
  pasv(); ctl.client('RETR u.bin\r\n').server('226 done\r\n');
  ctl.client('QUIT\r\n').server('221 bye\r\n').serverFin();
  const { files, ftp, report } = await cap.load();
  assert.deepEqual(files.map((f) => [f.command, f.path, f.dataFlow, f.verdict]), [
    ['RETR', 'w.bin', 0, 'no-data-connection'],
    ['RETR', 'v.bin', 0, 'no-data-connection'],
    ['RETR', 'u.bin', 0, 'no-data-connection'],
  ]);
  // every command is still in the ftp table with its reply; a refused one used no mode
  const data = ftp.filter((r) => r.command !== 'PASV' && r.arg !== '' && !['USER', 'PASS'].includes(String(r.command)));
  assert.deepEqual(data.map((r) => [r.command, r.arg, r.replyCode, r.mode]), [
    ['RETR', 'missing.bin', 550, ''], ['STOR', 'up.bin', 553, ''], ['RETR', 'y.bin', 425, ''], ['RETR', 'z.bin', 451, ''],
    ['APPE', 'k.bin', 426, ''], ['LIST', 'nothing', 450, ''],
    ['RETR', 'w.bin', 226, 'PASV'], ['RETR', 'v.bin', 426, 'PASV'], ['RETR', 'u.bin', 226, 'PASV'],
  ]);
  assert.equal((report as { analyzerLines: { label: string; value: number }[] }).analyzerLines.find((l) => l.label === 'FTP transfers')?.value, 3);
});

test('a session whose only data command was refused: no files row and no FTP_NDFLW', async () => {
  const { cap, ctl, pasv } = session();
  pasv(); ctl.client('RETR missing.bin\r\n').server('550 missing.bin: No such file or directory\r\n');
  ctl.client('QUIT\r\n').server('221 bye\r\n').serverFin();
  const { files, flows } = await cap.load();
  assert.deepEqual(files, []);
  const stat = Number(flows.find((f) => f.dstPort === 21)!.ftpStat);
  assert.equal(stat & ftpStatBit('FTP_NDFLW'), 0, 'no announced transfer went unmatched');
  assert.equal(stat & ftpStatBit('FTP_XFER_INCOMPLETE'), 0);
});

test('the empty connection a client opened before a refused RETR is that command\'s, not a listed transfer', async () => {
  const { cap, ctl, pasv } = session();
  // curl connects to the passive port right after the 227, then asks; the server refuses and the client closes
  const p = pasv();
  const empty = cap.conn({ ip: CLIENT, port: 50000 }, { ip: SERVER, port: p }, 7000).open();
  ctl.client('RETR missing.bin\r\n').server('550 missing.bin: No such file\r\n');
  empty.clientFin();
  // then a transfer that works
  const q = pasv();
  ctl.client('RETR here.bin\r\n').server('150 Opening BINARY mode data connection for here.bin (64 bytes)\r\n');
  cap.conn({ ip: CLIENT, port: 50001 }, { ip: SERVER, port: q }, 8000).open().server(bytesOf(64)).serverFin();
  ctl.server('226 done\r\n').client('QUIT\r\n').server('221 bye\r\n').serverFin();
  const { files, ftp, flows } = await cap.load();
  const emptyFlow = flowWith(flows, p), goodFlow = flowWith(flows, q);
  assert.deepEqual(files.map((f) => [f.command, f.path, f.dataFlow, f.verdict, f.bytes]), [['RETR', 'here.bin', goodFlow, 'complete', 64]]);
  const refused = ftp.find((r) => r.arg === 'missing.bin')!;
  assert.deepEqual([refused.replyCode, refused.dataFlow, refused.mode], [550, emptyFlow, 'PASV']);
  // the control connection lists both data connections it explains
  assert.deepEqual(flows.find((f) => f.dstPort === 21)!.ftpCDFindex, [emptyFlow, goodFlow]);
});

test('bytes on the connection of a refused command are still listed (aborted): the wire shows them', async () => {
  const { cap, ctl, pasv } = session();
  const p = pasv();
  const data = cap.conn({ ip: CLIENT, port: 50000 }, { ip: SERVER, port: p }, 7000).open();
  ctl.client('RETR odd.bin\r\n');
  data.server(bytesOf(32)).serverFin();
  ctl.server('550 odd.bin: permission denied\r\n').client('QUIT\r\n').server('221 bye\r\n').serverFin();
  const { files, flows } = await cap.load();
  assert.deepEqual(files.map((f) => [f.command, f.path, f.dataFlow, f.verdict, f.bytes]), [['RETR', 'odd.bin', flowWith(flows, p), 'aborted', 32]]);
});
