/**
 * `npm run bench`: load speed, peak memory and query times of flowsh on synthetic captures, beside
 * reference tools found on this machine (a libpcap read loop, capinfos, tshark).
 *
 * Everything happens in a fresh temp folder (removed at the end). Each capture is loaded in its own
 * child process so the peak RSS reported is that load's own. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSyntheticCapture, type SyntheticCaptureOptions, type SyntheticCaptureSummary } from './synth.ts';
import { loadCapture } from '../src/store/load.ts';
import { runStatement } from '../src/query/index.ts';
import type { Table } from '../src/store/table.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
const CHILD_RESULT_PREFIX = 'BENCH_CHILD_RESULT ';
const MB = 1e6;

// ---------------------------------------------------------------------------------------------
// options

export interface BenchOptions {
  /** packets of the base capture; a second capture has twice as many */
  readonly packets: number;
  readonly quick: boolean;
  /** also build and load a capture with `concurrentFlows` flows all open at once */
  readonly concurrent: boolean;
  readonly concurrentFlows: number;
  /** timed runs per query (after one untimed first run) */
  readonly runs: number;
  /** run libpcap / capinfos / tshark references */
  readonly tools: boolean;
  /** packets of the (smaller) capture tshark reads; tshark dissects everything and is slow */
  readonly tsharkPackets: number;
  /** CPU-profile one load of the base capture and print the self-time top 10 */
  readonly profile: boolean;
  /** keep the temp folder (its path is printed) */
  readonly keep: boolean;
  /** also write the result tables as Markdown to this file */
  readonly markdown?: string;
  readonly help: boolean;
}

export const DEFAULT_PACKETS = 2_000_000;
export const QUICK_PACKETS = 200_000;
/** every synthetic capture has one flow per this many packets (synth's own default ratio) */
export const PACKETS_PER_FLOW = 20;
const MIN_PACKETS = 1_000;

export const USAGE = `usage: npm run bench -- [options]
  --packets N          packets in the base capture (default ${DEFAULT_PACKETS}; env BENCH_PACKETS); a second capture has 2N
  --quick              ${QUICK_PACKETS} packets, fewer runs, small tshark capture: a fast check
  --concurrent         also load a capture with 1,000,000 flows open at once (100,000 with --quick)
  --concurrent-flows N flows of that capture (implies --concurrent)
  --runs N             timed runs per query, median reported (default 7, quick 3)
  --tshark-packets N   packets of the capture tshark reads (default 200000, quick 20000)
  --no-tools           skip the reference tools (libpcap loop, capinfos, tshark)
  --profile            CPU-profile one load of the base capture, print the self-time top 10
  --markdown FILE      also write the result tables as Markdown
  --keep               keep the temp folder
  --help               this text`;

