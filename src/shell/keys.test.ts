import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeys } from './keys.ts';

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
