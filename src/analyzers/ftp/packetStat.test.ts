/**
 * Per-packet ftpStat is the flow's value after that packet (Tranalyzer's packet mode): a bit shows
 * from the packet that set it on, so a query finds that packet; the last packet of a flow whose
 * bits all come from its own packets shows the flow's final value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runStatement } from '../../query/index.ts';
import { CraftedCapture, bytesOf, flowWith, type Row } from './craftedCapture.ts';
import { ftpStatBit } from './schema.ts';
import { StatTimeline } from './statTimeline.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';

function session(): CraftedCapture {
  const cap = new CraftedCapture();
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  ctl.client('PASV\r\n').server('227 Entering Passive Mode (192,0,2,21,39,16).\r\n');
  ctl.client('RETR a.bin\r\n');
  const data = cap.conn({ ip: CLIENT, port: 50001 }, { ip: SERVER, port: 10000 }, 5000).open();
  ctl.server('150 Opening BINARY mode data connection for a.bin (300 bytes).\r\n');
  data.server(bytesOf(300)).serverFin();
  ctl.server('226 done\r\n').client('QUIT\r\n').server('221 bye\r\n').serverFin();
  return cap;
}

const bit = ftpStatBit;
const has = (p: Row, name: string): boolean => (Number(p.ftpStat) & bit(name)) !== 0;

test('per-packet ftpStat: each bit shows from the packet that set it on', async () => {
  const { packets, flows } = await session().load();
  const control = flowWith(flows, 21), data = flowWith(flows, 10000);
  const ctl = packets.filter((p) => p.flowInd === control);
  const content = (p: Row): string => String(p.l7Content ?? '');
  const index = (prefix: string): number => ctl.findIndex((p) => content(p).startsWith(prefix));
  // port 21: FTP_INIT from the very first packet (the SYN)
  assert.ok(ctl.every((p) => has(p, 'FTP_INIT')));
  for (const [name, reply] of [['FTP_LOGIN_OK', '230'], ['FTP_APRNT', '227']] as const) {
    const at = index(reply);
    assert.ok(at > 0, `the ${reply} packet exists`);
    assert.ok(ctl.slice(0, at).every((p) => !has(p, name)), `${name} is not set before the ${reply} reply`);
    assert.ok(ctl.slice(at).every((p) => has(p, name)), `${name} is set from the ${reply} reply on`);
  }
  // the data connection opened after the 227: linked (FTP_PPRNT) from its SYN; opened before the 150: FTP_DATA_FIRST from the 150
  const dataPackets = packets.filter((p) => p.flowInd === data);
  assert.ok(dataPackets.every((p) => has(p, 'FTP_PPRNT') && has(p, 'FTP_PASSIVE')));
  const pktNo150 = Number(ctl[index('150')]!.pktNo);
  assert.ok(dataPackets.filter((p) => Number(p.pktNo) < pktNo150).every((p) => !has(p, 'FTP_DATA_FIRST')));
  assert.ok(dataPackets.filter((p) => Number(p.pktNo) > pktNo150).every((p) => has(p, 'FTP_DATA_FIRST')));
  // the control flow's passive-mode bit comes with the link: the data connection's SYN
  const synRow = Number(dataPackets[0]!.pktNo);
  assert.ok(ctl.filter((p) => Number(p.pktNo) < synRow).every((p) => !has(p, 'FTP_PASSIVE')));
  assert.ok(ctl.filter((p) => Number(p.pktNo) > synRow).every((p) => has(p, 'FTP_PASSIVE')));
  // values only grow, and the last packet of each flow shows the flow's final ftpStat
  for (const f of [control, data]) {
    const own = packets.filter((p) => p.flowInd === f).map((p) => Number(p.ftpStat));
    own.forEach((v, i) => { if (i > 0) assert.equal(v & own[i - 1]!, own[i - 1]!, 'bits are never cleared'); });
    assert.equal(own.at(-1), Number(flows.find((r) => r.flowInd === f)!.ftpStat));
  }
});

test('per-packet ftpStat: a query finds the packet that first set a bit', async () => {
  await session().with((capture) => {
    const first = (mask: number): string => {
      const { result } = runStatement(`packets where bitsanyset(ftpStat, 0x${mask.toString(16)}) sort pktNo limit 1 select l7Content`, capture.catalog);
      return String(result!.columns[0]!.get(result!.rows[0]!));
    };
    assert.equal(first(bit('FTP_LOGIN_OK')), '230 ok\r\n');
    assert.equal(first(bit('FTP_APRNT')), '227 Entering Passive Mode (192,0,2,21,39,16).\r\n');
  });
});

test('StatTimeline: earliest row wins, unknown rows show on no packet, flows keep their own bits', () => {
  const t = new StatTimeline();
  t.set(1, 0x03, 5);
  t.set(1, 0x01, 2);
  t.set(1, 0x100, NaN);
  t.set(2, 0x08, 0);
  const flowOf = [2, 1, 1, 1, 1, 1, 1];
  assert.deepEqual(Array.from(t.perPacket((r) => flowOf[r]!, 7)), [0x08, 0, 0x01, 0x01, 0x01, 0x03, 0x03]);
  assert.equal(t.value(1), 0x103);
  assert.equal(t.has(3), false);
});
