// The command line as a user runs it: statements, formats, scripts, stdin, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SAMPLE = join(ROOT, 'samples/ftp-passive-dns.pcap');

function flowsh(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT, input: input ?? '', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('-e runs statements in order and prints TSV with one header row when stdout is not a terminal', () => {
  const r = flowsh([SAMPLE, '-e', 'flows where port(21) select flowInd, dir, dstPort', '-e', 'packets where pktNo <= 2 select pktNo']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'flowInd\tdir\tdstPort\n4\tA\t21\n4\tB\t52875\npktNo\n1\n2\n');
});

test('--format csv and json (JSON Lines, flags as numbers, exact timestamps)', () => {
  const csv = flowsh([SAMPLE, '--format', 'csv', '-e', 'flows where dstPort == 21 select srcIP, dstIP, hdrDesc']);
  assert.equal(csv.out, 'srcIP,dstIP,hdrDesc\n192.0.2.10,192.0.2.180,eth:ipv4:tcp\n');
  const json = flowsh([SAMPLE, '--format', 'json', '-e', 'flows where dstPort == 21 select flowStat, timeFirst, numPktsSnt']);
  const lines = json.out.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^\{"flowStat":288230376151728128,"timeFirst":\d{10}\.\d{6},"numPktsSnt":\d+\}$/);
});

test('report --format json has the documented keys and agrees with the flows table', () => {
  const r = flowsh([SAMPLE, '--format', 'json', '-e', 'report']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  for (const key of ['packets', 'bytes', 'flows', 'ipv4Packets', 'ipv6Packets', 'tcpPackets', 'udpPackets', 'firstTime', 'lastTime']) {
    assert.ok(key in report, `report has ${key}`);
  }
  const rows = flowsh([SAMPLE, '-e', 'flows select flowInd']).out.trim().split('\n').length - 1;
  assert.equal(report.flows, rows);
  assert.equal(report.packets, report.ipv4Packets + report.ipv6Packets + report.l2Packets);
  assert.ok(report.tcpPackets > 0 && report.udpPackets > 0);
});

test('-f runs a script file with comments, ; and continuation lines; statements piped on stdin run too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-cli-'));
  try {
    const script = join(dir, 'triage.fsh');
    writeFileSync(script, '# count the FTP control rows\nflows where port(21) select flowInd; flows where (\n  dstPort == 53) select dstPort\n');
    const r = flowsh([SAMPLE, '-f', script]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'flowInd\n4\n4\ndstPort\n53\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const piped = flowsh([SAMPLE], 'flows where dstPort == 53 select srcPort\n');
  assert.equal(piped.code, 0, piped.err);
  assert.match(piped.out, /^srcPort\n\d+\n$/);
});

test('a failing statement prints the caret and suggestions, the others still run, exit status 1', () => {
  const r = flowsh([SAMPLE, '-e', 'flows where srcIPP == 192.0.2.1', '-e', 'flows where dstPort == 53 select dstPort']);
  assert.equal(r.code, 1);
  assert.equal(r.out, 'dstPort\n53\n');
  assert.equal(r.err, 'flows where srcIPP == 192.0.2.1\n            ^^^^^^\nunknown column \'srcIPP\' in table flows; did you mean srcIP?\n');
});

test('an unreadable capture exits 2 with one line naming the file; bad usage exits 2', () => {
  const missing = flowsh([join(ROOT, 'no-such.pcap'), '-e', 'report']);
  assert.equal(missing.code, 2);
  assert.equal(missing.err.trim().split('\n').length, 1);
  assert.match(missing.err, /no-such\.pcap/);
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-cli-'));
  try {
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, 'this is not a capture at all, just text\n');
    const bad = flowsh([junk, '-e', 'report']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /junk\.pcap.*byte offset 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(flowsh(['--format', 'xml', SAMPLE]).code, 2);
  assert.equal(flowsh(['a.pcap', 'b.pcap']).code, 2);
});

test('statements that need no capture work without one; queries say a capture is needed', () => {
  const r = flowsh(['-e', 'explain flowStat=0x0400000000004001']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Inverted flow/);
  assert.match(r.out, /IPv4 flow/);
  const q = flowsh(['-e', 'flows limit 1']);
  assert.equal(q.code, 1);
  assert.match(q.err, /no capture loaded/);
});

test('--timing reports the load and each statement on stderr; --help and --version', () => {
  const r = flowsh([SAMPLE, '--timing', '-e', 'report', '-e', 'flows limit 1']);
  assert.equal(r.code, 0);
  assert.match(r.err, /^load: \d+\.\d ms\nstatement 1: \d+\.\d ms\nstatement 2: \d+\.\d ms\n$/);
  const help = flowsh(['--help']);
  assert.equal(help.code, 0);
  for (const word of ['-e STATEMENT', '--format', 'explain COLUMN', 'bitsanyset(', 'e.g. load']) assert.ok(help.out.includes(word), word);
  assert.match(flowsh(['--version']).out, /^flowsh \d+\.\d+\.\d+\n$/);
});

test('help TOPIC reads the schema: columns with their bit tables, functions, statements', () => {
  const r = flowsh(['-e', 'help flowStat', '-e', 'help port', '-e', 'help flows', '-e', 'help flowStatt']);
  assert.match(r.out, /0x0000000000000040 +ARP +ARP/);
  assert.match(r.out, /port\(spec\)/);
  assert.match(r.out, /numBytesSnt +u64/);
  assert.match(r.out, /did you mean flowStat/);
});

test('the bundle built by npm install runs', { skip: !existsSync(join(ROOT, 'dist/flowsh.mjs')) && 'dist/flowsh.mjs not built (npm install builds it)' }, () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/flowsh.mjs'), SAMPLE, '-e', 'flows where dstPort == 21 select dstPort'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'dstPort\n21\n');
});

