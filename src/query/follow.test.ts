import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatement } from './parse.ts';
import { QueryError } from './errors.ts';

test('follow flow N [dir A|B] [as ascii|hex|raw] parses with defaults', () => {
  assert.deepEqual(pick(parseStatement('follow flow 3')), { kind: 'follow', flowInd: 3, format: 'ascii' });
  assert.deepEqual(pick(parseStatement('FOLLOW flow 12 dir b as HEX')), { kind: 'follow', flowInd: 12, dir: 'B', format: 'hex' });
  assert.deepEqual(pick(parseStatement('follow flow 1 as raw')), { kind: 'follow', flowInd: 1, format: 'raw' });
});

test('follow mistakes point at the word', () => {
  for (const [text, offset, message] of [
    ['follow flw 3', 7, /expected 'flow'/],
    ['follow flow 0', 12, /whole number from 1/],
    ['follow flow 3 dir C', 18, /dir is A or B/],
    ['follow flow 3 side A', 14, /expected 'dir'/],
    ['follow flow 3 as pdf', 17, /ascii, hex or raw/],
  ] as const) {
    assert.throws(() => parseStatement(text), (e: unknown) => e instanceof QueryError && e.offset === offset && message.test(e.message), text);
  }
});

test('a query may end with `as FORMAT`, once', () => {
  const s = parseStatement('packets where flowInd == 1 limit 5 as tcpdump');
  assert.equal(s.kind, 'query');
  assert.equal(s.kind === 'query' && s.as?.name, 'tcpdump');
  assert.throws(() => parseStatement('packets as tcpdump as tcpdump'), /duplicate as clause/);
});

function pick(s: object): object {
  return Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'text' && k !== 'span'));
}

test('carve [where EXPR] to DIR: the directory is raw text (spaces kept) or a quoted string', () => {
  const plain = parseStatement('carve to out/files');
  assert.ok(plain.kind === 'carve' && plain.directory === 'out/files' && plain.where === undefined);
  const filtered = parseStatement('carve where verdict == "complete" to "my dir"');
  assert.ok(filtered.kind === 'carve' && filtered.directory === 'my dir' && filtered.where?.kind === 'compare');
  assert.throws(() => parseStatement('carve to'), QueryError);
  assert.throws(() => parseStatement('carve where to x'), QueryError);
});
