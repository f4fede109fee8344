import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowshLexer } from '../../grammar/tokens.ts';
import { flowshParser } from '../../grammar/parser.ts';

function lex(text: string): string[] {
  const result = flowshLexer.tokenize(text);
  assert.deepEqual(result.errors, [], `lexer errors for ${text}`);
  return result.tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

function parseErrors(text: string): string[] {
  flowshParser.input = flowshLexer.tokenize(text).tokens;
  flowshParser.statement();
  return flowshParser.errors.map((e) => e.message);
}

test('IPv6 forms, including bare :: and ::1, lex as one address token', () => {
  assert.deepEqual(lex('::1'), ['Ip6Address:::1']);
  assert.deepEqual(lex('::'), ['Ip6Address:::']);
  assert.deepEqual(lex('(::)'), ['LParen:(', 'Ip6Address:::', 'RParen:)']);
  assert.deepEqual(lex('fe80::1'), ['Ip6Address:fe80::1']);
  assert.deepEqual(lex('::ffff:192.0.2.1'), ['Ip6Address:::ffff:192.0.2.1']);
  assert.deepEqual(lex('2001:db8::/32'), ['Ip6Prefix:2001:db8::/32']);
  assert.deepEqual(lex('2001:db8:0:0:0:0:0:1,'), ['Ip6Address:2001:db8:0:0:0:0:0:1', 'Comma:,']);
});

test('MAC versus IPv6: six 2-digit groups are a MAC, eight groups an IPv6 address', () => {
  assert.deepEqual(lex('aa:bb:cc:dd:ee:ff'), ['MacAddress:aa:bb:cc:dd:ee:ff']);
  assert.deepEqual(lex('AA:BB:CC:00:11:22)'), ['MacAddress:AA:BB:CC:00:11:22', 'RParen:)']);
  assert.deepEqual(lex('00:11:22:33:44:55:66:77'), ['Ip6Address:00:11:22:33:44:55:66:77']);
  assert.deepEqual(lex('aa:bb::cc'), ['Ip6Address:aa:bb::cc']);
});

test('invalid colon runs are lexer errors, not silently split tokens', () => {
  assert.notEqual(flowshLexer.tokenize('x == 1:2:3').errors.length, 0);
  assert.notEqual(flowshLexer.tokenize('x == aa:bb:cc').errors.length, 0);
});

test('IPv4 addresses and prefixes are not floats; floats and hex are numbers', () => {
  assert.deepEqual(lex('192.0.2.1'), ['Ip4Address:192.0.2.1']);
  assert.deepEqual(lex('192.0.2.0/24'), ['Ip4Prefix:192.0.2.0/24']);
  assert.deepEqual(lex('1.5 2e3 42'), ['FloatNumber:1.5', 'FloatNumber:2e3', 'Integer:42']);
  assert.deepEqual(lex('0x0400000000004001'), ['HexNumber:0x0400000000004001']);
});

test('$name, keywords (any case) and identifiers that start with a keyword', () => {
  assert.deepEqual(lex('$flowStat'), ['DollarIdentifier:$flowStat']);
  assert.deepEqual(lex('WHERE index in inx'), ['Where:WHERE', 'Identifier:index', 'In:in', 'Identifier:inx']);
  assert.deepEqual(lex('sort_key sort'), ['Identifier:sort_key', 'Sort:sort']);
});

test('operators: longest first, ~ and !~, && || and single & |', () => {
  assert.deepEqual(
    lex('a==b!=c<=d>=e<f>g=h~/x/ !~ "y" && || & | ^ ! -').map((t) => t.split(':')[0]),
    ['Identifier', 'EqualEqual', 'Identifier', 'NotEqual', 'Identifier', 'LessEqual', 'Identifier', 'GreaterEqual',
      'Identifier', 'Less', 'Identifier', 'Greater', 'Identifier', 'Equal', 'Identifier', 'Tilde', 'RegexLiteral',
      'NotMatch', 'StringLiteral', 'AndAnd', 'OrOr', 'Ampersand', 'Pipe', 'Caret', 'Bang', 'Minus'],
  );
  assert.deepEqual(lex('/a\\/b/i'), ['RegexLiteral:/a\\/b/i']);
  assert.deepEqual(lex(`"a\\"b" 'c d'`), ['StringLiteral:"a\\"b"', "StringLiteral:'c d'"]);
});

test('load and help take the rest of the statement as raw text', () => {
  assert.deepEqual(lex('load /tmp/a b.pcap  '), ['Load:load', 'RawText:/tmp/a b.pcap']);
  assert.deepEqual(lex('load "x y.pcap"'), ['Load:load', 'StringLiteral:"x y.pcap"']);
  assert.deepEqual(lex('help where'), ['Help:help', 'RawText:where']);
  assert.deepEqual(lex('flows # comment'), ['Identifier:flows']);
});

test('the parser accepts every statement form and rejects chained comparisons', () => {
  for (const ok of [
    'flows',
    'flows where a == 1 and not b in (1, -2) || !c ~ /x/ sort x desc, y limit 3',
    'flows where srcIP in 192.0.2.0/24 and ~tcpFlags & 0x02 == 0 and port("20,21")',
    'flows select count(), sum(numBytesSnt) group by srcIP sort count desc',
    'flows select * where x not in (1,2)',
    'explain flowStat=0x0400000000004001', 'explain flowStat 0x1', 'explain $flowStat', 'explain l4Proto tcp',
    'columns', 'columns flows', 'report', 'help', 'help port', 'load x.pcap', 'quit', 'exit', 'history', 'clear',
  ]) {
    assert.deepEqual(parseErrors(ok), [], ok);
  }
  assert.deepEqual(parseErrors('flows where a == b == c'), ["unexpected '=='"]);
  assert.deepEqual(parseErrors('flows where (a'), ["expected ')' but found end of statement"]);
  assert.equal(parseErrors('load').length, 1);
});
