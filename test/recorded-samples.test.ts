/**
 * Guards that the real FTP recordings in samples/recorded/ (made by samples/record/record.sh) show
 * what samples/recorded/README.md says: tshark must decode the listed FTP dialogue on every control
 * connection, every LIST/RETR/STOR must have its complete data connection (active mode: opened by
 * the server from port 20) carrying the documented bytes, and there must be no loss and no address
 * outside the test ranges. Skips when tshark is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..');
const recordedDir = path.join(repoRoot, 'samples', 'recorded');

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skipReason = haveTshark() ? false : 'tshark is not installed (apt-get install tshark); recorded-capture checks skipped';

function tshark(file: string, args: string[]): string[] {
  const output = execFileSync('tshark', ['-r', path.join(recordedDir, file), '-n', ...args], {
    encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'],
  });
  return output.split('\n').filter((line) => line !== '');
}

// ---- what tshark shows ------------------------------------------------------------------------

interface TcpSegment {
  frame: number;
  stream: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  payload: Buffer;
  ftpCommand: string;
  ftpArg: string;
  ftpResponseCode: string;
  ftpResponseArg: string;
}

const SEGMENT_FIELDS = [
  'frame.number', 'tcp.stream', 'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport',
  'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset', 'tcp.payload',
  'ftp.request.command', 'ftp.request.arg', 'ftp.response.code', 'ftp.response.arg',
];

// tshark 4.0 prints booleans as 1/0, later versions as True/False.
const isSet = (value: string | undefined): boolean => value === '1' || value === 'True';

function readSegments(file: string): TcpSegment[] {
  const args = ['-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f'];
  for (const field of SEGMENT_FIELDS) args.push('-e', field);
  return tshark(file, args).map((line) => {
    const v = line.split('\t');
    return {
      frame: Number(v[0]), stream: Number(v[1]),
      src: v[2] || v[3]!, dst: v[4] || v[5]!,
      srcPort: Number(v[6]), dstPort: Number(v[7]),
      syn: isSet(v[8]), ack: isSet(v[9]), fin: isSet(v[10]), rst: isSet(v[11]),
      payload: Buffer.from((v[12] ?? '').replaceAll(':', ''), 'hex'),
      ftpCommand: v[13] ?? '', ftpArg: v[14] ?? '', ftpResponseCode: v[15] ?? '', ftpResponseArg: v[16] ?? '',
    };
  });
}

interface TcpConnection {
  stream: number;
  /** The side that sent the SYN. */
  opener: { addr: string; port: number };
  acceptor: { addr: string; port: number };
  synAckSeen: boolean;
  finFromOpener: boolean;
  finFromAcceptor: boolean;
  resetSeen: boolean;
  segments: TcpSegment[];
}

function connections(segments: TcpSegment[]): TcpConnection[] {
  const byStream = new Map<number, TcpSegment[]>();
  for (const segment of segments) {
    const list = byStream.get(segment.stream) ?? [];
    list.push(segment);
    byStream.set(segment.stream, list);
  }
  return [...byStream.entries()].map(([stream, list]) => {
    const syn = list.find((s) => s.syn && !s.ack);
    assert.ok(syn, `tcp stream ${stream} starts inside the capture (has its SYN)`);
    const fromOpener = (s: TcpSegment): boolean => s.src === syn.src && s.srcPort === syn.srcPort;
    return {
      stream,
      opener: { addr: syn.src, port: syn.srcPort },
      acceptor: { addr: syn.dst, port: syn.dstPort },
      synAckSeen: list.some((s) => s.syn && s.ack && !fromOpener(s)),
      finFromOpener: list.some((s) => s.fin && fromOpener(s)),
      finFromAcceptor: list.some((s) => s.fin && !fromOpener(s)),
      resetSeen: list.some((s) => s.rst),
      segments: list,
    };
  });
}

/** Bytes one address sent on a connection, in capture order (the capture has no retransmissions). */
function bytesSentBy(connection: TcpConnection, addr: string): Buffer {
  return Buffer.concat(connection.segments.filter((s) => s.src === addr).map((s) => s.payload));
}

interface ControlExchange {
  command: string;
  arg: string;
  replies: { code: string; arg: string }[];
}

/** The decoded dialogue: greeting replies, then each command with every reply that followed it. */
function dialogue(control: TcpConnection): { greeting: string[]; exchanges: ControlExchange[] } {
  const greeting: string[] = [];
  const exchanges: ControlExchange[] = [];
  for (const s of control.segments) {
    if (s.ftpCommand !== '' && s.src === control.opener.addr) {
      exchanges.push({ command: s.ftpCommand, arg: s.ftpArg, replies: [] });
    } else if (s.ftpResponseCode !== '' && s.src === control.acceptor.addr) {
      const reply = { code: s.ftpResponseCode, arg: s.ftpResponseArg };
      if (exchanges.length === 0) greeting.push(reply.code);
      else exchanges.at(-1)!.replies.push(reply);
    }
  }
  return { greeting, exchanges };
}

