/**
 * Guards that the captures made by samples/record/record-more.sh (and the variants made by
 * samples/record/impair.ts) show what samples/recorded/manifest.json says, so FTP carving can be
 * judged against the manifest: file format and link type, the FTP commands on the control
 * connections, exactly one data connection per transfer (found through the PASV/EPSV reply or the
 * PORT/EPRT command, with the manifest's mode), and for complete transfers a tshark-reassembled
 * stream (`-z follow,tcp,raw,N`) with the manifest's size and SHA-256. The failure cases must fail
 * in the documented way: a gap of the documented size, frames cut at the snaplen, an aborted
 * connection carrying a prefix of the file, TLS instead of plaintext.
 * The tshark checks skip when tshark is missing; the format, generator and impair checks do not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import path from 'node:path';
import { readPcap, readCaptureFile, reorder, dropOne, variantName, IMPAIR_SOURCES, REORDER_SOURCES, type Impairment } from '../samples/record/impair.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const recordedDir = path.join(repoRoot, 'samples', 'recorded');

// ---- the manifest -------------------------------------------------------------------------------

interface FileFacts { size: number; sha256: string }

interface Transfer {
  command: string;
  path: string;
  mode: 'PASV' | 'EPSV' | 'PORT' | 'EPRT';
  direction: 'download' | 'upload';
  type: 'I' | 'A';
  expect: 'complete' | 'gaps' | 'truncated-capture' | 'aborted' | 'encrypted';
  listing?: boolean;
  names?: string[];
  size?: number;
  sha256?: string;
  restOffset?: number;
  file?: FileFacts;
  serverResult?: FileFacts;
  generator?: string;
  missing?: { offset: number; length: number };
  /** where tshark's Follow TCP Stream is known to disagree with the wire: what it returns and why */
  tsharkFollow?: { bytes: number; why: string };
}

interface Capture {
  file: string;
  format: 'pcap' | 'pcapng';
  linkType: number;
  timestampPrecision: 'us' | 'ns';
  snaplen: number;
  server: string;
  serverAddress: string;
  serverPort: number;
  clients: string[];
  expect: 'complete' | 'gaps' | 'truncated-capture' | 'aborted' | 'encrypted';
  commands: string[];
  overlapping?: boolean;
  compression?: 'gzip';
  derivedFrom?: string;
  impairment?: Impairment;
  transfers: Transfer[];
}

