/**
 * The committed sample captures: they match the generator byte for byte, and (when tshark is
 * installed) they decode cleanly with valid checksums and carry the scenarios they claim to.
 * Also unit tests of the packet-crafting library in samples/gen/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateSamples, SAMPLES } from '../samples/generate.ts';
import { ipv4, ipv6, ipv6Text } from '../samples/gen/addr.ts';
import { internetChecksum, pseudoHeaderSum, sum16, finishChecksum } from '../samples/gen/checksum.ts';
import { DNS_TYPE_A, dnsQuery, dnsResponse } from '../samples/gen/dns.ts';
import { IPPROTO_TCP, ipv4Packet, TCP_SYN, tcpOptions, tcpSegment, udpDatagram } from '../samples/gen/layers.ts';
import { Host, MS, Network, Trace } from '../samples/gen/network.ts';
import { Prng } from '../samples/gen/prng.ts';
import { CLIENT, SERVER, TcpConnection } from '../samples/gen/tcp.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const samplesDir = path.join(repoRoot, 'samples');

function hasTool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).error === undefined;
}
const haveTshark = hasTool('tshark');

// ---------------------------------------------------------------------------------------------
// The committed files are exactly what the generator writes

test('regenerating the samples gives byte-identical files to the committed ones', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsh-samples-'));
  try {
    const written = generateSamples(dir);
    assert.equal(written.length, SAMPLES.length);
    const committed = fs.readdirSync(samplesDir).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
    assert.deepEqual(committed, SAMPLES.map((s) => s.file).sort(), 'every committed capture comes from the generator');
    for (const file of written) {
      const name = path.basename(file);
      const fresh = fs.readFileSync(file);
      assert.ok(fresh.equals(fs.readFileSync(path.join(samplesDir, name))), `${name} differs: run npm run samples`);
      assert.ok(fresh.length < 200 * 1024, `${name} is ${fresh.length} bytes`);
    }
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the README describes every sample', () => {
  const readme = fs.readFileSync(path.join(samplesDir, 'README.md'), 'utf8');
  for (const s of SAMPLES) assert.ok(readme.includes(s.file), `${s.file} missing from samples/README.md`);
});

// ---------------------------------------------------------------------------------------------
// tshark's view of each sample

const FIELDS = [
  'frame.number', 'frame.interface_id', 'frame.time_epoch', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src',
  'ipv6.dst', 'ip.ttl', 'ipv6.hlim', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.len', 'tcp.flags.syn',
  'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset', 'tcp.analysis.flags', 'ftp.request.command', 'ftp.request.arg',
  'ftp.response.code', 'ftp.response.arg', 'ftp.passive.port', 'ftp.epsv.port', 'ftp.active.port', 'ftp.eprt.port',
  '_ws.expert.message', '_ws.expert.severity', '_ws.malformed', 'ip.checksum.status', 'tcp.checksum.status',
  'udp.checksum.status', 'icmpv6.checksum.status', 'vlan.id', 'arp.opcode', 'arp.dst.proto_ipv4', 'dns.qry.name',
  'dns.a', 'dns.aaaa', 'icmpv6.type',
] as const;
type Field = (typeof FIELDS)[number];
type Row = Record<Field, string>;

const SEVERITY_WARN = 0x600000;

function tsharkRows(file: string): Row[] {
  const args = ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
    '-T', 'fields', '-E', 'aggregator=^', ...FIELDS.flatMap((f) => ['-e', f])];
  const out = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(out.status, 0, out.stderr);
  const stderr = out.stderr.split('\n').filter((l) => l.trim() !== '' && !/Running as user/.test(l));
  assert.deepEqual(stderr, [], `tshark complained about ${path.basename(file)}`);
  return out.stdout.split('\n').filter((l) => l !== '').map((line) => {
    const values = line.split('\t');
    return Object.fromEntries(FIELDS.map((f, i) => [f, values[i] ?? ''])) as Row;
  });
}

interface Expectation {
  commands: string[];
  /** `PORT`/`EPRT` arguments vary with the ephemeral port: matched as patterns */
  streams: number;
  /** expert messages of warning severity or above that the scenario is meant to produce */
  allowedWarnings?: RegExp;
}

