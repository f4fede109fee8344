/**
 * The arp table on crafted captures (answered and unanswered requests, retries, announcements,
 * probes, RARP, non-IPv4 ARP, cut frames, a spoofed reply), the bundled sample, and tshark's
 * duplicate-address detection: the frames tshark flags are exactly the rows flowsh marks
 * macChanged. The ARP exchange is also checked as the layer-2 flows it travels in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PcapWriter, LINKTYPE_ETHERNET } from '../../capture/writer.ts';
import { concat, ethernet, macBytes } from '../../decode/craft.ts';
import { loadCapture } from '../../store/load.ts';
import { rows, type Row } from '../ftp/craftedCapture.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SHARED = resolve(ROOT, '..', 'shared', 'pcaps');
const BROADCAST = 'ff:ff:ff:ff:ff:ff', ZERO = '00:00:00:00:00:00';
const CLIENT = '02:00:00:00:00:10', GATEWAY = '02:00:00:00:00:01', ATTACKER = '02:00:00:00:00:66';

const ip4 = (t: string): number[] => t.split('.').map(Number);
function arp(op: number, sha: string, spa: string, tha: string, tpa: string, ptype = 0x0800): Uint8Array {
  return concat([0, 1, ptype >> 8, ptype & 255, 6, 4, 0, op], macBytes(sha), ip4(spa), macBytes(tha), ip4(tpa));
}
const frame = (src: string, dst: string, payload: Uint8Array, type = 0x0806): Uint8Array => ethernet(type, payload, { src, dst });

async function write(frames: Uint8Array[], gapMs: number): Promise<{ file: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-arp-'));
  const file = join(dir, 'arp.pcap');
  const w = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET });
  frames.forEach((f, i) => { const ms = i * gapMs; w.writePacket(1_700_000_000 + Math.floor(ms / 1000), (ms % 1000) * 1_000_000, f); });
  w.close();
  return { file, dir };
}

async function load(frames: Uint8Array[], gapMs = 100): Promise<{ arp: Row[]; flows: Row[]; file: string; cleanup: () => void }> {
  const { file, dir } = await write(frames, gapMs);
  const capture = await loadCapture(file);
  try {
    return { arp: rows(capture.catalog.table('arp')), flows: rows(capture.flows), file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } finally {
    capture.close();
  }
}

const spoofing = (): Uint8Array[] => [
  frame(CLIENT, BROADCAST, arp(1, CLIENT, '192.0.2.10', ZERO, '192.0.2.1')), // 1 who-has .1
  frame(GATEWAY, CLIENT, arp(2, GATEWAY, '192.0.2.1', CLIENT, '192.0.2.10')), // 2 is-at gateway
  frame(CLIENT, BROADCAST, arp(1, CLIENT, '192.0.2.10', ZERO, '192.0.2.99')), // 3 unanswered
  frame(CLIENT, BROADCAST, arp(1, CLIENT, '192.0.2.10', ZERO, '192.0.2.99')), // 4 retry
  frame(ATTACKER, CLIENT, arp(2, ATTACKER, '192.0.2.1', CLIENT, '192.0.2.10')), // 5 unsolicited is-at: spoofed
  frame(GATEWAY, BROADCAST, arp(1, GATEWAY, '192.0.2.1', ZERO, '192.0.2.1')), // 6 gratuitous: the gateway again
  frame('02:00:00:00:00:20', BROADCAST, arp(1, '02:00:00:00:00:20', '0.0.0.0', ZERO, '192.0.2.20')), // 7 probe
  frame(CLIENT, BROADCAST, arp(3, CLIENT, '0.0.0.0', CLIENT, '0.0.0.0'), 0x8035), // 8 RARP
  frame(CLIENT, BROADCAST, arp(1, CLIENT, '192.0.2.10', ZERO, '192.0.2.1', 0x86dd)), // 9 not IPv4
  frame(CLIENT, BROADCAST, arp(1, CLIENT, '192.0.2.10', ZERO, '192.0.2.1')).subarray(0, 30), // 10 cut
];

test('who-has / is-at pairs, retries, unsolicited replies, announcements, probes and RARP', async () => {
  const r = await load(spoofing());
  try {
    const view = r.arp.map((a) => [a.kind, a.ip === null ? null : String(a.ip), a.mac, a.requestPkt, a.replyPkt, a.macChanged]);
    assert.deepEqual(view, [
      ['request', '192.0.2.1', GATEWAY, 1, 2, false],
      ['request', '192.0.2.99', null, 3, 0, false],
      ['request', '192.0.2.99', null, 4, 0, false],
      ['reply', '192.0.2.1', ATTACKER, 0, 5, true],
      ['announcement', '192.0.2.1', GATEWAY, 6, 0, false], // back to the first binding
      ['probe', '192.0.2.20', null, 7, 0, false],
      ['rarp', '0.0.0.0', CLIENT, 8, 0, false],
      ['other', null, null, 9, 0, false],
      ['truncated', null, null, 10, 0, false],
    ]);
    assert.equal(r.arp[3]!.firstMac, GATEWAY);
    assert.equal((r.arp[0]!.rtt as number).toFixed(3), '0.100');
    assert.equal(String(r.arp[0]!.askerIP), '192.0.2.10');
    assert.equal(r.arp[0]!.askerMac, CLIENT);
    // the request travels in the client's flow to the broadcast address, the reply in the gateway's flow to the client
    const flowOf = (ind: unknown) => r.flows.find((f) => f.flowInd === ind)!;
    assert.deepEqual([flowOf(r.arp[0]!.requestFlow).srcMac, flowOf(r.arp[0]!.requestFlow).dstMac], [[CLIENT], [BROADCAST]]);
    assert.deepEqual([flowOf(r.arp[0]!.replyFlow).srcMac, flowOf(r.arp[0]!.replyFlow).dstMac], [[GATEWAY], [CLIENT]]);
    for (const f of r.flows) assert.equal(BigInt(f.flowStat as bigint) & 0x4n, 0x4n, 'pure layer-2 flow');
  } finally {
    r.cleanup();
  }
});

test('a reply more than 5 s after the request is not its answer', async () => {
  const r = await load([frame(CLIENT, BROADCAST, arp(1, CLIENT, '192.0.2.10', ZERO, '192.0.2.1')), frame(GATEWAY, CLIENT, arp(2, GATEWAY, '192.0.2.1', CLIENT, '192.0.2.10'))], 6000);
  try {
    assert.deepEqual(r.arp.map((a) => [a.kind, a.requestPkt, a.replyPkt]), [['request', 1, 0], ['reply', 0, 2]]);
  } finally {
    r.cleanup();
  }
});

test('the sample: the ARP request for the gateway and its reply', async () => {
  const capture = await loadCapture(join(ROOT, 'samples', 'ftp-passive-dns.pcap'));
  try {
    const arp = rows(capture.catalog.table('arp'));
    assert.deepEqual(arp.map((a) => [a.kind, String(a.ip), String(a.askerIP), a.mac, a.requestPkt, a.replyPkt, a.requestFlow, a.replyFlow, a.macChanged]),
      [['request', '192.0.2.1', '192.0.2.10', '02:00:00:00:0a:01', 1, 2, 1, 2, false]]);
  } finally {
    capture.close();
  }
});

function haveTshark(): boolean {
  try { execFileSync('tshark', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** the ARP frames of a capture and those tshark flags with "duplicate use of an IP address" */