function positiveInteger(flag: string, text: string | undefined, min = 1): number {
  if (text === undefined || !/^\d[\d_]*$/.test(text)) throw new Error(`${flag} needs a whole number, got ${text === undefined ? 'nothing' : `'${text}'`}`);
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${flag} must be at least ${min}`);
  return n;
}

/** Command line and environment -> options. Throws Error with a message for the user. */
export function parseBenchArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): BenchOptions {
  let packets: number | undefined;
  let quick = false, concurrent = false, tools = true, profile = false, keep = false, help = false;
  let concurrentFlows: number | undefined, runs: number | undefined, tsharkPackets: number | undefined;
  let markdown: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--packets': packets = positiveInteger(flag, value(), MIN_PACKETS); break;
      case '--quick': quick = true; break;
      case '--concurrent': concurrent = true; break;
      case '--concurrent-flows': concurrent = true; concurrentFlows = positiveInteger(flag, value()); break;
      case '--runs': runs = positiveInteger(flag, value()); break;
      case '--tshark-packets': tsharkPackets = positiveInteger(flag, value(), MIN_PACKETS); break;
      case '--no-tools': tools = false; break;
      case '--profile': profile = true; break;
      case '--keep': keep = true; break;
      case '--markdown': markdown = value(); if (!markdown) throw new Error('--markdown needs a file name'); break;
      case '--help': case '-h': help = true; break;
      default: throw new Error(`unknown option '${arg}'\n${USAGE}`);
    }
  }
  if (packets === undefined && env.BENCH_PACKETS !== undefined && env.BENCH_PACKETS !== '') {
    packets = positiveInteger('BENCH_PACKETS', env.BENCH_PACKETS, MIN_PACKETS);
  }
  packets ??= quick ? QUICK_PACKETS : DEFAULT_PACKETS;
  return {
    packets, quick, concurrent, tools, profile, keep, help,
    concurrentFlows: concurrentFlows ?? (quick ? 100_000 : 1_000_000),
    runs: runs ?? (quick ? 3 : 7),
    tsharkPackets: Math.min(packets, tsharkPackets ?? (quick ? 20_000 : 200_000)),
    ...(markdown !== undefined ? { markdown } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// child process: load one capture, time the queries, report as one JSON line

/** The fixed queries; the port matches one of synth's server ports. */
export const QUERIES: readonly { readonly name: string; readonly text: string }[] = [
  { name: 'flows: bit test + port, top 10', text: 'flows where bitsanyset(flowStat, 0x4000) and port(80) sort numBytesSnt desc limit 10' },
  { name: 'flows: projection, sort all rows', text: 'flows select flowInd, dir, srcIP, srcPort, dstIP, dstPort, numBytesSnt sort numBytesSnt desc' },
  { name: 'flows: group by port', text: 'flows select dstPort, count(), sum(numBytesSnt) group by dstPort sort dstPort' },
  { name: 'packets: filter', text: 'packets where srcPort == 443 and l7Len > 1000' },
];
const HAND_LOOP_NAME = 'flows: same top 10, hand-written loop';

interface ChildRequest {
  readonly file: string;
  readonly runs: number;
  readonly profile: boolean;
}

interface QueryTiming {
  readonly name: string;
  readonly text: string;
  readonly totalRows: number;
  readonly firstMs: number;
  readonly medianMs: number;
  readonly minMs: number;
  /** hand loop only: whether it picked exactly the rows the engine picked */
  readonly sameRowsAsEngine?: boolean;
}

interface ProfileEntry {
  readonly selfMs: number;
  readonly percent: number;
  readonly functionName: string;
  readonly location: string;
}

interface ChildResult {
  readonly loadSeconds: number;
  readonly packets: number;
  readonly flowRows: number;
  /** RSS high-water mark before the load (node + tsx + modules) and right after it, KiB */
  readonly baselineRssKiB: number;
  readonly peakRssKiB: number;
  readonly heapUsedBytes: number;
  readonly arrayBufferBytes: number;
  readonly queries: readonly QueryTiming[];
  readonly profile?: readonly ProfileEntry[];
}

/** Peak resident set so far, KiB: VmHWM where /proc exists, else getrusage's maxrss. */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function timeRuns(runs: number, body: () => number): { totalRows: number; firstMs: number; medianMs: number; minMs: number } {
  let t = performance.now();
  const totalRows = body();
  const firstMs = performance.now() - t;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    body();
    times.push(performance.now() - t);
  }
  return { totalRows, firstMs, medianMs: median(times), minMs: Math.min(...times) };
}

/**
 * The first query written by hand over the column arrays: what the engine could at best do.
 * Returns the matching row count and the top rows (ties by row index, as the engine breaks them).
 */
function handTopTen(flows: Table): { matched: number; rows: number[] } | undefined {
  const stat = flows.column('flowStat')?.bigints;
  const src = flows.column('srcPort')?.numbers, dst = flows.column('dstPort')?.numbers;
  const bytes = flows.column('numBytesSnt')?.numbers;
  if (!(stat instanceof BigUint64Array) || !src || !dst || !bytes) return undefined;
  const statWords = new Uint32Array(stat.buffer, stat.byteOffset, stat.length * 2);
  const limit = 10;
  const top: number[] = []; // best first
  const better = (a: number, b: number): boolean => bytes[a]! > bytes[b]! || (bytes[a] === bytes[b] && a < b);
  let matched = 0;
  for (let r = 0, n = flows.rowCount; r < n; r++) {
    if ((statWords[2 * r]! & 0x4000) === 0 || (src[r] !== 80 && dst[r] !== 80)) continue;
    matched++;
    if (top.length === limit && !better(r, top[limit - 1]!)) continue;
    let i = top.length === limit ? limit - 1 : top.length;
    while (i > 0 && better(r, top[i - 1]!)) { top[i] = top[i - 1]!; i--; }
    top[i] = r;
  }
  return { matched, rows: top };
}

/** Self time per function of a V8 CPU profile, locations mapped back to the TypeScript sources. */
function summariseProfile(profile: {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples?: number[]; timeDeltas?: number[];
}, top: number): ProfileEntry[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, { us: number; functionName: string; location: string }>();
  const samples = profile.samples ?? [], deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; the time after it (next delta) is what it stands for
    const us = deltas[i + 1] ?? 0;
    const node = byId.get(samples[i]!);
    if (!node) continue;
    totalUs += us;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let location = url ? url.replace(/^file:\/\//, '') : '';
    if (url) {
      const entry = findSourceMap(url)?.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
      if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
        location = `${entry.originalSource.replace(/^file:\/\//, '')}:${entry.originalLine + 1}`;
      } else if (lineNumber >= 0) location += `:${lineNumber + 1}`;
      if (location.startsWith(REPO_ROOT + path.sep)) location = location.slice(REPO_ROOT.length + 1);
    }
    const name = functionName || '(anonymous)';
    const key = `${name}\u0000${location}`;
    const e = selfUs.get(key);
    if (e) e.us += us;
    else selfUs.set(key, { us, functionName: name, location });
  }
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ selfMs: e.us / 1000, percent: totalUs ? (100 * e.us) / totalUs : 0, functionName: e.functionName, location: e.location }));
}

