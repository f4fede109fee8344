import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ed from './lineEditor.ts';

const at = (text: string, cursor: number): ed.EditState => ({ text, cursor });

test('insert, backspace and delete around the cursor', () => {
  let s = ed.insert(at('flws', 2), 'o');
  assert.deepEqual(s, at('flows', 3));
  s = ed.backspace(s);
  assert.deepEqual(s, at('flws', 2));
  assert.deepEqual(ed.deleteForward(s), at('fls', 2));
  assert.deepEqual(ed.backspace(at('x', 0)), at('x', 0));
  // a surrogate pair goes as one character
  assert.deepEqual(ed.backspace(at('a😀', 3)), at('a', 1));
});

test('Home/End and Ctrl-K/Ctrl-U work on the current line of a multi-line text', () => {
  const s = at('flows\nwhere port(21)', 12);
  assert.equal(ed.home(s).cursor, 6);
  assert.equal(ed.end(s).cursor, 20);
  assert.deepEqual(ed.killToEnd(s), at('flows\nwhere ', 12));
  assert.deepEqual(ed.killToStart(s), at('flows\nport(21)', 6));
  // Ctrl-K at the end of a line joins the next one
  assert.deepEqual(ed.killToEnd(at('a\nb', 1)), at('ab', 1));
});

test('word motions and Ctrl-W', () => {
  const s = at('flows where srcPort == 21', 25);
  assert.equal(ed.wordLeft(s).cursor, 23);
  assert.equal(ed.wordLeft(at(s.text, 20)).cursor, 12);
  assert.equal(ed.wordRight(at(s.text, 0)).cursor, 5);
  assert.equal(ed.wordRight(at(s.text, 5)).cursor, 11);
  assert.deepEqual(ed.deleteWordBack(at('flows where src', 15)), at('flows where ', 12));
  assert.deepEqual(ed.deleteWordBack(at('a b  ', 5)), at('a ', 2));
});

test('Up/Down move between lines and report the edges', () => {
  const s = at('ab\ncdef\ng', 5);
  assert.deepEqual(ed.verticalMove(s, -1), at(s.text, 2));
  assert.deepEqual(ed.verticalMove(s, 1), at(s.text, 9));
  assert.equal(ed.verticalMove(at(s.text, 1), -1), undefined);
  assert.equal(ed.verticalMove(at(s.text, 9), 1), undefined);
});