function tsharkArp(file: string): { arp: number; duplicates: number[] } {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'arp', '-T', 'fields', '-e', 'frame.number', '-e', 'arp.duplicate-address-detected'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  const lines = out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  return { arp: lines.length, duplicates: lines.filter((f) => f[1] !== undefined && f[1] !== '').map((f) => Number(f[0])) };
}

test('changed MACs are the frames tshark flags as duplicate use of an IP address', { skip: haveTshark() ? false : 'tshark is not installed' }, async () => {
  const r = await load(spoofing());
  try {
    const ours = r.arp.flatMap((a) => a.changedPkts as number[]);
    assert.deepEqual(ours, [5]);
    assert.deepEqual(tsharkArp(r.file).duplicates, ours);
  } finally {
    r.cleanup();
  }
  // the shared captures: no binding changes where tshark sees none, and the same where it does
  if (!existsSync(SHARED)) return;
  let flagged = 0;
  for (const name of (readdirSync(SHARED, { recursive: true }) as string[]).filter((f) => /\.(pcap|pcapng|cap)$/.test(f))) {
    const file = join(SHARED, name);
    const seen = (() => { try { return tsharkArp(file); } catch { return undefined; } })();
    if (seen === undefined || seen.arp === 0) continue;
    const theirs = seen.duplicates;
    flagged += theirs.length;
    const capture = await loadCapture(file);
    try {
      const ours = rows(capture.catalog.table('arp')).flatMap((a) => a.changedPkts as number[]).sort((x, y) => x - y);
      assert.deepEqual(ours, theirs, name);
    } finally {
      capture.close();
    }
  }
  assert.ok(flagged > 20, `${flagged} frames with a changed binding in the shared captures`);
});

