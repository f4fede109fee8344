/**
 * explain flow N: each kind of sentence is there exactly when its fact holds in the store, for
 * every flow of the samples, the recordings and the shared captures (../shared/pcaps, skipped when
 * absent); and the sentences of known flows say what the samples are known to contain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCapture, type LoadedCapture } from '../store/load.ts';
import { isFlagType } from '../schema/types.ts';
import { ftpStatBit } from '../analyzers/ftp/schema.ts';
import { BURST_STAT_BITS } from '../analyzers/burst/schema.ts';
import { MAX_EXCHANGES, flowStory, flowStoryFacts, type FactKind, type FlowFact } from './flowStory.ts';
import type { Table } from '../store/table.ts';
import { escapeText } from '../output/escape.ts';
import { flowStoryText } from './text.ts';
import { bitsOf, numberOf, storeView } from './storeView.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PCAPS = resolve(ROOT, '../shared/pcaps');
const sample = (name: string): string => join(ROOT, 'samples', name);
/** flows checked per shared capture (all of the smaller ones) */
const MAX_FLOWS = 300;

const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;
const burstBit = (name: string): number => Number(BURST_STAT_BITS.find((b) => b.name === name)!.value);

function files(dir: string, recursive: boolean): string[] {
  return (readdirSync(dir, { recursive }) as string[]).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).map((f) => join(dir, f))
    .filter((f) => statSync(f).size < 4_000_000).sort();
}

const tableRows = (t: Table): number[] => Array.from({ length: t.rowCount }, (_, r) => r);

