// ladder flow N / ladder flows where EXPR: lanes, one arrow per packet in the right direction, FTP flows drawn together, the width kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCapture, type LoadedCapture } from '../store/load.ts';
import { parseStatement } from '../query/index.ts';
import { Session } from '../cli/session.ts';
import { buildLadder, ladderFlowsOf, ladderText, type Ladder } from './ladder.ts';
import { storeView } from './storeView.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PCAPS = resolve(ROOT, '../shared/pcaps');
const sample = (name: string): string => join(ROOT, 'samples', name);

function laneName(l: Ladder['lanes'][number]): string {
  return l.port ? `${l.host}:${l.port}` : l.host;
}

/** the arrow of packet `pktNo` as "from -> to" endpoint names */
function arrow(ladder: Ladder, pktNo: number): { from: string; to: string; text: string } {
  const a = ladder.arrows.find((x) => x.pktNo === pktNo)!;
  return { from: laneName(ladder.lanes[a.from]!), to: laneName(ladder.lanes[a.to]!), text: [a.label, a.note, a.summary].filter(Boolean).join(' ') };
}

/** every packet of the flows has exactly one arrow, from its source lane to its destination lane, in capture order */
function checkArrows(capture: LoadedCapture, ladder: Ladder): void {
  const view = storeView(capture);
  const rows = ladder.flows.flatMap((f) => Array.from(view.packetRows(f))).sort((a, b) => a - b);
  assert.deepEqual(ladder.arrows.map((a) => a.pktNo), rows.map((r) => r + 1), `${capture.file} ${ladder.title}: one arrow per packet`);
  for (const a of ladder.arrows) {
    const r = a.pktNo - 1;
    const src = ladder.lanes[a.from]!, dst = ladder.lanes[a.to]!;
    const srcIP = view.packetText('srcIP', r) || view.packetText('srcMac', r) || '?';
    const dstIP = view.packetText('dstIP', r) || view.packetText('dstMac', r) || '?';
    assert.equal(src.host, srcIP, `${capture.file} packet ${a.pktNo}: from its source`);
    assert.equal(dst.host, dstIP, `${capture.file} packet ${a.pktNo}: to its destination`);
    if (!ladder.perHost && view.packetNum('srcPort', r) > 0) assert.equal(src.port, String(view.packetNum('srcPort', r)));
  }
}

function checkWidth(text: string, width: number, where: string): void {
  for (const line of text.split('\n')) assert.ok([...line].length <= width, `${where}: ${JSON.stringify(line)} is wider than ${width}`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, `${where}: no raw control characters`);
}

test('ladder statements parse', () => {
  const one = parseStatement('ladder flow 4');
  assert.ok(one.kind === 'ladder' && one.flowInd === 4 && one.where === undefined);
  const some = parseStatement('LADDER flows where port(21)');
  assert.ok(some.kind === 'ladder' && some.flowInd === undefined && some.where !== undefined);
  assert.equal(parseStatement('ladder flows').kind, 'ladder');
  assert.throws(() => parseStatement('ladder flow'), /ladder flow needs a flow index/);
  assert.throws(() => parseStatement('ladder flows 3'), /ladder flows takes a where clause/);
  assert.throws(() => parseStatement('ladder packets 3'), /expected 'flow N' or 'flows where EXPR'/);
  assert.throws(() => parseStatement('ladder flow 0'), /a flow index is a whole number from 1/);
});