const manifest = JSON.parse(fs.readFileSync(path.join(recordedDir, 'manifest.json'), 'utf8')) as { captures: Capture[] };
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** record-more.sh's hash_stream: SHA-256("NAME:0") || SHA-256("NAME:1") || ... cut to SIZE. */
function hashStream(name: string, size: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < size; i++) blocks.push(createHash('sha256').update(`${name}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, size);
}

function generated(transfer: Transfer): Buffer | undefined {
  if (!transfer.generator) return undefined;
  const m = /^hash_stream (\S+) (\d+)$/.exec(transfer.generator);
  assert.ok(m, `generator spelled "hash_stream NAME SIZE": ${transfer.generator}`);
  return hashStream(m[1]!, Number(m[2]));
}

// ---- checks that need no tshark ---------------------------------------------------------------

test('manifest: every capture exists, is small enough, and every transfer names what a carver needs', () => {
  assert.ok(manifest.captures.length >= 12);
  for (const capture of manifest.captures) {
    const size = fs.statSync(path.join(recordedDir, capture.file)).size;
    // Large-transfer captures may be up to 3 MB (the lossy ones gzip-compressed); the others stay small.
    assert.ok(size < (capture.file.includes('large') ? 3 << 20 : 400_000), `${capture.file}: ${size} bytes`);
    assert.match(capture.file, /^recorded-.*\.pcap(ng)?(\.gz)?$/);
    assert.equal(capture.file.endsWith('.gz'), capture.compression === 'gzip', `${capture.file}: compression noted`);
    assert.ok(capture.transfers.length > 0, `${capture.file}: transfers`);
    for (const t of capture.transfers) {
      assert.match(t.mode, /^(PASV|EPSV|PORT|EPRT)$/, `${capture.file} ${t.command}: mode`);
      assert.match(t.direction, /^(download|upload)$/);
      if (!t.listing) {
        assert.ok(Number.isInteger(t.size) && /^[0-9a-f]{64}$/.test(t.sha256 ?? ''), `${capture.file} ${t.command} ${t.path}: size and sha256`);
      }
    }
  }
});

test('manifest: generated files hash as recorded (REST tails, whole files, aborted files)', () => {
  let checked = 0;
  for (const capture of manifest.captures) {
    for (const t of capture.transfers) {
      const bytes = generated(t);
      if (!bytes) continue;
      checked++;
      const whole = t.file ?? { size: t.size!, sha256: t.sha256! };
      assert.equal(bytes.length, whole.size, `${capture.file} ${t.path}: generated size`);
      assert.equal(sha256(bytes), whole.sha256, `${capture.file} ${t.path}: generated content`);
      if (t.restOffset !== undefined) assert.equal(sha256(bytes.subarray(t.restOffset)), t.sha256, `${capture.file} ${t.path}: tail after REST`);
    }
  }
  assert.ok(checked >= 8, `generated transfers checked: ${checked}`);
});

test('manifest: file format, link type, timestamp precision and snaplen match the file headers', () => {
  for (const capture of manifest.captures) {
    const bytes = readCaptureFile(path.join(recordedDir, capture.file));
    const magic = bytes.readUInt32LE(0);
    if (capture.format === 'pcap') {
      assert.ok(magic === 0xa1b2c3d4 || magic === 0xa1b23c4d, `${capture.file}: classic pcap magic`);
      assert.equal(magic === 0xa1b23c4d ? 'ns' : 'us', capture.timestampPrecision, `${capture.file}: precision`);
      assert.equal(bytes.readUInt32LE(16), capture.snaplen, `${capture.file}: snaplen`);
      assert.equal(bytes.readUInt32LE(20), capture.linkType, `${capture.file}: link type`);
    } else {
      assert.equal(magic, 0x0a0d0d0a, `${capture.file}: pcapng section header block`);
      const idbAt = bytes.readUInt32LE(4);
      assert.equal(bytes.readUInt32LE(idbAt), 1, `${capture.file}: interface description block follows`);
      assert.equal(bytes.readUInt16LE(idbAt + 8), capture.linkType, `${capture.file}: link type`);
      assert.equal(bytes.readUInt32LE(idbAt + 12), capture.snaplen, `${capture.file}: snaplen`);
      // if_tsresol (option 9): 6 or absent means microseconds, 9 nanoseconds.
      let resolution = 6;
      for (let at = idbAt + 16; at + 4 <= idbAt + bytes.readUInt32LE(idbAt + 4) - 4;) {
        const code = bytes.readUInt16LE(at), length = bytes.readUInt16LE(at + 2);
        if (code === 0) break;
        if (code === 9) resolution = bytes[at + 4]!;
        at += 4 + Math.ceil(length / 4) * 4;
      }
      assert.equal(resolution === 9 ? 'ns' : resolution === 6 ? 'us' : `10^-${resolution}`, capture.timestampPrecision, `${capture.file}: if_tsresol`);
    }
  }
});

for (const source of IMPAIR_SOURCES) {
  test(`impair.ts rebuilds the committed variants of ${source} byte for byte`, () => {
    const original = readPcap(fs.readFileSync(path.join(recordedDir, source)));
    for (const [kind, made] of [['reordered', reorder(original)], ['lossy', dropOne(original)]] as const) {
      const name = variantName(source, kind);
      assert.ok(made.bytes.equals(fs.readFileSync(path.join(recordedDir, name))), `${name}: same bytes`);
      const entry = manifest.captures.find((c) => c.file === name);
      assert.ok(entry, `${name} in the manifest`);
      assert.equal(entry.derivedFrom, source);
      assert.deepEqual(entry.impairment, made.impairment, `${name}: impairment as documented`);
    }
    const reordered = readPcap(fs.readFileSync(path.join(recordedDir, variantName(source, 'reordered'))));
    const lossy = readPcap(fs.readFileSync(path.join(recordedDir, variantName(source, 'lossy'))));
    const r = reorder(original).impairment, l = dropOne(original).impairment;
    assert.ok(r.swappedPairs.length >= 3 && r.duplicatedFrames.length >= 3, 'several swaps and duplicates');
    assert.equal(reordered.records.length, original.records.length + r.duplicatedFrames.length);
    assert.equal(lossy.records.length, original.records.length - 1);
    // What the manifest documents, checked packet by packet: duplicates sit right after their
    // original, swapped packets appear in the opposite order, the dropped one is gone.
    const positions = (records: typeof original.records, frame: number): number[] => records
      .flatMap((r, i) => (r.data.equals(original.records[frame - 1]!.data) ? [i] : []));
    for (const frame of r.duplicatedFrames) {
      const at = positions(reordered.records, frame);
      assert.equal(at.length, 2, `frame ${frame} appears twice`);
      assert.equal(at[1], at[0]! + 1, `frame ${frame}: duplicate directly after it`);
    }
    for (const [a, b] of r.swappedPairs) {
      assert.ok(positions(reordered.records, b)[0]! < positions(reordered.records, a)[0]!, `frames ${a} and ${b} swapped`);
    }
    assert.deepEqual(positions(lossy.records, l.droppedFrames[0]!), [], 'dropped frame absent');
    assert.equal(l.gaps.length, 1);
    for (const records of [reordered.records, lossy.records]) {
      for (let i = 1; i < records.length; i++) {
        const a = records[i - 1]!, b = records[i]!;
        assert.ok(a.tsSec < b.tsSec || (a.tsSec === b.tsSec && a.tsFrac <= b.tsFrac), 'timestamps stay in order');
      }
    }
  });
}

for (const source of REORDER_SOURCES) {
  test(`impair.ts rebuilds the reordered variant of ${source} (decompressed) byte for byte`, () => {
    const original = readPcap(readCaptureFile(path.join(recordedDir, source)));
    const made = reorder(original);
    const name = variantName(source, 'reordered');
    assert.ok(made.bytes.equals(readCaptureFile(path.join(recordedDir, name))), `${name}: same bytes`);
    const entry = manifest.captures.find((c) => c.file === name);
    assert.ok(entry, `${name} in the manifest`);
    assert.equal(entry.derivedFrom, source);
    assert.deepEqual(entry.impairment, made.impairment, `${name}: impairment as documented`);
    assert.ok(made.impairment.swappedPairs.length >= 100 && made.impairment.duplicatedFrames.length >= 2, 'many swaps, duplicates');
  });
}

// ---- what tshark shows --------------------------------------------------------------------------

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skipReason = haveTshark() ? false : 'tshark is not installed (apt-get install tshark); recorded-capture checks skipped';

function tshark(capture: Capture, args: string[]): string {
  // A control connection on another port than 21 is only FTP to tshark when told so.
  const decodeAs = capture.serverPort === 21 ? [] : ['-d', `tcp.port==${capture.serverPort},ftp`];
  return execFileSync('tshark', ['-r', path.join(recordedDir, capture.file), '-n', ...decodeAs, ...args], {
    encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'],
  });
}

const isSet = (value: string | undefined): boolean => value === '1' || value === 'True';

interface Segment {
  frame: number;
  stream: number;
  time: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  tcpLength: number;
  capturedPayload: number;
  frameLength: number;
  capturedLength: number;
  tls: boolean;
  /** tshark's relative sequence number: the SYN is 0, the first payload byte 1 */
  relativeSeq: number;
  /** tshark flags a lost segment before it, or it as out of order or a retransmission */
  analysisFlagged: boolean;
  ftpCommand: string;
  ftpArg: string;
  ftpCode: string;
  ftpReplyArg: string;
}

const FIELDS = [
  'frame.number', 'tcp.stream', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport',
  'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset', 'tcp.len', 'tcp.payload', 'frame.len', 'frame.cap_len',
  'tls.record.content_type', 'tcp.seq', 'tcp.analysis.lost_segment', 'tcp.analysis.out_of_order', 'tcp.analysis.retransmission',
  'ftp.request.command', 'ftp.request.arg', 'ftp.response.code', 'ftp.response.arg',
];

function readSegments(capture: Capture): Segment[] {
  const args = ['-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f'];
  for (const field of FIELDS) args.push('-e', field);
  return tshark(capture, args).split('\n').filter((l) => l !== '').map((line) => {
    const v = line.split('\t');
    return {
      frame: Number(v[0]), stream: Number(v[1]), time: Number(v[2]),
      src: v[3] || v[4]!, dst: v[5] || v[6]!, srcPort: Number(v[7]), dstPort: Number(v[8]),
      syn: isSet(v[9]), ack: isSet(v[10]), fin: isSet(v[11]), rst: isSet(v[12]),
      tcpLength: Number(v[13] || 0), capturedPayload: (v[14] ?? '').replaceAll(':', '').length / 2,
      frameLength: Number(v[15]), capturedLength: Number(v[16]), tls: (v[17] ?? '') !== '',
      relativeSeq: Number(v[18] || 0),
      // tshark prints these expert-info fields only where they apply
      analysisFlagged: [v[19], v[20], v[21]].some((x) => (x ?? '') !== ''),
      ftpCommand: v[22] ?? '', ftpArg: v[23] ?? '', ftpCode: v[24] ?? '', ftpReplyArg: v[25] ?? '',
    };
  });
}

interface Connection {
  stream: number;
  opener: { addr: string; port: number };
  acceptor: { addr: string; port: number };
  synFrame: number;
  first: number;
  last: number;
  synAck: boolean;
  finFromBoth: boolean;
  reset: boolean;
  tls: boolean;
  segments: Segment[];
}

function connections(segments: Segment[]): Connection[] {
  const byStream = new Map<number, Segment[]>();
  for (const s of segments) byStream.set(s.stream, [...(byStream.get(s.stream) ?? []), s]);
  return [...byStream.entries()].map(([stream, list]) => {
    const syn = list.find((s) => s.syn && !s.ack);
    assert.ok(syn, `tcp stream ${stream} has its SYN`);
    const fromOpener = (s: Segment): boolean => s.src === syn.src && s.srcPort === syn.srcPort;
    return {
      stream,
      opener: { addr: syn.src, port: syn.srcPort },
      acceptor: { addr: syn.dst, port: syn.dstPort },
      synFrame: syn.frame,
      first: list[0]!.time,
      last: list.at(-1)!.time,
      synAck: list.some((s) => s.syn && s.ack && !fromOpener(s)),
      finFromBoth: list.some((s) => s.fin && fromOpener(s)) && list.some((s) => s.fin && !fromOpener(s)),
      reset: list.some((s) => s.rst),
      tls: list.some((s) => s.tls),
      segments: list,
    };
  });
}

interface Exchange {
  frame: number;
  command: string;
  arg: string;
  replies: string[];
  replyArgs: string[];
}

function dialogue(control: Connection): Exchange[] {
  const exchanges: Exchange[] = [];
  for (const s of control.segments) {
    if (s.ftpCommand !== '' && s.src === control.opener.addr) {
      exchanges.push({ frame: s.frame, command: s.ftpCommand, arg: s.ftpArg, replies: [], replyArgs: [] });
    } else if (s.ftpCode !== '' && s.src === control.acceptor.addr && exchanges.length > 0) {
      exchanges.at(-1)!.replies.push(s.ftpCode);
      exchanges.at(-1)!.replyArgs.push(s.ftpReplyArg);
    }
  }
  return exchanges;
}

interface Endpoint { mode: Transfer['mode']; addr: string; port: number; frame: number }

function announced(exchange: Exchange, control: Connection): Endpoint | undefined {
  const code = exchange.replies[0], arg = exchange.replyArgs[0] ?? '';
  if (exchange.command === 'PASV' && code === '227') {
    const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(arg);
    assert.ok(m, `227 reply: ${arg}`);
    return { mode: 'PASV', addr: m.slice(1, 5).join('.'), port: Number(m[5]) * 256 + Number(m[6]), frame: exchange.frame };
  }
  if (exchange.command === 'EPSV' && code === '229') {
    const m = /\|\|\|(\d+)\|/.exec(arg);
    assert.ok(m, `229 reply: ${arg}`);
    return { mode: 'EPSV', addr: control.acceptor.addr, port: Number(m[1]), frame: exchange.frame };
  }
  if (exchange.command === 'PORT' && code === '200') {
    const p = exchange.arg.split(',').map(Number);
    return { mode: 'PORT', addr: p.slice(0, 4).join('.'), port: p[4]! * 256 + p[5]!, frame: exchange.frame };
  }
  if (exchange.command === 'EPRT' && code === '200') {
    const [, , addr, port] = exchange.arg.split('|');
    return { mode: 'EPRT', addr: addr!, port: Number(port), frame: exchange.frame };
  }
  return undefined;
}

const TRANSFER_COMMANDS = new Set(['RETR', 'STOR', 'APPE', 'STOU', 'LIST', 'NLST', 'MLSD']);

/** Bytes each side sent on a connection, as tshark's Follow TCP Stream reassembles them. */
function follow(capture: Capture, streams: number[]): Map<number, Map<string, Buffer>> {
  const args = ['-q'];
  for (const s of streams) args.push('-z', `follow,tcp,raw,${s}`);
  const result = new Map<number, Map<string, Buffer>>();
  for (const block of tshark(capture, args).split(/^=+$/m)) {
    const stream = /^Filter: tcp\.stream eq (\d+)$/m.exec(block);
    const node0 = /^Node 0: (.*):\d+$/m.exec(block), node1 = /^Node 1: (.*):\d+$/m.exec(block);
    if (!stream || !node0 || !node1) continue;
    const hex0: string[] = [], hex1: string[] = [];
    for (const line of block.split('\n')) {
      if (/^\t[0-9a-f]+$/.test(line)) hex1.push(line.slice(1));
      else if (/^[0-9a-f]+$/.test(line)) hex0.push(line);
    }
    result.set(Number(stream[1]), new Map([
      [node0[1]!.replace(/^\[|\]$/g, ''), Buffer.from(hex0.join(''), 'hex')],
      [node1[1]!.replace(/^\[|\]$/g, ''), Buffer.from(hex1.join(''), 'hex')],
    ]));
  }
  return result;
}

interface Matched { transfer: Transfer; exchange: Exchange; data: Connection; control: Connection; exchanges: Exchange[] }

/** Walks the control dialogues in order and pairs each manifest transfer with its data connection. */
function matchTransfers(capture: Capture, all: Connection[], controls: Connection[]): Matched[] {
  const matched: Matched[] = [];
  const used = new Set<number>();
  let next = 0;
  for (const control of controls) {
    const exchanges = dialogue(control);
    let endpoint: Endpoint | undefined;
    for (const exchange of exchanges) {
      endpoint = announced(exchange, control) ?? endpoint;
      if (!TRANSFER_COMMANDS.has(exchange.command) || !['150', '125'].includes(exchange.replies[0] ?? '')) continue;
      const transfer = capture.transfers[next++];
      const where = `${capture.file}: ${exchange.command} ${exchange.arg}`;
      assert.ok(transfer, `${where}: in the manifest`);
      assert.equal(exchange.command, transfer.command, `${where}: command`);
      assert.equal(exchange.arg, transfer.path, `${where}: path as sent`);
      assert.ok(endpoint, `${where}: data endpoint announced before`);
      assert.equal(endpoint.mode, transfer.mode, `${where}: mode`);
      const passive = endpoint.mode === 'PASV' || endpoint.mode === 'EPSV';
      const ep = endpoint;
      const data = all.find((c) => !used.has(c.stream) && c.synFrame > ep.frame
        && c.acceptor.addr === ep.addr && c.acceptor.port === ep.port
        && c.opener.addr === (passive ? control.opener.addr : control.acceptor.addr));
      assert.ok(data, `${where}: ${endpoint.mode} data connection to ${endpoint.addr} port ${endpoint.port}`);
      used.add(data.stream);
      matched.push({ transfer, exchange, data, control, exchanges });
    }
  }
  assert.equal(next, capture.transfers.length, `${capture.file}: every manifest transfer seen`);
  return matched;
}

function namesIn(listing: Buffer): string[] {
  return listing.toString('latin1').split('\r\n').filter((l) => l !== '').map((l) => l.split(' ').at(-1)!);
}

function checkCapture(capture: Capture): void {
  const segments = readSegments(capture);
  const all = connections(segments);
  const controls = all.filter((c) => c.acceptor.addr === capture.serverAddress && c.acceptor.port === capture.serverPort)
    .sort((a, b) => a.synFrame - b.synFrame);
  assert.ok(controls.length > 0, `${capture.file}: control connection to ${capture.serverAddress} port ${capture.serverPort}`);
  const seen = new Set(controls.flatMap((c) => dialogue(c).map((e) => e.command)));
  for (const command of capture.commands) assert.ok(seen.has(command), `${capture.file}: ${command} seen (saw ${[...seen].join(' ')})`);
  const dataConnections = all.filter((c) => !controls.includes(c));
  assert.equal(dataConnections.length, capture.transfers.length, `${capture.file}: one data connection per transfer, nothing else`);

  if (capture.expect === 'encrypted') {
    checkEncrypted(capture, controls, dataConnections);
    return;
  }
  const matched = matchTransfers(capture, all, controls);
  const followed = follow(capture, matched.map((m) => m.data.stream));
  const server = capture.serverAddress;

  for (const { transfer, exchange, data, control, exchanges } of matched) {
    const where = `${capture.file}: ${transfer.command} ${transfer.path}`;
    const sender = transfer.direction === 'download' ? server : control.opener.addr;
    const receiver = transfer.direction === 'download' ? control.opener.addr : server;
    let bytes = followed.get(data.stream)?.get(sender);
    assert.ok(bytes, `${where}: followed stream ${data.stream}`);
    assert.equal(followed.get(data.stream)!.get(receiver)!.length, 0, `${where}: payload one way only`);
    // Bytes the sender's sequence numbers span, whether or not every segment was captured.
    const wireBytes = Math.max(0, ...data.segments.filter((s) => s.src === sender && s.tcpLength > 0).map((s) => s.relativeSeq + s.tcpLength - 1));
    const finalReply = exchange.replies.at(-1);

    switch (transfer.expect) {
      case 'complete': {
        assert.ok(data.synAck && data.finFromBoth && !data.reset, `${where}: complete TCP connection`);
        assert.equal(finalReply, '226', `${where}: 226 Transfer complete`);
        if (transfer.listing) {
          assert.deepEqual(namesIn(bytes), transfer.names, `${where}: listed names`);
          break;
        }
        if (transfer.tsharkFollow) {
          // a documented disagreement: tshark's Follow is short here while the wire holds every byte (see its why)
          assert.equal(bytes.length, transfer.tsharkFollow.bytes, `${where}: tshark Follow as documented (${transfer.tsharkFollow.why})`);
          assert.equal(wireBytes, transfer.size, `${where}: the sender's sequence numbers span the whole file`);
          break;
        }
        assert.equal(bytes.length, transfer.size, `${where}: size`);
        assert.equal(sha256(bytes), transfer.sha256, `${where}: sha256 of the reassembled stream`);
        checkTransferKind(capture, transfer, bytes, exchanges, matched, followed, where);
        break;
      }
      case 'gaps': {
        const original = generated(transfer);
        assert.ok(original && transfer.missing, `${where}: generator and missing range documented`);
        assert.equal(wireBytes, transfer.size, `${where}: sequence space still covers the whole file`);
        const { offset, length } = transfer.missing;
        // tshark 4.0's Follow marks the hole in place with "[N bytes missing in capture file]" and a NUL.
        const marker = /^\[(\d+) bytes missing in capture file\]\0?/.exec(bytes.subarray(offset, offset + 64).toString('latin1'));
        if (marker) {
          assert.equal(Number(marker[1]), length, `${where}: tshark reports the missing length`);
          bytes = Buffer.concat([bytes.subarray(0, offset), bytes.subarray(offset + marker[0].length)]);
        }
        assert.equal(bytes.length, transfer.size! - length, `${where}: exactly the missing bytes are absent`);
        assert.ok(bytes.equals(Buffer.concat([original.subarray(0, offset), original.subarray(offset + length)])),
          `${where}: everything but the gap is intact`);
        break;
      }
      case 'truncated-capture': {
        assert.ok(data.synAck && data.finFromBoth, `${where}: TCP connection complete on the wire`);
        assert.equal(finalReply, '226', `${where}: the transfer completed`);
        assert.equal(wireBytes, transfer.size, `${where}: TCP lengths add up to the file`);
        const captured = data.segments.filter((s) => s.src === sender).reduce((n, s) => n + s.capturedPayload, 0);
        assert.ok(captured < transfer.size!, `${where}: only ${captured} of ${transfer.size} payload bytes captured`);
        break;
      }
      case 'aborted': {
        const original = generated(transfer);
        assert.ok(original, `${where}: generator documented`);
        assert.ok(data.reset && !data.finFromBoth, `${where}: data connection reset, not closed`);
        assert.notEqual(finalReply, '226', `${where}: no 226 (got ${exchange.replies.join(' ')})`);
        assert.ok(bytes.length > 0 && bytes.length < transfer.size!, `${where}: ${bytes.length} of ${transfer.size} bytes`);
        assert.ok(bytes.equals(original.subarray(0, bytes.length)), `${where}: what arrived is a prefix of the file`);
        break;
      }
      default:
        assert.fail(`${where}: unexpected expect ${transfer.expect}`);
    }
  }

  const flagged = segments.filter((s) => s.analysisFlagged).length;
  if (capture.impairment?.droppedFrames.length) assert.ok(flagged > 0, `${capture.file}: tshark notices the gap`);
  if (capture.impairment?.swappedPairs.length) assert.ok(flagged > 0, `${capture.file}: tshark notices the reordering`);
  if (capture.file === 'recorded-session-multi.pcap') assert.equal(flagged, 0, `${capture.file}: the unimpaired original is clean`);

  if (capture.overlapping) {
    assert.ok(controls.length >= 2, `${capture.file}: two control connections`);
    const [a, b] = controls;
    assert.ok(a!.first < b!.last && b!.first < a!.last, `${capture.file}: control connections overlap in time`);
    // Not just open at the same time: payload of each data connection crosses while the other's does.
    const [pa, pb] = matched.map((m) => m.data.segments.filter((s) => s.tcpLength > 0).map((s) => s.frame));
    assert.ok(pa!.some((f) => f > pb![0]! && f < pb!.at(-1)!) && pb!.some((f) => f > pa![0]! && f < pa!.at(-1)!),
      `${capture.file}: data segments of the two transfers interleave`);
    assert.notEqual(matched[0]!.control.stream, matched[1]!.control.stream);
  }
  if (capture.snaplen < 262144) {
    assert.ok(segments.every((s) => s.capturedLength <= capture.snaplen), `${capture.file}: frames cut at ${capture.snaplen}`);
    assert.ok(segments.some((s) => s.frameLength > s.capturedLength), `${capture.file}: some frames truncated`);
  }
}

