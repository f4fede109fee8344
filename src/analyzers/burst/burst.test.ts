/**
 * Bursts on crafted captures: the thresholds (5 different ports, 1 s between starts) at their
 * edges, what counts as a connection attempt, the FTP / scan / mixed verdicts and the bits each
 * member gets; then the samples: portscan-burst.pcap is a scan, the FTP recordings with many data
 * connections are FTP; and over every sample, recording and shared capture, each burst holds what
 * its definition says (derived from the flows and packets tables, not from the analyzer's code).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PcapWriter, LINKTYPE_ETHERNET } from '../../capture/writer.ts';
import { loadCapture, type LoadedCapture } from '../../store/load.ts';
import { CraftedCapture, bytesOf, rows, type Row, ACK, RST, SYN } from '../ftp/craftedCapture.ts';
import { ftpStatBit } from '../ftp/schema.ts';
import { BURST_MAX_GAP, BURST_MIN_PORTS, BURST_STAT_BITS } from './schema.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const PCAPS = resolve(ROOT, '../shared/pcaps');
const SCANNER = '192.0.2.66', TARGET = '192.0.2.20', SERVER = '192.0.2.21', CLIENT = '192.0.2.10';
const BIT = Object.fromEntries(BURST_STAT_BITS.map((b) => [b.name, Number(b.value)])) as Record<string, number>;

/**
 * A crafted capture with its own clock: frames 1 ms apart, plus the pauses asked for, so a test
 * can put more than BURST_MAX_GAP between two connections.
 */
class TimedCapture extends CraftedCapture {
  private readonly pauses = new Map<number, number>();
  pause(seconds: number): this {
    this.pauses.set(this.frames.length, (this.pauses.get(this.frames.length) ?? 0) + seconds);
    return this;
  }
  async loaded<T>(fn: (capture: LoadedCapture) => T | Promise<T>): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), 'flowsh-burst-'));
    try {
      const file = join(dir, 'burst.pcap');
      const w = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET, nanosecond: true });
      let ns = 0;
      this.frames.forEach((f, i) => {
        ns += 1_000_000 + Math.round((this.pauses.get(i) ?? 0) * 1e9);
        w.writePacket(1_700_000_000 + Math.floor(ns / 1e9), ns % 1e9, f.bytes, f.wireLen);
      });
      w.close();
      const capture = await loadCapture(file);
      try { return await fn(capture); } finally { capture.close(); }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** a connection attempt from SCANNER to TARGET:port, refused with RST+ACK */
function refused(cap: CraftedCapture, port: number, from = SCANNER, to = TARGET): void {
  cap.conn({ ip: from, port: 40000 + port }, { ip: to, port }, port * 1000).syn().serverRst();
}

interface Loaded { flows: Row[]; bursts: Row[] }

async function load(cap: TimedCapture): Promise<Loaded> {
  return cap.loaded((c) => ({ flows: rows(c.flows), bursts: rows(c.catalog.table('bursts')) }));
}

/** burstStat of the flow whose server side has `port` (both directions must agree) */
function statOf(flows: Row[], port: number): number {
  const mine = flows.filter((f) => f.dstPort === port || f.srcPort === port);
  assert.ok(mine.length > 0, `a flow with port ${port}`);
  const values = new Set(mine.map((f) => Number(f.burstStat)));
  assert.equal(values.size, 1, `both directions of port ${port} have the same burstStat`);
  return [...values][0]!;
}

