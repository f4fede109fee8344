import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodedPacket, Layer, LAYER_NAMES, PacketStatus as S } from './packet.ts';
import { decodePacket, headerStackCode, headerStackFromCode, headerStackText, isSupportedLinkType } from './decode.ts';
import { MAX_STACK_LAYERS } from './stack.ts';
import {
  authHeader, concat, ethernet, icmp, ipv4, ipv4Number, ipv6, ipv6Extension, ipv6Fragment, ipv6Words,
  loopback, sctp, sll, sll2, tcp, tcpOption, text, udp,
} from './craft.ts';

const ETH = 1;
const P_IPV4 = 0x0800;
const P_IPV6 = 0x86dd;

interface DecodeArgs { capLen?: number; wireLen?: number; start?: number; out?: DecodedPacket }

function decode(bytes: Uint8Array, linkType = ETH, a: DecodeArgs = {}): DecodedPacket {
  const start = a.start ?? 0;
  const buffer = new Uint8Array(start + bytes.length);
  buffer.set(bytes, start);
  const out = a.out ?? new DecodedPacket();
  decodePacket(buffer, new DataView(buffer.buffer), start, a.capLen ?? bytes.length, a.wireLen ?? bytes.length, linkType, out);
  return out;
}

function stack(out: DecodedPacket): string {
  return headerStackText(out);
}

function has(out: DecodedPacket, bits: number): boolean {
  return (out.status & bits) === bits;
}

const payload = text('USER anonymous\r\n');

function ethIpv4Tcp(o: { tcpOptions?: number[]; ipOptions?: number[] } = {}): Uint8Array {
  return ethernet(P_IPV4, ipv4(tcp(payload, { sport: 40001, dport: 21, seq: 0xfffffff0, ack: 7, flags: 0x18, window: 502, urgent: 3, options: o.tcpOptions }),
    { proto: 6, src: '192.0.2.10', dst: '192.0.2.20', ttl: 63, tos: 0x10, id: 0xbeef, flags: 0x4000, options: o.ipOptions }),
  { src: '02:11:22:33:44:55', dst: '02:66:77:88:99:aa' });
}

test('Ethernet/IPv4/TCP: every field', () => {
  const out = decode(ethIpv4Tcp());
  assert.equal(stack(out), 'eth:ipv4:tcp');
  assert.equal(out.error, '');
  assert.equal(out.status, S.Ipv4);
  assert.equal(out.linkType, 1);
  assert.equal(out.hasMac, true);
  assert.equal(out.srcMacHi, 0x0211);
  assert.equal(out.srcMacLo, 0x22334455);
  assert.equal(out.dstMacHi, 0x0266);
  assert.equal(out.dstMacLo, 0x778899aa);
  assert.equal(out.ethType, 0x0800);
  assert.equal(out.ipVersion, 4);
  assert.equal(out.ipOffset, 14);
  assert.equal(out.ipHeaderLen, 20);
  assert.equal(out.ipTotalLen, 20 + 20 + payload.length);
  assert.deepEqual([...out.src], [ipv4Number('192.0.2.10'), 0, 0, 0]);
  assert.deepEqual([...out.dst], [ipv4Number('192.0.2.20'), 0, 0, 0]);
  assert.equal(out.ttl, 63);
  assert.equal(out.tos, 0x10);
  assert.equal(out.ipId, 0xbeef);
  assert.equal(out.ipFlags, 0x4000);
  assert.equal(out.fragOffset, 0);
  assert.equal(out.moreFragments, false);
  assert.equal(out.l4Proto, 6);
  assert.equal(out.l4Offset, 34);
  assert.equal(out.srcPort, 40001);
  assert.equal(out.dstPort, 21);
  assert.equal(out.tcpSeq, 0xfffffff0);
  assert.equal(out.tcpAck, 7);
  assert.equal(out.tcpFlags, 0x18);
  assert.equal(out.tcpWindow, 502);
  assert.equal(out.tcpUrgent, 3);
  assert.equal(out.tcpHeaderLen, 20);
  assert.equal(out.tcpOptions, 0);
  assert.equal(out.tcpMss, -1);
  assert.equal(out.l7Offset, 54);
  assert.equal(out.l7Len, payload.length);
  assert.equal(out.l7CapLen, payload.length);
});

test('decoding at a non-zero start gives packet-relative offsets; reset clears the previous packet', () => {
  const out = decode(ethIpv4Tcp(), ETH, { start: 37 });
  assert.equal(out.l7Offset, 54);
  assert.equal(out.srcPort, 40001);
  decode(new Uint8Array(3), 9999, { out });
  assert.equal(out.numLayers, 0);
  assert.equal(out.srcPort, 0);
  assert.equal(out.ipVersion, 0);
  assert.equal(out.status, S.UnsupportedLink);
});