async function childMain(request: ChildRequest): Promise<void> {
  const baselineRssKiB = peakRssKiB();
  let session: Session | undefined;
  if (request.profile) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const started = performance.now();
  const capture = await loadCapture(request.file);
  const loadSeconds = (performance.now() - started) / 1000;
  const peak = peakRssKiB();
  const memory = process.memoryUsage();
  let profile: ProfileEntry[] | undefined;
  if (session) {
    const { profile: cpuProfile } = await session.post('Profiler.stop');
    profile = summariseProfile(cpuProfile, 10);
    session.disconnect();
  }
  const queries: QueryTiming[] = [];
  if (!request.profile) {
    const engineRows: Int32Array[] = [];
    for (const q of QUERIES) {
      const timing = timeRuns(request.runs, () => {
        const { result } = runStatement(q.text, capture.catalog);
        if (!result) throw new Error(`query produced no result: ${q.text}`);
        engineRows.push(result.rows);
        return result.totalRows;
      });
      queries.push({ name: q.name, text: q.text, ...timing });
    }
    const topTenRows = engineRows[0];
    const hand = handTopTen(capture.flows);
    if (hand && topTenRows) {
      const timing = timeRuns(request.runs, () => handTopTen(capture.flows)!.matched);
      queries.push({
        name: HAND_LOOP_NAME, text: '(TypeScript loop over the column arrays, not the engine)', ...timing,
        sameRowsAsEngine: hand.rows.length === topTenRows.length && hand.rows.every((r, i) => r === topTenRows[i]),
      });
    }
    engineRows.length = 0;
  }
  const result: ChildResult = {
    loadSeconds, packets: capture.packets.rowCount, flowRows: capture.flows.rowCount,
    baselineRssKiB, peakRssKiB: peak, heapUsedBytes: memory.heapUsed, arrayBufferBytes: memory.arrayBuffers,
    queries, ...(profile ? { profile } : {}),
  };
  capture.close();
  process.stdout.write(CHILD_RESULT_PREFIX + JSON.stringify(result) + '\n');
}

// ---------------------------------------------------------------------------------------------
// parent: captures, children, reference tools, tables

interface CaptureSpec {
  readonly label: string;
  readonly file: string;
  readonly options: SyntheticCaptureOptions;
}

interface BuiltCapture extends CaptureSpec {
  readonly summary: SyntheticCaptureSummary;
  readonly buildSeconds: number;
}

interface LoadRow {
  readonly capture: BuiltCapture;
  readonly tool: string;
  readonly seconds?: number;
  readonly peakRssKiB?: number;
  readonly note?: string;
}

interface QueryRow {
  readonly capture: BuiltCapture;
  readonly timing: QueryTiming;
}

