import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeFtpText, encodeFtpText, ftpTextForDisplay, FtpLineSplitter, hasUndecodableBytes, isLoss,
  type FtpLine, type FtpLoss, type FtpStreamItem,
} from './protocol.ts';

const bytes = (...parts: (string | number[])[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') out.push(...new TextEncoder().encode(p));
    else out.push(...p);
  }
  return Uint8Array.from(out);
};

type Item = FtpStreamItem<number>;

function run(chunks: readonly Uint8Array[], options: { maxLineBytes?: number } = {}): Item[] {
  const s = new FtpLineSplitter<number>(options);
  const out: Item[] = [];
  chunks.forEach((c, i) => s.feed(c, i, out));
  s.end(out);
  return out;
}

const text = (item: Item): string => (isLoss(item) ? `<loss ${item.offset}-${item.end} missing ${item.missing} discarded ${item.discarded}>`
  : 'kind' in item ? `<${item.kind}>` : decodeFtpText(item.bytes));
const withoutMeta = (items: Item[]) => items.map((item) => ({ ...item, meta: undefined }));

test('decodeFtpText: ASCII and valid UTF-8 of every length', () => {
  assert.equal(decodeFtpText(bytes('RETR a.txt')), 'RETR a.txt');
  assert.equal(decodeFtpText(bytes('résumé 日本語 🎉')), 'résumé 日本語 🎉');
  assert.equal(decodeFtpText(bytes('xxabcxx'), 2, 5), 'abc');
  assert.equal(hasUndecodableBytes(decodeFtpText(bytes('résumé'))), false);
});

test('decodeFtpText: invalid sequences become one escape per byte, never dropped or replaced', () => {
  const cases: [number[], string][] = [
    [[0xe9], '\udce9'], // Latin-1 é
    [[0xff], '\udcff'],
    [[0xc0, 0x80], '\udcc0\udc80'], // overlong NUL
    [[0xe0, 0x80, 0xaf], '\udce0\udc80\udcaf'], // overlong '/'
    [[0xed, 0xa0, 0x80], '\udced\udca0\udc80'], // encoded UTF-16 surrogate
    [[0xf4, 0x90, 0x80, 0x80], '\udcf4\udc90\udc80\udc80'], // above U+10FFFF
    [[0xe2, 0x82, 0x41], '\udce2\udc82A'], // truncated sequence then ASCII
    [[0x61, 0xe2, 0x82], 'a\udce2\udc82'], // truncated at the end
    [[0x80, 0x41], '\udc80A'], // stray continuation byte
  ];
  for (const [input, expected] of cases) {
    const decoded = decodeFtpText(Uint8Array.from(input));
    assert.equal(decoded, expected, `bytes ${input.map((b) => b.toString(16))}`);
    assert.equal(hasUndecodableBytes(decoded), true);
  }
  assert.equal(ftpTextForDisplay(decodeFtpText(bytes('caf', [0xe9], ' ok'))), 'caf\\xe9 ok');
});

test('encodeFtpText(decodeFtpText(b)) gives b back for arbitrary bytes', () => {
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  for (let round = 0; round < 500; round++) {
    const len = rand() % 24;
    const b = new Uint8Array(len);
    // mix of ASCII, continuation bytes and lead bytes so valid and invalid sequences both occur
    for (let i = 0; i < len; i++) b[i] = [rand() % 128, 0x80 + (rand() % 64), 0xc0 + (rand() % 64)][rand() % 3]!;
    assert.deepEqual(encodeFtpText(decodeFtpText(b)), b);
  }
  assert.deepEqual(encodeFtpText('日本🎉'), new TextEncoder().encode('日本🎉'));
});

