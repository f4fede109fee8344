import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpAddr } from './value.ts';

test('IPv4 text round-trips and compares', () => {
  const a = IpAddr.parse('192.0.2.10')!;
  assert.equal(a.toString(), '192.0.2.10');
  assert.ok(a.equals(IpAddr.fromV4(0xc000020a)));
  assert.equal(IpAddr.parse('192.0.2.256'), undefined);
  assert.equal(IpAddr.parse('192.0.2'), undefined);
});

test('IPv6 text is parsed in every form and printed in RFC 5952 form', () => {
  assert.equal(IpAddr.parse('2001:DB8:0:0:0:0:0:1')!.toString(), '2001:db8::1');
  assert.equal(IpAddr.parse('2001:db8::')!.toString(), '2001:db8::');
  assert.equal(IpAddr.parse('::1')!.toString(), '::1');
  assert.equal(IpAddr.parse('2001:db8:0:1:0:0:1:1')!.toString(), '2001:db8:0:1::1:1');
  assert.equal(IpAddr.parse('::ffff:192.0.2.1')!.toString(), '::ffff:192.0.2.1');
  assert.equal(IpAddr.parse('2001:db8::c000:201')!.toString(), '2001:db8::c000:201');
  assert.ok(IpAddr.parse('2001:db8::192.0.2.1')!.equals(IpAddr.parse('2001:db8::c000:201')!));
  assert.equal(IpAddr.parse('1:2:3:4:5:6:7:8:9'), undefined);
  assert.equal(IpAddr.parse('1::2::3'), undefined);
});

test('prefix membership respects partial bytes and address families', () => {
  const a = IpAddr.parse('192.0.2.130')!;
  assert.ok(a.inPrefix(IpAddr.parse('192.0.2.128')!, 25));
  assert.ok(!a.inPrefix(IpAddr.parse('192.0.2.0')!, 25));
  assert.ok(!a.inPrefix(IpAddr.parse('2001:db8::')!, 32));
  assert.ok(IpAddr.parse('2001:db8:1::5')!.inPrefix(IpAddr.parse('2001:db8::')!, 32));
});
