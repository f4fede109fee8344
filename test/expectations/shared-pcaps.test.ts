import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROBES, writeProbeCaptures } from './tcp-stream-probes.ts';

const here = import.meta.dirname;
const repoRoot = path.resolve(here, '../..');
const pcapsDir = path.resolve(repoRoot, '../shared/pcaps');

interface Placement { outer: number; tunneled: number; inIcmpError: number }
interface CaptureExpectation {
  fileType: string; linkTypes: number[]; tsharkExtraOptions: string;
  packets: number; tcpConversations: number; tcpStreams: number; tcp4Tuples: number;
  tcpStreamsSynOnly: number; tcpStreamsWithoutSyn: number; tcpStreamsByPlacement: Placement;
  udpConversations: number; udpStreams: number; udp4Tuples: number; udpStreamsByPlacement: Placement;
  ipv4Packets: number; ipv6Packets: number; tcpPackets: number; udpPackets: number;
  tcpPacketsByPlacement: Placement; udpPacketsByPlacement: Placement;
  firstTime: string; lastTime: string; minTime: string; maxTime: string;
  notes: string[];
}
interface SharedExpectations { tsharkVersion: string; captureCount: number; captures: Record<string, CaptureExpectation> }
interface ProbeRules { tsharkVersion: string; probes: Record<string, { tcpStreamPerPacket: number[]; tcpStreams: number; tcpConversations: number }> }

const expectations = JSON.parse(readFileSync(path.join(here, 'shared-pcaps.json'), 'utf8')) as SharedExpectations;
const rules = JSON.parse(readFileSync(path.join(here, 'tshark-tcp-stream-rules.json'), 'utf8')) as ProbeRules;

const sum = (p: Placement): number => p.outer + p.tunneled + p.inIcmpError;

test('every entry is internally consistent', () => {
  assert.equal(Object.keys(expectations.captures).length, expectations.captureCount);
  for (const [file, e] of Object.entries(expectations.captures)) {
    assert.ok(e.packets > 0, file);
    assert.equal(sum(e.tcpStreamsByPlacement), e.tcpStreams, `${file}: every tcp.stream has a placement`);
    assert.equal(sum(e.udpStreamsByPlacement), e.udpStreams, `${file}: every udp.stream has a placement`);
    assert.equal(sum(e.tcpPacketsByPlacement), e.tcpPackets, `${file}: every TCP packet has a placement`);
    assert.equal(sum(e.udpPacketsByPlacement), e.udpPackets, `${file}: every UDP packet has a placement`);
    assert.ok(e.tcpConversations <= e.tcpStreams, `${file}: conv,tcp rows <= tcp.stream values`);
    assert.ok(e.tcp4Tuples <= e.tcpStreams, `${file}: 4-tuples <= tcp.stream values`);
    assert.ok(e.tcpStreamsSynOnly + e.tcpStreamsWithoutSyn <= e.tcpStreams, file);
    assert.ok(e.ipv4Packets + e.ipv6Packets >= e.tcpPacketsByPlacement.outer, file);
    for (const t of [e.firstTime, e.lastTime, e.minTime, e.maxTime]) assert.match(t, /^\d+\.\d{9}$/, `${file}: full-precision epoch`);
    assert.ok(e.linkTypes.length > 0, file);
  }
});

/** MANIFEST.md tables: `## <folder>` sections, rows "| `file` | origin | format | packets | bytes | ...". */
function manifestPacketCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  let folder = '';
  for (const line of readFileSync(path.join(pcapsDir, 'MANIFEST.md'), 'utf8').split('\n')) {
    const heading = /^## (\S+)/.exec(line);
    if (heading) folder = heading[1];
    const row = /^\| `([^`]+)` \|[^|]*\|[^|]*\| (\d+) \| (\d+) \|/.exec(line);
    if (row && folder) counts.set(`${folder}/${row[1]}`, Number(row[2]));
  }
  return counts;
}

function listCaptures(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) files.push(...listCaptures(full, `${prefix}${name}/`));
    else if (!name.endsWith('.md') && !name.endsWith('.tsv')) files.push(`${prefix}${name}`);
  }
  return files;
}

test('covers exactly the shared captures, with the packet counts of MANIFEST.md', (t) => {
  if (!existsSync(pcapsDir)) {
    t.skip(`shared captures not found at ${pcapsDir}`);
    return;
  }
  const files = listCaptures(pcapsDir);
  assert.deepEqual(Object.keys(expectations.captures).sort(), files.sort());
  const manifest = manifestPacketCounts();
  assert.equal(manifest.size, files.length, 'MANIFEST.md lists every capture');
  for (const file of files) assert.equal(expectations.captures[file].packets, manifest.get(file), file);
});

function installedTsharkVersion(): string | undefined {
  const run = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  return run.error === undefined && run.status === 0 ? run.stdout.split('\n')[0] : undefined;
}

function tshark(args: readonly string[]): string {
  const run = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, `tshark ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** Skips unless the installed tshark is the one the data was made with (others may group differently). */