test('VLAN stacks: 802.1Q, QinQ (0x88a8, 0x9100), ids recorded outermost first', () => {
  const inner = ipv4(udp([1, 2, 3]), { proto: 17 });
  const single = decode(ethernet(P_IPV4, inner, { tags: [[0x8100, 100]] }));
  assert.equal(stack(single), 'eth:vlan:ipv4:udp');
  assert.ok(has(single, S.Vlan | S.Ipv4));
  assert.deepEqual([...single.vlanIds.subarray(0, single.numVlans)], [100]);
  assert.equal(single.ethType, 0x0800);
  assert.equal(single.ipOffset, 18);

  const qinq = decode(ethernet(P_IPV4, inner, { tags: [[0x88a8, 200], [0x8100, 4095]] }));
  assert.equal(stack(qinq), 'eth:qinq:vlan:ipv4:udp');
  assert.deepEqual([...qinq.vlanIds.subarray(0, qinq.numVlans)], [200, 4095]);
  assert.equal(qinq.ipOffset, 22);
  assert.equal(qinq.srcPort, 5353);

  const triple = decode(ethernet(P_IPV6, ipv6(udp([]), { next: 17 }), { tags: [[0x9100, 1], [0x88a8, 2], [0x8100, 3]] }));
  assert.equal(stack(triple), 'eth:qinq:qinq:vlan:ipv6:udp');
  assert.deepEqual([...triple.vlanIds.subarray(0, triple.numVlans)], [1, 2, 3]);
  assert.equal(has(triple, S.VlanPriorityTag), false);

  const priority = decode(ethernet(P_IPV4, inner, { tags: [[0x8100, 0]] }));
  assert.ok(has(priority, S.Vlan | S.VlanPriorityTag));
  assert.deepEqual([...priority.vlanIds.subarray(0, priority.numVlans)], [0]);

  // more tags than vlanIds can hold: all are skipped, the first 8 recorded
  const tags: [number, number][] = Array.from({ length: 9 }, (_, i) => [0x8100, i + 1]);
  const many = decode(ethernet(P_IPV4, inner, { tags }));
  assert.equal(many.numVlans, 8);
  assert.equal(many.ipOffset, 14 + 36);
  assert.ok(has(many, S.HeaderStackOverrun));
  assert.equal(many.numLayers, MAX_STACK_LAYERS);
});

test('802.3 length field: LLC (PureL2) and LLC/SNAP carrying IPv4', () => {
  const stp = concat([0x42, 0x42, 0x03], new Array(35).fill(0));
  const llc = decode(ethernet(stp.length, stp));
  assert.equal(stack(llc), 'eth:llc');
  assert.ok(has(llc, S.PureL2));
  assert.equal(llc.ethType, 0);
  assert.equal(llc.ipVersion, 0);

  const ip = ipv4(tcp([]), { proto: 6 });
  const snapFrame = concat([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00], ip);
  const snap = decode(ethernet(snapFrame.length, snapFrame));
  assert.equal(stack(snap), 'eth:llc:ipv4:tcp');
  assert.equal(snap.ethType, 0x0800);
  assert.equal(snap.ipOffset, 22);
  assert.equal(snap.dstPort, 21);
  assert.equal(has(snap, S.PureL2), false);

  const cdp = concat([0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x00], new Array(30).fill(1));
  const vendorSnap = decode(ethernet(cdp.length, cdp));
  assert.equal(stack(vendorSnap), 'eth:llc');
  assert.ok(has(vendorSnap, S.PureL2));
});

function arpBody(op: number, sender: string, target: string): number[] {
  const b = [0, 1, 0x08, 0x00, 6, 4, 0, op, 2, 0, 0, 0, 0, 1];
  const ip = (s: string) => { const n = ipv4Number(s); return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]; };
  return [...b, ...ip(sender), 0, 0, 0, 0, 0, 0, ...ip(target)];
}

test('ARP, RARP, LLDP and other EtherTypes are pure L2', () => {
  const arp = decode(ethernet(0x0806, arpBody(1, '192.0.2.1', '192.0.2.2')));
  assert.equal(stack(arp), 'eth:arp');
  assert.ok(has(arp, S.Arp | S.PureL2));
  assert.equal(arp.ethType, 0x0806);
  assert.equal(arp.src[0], ipv4Number('192.0.2.1'));
  assert.equal(arp.dst[0], ipv4Number('192.0.2.2'));
  assert.equal(arp.ipVersion, 0);

  const rarp = decode(ethernet(0x8035, arpBody(3, '0.0.0.0', '192.0.2.9')));
  assert.equal(stack(rarp), 'eth:rarp');
  assert.ok(has(rarp, S.Rarp | S.PureL2));
  assert.equal(has(rarp, S.Arp), false);

  const lldp = decode(ethernet(0x88cc, [2, 7, 4, 0, 0, 0, 0, 0, 1]));
  assert.equal(stack(lldp), 'eth:lldp');
  assert.ok(has(lldp, S.Lldp | S.PureL2));

  const other = decode(ethernet(0x88e5, new Array(20).fill(0)));
  assert.equal(stack(other), 'eth:data');
  assert.ok(has(other, S.PureL2));
  assert.equal(other.ethType, 0x88e5);
});

