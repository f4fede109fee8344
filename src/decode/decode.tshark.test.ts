/**
 * Cross-check of the decoder against tshark on shared public captures. Skips when tshark or
 * /work/shared/pcaps (../shared/pcaps from the repository root) is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DecodedPacket, Layer, PacketStatus } from './packet.ts';
import { decodePacket } from './decode.ts';
import { ipv6Words } from './craft.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const pcapDir = path.resolve(repoRoot, '..', 'shared', 'pcaps');

const CAPTURES = [
  'zeek/ftp/ipv4.pcap', // Ethernet
  'suricata-verify/ftp-port-memcap/input.pcap', // BSD loopback (DLT_NULL)
  'derived/ipv6.sll.pcap', // Linux cooked v1, IPv6
  'derived/ruletype-firewall-116-ftp-all-data-ipv4.sll2.pcap', // Linux cooked v2
  'zeek/ftp/ipv6.pcap', // IPv6
  'derived/ipv4.snaplen96.pcap', // cut by the snaplen
  'derived/bug-4877.snaplen128.pcap', // cut by the snaplen
  'aliawa-saved_pcaps/ftp_eprt.pcap', // partly 802.1Q tagged
  'suricata-verify/output-eve-ftp-data/input.pcap', // mixed LAN traffic: ARP, IPv6, UDP, ICMP
  'pcapplusplus/Ftp.pcap', // IPv6 in IPv4
  'ndpi/fuzz-2006-06-26-2594.pcap', // randomly corrupted bytes
];

const FIELDS = [
  'frame.number', 'frame.protocols', 'eth.src', 'sll.src.eth', 'vlan.id', 'arp.src.proto_ipv4',
  'ip.src', 'ip.dst', 'ip.ttl', 'ip.proto', 'ip.hdr_len', 'ip.len', 'ip.flags.mf', 'ip.frag_offset',
  'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'ipv6.plen',
  'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.len', 'tcp.hdr_len',
  'tcp.window_size_value', 'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.timestamp.tsval',
  'udp.srcport', 'udp.dstport', 'udp.length', 'icmp.type', 'icmpv6.type',
] as const;
type Field = typeof FIELDS[number];

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One row per packet: every occurrence of each field (outermost first). */
function tsharkRows(file: string): Map<Field, string[]>[] {
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const field of FIELDS) args.push('-e', field);
  const output = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return output.split('\n').filter((line) => line !== '').map((line) => {
    const values = line.split('\t');
    const row = new Map<Field, string[]>();
    FIELDS.forEach((field, i) => { if (values[i]) row.set(field, values[i]!.split(',')); });
    return row;
  });
}

/** Minimal classic-pcap iteration (the capture reader is a teammate's; this test stays independent). */
function forEachPcapPacket(
  file: string,
  visit: (bytes: Uint8Array, view: DataView, start: number, capLen: number, wireLen: number, linkType: number) => void,
): void {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!littleEndian && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error(`${file}: not a classic pcap`);
  const linkType = view.getUint32(20, littleEndian) & 0x0fffffff;
  for (let at = 24; at + 16 <= bytes.length;) {
    const capLen = view.getUint32(at + 8, littleEndian);
    const wireLen = view.getUint32(at + 12, littleEndian);
    if (at + 16 + capLen > bytes.length) break;
    visit(bytes, view, at + 16, capLen, wireLen, linkType);
    at += 16 + capLen;
  }
}

