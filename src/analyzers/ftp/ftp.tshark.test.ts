/**
 * Cross-check against tshark on shared public captures: the control streams are rebuilt from
 * tshark's per-packet payloads (sequence numbers, gaps included), fed to the parsers, and every
 * command and reply code tshark shows must be found at the same stream offset. Skips when tshark
 * or /work/shared/pcaps (../shared/pcaps from the repository root) is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FtpCommandParser, type FtpCommandEvent } from './commands.ts';
import { FtpReplyParser, type FtpReplyEvent } from './replies.ts';
import { loginAttempts, type ExchangeItem } from './login.ts';
import { parseEprtArgument, parseEpsvReply, parsePasvReply, parsePortArgument, type DataEndpoint, type Parsed } from './endpoints.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const pcapDir = path.resolve(repoRoot, '..', 'shared', 'pcaps');

const CAPTURES = [
  'zeek/ftp/ipv4.pcap', // PASV and PORT
  'zeek/ftp/ipv6.pcap', // EPSV and EPRT over IPv6
  'zeek/ftp/ipv6-multiline-reply.pcap', // long multi-line banner split over segments
  'zeek/ftp/fake-server-delays-all.pcap', // pipelined commands, replies in a burst
  'zeek/ftp/ftp-invalid-reply-code.pcap', // `99 PASV invalid`
  'zeek/ftp/ftp-missing-reply-code.pcap', // `SYST not supported`
  'zeek/ftp/ftp-missing-space-after-reply-code.pcap', // `230_no_space`
  'zeek/ftp/cwd-navigation.pcap', // long session with control-channel gaps
  'zeek/ftp/bruteforce.pcap', // 30 failed logins
  'suricata-verify/ftp-epsv/input.pcap', // FEAT, MKD/RMD, SITE
  'zeek/ftp/ftp-auth-tls.pcap', // AUTH TLS: TLS records on the control connection
  'ndpi/ftp-start-tls.pcap', // AUTH TLS, then CCC: clear-text commands after the TLS records
  'suricata-verify/ruletype-firewall-117-ftp-all-data-ipv6/input.pcap', // every data command, EPSV/EPRT
];

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Segment {
  frame: number;
  seq: number;
  payload: Uint8Array;
  command: string;
  code: string;
  /** the data endpoint tshark decoded from this segment ("address port", "- port" for 229), '' if none */
  endpoint: string;
  /** tshark dissected the segment as FTP (it leaves retransmissions as plain TCP) */
  ftp: boolean;
}

interface Direction {
  stream: number;
  toServer: boolean;
  synSeq: number | undefined;
  segments: Segment[];
}

const directionCache = new Map<string, Direction[]>();

/** Per control-connection direction, the TCP segments with tshark's FTP fields (one tshark run per file). */
function readDirections(file: string): Direction[] {
  let directions = directionCache.get(file);
  if (!directions) directionCache.set(file, directions = runTshark(file));
  return directions;
}

function runTshark(file: string): Direction[] {
  const args = ['-r', file, '-n', '-Y', 'tcp.port == 21', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f',
    '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.dstport', '-e', 'tcp.seq_raw', '-e', 'tcp.flags.syn', '-e', 'tcp.payload',
    '-e', 'ftp.request.command', '-e', 'ftp.response.code', '-e', 'ftp.active.cip', '-e', 'ftp.active.port', '-e', 'ftp.passive.ip',
    '-e', 'ftp.passive.port', '-e', 'ftp.eprt.ip', '-e', 'ftp.eprt.ipv6', '-e', 'ftp.eprt.port', '-e', 'ftp.epsv.port', '-e', 'frame.protocols'];
  const output = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const directions = new Map<string, Direction>();
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const [frame, stream, dstPort, seq, syn, payload, command, code, activeIp, activePort, passiveIp, passivePort, eprtIp, eprtIp6, eprtPort, epsvPort, protocols] = line.split('\t');
    const endpoint = activePort ? `${activeIp} ${activePort}` : passivePort ? `${passiveIp} ${passivePort}`
      : eprtPort ? `${eprtIp || eprtIp6} ${eprtPort}` : epsvPort ? `- ${epsvPort}` : '';
    const toServer = dstPort === '21';
    const key = `${stream}/${toServer}`;
    let d = directions.get(key);
    if (!d) directions.set(key, d = { stream: Number(stream), toServer, synSeq: undefined, segments: [] });
    if (syn === '1' || syn === 'True') d.synSeq = Number(seq);
    if (payload) d.segments.push({ frame: Number(frame), seq: Number(seq), payload: Buffer.from(payload, 'hex'), command: command ?? '', code: code ?? '', endpoint, ftp: /:ftp$/.test(protocols ?? '') });
  }
  return [...directions.values()].filter((d) => d.segments.length > 0);
}