const problems: string[] = [];

function log(line = ''): void {
  process.stdout.write(line + '\n');
}

function onPath(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, tool);
    if (existsSync(full)) return full;
  }
  return undefined;
}

/** Runs a reference tool; with /usr/bin/time its peak RSS is recorded too. */
function runTool(workDir: string, command: string, args: readonly string[]): { ok: boolean; seconds: number; peakRssKiB?: number; stdout: string; stderr: string } {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const timeOut = path.join(workDir, 'time.out');
  const started = performance.now();
  const run = timeBin
    ? spawnSync(timeBin, ['-o', timeOut, '-f', '%e %M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - started) / 1000;
  let peakRssKiB: number | undefined;
  if (timeBin && existsSync(timeOut)) {
    const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(readFileSync(timeOut, 'utf8'));
    if (m) peakRssKiB = Number(m[2]);
    rmSync(timeOut, { force: true });
  }
  return { ok: run.status === 0, seconds, ...(peakRssKiB !== undefined ? { peakRssKiB } : {}), stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}

function buildCapture(spec: CaptureSpec): BuiltCapture {
  const started = performance.now();
  const summary = writeSyntheticCapture(spec.file, spec.options);
  const buildSeconds = (performance.now() - started) / 1000;
  log(`  ${spec.label}: ${fmtInt(summary.packets)} packets, ${fmtInt(summary.flows)} flows, ${fmtMB(summary.fileBytes)} MB, written in ${buildSeconds.toFixed(1)} s`);
  return { ...spec, summary, buildSeconds };
}

function loadInChild(capture: BuiltCapture, runs: number, profile: boolean): ChildResult | undefined {
  const request: ChildRequest = { file: capture.file, runs, profile };
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', JSON.stringify(request)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26,
  });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith(CHILD_RESULT_PREFIX));
  if (child.status !== 0 || !line) {
    problems.push(`flowsh load of ${capture.label} failed (exit ${child.status ?? child.signal})`);
    log(`  flowsh load of ${capture.label} FAILED (exit ${child.status ?? child.signal})`);
    return undefined;
  }
  return JSON.parse(line.slice(CHILD_RESULT_PREFIX.length)) as ChildResult;
}

function flowshLoadRow(capture: BuiltCapture, result: ChildResult): LoadRow {
  return {
    capture, tool: 'flowsh loadCapture', seconds: result.loadSeconds, peakRssKiB: result.peakRssKiB,
    note: `${fmtInt(result.flowRows)} flow rows; RSS before load ${fmtMB(kibToBytes(result.baselineRssKiB))} MB`,
  };
}

function fmtInt(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
function fmtMB(bytes: number): string {
  return (bytes / MB).toFixed(bytes < 10 * MB ? 2 : 0);
}
function fmtRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}
function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}
const kibToBytes = (kib: number): number => kib * 1024;