const ALICE_LOGIN = ['USER alice', 'PASS wonderland', 'SYST', 'TYPE I', 'PWD'];
const EXPECTED: Record<string, Expectation> = {
  'ftp-passive-dns.pcap': {
    commands: [...ALICE_LOGIN, 'CWD pub', 'SIZE report-2024-03.csv', 'PASV', 'RETR report-2024-03.csv', 'PASV', 'LIST', 'QUIT'],
    streams: 3,
  },
  'ftp-active.pcap': {
    commands: ['USER bob', 'PASS builder', 'SYST', 'TYPE I', 'CWD /srv/firmware', 'PORT /^192,0,2,10,\\d+,\\d+$/',
      'RETR firmware-2.4.1.bin', 'PORT /^192,0,2,10,\\d+,\\d+$/', 'LIST', 'QUIT'],
    streams: 3,
  },
  'ftp-ipv6-epsv-eprt.pcap': {
    commands: ['USER carol', 'PASS v6only', 'FEAT', 'TYPE I', 'PWD', 'EPSV', 'RETR dataset.csv',
      'EPRT /^\\|2\\|2001:db8:0:1::10\\|\\d+\\|$/', 'RETR diagram.png', 'QUIT'],
    streams: 3,
  },
  'ftp-upload.pcap': {
    commands: [...ALICE_LOGIN, 'CWD incoming', 'PASV', 'STOR measurements.csv', 'PASV', 'APPE measurements.csv',
      'SIZE measurements.csv', 'QUIT'],
    streams: 3,
  },
  'ftp-fin-out-of-order.pcap': {
    commands: [...ALICE_LOGIN, 'SIZE logs-2024-03-13.tar.gz', 'PASV', 'RETR logs-2024-03-13.tar.gz', 'QUIT'],
    streams: 2,
    allowedWarnings: /^(Previous segment\(s\) not captured|This frame is a \(suspected\) out-of-order segment)/,
  },
  'portscan-burst.pcap': { commands: [], streams: 200, allowedWarnings: /^Connection reset \(RST\)$/ },
  'ftp-vlan.pcap': {
    commands: ['USER dave', 'PASS tagged', 'TYPE I', 'PASV', 'RETR changelog.txt', 'QUIT'], streams: 2,
  },
  'ftp-nanosecond.pcap': {
    commands: ['USER dave', 'PASS tagged', 'TYPE I', 'PASV', 'RETR changelog.txt', 'QUIT'], streams: 2,
  },
  'two-interfaces.pcapng': {
    commands: ['USER anonymous', 'PASS guest@', 'QUIT', 'USER erin', 'PASS tunnel', 'PASV', 'RETR internal-report.csv', 'QUIT'],
    streams: 3,
  },
};

function matchesCommand(expected: string, actual: string): boolean {
  const m = /^(\S+) \/(.*)\/$/.exec(expected);
  if (m === null) return expected === actual;
  const [command, ...rest] = actual.split(' ');
  return command === m[1] && new RegExp(m[2]!).test(rest.join(' '));
}

/** tcp.stream -> rows of that stream */
function byStream(rows: Row[]): Map<number, Row[]> {
  const streams = new Map<number, Row[]>();
  for (const r of rows) {
    if (r['tcp.stream'] === '') continue;
    const id = Number(r['tcp.stream']);
    let list = streams.get(id);
    if (list === undefined) streams.set(id, (list = []));
    list.push(r);
  }
  return streams;
}

/** The data connection announced by a PASV/EPSV/PORT/EPRT reply or command: the stream using that port. */
function dataStreams(rows: Row[]): { port: number; rows: Row[] }[] {
  const ports = rows.flatMap((r) => [r['ftp.passive.port'], r['ftp.epsv.port'], r['ftp.active.port'], r['ftp.eprt.port']])
    .filter((p) => p !== '').map(Number);
  const streams = byStream(rows);
  return ports.map((port) => {
    const match = [...streams.values()].filter((s) => s.some((r) => r['tcp.srcport'] === String(port) || r['tcp.dstport'] === String(port)));
    assert.equal(match.length, 1, `exactly one data connection uses announced port ${port}`);
    return { port, rows: match[0]! };
  });
}

const payloadBytes = (rows: Row[]) => rows.reduce((n, r) => n + Number(r['tcp.len'] || 0), 0);

