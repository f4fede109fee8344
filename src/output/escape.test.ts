import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeBytes, escapeText } from './escape.ts';

test('payload bytes: printable kept, controls and ANSI escapes made visible', () => {
  const bytes = new TextEncoder().encode('220 ok\r\n\x1b[31mred\x07\\');
  assert.equal(escapeBytes(bytes), '220 ok\\r\\n\\x1b[31mred\\x07\\\\');
  assert.equal(escapeBytes(new Uint8Array([0x00, 0x7f, 0x80, 0xff])), '\\x00\\x7f\\x80\\xff');
  assert.equal(escapeBytes(bytes, 0, 3), '220');
});

test('text: C1 controls, bidi overrides and BOM escaped, other Unicode kept', () => {
  assert.equal(escapeText('plain text'), 'plain text');
  assert.equal(escapeText('caf\u00e9 /p\u00e4th'), 'caf\u00e9 /p\u00e4th');
  assert.equal(escapeText('a\u009bb'), 'a\\x9bb');
  assert.equal(escapeText('evil\u202etxt.exe'), 'evil\\u{202e}txt.exe');
  assert.equal(escapeText('x\u001b]0;title\u0007'), 'x\\x1b]0;title\\x07');
  assert.equal(escapeText('tab\there'), 'tab\\there');
});

test('bytes kept as lone surrogates (invalid UTF-8) print as \\xHH', () => {
  assert.equal(escapeText('a\udcffb\udc80'), 'a\\xffb\\x80');
});