function checkTransferKind(capture: Capture, transfer: Transfer, bytes: Buffer, exchanges: Exchange[], matched: Matched[],
  followed: Map<number, Map<string, Buffer>>, where: string): void {
  const before = exchanges.slice(0, exchanges.findIndex((e) => e.command === transfer.command && e.arg === transfer.path));
  if (transfer.type === 'A') {
    assert.equal(before.filter((e) => e.command === 'TYPE').at(-1)?.arg, 'A', `${where}: TYPE A in force`);
    const text = bytes.toString('latin1');
    assert.ok(text.includes('\r\n') && !/[^\r]\n/.test(text), `${where}: CRLF line ends on the wire`);
    assert.equal(sha256(Buffer.from(text.replaceAll('\r\n', '\n'), 'latin1')), transfer.file!.sha256, `${where}: LF original`);
  }
  if (transfer.restOffset !== undefined) {
    const rest = before.filter((e) => e.command === 'REST').at(-1);
    assert.equal(rest?.arg, String(transfer.restOffset), `${where}: REST ${transfer.restOffset}`);
    assert.equal(rest?.replies[0], '350', `${where}: REST accepted`);
    assert.equal(transfer.size, transfer.file!.size - transfer.restOffset, `${where}: tail size`);
  }
  if (transfer.serverResult) {
    // APPE: the server holds what an earlier STOR of the same path stored, then the appended bytes.
    const stored = matched.find((m) => m.transfer.command === 'STOR' && m.transfer.path === transfer.path);
    assert.ok(stored, `${where}: the STOR it appended to is in ${capture.file}`);
    const storedBytes = followed.get(stored.data.stream)!.get(stored.control.opener.addr)!;
    const result = Buffer.concat([storedBytes, bytes]);
    assert.equal(result.length, transfer.serverResult.size, `${where}: server result size`);
    assert.equal(sha256(result), transfer.serverResult.sha256, `${where}: server result = STOR bytes + APPE bytes`);
  }
}