for (const sample of SAMPLES) {
  test(`tshark: ${sample.file} decodes cleanly and carries its scenario`, { skip: haveTshark ? false : 'tshark is not installed' }, () => {
    const expected = EXPECTED[sample.file];
    assert.ok(expected !== undefined, `no expectations written for ${sample.file}`);
    const rows = tsharkRows(path.join(samplesDir, sample.file));
    assert.ok(rows.length > 0);

    // no malformed packets; no warnings beyond what the scenario is about
    assert.deepEqual(rows.filter((r) => r['_ws.malformed'] !== '').map((r) => r['frame.number']), []);
    const warnings = rows.flatMap((r) => {
      const messages = r['_ws.expert.message'].split('^');
      return r['_ws.expert.severity'].split('^').map((s, i) => [Number(s), messages[i]!] as const)
        .filter(([severity]) => severity >= SEVERITY_WARN).map(([, message]) => `${r['frame.number']}: ${message}`);
    });
    const unexpected = warnings.filter((w) => !(expected.allowedWarnings?.test(w.replace(/^\d+: /, '')) ?? false));
    assert.deepEqual(unexpected, []);
    if (expected.allowedWarnings === undefined) {
      assert.deepEqual(rows.filter((r) => r['tcp.analysis.flags'] !== '').map((r) => r['frame.number']), [], 'no TCP analysis flags');
    }

    // every checksum tshark verified is good (1), and it did verify them
    for (const field of ['ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status', 'icmpv6.checksum.status'] as const) {
      const bad = rows.filter((r) => r[field] !== '' && r[field].split('^').some((s) => s !== '1'));
      assert.deepEqual(bad.map((r) => r['frame.number']), [], `${field} not good`);
    }
    assert.equal(rows.filter((r) => r['tcp.checksum.status'] === '1').length, rows.filter((r) => r['tcp.stream'] !== '').length);

    // timestamps never go backwards
    const times = rows.map((r) => r['frame.time_epoch']);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, `frame ${i + 1} goes back in time`);

    // the FTP commands of the scenario, in order
    const commands = rows.filter((r) => r['ftp.request.command'] !== '')
      .map((r) => `${r['ftp.request.command']}${r['ftp.request.arg'] === '' ? '' : ` ${r['ftp.request.arg']}`}`);
    assert.equal(commands.length, expected.commands.length, `commands seen: ${commands.join(' | ')}`);
    expected.commands.forEach((c, i) => assert.ok(matchesCommand(c, commands[i]!), `command ${i}: ${commands[i]} vs ${c}`));

    const streams = byStream(rows);
    assert.equal(streams.size, expected.streams);
    if (sample.file === 'portscan-burst.pcap') return;

    // every connection: handshake, both sides FIN, no RST; hosts send TTL 64, the remote server arrives with 63
    for (const [id, s] of streams) {
      assert.equal(s[0]!['tcp.flags.syn'], '1', `stream ${id} starts with a SYN`);
      assert.equal(s[0]!['tcp.flags.ack'], '0');
      assert.equal(s[1]!['tcp.flags.syn'] + s[1]!['tcp.flags.ack'], '11', `stream ${id}: SYN/ACK second`);
      const fins = s.filter((r) => r['tcp.flags.fin'] === '1');
      assert.equal(new Set(fins.map((r) => r['tcp.srcport'])).size, 2, `stream ${id}: both sides send FIN`);
      assert.ok(s.every((r) => r['tcp.flags.reset'] === '0'), `stream ${id}: no RST`);
    }
    for (const r of rows) {
      const ttl = r['ip.ttl'] || r['ipv6.hlim'];
      const src = r['ip.src'] || r['ipv6.src'];
      if (ttl === '' || r['icmpv6.type'] !== '') continue; // neighbour discovery uses 255
      assert.equal(ttl, /^(192\.0\.2\.(180|200)|2001:db8:0:2::21)$/.test(src) ? '63' : '64', `frame ${r['frame.number']} TTL`);
    }

    // each announced data connection carries data; RETR sizes match the 150 reply
    const data = dataStreams(rows);
    const announced = rows.filter((r) => /^(PASV|EPSV|PORT|EPRT)$/.test(r['ftp.request.command'])).length;
    assert.equal(data.length, announced, 'one data connection per PASV/EPSV/PORT/EPRT');
    const sizes = rows.filter((r) => r['ftp.response.code'] === '150')
      .map((r) => /\((\d+) bytes\)/.exec(r['ftp.response.arg'])?.[1]);
    data.forEach(({ port, rows: s }, i) => {
      assert.ok(payloadBytes(s) > 0, `data connection on port ${port} carries data`);
      if (sizes[i] !== undefined) assert.equal(payloadBytes(s), Number(sizes[i]), `150 announces the bytes sent on port ${port}`);
    });
    const activeCommands = rows.filter((r) => /^(PORT|EPRT)$/.test(r['ftp.request.command'])).length;
    const fromPort20 = data.filter(({ rows: s }) => s[0]!['tcp.srcport'] === '20');
    assert.equal(fromPort20.length, activeCommands, 'active-mode data connections are opened from port 20');
    for (const r of rows.filter((x) => x['ftp.request.command'] !== '' || x['ftp.response.code'] !== '')) {
      assert.ok(r['tcp.len'] !== '0');
    }

    switch (sample.file) {
      case 'ftp-passive-dns.pcap': {
        assert.deepEqual([rows[0]!['arp.opcode'], rows[0]!['arp.dst.proto_ipv4']], ['1', '192.0.2.1']);
        assert.equal(rows[1]!['arp.opcode'], '2');
        const answer = rows.find((r) => r['dns.a'] !== '')!;
        assert.equal(answer['dns.qry.name'], 'ftp.example.com');
        const syn = rows.find((r) => r['tcp.dstport'] === '21')!;
        assert.equal(syn['ip.dst'], answer['dns.a'], 'the FTP server is the address DNS returned');
        assert.ok(rows.indexOf(answer) < rows.indexOf(syn));
        break;
      }
      case 'ftp-ipv6-epsv-eprt.pcap': {
        assert.deepEqual(rows.slice(0, 2).map((r) => r['icmpv6.type']), ['135', '136']);
        assert.ok(rows.every((r) => r['ip.src'] === ''), 'IPv6 only');
        const answer = rows.find((r) => r['dns.aaaa'] !== '')!;
        assert.equal(answer['dns.aaaa'], rows.find((r) => r['tcp.dstport'] === '21')!['ipv6.dst']);
        break;
      }
      case 'ftp-upload.pcap': {
        const uploaded = data.reduce((n, d) => n + payloadBytes(d.rows), 0);
        const size = rows.filter((r) => r['ftp.response.code'] === '213').at(-1)!['ftp.response.arg'];
        assert.equal(Number(size), uploaded, 'SIZE after STOR + APPE is what was uploaded');
        assert.ok(data.every(({ rows: s }) => s.filter((r) => Number(r['tcp.len']) > 0).every((r) => r['tcp.dstport'] === String(data.find((d) => d.rows === s)!.port))), 'uploads flow towards the server');
        break;
      }
      case 'ftp-fin-out-of-order.pcap': {
        const s = data[0]!.rows;
        const serverPort = String(data[0]!.port);
        const fin = s.findIndex((r) => r['tcp.flags.fin'] === '1' && r['tcp.srcport'] === serverPort);
        const lastData = s.findLastIndex((r) => Number(r['tcp.len']) > 0);
        assert.ok(fin >= 0 && fin < lastData, 'the server FIN is captured before the last data segment');
        assert.match(s[lastData]!['_ws.expert.message'], /out-of-order/);
        break;
      }
      case 'ftp-vlan.pcap':
        assert.ok(rows.every((r) => r['vlan.id'] === '100'));
        break;
      case 'ftp-nanosecond.pcap':
        assert.ok(times.some((t) => !t.endsWith('000')), 'nanosecond digits are kept');
        break;
      case 'two-interfaces.pcapng': {
        assert.deepEqual([...new Set(rows.map((r) => r['frame.interface_id']))].sort(), ['0', '1']);
        for (const r of rows) {
          assert.equal(r['frame.protocols'].startsWith('eth:'), r['frame.interface_id'] === '0', `frame ${r['frame.number']}`);
        }
        break;
      }
    }
  });
}