test('Linux cooked v1 and v2: source MAC, NoEthernet, protocol dispatch', () => {
  const v1 = decode(sll(P_IPV6, ipv6(tcp([9, 9], { sport: 21, dport: 50000 }), { next: 6 }), '02:aa:bb:cc:dd:ee'), 113);
  assert.equal(stack(v1), 'sll:ipv6:tcp');
  assert.ok(has(v1, S.NoEthernet | S.Ipv6));
  assert.equal(v1.hasMac, true);
  assert.equal(v1.srcMacHi, 0x02aa);
  assert.equal(v1.srcMacLo, 0xbbccddee);
  assert.equal(v1.dstMacHi, 0);
  assert.equal(v1.ipOffset, 16);
  assert.equal(v1.srcPort, 21);
  assert.equal(v1.l7Len, 2);

  const llc = decode(sll(0x0004, [0x42, 0x42, 0x03, 0, 0, 0]), 113);
  assert.equal(stack(llc), 'sll:llc');
  assert.ok(has(llc, S.PureL2 | S.NoEthernet));

  const v2 = decode(sll2(P_IPV4, ipv4(udp([1, 2, 3], 1000, 2000), { proto: 17 }), '02:01:02:03:04:05'), 276);
  assert.equal(stack(v2), 'sll2:ipv4:udp');
  assert.ok(has(v2, S.NoEthernet | S.Ipv4));
  assert.equal(v2.srcMacLo, 0x02030405);
  assert.equal(v2.ipOffset, 20);
  assert.equal(v2.dstPort, 2000);
  assert.equal(v2.udpLength, 11);
  assert.equal(v2.l7Len, 3);

  const v2arp = decode(sll2(0x0806, arpBody(2, '192.0.2.5', '192.0.2.6')), 276);
  assert.equal(stack(v2arp), 'sll2:arp');
  assert.ok(has(v2arp, S.Arp | S.PureL2 | S.NoEthernet));
});

test('BSD loopback: DLT_NULL in either byte order, DLT_LOOP big-endian, all address families', () => {
  const v4 = ipv4(tcp([]), { proto: 6 });
  const v6 = ipv6(tcp([]), { next: 6 });
  for (const [family, ip, version] of [[2, v4, 4], [24, v6, 6], [28, v6, 6], [30, v6, 6]] as const) {
    for (const bigEndian of [false, true]) {
      const out = decode(loopback(family, ip, bigEndian), 0);
      assert.equal(stack(out), `null:ipv${version}:tcp`, `family ${family} big-endian ${bigEndian}`);
      assert.equal(out.ipVersion, version);
      assert.ok(has(out, S.NoEthernet));
      assert.equal(out.hasMac, false);
    }
    const loop = decode(loopback(family, ip, true), 108);
    assert.equal(loop.ipVersion, version);
  }
  // DLT_LOOP is always big-endian: a little-endian family is not understood
  const wrongOrder = decode(loopback(2, v4, false), 108);
  assert.equal(stack(wrongOrder), 'null:data');
  assert.notEqual(wrongOrder.error, '');
  const unknown = decode(loopback(17, v4, false), 0);
  assert.equal(unknown.ipVersion, 0);
  assert.match(unknown.error, /family 17/);
});

test('raw IP link types choose the version by nibble or by link type', () => {
  const v4 = ipv4(udp([]), { proto: 17 });
  const v6 = ipv6(udp([]), { next: 17 });
  for (const link of [12, 14, 101]) {
    assert.equal(stack(decode(v4, link)), 'raw:ipv4:udp');
    assert.equal(stack(decode(v6, link)), 'raw:ipv6:udp');
  }
  assert.equal(decode(v4, 228).ipVersion, 4);
  assert.equal(decode(v6, 229).ipVersion, 6);
  assert.ok(has(decode(v4, 101), S.NoEthernet));
  const mismatch = decode(v6, 228);
  assert.ok(has(mismatch, S.Bogus));
  assert.equal(mismatch.ipVersion, 0);
  const nibble = decode(concat([0x50], new Array(30).fill(0)), 101);
  assert.ok(has(nibble, S.Bogus));
});

test('unsupported link types decode nothing and never throw', () => {
  for (const link of [105, 127, 147, 2, 9999, -1]) {
    for (const len of [0, 1, 60]) {
      const out = decode(new Uint8Array(len).fill(0x45), link);
      assert.equal(out.status, S.UnsupportedLink);
      assert.equal(out.numLayers, 0);
      assert.equal(out.ipVersion, 0);
      assert.match(out.error, /unsupported link type/);
    }
    assert.equal(isSupportedLinkType(link), false);
  }
  for (const link of [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]) assert.ok(isSupportedLinkType(link));
});

test('IPv4 options are counted; a corrupt option length is flagged', () => {
  // NOP, record route (len 7), NOP, timestamp-ish (kind 68, len 4), EOL
  const out = decode(ethIpv4Tcp({ ipOptions: [1, 7, 7, 4, 0, 0, 0, 0, 1, 68, 4, 0, 0, 0] }));
  assert.equal(out.ipHeaderLen, 36);
  assert.equal(out.ipOptCount, 5); // NOP RR NOP TS EOL
  assert.equal(out.l4Offset, 14 + 36);
  assert.equal(out.srcPort, 40001);
  assert.equal(out.l7Len, payload.length);
  assert.equal(has(out, S.IpOptionsCorrupt), false);

  const corrupt = decode(ethIpv4Tcp({ ipOptions: [1, 7, 30, 4, 0, 0, 0, 0] }));
  assert.ok(has(corrupt, S.IpOptionsCorrupt));
  assert.equal(corrupt.ipOptCount, 1);
  assert.equal(corrupt.srcPort, 40001); // the header length still locates TCP

  const zeroLen = decode(ethIpv4Tcp({ ipOptions: [7, 0, 0, 0] }));
  assert.ok(has(zeroLen, S.IpOptionsCorrupt));
});

