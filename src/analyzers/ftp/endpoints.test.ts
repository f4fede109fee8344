import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseEprtArgument, parseEpsvReply, parseLprtArgument, parseLpsvReply, parseMdtmReply, parsePasvReply, parsePortArgument,
  parseQuotedPath, parseSize, parseSizeReply, parseTransferReply, type DataEndpoint, type Parsed,
} from './endpoints.ts';

function endpoint(result: Parsed<DataEndpoint>): string {
  assert.ok(result.ok, result.ok ? '' : result.error);
  return `${result.value.address ?? '-'} ${result.value.port}`;
}

function error(result: Parsed<unknown>, pattern: RegExp): void {
  assert.equal(result.ok, false, `expected an error matching ${pattern}, got ${JSON.stringify(result)}`);
  if (!result.ok) assert.match(result.error, pattern);
}

test('PORT: six decimal numbers, port = p1*256 + p2', () => {
  assert.equal(endpoint(parsePortArgument('192,0,2,10,19,137')), '192.0.2.10 5001');
  assert.equal(endpoint(parsePortArgument(' 192, 0, 2, 10, 0, 20 ')), '192.0.2.10 20');
  // strict decimal: 010 is ten, not octal eight (Tranalyzer's strtoul base 0 quirk)
  assert.equal(endpoint(parsePortArgument('192,0,2,010,010,010')), '192.0.2.10 2570');
  assert.equal(endpoint(parsePortArgument('0,0,0,0,255,255')), '0.0.0.0 65535');
});

test('PORT: wrong count, non-decimal and out-of-range values are errors', () => {
  error(parsePortArgument(''), /6 comma-separated numbers, got none/);
  error(parsePortArgument('192,0,2,10,19'), /got 5/);
  error(parsePortArgument('192,0,2,10,19,137,1'), /got 7/);
  error(parsePortArgument('192,0,2,256,19,137'), /h4 256 is out of range/);
  error(parsePortArgument('192,0,2,10,300,1'), /p1 300 is out of range/);
  error(parsePortArgument('192,0,2,10,0x13,137'), /p1 "0x13" is not a decimal number/);
  error(parsePortArgument('192,0,2,-1,19,137'), /not a decimal number/);
  error(parsePortArgument('192,0,2,10,0,0'), /port 0/);
  error(parsePortArgument('192,0,2,10,99999999999999999999,1'), /out of range/);
});

test('227: the six numbers are found in any text around them', () => {
  for (const text of [
    'Entering Passive Mode (192,0,2,21,195,80).',
    'Entering Passive Mode (192,0,2,21,195,80)',
    '=192,0,2,21,195,80',
    'Entering Passive Mode 192,0,2,21,195,80',
    'Passive mode OK (192, 0, 2, 21, 195, 80)',
    'Entering Passive Mode (192,0,2,21,195,80) ready, 2 of 3 slots',
    '192,0,2,21,195,80',
  ]) assert.equal(endpoint(parsePasvReply(text)), '192.0.2.21 50000', text);
  // a server behind NAT announcing its private address: the address is reported as sent
  assert.equal(endpoint(parsePasvReply('Entering Passive Mode (10,0,0,5,4,1)')), '10.0.0.5 1025');
});

test('227: missing or malformed numbers are errors', () => {
  error(parsePasvReply('Entering Passive Mode'), /no comma-separated numbers/);
  error(parsePasvReply('Entering Passive Mode (192,0,2,21,195)'), /no run of exactly 6 numbers \(found 5\)/);
  error(parsePasvReply('Entering Passive Mode (192,0,2,21,195,80,1)'), /found 7/);
  error(parsePasvReply('Entering Passive Mode (192,0,2,999,195,80)'), /h4 999 is out of range/);
});

test('EPRT: IPv4 and IPv6, any delimiter', () => {
  const v4 = parseEprtArgument('|1|192.0.2.10|5282|');
  assert.ok(v4.ok);
  assert.equal(`${v4.value.address} ${v4.value.port} ${v4.value.family}`, '192.0.2.10 5282 4');
  const v6 = parseEprtArgument('|2|2001:db8::10|5282|');
  assert.ok(v6.ok);
  assert.equal(`${v6.value.address} ${v6.value.port} ${v6.value.family}`, '2001:db8::10 5282 6');
  assert.equal(endpoint(parseEprtArgument('!2!2001:DB8:0:0:0:0:0:10!5282!')), '2001:db8::10 5282');
  assert.equal(endpoint(parseEprtArgument('#1#192.0.2.10#21#')), '192.0.2.10 21');
  assert.equal(endpoint(parseEprtArgument('|2|::ffff:192.0.2.10|1024|')), '::ffff:192.0.2.10 1024');
});