test('lines end at CRLF or a bare LF; a bare CR stays data', () => {
  const items = run([bytes('USER a\r\nPASS b\nNOOP c\rd\r\n')]);
  assert.deepEqual(items.map(text), ['USER a', 'PASS b', 'NOOP c\rd']);
  assert.deepEqual(items.map((i) => (i as FtpLine<number>).terminator), ['crlf', 'lf', 'crlf']);
  assert.deepEqual(items.map((i) => [i.offset, i.end]), [[0, 8], [8, 15], [15, 25]]);
});

test('an unterminated last line is emitted at end() and marked', () => {
  const items = run([bytes('QUIT\r\nRETR partial')]);
  assert.deepEqual(items.map(text), ['QUIT', 'RETR partial']);
  assert.equal((items[1] as FtpLine<number>).terminator, 'none');
  assert.equal(items[1]!.end, 18);
  assert.deepEqual(run([bytes('A\r\n')]).length, 1, 'nothing extra at end() after a complete line');
});

test('Telnet: IAC IAC is a 0xFF byte, commands and option negotiations are removed and listed', () => {
  const items = run([bytes([255, 244, 255, 242], 'ABOR\r\n', 'RETR a', [255, 255], 'b\r\n', [255, 251, 1, 255, 254, 3], 'NOOP\r\n')]);
  assert.deepEqual(items.map(text), ['ABOR', 'RETR a\udcffb', 'NOOP']);
  const lines = items as FtpLine<number>[];
  assert.deepEqual(lines[0]!.telnet, ['IP', 'DM']);
  assert.equal(lines[0]!.offset, 0, 'a line starts at its first Telnet byte');
  assert.deepEqual([...lines[1]!.bytes], [...bytes('RETR a', [255], 'b')]);
  assert.deepEqual(lines[2]!.telnet, ['WILL 1', 'DONT 3']);
});

test('Telnet: subnegotiation is removed up to IAC SE; other commands are removed', () => {
  const items = run([bytes('US', [255, 250, 24, 1, 65, 255, 255, 255, 240], 'ER x', [255, 241, 255, 246, 255, 249], '\r\n')]);
  assert.deepEqual(items.map(text), ['USER x']);
  assert.deepEqual((items[0] as FtpLine<number>).telnet, ['SB', 'NOP', 'AYT', 'GA']);
});

test('Telnet: an IAC SB that reaches a line feed or the stream end was data and is kept, not swallowed', () => {
  const items = run([bytes('RETR ', [255, 250], 'a', [255, 255], 'b\r\nNOOP\r\nSTOR ', [255, 250], 'x', [255])]);
  assert.deepEqual(items.map((i) => [...(i as FtpLine<number>).bytes]), [
    [...bytes('RETR ', [255, 250], 'a', [255], 'b')], // IAC IAC inside still stands for one 0xFF
    [...bytes('NOOP')],
    [...bytes('STOR ', [255, 250], 'x', [255])],
  ]);
  const option = run([bytes('NOOP', [255, 251])]);
  assert.deepEqual([...(option[0] as FtpLine<number>).bytes], [...bytes('NOOP', [255, 251])]);
});

test('Telnet: IAC followed by a non-command byte keeps both bytes as data; IAC at the stream end is kept', () => {
  const items = run([bytes('RETR ', [255], 'x.txt\r\nSTOR ', [255, 10], 'NOOP', [255])]);
  assert.deepEqual(items.map((i) => [...(i as FtpLine<number>).bytes]), [
    [...bytes('RETR ', [255], 'x.txt')],
    [...bytes('STOR ', [255])],
    [...bytes('NOOP', [255])],
  ]);
});

const MIXED = bytes('USER anonymous\r\n', [255, 244, 255, 242], 'ABOR\r\nCWD /tmp/r', [0xc3, 0xa9], 'sum', [0xc3, 0xa9], '\r\nRETR a', [255, 255], 'b\nSTOR ', [0xe9], '.txt\r\nNOOP\r\n', [255, 251, 1], 'QUIT\r\n', 'SITE ', [255, 250, 1, 255, 255, 255, 240], 'ok ', [255, 250], 'q', [255, 255], 'z\r\nPART');