test('IPv4 IHL below 5 is bogus and stops decoding', () => {
  const out = decode(ethernet(P_IPV4, ipv4(tcp([]), { proto: 6, ihl: 4 })));
  assert.ok(has(out, S.Ipv4HdrShort | S.Bogus | S.Ipv4));
  assert.equal(out.ipHeaderLen, 16);
  assert.equal(out.srcPort, 0);
  assert.equal(out.src[0], ipv4Number('192.0.2.1'));
  const version = decode(ethernet(P_IPV4, concat([0x65], new Array(39).fill(0))));
  assert.ok(has(version, S.Bogus));
  assert.equal(version.ipVersion, 0);
  assert.equal(stack(version), 'eth');
});

test('IPv4 flags and fragments: first fragment decodes L4, later fragments do not', () => {
  const data = new Array(24).fill(7);
  const first = decode(ethernet(P_IPV4, ipv4(udp(data, 1, 2, 1000), { proto: 17, flags: 0x2000, id: 77 })));
  assert.ok(has(first, S.Fragment));
  assert.equal(has(first, S.LaterFragment), false);
  assert.equal(first.moreFragments, true);
  assert.equal(first.ipFlags, 0x2000);
  assert.equal(first.srcPort, 1);
  assert.equal(first.udpLength, 1000);
  assert.equal(first.l7Len, 24); // by the IP header, not by the UDP length

  const later = decode(ethernet(P_IPV4, ipv4(data, { proto: 17, fragOffset: 1480, id: 77, flags: 0x8000 })));
  assert.ok(has(later, S.Fragment | S.LaterFragment));
  assert.equal(later.fragOffset, 1480);
  assert.equal(later.moreFragments, false);
  assert.equal(later.ipFlags, 0x8000);
  assert.equal(later.ipId, 77);
  assert.equal(later.l4Proto, 17);
  assert.equal(later.srcPort, 0);
  assert.equal(stack(later), 'eth:ipv4');
  assert.equal(later.l7Offset, 34);
  assert.equal(later.l7Len, 24);
});

test('IP length against the frame: padding, mismatches, snaplen', () => {
  const small = ipv4(tcp([]), { proto: 6 }); // 40 bytes: padded to a 60-byte frame
  const padded = decode(concat(ethernet(P_IPV4, small), new Array(6).fill(0xee)));
  assert.equal(has(padded, S.IpLenMismatch), false);
  assert.equal(padded.l7Len, 0);
  assert.equal(padded.l7CapLen, 0);

  const big = ipv4(tcp(new Array(100).fill(1)), { proto: 6 });
  const trailing = decode(concat(ethernet(P_IPV4, big), [1, 2, 3, 4]));
  assert.ok(has(trailing, S.IpLenMismatch));
  assert.equal(trailing.l7Len, 100);
  assert.equal(trailing.l7CapLen, 100);

  // no padding on loopback: trailing bytes after a small datagram are a mismatch
  assert.ok(has(decode(concat(loopback(2, small, false), [0, 0])), S.IpLenMismatch) === false);
  assert.ok(has(decode(concat(loopback(2, small, false), [0, 0]), 0), S.IpLenMismatch));

  const longer = decode(ethernet(P_IPV4, ipv4(tcp(new Array(10).fill(1)), { proto: 6, totalLen: 200 })));
  assert.ok(has(longer, S.IpLenMismatch));
  assert.equal(has(longer, S.CapLenBelowIpLen), false);
  assert.equal(longer.ipTotalLen, 200);
  assert.equal(longer.l7Len, 10); // bounded by what the wire carried

  const tso = decode(ethernet(P_IPV4, ipv4(tcp(new Array(10).fill(1)), { proto: 6, totalLen: 0 })));
  assert.ok(has(tso, S.IpLenMismatch));
  assert.equal(tso.l7Len, 10);

  const frame = ethernet(P_IPV4, big);
  const cut = decode(frame.subarray(0, 96), ETH, { wireLen: frame.length });
  assert.ok(has(cut, S.CapLenBelowIpLen | S.Truncated));
  assert.equal(has(cut, S.IpLenMismatch), false);
  assert.equal(cut.l7Offset, 54);
  assert.equal(cut.l7Len, 100);
  assert.equal(cut.l7CapLen, 96 - 54);
});

