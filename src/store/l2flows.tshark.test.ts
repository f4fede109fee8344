/**
 * Layer-2 flows against tshark: every Ethernet frame tshark decodes as neither IPv4 nor IPv6 (ARP,
 * LLDP, EAPOL, STP and other 802.3/LLC frames, ...) belongs to a flowsh flow keyed by its MAC pair
 * and EtherType (0 for LLC), as Tranalyzer keys them; the two directions of a MAC pair share a
 * flowInd, flows of different keys never share one, and the distinct keys are exactly tshark's
 * distinct (address pair, type) conversations. A key is split into several flows only after the
 * flow timeout. Skips without tshark; the shared captures are skipped when ../shared/pcaps is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadCapture } from './load.ts';
import { DEFAULT_FLOW_TIMEOUT } from './flowStore.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const pcapDir = path.resolve(repoRoot, '..', 'shared', 'pcaps');

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface L2Frame { frame: number; src: string; dst: string; type: number }

/** tshark's non-IP Ethernet frames: addresses and the EtherType after VLAN tags and SNAP (0 for plain LLC) */
function tsharkL2(file: string): L2Frame[] | undefined {
  let out: string;
  try {
    out = execFileSync('tshark', ['-r', file, '-Y', 'eth && !ip && !ipv6', '-T', 'fields', '-e', 'frame.number', '-e', 'eth.src', '-e', 'eth.dst',
      '-e', 'eth.type', '-e', 'vlan.etype', '-e', 'llc.type', '-e', 'frame.protocols', '-E', 'occurrence=a', '-E', 'aggregator=,'],
    { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined; // tshark cannot read it
  }
  return out.split('\n').filter((l) => l !== '').flatMap((line) => {
    const [frame, src, dst, ethType, vlanType, llcType, protocols] = line.split('\t');
    if (!protocols?.startsWith('eth:')) return [];
    const last = (s: string | undefined): number | undefined => (s ? Number(s.split(',').pop()) : undefined);
    const type = last(llcType) ?? last(vlanType) ?? (protocols.startsWith('eth:llc') ? 0 : last(ethType) ?? 0);
    return [{ frame: Number(frame), src: src!.split(',')[0]!, dst: dst!.split(',')[0]!, type }];
  });
}

const keyOf = (a: string, b: string, type: number): string => `${[a, b].sort().join(' ')} ${type}`;

async function compare(file: string): Promise<{ frames: number; keys: number; mismatches: string[] }> {
  const theirs = tsharkL2(file);
  if (theirs === undefined || theirs.length === 0) return { frames: 0, keys: 0, mismatches: [] };
  const capture = await loadCapture(file);
  const mismatches: string[] = [];
  const base = path.basename(file);
  try {
    const p = capture.packets;
    const ind = p.column('flowInd')!, srcMac = p.column('srcMac')!, dstMac = p.column('dstMac')!, ethType = p.column('ethType')!, time = p.column('time')!;
    const keysOfFlow = new Map<number, string>();
    const flowsOfKey = new Map<string, Map<number, [number, number]>>();
    for (const t of theirs) {
      const r = t.frame - 1;
      const f = ind.get(r) as number;
      const where = `${base} frame ${t.frame}`;
      if (!(f > 0)) { mismatches.push(`${where}: no flow`); continue; }
      const ours = [srcMac.get(r), dstMac.get(r), ethType.get(r)];
      if (ours[0] !== t.src || ours[1] !== t.dst || ours[2] !== t.type) {
        mismatches.push(`${where}: ${ours.join(' ')}, tshark ${t.src} ${t.dst} ${t.type}`);
        continue;
      }
      const key = keyOf(t.src, t.dst, t.type);
      const known = keysOfFlow.get(f);
      if (known !== undefined && known !== key) mismatches.push(`${where}: flow ${f} holds ${known} and ${key}`);
      keysOfFlow.set(f, key);
      let flows = flowsOfKey.get(key);
      if (!flows) { flows = new Map(); flowsOfKey.set(key, flows); }
      const at = time.get(r) as number;
      const span = flows.get(f);
      flows.set(f, span ? [Math.min(span[0], at), Math.max(span[1], at)] : [at, at]);
    }
    // a key split into several flows: each later flow starts after the earlier one was idle for the timeout
    for (const [key, flows] of flowsOfKey) {
      const spans = [...flows.values()].sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < spans.length; i++) {
        if (spans[i]![0] - spans[i - 1]![1] < DEFAULT_FLOW_TIMEOUT) mismatches.push(`${base}: ${key} split into flows less than the flow timeout apart`);
      }
    }
    return { frames: theirs.length, keys: flowsOfKey.size, mismatches };
  } finally {
    capture.close();
  }
}

const tsharkMissing = haveTshark() ? false : 'tshark is not installed';

test('samples: ARP exchanges are layer-2 flows as tshark sees the frames', { skip: tsharkMissing }, async () => {
  let frames = 0;
  for (const name of readdirSync(path.join(repoRoot, 'samples')).filter((f) => /\.pcap(ng)?$/.test(f))) {
    const r = await compare(path.join(repoRoot, 'samples', name));
    assert.deepEqual(r.mismatches, []);
    frames += r.frames;
  }
  assert.ok(frames >= 10);
});

test('shared captures: every non-IP Ethernet frame is in the layer-2 flow of its MAC pair and EtherType', {
  skip: tsharkMissing || (existsSync(pcapDir) ? false : `no shared captures at ${pcapDir}`),
}, async (t) => {
  const files = (readdirSync(pcapDir, { recursive: true }) as string[]).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).sort();
  let frames = 0, keys = 0;
  const mismatches: string[] = [];
  for (const file of files) {
    const r = await compare(path.join(pcapDir, file));
    frames += r.frames;
    keys += r.keys;
    mismatches.push(...r.mismatches);
  }
  t.diagnostic(`${frames} non-IP frames in ${keys} MAC pair/EtherType conversations`);
  assert.deepEqual(mismatches.slice(0, 20), []);
  assert.ok(frames > 1000 && keys > 50, `${frames} frames, ${keys} keys`);
});