/** Plain-text table with right-aligned numbers; also renders Markdown. */
function renderTable(header: readonly string[], numeric: readonly boolean[], rows: readonly (readonly string[])[], markdown: boolean): string {
  if (markdown) {
    const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, c) => (numeric[c] ? '---:' : '---')).join('|')}|`];
    for (const r of rows) lines.push(`| ${r.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`);
    return lines.join('\n');
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function loadTable(rows: readonly LoadRow[], markdown: boolean): string {
  const header = ['capture', 'packets', 'file MB', 'tool', 'seconds', 'packets/s', 'MB/s', 'peak RSS MB', 'RSS/file', 'note'];
  const numeric = [false, true, true, false, true, true, true, true, true, false];
  return renderTable(header, numeric, rows.map((r) => {
    const s = r.capture.summary;
    const rss = r.peakRssKiB === undefined ? undefined : kibToBytes(r.peakRssKiB);
    return [
      r.capture.label, fmtInt(s.packets), fmtMB(s.fileBytes), r.tool,
      r.seconds === undefined ? '-' : r.seconds.toFixed(2),
      r.seconds ? fmtRate(s.packets / r.seconds) : '-',
      r.seconds ? (s.fileBytes / MB / r.seconds).toFixed(1) : '-',
      rss === undefined ? '-' : fmtMB(rss),
      rss === undefined ? '-' : `${(rss / s.fileBytes).toFixed(2)}x`,
      r.note ?? '',
    ];
  }), markdown);
}

function queryTable(rows: readonly QueryRow[], markdown: boolean): string {
  const header = ['capture', 'query', 'rows matched', 'first ms', 'median ms', 'min ms', 'note'];
  return renderTable(header, [false, false, true, true, true, true, false], rows.map(({ capture, timing }) => [
    capture.label, timing.name, fmtInt(timing.totalRows), fmtMs(timing.firstMs), fmtMs(timing.medianMs), fmtMs(timing.minMs),
    timing.sameRowsAsEngine === undefined ? '' : timing.sameRowsAsEngine ? 'same rows as engine' : 'ROWS DIFFER FROM ENGINE',
  ]), markdown);
}

function profileTable(entries: readonly ProfileEntry[], markdown: boolean): string {
  return renderTable(['self ms', 'self %', 'function', 'location'], [true, true, false, false], entries.map((e) => [
    e.selfMs.toFixed(0), e.percent.toFixed(1), e.functionName, e.location || '(native / VM)',
  ]), markdown);
}

function machineLines(loadStart: readonly number[], loadEnd: readonly number[]): string[] {
  const cpus = os.cpus();
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`,
    `node ${process.version}; load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`
      + (Math.max(loadStart[0]!, loadEnd[0]!) > cpus.length * 0.5 ? ` (the ${cpus.length} cores were shared with other work during the run)` : ''),
  ];
}

function check(condition: boolean, message: string): void {
  if (!condition) {
    problems.push(message);
    log(`  MISMATCH: ${message}`);
  }
}