test('IPv6: hop limit, traffic class, addresses', () => {
  const out = decode(ethernet(P_IPV6, ipv6(udp([1]), { next: 17, hopLimit: 9, trafficClass: 0xb8, flowLabel: 0xabcde, src: '2001:db8::a', dst: '2001:db8:1::b' })));
  assert.equal(stack(out), 'eth:ipv6:udp');
  assert.ok(has(out, S.Ipv6));
  assert.equal(out.ttl, 9);
  assert.equal(out.tos, 0xb8);
  assert.deepEqual([...out.src], ipv6Words('2001:db8::a'));
  assert.deepEqual([...out.dst], ipv6Words('2001:db8:1::b'));
  assert.equal(out.ipHeaderLen, 40);
  assert.equal(out.ipTotalLen, 49);
  assert.equal(out.l4Offset, 54);
  assert.equal(out.l7Len, 1);
});

test('IPv6 extension headers: every kind chained, AH skipped, no next header', () => {
  const inner = tcp(payload, { sport: 1, dport: 2 });
  const chain = ipv6Extension(60, 1, // hop-by-hop -> dest opts
    ipv6Extension(43, 2, // dest opts -> routing
      ipv6Extension(44, 1, // routing -> fragment
        ipv6Fragment(51, 0, true, 0xabcdef01, // fragment (first) -> AH
          authHeader(60, 3, // AH -> dest opts
            ipv6Extension(6, 1, inner))))));
  const out = decode(ethernet(P_IPV6, ipv6(chain, { next: 0 })));
  assert.equal(stack(out), 'eth:ipv6:ip6hop:ip6dest:ip6route:ip6frag:ah:ip6dest:tcp');
  const mask = (1 << Layer.Ip6HopOpts) | (1 << Layer.Ip6DestOpts) | (1 << Layer.Ip6Route) | (1 << Layer.Ip6Frag) | (1 << Layer.Ah);
  assert.equal(out.ipv6ExtMask, mask);
  assert.equal(out.l4Proto, 6);
  assert.equal(out.ipHeaderLen, 40 + 8 + 16 + 8 + 8 + 24 + 8);
  assert.equal(out.l4Offset, 14 + out.ipHeaderLen);
  assert.ok(has(out, S.Fragment));
  assert.equal(has(out, S.LaterFragment), false);
  assert.equal(out.moreFragments, true);
  assert.equal(out.ipId, 0xabcdef01);
  assert.equal(out.srcPort, 1);
  assert.equal(out.l7Len, payload.length);

  const later = decode(ethernet(P_IPV6, ipv6(ipv6Fragment(6, 1448, false, 5, new Array(30).fill(3)), { next: 44 })));
  assert.ok(has(later, S.Fragment | S.LaterFragment));
  assert.equal(later.fragOffset, 1448);
  assert.equal(later.moreFragments, false);
  assert.equal(later.l4Proto, 6);
  assert.equal(later.srcPort, 0);
  assert.equal(later.l7Offset, 14 + 48);
  assert.equal(later.l7Len, 30);
  assert.equal(stack(later), 'eth:ipv6:ip6frag');

  const none = decode(ethernet(P_IPV6, ipv6(ipv6Extension(59, 1, [1, 2, 3, 4]), { next: 60 })));
  assert.equal(stack(none), 'eth:ipv6:ip6dest');
  assert.equal(none.l4Proto, 59);
  assert.equal(none.l7Len, 4);

  const overlong = decode(ethernet(P_IPV6, ipv6(concat([6, 9], new Array(14).fill(0)), { next: 0 })));
  assert.ok(has(overlong, S.Bogus));
  assert.equal(overlong.srcPort, 0);

  const loop = decode(ethernet(P_IPV6, ipv6(Array.from({ length: 9 }).reduce<Uint8Array>((acc) => ipv6Extension(60, 1, acc), tcp([])), { next: 60 })));
  assert.ok(has(loop, S.Bogus));
  assert.match(loop.error, /too many/);
});

test('IP in IP: Tunnel, inner header decoded', () => {
  const sixInFour = decode(ethernet(P_IPV4, ipv4(ipv6(tcp([1, 2]), { next: 6, src: '2001:db8::5' }), { proto: 41 })));
  assert.equal(stack(sixInFour), 'eth:ipv4:ipv6:tcp');
  assert.ok(has(sixInFour, S.Tunnel | S.Ipv6));
  assert.equal(has(sixInFour, S.Ipv4), false);
  assert.equal(sixInFour.ipVersion, 6);
  assert.equal(sixInFour.ipOffset, 34);
  assert.deepEqual([...sixInFour.src], ipv6Words('2001:db8::5'));
  assert.equal(sixInFour.l7Len, 2);

  const fourInSix = decode(ethernet(P_IPV6, ipv6(ipv4(udp([]), { proto: 17, src: '192.0.2.77' }), { next: 4 })));
  assert.equal(stack(fourInSix), 'eth:ipv6:ipv4:udp');
  assert.deepEqual([...fourInSix.src], [ipv4Number('192.0.2.77'), 0, 0, 0]);
  assert.equal(fourInSix.ipVersion, 4);

  // padding after the outer datagram does not belong to the inner one
  const innerWithPad = decode(concat(ethernet(P_IPV4, ipv4(ipv4([], { proto: 59 }), { proto: 4 })), [0, 0, 0, 0, 0, 0]));
  assert.equal(has(innerWithPad, S.IpLenMismatch), false);
});