/** every expectation of one flow, derived from the tables without the story's code */
function checkFlow(capture: LoadedCapture, flowInd: number): void {
  const view = storeView(capture);
  const where = `${capture.file} flow ${flowInd}`;
  const facts = flowStoryFacts(flowStory(capture, flowInd));
  const kinds = (kind: FactKind, dir?: 'A' | 'B'): FlowFact[] => facts.filter((f) => f.kind === kind && (dir === undefined || f.dir === dir));
  const has = (kind: FactKind, dir?: 'A' | 'B'): boolean => kinds(kind, dir).length > 0;
  const { a, b } = view.flowRows(flowInd);
  const any = a >= 0 ? a : b;
  const rows = { A: a, B: b } as const;
  const both = (column: string): number => Number(view.flowBits(column, a) | view.flowBits(column, b));
  const tcp = view.flowNum('l4Proto', any) === 6;
  const packets = Array.from(view.packetRows(flowInd));
  const flagsOf = (r: number): number => view.packetNum('tcpFlags', r) & 0xff;

  assert.equal(kinds('identity').length, 1, where);
  const ftpStat = both('ftpStat');
  const isControl = (ftpStat & ftpStatBit('FTP_INIT')) !== 0;
  const isData = !isControl && (ftpStat & ftpStatBit('FTP_PPRNT')) !== 0;
  assert.equal(has('ftp-control'), isControl, `${where}: ftp-control`);
  assert.equal(has('ftp-data'), isData, `${where}: ftp-data`);
  if (isData) {
    const text = kinds('ftp-data')[0]!.text;
    assert.equal(text.includes('in passive mode'), (ftpStat & ftpStatBit('FTP_PASSIVE')) !== 0, `${where}: passive`);
    assert.equal(text.includes('in active mode'), (ftpStat & ftpStatBit('FTP_ACTIVE')) !== 0, `${where}: active`);
    const control = view.flow('ftpCDFindex', any) as readonly number[];
    assert.ok(text.includes(`linked to control flow ${numberOf(control[0])}`), `${where}: names its control flow`);
  }
  const ports = [view.flowNum('srcPort', any), view.flowNum('dstPort', any)];
  const udpOrTcp = [6, 17].includes(view.flowNum('l4Proto', any));
  const dns = capture.catalog.table('dns')!, arp = capture.catalog.table('arp')!;
  const cell = (t: Table, c: string, r: number): number => numberOf(t.column(c)!.get(r));
  const dnsRows = tableRows(dns).filter((r) => cell(dns, 'flowInd', r) === flowInd);
  const arpRows = tableRows(arp).filter((r) => cell(arp, 'requestFlow', r) === flowInd || cell(arp, 'replyFlow', r) === flowInd);
  const isDns = !isControl && !isData && ((udpOrTcp && ports.includes(53)) || dnsRows.length > 0);
  const isArp = !isControl && !isData && !isDns && arpRows.length > 0;
  assert.equal(has('dns'), isDns, `${where}: dns`);
  assert.equal(has('arp'), isArp, `${where}: arp`);
  assert.equal(has('other-protocol'), !isControl && !isData && !isDns && !isArp, `${where}: other`);
  // one sentence per DNS query and ARP exchange of the flow (up to MAX_EXCHANGES each), naming its packets
  const dnsFacts = kinds('dns-exchange'), arpFacts = kinds('arp-exchange');
  assert.equal(dnsFacts.length, Math.min(dnsRows.length, MAX_EXCHANGES), `${where}: a sentence per DNS query`);
  assert.equal(arpFacts.length, Math.min(arpRows.length, MAX_EXCHANGES), `${where}: a sentence per ARP exchange`);
  assert.equal(kinds('more-exchanges').length, (dnsRows.length > MAX_EXCHANGES ? 1 : 0) + (arpRows.length > MAX_EXCHANGES ? 1 : 0), `${where}: the rest counted`);
  dnsFacts.forEach((fact, i) => {
    const r = dnsRows[i]!, q = cell(dns, 'queryPkt', r), p = cell(dns, 'replyPkt', r);
    assert.deepEqual(fact.packets, [q, p].filter((n) => n > 0), `${where}: DNS query ${i} packets`);
    assert.ok(fact.text.includes(` for the ${dns.column('qtypeName')!.text(r) || 'type'}`), `${where}: DNS query ${i} type`);
    assert.ok(fact.text.includes(dns.column('query')!.text(r)), `${where}: DNS query ${i} name`);
    assert.equal(fact.text.endsWith('no reply was captured.'), p === 0, `${where}: DNS query ${i}: no reply exactly when none`);
    assert.equal(fact.text.startsWith('A reply in packet'), q === 0, `${where}: DNS query ${i}: reply without query`);
    if (p > 0) assert.ok(fact.text.includes(`says ${dns.column('rcodeName')!.text(r) || 'rcode'}`), `${where}: DNS query ${i} rcode`);
    for (const answer of dns.column('answers')!.get(r) as readonly string[]) assert.ok(fact.text.includes(escapeText(answer)), `${where}: DNS answer ${answer}`);
    assert.equal(fact.text.includes('truncated (TC)'), dns.column('TC')!.get(r) === true && p > 0, `${where}: TC`);
  });
  arpFacts.forEach((fact, i) => {
    const r = arpRows[i]!, kind = arp.column('kind')!.text(r), reply = cell(arp, 'replyPkt', r);
    assert.deepEqual(fact.packets, [cell(arp, 'requestPkt', r), reply].filter((n) => n > 0), `${where}: ARP ${i} packets`);
    assert.equal(fact.text.startsWith(`Who has ${arp.column('ip')!.text(r)}? Tell `), kind === 'request', `${where}: who-has exactly for a request`);
    assert.equal(fact.text.includes(`is at ${arp.column('mac')!.text(r)}`), kind === 'request' && reply > 0 || kind === 'reply', `${where}: is-at exactly when answered`);
    assert.equal(fact.text.includes('; no reply was captured.'), kind === 'request' && reply === 0, `${where}: unanswered who-has`);
    assert.equal(fact.text.includes('its MAC changed'), arp.column('macChanged')!.get(r) === true, `${where}: changed MAC exactly when macChanged`);
  });

  const burstId = view.flowNum('burstId', any), burstStat = both('burstStat');
  assert.equal(has('burst'), burstId > 0, `${where}: burst sentence exactly when the flow is in a burst`);
  if (burstId > 0) {
    const text = kinds('burst')[0]!.text;
    assert.ok(text.includes(`(burst ${burstId}, bursts table)`), `${where}: names its burst`);
    assert.equal(text.endsWith(': a port scan.'), (burstStat & burstBit('BURST_SCAN')) !== 0, `${where}: a port scan exactly when BURST_SCAN`);
    assert.equal(/: FTP data connections of control flows? [\d, and]+/.test(text) && text.endsWith(', not a port scan.'), (burstStat & burstBit('BURST_FTP')) !== 0, `${where}: FTP exactly when BURST_FTP`);
    assert.equal(text.includes('FTP does not explain'), (burstStat & burstBit('BURST_MIXED')) !== 0, `${where}: mixed exactly when BURST_MIXED`);
    assert.ok(text.includes(`It is one of ${view.flowNum('burstSize', any)} connections from `), `${where}: burst size`);
  }
  const scanMarked = tcp && ((both('tcpAnomaly') & 0x3000) !== 0 || (both('tcpStatesAFlags') & 0x80) !== 0);
  assert.equal(has('scan-heuristic'), scanMarked, `${where}: scan-heuristic sentence exactly when Tranalyzer's scan bits are set`);
  if (scanMarked) {
    const text = kinds('scan-heuristic')[0]!.text;
    const explained = (burstStat & (burstBit('BURST_FTP_DATA') | burstBit('BURST_FTP'))) !== 0 || burstId === 0;
    assert.equal(text.endsWith('not a scan.') || text.endsWith('no sign of a scan.'), explained, `${where}: scan bits judged by the burst`);
  }

  const states = both('tcpStatesAFlags');
  assert.equal(has('handshake-malformed'), tcp && (states & 0x01) !== 0, `${where}: malformed establishment sentence exactly when 0x01 is set`);
  assert.equal(has('handshake-complete'), tcp && (states & 0x01) === 0, `${where}: complete handshake`);
  assert.equal(has('teardown-malformed'), tcp && (states & 0x02) !== 0, `${where}: malformed teardown sentence exactly when 0x02 is set`);
  assert.equal(has('teardown-complete'), tcp && (states & 0x02) === 0, `${where}: complete teardown`);
  for (const [kind, bit] of [['handshake-malformed', 0x01], ['teardown-malformed', 0x02]] as const) {
    if (!has(kind)) continue;
    const raiser = packets.find((r) => (view.packetNum('tcpStatesNewBits', r) & bit) !== 0);
    assert.deepEqual(kinds(kind)[0]!.packets ?? [], raiser === undefined ? [] : [raiser + 1], `${where}: ${kind} names the packet that raised the bit`);
  }
  const syn = packets.find((r) => (flagsOf(r) & (SYN | ACK)) === SYN);
  assert.equal(has('opened'), tcp && syn !== undefined, `${where}: opened`);
  if (syn !== undefined && tcp) assert.deepEqual(kinds('opened')[0]!.packets, [syn + 1]);
  assert.equal(has('no-syn'), tcp && syn === undefined, `${where}: no SYN`);
  assert.equal(has('one-sided'), tcp && b < 0, `${where}: one-sided`);
  assert.equal(has('reset'), tcp && packets.some((r) => (flagsOf(r) & RST) !== 0), `${where}: reset`);
  assert.equal(has('fin-close'), tcp && packets.some((r) => (flagsOf(r) & (FIN | RST)) === FIN), `${where}: FIN`);

  for (const d of ['A', 'B'] as const) {
    const r = rows[d];
    assert.equal(has('sent', d), r >= 0, `${where}: sent ${d}`);
    for (const [kind, column] of [['retransmissions', 'tcpStreamRetrans'], ['out-of-order', 'tcpStreamOoo'], ['gaps', 'tcpStreamMissing'], ['conflicts', 'tcpStreamConflicts']] as const) {
      assert.equal(has(kind, d), tcp && r >= 0 && view.flowNum(column, r) > 0, `${where}: ${kind} ${d} exactly when ${column} > 0`);
    }
  }

  // one flag-bit fact per set bit of every flag column, and the packet it names did set it
  const expected = new Set<string>();
  for (const column of capture.flows.columns) {
    if (!column.def.bits || !isFlagType(column.def.type)) continue;
    for (const d of ['A', 'B'] as const) {
      if (rows[d] < 0) continue;
      const value = bitsOf(column.get(rows[d]));
      for (const bit of column.def.bits) {
        const v = BigInt(bit.value);
        if (v !== 0n && (value & v) === v) expected.add(`${column.def.name} ${d} ${v}`);
      }
    }
  }
  const told = kinds('flag-bit');
  assert.deepEqual(new Set(told.map((f) => `${f.column} ${f.dir} ${f.bit}`)), expected, `${where}: flag bits`);
  for (const f of told) {
    if (!f.packets?.length) continue;
    const row = f.packets[0]! - 1;
    assert.equal(view.packetNum('flowInd', row), flowInd, `${where}: ${f.column} packet is of the flow`);
    const source = f.column === 'tcpStatesAFlags' ? 'tcpStatesNewBits' : f.column!;
    assert.ok((view.packetBits(source, row) & f.bit!) !== 0n, `${where}: packet ${row + 1} has ${f.column} ${f.bit}`);
    if (source !== 'tcpStatesNewBits') {
      const earlier = packets.filter((r) => r < row && view.packet('dir', r) === f.dir);
      assert.ok(earlier.every((r) => (view.packetBits(source, r) & f.bit!) === 0n), `${where}: no earlier packet of ${f.dir} had ${f.column} ${f.bit}`);
    }
  }
}