function skipUnlessSameTshark(t: { skip: (message: string) => void }, recorded: string): boolean {
  const installed = installedTsharkVersion();
  if (installed === undefined) { t.skip('tshark is not installed'); return true; }
  if (installed !== recorded) { t.skip(`installed ${installed} differs from recorded ${recorded}`); return true; }
  return false;
}

test('a fresh tshark run reproduces streams and conversations of sample captures', (t) => {
  if (!existsSync(pcapsDir)) { t.skip(`shared captures not found at ${pcapsDir}`); return; }
  if (skipUnlessSameTshark(t, expectations.tsharkVersion)) return;
  const samples = [
    'chrissanders-packets/ppa1e/ftpclientdenied.pcap', // SYN-only connection
    'jovair1994-Intro_Traffic_Analysis/ftp.pcapng', // port reuse: streams > 4-tuples
    'zeek/globus-url-copy.pcap', // decode-as option
    'aliawa-saved_pcaps/ftp_eprt.pcap', // VLAN + NAT views
    'ndpi/fuzz-2006-06-26-2594.pcap', // UDP stream spanning several address pairs
  ];
  for (const file of samples) {
    const e = expectations.captures[file];
    const extra = e.tsharkExtraOptions === '' ? [] : e.tsharkExtraOptions.split(' ');
    const full = path.join(pcapsDir, file);
    const fields = tshark(['-r', full, ...extra, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'tcp.stream', '-e', 'frame.protocols'])
      .trimEnd().split('\n');
    assert.equal(fields.length, e.packets, `${file}: packets`);
    const streams = new Set(fields.flatMap((line) => line.split('\t')[0].split(',').filter((s) => s !== '')));
    assert.equal(streams.size, e.tcpStreams, `${file}: tcp.stream values`);
    assert.equal(fields.filter((line) => /(^|:)tcp(:|$)/.test(line.split('\t')[1])).length, e.tcpPackets, `${file}: TCP packets`);
    const conv = tshark(['-r', full, ...extra, '-q', '-z', 'conv,tcp', '-z', 'conv,udp']);
    const rows = { tcp: 0, udp: 0 };
    let section: 'tcp' | 'udp' | '' = '';
    for (const line of conv.split('\n')) {
      if (line.startsWith('TCP Conversations')) section = 'tcp';
      else if (line.startsWith('UDP Conversations')) section = 'udp';
      else if (section !== '' && line.includes('<->')) rows[section]++;
    }
    assert.equal(rows.tcp, e.tcpConversations, `${file}: conv,tcp rows`);
    assert.equal(rows.udp, e.udpConversations, `${file}: conv,udp rows`);
  }
});

test('the crafted probes still produce the recorded tcp.stream assignment', (t) => {
  if (skipUnlessSameTshark(t, rules.tsharkVersion)) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'flowsh-probes-'));
  try {
    writeProbeCaptures(dir);
    assert.deepEqual(Object.keys(rules.probes).sort(), PROBES.map((p) => p.name).sort());
    for (const probe of PROBES) {
      const streams = tshark(['-r', path.join(dir, `${probe.name}.pcap`), '-T', 'fields', '-e', 'tcp.stream'])
        .trimEnd().split('\n').map(Number);
      assert.deepEqual(streams, rules.probes[probe.name].tcpStreamPerPacket, probe.name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