// Addresses and ports vary per recording, so the dialogue compares them as placeholders and the
// data-connection check below verifies them against the actual connections.
function describeExchange(exchange: ControlExchange): string {
  const arg = exchange.command === 'PORT' || exchange.command === 'EPRT' ? '<address>' : exchange.arg;
  const codes = exchange.replies.map((r) => r.code).join(' ');
  return `${exchange.command}${arg === '' ? '' : ' ' + arg} -> ${codes}`;
}

// ---- what the README promises -------------------------------------------------------------------

type Payload =
  | { kind: 'listing'; names: string[] }
  | { kind: 'file'; size: number; sha256: string };

interface ExpectedTransfer {
  /** The transfer command as sent, e.g. 'RETR lines.txt'. */
  command: string;
  mode: 'passive' | 'active';
  /** Direction of the payload: server-to-client for LIST/RETR, client-to-server for STOR. */
  sender: 'server' | 'client';
  payload: Payload;
}

interface ExpectedControl {
  client: string;
  server: string;
  dialogue: string[];
  transfers: ExpectedTransfer[];
}

interface ExpectedCapture {
  file: string;
  controls: ExpectedControl[];
}

// Served by record.sh's deterministic file tree.
const LINES_TXT: Payload = { kind: 'file', size: 6397, sha256: 'de26d1f01c9ab4e13c8950bc9c7c0379556409fbeadd2fc12d16713c17c04083' };
const FLOWSH_4K_BIN: Payload = { kind: 'file', size: 4096, sha256: '4e441a3533bb2c10cd5649981d395744213e09a336746b5a3458fee4057205ec' };
const UPLOAD_TXT: Payload = { kind: 'file', size: 2100, sha256: 'e1416b5d002baadd9f837d135f16cd3e536160769769f0f023508e4bb55631f1' };
const ROOT_LISTING: Payload = { kind: 'listing', names: ['incoming', 'pub'] };
const PUB_LISTING: Payload = { kind: 'listing', names: ['flowsh-4k.bin', 'lines.txt', 'readme.txt'] };

const CLIENT_V4 = '192.0.2.10', SERVER_V4 = '192.0.2.21';
const CLIENT_V6 = '2001:db8::10', SERVER_V6 = '2001:db8::21';