test('TCP options: all kinds, bitfield and count', () => {
  const options = [
    ...tcpOption.mss(1460), ...tcpOption.nop, ...tcpOption.wscale(7), ...tcpOption.sackPermitted,
    ...tcpOption.timestamp(0xfedcba98, 12345), ...tcpOption.nop, ...tcpOption.nop,
    ...tcpOption.sack(100, 200), 30, 3, 0, 34, 2, 31, 2, ...tcpOption.eol,
  ];
  assert.equal(options.length, 40); // the most a TCP header holds
  const out = decode(ethIpv4Tcp({ tcpOptions: options }));
  assert.equal(out.tcpHeaderLen, 20 + Math.ceil(options.length / 4) * 4);
  assert.equal(out.tcpMss, 1460);
  assert.equal(out.tcpWscale, 7);
  assert.equal(out.tcpSackPermitted, true);
  assert.equal(out.tcpSackBlocks, 1);
  assert.equal(out.tcpTsVal, 0xfedcba98);
  assert.equal(out.tcpTsEcr, 12345);
  const kinds = [2, 1, 3, 4, 8, 5, 30, 0];
  const expectedBits = (kinds.reduce((bits, k) => bits | (1 << k), 0) | 0x80000000) >>> 0;
  assert.equal(out.tcpOptions, expectedBits);
  assert.equal(out.tcpOptCount, 12); // mss nop ws sackok ts nop nop sack 30 34 31 eol
  assert.equal(has(out, S.TcpOptionsCorrupt), false);
  assert.equal(out.l7Len, payload.length);

  // options after EOL are ignored
  const afterEol = decode(ethIpv4Tcp({ tcpOptions: [0, ...tcpOption.mss(536)] }));
  assert.equal(afterEol.tcpMss, -1);
  assert.equal(afterEol.tcpOptCount, 1);
  assert.equal(afterEol.tcpOptions, 1);
});

test('TCP options with corrupt lengths', () => {
  const cases: [string, number[]][] = [
    ['length 1', [2, 1, 0, 0]],
    ['length 0', [1, 1, 8, 0]],
    ['past the header', [1, 8, 10, 0, 0, 0, 0, 0]],
    ['kind without length byte', [1, 1, 1, 2]],
    ['MSS length 5', [2, 5, 5, 180, 0, 0, 0, 0]],
    ['window scale length 4', [3, 4, 1, 1]],
    ['timestamp length 6', [8, 6, 0, 0, 0, 1, 0, 0]],
    ['SACK length 6', [5, 6, 0, 0, 0, 1, 0, 0]],
    ['SACK-permitted length 3', [4, 3, 0, 0]],
  ];
  for (const [name, options] of cases) {
    const out = decode(ethIpv4Tcp({ tcpOptions: options }));
    assert.ok(has(out, S.TcpOptionsCorrupt), name);
    assert.notEqual(out.error, '', name);
    assert.equal(out.l7Len, payload.length, name); // the data offset still locates the payload
  }
  const mss5 = decode(ethIpv4Tcp({ tcpOptions: [2, 5, 5, 180, 0, 0, 0, 0] }));
  assert.equal(mss5.tcpMss, -1);
});

test('TCP header length nonsense is bogus', () => {
  const small = decode(ethernet(P_IPV4, ipv4(tcp(payload, { dataOffset: 4 }), { proto: 6 })));
  assert.ok(has(small, S.Bogus));
  assert.equal(small.srcPort, 40000);
  assert.equal(small.l7Len, 0);
  const big = decode(ethernet(P_IPV4, ipv4(tcp([], { dataOffset: 15 }), { proto: 6 })));
  assert.ok(has(big, S.Bogus));
  assert.match(big.error, /longer than the IP payload/);
  // IP payload shorter than a TCP header: bogus, not a snaplen cut
  const short = decode(ethernet(P_IPV4, ipv4([0, 1, 0, 2, 0, 0, 0, 0], { proto: 6 })));
  assert.ok(has(short, S.Bogus));
  assert.equal(has(short, S.CapLenBelowL4), false);
  assert.equal(short.srcPort, 1);
  // ... unless it is a first fragment: the header continues in the next one
  const tiny = decode(ethernet(P_IPV4, ipv4([0, 1, 0, 2, 0, 0, 0, 0], { proto: 6, flags: 0x2000 })));
  assert.equal(has(tiny, S.Bogus), false);
  assert.ok(has(tiny, S.Fragment));
  assert.equal(has(tiny, S.CapLenBelowL4), false);
  assert.match(tiny.error, /next fragment/);
  assert.equal(tiny.dstPort, 2);
});