/** Signed 32-bit sequence difference a - b. */
const seqDiff = (a: number, b: number) => ((a - b) | 0);

/** Offsets relative to the stream start; segments are fed in order, overlaps trimmed, holes reported as gaps. */
function replay<E>(d: Direction, parser: { feed(c: Uint8Array, m?: number): E[]; gap(n: number): E[]; end(): E[] }): { events: E[]; offsets: Map<number, number> } {
  const base = d.synSeq !== undefined ? (d.synSeq + 1) >>> 0 : d.segments.reduce((min, s) => (seqDiff(s.seq, min) < 0 ? s.seq : min), d.segments[0]!.seq);
  const offsets = new Map<number, number>();
  const ordered = d.segments.map((s) => ({ s, offset: seqDiff(s.seq, base) })).filter((x) => x.offset >= 0).sort((a, b) => a.offset - b.offset);
  const events: E[] = [];
  let cursor = 0;
  for (const { s, offset } of ordered) {
    offsets.set(s.frame, offset);
    const end = offset + s.payload.length;
    if (end <= cursor) continue;
    if (offset > cursor) { events.push(...parser.gap(offset - cursor)); cursor = offset; }
    events.push(...parser.feed(s.payload.subarray(cursor - offset), s.frame));
    cursor = end;
  }
  events.push(...parser.end());
  return { events, offsets };
}

/** Where tshark decoded an endpoint ours must be the same; returns 1 when one was compared. */
function compareEndpoint(parsed: Parsed<DataEndpoint> | undefined, tshark: string, where: string): number {
  if (tshark === '') return 0;
  assert.ok(parsed?.ok, `${where}: tshark decodes ${tshark}, we: ${parsed && !parsed.ok ? parsed.error : 'nothing'}`);
  assert.equal(`${parsed.value.address ?? '-'} ${parsed.value.port}`, tshark, where);
  return 1;
}

test('commands and reply codes agree with tshark on shared captures', (t) => {
  if (!haveTshark()) { t.skip('tshark is not installed'); return; }
  if (!existsSync(pcapDir)) { t.skip(`${pcapDir} is missing`); return; }
  let checkedCommands = 0, checkedReplies = 0, losses = 0, endpoints = 0, tlsRuns = 0;
  for (const name of CAPTURES) {
    const file = path.join(pcapDir, name);
    if (!existsSync(file)) { t.diagnostic(`missing ${name}`); continue; }
    for (const d of readDirections(file)) {
      const where = `${name} stream ${d.stream} ${d.toServer ? 'client' : 'server'}`;
      if (d.toServer) {
        const { events, offsets } = replay<FtpCommandEvent<number>>(d, new FtpCommandParser<number>());
        const byOffset = new Map(events.flatMap((e) => (e.kind === 'command' ? [[e.offset, e] as const] : [])));
        const lost = events.filter((e) => e.kind === 'loss');
        losses += lost.length;
        tlsRuns += events.filter((e) => e.kind === 'tls').length;
        for (const s of d.segments) {
          if (s.command === '') continue;
          const offset = offsets.get(s.frame);
          if (offset === undefined) continue; // before the stream start we chose
          const command = byOffset.get(offset);
          if (command === undefined && lost.some((l) => l.offset <= offset && offset < l.end)) continue; // tshark reads a line we could not prove whole
          assert.ok(command, `${where} frame ${s.frame}: no command at offset ${offset}, tshark says ${s.command}`);
          assert.equal(command.verb, s.command.toUpperCase(), `${where} frame ${s.frame}`);
          checkedCommands++;
          const parsed = command.verb === 'PORT' ? parsePortArgument(command.arg) : command.verb === 'EPRT' ? parseEprtArgument(command.arg) : undefined;
          endpoints += compareEndpoint(parsed, s.endpoint, `${where} frame ${s.frame} ${command.verb} ${command.arg}`);
        }
      } else {
        const { events, offsets } = replay<FtpReplyEvent<number>>(d, new FtpReplyParser<number>());
        const replies = events.flatMap((e) => (e.kind === 'reply' ? [e] : []));
        losses += events.filter((e) => e.kind === 'loss').length;
        for (const s of d.segments) {
          const offset = offsets.get(s.frame);
          if (offset === undefined) continue;
          const reply = replies.find((r) => r.offset <= offset && offset < r.end);
          if (reply === undefined) {
            assert.ok(events.some((e) => e.kind !== 'reply' && e.offset <= offset && offset < e.end), `${where} frame ${s.frame}: no reply, loss or TLS at offset ${offset}`);
            continue;
          }
          if (s.code === '') {
            // a segment tshark dissected as FTP shows no code only where the line has none (a malformed reply)
            if (s.ftp && reply.offset === offset) assert.equal(reply.code, null, `${where} frame ${s.frame}: ${reply.text}`);
            continue;
          }
          assert.equal(reply.code, Number(s.code), `${where} frame ${s.frame}: ${reply.text}`);
          checkedReplies++;
          if (reply.offset !== offset) continue;
          const parsed = reply.code === 227 ? parsePasvReply(reply.message) : reply.code === 229 ? parseEpsvReply(reply.message) : undefined;
          endpoints += compareEndpoint(parsed, s.endpoint, `${where} frame ${s.frame} ${reply.text}`);
        }
      }
    }
  }
  t.diagnostic(`${checkedCommands} commands, ${checkedReplies} reply segments, ${endpoints} endpoints, ${losses} losses, ${tlsRuns} client TLS runs`);
  assert.ok(checkedCommands > 500 && checkedReplies > 500, 'the captures were actually read');
  assert.ok(losses > 0, 'cwd-navigation.pcap has control-channel gaps');
  assert.ok(endpoints > 50, 'PORT, 227, EPRT and 229 endpoints were compared');
  assert.ok(tlsRuns >= 2, 'TLS after AUTH TLS was recognised');
});

