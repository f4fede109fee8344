import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpAddr } from '../store/value.ts';
import type { Expr, QueryStatement } from './ast.ts';
import { QueryError } from './errors.ts';
import { parseStatement, splitStatements } from './parse.ts';

function query(text: string): QueryStatement {
  const s = parseStatement(text);
  assert.equal(s.kind, 'query');
  return s as QueryStatement;
}

function where(text: string): Expr {
  return query(`flows where ${text}`).where!;
}

function parseFailure(text: string): QueryError {
  try {
    parseStatement(text);
  } catch (e) {
    assert.ok(e instanceof QueryError, `expected QueryError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${text} to fail`);
}

test('hex literals beyond 2^53 stay exact bigints; small ones are numbers', () => {
  const e = where('flowStat == 0x8400000000004001');
  assert.equal(e.kind, 'compare');
  const right = (e as Extract<Expr, { kind: 'compare' }>).right;
  assert.deepEqual(right.kind === 'literal' && right.literal, { type: 'number', value: 0x8400000000004001n });
  const small = (where('x == 0x4000') as Extract<Expr, { kind: 'compare' }>).right;
  assert.deepEqual(small.kind === 'literal' && small.literal, { type: 'number', value: 0x4000 });
  const huge = (where('x == 18446744073709551615') as Extract<Expr, { kind: 'compare' }>).right;
  assert.deepEqual(huge.kind === 'literal' && huge.literal, { type: 'number', value: 18446744073709551615n });
});

test('address, prefix, MAC, string and regex literals become values', () => {
  const items = (where('srcIP in (192.0.2.1, 2001:db8::/32, ::1, aa:BB:cc:dd:ee:ff, "a\\tb", -5)') as Extract<Expr, { kind: 'in' }>).items;
  const [v4, v6prefix, loopback, mac, text, negative] = items.map((i) => i.literal);
  assert.ok(v4!.type === 'ip' && v4.value.equals(IpAddr.parse('192.0.2.1')!));
  assert.ok(v6prefix!.type === 'prefix' && v6prefix.bits === 32 && v6prefix.value.toString() === '2001:db8::');
  assert.ok(loopback!.type === 'ip' && loopback.value.toString() === '::1');
  assert.deepEqual(mac, { type: 'mac', value: 'aa:bb:cc:dd:ee:ff' });
  assert.deepEqual(text, { type: 'string', value: 'a\tb' });
  assert.deepEqual(negative, { type: 'number', value: -5 });
  const match = where('hdrDesc !~ /IPV6/i') as Extract<Expr, { kind: 'match' }>;
  assert.equal(match.negated, true);
  assert.ok(match.pattern.test('eth:ipv6:tcp'));
});

test('precedence: bit operators bind tighter than comparisons, and tighter than not/and/or', () => {
  const e = where('not flowStat & 0x4000 != 0 or a and b');
  assert.equal(e.kind, 'logical');
  const or = e as Extract<Expr, { kind: 'logical' }>;
  assert.equal(or.op, 'or');
  const not = or.operands[0]!;
  assert.equal(not.kind, 'not');
  const compare = (not as Extract<Expr, { kind: 'not' }>).operand as Extract<Expr, { kind: 'compare' }>;
  assert.equal(compare.op, '!=');
  assert.equal(compare.left.kind, 'bit');
  assert.equal(or.operands[1]!.kind, 'logical');
  // `=` is `==`; a | b ^ c & d groups as a | (b ^ (c & d))
  assert.equal((where('x = 1') as Extract<Expr, { kind: 'compare' }>).op, '==');
  const bits = where('a | b ^ c & d') as Extract<Expr, { kind: 'bit' }>;
  assert.equal(bits.op, '|');
  assert.equal((bits.right as Extract<Expr, { kind: 'bit' }>).op, '^');
});

test('query clauses: select with aggregates, group by, sort directions, limit, $names', () => {
  const q = query('flows where $srcPort == 21 select srcIP, count(), sum($numBytesSnt) group by srcIP sort count desc, srcIP limit 5');
  assert.equal(q.table.name, 'flows');
  assert.deepEqual(q.select!.map((s) => (s.kind === 'item' ? [s.name, s.argument?.name ?? s.argument] : '*')),
    [['srcIP', undefined], ['count', null], ['sum', 'numBytesSnt']]);
  assert.deepEqual(q.groupBy!.map((g) => g.name), ['srcIP']);
  assert.deepEqual(q.sort!.map((k) => [k.key.name, k.descending]), [['count', true], ['srcIP', false]]);
  assert.equal(q.limit!.value, 5);
  assert.equal(query('flows select *').select![0]!.kind, 'star');
  assert.equal(parseFailure('flows where a == 1 where b == 2').message, 'duplicate where clause');
});

test('explain, columns and shell statements', () => {
  const e = parseStatement('explain flowStat=0x0400000000004001');
  assert.ok(e.kind === 'explain' && e.column.name === 'flowStat');
  assert.deepEqual(e.value!.literal, { type: 'number', value: 0x0400000000004001n });
  const spaced = parseStatement('explain $tcpFlags 0x12');
  assert.ok(spaced.kind === 'explain' && spaced.column.name === 'tcpFlags' && spaced.value!.literal.value === 0x12);
  const named = parseStatement('explain l4Proto tcp');
  assert.ok(named.kind === 'explain' && named.value!.literal.value === 'tcp');
  assert.ok(parseStatement('explain ftpStat').kind === 'explain');
  const columns = parseStatement('columns packets');
  assert.ok(columns.kind === 'columns' && columns.table!.name === 'packets');
  assert.equal(parseStatement('columns').kind, 'columns');
  const load = parseStatement('load  /tmp/my capture.pcapng ');
  assert.ok(load.kind === 'load' && load.path === '/tmp/my capture.pcapng');
  const quoted = parseStatement('load "a\\"b.pcap"');
  assert.ok(quoted.kind === 'load' && quoted.path === 'a"b.pcap');
  const help = parseStatement('help bitsanyset');
  assert.ok(help.kind === 'help' && help.topic === 'bitsanyset');
  assert.ok(parseStatement('help').kind === 'help');
  for (const [text, kind] of [['report', 'report'], ['quit', 'quit'], ['EXIT', 'quit'], ['history', 'history'], ['clear', 'clear']]) {
    assert.equal(parseStatement(text!).kind, kind);
  }
});

test('errors carry the statement, the offending token position and a caret line', () => {
  const e = parseFailure('flows where srcPort == == 21');
  assert.equal(e.statement, 'flows where srcPort == == 21');
  assert.equal(e.offset, 23);
  assert.equal(e.length, 2);
  assert.equal(e.format(), 'flows where srcPort == == 21\n                       ^^\n' + e.message);
  const open = parseFailure('flows where (srcPort == 21');
  assert.equal(open.offset, 'flows where (srcPort == 21'.length);
  assert.match(open.message, /expected '\)' but found end of statement/);
  const lexical = parseFailure('flows where srcIP == 1:2:3 and x');
  assert.equal(lexical.offset, 21);
  assert.equal(lexical.length, 5);
  assert.match(lexical.message, /invalid address '1:2:3'/);
  assert.match(parseFailure('flows where a == "abc').message, /unterminated string/);
  assert.match(parseFailure('flows where srcIP == 192.0.2.300').message, /invalid IP address '192.0.2.300'/);
  assert.match(parseFailure('flows where srcIP in 192.0.2.0/33').message, /prefix length 33 is larger than 32/);
  assert.match(parseFailure('flows where a ~ /(/').message, /invalid regular expression/);
  assert.match(parseFailure('explian flowStat').message, /unknown command 'explian'; did you mean explain\?/);
  assert.equal(parseFailure('   ').message, 'empty statement');
});

test('the caret is placed on the right line of a multi-line statement', () => {
  const e = parseFailure('flows where (srcPort == 21\n  or dstPort === 21)');
  assert.equal(e.format().split('\n').slice(0, 2).join('\n'), '  or dstPort === 21)\n               ^');
});

test('splitStatements: newlines and ; separate, # comments, open parentheses continue', () => {
  const script = [
    '# a comment line',
    'flows where port(21); columns  # trailing comment',
    '',
    'flows where (srcPort == 21',
    '   # inside parentheses',
    '   or dstPort == 21)',
    'flows where hdrDesc ~ /a;b#c/ and srcIPOrg == "x;#y"',
    "load /tmp/x.pcap",
  ].join('\n');
  const parts = splitStatements(script);
  assert.deepEqual(parts.map((p) => p.text), [
    'flows where port(21)',
    'columns',
    'flows where (srcPort == 21\n   # inside parentheses\n   or dstPort == 21)',
    'flows where hdrDesc ~ /a;b#c/ and srcIPOrg == "x;#y"',
    'load /tmp/x.pcap',
  ]);
  assert.deepEqual(parts.map((p) => p.line), [2, 2, 4, 7, 8]);
  for (const p of parts) assert.equal(script.slice(p.offset, p.offset + p.text.length), p.text);
  // every piece parses
  for (const p of parts) parseStatement(p.text);
});