test('UDP, ICMP, ICMPv6, SCTP, IGMP, GRE, ESP and unknown protocols', () => {
  const u = decode(ethernet(P_IPV4, ipv4(udp([1, 2, 3, 4], 53, 33000), { proto: 17 })));
  assert.deepEqual([u.srcPort, u.dstPort, u.udpLength, u.l7Offset, u.l7Len], [53, 33000, 12, 42, 4]);

  const echo = decode(ethernet(P_IPV4, ipv4(icmp(8, 0, [1, 2]), { proto: 1 })));
  assert.equal(stack(echo), 'eth:ipv4:icmp');
  assert.deepEqual([echo.icmpType, echo.icmpCode, echo.l7Len], [8, 0, 2]);

  const unreach = decode(ethernet(P_IPV6, ipv6(icmp(1, 4), { next: 58 })));
  assert.equal(stack(unreach), 'eth:ipv6:icmp6');
  assert.deepEqual([unreach.icmpType, unreach.icmpCode], [1, 4]);

  const s = decode(ethernet(P_IPV4, ipv4(sctp(2905, 2906, [0, 0, 0, 4]), { proto: 132 })));
  assert.equal(stack(s), 'eth:ipv4:sctp');
  assert.deepEqual([s.srcPort, s.dstPort, s.l7Len], [2905, 2906, 4]);

  assert.equal(stack(decode(ethernet(P_IPV4, ipv4(new Array(8).fill(0x11), { proto: 2 })))), 'eth:ipv4:igmp');
  assert.equal(stack(decode(ethernet(P_IPV4, ipv4([0, 0, 0x08, 0], { proto: 47 })))), 'eth:ipv4:gre');
  assert.equal(stack(decode(ethernet(P_IPV4, ipv4(new Array(16).fill(0), { proto: 50 })))), 'eth:ipv4:esp');
  const ah = decode(ethernet(P_IPV4, ipv4(authHeader(6, 3, tcp([])), { proto: 51 })));
  assert.equal(stack(ah), 'eth:ipv4:ah:tcp');
  assert.equal(ah.l4Proto, 6);
  assert.equal(ah.dstPort, 21);

  const pim = decode(ethernet(P_IPV4, ipv4([0x20, 0, 0, 0, 9], { proto: 103 })));
  assert.equal(stack(pim), 'eth:ipv4');
  assert.equal(pim.l4Proto, 103);
  assert.equal(pim.l4Offset, 34);
  assert.equal(pim.l7Len, 5);
  assert.equal(pim.error, '');
});

/** Every field of the packet, typed arrays as plain arrays, for comparisons. */
function snapshot(out: DecodedPacket): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(out)) {
    copy[key] = ArrayBuffer.isView(value) ? [...(value as Uint8Array)] : value;
  }
  return copy;
}

interface CutCase {
  name: string;
  link: number;
  bytes: Uint8Array;
  /** [first cut length where `bits` apply, bits] in increasing order; cuts shorter than the first entry have none */
  expect: [number, number][];
}

const L2 = S.CapLenBelowL2;
const L3 = S.CapLenBelowL3;
const L4 = S.CapLenBelowL4;
const IPLEN = S.CapLenBelowIpLen;

const cutCases: CutCase[] = [
  {
    name: 'eth:vlan:ipv4(options):tcp(options)',
    link: ETH,
    bytes: ethernet(P_IPV4, ipv4(tcp(payload, { options: [...tcpOption.mss(1400), ...tcpOption.sackPermitted, ...tcpOption.timestamp(1, 2)] }),
      { proto: 6, options: [1, 1, 7, 7, 4, 0, 0, 0] }), { tags: [[0x8100, 5]] }),
    // eth 14, tag 4, ipv4 20 + 8 options, tcp 20 + 16 options, payload
    expect: [[0, L2], [18, L3], [38, L3 | IPLEN], [46, L4 | IPLEN], [66, IPLEN], [66 + 16 + payload.length, 0]],
  },
  {
    name: 'eth:ipv6:hop:frag:tcp',
    link: ETH,
    bytes: ethernet(P_IPV6, ipv6(ipv6Extension(44, 2, ipv6Fragment(6, 0, true, 9, tcp(payload, { options: tcpOption.mss(1200) }))), { next: 0 })),
    // eth 14, ipv6 40, hop 16, frag 8, tcp 24
    expect: [[0, L2], [14, L3], [54, L3 | IPLEN], [78, L4 | IPLEN], [98, IPLEN], [102 + payload.length, 0]],
  },
  {
    name: 'sll2:ipv4:udp',
    link: 276,
    bytes: sll2(P_IPV4, ipv4(udp(payload), { proto: 17 })),
    expect: [[0, L2], [20, L3], [40, L4 | IPLEN], [48, IPLEN], [48 + payload.length, 0]],
  },
  {
    name: 'sll:ipv6:icmp6',
    link: 113,
    bytes: sll(P_IPV6, ipv6(icmp(128, 0, payload), { next: 58 })),
    expect: [[0, L2], [16, L3], [56, L4 | IPLEN], [64, IPLEN], [64 + payload.length, 0]],
  },
  {
    name: 'null:ipv4:sctp',
    link: 0,
    bytes: loopback(2, ipv4(sctp(1, 2, payload), { proto: 132 }), false),
    expect: [[0, L2], [4, L3], [24, L4 | IPLEN], [36, IPLEN], [36 + payload.length, 0]],
  },
  {
    name: 'raw:ipv6:dest:ah:udp',
    link: 101,
    bytes: ipv6(ipv6Extension(51, 1, authHeader(17, 1, udp(payload))), { next: 60 }),
    // the empty packet (nothing to read a version from) counts as below L3
    expect: [[0, L3], [40, L3 | IPLEN], [48, L3 | IPLEN], [64, L4 | IPLEN], [72, IPLEN], [72 + payload.length, 0]],
  },
  {
    name: 'eth:ipv4:ipv6:tcp (tunnel)',
    link: ETH,
    bytes: ethernet(P_IPV4, ipv4(ipv6(tcp(payload), { next: 6 }), { proto: 41 })),
    expect: [[0, L2], [14, L3], [34, L3 | IPLEN], [74, L4 | IPLEN], [94, IPLEN], [94 + payload.length, 0]],
  },
  {
    name: 'eth:arp',
    link: ETH,
    bytes: ethernet(0x0806, arpBody(1, '192.0.2.1', '192.0.2.2')),
    expect: [[0, L2], [14, L3], [42, 0]],
  },
];

