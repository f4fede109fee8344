/**
 * ftpStat's overflow and capacity bits: FTP_OVFL (0x80) only for a line longer than flowsh's one
 * limit (1 MiB), never for many users, passwords, commands or links (no cap, unlike Tranalyzer's
 * 5/20/11); FTP_HSHMFLL (0x10) never, even with a dozen data connections announced at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_LINE_BYTES } from './protocol.ts';
import { CraftedCapture, bytesOf, flowWith } from './craftedCapture.ts';
import { ftpStatBit } from './schema.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';
const OVFL = ftpStatBit('FTP_OVFL'), HSHMFLL = ftpStatBit('FTP_HSHMFLL');

test('FTP_OVFL: a USER line over 1 MiB is kept cut to 1 MiB and flagged from its packet on', async () => {
  const cap = new CraftedCapture();
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n');
  const line = new TextEncoder().encode('USER ' + 'u'.repeat(DEFAULT_MAX_LINE_BYTES + 100) + '\r\n');
  for (let at = 0; at < line.length; at += 1448) ctl.client(line.subarray(at, at + 1448));
  ctl.server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n').client('QUIT\r\n').server('221 bye\r\n').serverFin();
  const { flows, ftp, packets } = await cap.load();
  const control = flows.filter((f) => f.flowInd === flowWith(flows, 21));
  assert.ok(control.every((f) => (Number(f.ftpStat) & OVFL) !== 0), 'both control directions have FTP_OVFL');
  const user = control.find((f) => Number(f.ftpNumUser) === 1)!.ftpUser as string[];
  assert.equal(user[0]!.length, DEFAULT_MAX_LINE_BYTES - 'USER '.length, 'the first 1 MiB of the line is kept');
  assert.equal(ftp.find((r) => r.command === 'PASS')!.replyCode, 230, 'the session goes on after the long line');
  const ctlPackets = packets.filter((p) => p.flowInd === control[0]!.flowInd);
  assert.equal(Number(ctlPackets[3]!.ftpStat) & OVFL, 0, 'not set on the greeting');
  assert.ok((Number(ctlPackets.at(-1)!.ftpStat) & OVFL) !== 0);
});

test('no cap: 7 logins, 25 distinct commands and 12 data connections give no FTP_OVFL and no FTP_HSHMFLL', async () => {
  const cap = new CraftedCapture();
  const ctl = cap.conn({ ip: CLIENT, port: 40002 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n');
  for (let i = 0; i < 7; i++) ctl.client(`USER user-with-a-long-name-${i}\r\n`).server('331 pw\r\n').client(`PASS a-password-longer-than-fifteen-${i}\r\n`).server(i < 6 ? '530 no\r\n' : '230 ok\r\n');
  for (const verb of ['SYST', 'FEAT', 'PWD', 'NOOP', 'STAT', 'HELP', 'MODE S', 'STRU F', 'TYPE I', 'ALLO 10', 'SITE X', 'OPTS UTF8 ON', 'MDTM a', 'SIZE a', 'DELE a', 'RNFR a', 'RNTO b', 'MKD d', 'RMD d', 'CDUP']) {
    ctl.client(verb + '\r\n').server('200 ok\r\n');
  }
  const dataPorts: number[] = [];
  for (let i = 0; i < 12; i++) {
    const port = 10000 + i;
    dataPorts.push(port);
    ctl.client('PASV\r\n').server(`227 Entering Passive Mode (192,0,2,21,${port >> 8},${port & 0xff}).\r\n`).client(`RETR f${i}\r\n`);
    cap.conn({ ip: CLIENT, port: 50000 + i }, { ip: SERVER, port }, 5000 + i * 1000).open().server(bytesOf(100 + i)).serverFin();
    ctl.server('150 go\r\n').server('226 done\r\n');
  }
  ctl.client('QUIT\r\n').server('221 bye\r\n').serverFin();
  const { flows, files } = await cap.load();
  const controlInd = flowWith(flows, 21);
  const control = flows.filter((f) => f.flowInd === controlInd);
  const client = control.find((f) => f.dstPort === 21)!;
  assert.equal(client.ftpNumUser, 7);
  assert.equal(client.ftpNumPass, 7);
  assert.equal((client.ftpUser as string[])[6], 'user-with-a-long-name-6');
  assert.ok((client.ftpCC as string[]).length >= 25);
  assert.deepEqual(client.ftpCDFindex, dataPorts.map((p) => flowWith(flows, p)), 'all 12 links, in order');
  assert.deepEqual(files.map((f) => f.verdict), Array(12).fill('complete'));
  for (const f of flows) assert.equal(Number(f.ftpStat) & (OVFL | HSHMFLL), 0, `flow ${f.flowInd} ${f.dir}`);
});
