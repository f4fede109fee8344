/**
 * Linking data connections on adversarial interleavings (crafted captures): sessions announcing
 * endpoints close together, a data SYN before the 227/229 is seen, active mode from a port other
 * than 20, a reused announced port, a second PASV before the first is used, connections that match
 * no announcement, NAT in 227, IPv6 EPRT/EPSV.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CraftedCapture, bytesOf, flowWith, type Conn, type Row } from './craftedCapture.ts';
import { ftpStatBit } from './schema.ts';

const SERVER = '192.0.2.21';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const pasvText = (port: number, host = '192,0,2,21'): string => `227 Entering Passive Mode (${host},${port >> 8},${port & 0xff}).\r\n`;

function login(cap: CraftedCapture, client: string, port: number, server = SERVER): Conn {
  const ctl = cap.conn({ ip: client, port }, { ip: server, port: 21 }, port * 10).open();
  return ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
}

function byPath(files: Row[]): Record<string, Row> {
  return Object.fromEntries(files.map((f) => [String(f.path), f]));
}

test('linking: three sessions announce endpoints back to back, their data connections open in reverse order', async () => {
  const cap = new CraftedCapture();
  const clients = ['192.0.2.10', '192.0.2.11', '192.0.2.12'];
  const ctls = clients.map((c, i) => login(cap, c, 40000 + i));
  ctls.forEach((ctl) => ctl.client('PASV\r\n'));
  ctls.forEach((ctl, i) => ctl.server(pasvText(30000 + i)));
  ctls.forEach((ctl, i) => ctl.client(`RETR s${i}.bin\r\n`));
  const data = [2, 1, 0].map((i) => ({ i, conn: cap.conn({ ip: clients[i]!, port: 50000 + i }, { ip: SERVER, port: 30000 + i }, 1000 + i * 100_000).open() }));
  ctls.forEach((ctl) => ctl.server('150 go\r\n'));
  for (const { i, conn } of data) conn.server(bytesOf(1000 + i * 111, i)).serverFin();
  ctls.forEach((ctl) => ctl.server('226 done\r\n'));
  const { files, flows } = await cap.load();
  const rows = byPath(files);
  clients.forEach((client, i) => {
    const f = rows[`s${i}.bin`]!;
    assert.equal(f.dataFlow, flowWith(flows, 30000 + i), `s${i}.bin on its own data connection`);
    assert.equal(f.controlFlow, flowWith(flows, 40000 + i));
    assert.equal(f.sha256, sha(bytesOf(1000 + i * 111, i)));
    assert.equal(f.verdict, 'complete');
  });
});

test('linking: the data SYN is captured before the 227 and the 229 that announce it', async () => {
  const cap = new CraftedCapture();
  const ctl = login(cap, '192.0.2.10', 40001);
  for (const [verb, reply, port, name] of [['PASV', pasvText(30001), 30001, 'early.bin'], ['EPSV', '229 Entering Extended Passive Mode (|||30002|)\r\n', 30002, 'early-epsv.bin']] as const) {
    ctl.client(`${verb}\r\n`);
    const data = cap.conn({ ip: '192.0.2.10', port: port + 20000 }, { ip: SERVER, port }, port).syn();
    ctl.server(reply);
    data.synAck();
    ctl.client(`RETR ${name}\r\n`).server('150 go\r\n');
    data.server(bytesOf(700)).serverFin();
    ctl.server('226 done\r\n');
  }
  const { files, flows } = await cap.load();
  const rows = byPath(files);
  assert.equal(rows['early.bin']!.dataFlow, flowWith(flows, 30001));
  assert.equal(rows['early-epsv.bin']!.dataFlow, flowWith(flows, 30002));
  assert.deepEqual(files.map((f) => f.verdict), ['complete', 'complete']);
});

test('linking: PORT answered from a port other than 20; a connection from port 20 to an unannounced port is not taken', async () => {
  const cap = new CraftedCapture();
  const ctl = login(cap, '192.0.2.10', 40001);
  ctl.client('PORT 192,0,2,10,195,80\r\n').server('200 PORT ok\r\n').client('RETR active.bin\r\n');
  // a decoy first: the server's port 20 to a client port nobody announced
  cap.conn({ ip: '192.0.2.10', port: 55555 }, { ip: SERVER, port: 20 }, 300, false).open().server(bytesOf(50, 9)).serverFin();
  cap.conn({ ip: '192.0.2.10', port: 195 * 256 + 80 }, { ip: SERVER, port: 33333 }, 500, false).open().server(bytesOf(900)).serverFin();
  ctl.server('150 go\r\n').server('226 done\r\n');
  const { files, flows } = await cap.load();
  assert.equal(files.length, 1);
  assert.equal(files[0]!.dataFlow, flowWith(flows, 33333));
  assert.equal(files[0]!.mode, 'PORT');
  assert.equal(files[0]!.sha256, sha(bytesOf(900)));
  const decoy = flows.filter((f) => f.flowInd === flowWith(flows, 55555));
  assert.ok(decoy.every((f) => Number(f.ftpStat) === 0 && f.ftpCDFindex === null), 'the unannounced connection is not linked');
});

test('linking: a passive port announced again, and an endpoint used twice without a new announcement', async () => {
  const cap = new CraftedCapture();
  const ctl = login(cap, '192.0.2.10', 40001);
  ctl.client('PASV\r\n').server(pasvText(30005)).client('LIST\r\n');
  cap.conn({ ip: '192.0.2.10', port: 50001 }, { ip: SERVER, port: 30005 }, 100).open().server('listing\r\n').serverFin();
  ctl.server('150 list\r\n').server('226 done\r\n');
  ctl.client('PASV\r\n').server(pasvText(30005)).client('RETR again.bin\r\n');
  cap.conn({ ip: '192.0.2.10', port: 50002 }, { ip: SERVER, port: 30005 }, 200).open().server(bytesOf(333)).serverFin();
  ctl.server('150 go\r\n').server('226 done\r\n');
  // the same endpoint once more, no new PASV (Tranalyzer keeps the last port too)
  ctl.client('RETR third.bin\r\n');
  cap.conn({ ip: '192.0.2.10', port: 50003 }, { ip: SERVER, port: 30005 }, 300).open().server(bytesOf(444)).serverFin();
  ctl.server('150 go\r\n').server('226 done\r\n');
  const { files, flows } = await cap.load();
  assert.deepEqual(files.map((f) => [f.command, f.dataFlow, f.bytes, f.verdict]), [
    ['LIST', flowWith(flows, 50001), 9, 'complete'],
    ['RETR', flowWith(flows, 50002), 333, 'complete'],
    ['RETR', flowWith(flows, 50003), 444, 'complete'],
  ]);
});

test('linking: a second PASV before the first is used; the connection to the first endpoint is listed without a command', async () => {
  const cap = new CraftedCapture();
  const ctl = login(cap, '192.0.2.10', 40001);
  ctl.client('PASV\r\n').server(pasvText(30010));
  // the client opened the first endpoint, sent nothing, and asked again
  cap.conn({ ip: '192.0.2.10', port: 50010 }, { ip: SERVER, port: 30010 }, 100).open().clientFin();
  ctl.client('PASV\r\n').server(pasvText(30011)).client('RETR second.bin\r\n');
  // a connection to a port nobody announced, during the transfer: matched to nothing
  cap.conn({ ip: '192.0.2.10', port: 50012 }, { ip: SERVER, port: 30012 }, 150).open().server(bytesOf(10, 3)).serverFin();
  cap.conn({ ip: '192.0.2.10', port: 50011 }, { ip: SERVER, port: 30011 }, 200).open().server(bytesOf(555)).serverFin();
  ctl.server('150 go\r\n').server('226 done\r\n');
  const { files, flows } = await cap.load();
  const retr = files.find((f) => f.command === 'RETR')!;
  assert.equal(retr.dataFlow, flowWith(flows, 30011));
  assert.equal(retr.verdict, 'complete');
  const unused = files.filter((f) => f.command === '');
  assert.deepEqual(unused.map((f) => [f.dataFlow, f.mode, f.bytes]), [[flowWith(flows, 30010), 'PASV', 0]]);
  const control = flows.find((f) => f.dstPort === 21)!;
  assert.deepEqual(control.ftpCDFindex, [flowWith(flows, 30011), flowWith(flows, 30010)]);
  assert.ok(!files.some((f) => f.dataFlow === flowWith(flows, 30012)), 'the unannounced connection is in no files row');
  assert.ok(flows.filter((f) => f.flowInd === flowWith(flows, 30012)).every((f) => Number(f.ftpStat) === 0));
});

test('linking: a 227 naming another address (NAT) matches connections to either address', async () => {
  const cap = new CraftedCapture();
  const ctl = login(cap, '192.0.2.10', 40001);
  // the client follows the announced address (as a capture inside the server's NAT would show)
  ctl.client('PASV\r\n').server(pasvText(30020, '192,0,2,99')).client('RETR followed.bin\r\n');
  cap.conn({ ip: '192.0.2.10', port: 50020 }, { ip: '192.0.2.99', port: 30020 }, 100).open().server(bytesOf(321)).serverFin();
  ctl.server('150 go\r\n').server('226 done\r\n');
  // the client ignores it and uses the control connection's address (curl, lftp)
  ctl.client('PASV\r\n').server(pasvText(30021, '192,0,2,99')).client('RETR ignored.bin\r\n');
  cap.conn({ ip: '192.0.2.10', port: 50021 }, { ip: SERVER, port: 30021 }, 200).open().server(bytesOf(123)).serverFin();
  ctl.server('150 go\r\n').server('226 done\r\n');
  const { files, flows } = await cap.load();
  const rows = byPath(files);
  assert.equal(rows['followed.bin']!.dataFlow, flowWith(flows, 30020, '192.0.2.99'));
  assert.equal(rows['ignored.bin']!.dataFlow, flowWith(flows, 30021));
  assert.deepEqual(files.map((f) => [f.verdict, f.bytes]), [['complete', 321], ['complete', 123]]);
  assert.ok(Number(flows.find((f) => f.dstPort === 21)!.ftpStat) & ftpStatBit('FTP_NAT_SERVER'));
});

test('linking: IPv6 EPSV and EPRT (active from port 20)', async () => {
  const cap = new CraftedCapture();
  const client = '2001:db8::10', server = '2001:db8::21';
  const ctl = login(cap, client, 40001, server);
  ctl.client('EPSV\r\n').server('229 Entering Extended Passive Mode (|||30030|)\r\n').client('RETR v6-epsv.bin\r\n');
  cap.conn({ ip: client, port: 50030 }, { ip: server, port: 30030 }, 100).open().server(bytesOf(2000)).serverFin();
  ctl.server('150 go\r\n').server('226 done\r\n');
  ctl.client('EPRT |2|2001:db8::10|50031|\r\n').server('200 EPRT ok\r\n').client('STOR v6-eprt.bin\r\n');
  cap.conn({ ip: client, port: 50031 }, { ip: server, port: 20 }, 200, false).open().client(bytesOf(1500, 4)).clientFin();
  ctl.server('150 go\r\n').server('226 done\r\n');
  const { files, flows } = await cap.load();
  const rows = byPath(files);
  assert.deepEqual([rows['v6-epsv.bin']!.mode, rows['v6-epsv.bin']!.dataFlow, rows['v6-epsv.bin']!.sha256], ['EPSV', flowWith(flows, 30030), sha(bytesOf(2000))]);
  assert.deepEqual([rows['v6-eprt.bin']!.mode, rows['v6-eprt.bin']!.dataFlow, rows['v6-eprt.bin']!.sha256, rows['v6-eprt.bin']!.direction], ['EPRT', flowWith(flows, 50031), sha(bytesOf(1500, 4)), 'upload']);
  assert.deepEqual(files.map((f) => f.verdict), ['complete', 'complete']);
  assert.ok(Number(flows.find((f) => f.dstPort === 21)!.ftpStat) & ftpStatBit('FTP_EXTENDED'));
});

test('linking: a data connection first captured after the 226 (no handshake, one data packet) is still its transfer\'s', async () => {
  // Windows ftp.exe in active mode, captured without the data handshake: the only data packet comes after the 226
  const cap = new CraftedCapture();
  const client = '192.0.2.10';
  const ctl = login(cap, client, 40001);
  ctl.client('PORT 192,0,2,10,222,250\r\n').server('200 PORT command successful.\r\n');
  ctl.client('RETR Flag.txt\r\n').server('125 Data connection already open; Transfer starting.\r\n').server('226 Transfer complete.\r\n');
  const data = cap.conn({ ip: client, port: 57082 }, { ip: SERVER, port: 20 }, 5000, false);
  data.server(bytesOf(35));
  ctl.client('QUIT\r\n').server('221 Goodbye.\r\n').serverFin();
  const { files, flows, ftp } = await cap.load();
  const flow = flowWith(flows, 57082);
  assert.deepEqual(files.map((f) => [f.command, f.path, f.dataFlow, f.linkedBy, f.senderDir === '' ? '' : 'sender', f.bytes]), [['RETR', 'Flag.txt', flow, 'endpoint', 'sender', 35]]);
  assert.equal(ftp.find((r) => r.arg === 'Flag.txt')!.dataFlow, flow);
});

test('linking: a late connection on a reused passive endpoint goes to the transfer whose window it follows, not an earlier one', async () => {
  const cap = new CraftedCapture();
  const client = '192.0.2.10';
  const ctl = login(cap, client, 40002);
  ctl.client('PASV\r\n').server(pasvText(30100));
  // a: accepted, its data connection never captured
  ctl.client('RETR a.bin\r\n').server('150 go\r\n').server('226 done\r\n');
  // b: same endpoint without a new PASV; its connection is first seen after its 226
  ctl.client('RETR b.bin\r\n').server('150 go\r\n').server('226 done\r\n');
  cap.conn({ ip: client, port: 50100 }, { ip: SERVER, port: 30100 }, 7000).server(bytesOf(64)).serverFin();
  ctl.client('QUIT\r\n').server('221 bye\r\n').serverFin();
  const { files, flows } = await cap.load();
  const rows = byPath(files);
  assert.equal(files.length, 2);
  assert.equal(rows['a.bin']!.dataFlow, 0);
  assert.equal(rows['a.bin']!.verdict, 'no-data-connection');
  assert.equal(rows['b.bin']!.dataFlow, flowWith(flows, 30100));
  assert.equal(rows['b.bin']!.bytes, 64);
});