test('truncation at every length: no throw, nothing read past the cut, the right CapLenBelow bits', () => {
  const cutBits = L2 | L3 | L4 | IPLEN;
  for (const c of cutCases) {
    assert.equal(c.expect.at(-1)![0], c.bytes.length, `${c.name}: expectation table covers the whole packet`);
    const full = decode(c.bytes, c.link);
    for (let cut = 0; cut <= c.bytes.length; cut++) {
      const where = `${c.name} cut at ${cut}`;
      // exactly `cut` bytes in the buffer: any read past them throws a RangeError
      const exact = decode(c.bytes.subarray(0, cut), c.link, { wireLen: c.bytes.length });
      // the same bytes followed by garbage: no field may change
      const garbage = new Uint8Array(c.bytes.length + 64).fill(0xa5);
      garbage.set(c.bytes.subarray(0, cut), 11);
      const padded = new DecodedPacket();
      decodePacket(garbage, new DataView(garbage.buffer), 11, cut, c.bytes.length, c.link, padded);
      assert.deepEqual(snapshot(padded), snapshot(exact), where);

      let expected = 0;
      for (const [from, bits] of c.expect) if (cut >= from) expected = bits;
      assert.equal(exact.status & cutBits, expected, where);
      assert.equal(has(exact, S.Truncated), cut < c.bytes.length, where);
      assert.equal(exact.status & S.Bogus, 0, where);
      if (exact.l7CapLen > 0) assert.ok(exact.l7Offset + exact.l7CapLen <= cut, where);
      // whatever was decoded agrees with the full decode
      if (exact.numLayers > 0) assert.deepEqual([...exact.layers.subarray(0, exact.numLayers)], [...full.layers.subarray(0, exact.numLayers)], where);
      if (exact.srcPort !== 0) assert.equal(exact.srcPort, full.srcPort, where);
      if (exact.ipVersion !== 0 && exact.ipOffset === full.ipOffset) assert.deepEqual([...exact.src], [...full.src], where);
      if (exact.l7Len !== 0) assert.equal(exact.l7Len, full.l7Len, where);
    }
  }
});

test('a capture length beyond the buffer is clamped, never a crash', () => {
  const bytes = ethIpv4Tcp();
  const out = new DecodedPacket();
  decodePacket(bytes, new DataView(bytes.buffer), 0, bytes.length + 100, bytes.length + 100, ETH, out);
  assert.equal(out.srcPort, 40001);
  assert.equal(out.l7CapLen, payload.length);
  decodePacket(bytes, new DataView(bytes.buffer), bytes.length + 5, 10, 10, ETH, out);
  assert.ok(has(out, S.CapLenBelowL2));
});

test('header stack code: unique per stack, round trip to text', () => {
  assert.ok(LAYER_NAMES.length <= 32, 'layer codes must fit 5 bits');
  const stacks = [
    ethIpv4Tcp(), ethernet(P_IPV4, ipv4(udp([]), { proto: 17 })),
    ethernet(P_IPV4, ipv4(udp([]), { proto: 17 }), { tags: [[0x8100, 1]] }),
    ethernet(P_IPV6, ipv6(tcp([]), { next: 6 })), ethernet(0x0806, arpBody(1, '192.0.2.1', '192.0.2.2')),
    ethernet(P_IPV6, ipv6(ipv6Extension(44, 1, ipv6Fragment(6, 0, true, 1, tcp([]))), { next: 0 })),
  ];
  const codes = new Map<number, string>();
  for (const bytes of stacks) {
    const out = decode(bytes);
    const code = headerStackCode(out);
    assert.ok(Number.isSafeInteger(code) && code > 0);
    assert.equal(headerStackFromCode(code), headerStackText(out));
    codes.set(code, headerStackText(out));
  }
  assert.equal(codes.size, stacks.length);
  assert.equal(headerStackFromCode(0), '');
  // the deepest stack that fits: every layer code at its maximum still below 2^53
  const deep = new DecodedPacket();
  for (let i = 0; i < MAX_STACK_LAYERS; i++) deep.pushLayer(31 as Layer);
  assert.ok(Number.isSafeInteger(headerStackCode(deep)));
  const sample = decode(ethernet(P_IPV4, ipv4(ipv6(tcp([]), { next: 6 }), { proto: 41 }), { tags: [[0x88a8, 1], [0x8100, 2]] }));
  assert.equal(headerStackFromCode(headerStackCode(sample)), 'eth:qinq:vlan:ipv4:ipv6:tcp');
});
