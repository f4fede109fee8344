// Reassembled TCP streams against tshark's Follow TCP Stream on the shared captures: for every TCP
// stream carrying payload (test/expectations/follow-tcp.json, made by make-follow-expectations.sh),
// each direction's reassembled byte count and SHA-256 equal tshark's, except the streams listed under
// `exceptions` in that file, where flowsh's values are recorded exactly with the reason they differ;
// where an exception says tshark stops at a gap or agrees once a dissector is disabled, that is checked too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCapture, type LoadedCapture } from '../../src/store/load.ts';
import { IpAddr } from '../../src/store/value.ts';
import { followFlow } from '../../src/reassembly/follow.ts';
import { streamOf } from '../../src/reassembly/stream.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PCAPS = resolve(ROOT, '../shared/pcaps');

interface NodeExpectation { endpoint: string; bytes: number; sha256: string }
interface StreamExpectation {
  stream: number; firstTime: string; src: string; sport: number; dst: string; dport: number;
  nodes: [NodeExpectation, NodeExpectation];
}
interface FlowshValues { bytes: number; sha256: string }
interface StreamException {
  why: string;
  /** flowsh's values for tshark's node 0 and node 1, or 'no flow' when no flowsh flow matches */
  flowsh: [FlowshValues, FlowshValues] | 'no flow';
  /**
   * checked claim: tshark's follow of `node` ends where flowsh's stream has a gap starting at
   * `streamOffset`: tshark's bytes are exactly flowsh's bytes before that gap; the other node equals tshark
   */
  tsharkStopsAtGap?: { node: 0 | 1; streamOffset: number };
  /** checked claim: with these extra tshark options, tshark's stream `stream` has exactly flowsh's bytes */
  tsharkWith?: { options: string[]; stream: number; nodes: [FlowshValues, FlowshValues] };
}
interface FollowExpectations {
  exceptions: Record<string, Record<string, StreamException>>;
  captures: Record<string, StreamExpectation[]>;
}

const expectations = JSON.parse(readFileSync(join(ROOT, 'test/expectations/follow-tcp.json'), 'utf8')) as FollowExpectations;

const canonical = (ip: string) => String(IpAddr.parse(ip) ?? ip);

/** "1.2.3.4:21" or "[2001:db8::1]:21" -> canonical "ip|port" */
function endpointKey(endpoint: string): string {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(endpoint);
  return m ? `${canonical(m[1]!)}|${m[2]}` : endpoint;
}

interface FlowSide { flowInd: number; dir: 'A' | 'B'; time: number; other: 'A' | 'B' }

/** every flow direction by "src|sport|dst|dport" of its packets, with its first packet's time */
function sidesByTuple(c: LoadedCapture): Map<string, FlowSide[]> {
  const f = c.flows;
  const [ind, dir, sip, sport, dip, dport, first] = ['flowInd', 'dir', 'srcIP', 'srcPort', 'dstIP', 'dstPort', 'timeFirst'].map((n) => f.column(n)!);
  const map = new Map<string, FlowSide[]>();
  for (let r = 0; r < f.rowCount; r++) {
    const key = `${canonical(sip!.text(r))}|${sport!.text(r)}|${canonical(dip!.text(r))}|${dport!.text(r)}`;
    const d = dir!.get(r) as 'A' | 'B';
    const side = { flowInd: ind!.get(r) as number, dir: d, time: first!.get(r) as number, other: d === 'A' ? 'B' : 'A' } as FlowSide;
    const list = map.get(key);
    if (list) list.push(side); else map.set(key, [side]);
  }
  return map;
}