async function checkCapture(file: string, maxFlows = Infinity): Promise<number> {
  const capture = await loadCapture(file);
  try {
    const view = storeView(capture);
    let checked = 0;
    for (let flow = 1; flow <= view.maxFlow && checked < maxFlows; flow++) {
      if (!view.hasFlow(flow)) continue;
      checkFlow(capture, flow);
      checked++;
    }
    return checked;
  } finally {
    capture.close();
  }
}

test('explain flow: each sentence exactly when its fact holds, on every flow of the samples and recordings', async () => {
  let flows = 0;
  for (const file of [...files(join(ROOT, 'samples'), false), ...files(join(ROOT, 'samples/recorded'), false)]) flows += await checkCapture(file);
  assert.ok(flows > 250, `${flows} flows checked`);
});

test('explain flow: each sentence exactly when its fact holds, on the shared captures', { skip: existsSync(PCAPS) ? false : `${PCAPS} not found (a fresh clone has no ../shared)` }, async () => {
  let flows = 0;
  for (const file of files(PCAPS, true)) flows += await checkCapture(file, MAX_FLOWS);
  assert.ok(flows > 1200, `${flows} flows checked`);
});

test('explain flow tells the known stories of the samples', async () => {
  const story = async (name: string, flow: number): Promise<string> => {
    const c = await loadCapture(sample(name));
    try { return flowStoryText(flowStory(c, flow), 10000); } finally { c.close(); }
  };
  const passive = await story('ftp-passive-dns.pcap', 5);
  assert.match(passive, /It is an FTP data connection in passive mode, linked to control flow 4\. The client sent PASV \(packet 28 at 1710408415\.067460\), and the server answered 227 "Entering Passive Mode \(192,0,2,180,169,33\)\." \(packet 29 at 1710408415\.090255\)/);
  assert.match(passive, /It carried RETR report-2024-03\.csv, sent on the control connection in packet 33/);
  assert.match(passive, /The client connected from 192\.0\.2\.10 port 52882 to 192\.0\.2\.180 port 43297 \(SYN, packet 30/);
  assert.match(passive, /The transfer is complete: 4254 bytes delivered, 0 missing\./);
  const active = await story('ftp-active.pcap', 4);
  assert.match(active, /in active mode, linked to control flow 3\. The client sent PORT 192,0,2,10,225,1 \(packet \d+ at [\d.]+\), and the server answered 200/);
  assert.match(active, /The server connected back from 192\.0\.2\.180 port 20 to 192\.0\.2\.10 port 57601/);
  const control = await story('ftp-passive-dns.pcap', 4);
  assert.match(control, /It is an FTP control connection: 192\.0\.2\.10 is the client, 192\.0\.2\.180 port 21 the server/);
  assert.match(control, /a login succeeded \(user alice\)/);
  assert.match(control, /192\.0\.2\.180 closed first: FIN in packet 63/);
  const late = await story('ftp-fin-out-of-order.pcap', 5);
  assert.match(late, /A data segment from 192\.0\.2\.180 \(packet 46, bytes 10137-11000\) arrived after its FIN \(packet 43\)/);
  assert.match(late, /1 segment from 192\.0\.2\.180 arrived out of order/);
  const scan = await story('portscan-burst.pcap', 3);
  assert.match(scan, /192\.0\.2\.20 refused it with RST\+ACK \(packet 5\): the port is closed/);
  assert.match(scan, /The teardown is malformed \(tcpStatesAFlags MAL_TEARDWN 0x02, set when the flow ended\): it was reset/);
  assert.match(scan, /tcpStatesAFlags {2}MAL_CON_EST \(A, B\), MAL_TEARDWN \(A, B\), RST_TRANS \(B 5\)/);
  assert.match(scan, /It is one of 200 connections from 192\.0\.2\.66 to consecutive ports 1-200 of 192\.0\.2\.20 within [\d.]+ ms \(burst 1, bursts table\): 3 accepted and 197 refused with RST, and none is an FTP data connection: a port scan\./);
  assert.match(scan, /Tranalyzer's per-flow scan heuristic marks it \(tcpAnomaly SCAN_DET 0x1000 and tcpAnomaly SCAN_SU_DET 0x2000\), and here it is right/);
  const multi = await story('recorded/recorded-session-multi.pcap', 12);
  assert.match(multi, /It is one of 10 connections from 192\.0\.2\.10 to 8 different ports \(21 to 50019\) of 192\.0\.2\.21 within [\d.]+ ms \(burst 1, bursts table\): FTP data connections of control flows 3 and 11 \(with 2 FTP control connections\), not a port scan\./);
  assert.match(multi, /Tranalyzer's per-flow scan heuristic marks it \(tcpAnomaly SCAN_DET 0x1000 and tcpAnomaly SCAN_SU_DET 0x2000\), but it is an FTP data connection linked to its control connection \(burst 1 is FTP data connections\): not a scan\./);
  assert.doesNotMatch(await story('ftp-active.pcap', 4), /burst|scan heuristic/, 'two data connections make no burst');
  const dns = await story('ftp-passive-dns.pcap', 3);
  assert.match(dns, /It is DNS: 192\.0\.2\.10 asks 192\.0\.2\.1 \(port 53\)/);
  assert.match(dns, /192\.0\.2\.10 asked 192\.0\.2\.1 for the A records of ftp\.example\.com \(id \d+\) in packet 3 at [\d.]+; the reply \(packet 4, 5\.8 ms later\) says NOERROR: 192\.0\.2\.180 \(TTL 300 s\)\./);
  const arp = await story('ftp-passive-dns.pcap', 1);
  assert.match(arp, /It is ARP: /);
  assert.match(arp, /Who has 192\.0\.2\.1\? Tell 192\.0\.2\.10: 02:00:00:00:0a:10 asked in packet 1 at [\d.]+; 192\.0\.2\.1 is at 02:00:00:00:0a:01, said the reply in packet 2, flow 2, 0\.3 ms later\./);
});

test('explain flow in the session: wrapped to the width, and an error naming the range for a flow that does not exist', async () => {
  const { Session } = await import('../cli/session.ts');
  let out = '', err = '';
  const s = new Session({ out: (t) => { out += t; }, err: (t) => { err += t; } }, { format: 'table', color: false, width: 90, timing: false });
  assert.ok(await s.load(sample('ftp-active.pcap'), { summary: false }));
  try {
    assert.equal(await s.runStatement('explain flow 3'), 'ok');
    assert.match(out, /^What it is\n {2}- Flow 3 is a TCP connection between 192\.0\.2\.10 port 57598 and 192\.0\.2\.180 port 21/);
    assert.ok(out.split('\n').every((l) => l.length <= 90), 'fits the width');
    assert.equal(await s.runStatement('explain flow 6'), 'error');
    assert.match(err, /there is no flow 6 \(flowInd runs from 1 to 5\)/);
  } finally {
    s.close();
  }
});