test('burst: 5 different ports within a second are a burst, 4 are not', async () => {
  const five = new TimedCapture();
  for (let port = 1000; port < 1000 + BURST_MIN_PORTS; port++) refused(five, port);
  const { flows, bursts } = await load(five);
  assert.equal(bursts.length, 1);
  const b = bursts[0]!;
  assert.equal(String(b.host), SCANNER);
  assert.equal(String(b.peer), TARGET);
  assert.deepEqual([b.connections, b.ports, b.lowPort, b.highPort, b.consecutive], [5, 5, 1000, 1004, true]);
  assert.deepEqual([b.accepted, b.refused, b.unanswered, b.ftpData, b.verdict], [0, 5, 0, 0, 'scan']);
  for (let port = 1000; port < 1005; port++) {
    assert.equal(statOf(flows, port), BIT.BURST_MEMBER! | BIT.BURST_CONSEC! | BIT.BURST_SCAN! | BIT.BURST_REFUSED!, `port ${port}`);
  }
  assert.ok(flows.every((f) => f.burstId === 1 && f.burstSize === 5));

  const four = new TimedCapture();
  for (let port = 1000; port < 1000 + BURST_MIN_PORTS - 1; port++) refused(four, port);
  const none = await load(four);
  assert.equal(none.bursts.length, 0);
  assert.ok(none.flows.every((f) => f.burstId === 0 && f.burstSize === 0 && f.burstStat === 0));
});

test('burst: a pause longer than the gap splits the attempts; one just within it does not', async () => {
  const split = new TimedCapture();
  for (const port of [1, 2, 3]) refused(split, port);
  split.pause(BURST_MAX_GAP + 0.1);
  for (const port of [4, 5, 6]) refused(split, port);
  assert.equal((await load(split)).bursts.length, 0, 'two chains of 3 ports');

  const within = new TimedCapture();
  for (const port of [1, 2, 3]) refused(within, port);
  within.pause(BURST_MAX_GAP - 0.1);
  for (const port of [4, 5, 6]) refused(within, port);
  const { bursts } = await load(within);
  assert.equal(bursts.length, 1);
  assert.equal(bursts[0]!.connections, 6);
  assert.ok(Number(bursts[0]!.span) > BURST_MAX_GAP - 0.1);
});

test('burst: only attempts count (not mid-connection flows), repeated ports count once, other peers apart', async () => {
  const cap = new TimedCapture();
  // six connections to one port, and a mid-connection flow to each of four other ports
  for (let i = 0; i < 6; i++) cap.conn({ ip: SCANNER, port: 30000 + i }, { ip: TARGET, port: 80 }, 7 + i).syn().serverRst();
  for (const port of [81, 82, 83, 84]) cap.conn({ ip: SCANNER, port: 31000 + port }, { ip: TARGET, port }, port).ack(true).ack(false);
  // four ports of another peer
  for (const port of [85, 86, 87, 88]) refused(cap, port, SCANNER, '192.0.2.21');
  const { bursts } = await load(cap);
  assert.equal(bursts.length, 0, '2 ports with attempts (80 only), 4 of another peer');

  const probes = new TimedCapture();
  // stealth probes: NULL (no flags) and FIN, unanswered; a SYN answered by SYN+ACK
  for (const port of [20, 21, 22]) probes.conn({ ip: SCANNER, port: 32000 + port }, { ip: TARGET, port }, port).emit(true, 0, new Uint8Array(0));
  for (const port of [23, 24]) probes.conn({ ip: SCANNER, port: 32000 + port }, { ip: TARGET, port }, port).emit(true, 0x01, new Uint8Array(0));
  probes.conn({ ip: SCANNER, port: 32025 }, { ip: TARGET, port: 25 }, 25).syn().emit(false, SYN | ACK, new Uint8Array(0)).emit(true, RST, new Uint8Array(0));
  const got = await load(probes);
  assert.equal(got.bursts.length, 1);
  assert.deepEqual([got.bursts[0]!.connections, got.bursts[0]!.accepted, got.bursts[0]!.unanswered, got.bursts[0]!.refused], [6, 1, 5, 0]);
  assert.equal(statOf(got.flows, 20) & BIT.BURST_NO_ANSWER!, BIT.BURST_NO_ANSWER);
  assert.equal(statOf(got.flows, 25) & (BIT.BURST_NO_ANSWER! | BIT.BURST_REFUSED!), 0);
});