test('EPRT: bad protocol, address, port or shape are errors', () => {
  error(parseEprtArgument('|3|192.0.2.10|5282|'), /network protocol "3"/);
  error(parseEprtArgument('|1|2001:db8::10|5282|'), /not a valid IPv4 address/);
  error(parseEprtArgument('|2|192.0.2.10|5282|'), /not a valid IPv6 address/);
  error(parseEprtArgument('|1|192.0.2.256|5282|'), /not a valid IPv4/);
  error(parseEprtArgument('|1|192.0.2.010x|5282|'), /not a valid IPv4/);
  error(parseEprtArgument('|1|192.0.2.10|65536|'), /port 65536 is out of range/);
  error(parseEprtArgument('|1|192.0.2.10|0|'), /port 0/);
  error(parseEprtArgument('|1|192.0.2.10|5282'), /not <d>proto<d>address<d>port<d>/);
  error(parseEprtArgument('|1|192.0.2.10|52|82|'), /not <d>proto<d>address<d>port<d>/);
  error(parseEprtArgument(' 1 192.0.2.10 5282 '), /not <d>proto/);
  error(parseEprtArgument('|1'), /too short/);
});

test('229: the port between any delimiters, with or without parentheses', () => {
  assert.equal(endpoint(parseEpsvReply('Entering Extended Passive Mode (|||6446|)')), '- 6446');
  assert.equal(endpoint(parseEpsvReply('Entering Extended Passive Mode (!!!6446!)')), '- 6446');
  assert.equal(endpoint(parseEpsvReply('EPSV ok (|||60931|).')), '- 60931');
  assert.equal(endpoint(parseEpsvReply('Entering Extended Passive Mode |||6446|')), '- 6446');
  // RFC 2428 says protocol and address must be omitted; some servers send them anyway
  assert.equal(endpoint(parseEpsvReply('Entering Extended Passive Mode (|2|2001:db8::21|6446|)')), '2001:db8::21 6446');
  error(parseEpsvReply('Entering Extended Passive Mode'), /no \(<d><d><d>port<d>\) group/);
  error(parseEpsvReply('Entering Extended Passive Mode (|||70000|)'), /port 70000 is out of range/);
  error(parseEpsvReply('Entering Extended Passive Mode (|||port|)'), /not a decimal number/);
  error(parseEpsvReply('Entering Extended Passive Mode (||6446|)'), /not <d>proto<d>address<d>port<d>/);
});

const V6_BYTES = '32,1,13,184,0,0,0,0,0,0,0,0,0,0,0,16';

test('LPRT and 228 (RFC 1639): IPv4 and IPv6 long addresses', () => {
  const v4 = parseLprtArgument('4,4,192,0,2,10,2,20,162');
  assert.ok(v4.ok);
  assert.equal(`${v4.value.address} ${v4.value.port} ${v4.value.family}`, '192.0.2.10 5282 4');
  const v6 = parseLprtArgument(`6,16,${V6_BYTES},2,20,162`);
  assert.ok(v6.ok);
  assert.equal(`${v6.value.address} ${v6.value.port} ${v6.value.family}`, '2001:db8::10 5282 6');
  assert.equal(endpoint(parseLprtArgument('4,4,192,0,2,10,1,21')), '192.0.2.10 21');
  assert.equal(endpoint(parseLpsvReply('Entering Long Passive Mode (4,4,192,0,2,21,2,195,80)')), '192.0.2.21 50000');
  assert.equal(endpoint(parseLpsvReply(`Entering Long Passive Mode (6,16,${V6_BYTES},2,195,80)`)), '2001:db8::10 50000');
});