async function main(options: BenchOptions): Promise<void> {
  const loadStart = os.loadavg();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'flowsh-bench-'));
  let cleaned = false;
  const cleanup = (): void => {
    if (cleaned || options.keep) return;
    cleaned = true;
    rmSync(workDir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => { cleanup(); process.exit(130); });
  }
  const benchStarted = performance.now();
  log(`flowsh benchmark: ${options.quick ? 'quick, ' : ''}${fmtInt(options.packets)} packets base, runs ${options.runs}, temp folder ${workDir}`);

  // 1. captures (flows grow with packets, so the 2x capture has the same shape)
  log('\nbuilding synthetic captures (bench/synth.ts):');
  const spec = (label: string, file: string, packets: number, extra: SyntheticCaptureOptions = {}): CaptureSpec =>
    ({ label, file: path.join(workDir, file), options: { packets, flows: Math.max(1, Math.floor(packets / PACKETS_PER_FLOW)), seed: 1, ...extra } });
  const base = buildCapture(spec('1x', 'base.pcap', options.packets));
  const double = buildCapture(spec('2x', 'double.pcap', 2 * options.packets));
  const concurrent = options.concurrent
    ? buildCapture(spec('all-open', 'concurrent.pcap', options.concurrentFlows * 7, { flows: options.concurrentFlows, layout: 'allOpen' }))
    : undefined;
  const tsharkBin = options.tools ? onPath('tshark') : undefined;
  const tsharkCapture = tsharkBin
    ? options.tsharkPackets === options.packets ? base : buildCapture(spec('tshark', 'tshark.pcap', options.tsharkPackets))
    : undefined;
  const captures = [base, double, ...(concurrent ? [concurrent] : [])];

  const loadRows: LoadRow[] = [];
  const queryRows: QueryRow[] = [];
  const notes: string[] = [];
  const flowshResults = new Map<BuiltCapture, ChildResult>();

  // 2 + 3. flowsh loads and queries, one child process each
  log('\nflowsh: loadCapture + queries, one child process per capture:');
  for (const capture of captures) {
    const result = loadInChild(capture, options.runs, false);
    if (!result) { loadRows.push({ capture, tool: 'flowsh loadCapture', note: 'FAILED' }); continue; }
    flowshResults.set(capture, result);
    log(`  ${capture.label}: ${result.loadSeconds.toFixed(2)} s, peak RSS ${fmtMB(kibToBytes(result.peakRssKiB))} MB (node+modules before load ${fmtMB(kibToBytes(result.baselineRssKiB))} MB), `
      + `after load: JS heap ${fmtMB(result.heapUsedBytes)} MB, array buffers ${fmtMB(result.arrayBufferBytes)} MB`);
    check(result.packets === capture.summary.packets, `${capture.label}: flowsh loaded ${result.packets} packets, synth wrote ${capture.summary.packets}`);
    check(result.flowRows === 2 * capture.summary.flows, `${capture.label}: flowsh has ${result.flowRows} flow rows, expected 2 x ${capture.summary.flows} (A and B)`);
    loadRows.push(flowshLoadRow(capture, result));
    for (const timing of result.queries) {
      queryRows.push({ capture, timing });
      if (timing.sameRowsAsEngine === false) problems.push(`${capture.label}: hand-written loop and engine disagree on the top 10`);
    }
  }
  const r1 = flowshResults.get(base), r2 = flowshResults.get(double);
  if (r1 && r2) {
    const timeRatio = r2.loadSeconds / r1.loadSeconds;
    const rssRatio = (r2.peakRssKiB - r2.baselineRssKiB) / (r1.peakRssKiB - r1.baselineRssKiB);
    notes.push(`linearity: 2x packets took ${timeRatio.toFixed(2)}x the load time and ${rssRatio.toFixed(2)}x the RSS growth (peak minus the pre-load RSS); 2.00x is linear`);
  }

  // 4. reference tools
  if (options.tools) {
    log('\nreference tools:');
    const cc = onPath('cc');
    let pcapread: string | undefined;
    if (!cc) notes.push('libpcap read loop skipped: no C compiler (cc) on PATH');
    else if (!existsSync('/usr/include/pcap/pcap.h') && !existsSync('/usr/include/pcap.h')) {
      notes.push('libpcap read loop skipped: libpcap headers missing (apt-get install -y libpcap-dev)');
    } else {
      pcapread = path.join(workDir, 'pcapread');
      const build = spawnSync(cc, ['-O2', '-o', pcapread, path.join(BENCH_DIR, 'pcapread.c'), '-lpcap'], { encoding: 'utf8' });
      if (build.status !== 0) {
        notes.push(`libpcap read loop skipped: cc failed: ${(build.stderr ?? '').trim().split('\n')[0] ?? ''}`);
        pcapread = undefined;
      }
    }
    for (const capture of captures) {
      if (pcapread) {
        const run = runTool(workDir, pcapread, [capture.file]);
        const out = run.ok ? JSON.parse(run.stdout) as { packets: number; seconds: number; maxRssKiB: number } : undefined;
        if (out) {
          check(out.packets === capture.summary.packets, `${capture.label}: libpcap read ${out.packets} packets, synth wrote ${capture.summary.packets}`);
          loadRows.push({ capture, tool: 'libpcap read loop (C)', seconds: out.seconds, peakRssKiB: out.maxRssKiB });
        } else loadRows.push({ capture, tool: 'libpcap read loop (C)', note: `FAILED: ${run.stderr.trim()}` });
        log(`  ${capture.label}: libpcap loop ${out ? `${out.seconds.toFixed(2)} s` : 'failed'}`);
      }
      const capinfos = onPath('capinfos');
      if (capinfos) {
        // -M exact counts; asking for fields explicitly leaves out the SHA256/RIPEMD160/SHA1 hashes
        // capinfos computes by default, which would measure hashing rather than reading
        const run = runTool(workDir, capinfos, ['-M', '-c', '-s', '-d', '-u', capture.file]);
        const m = /Number of packets:\s+(\d+)/.exec(run.stdout);
        if (run.ok && m) check(Number(m[1]) === capture.summary.packets, `${capture.label}: capinfos counts ${m[1]} packets, synth wrote ${capture.summary.packets}`);
        loadRows.push({ capture, tool: 'capinfos -M -csdu', ...(run.ok ? { seconds: run.seconds } : {}), ...(run.peakRssKiB !== undefined ? { peakRssKiB: run.peakRssKiB } : {}), note: run.ok ? 'no hashes' : 'FAILED' });
        log(`  ${capture.label}: capinfos ${run.seconds.toFixed(2)} s`);
      }
    }
    if (!onPath('capinfos')) notes.push('capinfos skipped: not on PATH');
    if (tsharkBin && tsharkCapture) {
      const run = runTool(workDir, tsharkBin, ['-n', '-q', '-r', tsharkCapture.file, '-z', 'conv,tcp']);
      const conversations = run.stdout.split('\n').filter((l) => l.includes('<->')).length;
      if (run.ok) check(conversations === tsharkCapture.summary.flows, `tshark lists ${conversations} TCP conversations, synth wrote ${tsharkCapture.summary.flows} flows`);
      loadRows.push({
        capture: tsharkCapture, tool: 'tshark -q -z conv,tcp', ...(run.ok ? { seconds: run.seconds } : {}),
        ...(run.peakRssKiB !== undefined ? { peakRssKiB: run.peakRssKiB } : {}), note: run.ok ? `${fmtInt(conversations)} conversations` : 'FAILED',
      });
      log(`  ${tsharkCapture.label}: tshark ${run.seconds.toFixed(2)} s`);
      if (tsharkCapture !== base) {
        // the same small capture through flowsh, for a like-for-like figure
        const result = loadInChild(tsharkCapture, 1, false);
        if (result) loadRows.push(flowshLoadRow(tsharkCapture, result));
        notes.push(`tshark reads only the '${tsharkCapture.label}' capture (${fmtInt(tsharkCapture.summary.packets)} packets; --tshark-packets): it dissects every packet and is far slower`);
      }
    } else notes.push('tshark skipped: not on PATH');
    notes.push('reference tools are timed from process start to exit (/usr/bin/time when present, which also gives their peak RSS); the libpcap loop times itself; flowsh times loadCapture alone, without node startup');
  } else notes.push('reference tools skipped (--no-tools)');

  // optional CPU profile of one load
  let profile: readonly ProfileEntry[] | undefined;
  if (options.profile) {
    log('\nCPU profile of one load of the 1x capture:');
    profile = loadInChild(base, 0, true)?.profile;
  }

  // 5. tables
  const loadEnd = os.loadavg();
  const machine = machineLines(loadStart, loadEnd);
  notes.push('MB = 10^6 bytes; RSS/file = peak resident set of the process / capture file size; files were just written, so every tool read them from the page cache');
  const order = new Map(captures.map((c, i) => [c, i]));
  if (tsharkCapture) order.set(tsharkCapture, tsharkCapture === base ? 0 : captures.length);
  loadRows.sort((a, b) => order.get(a.capture)! - order.get(b.capture)!);

  log('\n' + '='.repeat(100));
  for (const line of machine) log(line);
  log('\nLoad (whole capture, one process each):');
  log(loadTable(loadRows, false));
  log('\nQueries (runStatement: parse + compile + run; median and min of the timed runs after a first run):');
  log(queryTable(queryRows, false));
  if (profile) {
    log('\nCPU profile of loadCapture on the 1x capture, self time top 10:');
    log(profileTable(profile, false));
  }
  log('');
  for (const note of notes) log(`- ${note}`);
  log(`\ntotal benchmark time ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
  if (problems.length) {
    log(`\n${problems.length} problem(s):`);
    for (const p of problems) log(`  ${p}`);
  }

  if (options.markdown) {
    const md = [
      ...machine.map((l) => `- ${l}`),
      '', `Command: \`npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}\``,
      '', '### Load', '', loadTable(loadRows, true),
      '', '### Queries', '', 'runStatement (parse + compile + run); median and min of the timed runs after a first run.', '', queryTable(queryRows, true),
      ...(profile ? ['', '### CPU profile of one load (1x), self time top 10', '', profileTable(profile, true)] : []),
      '', ...notes.map((n) => `- ${n}`),
      ...(problems.length ? ['', '### Problems', '', ...problems.map((p) => `- ${p}`)] : []),
      '',
    ].join('\n');
    writeFileSync(options.markdown, md);
    log(`\nMarkdown written to ${options.markdown}`);
  }
  if (options.keep) log(`temp folder kept: ${workDir}`);
  cleanup();
  if (problems.length) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await childMain(JSON.parse(args[1]!) as ChildRequest);
  } else {
    let options: BenchOptions;
    try {
      options = parseBenchArgs(args, process.env);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(2);
    }
    if (options.help) log(USAGE);
    else await main(options);
  }
}