function dotted(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function macText(hi: number, lo: number): string {
  const hex = (hi.toString(16).padStart(4, '0') + (lo >>> 0).toString(16).padStart(8, '0'));
  return hex.match(/../g)!.join(':');
}

function hasLayer(out: DecodedPacket, layer: Layer): boolean {
  return out.layers.subarray(0, out.numLayers).includes(layer);
}

const skipReason = !haveTshark() ? 'tshark is not installed'
  : !existsSync(pcapDir) ? `shared captures not found at ${pcapDir}` : '';

for (const capture of CAPTURES) {
  test(`decoder agrees with tshark: ${capture}`, (t) => {
    if (skipReason) return t.skip(skipReason);
    const file = path.join(pcapDir, capture);
    if (!existsSync(file)) return t.skip(`${file} is missing`);
    const rows = tsharkRows(file);
    const out = new DecodedPacket();
    let index = 0;
    const compared = { ip: 0, tcp: 0, udp: 0, cut: 0 };
    forEachPcapPacket(file, (bytes, view, start, capLen, wireLen, linkType) => {
      const row = rows[index++];
      assert.ok(row, `tshark has fewer packets than the file (${index})`);
      decodePacket(bytes, view, start, capLen, wireLen, linkType, out);
      const at = `${capture} packet ${index}`;
      const first = (field: Field): string | undefined => row.get(field)?.[0];
      const num = (field: Field): number | undefined => {
        const value = first(field);
        return value === undefined ? undefined : Number(value);
      };
      if (capLen < wireLen) compared.cut++;

      if (linkType === 1) assert.equal(macText(out.srcMacHi, out.srcMacLo), first('eth.src'), at);
      if (linkType === 113 || linkType === 276) assert.equal(out.hasMac ? macText(out.srcMacHi, out.srcMacLo) : undefined, first('sll.src.eth'), at);
      assert.deepEqual([...out.vlanIds.subarray(0, out.numVlans)], (row.get('vlan.id') ?? []).map(Number), at);
      if (first('arp.src.proto_ipv4')) assert.equal(dotted(out.src[0]!), first('arp.src.proto_ipv4'), at);

      // the outermost IP header and the protocol after it, as tshark dissected them
      const protocols = (first('frame.protocols') ?? '').split(':');
      const ipAt = protocols.findIndex((p) => p === 'ip' || p === 'ipv6');
      // a header tshark calls bogus (bad version, short IHL) has no addresses
      const outerIp = ipAt < 0 ? 0 : protocols[ipAt] === 'ip' ? (first('ip.src') ? 4 : 0) : (first('ipv6.src') ? 6 : 0);
      const transport = protocols.slice(ipAt + 1).find((p) => ['tcp', 'udp', 'icmp', 'icmpv6', 'ip', 'ipv6'].includes(p));
      if ((out.status & PacketStatus.Tunnel) !== 0) {
        assert.equal(transport === 'ip' || transport === 'ipv6', true, `${at}: tunnel not seen by tshark`);
        return;
      }
      if (outerIp === 0) {
        assert.ok(out.ipVersion === 0 || (out.status & PacketStatus.Bogus) !== 0, at);
        return;
      }
      assert.equal(out.ipVersion, outerIp, at);
      if (outerIp === 4) {
        compared.ip++;
        assert.equal(dotted(out.src[0]!), first('ip.src'), at);
        assert.equal(dotted(out.dst[0]!), first('ip.dst'), at);
        assert.equal(out.ttl, num('ip.ttl'), at);
        assert.equal(out.ipHeaderLen, num('ip.hdr_len'), at);
        assert.equal(out.ipTotalLen, num('ip.len'), at);
        assert.equal(out.moreFragments, first('ip.flags.mf') === '1', at);
        // tshark 4.0 prints the offset in 8-byte units; accept bytes too in case a later version does
        assert.ok([8 * num('ip.frag_offset')!, num('ip.frag_offset')].includes(out.fragOffset), at);
        assert.equal(out.l4Proto, num('ip.proto'), at);
      } else if (outerIp === 6) {
        compared.ip++;
        if (!first('ipv6.src')!.includes('.')) {
          assert.deepEqual([...out.src], ipv6Words(first('ipv6.src')!), at);
          assert.deepEqual([...out.dst], ipv6Words(first('ipv6.dst')!), at);
        }
        assert.equal(out.ttl, num('ipv6.hlim'), at);
        assert.equal(out.ipTotalLen, 40 + num('ipv6.plen')!, at);
      }

      const cutInside = capLen < wireLen && capLen < out.ipOffset + out.ipTotalLen;
      assert.equal((out.status & PacketStatus.CapLenBelowIpLen) !== 0, cutInside, at);
      assert.equal((out.status & PacketStatus.Truncated) !== 0, cutInside, at);

      // first occurrences are the outer transport header (ICMP errors quote another after it)
      if (transport === 'icmp' || transport === 'icmpv6') {
        assert.equal(out.icmpType, num(transport === 'icmp' ? 'icmp.type' : 'icmpv6.type'), at);
      } else if (transport === 'tcp') {
        compared.tcp++;
        assert.equal(out.srcPort, num('tcp.srcport'), at);
        assert.equal(out.dstPort, num('tcp.dstport'), at);
        // tshark shows what it can of a malformed segment; the decoder reads ports, then stops
        if ((out.status & PacketStatus.Bogus) !== 0) return;
        assert.ok(hasLayer(out, Layer.Tcp), `${at}: no TCP layer`);
        assert.equal(out.tcpSeq, num('tcp.seq_raw'), at);
        assert.equal(out.tcpAck, num('tcp.ack_raw'), at);
        assert.equal(out.tcpFlags, parseInt(first('tcp.flags')!, 16) & 0xff, at);
        assert.equal(out.tcpHeaderLen, num('tcp.hdr_len'), at);
        assert.equal(out.tcpWindow, num('tcp.window_size_value'), at);
        assert.equal(out.l7Len, num('tcp.len'), at);
        assert.equal(out.l7CapLen, Math.min(out.l7Len, Math.max(0, capLen - out.l7Offset)), at);
        assert.equal(out.tcpMss, num('tcp.options.mss_val') ?? -1, at);
        assert.equal(out.tcpWscale, num('tcp.options.wscale.shift') ?? -1, at);
        assert.equal(out.tcpTsVal, num('tcp.options.timestamp.tsval') ?? -1, at);
      } else if (transport === 'udp') {
        compared.udp++;
        assert.equal(out.srcPort, num('udp.srcport'), at);
        assert.equal(out.dstPort, num('udp.dstport'), at);
        if ((out.status & PacketStatus.Bogus) !== 0) return;
        assert.ok(hasLayer(out, Layer.Udp), `${at}: no UDP layer`);
        assert.equal(out.udpLength, num('udp.length'), at);
      }
    });
    assert.equal(index, rows.length, `${capture}: packet counts differ`);
    assert.ok(compared.ip > 0 && compared.tcp > 0, `${capture}: nothing compared`);
    if (capture.includes('snaplen')) assert.ok(compared.cut > 0, `${capture}: no cut packet seen`);
    t.diagnostic(`${index} packets: ${compared.ip} IP, ${compared.tcp} TCP, ${compared.udp} UDP, ${compared.cut} cut`);
  });
}