const EXPECTED: ExpectedCapture[] = [
  {
    file: 'recorded-lftp-passive.pcap',
    controls: [{
      client: CLIENT_V4, server: SERVER_V4,
      dialogue: [
        'FEAT -> 211 211', 'USER flowshftp -> 331', 'PASS flowsh-throwaway-pw -> 230', 'PWD -> 257',
        'PASV -> 227', 'LIST -> 150 226', 'CWD /pub -> 250', 'TYPE I -> 200', 'SIZE lines.txt -> 213',
        'MDTM lines.txt -> 213', 'PASV -> 227', 'RETR lines.txt -> 150 226', 'QUIT -> 221',
      ],
      transfers: [
        { command: 'LIST', mode: 'passive', sender: 'server', payload: ROOT_LISTING },
        { command: 'RETR lines.txt', mode: 'passive', sender: 'server', payload: LINES_TXT },
      ],
    }],
  },
  {
    file: 'recorded-lftp-active.pcap',
    controls: [{
      client: CLIENT_V4, server: SERVER_V4,
      dialogue: [
        'FEAT -> 211 211', 'USER anonymous -> 331', 'PASS lftp@ -> 230', 'PWD -> 257', 'CWD /pub -> 250',
        'PORT <address> -> 200', 'LIST -> 150 226', 'TYPE I -> 200', 'SIZE flowsh-4k.bin -> 213',
        'MDTM flowsh-4k.bin -> 213', 'PORT <address> -> 200', 'RETR flowsh-4k.bin -> 150 226', 'QUIT -> 221',
      ],
      transfers: [
        { command: 'LIST', mode: 'active', sender: 'server', payload: PUB_LISTING },
        { command: 'RETR flowsh-4k.bin', mode: 'active', sender: 'server', payload: FLOWSH_4K_BIN },
      ],
    }],
  },
  {
    file: 'recorded-curl-ipv6-epsv-eprt.pcap',
    controls: [
      {
        client: CLIENT_V6, server: SERVER_V6,
        dialogue: [
          'USER flowshftp -> 331', 'PASS flowsh-throwaway-pw -> 230', 'PWD -> 257', 'CWD incoming -> 250',
          'EPSV -> 229', 'TYPE I -> 200', 'STOR upload.txt -> 150 226', 'QUIT -> 221',
        ],
        transfers: [{ command: 'STOR upload.txt', mode: 'passive', sender: 'client', payload: UPLOAD_TXT }],
      },
      {
        client: CLIENT_V6, server: SERVER_V6,
        dialogue: [
          'USER anonymous -> 331', 'PASS ftp@example.com -> 230', 'PWD -> 257', 'CWD pub -> 250', 'EPSV -> 229',
          'TYPE I -> 200', 'SIZE flowsh-4k.bin -> 213', 'RETR flowsh-4k.bin -> 150 226', 'QUIT -> 221',
        ],
        transfers: [{ command: 'RETR flowsh-4k.bin', mode: 'passive', sender: 'server', payload: FLOWSH_4K_BIN }],
      },
      {
        client: CLIENT_V6, server: SERVER_V6,
        dialogue: [
          'USER flowshftp -> 331', 'PASS flowsh-throwaway-pw -> 230', 'PWD -> 257', 'CWD pub -> 250',
          'EPRT <address> -> 200', 'TYPE I -> 200', 'SIZE lines.txt -> 213', 'RETR lines.txt -> 150 226',
          'QUIT -> 221',
        ],
        transfers: [{ command: 'RETR lines.txt', mode: 'active', sender: 'server', payload: LINES_TXT }],
      },
    ],
  },
  {
    file: 'recorded-login-fail.pcap',
    controls: [
      {
        // curl gives up after the 530 and closes without QUIT.
        client: CLIENT_V4, server: SERVER_V4,
        dialogue: ['USER flowshftp -> 331', 'PASS not-the-password -> 530'],
        transfers: [],
      },
      {
        // tnftp retries on the same control connection.
        client: CLIENT_V4, server: SERVER_V4,
        dialogue: [
          'USER flowshftp -> 331', 'PASS not-the-password -> 530', 'USER flowshftp -> 331',
          'PASS flowsh-throwaway-pw -> 230', 'SYST -> 215', 'FEAT -> 211 211', 'PWD -> 257', 'EPSV -> 229',
          'LIST pub -> 150 226', 'QUIT -> 221',
        ],
        transfers: [{ command: 'LIST pub', mode: 'passive', sender: 'server', payload: PUB_LISTING }],
      },
    ],
  },
];

// ---- checks ------------------------------------------------------------------------------------

interface DataEndpoint {
  mode: 'passive' | 'active';
  addr: string;
  port: number;
}

/** The data endpoint a PASV/EPSV reply or a PORT/EPRT command announces, or undefined. */
function announcedEndpoint(exchange: ControlExchange, control: TcpConnection): DataEndpoint | undefined {
  const reply = exchange.replies[0];
  if (exchange.command === 'PASV' && reply?.code === '227') {
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply.arg);
    assert.ok(m, `227 reply carries h1,h2,h3,h4,p1,p2: ${reply.arg}`);
    return { mode: 'passive', addr: m.slice(1, 5).join('.'), port: Number(m[5]) * 256 + Number(m[6]) };
  }
  if (exchange.command === 'EPSV' && reply?.code === '229') {
    const m = /\(\|\|\|(\d+)\|\)/.exec(reply.arg);
    assert.ok(m, `229 reply carries (|||port|): ${reply.arg}`);
    return { mode: 'passive', addr: control.acceptor.addr, port: Number(m[1]) };
  }
  if (exchange.command === 'PORT') {
    const parts = exchange.arg.split(',').map(Number);
    assert.equal(parts.length, 6, `PORT argument h1,h2,h3,h4,p1,p2: ${exchange.arg}`);
    return { mode: 'active', addr: parts.slice(0, 4).join('.'), port: parts[4]! * 256 + parts[5]! };
  }
  if (exchange.command === 'EPRT') {
    const [, protocol, addr, port] = exchange.arg.split('|');
    assert.equal(protocol, control.opener.addr.includes(':') ? '2' : '1', `EPRT protocol matches the control connection: ${exchange.arg}`);
    return { mode: 'active', addr: addr!, port: Number(port) };
  }
  return undefined;
}

function findDataConnection(all: TcpConnection[], control: TcpConnection, endpoint: DataEndpoint): TcpConnection | undefined {
  if (endpoint.mode === 'passive') {
    return all.find((c) => c.opener.addr === control.opener.addr
      && c.acceptor.addr === endpoint.addr && c.acceptor.port === endpoint.port);
  }
  // Active: the server connects back to the announced address, from port 20 (connect_from_port_20).
  return all.find((c) => c.opener.addr === control.acceptor.addr && c.opener.port === 20
    && c.acceptor.addr === endpoint.addr && c.acceptor.port === endpoint.port);
}

