import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyReader, parseKeys, PASTE_END, PASTE_START, pastedText } from './keys.ts';

const names = (raw: string) => parseKeys(raw).map((k) => (k.ctrl ? `C-${k.text}` : k.meta ? `M-${k.name === 'text' ? k.text : k.name}` : k.name === 'text' ? k.text : `<${k.name}>`));

test('a burst of typing is split into text and control keys', () => {
  assert.deepEqual(names('flows limit 3\r'), ['flows limit 3', '<return>']);
  assert.deepEqual(names('ab\tc\x7f'), ['ab', '<tab>', 'c', '<backspace>']);
  assert.deepEqual(names('\x01\x05\x0b\x15\x17\x12\x04\x03'), ['C-a', 'C-e', 'C-k', 'C-u', 'C-w', 'C-r', 'C-d', 'C-c']);
});

test('escape sequences name cursor and editing keys, Backspace and Delete apart', () => {
  assert.deepEqual(names('\x1b[A'), ['<up>']);
  assert.deepEqual(names('\x1bOB'), ['<down>']);
  assert.deepEqual(names('\x1b[H'), ['<home>']);
  assert.deepEqual(names('\x1b[4~'), ['<end>']);
  assert.deepEqual(names('\x1b[3~'), ['<delete>']);
  assert.deepEqual(names('\x7f'), ['<backspace>']);
  assert.deepEqual(names('\x1b[5~'), ['<pageup>']);
  assert.deepEqual(names('\x1b[6~'), ['<pagedown>']);
  assert.deepEqual(names('\x1bb'), ['M-b']);
  assert.deepEqual(names('\x1bf'), ['M-f']);
  assert.deepEqual(names('\x1b'), ['<escape>']);
  const ctrlLeft = parseKeys('\x1b[1;5D')[0]!;
  assert.equal(ctrlLeft.name, 'left');
  assert.equal(ctrlLeft.ctrl, true);
});

test('C1 control characters never become text', () => {
  assert.deepEqual(names('a\u009bb'), ['ab']);
});

test('a bracketed paste is one event, however the terminal splits it', () => {
  const reader = new KeyReader();
  assert.deepEqual(reader.read('ab'), [{ name: 'text', text: 'ab', ctrl: false, meta: false }]);
  // Ink hands escape sequences over as pieces of their own
  assert.deepEqual(reader.read(PASTE_START), []);
  assert.deepEqual(reader.read('flows limit 1\rflows'), []);
  assert.deepEqual(reader.read('\x1b[A'), []);
  assert.deepEqual(reader.read(' limit 2\r'), []);
  const done = reader.read(`${PASTE_END}x\r`);
  assert.deepEqual(done.map((k) => k.name), ['paste', 'text', 'return']);
  assert.equal(done[0]!.text, 'flows limit 1\rflows\x1b[A limit 2\r');
  // start and end in one piece, with keys around them
  assert.deepEqual(new KeyReader().read(`a${PASTE_START}b\tc${PASTE_END}\x7f`).map((k) => `${k.name}:${k.text}`), ['text:a', 'paste:b\tc', 'backspace:']);
});

test('pasted text enters the line with newlines kept and nothing else of the terminal', () => {
  assert.equal(pastedText('flows limit 1\r\nflows limit 2\r'), 'flows limit 1\nflows limit 2');
  assert.equal(pastedText('flows\twhere\x1b[31m port(21)\x1b[0m\x07\u009b'), 'flows where port(21)');
  assert.equal(pastedText('report\n\n\n'), 'report');
});