test('every two-chunk split gives the same lines as one chunk, with the meta of the chunk holding each line start', () => {
  const whole = run([MIXED]);
  assert.equal(whole.length, 9);
  assert.deepEqual([...(whole[7] as FtpLine<number>).bytes], [...bytes('SITE ok ', [255, 250], 'q', [255], 'z')]);
  assert.deepEqual((whole[7] as FtpLine<number>).telnet, ['SB']);
  for (let cut = 0; cut <= MIXED.length; cut++) {
    const split = run([MIXED.subarray(0, cut), MIXED.subarray(cut)]);
    assert.deepEqual(withoutMeta(split), withoutMeta(whole), `cut at ${cut}`);
    for (const item of split) assert.equal(item.meta, item.offset < cut ? 0 : 1, `meta of line at ${item.offset}, cut ${cut}`);
  }
});

test('every three-chunk split and byte-by-byte feeding give the same lines', () => {
  const whole = withoutMeta(run([MIXED]));
  for (let a = 0; a <= MIXED.length; a += 3) {
    for (let b = a; b <= MIXED.length; b += 2) {
      assert.deepEqual(withoutMeta(run([MIXED.subarray(0, a), MIXED.subarray(a, b), MIXED.subarray(b)])), whole, `cuts ${a}, ${b}`);
    }
  }
  const single: Uint8Array[] = [];
  for (let i = 0; i < MIXED.length; i++) single.push(MIXED.subarray(i, i + 1));
  assert.deepEqual(withoutMeta(run(single)), whole);
});

function runWithGaps(steps: (Uint8Array | number)[]): Item[] {
  const s = new FtpLineSplitter<number>();
  const out: Item[] = [];
  steps.forEach((step, i) => (typeof step === 'number' ? s.gap(step, i, out) : s.feed(step, i, out)));
  s.end(out);
  return out;
}

test('gap inside a line: the partial line and the bytes up to the next LF are lost, parsing resumes at the next line', () => {
  const items = runWithGaps([bytes('USER bob\r\nRETR sec'), 7, bytes('ret.txt\r\nQUIT\r\n')]);
  assert.deepEqual(items.map(text), ['USER bob', '<loss 10-34 missing 7 discarded 17>', 'QUIT']);
  const loss = items[1] as FtpLoss<number>;
  assert.equal(loss.kind, 'loss');
  assert.equal(loss.meta, 0, 'the loss starts in the first chunk');
  assert.equal(items[2]!.offset, 34);
});

test('gap at a line start still resynchronises: the text after it may be the tail of a lost line', () => {
  const items = runWithGaps([bytes('NOOP\r\n'), 5, bytes('R a\r\nPWD\r\n')]);
  assert.deepEqual(items.map(text), ['NOOP', '<loss 6-16 missing 5 discarded 5>', 'PWD']);
  assert.equal(items[1]!.meta, 1, 'a loss at a line start carries the gap call\'s meta');
});

test('gaps in a row merge into one loss; a gap at the end closes the loss at the stream end', () => {
  const items = runWithGaps([bytes('AB'), 3, bytes('C'), 4, bytes('D\r\nE\r\n'), 2]);
  assert.deepEqual(items.map(text), ['<loss 0-13 missing 7 discarded 6>', 'E', '<loss 16-18 missing 2 discarded 0>']);
  const none = runWithGaps([bytes('A\r\n'), 0, bytes('B\r\n')]);
  assert.deepEqual(none.map(text), ['A', 'B'], 'a zero-length gap is no gap');
});

test('gap resets the Telnet state: bytes after the gap are not read as the end of an IAC sequence', () => {
  const items = runWithGaps([bytes('X\r\n', [255]), 1, bytes([255], 'Y\r\nZ\r\n')]);
  assert.deepEqual(items.map(text), ['X', '<loss 3-9 missing 1 discarded 5>', 'Z']);
});