/** an FTP control connection that downloads `count` files in passive mode, data ports 50000.. (in order) */
function ftpSession(cap: CraftedCapture, count: number, portOf = (i: number): number => 50000 + i): void {
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  for (let i = 0; i < count; i++) {
    const port = portOf(i);
    ctl.client('PASV\r\n').server(`227 Entering Passive Mode (192,0,2,21,${port >> 8},${port & 0xff}).\r\n`).client(`RETR f${i}.bin\r\n`);
    const data = cap.conn({ ip: CLIENT, port: 41000 + i }, { ip: SERVER, port }, 5000 + i * 100_000).open();
    ctl.server('150 go\r\n');
    data.server(bytesOf(300 + i, i)).serverFin();
    ctl.server('226 done\r\n');
  }
}

test('burst: FTP data connections of one control connection are FTP, not a scan; a scan among them makes it mixed', async () => {
  const cap = new TimedCapture();
  ftpSession(cap, 5);
  const { flows, bursts } = await load(cap);
  assert.equal(bursts.length, 1);
  const b = bursts[0]!;
  assert.deepEqual([b.connections, b.ports, b.ftpData, b.ftpControl, b.verdict, b.consecutive], [6, 6, 5, 1, 'ftp', false]);
  assert.deepEqual(b.controlFlows, [1]);
  for (let i = 0; i < 5; i++) {
    assert.equal(statOf(flows, 50000 + i), BIT.BURST_MEMBER! | BIT.BURST_FTP_DATA! | BIT.BURST_FTP!, `data port ${50000 + i}`);
  }
  assert.equal(statOf(flows, 21), BIT.BURST_MEMBER! | BIT.BURST_FTP_CTRL! | BIT.BURST_FTP!);

  const mixed = new TimedCapture();
  ftpSession(mixed, 4);
  for (const port of [7000, 7001]) refused(mixed, port, CLIENT, SERVER);
  const m = await load(mixed);
  assert.equal(m.bursts.length, 1);
  assert.deepEqual([m.bursts[0]!.verdict, m.bursts[0]!.ftpData, m.bursts[0]!.connections], ['mixed', 4, 7]);
  assert.equal(statOf(m.flows, 7000), BIT.BURST_MEMBER! | BIT.BURST_MIXED! | BIT.BURST_REFUSED!);
  assert.equal(statOf(m.flows, 50000), BIT.BURST_MEMBER! | BIT.BURST_MIXED! | BIT.BURST_FTP_DATA!);
});

test('burst: the samples — portscan-burst.pcap is a scan, recorded-session-multi.pcap is FTP', async () => {
  const scan = await loadCapture(join(ROOT, 'samples/portscan-burst.pcap'));
  try {
    const bursts = rows(scan.catalog.table('bursts'));
    assert.equal(bursts.length, 1);
    assert.deepEqual([bursts[0]!.connections, bursts[0]!.lowPort, bursts[0]!.highPort, bursts[0]!.consecutive, bursts[0]!.verdict], [200, 1, 200, true, 'scan']);
    assert.deepEqual([bursts[0]!.accepted, bursts[0]!.refused], [3, 197], 'ports 22, 80 and 111 are open');
  } finally { scan.close(); }
  const ftp = await loadCapture(join(ROOT, 'samples/recorded/recorded-session-multi.pcap'));
  try {
    const bursts = rows(ftp.catalog.table('bursts'));
    assert.ok(bursts.length >= 1);
    for (const b of bursts) assert.equal(b.verdict, 'ftp', `burst ${b.burstId}`);
  } finally { ftp.close(); }
});

// ---------------------------------------------------------------- the definition, on every capture

function captures(dir: string, recursive: boolean): string[] {
  return (readdirSync(dir, { recursive }) as string[]).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).map((f) => join(dir, f))
    .filter((f) => statSync(f).size < 4_000_000).sort();
}