test('tshark: the port scan probes ports 1-200 in order; closed ports answer RST/ACK, open ones complete the handshake', { skip: haveTshark ? false : 'tshark is not installed' }, () => {
  const rows = tsharkRows(path.join(samplesDir, 'portscan-burst.pcap'));
  const syns = rows.filter((r) => r['tcp.flags.syn'] === '1' && r['tcp.flags.ack'] === '0');
  assert.deepEqual(syns.map((r) => Number(r['tcp.dstport'])), Array.from({ length: 200 }, (_, i) => i + 1));
  const synAcks = rows.filter((r) => r['tcp.flags.syn'] === '1' && r['tcp.flags.ack'] === '1');
  assert.deepEqual(synAcks.map((r) => r['tcp.srcport']), ['22', '80', '111']);
  const refusals = rows.filter((r) => r['tcp.flags.reset'] === '1' && r['ip.src'] === '192.0.2.20');
  assert.equal(refusals.length, 197);
  const aborts = rows.filter((r) => r['tcp.flags.reset'] === '1' && r['ip.src'] === '192.0.2.66');
  assert.deepEqual(aborts.map((r) => r['tcp.dstport']), ['22', '80', '111']);
  assert.ok(rows.every((r) => r['ftp.request.command'] === '' && r['ftp.response.code'] === ''), 'no FTP');
});