function flowshValues(c: LoadedCapture, flowInd: number, dir: 'A' | 'B'): FlowshValues {
  const bytes = followFlow(c, flowInd, { format: 'raw', dir });
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** tcpStreamBytes of a flow direction (0 when the direction has no row) */
function streamBytesColumn(c: LoadedCapture, flowInd: number, dir: 'A' | 'B'): number {
  const f = c.flows, ind = f.column('flowInd')!, d = f.column('dir')!, bytes = f.column('tcpStreamBytes')!;
  for (let r = 0; r < f.rowCount; r++) if (ind.get(r) === flowInd && d.get(r) === dir) return bytes.get(r) as number;
  return 0;
}

/**
 * Why tshark's node `n` is not flowsh's bytes up to the gap at `streamOffset` of flow direction
 * `dir`, or undefined when it is: same length and SHA-256 as flowsh's bytes before that gap, and
 * flowsh has captured bytes after it (the ones tshark leaves out).
 */
function stopsAtGapProblem(c: LoadedCapture, flowInd: number, dir: 'A' | 'B', n: NodeExpectation, streamOffset: number): string | undefined {
  let before = 0, gapFound = false, after = 0;
  for (const chunk of streamOf(c, flowInd, dir)) {
    if (chunk.gap && chunk.streamOffset === streamOffset) gapFound = true;
    else if (!chunk.gap && gapFound) after += chunk.length;
    else if (!chunk.gap) before += chunk.length;
  }
  if (!gapFound) return `flowsh has no gap at stream offset ${streamOffset}`;
  if (before !== n.bytes) return `flowsh has ${before} bytes before the gap, tshark ${n.bytes}`;
  if (after === 0) return 'flowsh has no bytes after the gap';
  const prefix = followFlow(c, flowInd, { format: 'raw', dir }).subarray(0, before);
  if (createHash('sha256').update(prefix).digest('hex') !== n.sha256) return 'the bytes before the gap differ from tshark\'s';
  return undefined;
}

test('reassembled streams equal tshark follow,tcp,raw on every shared capture', { skip: !existsSync(PCAPS) && `${PCAPS} not found (a fresh clone has no ../shared)` }, async (t) => {
  const mismatches: string[] = [];
  let compared = 0, excepted = 0, verified = 0; // compared: streams equal to tshark; verified: exceptions checked against tshark's own bytes
  for (const [rel, streams] of Object.entries(expectations.captures)) {
    const c = await loadCapture(join(PCAPS, rel));
    try {
      const sides = sidesByTuple(c);
      for (const s of streams) {
        const exception = expectations.exceptions[rel]?.[String(s.stream)];
        const key = `${canonical(s.src)}|${s.sport}|${canonical(s.dst)}|${s.dport}`;
        const time = Number(s.firstTime);
        const side = sides.get(key)?.find((x) => Math.abs(x.time - time) < 5e-7);
        const label = `${rel} stream ${s.stream} (${s.src}:${s.sport} -> ${s.dst}:${s.dport})`;
        if (!side) {
          if (exception?.flowsh === 'no flow') excepted++;
          else mismatches.push(`${label}: no flowsh flow starts with this packet`);
          continue;
        }
        const srcKey = `${canonical(s.src)}|${s.sport}`;
        const got = s.nodes.map((n) => {
          const dir = endpointKey(n.endpoint) === srcKey ? side.dir : side.other;
          const v = flowshValues(c, side.flowInd, dir);
          const column = streamBytesColumn(c, side.flowInd, dir);
          if (column !== v.bytes) mismatches.push(`${label}: flow ${side.flowInd} ${dir} tcpStreamBytes ${column} but follow gives ${v.bytes} bytes`);
          return v;
        }) as [FlowshValues, FlowshValues];
        if (exception) {
          excepted++;
          if (JSON.stringify(exception.flowsh) !== JSON.stringify(got)) {
            mismatches.push(`${label}: flowsh gives ${JSON.stringify(got)}, the exception records ${JSON.stringify(exception.flowsh)}`);
          }
          if (exception.tsharkWith && JSON.stringify(exception.tsharkWith.nodes) !== JSON.stringify(got)) {
            mismatches.push(`${label}: tshark ${exception.tsharkWith.options.join(' ')} gives ${JSON.stringify(exception.tsharkWith.nodes)}, flowsh ${JSON.stringify(got)}`);
          }
          const stop = exception.tsharkStopsAtGap;
          if (stop) {
            s.nodes.forEach((n, k) => {
              const dir = endpointKey(n.endpoint) === srcKey ? side.dir : side.other;
              const problem = k === stop.node ? stopsAtGapProblem(c, side.flowInd, dir, n, stop.streamOffset)
                : n.bytes === got[k]!.bytes && n.sha256 === got[k]!.sha256 ? undefined : `node ${k} differs from tshark`;
              if (problem) mismatches.push(`${label}: tsharkStopsAtGap does not hold: ${problem}`);
            });
            verified++;
          }
          if (exception.tsharkWith) verified++;
          continue;
        }
        let equal = true;
        s.nodes.forEach((n, k) => {
          if (n.bytes !== got[k]!.bytes || n.sha256 !== got[k]!.sha256) {
            equal = false;
            mismatches.push(`${label} node ${k} ${n.endpoint}: flowsh flow ${side.flowInd} ${got[k]!.bytes} bytes ${got[k]!.sha256.slice(0, 12)}, tshark ${n.bytes} bytes ${n.sha256.slice(0, 12)}`);
          }
        });
        if (equal) compared++;
      }
    } finally {
      c.close();
    }
  }
  t.diagnostic(`${compared} streams equal to tshark, ${excepted} documented exceptions (${verified} of them checked against tshark's bytes)`);
  assert.deepEqual(mismatches, []);
});