test('lines longer than the limit keep their first bytes and count the rest', () => {
  const items = run([bytes('SITE ', 'x'.repeat(30), '\r\nNOOP\r\n')], { maxLineBytes: 10 });
  const first = items[0] as FtpLine<number>;
  assert.equal(decodeFtpText(first.bytes), 'SITE xxxxx');
  assert.equal(first.overflow, 26, '25 more x plus CR');
  assert.equal(first.end, 37);
  assert.equal(text(items[1]!), 'NOOP');
  assert.equal((items[1] as FtpLine<number>).overflow, 0);
});

test('startOffset shifts every offset', () => {
  const s = new FtpLineSplitter<number>({ startOffset: 1000 });
  const out: Item[] = [];
  s.feed(bytes('A\r\nB\r\n'), 0, out);
  assert.deepEqual(out.map((i) => i.offset), [1000, 1003]);
  assert.equal(s.offset, 1006);
});

/** A TLS record whose body holds line feeds, IAC and NUL bytes, as encrypted data does. */
function record(type: number, minor: number, length: number): number[] {
  const body = Array.from({ length }, (_, i) => [10, 255, 13, 0, 0x41][i % 5]!);
  return [type, 3, minor, length >> 8, length & 255, ...body];
}

const TLS_STREAM = bytes('AUTH TLS\r\n', record(22, 1, 300), record(23, 3, 40), record(21, 3, 26), 'PASV\r\n', record(23, 3, 5), 'QUIT\r\n');
const tlsSummary = (items: Item[]) => items.map((i) => ('kind' in i && i.kind === 'tls' ? `tls ${i.offset}-${i.end} ${i.records} records, ${i.missing} missing` : text(i)));

test('TLS records after AUTH TLS are skipped by their framing, not cut into lines; clear text after them parses', () => {
  const items = run([TLS_STREAM]);
  const firstRun = 10 + 305 + 45 + 31;
  assert.deepEqual(tlsSummary(items), [
    'AUTH TLS', `tls 10-${firstRun} 3 records, 0 missing`, 'PASV', `tls ${firstRun + 6}-${firstRun + 16} 1 records, 0 missing`, 'QUIT',
  ]);
  for (let cut = 0; cut <= TLS_STREAM.length; cut++) {
    assert.deepEqual(withoutMeta(run([TLS_STREAM.subarray(0, cut), TLS_STREAM.subarray(cut)])), withoutMeta(items), `cut at ${cut}`);
  }
});

test('TLS: a gap inside a record body keeps the framing; a gap past a record end loses it', () => {
  const inside = runWithGaps([bytes(record(23, 3, 100).slice(0, 50)), 40, bytes(record(23, 3, 100).slice(90), 'NOOP\r\n')]);
  assert.deepEqual(tlsSummary(inside), ['tls 0-105 1 records, 40 missing', 'NOOP']);
  const across = runWithGaps([bytes(record(23, 3, 100).slice(0, 50)), 80, bytes('x\r\nNOOP\r\n')]);
  assert.deepEqual(tlsSummary(across), ['tls 0-50 0 records, 0 missing', '<loss 50-133 missing 80 discarded 3>', 'NOOP']);
});

test('TLS: control characters that do not form a record header stay text; a stream cut inside a record ends the run', () => {
  assert.deepEqual(tlsSummary(run([bytes([22], 'AB\r\n', [23, 3], '\r\n', [23, 3, 9], '\r\n')])), ['\x16AB', '\x17\x03', '\x17\x03\t']);
  assert.deepEqual(tlsSummary(run([bytes(record(22, 1, 10), record(23, 3, 100).slice(0, 20))])), ['tls 0-35 1 records, 0 missing']);
  assert.deepEqual(tlsSummary(run([bytes(record(22, 1, 10), [23])])), ['tls 0-15 1 records, 0 missing', '\x17']);
});
