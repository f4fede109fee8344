/**
 * The tcpdump view against the real tcpdump (`tcpdump -nn -tt -S -r`), line by line up to and
 * including `length N`: on every packet of the committed samples (gzip-compressed ones included), on crafted captures with the
 * corner cases (truncation, fragments, extension headers, tunnels, ICMP errors, other link types)
 * and on every TCP/UDP/ICMP packet of the shared public captures. Skips when tcpdump is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCapture } from '../store/load.ts';
import { PcapWriter, LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW } from '../capture/writer.ts';
import {
  authHeader, concat, ethernet, icmp, ipv4, ipv6, ipv6Bytes, ipv6Extension, ipv6Fragment, loopback, sctp, sll, sll2, tcp,
  tcpOption, text, udp,
} from '../decode/craft.ts';
import { formatTime, tcpdumpLine, tcpdumpLines, tcpFlagsText, TCPDUMP_TS_DIGITS } from './tcpdump.ts';
import { DecodedPacket } from '../decode/packet.ts';
import { decodePacket } from '../decode/decode.ts';
import { compareWithTcpdump, cutAfterLength, haveTcpdump, UDP_APPLICATION_DECODER, type CompareResult } from './tcpdumpCompare.ts';
import { execFileSync } from 'node:child_process';

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const sharedPcaps = path.resolve(repoRoot, '..', 'shared', 'pcaps');
const tcpdumpMissing = haveTcpdump() ? false : 'tcpdump is not installed';

/** The reasons a line may differ from tcpdump's after the addresses (see compareWithTcpdump). */
const KNOWN_DIFFERENCES = new Set([
  UDP_APPLICATION_DECODER,
  'SCTP chunk list after "sctp" not reproduced; addresses and ports compared',
]);

function captureFiles(dir: string, recursive = false): string[] {
  if (!fs.existsSync(dir)) return [];
  const entries = fs.readdirSync(dir, { recursive, withFileTypes: false }) as string[];
  return entries.filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).map((f) => path.join(dir, f)).sort();
}

function describe(results: CompareResult[]): string {
  const compared = results.reduce((n, r) => n + r.compared, 0);
  const matched = results.reduce((n, r) => n + r.matched, 0);
  const dns = results.reduce((n, r) => n + r.dnsCompared, 0);
  const exceptions = new Map<string, number>();
  for (const r of results) for (const [k, v] of r.exceptions) exceptions.set(k, (exceptions.get(k) ?? 0) + v);
  const skipped = results.filter((r) => r.skipped).map((r) => `${path.basename(r.file)}: ${r.skipped}`);
  return `${matched}/${compared} lines identical (${dns} DNS lines compared whole); ` +
    [...exceptions].map(([k, v]) => `${v} x ${k}`).join('; ') +
    (skipped.length ? `; skipped ${skipped.join('; ')}` : '');
}

function assertNoMismatch(results: CompareResult[]): void {
  const bad = results.flatMap((r) => r.mismatches.map((m) => `${path.basename(r.file)} #${m.pktNo}\n  ours:    ${m.ours}\n  tcpdump: ${m.tcpdump}`));
  assert.equal(bad.length, 0, `lines differing from tcpdump:\n${bad.slice(0, 20).join('\n')}`);
  for (const r of results) for (const reason of r.exceptions.keys()) assert.ok(KNOWN_DIFFERENCES.has(reason), reason);
}

// ---------------------------------------------------------------------------------------------
// pieces with fixed expectations (from tcpdump's own output)

test('timestamps: microseconds truncated like plain tcpdump, nine digits like tcpdump --nano', () => {
  assert.equal(formatTime(1710433613, 806142890, TCPDUMP_TS_DIGITS), '1710433613.806142');
  assert.equal(formatTime(1710433613, 806142890, 9), '1710433613.806142890');
  assert.equal(formatTime(5, 999, 6), '5.000000');
  assert.equal(formatTime(5, 7, 9), '5.000000007');
});

test('TCP flag letters in tcpdump order, "none" without flags', () => {
  assert.equal(tcpFlagsText(0x02), 'S');
  assert.equal(tcpFlagsText(0x12), 'S.');
  assert.equal(tcpFlagsText(0x19), 'FP.');
  assert.equal(tcpFlagsText(0xc2), 'SEW');
  assert.equal(tcpFlagsText(0x52), 'S.E');
  assert.equal(tcpFlagsText(0), 'none');
});

