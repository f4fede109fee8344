// save packets|flows ... to FILE: the new capture, read back by flowsh, tshark and tcpdump, holds the
// selected frames byte for byte with their timestamps and link types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCapture, type Frame, type LoadedCapture } from '../store/load.ts';
import { parseStatement, QueryError, type SaveStatement } from '../query/index.ts';
import { FileExistsError } from '../output/atomicFile.ts';
import { runSave } from './statements.ts';
import { SaveError } from './saveCapture.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const sample = (name: string) => join(ROOT, 'samples', name);
const hasTool = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const TSHARK = hasTool('tshark');
const TCPDUMP = hasTool('tcpdump');

/** runs `body` on a loaded sample with a fresh output directory; both are gone afterwards */
async function withSample(name: string, body: (capture: LoadedCapture, dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-save-'));
  const capture = await loadCapture(sample(name));
  try {
    await body(capture, dir);
  } finally {
    capture.close();
    rmSync(dir, { recursive: true });
  }
}

/** loads a saved file for `body` */
async function readBack<T>(file: string, body: (capture: LoadedCapture) => T): Promise<T> {
  const back = await loadCapture(file);
  try {
    return body(back);
  } finally {
    back.close();
  }
}

function save(capture: LoadedCapture, text: string): string {
  const statement = parseStatement(text);
  assert.equal(statement.kind, 'save');
  return runSave(capture, statement as SaveStatement);
}

/** every frame of a capture, in capture order */
function frames(capture: LoadedCapture): Frame[] {
  return Array.from({ length: capture.packets.rowCount }, (_, row) => capture.readFrame(row));
}

function assertSameFrames(actual: readonly Frame[], expected: readonly Frame[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: packet count`);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    assert.deepEqual([a.tsSec, a.tsNsec, a.capLen, a.wireLen, a.linkType], [e.tsSec, e.tsNsec, e.capLen, e.wireLen, e.linkType], `${what}: packet ${i + 1} header`);
    assert.ok(Buffer.from(a.bytes).equals(Buffer.from(e.bytes)), `${what}: packet ${i + 1} bytes`);
  });
}

/** epoch times with nanoseconds and frame lengths as tshark reads them */
function tsharkFrames(file: string): string[] {
  return execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim().split('\n').filter((l) => l.length > 0);
}

const epoch = (f: Frame, digits = 9) => `${f.tsSec}.${String(f.tsNsec).padStart(9, '0').slice(0, digits)}`;

test('save packets without where copies a classic pcap byte for byte (same header, same records)', () => withSample('ftp-passive-dns.pcap', async (capture, dir) => {
  const out = join(dir, 'all.pcap');
  assert.match(save(capture, `save packets to ${out}`), /^saved 66 packets to .*all\.pcap \(pcap, microsecond, 10511 bytes\)$/);
  assert.ok(readFileSync(out).equals(readFileSync(sample('ftp-passive-dns.pcap'))));
  assert.deepEqual(readdirSync(dir), ['all.pcap'], 'no temporary file left');
}));

test('save packets where EXPR: exactly the matching frames, in capture order, read back by flowsh and tshark', () => withSample('ftp-passive-dns.pcap', async (capture, dir) => {
  const out = join(dir, 'tcp.pcapng');
  save(capture, `save packets where tcp() and dstPort != 21 to ${out}`);
  const l4 = capture.packets.column('l4Proto')!, dstPort = capture.packets.column('dstPort')!;
  const expected = frames(capture).filter((_, row) => l4.get(row) === 6 && dstPort.get(row) !== 21);
  assert.ok(expected.length > 10 && expected.length < capture.packets.rowCount);
  await readBack(out, (back) => {
  assert.equal(back.info.format, 'pcapng');
  assert.equal(back.info.interfaces.length, 1);
  assertSameFrames(frames(back), expected, 'flowsh reads the saved pcapng');
  });
  if (TSHARK) assert.deepEqual(tsharkFrames(out), expected.map((f) => `${epoch(f)}\t${f.wireLen}\t${f.capLen}\t0`));
}));

test('save flows where EXPR: every packet of the selected flows, both directions, and nothing else', () => withSample('ftp-active.pcap', async (capture, dir) => {
  const out = join(dir, 'control.pcap');
  // the condition holds on the A row only (dstPort 21); the B direction must come too
  const message = save(capture, `save flows where dstPort == 21 to ${out}`);
  const flowInd = capture.packets.column('flowInd')!;
  const flowRows = capture.flows;
  const control = new Set<number>();
  for (let r = 0; r < flowRows.rowCount; r++) if (flowRows.column('dstPort')!.get(r) === 21) control.add(flowRows.column('flowInd')!.get(r) as number);
  assert.equal(control.size, 1);
  const expected = frames(capture).filter((_, row) => control.has(flowInd.get(row) as number));
  assert.match(message, new RegExp(`^saved ${expected.length} packets of 1 flow to `));
  await readBack(out, (back) => {
  assertSameFrames(frames(back), expected, 'the saved flow');
  const dirs = new Set(Array.from({ length: back.packets.rowCount }, (_, r) => back.packets.column('dir')!.get(r)));
  assert.deepEqual([...dirs].sort(), ['A', 'B'], 'both directions of the flow');
  assert.equal(back.report.flowIndexes, 1, 'one flow in the saved file');
  });
  if (TCPDUMP) {
    const lines = execFileSync('tcpdump', ['-r', out, '-nn', '-tt'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ')[0]), expected.map((f) => epoch(f, 6)));
  }
}));

test('nanosecond captures stay nanosecond: pcap magic a1b23c4d and pcapng if_tsresol 9, same nanoseconds in tshark', () => withSample('ftp-nanosecond.pcap', async (capture, dir) => {
  const all = frames(capture);
  assert.ok(all.some((f) => f.tsNsec % 1000 !== 0), 'the sample has sub-microsecond digits');
  for (const name of ['ns.pcap', 'ns.pcapng']) {
    const out = join(dir, name);
    save(capture, `save packets to ${out}`);
    await readBack(out, (back) => {
    assert.equal(back.info.tsDigits, 9, name);
    assertSameFrames(frames(back), all, name);
    });
    if (TSHARK) assert.deepEqual(tsharkFrames(out).map((l) => l.split('\t')[0]), all.map((f) => epoch(f)), `${name}: tshark timestamps`);
  }
  assert.equal(readFileSync(join(dir, 'ns.pcap')).readUInt32LE(0), 0xa1b23c4d);
}));

test('pcapng keeps the interfaces the packets used (link type, name, resolution); a .pcap of two link types is refused', () => withSample('two-interfaces.pcapng', async (capture, dir) => {
  const linkTypes = new Set(capture.info.interfaces.map((i) => i.linkType));
  assert.ok(capture.info.interfaces.length >= 2 && linkTypes.size >= 2, 'the sample has interfaces of different link types');
  const all = frames(capture);
  const out = join(dir, 'both.pcapng');
  assert.match(save(capture, `save packets to ${out}`), new RegExp(`\\(pcapng, ${capture.info.interfaces.length} interfaces,`));
  await readBack(out, (back) => {
  assert.deepEqual(back.info.interfaces.map((i) => [i.linkType, i.name, i.tsDigits]), capture.info.interfaces.map((i) => [i.linkType, i.name, i.tsDigits]));
  assertSameFrames(frames(back), all, 'both interfaces');
  assert.deepEqual(frames(back).map((f) => f.interfaceId), all.map((f) => f.interfaceId));
  });
  if (TSHARK) assert.deepEqual(tsharkFrames(out).map((l) => l.split('\t')[3]), all.map((f) => String(f.interfaceId)));

  // only the second interface's packets: one interface in the new file, renumbered 0
  const second = all.map((f, row) => ({ f, row })).filter(({ f }) => f.interfaceId === 1);
  assert.ok(second.length > 0);
  const one = join(dir, 'one.pcapng');
  save(capture, `save packets where pktNo in (${second.map(({ row }) => row + 1).join(', ')}) to ${one}`);
  await readBack(one, (backOne) => {
  assert.equal(backOne.info.interfaces.length, 1);
  assert.equal(backOne.info.interfaces[0]!.linkType, capture.info.interfaces[1]!.linkType);
  assertSameFrames(frames(backOne), second.map(({ f }) => f), 'second interface only');
  });

  const refused = join(dir, 'mixed.pcap');
  assert.throws(() => save(capture, `save packets to ${refused}`), (e: Error) => e instanceof SaveError && /one link type, save to a \.pcapng file/.test(e.message));
  assert.deepEqual(readdirSync(dir).sort(), ['both.pcapng', 'one.pcapng'], 'nothing left of the refused file');
}));

test('a snaplen-cut capture keeps its snap length and the cut frames with their wire lengths', () => withSample('recorded/recorded-snaplen-128.pcap', async (capture, dir) => {
  const out = join(dir, 'cut.pcap');
  save(capture, `save flows where port(21) to ${out}`);
  await readBack(out, (back) => {
  assert.equal(back.info.interfaces[0]!.snapLen, 128);
  const cut = frames(back).filter((f) => f.wireLen > f.capLen);
  assert.ok(cut.length > 0 && cut.every((f) => f.capLen === 128));
  });
}));

test('save never overwrites, names only packets or flows, wants a capture ending, and leaves no temporary file', () => withSample('ftp-passive-dns.pcap', async (capture, dir) => {
  const existing = join(dir, 'keep.pcap');
  writeFileSync(existing, 'precious');
  assert.throws(() => save(capture, `save packets to ${existing}`), FileExistsError);
  assert.equal(readFileSync(existing, 'utf8'), 'precious');
  assert.throws(() => save(capture, `save files to ${join(dir, 'x.pcap')}`), (e: Error) => e instanceof QueryError && /name the packets or the flows table/.test(e.message));
  assert.throws(() => save(capture, `save packets to ${join(dir, 'x.txt')}`), (e: Error) => e instanceof SaveError && /\.pcap or \.pcapng/.test(e.message));
  assert.throws(() => save(capture, `save packets where nosuch == 1 to ${join(dir, 'y.pcap')}`), QueryError);
  // an empty selection is a valid capture with no packets
  const empty = join(dir, 'empty.pcap');
  assert.match(save(capture, `save packets where pktNo > 1000 to ${empty}`), /^saved 0 packets/);
  assert.equal(statSync(empty).size, 24);
  assert.deepEqual(readdirSync(dir).sort(), ['empty.pcap', 'keep.pcap']);
}));

test('save creates missing directories and replaces {name} by the capture name', () => withSample('ftp-upload.pcap', async (capture, dir) => {
  assert.match(save(capture, `save flows where port(21) to ${dir}/by-capture/{name}-control.pcap`), /by-capture\/ftp-upload-control\.pcap/);
  assert.ok(statSync(join(dir, 'by-capture', 'ftp-upload-control.pcap')).size > 24);
}));