test('LPRT and 228: wrong family, lengths, ranges are errors', () => {
  error(parseLprtArgument('5,4,192,0,2,10,2,20,162'), /family 5/);
  error(parseLprtArgument('4,16,192,0,2,10,2,20,162'), /address length 16 does not fit family 4/);
  error(parseLprtArgument('6,4,192,0,2,10,2,20,162'), /address length 4 does not fit family 6/);
  error(parseLprtArgument('4,4,192,0,2,10,2,20'), /has 8 numbers, family 4 with port length 2 needs 9/);
  error(parseLprtArgument('4,4,192,0,2,10'), /ends before the port length/);
  error(parseLprtArgument('4,4,192,0,2,300,2,20,162'), /300 is out of range/);
  error(parseLprtArgument('4,4,192,0,2,10,3,1,0,0'), /port 65536 is out of range/);
  error(parseLprtArgument('4;4;192'), /comma-separated decimal/);
  error(parseLpsvReply('Entering Long Passive Mode'), /no comma-separated numbers/);
});

test('125/150: announced size and file name where present', () => {
  const cases: [string, number | undefined, string | undefined][] = [
    ['Opening BINARY mode data connection for a.bin (4000 bytes).', 4000, 'a.bin'],
    ['Opening BINARY mode data connection for /srv/files/my file.bin (4000 bytes)', 4000, '/srv/files/my file.bin'],
    ['Opening BINARY mode data connection for \'file.txt\'(123 bytes).', 123, 'file.txt'],
    ['Opening ASCII mode data connection for \'/bin/ls\'.', undefined, '/bin/ls'],
    ['Opening data channel for file download from server of "/x (1).txt"', undefined, '/x (1).txt'],
    ['Opening BINARY mode data connection for résumé.pdf (1 byte).', 1, 'résumé.pdf'],
    ['Opening ASCII mode data connection for file list', undefined, undefined],
    ['Here comes the directory listing.', undefined, undefined],
    ['Ok to send data.', undefined, undefined],
    ['Opening BINARY mode data connection for big.iso (5000000000 bytes).', 5000000000, 'big.iso'],
    ['FILE: /pub/readme (12 bytes)', 12, undefined],
  ];
  for (const [text, size, name] of cases) {
    const r = parseTransferReply(text);
    assert.ok(r.ok, text);
    assert.deepEqual([r.value.size, r.value.name], [size, name], text);
  }
  error(parseTransferReply('Opening for x (99999999999999999999 bytes)'), /too large/);
});

test('213 SIZE and MDTM answers', () => {
  assert.deepEqual(parseSizeReply('4000'), { ok: true, value: 4000 });
  assert.deepEqual(parseSizeReply(' 0 '), { ok: true, value: 0 });
  assert.deepEqual(parseSizeReply('0100'), { ok: true, value: 100 }, 'decimal, not octal');
  error(parseSizeReply('4000 bytes'), /not a decimal number/);
  error(parseSizeReply('-1'), /not a decimal number/);
  error(parseSizeReply(''), /not a decimal number/);
  error(parseSize('9007199254740993'), /too large/);
  const t = parseMdtmReply('20231105143000');
  assert.ok(t.ok);
  assert.equal(t.value.seconds, Date.UTC(2023, 10, 5, 14, 30, 0) / 1000);
  assert.equal(t.value.iso, '2023-11-05T14:30:00Z');
  const f = parseMdtmReply('20231105143000.25');
  assert.ok(f.ok);
  assert.equal(f.value.seconds, Date.UTC(2023, 10, 5, 14, 30, 0) / 1000 + 0.25);
  error(parseMdtmReply('20231305143000'), /not a valid date/);
  error(parseMdtmReply('20230230120000'), /not a valid date/);
  error(parseMdtmReply('2023110514300'), /not YYYYMMDDHHMMSS/);
});

test('257: quoted path with doubled quotes inside', () => {
  assert.deepEqual(parseQuotedPath('"/usr/dm" created.'), { ok: true, value: '/usr/dm' });
  assert.deepEqual(parseQuotedPath('"/usr/dm/""quoted""" is current directory.'), { ok: true, value: '/usr/dm/"quoted"' });
  assert.deepEqual(parseQuotedPath('"/a ""b"" c" created'), { ok: true, value: '/a "b" c' });
  assert.deepEqual(parseQuotedPath('""'), { ok: true, value: '' });
  assert.deepEqual(parseQuotedPath('MKD command successful: "/données/日本"'), { ok: true, value: '/données/日本' });
  error(parseQuotedPath('/usr/dm created'), /no quoted path/);
  error(parseQuotedPath('"/usr/dm created'), /no closing quote/);
  error(parseQuotedPath('"/usr/dm"" created'), /no closing quote/);
});