test('cutAfterLength keeps everything up to the first length token', () => {
  assert.equal(cutAfterLength('1.000000 IP a.1 > b.21: Flags [P.], seq 1:5, ack 2, win 3, length 4: FTP: USER x'),
    '1.000000 IP a.1 > b.21: Flags [P.], seq 1:5, ack 2, win 3, length 4');
  assert.equal(cutAfterLength('1.000000 IP a > b: ip-proto-6'), '1.000000 IP a > b: ip-proto-6');
});

test('tcpdumpLines formats chosen rows of a loaded capture in the order given', async () => {
  const capture = await loadCapture(path.join(repoRoot, 'samples', 'ftp-active.pcap'));
  try {
    const lines = tcpdumpLines(capture, [2, 0]);
    assert.equal(lines[0], '1710412013.392266 IP 192.0.2.10.57598 > 192.0.2.180.21: Flags [S], seq 4203520657, win 64240, options [mss 1460,sackOK,TS val 1264051561 ecr 0,nop,wscale 7], length 0');
    assert.equal(lines[1], '1710412013.391923 ARP, Request who-has 192.0.2.1 tell 192.0.2.10, length 28');
  } finally {
    capture.close();
  }
});

test('damaged frames (bytes flipped, cut short) still give one line starting with the time', async () => {
  const capture = await loadCapture(path.join(repoRoot, 'samples', 'ftp-ipv6-epsv-eprt.pcap'));
  try {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pkt = new DecodedPacket();
    let lines = 0;
    for (let round = 0; round < 40; round++) {
      for (let row = 0; row < capture.packets.rowCount; row++) {
        const frame = capture.readFrame(row);
        const bytes = Uint8Array.from(frame.bytes);
        for (let flips = random(4); flips >= 0; flips--) bytes[random(bytes.length)] = random(256);
        const capLen = random(3) === 0 ? random(bytes.length + 1) : bytes.length;
        const damaged = { ...frame, bytes: bytes.subarray(0, capLen), capLen, linkType: random(5) === 0 ? [0, 101, 113, 276][random(4)]! : frame.linkType };
        decodePacket(damaged.bytes, new DataView(bytes.buffer, 0, capLen), 0, capLen, frame.wireLen, damaged.linkType, pkt);
        const line = tcpdumpLine(damaged, pkt, 6);
        assert.match(line, /^\d+\.\d{6} ./);
        assert.ok(!line.includes('\n'));
        lines++;
      }
    }
    assert.ok(lines > 1000);
  } finally {
    capture.close();
  }
});

// ---------------------------------------------------------------------------------------------
// against tcpdump

test('every packet of the committed samples prints as tcpdump prints it', { skip: tcpdumpMissing }, async (t) => {
  const files = [...captureFiles(path.join(repoRoot, 'samples')), ...captureFiles(path.join(repoRoot, 'samples', 'recorded'))];
  assert.ok(files.length >= 10);
  // the gzip-compressed recordings too (tcpdump gets them decompressed on its standard input)
  assert.ok(files.filter((f) => f.endsWith('.gz')).length >= 2, 'gzip samples compared');
  const results: CompareResult[] = [];
  for (const file of files) results.push(await compareWithTcpdump(file));
  t.diagnostic(describe(results));
  for (const r of results) {
    if (r.skipped) {
      // the only sample tcpdump cannot read whole: one file, two link types (compared per interface below)
      assert.equal(path.basename(r.file), 'two-interfaces.pcapng', r.skipped);
      assert.match(r.skipped, /one link type per file/);
    } else {
      assert.ok(r.compared > 0);
    }
  }
  assert.ok(results.reduce((n, r) => n + r.dnsCompared, 0) >= 10);
  assertNoMismatch(results);
});

/**
 * Writes the frames tshark reads from `file` (those matching `filter`) to a classic pcap with
 * nanosecond times at `out`: bytes, time and length on the wire as tshark gives them, so tcpdump
 * can print a capture it cannot read itself, independently of flowsh's reader.
 */