test('active mode: PORT on the control flow, then the server connecting back from port 20 to the announced port, the data, the FIN', async () => {
  const c = await loadCapture(sample('ftp-active.pcap'));
  try {
    assert.deepEqual(ladderFlowsOf(c, 3), [3, 4, 5]);
    assert.deepEqual(ladderFlowsOf(c, 4), [3, 4], 'a data flow is drawn with its control flow');
    const ladder = buildLadder(c, ladderFlowsOf(c, 3), 120);
    assert.deepEqual(ladder.lanes.map(laneName), ['192.0.2.10:57598', '192.0.2.10:57601', '192.0.2.10:57607', '192.0.2.180:21', '192.0.2.180:20']);
    checkArrows(c, ladder);
    const port = arrow(ladder, 21);
    assert.deepEqual([port.from, port.to], ['192.0.2.10:57598', '192.0.2.180:21']);
    assert.match(port.text, /⇒ listens at 192\.0\.2\.10:57601 "PORT 192,0,2,10,225,1\\r\\n"/);
    const syn = arrow(ladder, 24);
    assert.deepEqual([syn.from, syn.to], ['192.0.2.180:20', '192.0.2.10:57601']);
    assert.match(syn.text, /^\[S\] seq 0 len 0 opens data flow 4$/);
    assert.match(arrow(ladder, 28).text, /^\[\.\] seq 1 ack 1 len 1448 "FWIMG/);
    assert.match(arrow(ladder, 39).text, /^\[F\.\] seq 9001 ack 1 len 0$/);
    const text = ladderText(ladder, 120);
    checkWidth(text, 120, 'ftp-active');
    assert.match(text, /^ {2}0\.838473 {4}24 {2}│ +│◀─+│ {2}\[S\] seq 0 len 0 opens data flow 4$/m);
  } finally {
    c.close();
  }
});

test('passive mode: PASV, the 227 announcing the port, the client connecting to it', async () => {
  const c = await loadCapture(sample('ftp-passive-dns.pcap'));
  try {
    const ladder = buildLadder(c, ladderFlowsOf(c, 4), 100);
    checkArrows(c, ladder);
    assert.match(arrow(ladder, 28).text, /"PASV\\r\\n"$/);
    const reply = arrow(ladder, 29);
    assert.deepEqual([reply.from, reply.to], ['192.0.2.180:21', '192.0.2.10:52875']);
    assert.match(reply.text, /⇒ listens at 192\.0\.2\.180:43297 "227 Entering Passive Mode/);
    const syn = arrow(ladder, 30);
    assert.deepEqual([syn.from, syn.to], ['192.0.2.10:52882', '192.0.2.180:43297']);
    // two lanes: labels on the arrows, the width filled
    const dns = ladderText(buildLadder(c, [3], 80), 80);
    checkWidth(dns, 80, 'dns');
    assert.match(dns, /│─+ UDP len 33 .* ─+▶│$/m);
  } finally {
    c.close();
  }
});

test('many endpoints: one lane per host with the ports in the labels, still within the width', async () => {
  const c = await loadCapture(sample('portscan-burst.pcap'));
  try {
    const all = Array.from({ length: storeView(c).maxFlow }, (_, i) => i + 1);
    const ladder = buildLadder(c, all, 100);
    assert.ok(ladder.perHost);
    checkArrows(c, ladder);
    assert.match(arrow(ladder, 3).text, /^33854 > 1 \[S\] seq 0 len 0/);
    checkWidth(ladderText(ladder, 100), 100, 'portscan');
  } finally {
    c.close();
  }
});

test('ladder in the session: flows chosen by a where clause, errors for no match and unknown flows', async () => {
  let out = '', err = '';
  const s = new Session({ out: (t) => { out += t; }, err: (t) => { err += t; } }, { format: 'table', color: false, width: 90, timing: false });
  assert.ok(await s.load(sample('ftp-active.pcap'), { summary: false }));
  try {
    assert.equal(await s.runStatement('ladder flows where srcPort == 20 or dstPort == 20'), 'ok');
    assert.match(out, /^Ladder of flows 4, 5: 27 packets\n/);
    checkWidth(out, 90, 'session');
    assert.equal(await s.runStatement('ladder flows where dstPort == 9999'), 'error');
    assert.match(err, /no flow matches the where clause/);
    assert.equal(await s.runStatement('ladder flow 9'), 'error');
    assert.match(err, /there is no flow 9 \(flowInd runs from 1 to 5\)/);
  } finally {
    s.close();
  }
});

test('every flow of the samples, recordings and shared captures draws one arrow per packet within the width', async () => {
  const dirs: [string, boolean][] = [[join(ROOT, 'samples'), false], [join(ROOT, 'samples/recorded'), false]];
  if (existsSync(PCAPS)) dirs.push([PCAPS, true]);
  let drawn = 0;
  for (const [dir, recursive] of dirs) {
    const files = (readdirSync(dir, { recursive }) as string[]).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).map((f) => join(dir, f))
      .filter((f) => statSync(f).size < 2_000_000).sort();
    for (const file of files) {
      const c = await loadCapture(file);
      try {
        const view = storeView(c);
        for (let f = 1; f <= Math.min(view.maxFlow, 40); f++) {
          if (!view.hasFlow(f)) continue;
          const width = [60, 100, 160][f % 3]!;
          const ladder = buildLadder(c, ladderFlowsOf(c, f), width);
          checkArrows(c, ladder);
          checkWidth(ladderText(ladder, width), width, `${file} flow ${f}`);
          drawn++;
        }
      } finally {
        c.close();
      }
    }
  }
  assert.ok(drawn > 300, `${drawn} ladders drawn`);
});

test('Tab completes ladder flow/flows and the flows columns after where', async () => {
  const { complete } = await import('../shell/completion.ts');
  const { schemaCatalog } = await import('../cli/schemaCatalog.ts');
  const texts = (line: string): string[] => complete(line, line.length, { catalog: schemaCatalog(), cwd: '/' }).items.map((i) => i.text);
  assert.deepEqual(texts('ladder '), ['flow', 'flows']);
  assert.deepEqual(texts('ladder flows '), ['where']);
  const after = texts('ladder flows where ftpS');
  assert.deepEqual(after, ['ftpStat']);
  assert.ok(!texts('ladder flows where ').includes('select'), 'no query clauses after a ladder expression');
  assert.ok(texts('lad').includes('ladder'));
});