test('capinfos: nanosecond pcap and two-interface pcapng report their resolution', { skip: hasTool('capinfos') ? false : 'capinfos is not installed' }, () => {
  const info = (file: string) => spawnSync('capinfos', ['-M', path.join(samplesDir, file)], { encoding: 'utf8' }).stdout;
  assert.match(info('ftp-nanosecond.pcap'), /File timestamp precision:\s+nanoseconds \(9\)/);
  assert.match(info('ftp-passive-dns.pcap'), /File timestamp precision:\s+microseconds \(6\)/);
  const ng = info('two-interfaces.pcapng');
  assert.match(ng, /Number of interfaces in file: 2/);
  assert.match(ng, /Encapsulation = Ethernet[\s\S]*Time precision = microseconds[\s\S]*Encapsulation = Raw IP[\s\S]*Time precision = nanoseconds/);
});

// ---------------------------------------------------------------------------------------------
// The packet-crafting library

test('addresses parse from text, IPv6 in every form', () => {
  assert.deepEqual([...ipv4('192.0.2.10')], [192, 0, 2, 10]);
  assert.throws(() => ipv4('192.0.2.256'));
  assert.deepEqual([...ipv6('2001:db8::1')], [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]);
  assert.equal(ipv6Text(ipv6('2001:db8:0:1:0:0:0:10')), '2001:db8:0:1::10');
  assert.equal(ipv6Text(ipv6('2001:db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1');
  assert.throws(() => ipv6('1::2::3'));
});

test('IPv4 header and TCP/UDP checksums verify (the sum over the covered bytes folds to 0xffff)', () => {
  const src = ipv4('192.0.2.10');
  const dst = ipv4('192.0.2.180');
  const segment = tcpSegment(src, dst, {
    srcPort: 40000, dstPort: 21, seq: 0xfffffff0, ack: 0, flags: TCP_SYN, window: 64240,
    options: [{ kind: 'mss', mss: 1460 }, { kind: 'sackPermitted' }, { kind: 'timestamps', tsVal: 1, tsEcr: 0 }, { kind: 'nop' }, { kind: 'windowScale', shift: 7 }],
  }, new Uint8Array(0));
  assert.equal(segment.length, 40, '20-byte header + 20 bytes of options');
  assert.equal(segment[12]! >> 4, 10);
  assert.equal(finishChecksum(sum16(segment, pseudoHeaderSum(src, dst, IPPROTO_TCP, segment.length))), 0);
  const packet = ipv4Packet({ src, dst, protocol: IPPROTO_TCP, id: 0x1234, ttl: 64, dontFragment: true }, segment);
  assert.equal(internetChecksum(packet.subarray(0, 20)), 0);
  assert.deepEqual([...packet.subarray(0, 10)], [0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6]);
  // odd-length UDP payload exercises the padding byte
  const udp = udpDatagram(src, dst, { srcPort: 5353, dstPort: 53 }, Uint8Array.of(1, 2, 3));
  assert.equal(finishChecksum(sum16(udp, pseudoHeaderSum(src, dst, 17, udp.length))), 0);
  // RFC 1071's worked example: 0001 f203 f4f5 f6f7 sums to ddf2, checksum 220d
  assert.equal(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7)), 0x220d);
});

