import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendHistory, decodeEntry, encodeEntry, historyPath, HistoryCursor, pushEntry, readHistory, searchBackward } from './history.ts';

test('the history file lives in the XDG state directory, else ~/.local/state', () => {
  assert.equal(historyPath({ XDG_STATE_HOME: '/x/state' }), '/x/state/flowsh/history');
  assert.match(historyPath({}), /\/\.local\/state\/flowsh\/history$/);
  // a relative XDG path is ignored, as the spec says
  assert.match(historyPath({ XDG_STATE_HOME: 'rel' }), /\/\.local\/state\/flowsh\/history$/);
});

test('entries survive a round trip through the file, multi-line ones included', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-history-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'flowsh', 'history');
  const entries: string[] = [];
  for (const e of ['flows limit 3', 'flows where (\nport(21))', 'help "a\\b"']) {
    pushEntry(entries, e);
    appendHistory(file, e, entries);
  }
  assert.equal(readFileSync(file, 'utf8').split('\n').length, 4);
  assert.deepEqual(readHistory(file), entries);
  assert.equal(decodeEntry(encodeEntry('a\\nb\nc')), 'a\\nb\nc');
});

test('a repeated or blank entry is not added', () => {
  const entries = ['a'];
  assert.equal(pushEntry(entries, 'a'), false);
  assert.equal(pushEntry(entries, '  '), false);
  assert.equal(pushEntry(entries, 'b'), true);
  assert.deepEqual(entries, ['a', 'b']);
});

test('Up/Down walk the entries and come back to the draft', () => {
  const cursor = new HistoryCursor(['one', 'two']);
  assert.equal(cursor.previous('draft'), 'two');
  assert.equal(cursor.previous('two'), 'one');
  assert.equal(cursor.previous('one'), undefined);
  assert.equal(cursor.next(), 'two');
  assert.equal(cursor.next(), 'draft');
  assert.equal(cursor.next(), undefined);
});

test('Ctrl-R finds the newest match, then older ones', () => {
  const entries = ['flows limit 1', 'packets', 'flows limit 2'];
  assert.equal(searchBackward(entries, 'LIMIT'), 2);
  assert.equal(searchBackward(entries, 'limit', 2), 0);
  assert.equal(searchBackward(entries, 'limit', 0), -1);
});