function assertComplete(connection: TcpConnection, what: string): void {
  assert.ok(connection.synAckSeen, `${what}: SYN-ACK seen`);
  assert.ok(connection.finFromOpener && connection.finFromAcceptor, `${what}: closed with FIN from both sides`);
  assert.ok(!connection.resetSeen, `${what}: no RST`);
}

function checkCapture(expected: ExpectedCapture): void {
  const all = connections(readSegments(expected.file));
  const controls = all.filter((c) => c.acceptor.port === 21).sort((a, b) => a.segments[0]!.frame - b.segments[0]!.frame);
  assert.equal(controls.length, expected.controls.length, `${expected.file}: control connections`);
  const dataConnectionsSeen = new Set<number>();

  expected.controls.forEach((want, index) => {
    const control = controls[index]!;
    const where = `${expected.file} control #${index + 1}`;
    assert.deepEqual([control.opener.addr, control.acceptor.addr], [want.client, want.server], `${where}: endpoints`);
    assertComplete(control, where);
    const { greeting, exchanges } = dialogue(control);
    assert.deepEqual(greeting, ['220'], `${where}: greeting`);
    assert.deepEqual(exchanges.map(describeExchange), want.dialogue, `${where}: dialogue decoded by tshark`);

    let endpoint: DataEndpoint | undefined;
    const transfersSeen: string[] = [];
    for (const exchange of exchanges) {
      endpoint = announcedEndpoint(exchange, control) ?? endpoint;
      const commandLine = exchange.arg === '' ? exchange.command : `${exchange.command} ${exchange.arg}`;
      const transfer = want.transfers.find((t) => t.command === commandLine);
      if (!transfer) continue;
      transfersSeen.push(commandLine);
      const what = `${where}: data connection of ${commandLine}`;
      assert.ok(endpoint, `${what}: announced before`);
      assert.equal(endpoint.mode, transfer.mode, `${what}: mode`);
      const data = findDataConnection(all, control, endpoint);
      assert.ok(data, `${what}: ${endpoint.mode} connection to ${endpoint.addr} port ${endpoint.port} present`);
      assertComplete(data, what);
      dataConnectionsSeen.add(data.stream);

      const [senderAddr, receiverAddr] = transfer.sender === 'server' ? [want.server, want.client] : [want.client, want.server];
      const bytes = bytesSentBy(data, senderAddr);
      assert.equal(bytesSentBy(data, receiverAddr).length, 0, `${what}: payload flows one way only`);
      if (transfer.payload.kind === 'file') {
        assert.equal(bytes.length, transfer.payload.size, `${what}: size`);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), transfer.payload.sha256, `${what}: content`);
      } else {
        const names = bytes.toString('latin1').split('\r\n').filter((l) => l !== '').map((l) => l.split(' ').at(-1));
        assert.deepEqual(names, transfer.payload.names, `${what}: listed names`);
      }
    }
    assert.deepEqual(transfersSeen, want.transfers.map((t) => t.command), `${where}: transfers`);
  });
  assert.equal(all.length, controls.length + dataConnectionsSeen.size, `${expected.file}: no TCP connection beyond control and data`);
}

for (const expected of EXPECTED) {
  test(`${expected.file}: FTP dialogue and data connections as documented`, { skip: skipReason }, () => {
    checkCapture(expected);
  });

  test(`${expected.file}: no loss or retransmission, test addresses only`, { skip: skipReason }, () => {
    const problems = tshark(expected.file, ['-Y', 'tcp.analysis.lost_segment or tcp.analysis.ack_lost_segment or tcp.analysis.retransmission or tcp.analysis.out_of_order or tcp.analysis.duplicate_ack']);
    assert.deepEqual(problems, [], 'tcp analysis flags');
    const addresses = new Set(tshark(expected.file, ['-T', 'fields', '-E', 'separator=,', '-E', 'occurrence=a', '-E', 'aggregator=,',
      '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst', '-e', 'arp.src.proto_ipv4', '-e', 'arp.dst.proto_ipv4'])
      .flatMap((line) => line.split(',')).filter((a) => a !== ''));
    assert.ok(addresses.size > 0);
    for (const address of addresses) {
      // ff02::1:ff00:21 is the solicited-node group of 2001:db8::21 (neighbour discovery).
      assert.match(address, /^(192\.0\.2\.\d+|2001:db8:.*|ff02::1:ff00:21)$/, `${expected.file}: address ${address}`);
    }
  });
}