test('open errors say why in plain words, without repeating the path', () => {
  const r = flowsh([join(ROOT, 'no-such.pcap'), '-e', 'report']);
  assert.equal(r.err, `flowsh: ${join(ROOT, 'no-such.pcap')}: byte offset 0: cannot open: no such file\n`);
});

test('follow flow: the conversation in order; raw gives the transferred bytes unchanged', () => {
  const control = flowsh([SAMPLE, '-e', 'follow flow 4']);
  assert.equal(control.code, 0, control.err);
  const lines = control.out.split('\n');
  assert.equal(lines[0], 'Follow flow 4: A 192.0.2.10:52875 <-> B 192.0.2.180:21');
  assert.equal(lines[1], 'B> 220 (vsFTPd 3.0.5)\\r');
  assert.equal(lines[2], 'A> USER alice\\r');
  const announced = /150 Opening BINARY mode data connection for \S+ \((\d+) bytes\)/.exec(control.out);
  assert.ok(announced, 'the RETR reply announces the size');
  const raw = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), SAMPLE, '-e', 'follow flow 5 dir B as raw'], { cwd: ROOT });
  assert.equal(raw.status, 0, String(raw.stderr));
  assert.equal(raw.stdout.length, Number(announced[1]));
  const missing = flowsh([SAMPLE, '-e', 'follow flow 99']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /there is no flow 99/);
});

test('packets ... as tcpdump prints what tcpdump -nn -tt -S prints, up to the length', { skip: spawnSync('tcpdump', ['--version']).status !== 0 && 'tcpdump not installed' }, () => {
  const ours = flowsh([SAMPLE, '-e', 'packets where tcp() as tcpdump']);
  assert.equal(ours.code, 0, ours.err);
  const theirs = spawnSync('tcpdump', ['-nn', '-tt', '-S', '-r', SAMPLE, 'tcp'], { encoding: 'utf8' }).stdout
    .trim().split('\n').map((line) => line.replace(/(, length \d+).*$/, '$1'));
  assert.deepEqual(ours.out.trim().split('\n'), theirs);
  const wrong = flowsh([SAMPLE, '-e', 'flows as tcpdump', '-e', 'packets as pcap']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /use it with the packets table/);
  assert.match(wrong.err, /not as 'pcap'/);
});

test('carve from the command line: files.carvedAs and the report show what was written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-cli-carve-'));
  try {
    const out = join(dir, 'carved');
    const r = flowsh([SAMPLE, '--format', 'json', '-e', `carve where command == "RETR" to ${out}`, '-e', 'files select dataFlow, carvedAs', '-e', 'report']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    const carved = JSON.parse(lines[0]!);
    assert.equal(carved.verdict, 'complete');
    const files = lines.slice(1, -1).map((l) => JSON.parse(l));
    const retr = files.find((f) => f.dataFlow === carved.dataFlow);
    assert.equal(retr.carvedAs, join(realpathSync(dir), 'carved', carved.carvedAs));
    assert.ok(files.some((f) => f.dataFlow !== carved.dataFlow && f.carvedAs === ''), 'the LIST was not selected');
    assert.equal(readFileSync(retr.carvedAs).length, carved.bytes);
    const report = JSON.parse(lines.at(-1)!);
    assert.equal(report.analyzerLines['Files carved'], 1);
    assert.equal(report.analyzerLines['Bytes carved'], carved.bytes);
    assert.match(r.err, /carved 1 of 1 transfers/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