function checkEncrypted(capture: Capture, controls: Connection[], dataConnections: Connection[]): void {
  for (const control of controls) {
    const exchanges = dialogue(control);
    const auth = exchanges.findIndex((e) => e.command === 'AUTH' && e.arg === 'TLS');
    assert.ok(auth >= 0, `${capture.file}: AUTH TLS sent`);
    assert.equal(exchanges[auth]!.replies[0], '234', `${capture.file}: AUTH TLS answered 234`);
    assert.equal(exchanges.length, auth + 1, `${capture.file}: no plaintext command after AUTH TLS`);
    assert.ok(control.tls, `${capture.file}: TLS on the control connection`);
    assert.ok(!control.segments.some((s) => s.ftpCommand === 'PASS'), `${capture.file}: the password never crosses in clear`);
  }
  const followed = follow(capture, dataConnections.map((c) => c.stream));
  for (const data of dataConnections) {
    assert.ok(data.tls, `${capture.file}: stream ${data.stream} carries TLS`);
    assert.ok(data.synAck, `${capture.file}: stream ${data.stream} established`);
    for (const bytes of followed.get(data.stream)!.values()) {
      const text = bytes.toString('latin1');
      assert.ok(!text.includes('flowsh recorded FTP sample') && !text.includes('readme.txt'), `${capture.file}: no plaintext in stream ${data.stream}`);
    }
  }
  assert.ok(capture.transfers.every((t) => t.expect === 'encrypted'), `${capture.file}: every transfer marked encrypted`);
}

for (const capture of manifest.captures) {
  test(`${capture.file}: transfers and data connections as in manifest.json (${capture.expect})`, { skip: skipReason }, () => {
    checkCapture(capture);
  });
}