test('TCP options are encoded as Linux lays them out and padded to 32 bits', () => {
  assert.deepEqual([...tcpOptions([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamps', tsVal: 0x01020304, tsEcr: 5 }])],
    [1, 1, 8, 10, 1, 2, 3, 4, 0, 0, 0, 5]);
  assert.deepEqual([...tcpOptions([{ kind: 'sack', blocks: [[10, 20]] }])], [5, 10, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0]);
  assert.deepEqual([...tcpOptions([{ kind: 'windowScale', shift: 7 }])], [3, 3, 7, 0]);
});

test('DNS query and response follow RFC 1035 layout', () => {
  const q = { id: 0xbeef, name: 'ftp.example.com', type: DNS_TYPE_A };
  const query = dnsQuery(q);
  assert.deepEqual([...query.subarray(0, 12)], [0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  assert.equal(Buffer.from(query.subarray(12)).toString('latin1'), '\x03ftp\x07example\x03com\x00\x00\x01\x00\x01');
  const response = dnsResponse(q, [{ ttl: 300, address: ipv4('192.0.2.180') }]);
  assert.deepEqual([...response.subarray(2, 8)], [0x81, 0x80, 0, 1, 0, 1]);
  assert.deepEqual([...response.subarray(query.length)], [0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 192, 0, 2, 180]);
});

test('the PRNG is deterministic and stays in range', () => {
  const a = new Prng(42);
  const b = new Prng(42);
  const first = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(Array.from({ length: 5 }, () => b.nextUint32()), first);
  assert.notDeepEqual(Array.from({ length: 5 }, () => new Prng(43).nextUint32()), first);
  const r = new Prng(7);
  for (let i = 0; i < 1000; i++) {
    const v = r.int(3, 9);
    assert.ok(Number.isInteger(v) && v >= 3 && v <= 9);
  }
});

function tinyNetwork(seed: number) {
  const rng = new Prng(seed);
  const trace = new Trace(1_700_000_000);
  const client = new Host({ name: 'c', mac: '02:00:00:00:00:01', ipv4: '192.0.2.1', delayNs: 1000 }, rng);
  const server = new Host({ name: 's', mac: '02:00:00:00:00:02', ipv4: '192.0.2.2', delayNs: 5 * MS, uplinkBps: 20e6 }, rng);
  const net = new Network({ trace, rng, captureHost: client });
  return { rng, trace, client, server, net };
}

test('TCP simulator: both directions arrive intact and in order, even with the last segment reordered', () => {
  const { rng, trace, client, server, net } = tinyNetwork(1);
  const conn = new TcpConnection(net, { client, server, serverPort: 21 });
  conn.connect();
  const upload = rng.bytes(7000);
  const download = rng.bytes(20000);
  conn.send(CLIENT, upload);
  conn.send(SERVER, download, { fin: true, delayLastSegmentNs: 3 * MS });
  conn.shutdown(CLIENT);
  net.finish();
  assert.deepEqual(new Uint8Array(conn.receivedBy(SERVER)), upload);
  assert.deepEqual(new Uint8Array(conn.receivedBy(CLIENT)), download);
  // data segments are at most MSS minus the timestamp option; frames are sorted by capture time
  const frames = trace.sorted();
  const tcpPayloads = frames.map((f) => f.data.length - 14 - 20 - ((f.data[14 + 20 + 12]! >> 4) * 4));
  assert.ok(Math.max(...tcpPayloads) <= 1448);
  for (let i = 1; i < frames.length; i++) assert.ok(frames[i]!.timeNs >= frames[i - 1]!.timeNs);
  // the server's FIN (flags 0x11) is captured before its last data segment
  const fromServer = frames.filter((f) => f.data[34] === 0 && f.data[35] === 21); // TCP source port 21
  const finIndex = fromServer.findIndex((f) => f.data[14 + 20 + 13] === 0x11);
  const lastDataIndex = fromServer.findLastIndex((f) => f.data.length > 100);
  assert.ok(finIndex >= 0 && finIndex < lastDataIndex);
});

test('TCP simulator: a refused connection is a SYN answered by RST/ACK with sequence 0', () => {
  const { trace, client, server, net } = tinyNetwork(2);
  new TcpConnection(net, { client, server, serverPort: 23 }).connect({ refused: true });
  net.finish();
  const frames = trace.sorted();
  assert.equal(frames.length, 2);
  const rst = new DataView(frames[1]!.data.buffer, frames[1]!.data.byteOffset);
  assert.equal(frames[1]!.data[14 + 20 + 13], 0x14, 'RST|ACK');
  assert.equal(rst.getUint32(14 + 20 + 4), 0);
  const syn = new DataView(frames[0]!.data.buffer, frames[0]!.data.byteOffset);
  assert.equal(rst.getUint32(14 + 20 + 8), (syn.getUint32(14 + 20 + 4) + 1) >>> 0, 'ACKs the SYN');
  assert.equal(frames[1]!.data.length, 60, 'received frames are padded to the Ethernet minimum');
  assert.equal(frames[0]!.data.length, 74, 'the capturing host sees its own frames unpadded');
});