function tsharkFramesAsPcap(file: string, filter: string | undefined, linkType: number, out: string): void {
  const frames = JSON.parse(execFileSync('tshark', ['-r', file, ...(filter ? ['-Y', filter] : []), '-T', 'json', '-x'], {
    encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'],
  })) as { _source: { layers: { frame: Record<string, string>; frame_raw: [string] } } }[];
  const w = PcapWriter.create({ path: out, linkType, nanosecond: true });
  for (const { _source: { layers } } of frames) {
    const [sec, fraction = ''] = layers.frame['frame.time_epoch']!.split('.');
    w.writePacket(Number(sec), Number(fraction.padEnd(9, '0').slice(0, 9)), Buffer.from(layers.frame_raw[0], 'hex'), Number(layers.frame['frame.len']));
  }
  w.close();
}

test('the two-interface sample, each interface split off by tshark, prints as tcpdump prints it', { skip: tcpdumpMissing || (haveTshark() ? false : 'tshark is not installed') }, async () => {
  // tcpdump refuses a pcapng whose interfaces have different link types (Ethernet eth0, raw IPv4
  // tun0), and tshark will not write one interface of it as pcap, so each interface's frames, as
  // tshark reads them (bytes, time, length on the wire), go to a pcap of their own for tcpdump
  const file = path.join(repoRoot, 'samples', 'two-interfaces.pcapng');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsh-tcpdump-iface-'));
  try {
    let compared = 0;
    for (const [id, linkType] of [[0, LINKTYPE_ETHERNET], [1, LINKTYPE_RAW]] as const) {
      const part = path.join(dir, `interface-${id}.pcap`);
      tsharkFramesAsPcap(file, `frame.interface_id == ${id}`, linkType, part);
      const r = await compareWithTcpdump(file, { interface: { id, tcpdumpFile: part } });
      assert.equal(r.skipped, undefined, `interface ${id}: ${r.skipped}`);
      assert.ok(r.compared > 10, `interface ${id} has packets`);
      compared += r.compared;
      assertNoMismatch([r]);
    }
    assert.equal(compared, 57, 'every packet of the sample');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('nanosecond sample with nine digits matches tcpdump --nano', { skip: tcpdumpMissing }, async () => {
  const r = await compareWithTcpdump(path.join(repoRoot, 'samples', 'ftp-nanosecond.pcap'), { nano: true });
  assert.equal(r.skipped, undefined);
  assert.ok(r.compared > 10);
  assertNoMismatch([r]);
});

const IPPROTO = { icmp: 1, ipip: 4, tcp: 6, udp: 17, ipv6: 41, frag: 44, ah: 51, icmp6: 58, hop: 0 };
const ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_ARP = 0x0806;

function arp(op: number, sha: number[], spa: number[], tha: number[], tpa: number[]): Uint8Array {
  return concat([0, 1, 8, 0, 6, 4, 0, op], sha, spa, tha, tpa);
}

/** IPv4 packets tcpdump prints in many different ways (each a corner of the printers). */
function cornerCasesV4(): Uint8Array[] {
  const v4 = (payload: Uint8Array, proto: number, extra: Partial<Parameters<typeof ipv4>[1]> = {}) =>
    ipv4(payload, { proto, src: '192.0.2.10', dst: '192.0.2.21', ...extra });
  const udpHeader = udp([], 40000, 40001);
  const quotedUdp = v4(concat(udpHeader), IPPROTO.udp);
  const quotedTcp = v4(tcp([], { sport: 40000, dport: 8080 }), IPPROTO.tcp);
  return [
    v4(tcp([], {
      flags: 0x22, urgent: 7, options: [...tcpOption.mss(1460), ...tcpOption.sackPermitted, ...tcpOption.timestamp(1, 0),
        ...tcpOption.nop, ...tcpOption.wscale(7), 99, 4, 0xbe, 0xef, ...tcpOption.eol],
    }), IPPROTO.tcp),
    v4(tcp(text('abc'), { flags: 0x10, options: [...tcpOption.nop, ...tcpOption.nop, ...tcpOption.sack(5000, 6000, 7000, 8000)] }), IPPROTO.tcp),
    v4(tcp(text('no flags'), { flags: 0 }), IPPROTO.tcp),
    v4(tcp([], { flags: 0xc2, seq: 0xfffffff0 }), IPPROTO.tcp),
    v4(tcp(text('wraps'), { flags: 0x18, seq: 0xfffffffe }), IPPROTO.tcp),
    v4(tcp([], { dataOffset: 4 }), IPPROTO.tcp),
    v4(tcp([], { options: [2, 9, 1, 1] }), IPPROTO.tcp), // option length past the header
    v4(tcp(text('later'), { flags: 0x18 }), IPPROTO.tcp, { fragOffset: 1480 }),
    v4(udp(text('first fragment'), 40000, 40001, 800), IPPROTO.udp, { flags: 0x2000 }),
    v4(udp(text('short'), 40000, 40001, 300), IPPROTO.udp),
    v4(udp(text('x'), 40000, 40001, 4), IPPROTO.udp),
    v4(udp(text('fine'), 40000, 40001), IPPROTO.udp, { totalLen: 400 }), // longer than the frame
    v4(icmp(8, 0, text('ping')), IPPROTO.icmp),
    v4(icmp(0, 0, text('pong')), IPPROTO.icmp),
    v4(icmp(3, 3, quotedUdp), IPPROTO.icmp),
    v4(icmp(3, 3, quotedTcp), IPPROTO.icmp),
    v4(icmp(3, 1, quotedUdp), IPPROTO.icmp),
    v4(icmp(3, 13, quotedUdp), IPPROTO.icmp),
    v4(icmp(3, 4, quotedUdp), IPPROTO.icmp),
    v4(icmp(11, 0, quotedUdp), IPPROTO.icmp),
    v4(icmp(5, 1, quotedUdp), IPPROTO.icmp),
    v4(icmp(12, 0, quotedUdp), IPPROTO.icmp),
    v4(icmp(13, 0, new Uint8Array(12)), IPPROTO.icmp),
    v4(icmp(42, 0), IPPROTO.icmp),
    v4(authHeader(IPPROTO.icmp, 3, icmp(8, 0, text('ah'))), IPPROTO.ah),
    v4(ipv6(tcp(text('6in4'), { sport: 1026, dport: 21 }), { next: IPPROTO.tcp }), IPPROTO.ipv6),
    v4(v4(udp(text('4in4'), 40000, 40001), IPPROTO.udp), IPPROTO.ipip),
    v4(text('unknown protocol'), 99),
    v4(concat([0x22, 0, 0, 0, 0, 0, 0, 2], [4, 0, 0, 0, 239, 1, 2, 3], [4, 0, 0, 0, 239, 1, 2, 4]), 2), // IGMPv3 report
    v4(concat([0x16, 0, 0, 0, 239, 1, 2, 3]), 2),
    v4(concat([0x11, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 2),
    v4(sctp(5000, 6000, [1, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0x10, 0, 0, 1, 0, 1, 0, 0, 0, 1]), 132),
    v4(sctp(5000, 6000), 132),
    ...[icmp(4, 0), icmp(15, 0), icmp(17, 0, [0, 0, 0, 0]), icmp(18, 0, [255, 255, 255, 0]),
      icmp(14, 0, [0, 0, 0, 1, 0x05, 0x26, 0x5c, 0x01, 0, 0, 0, 0]), icmp(3, 2, ipv4(new Uint8Array(8), { proto: 47 })),
      icmp(11, 1), icmp(5, 0, ipv4(new Uint8Array(8), { proto: 6 })),
      concat([9, 0, 0, 0, 2, 2, 0x0e, 0x10], [192, 0, 2, 1, 0, 0, 0, 1], [192, 0, 2, 9, 0, 0, 0, 2])].map((m) => v4(m, IPPROTO.icmp)),
    // rarer TCP options: fast open (and its experimental form), user timeout, MD5, SCPS, TCP-AO, echo,
    // an option whose length does not fit its kind, NOPs after the timestamp
    ...[[34, 10, 1, 2, 3, 4, 5, 6, 7, 8], [34, 2], [254, 6, 0xf9, 0x89, 0xaa, 0xbb], [254, 4, 0xf9, 0x89], [254, 6, 0x12, 0x34, 0xaa, 0xbb],
      [28, 4, 0x80, 0x0a], [19, 18, ...Array.from({ length: 16 }, (_, i) => i)], [20, 4, 1, 2], [3, 4, 7, 0], [6, 6, 0, 0, 0, 9],
      [8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1], [29, 6, 1, 2, 3, 4], [77, 2]].map((options) => v4(tcp([], { flags: 0x10, options }), IPPROTO.tcp)),
  ];
}

function cornerCasesV6(): Uint8Array[] {
  const v6 = (payload: Uint8Array, next: number) => ipv6(payload, { next, src: '2001:db8::10', dst: '2001:db8:0:1::21' });
  const quotedTcp = ipv6(tcp([], { sport: 40000, dport: 443 }), { next: IPPROTO.tcp, src: '2001:db8::21', dst: '2001:db8::10' });
  const group = ipv6Bytes('ff02::fb');
  const ns = concat([135, 0, 0, 0, 0, 0, 0, 0], ipv6(new Uint8Array(0), { next: 59 }).subarray(24, 40));
  return [
    v6(tcp(text('v6 data'), { flags: 0x18, options: [...tcpOption.nop, ...tcpOption.nop, ...tcpOption.timestamp(5, 6)] }), IPPROTO.tcp),
    v6(udp(text('v6 udp'), 40000, 40001), IPPROTO.udp),
    v6(ipv6Fragment(IPPROTO.udp, 0, true, 7, udp(text('frag'), 40000, 40001, 1000)), IPPROTO.frag),
    v6(ipv6Fragment(IPPROTO.udp, 1448, false, 7, text('rest')), IPPROTO.frag),
    v6(ipv6Extension(IPPROTO.icmp6, 1, concat([143, 0, 0, 0, 0, 0, 0, 1], [4, 0, 0, 0], new Uint8Array(16))), IPPROTO.hop),
    v6(ipv6Extension(IPPROTO.tcp, 1, tcp([], { flags: 0x02 })), IPPROTO.hop),
    v6(ipv6Extension(IPPROTO.udp, 2, udp(text('dst opts'), 40000, 40001)), 60),
    v6(icmp(128, 0, text('ping6')), IPPROTO.icmp6),
    v6(icmp(129, 0, text('pong6')), IPPROTO.icmp6),
    v6(ns, IPPROTO.icmp6),
    v6(concat([136, 0, 0, 0, 0x60, 0, 0, 0], ns.subarray(8)), IPPROTO.icmp6),
    v6(icmp(133, 0), IPPROTO.icmp6),
    v6(concat([1, 4, 0, 0, 0, 0, 0, 0], quotedTcp), IPPROTO.icmp6),
    v6(concat([1, 3, 0, 0, 0, 0, 0, 0], quotedTcp), IPPROTO.icmp6),
    v6(concat([2, 0, 0, 0, 0, 0, 5, 0xdc], quotedTcp), IPPROTO.icmp6),
    v6(concat([3, 0, 0, 0, 0, 0, 0, 0], quotedTcp), IPPROTO.icmp6),
    v6(concat([4, 1, 0, 0, 0, 0, 0, 40], quotedTcp), IPPROTO.icmp6),
    v6(ipv4(udp(text('4in6'), 40000, 40001), { proto: IPPROTO.udp }), IPPROTO.ipip),
    ipv6(udp(text('mapped'), 40000, 40001), { next: IPPROTO.udp, src: '::ffff:c000:201', dst: '::c000:202' }),
    ipv6(udp(text('zero runs'), 40000, 40001), { next: IPPROTO.udp, src: '2001:db8:0:1:0:0:1:0', dst: 'fe80::' }),
    ipv6(udp(text('longer than the frame'), 40000, 40001), { next: IPPROTO.udp, payloadLen: 300 }),
    ipv6(tcp(text('zero payload length')), { next: IPPROTO.tcp, payloadLen: 0 }),
    v6(ipv6(new Uint8Array(0), { next: 59 }), 41),
    v6(new Uint8Array(12), 99),
    ...[concat([130, 0, 0, 0, 0, 10, 0, 0], group), concat([130, 0, 0, 0, 0, 10, 0, 0], group, [0, 0, 0, 0]),
      concat([130, 0, 0, 0, 0, 10, 0, 0], group, [0, 0, 0, 1], group), concat([131, 0, 0, 0, 0, 0, 0, 0], group),
      concat([132, 0, 0, 0, 0, 0, 0, 0], group), concat([134, 0, 0, 0, 64, 0, 7, 8], new Uint8Array(8)),
      concat([137, 0, 0, 0, 0, 0, 0, 0], group, ipv6Bytes('2001:db8::5')), concat([200, 0, 0, 0, 0, 0, 0, 0]),
      concat([1, 7, 0, 0, 0, 0, 0, 0])].map((m) => v6(m, IPPROTO.icmp6)),
  ];
}

function writeCapture(file: string, linkType: number, frames: { data: Uint8Array; wireLen?: number }[]): void {
  const writer = PcapWriter.create({ path: file, linkType, overwrite: true });
  frames.forEach((f, i) => writer.writePacket(1700000000 + i, 123456789 * (i % 8), f.data, f.wireLen));
  writer.close();
}

test('crafted corner cases on Ethernet, cooked, loopback and raw links print as tcpdump prints them', { skip: tcpdumpMissing }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsh-tcpdump-'));
  try {
    const v4 = cornerCasesV4(), v6 = cornerCasesV6();
    const mac = [2, 0, 0, 0, 0, 1], mac2 = [2, 0, 0, 0, 0, 2];
    const synV4 = v4[0]!;
    const ethernetFrames = [
      ...v4.map((p) => ({ data: ethernet(ETH_IPV4, p) })),
      ...v6.map((p) => ({ data: ethernet(ETH_IPV6, p) })),
      { data: ethernet(ETH_ARP, arp(1, mac, [192, 0, 2, 10], [0, 0, 0, 0, 0, 0], [192, 0, 2, 1])) },
      { data: ethernet(ETH_ARP, arp(1, mac, [192, 0, 2, 10], mac2, [192, 0, 2, 1])) },
      { data: ethernet(ETH_ARP, concat(arp(2, mac2, [192, 0, 2, 1], mac, [192, 0, 2, 10]), new Uint8Array(18))) },
      { data: ethernet(ETH_ARP, arp(1, mac, [192, 0, 2, 10], [0, 0, 0, 0, 0, 0], [192, 0, 2, 10])) }, // announcement
      ...[3, 4].map((op) => ({ data: ethernet(0x8035, arp(op, mac, [192, 0, 2, 10], mac2, [192, 0, 2, 1])) })), // RARP
      ...[8, 9, 10, 77].map((op) => ({ data: ethernet(ETH_ARP, arp(op, mac, [192, 0, 2, 10], mac2, [192, 0, 2, 1])) })),
      { data: ethernet(ETH_ARP, concat([0, 1, 0x86, 0xdd, 6, 16, 0, 1], new Uint8Array(44).fill(1))) }, // not IPv4
      ...[30, 20].map((cut) => ({ data: ethernet(ETH_ARP, arp(2, mac2, [192, 0, 2, 1], mac, [192, 0, 2, 10])).subarray(0, cut), wireLen: 42 })),
      { data: ethernet(ETH_IPV4, concat(v4[12]!, new Uint8Array(30))) }, // Ethernet padding
      { data: ethernet(0x1234, new Uint8Array(46)) }, // an EtherType tcpdump has no name for
      { data: ethernet(38, concat([0x42, 0x42, 3, 0, 0, 0, 0, 0x81], new Uint8Array(13), [0x80, 0, 2, 0, 0, 0, 0xa, 1, 0x80, 3], new Uint8Array(8))) }, // STP config BPDU
      { data: ethernet(0x88cc, new Uint8Array(46)) }, // LLDP
      { data: ethernet(0x888e, concat([2, 1, 0, 0], new Uint8Array(42))) }, // EAPOL start
      { data: ethernet(ETH_IPV4, v4[1]!, { tags: [[0x8100, 10]] }) },
      { data: ethernet(ETH_IPV6, v6[1]!, { tags: [[0x88a8, 20], [0x8100, 30]] }) },
      // cut by the snaplen: inside the TCP ports, inside the fixed header, inside the options
      ...[36, 44, 60].map((cut) => ({ data: ethernet(ETH_IPV4, synV4).subarray(0, cut), wireLen: 14 + synV4.length })),
      { data: ethernet(ETH_IPV6, v6[0]!).subarray(0, 60), wireLen: 14 + v6[0]!.length },
      { data: ethernet(ETH_IPV4, v4[14]!).subarray(0, 50), wireLen: 14 + v4[14]!.length },
      // IP headers that are not what the EtherType says, too short, or cut by the snaplen
      { data: ethernet(ETH_IPV4, ipv4(udp(text('abc'), 40000, 40001), { proto: IPPROTO.udp, ihl: 4 })) },
      { data: ethernet(ETH_IPV4, ipv4(udp(text('abc'), 40000, 40001), { proto: IPPROTO.udp, totalLen: 16 })) },
      { data: ethernet(ETH_IPV4, Uint8Array.from(ipv4(udp(text('abc'), 40000, 40001), { proto: IPPROTO.udp }), (b, i) => (i === 0 ? 0x55 : b))) },
      { data: ethernet(ETH_IPV4, ipv6(udp(text('abc'), 40000, 40001), { next: IPPROTO.udp })) },
      { data: ethernet(ETH_IPV6, ipv4(udp(text('abc'), 40000, 40001), { proto: IPPROTO.udp })) },
      { data: ethernet(ETH_IPV4, ipv4(udp(text('abc'), 40000, 40001), { proto: IPPROTO.udp }).subarray(0, 10)) },
      { data: ethernet(ETH_IPV4, ipv4(udp(text('abc'), 40000, 40001), { proto: IPPROTO.udp })).subarray(0, 30), wireLen: 60 },
      { data: ethernet(ETH_IPV6, ipv6(udp(text('abc'), 40000, 40001), { next: IPPROTO.udp })).subarray(0, 40), wireLen: 80 },
      { data: ethernet(ETH_IPV4, ipv4(udp(text('options'), 40000, 40001), { proto: IPPROTO.udp, options: [1, 1, 1, 1] })) },
      { data: ethernet(ETH_IPV4, ipv4(tcp(text('x'), { dataOffset: 15 }), { proto: IPPROTO.tcp })) },
    ];
    const sample = [v4[1]!, v4[12]!, v6[0]!, v6[7]!];
    const files: [string, number, { data: Uint8Array; wireLen?: number }[]][] = [
      ['ether.pcap', LINKTYPE_ETHERNET, ethernetFrames],
      ['sll.pcap', LINKTYPE_LINUX_SLL, sample.map((p, i) => ({ data: sll(i < 2 ? ETH_IPV4 : ETH_IPV6, p) }))],
      ['sll2.pcap', LINKTYPE_LINUX_SLL2, sample.map((p, i) => ({ data: sll2(i < 2 ? ETH_IPV4 : ETH_IPV6, p) }))],
      ['null.pcap', 0, [...sample.map((p, i) => ({ data: loopback(i < 2 ? 2 : 30, p, false) })), { data: loopback(10, v6[1]!, false) }]],
      ['loop.pcap', 108, sample.map((p, i) => ({ data: loopback(i < 2 ? 2 : 24, p, true) }))],
      ['raw.pcap', LINKTYPE_RAW, sample.map((p) => ({ data: p }))],
    ];
    const results: CompareResult[] = [];
    for (const [name, linkType, frames] of files) {
      const file = path.join(dir, name);
      writeCapture(file, linkType, frames);
      const r = await compareWithTcpdump(file);
      assert.equal(r.skipped, undefined, `${name}: ${r.skipped}`);
      assert.equal(r.compared, frames.length, name);
      results.push(r);
    }
    t.diagnostic(describe(results));
    assertNoMismatch(results);
  } finally {
    if (!process.env.FLOWSH_KEEP_TCPDUMP_DIR) fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Captures in the shared collection tcpdump itself cannot read: tcpdump prints them from their
 * frames as tshark reads them, rewritten as a classic pcap (when tshark is installed).
 */
const TCPDUMP_UNREADABLE: Record<string, RegExp> = {
  // RedHat 6.1 (Kuznetzov) record headers behind the standard magic: libpcap stops after one record
  'top_secret_39af3e3ce5a5d5bc915749267d92ba43.pcap': /tcpdump failed: .*invalid packet capture length/,
};

/**
 * Protocols the tcpdump view does not reproduce: tcpdump's line for them differs. Only packets
 * without an IP transport header may fall here; each reason is reported with its count.
 */
const NOT_COVERED: [RegExp, string][] = [
  [/^\d+\.\d+ IPX /, 'IPX is not decoded'],
  [/^\d+\.\d+ CDPv\d/, 'CDP (LLC/SNAP) is not decoded'],
  [/^\d+\.\d+ ([0-9a-f]{2}:){5}[0-9a-f]{2} > ([0-9a-f]{2}:){5}[0-9a-f]{2} /, 'other 802.2 LLC frames (NetBEUI, XID, unknown SAPs): tcpdump decodes the LLC header, flowsh prints the MAC addresses and the 802.3 length'],
  [/^\d+\.\d+ {2}\[\|llc\]$/, 'LLC header cut by the snaplen'],
  [/^\d+\.\d+ ([0-9a-f]{2}:){5}[0-9a-f]{2} > ([0-9a-f]{2}:){5}[0-9a-f]{2}, Realtek /, 'Realtek layer-2 protocols (EtherType 0x8899) are not decoded'],
];

test('every TCP, UDP and ICMP packet of the shared captures prints as tcpdump prints it; other packets only differ for protocols listed as not covered', { skip: tcpdumpMissing || (fs.existsSync(sharedPcaps) ? false : `no shared captures at ${sharedPcaps}`) }, async (t) => {
  const files = captureFiles(sharedPcaps, true);
  assert.ok(files.length > 50);
  const transport = new Set([1, 6, 17, 58]);
  const isTransport = (ipVersion: number, l4Proto: number): boolean => ipVersion !== 0 && transport.has(l4Proto);
  const results: CompareResult[] = [];
  let transportCompared = 0, transportDiffering = 0, rewrittenCompared = 0;
  const notCovered = new Map<string, number>();
  const rewritten = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsh-tcpdump-rewritten-'));
  t.after(() => fs.rmSync(rewritten, { recursive: true, force: true }));
  for (const file of files) {
    const include = (pkt: DecodedPacket): boolean => {
      if (isTransport(pkt.ipVersion, pkt.l4Proto)) transportCompared++;
      return true;
    };
    let r = await compareWithTcpdump(file, { include });
    if (r.skipped) {
      const expected = TCPDUMP_UNREADABLE[path.basename(file)];
      assert.ok(expected, `${file} skipped: ${r.skipped}`);
      assert.match(r.skipped, expected);
      if (haveTshark()) {
        const part = path.join(rewritten, path.basename(file));
        const capture = await loadCapture(file);
        const linkType = capture.info.interfaces[0]!.linkType;
        capture.close();
        tsharkFramesAsPcap(file, undefined, linkType, part);
        r = await compareWithTcpdump(file, { include, interface: { id: 0, tcpdumpFile: part } });
        assert.equal(r.skipped, undefined, `${file} rewritten: ${r.skipped}`);
        rewrittenCompared += r.compared;
      }
    }
    // move the differences of protocols outside the scope to their reasons; the rest must match
    r.mismatches = r.mismatches.filter((m) => {
      if (isTransport(m.ipVersion, m.l4Proto)) return true;
      const reason = NOT_COVERED.find(([re]) => re.test(m.tcpdump))?.[1];
      if (reason === undefined) return true;
      notCovered.set(reason, (notCovered.get(reason) ?? 0) + 1);
      return false;
    });
    results.push(r);
  }
  for (const r of results) transportDiffering += r.mismatches.filter((m) => isTransport(m.ipVersion, m.l4Proto)).length;
  t.diagnostic(describe(results));
  t.diagnostic(`TCP/UDP/ICMP packets compared: ${transportCompared}, differing: ${transportDiffering}`);
  t.diagnostic(`not covered: ${[...notCovered].map(([k, v]) => `${v} x ${k}`).join('; ') || 'none'}`);
  t.diagnostic(`packets of captures tcpdump cannot read, compared through tshark's reading: ${rewrittenCompared}`);
  assert.ok(transportCompared > 100_000);
  // the DNS lines of the shared captures (public resolvers, mDNS, a fuzzed capture) are compared whole
  assert.ok(results.reduce((n, r) => n + r.dnsCompared, 0) > 2000);
  assertNoMismatch(results);
});