/** every burst holds its definition; every attempt outside bursts could not have joined one */
function checkDefinition(capture: LoadedCapture): number {
  const flows = rows(capture.flows);
  const packets = capture.packets;
  const ind = packets.column('flowInd')!, dir = packets.column('dir')!, flags = packets.column('tcpFlags')!, time = packets.column('time')!;
  const first = new Map<number, number>();
  for (let r = 0; r < packets.rowCount; r++) {
    const f = Number(ind.get(r));
    if (f > 0 && !first.has(f)) first.set(f, r);
  }
  const byDir = new Map(flows.map((row) => [`${row.flowInd}${row.dir}`, row]));
  interface A { ind: number; time: number; port: number; key: string; data: boolean; control: boolean }
  const attempts: A[] = [];
  for (const [f, r] of first) {
    const opener = byDir.get(`${f}${dir.get(r)}`)!;
    if (opener.l4Proto !== 6 || (Number(flags.get(r)) & (ACK | RST)) !== 0) continue;
    const stat = Number(opener.ftpStat);
    attempts.push({
      ind: f, time: Number(time.get(r)), port: Number(opener.dstPort), key: `${opener.srcIP}|${opener.dstIP}`,
      data: (stat & ftpStatBit('FTP_PPRNT')) !== 0, control: (stat & ftpStatBit('FTP_INIT')) !== 0,
    });
  }
  const byInd = new Map(attempts.map((a) => [a.ind, a]));
  const bursts = rows(capture.catalog.table('bursts'));
  const inBurst = new Set<number>();
  for (const b of bursts) {
    const members = (b.flows as number[]).map((f) => byInd.get(Number(f))!);
    const where = `${capture.file} burst ${b.burstId}`;
    assert.ok(members.every((m) => m !== undefined), `${where}: members are connection attempts`);
    assert.equal(new Set(members.map((m) => m.key)).size, 1, `${where}: one host and peer`);
    assert.equal(members[0]!.key, `${b.host}|${b.peer}`, where);
    const ports = new Set(members.map((m) => m.port));
    assert.ok(ports.size >= BURST_MIN_PORTS && ports.size === b.ports, `${where}: ports`);
    for (let i = 1; i < members.length; i++) assert.ok(members[i]!.time - members[i - 1]!.time <= BURST_MAX_GAP + 1e-9, `${where}: gap`);
    const before = attempts.filter((a) => a.key === members[0]!.key && !members.includes(a)
      && a.time >= members[0]!.time - BURST_MAX_GAP && a.time <= members[members.length - 1]!.time + BURST_MAX_GAP);
    assert.deepEqual(before.map((a) => a.ind), [], `${where}: no attempt within the gap left out`);
    const data = members.filter((m) => m.data).length, control = members.filter((m) => m.control).length;
    assert.equal(b.verdict, data === 0 ? 'scan' : data + control === members.length ? 'ftp' : 'mixed', `${where}: verdict`);
    for (const m of members) inBurst.add(m.ind);
    for (const row of flows.filter((r) => inBurst.has(Number(r.flowInd)) && members.some((m) => m.ind === r.flowInd))) {
      assert.equal(row.burstId, b.burstId, `${where}: flow ${row.flowInd} burstId`);
    }
  }
  for (const row of flows) if (!inBurst.has(Number(row.flowInd))) assert.equal(row.burstId, 0, `${capture.file} flow ${row.flowInd} is in no burst`);
  return bursts.length;
}

test('burst: every burst of the samples and recordings holds its definition', async () => {
  let bursts = 0;
  for (const file of [...captures(join(ROOT, 'samples'), false), ...captures(join(ROOT, 'samples/recorded'), false)]) {
    const c = await loadCapture(file);
    try { bursts += checkDefinition(c); } finally { c.close(); }
  }
  assert.ok(bursts >= 5, `${bursts} bursts`);
});

test('burst: every burst of the shared captures holds its definition', { skip: existsSync(PCAPS) ? false : `${PCAPS} not found (a fresh clone has no ../shared)` }, async () => {
  let bursts = 0;
  for (const file of captures(PCAPS, true)) {
    const c = await loadCapture(file);
    try { bursts += checkDefinition(c); } finally { c.close(); }
  }
  assert.ok(bursts >= 6, `${bursts} bursts`);
});