/** Per control connection, commands and replies merged in capture order (by the frame holding each line's start). */
function sessions(file: string): ExchangeItem[][] {
  const byStream = new Map<number, { frame: number; offset: number; item: ExchangeItem }[]>();
  for (const d of readDirections(file)) {
    const { events } = d.toServer
      ? replay<FtpCommandEvent<number>>(d, new FtpCommandParser<number>())
      : replay<FtpReplyEvent<number>>(d, new FtpReplyParser<number>());
    const list = byStream.get(d.stream) ?? [];
    byStream.set(d.stream, list);
    for (const e of events) if (e.kind !== 'loss') list.push({ frame: e.meta!, offset: e.offset, item: e });
  }
  return [...byStream.values()].map((list) => list.sort((a, b) => a.frame - b.frame || a.offset - b.offset).map((x) => x.item));
}

test('login outcomes agree with Zeek\'s logs on shared captures', (t) => {
  if (!haveTshark()) { t.skip('tshark is not installed'); return; }
  if (!existsSync(pcapDir)) { t.skip(`${pcapDir} is missing`); return; }
  const summary = (name: string) => sessions(path.join(pcapDir, name)).map((items) =>
    loginAttempts(items).map((a) => `${a.user}/${a.password} ${a.outcome} ${a.code}`));
  // Zeek ftp.log: USER Admin 331, PASS 530 (twice)
  assert.deepEqual(summary('zeek/ftp/ftp-password-pass-command.pcap').flat(), ['Admin/qwerty failed 530']);
  // Zeek ftp.log: user anonymous, password test, then PASV/RETR/PORT succeed
  assert.deepEqual(summary('zeek/ftp/ipv4.pcap'), [['anonymous/test succeeded 230']]);
  // Zeek notice.log: FTP::Bruteforcing after 20 failed logins; the capture has 30 sessions of one failed USER/PASS each
  const brute = summary('zeek/ftp/bruteforce.pcap');
  assert.ok(brute.length >= 20, `${brute.length} sessions`);
  for (const attempts of brute) {
    assert.equal(attempts.length, 1);
    assert.match(attempts[0]!, /^bro\/\S+ failed 530$/);
  }
  // Zeek ftp.log of ftp-invalid-reply-code: USER zeek answered 230 directly
  assert.deepEqual(summary('zeek/ftp/ftp-invalid-reply-code.pcap'), [['zeek/zeek succeeded 230']]);
});
