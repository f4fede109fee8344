import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitStatements } from '../query/index.ts';
import { isUnfinished, joinContinuedLines } from './continuation.ts';

test('Enter continues a statement that stops where more must follow', () => {
  for (const text of ['flows where', 'flows where port(21) and', 'flows select flowInd,', 'flows sort', 'flows where (port(21)',
    'flows where dstPort ==', 'flows group', 'flows where \\', 'flows limit 1\nflows where', 'flows where # comment']) {
    assert.equal(isUnfinished(text), true, JSON.stringify(text));
  }
  for (const text of ['flows', 'flows where port(21)', 'help', 'report', 'flows limit 1; flows where port(21)', '',
    // errors are shown, not waited on: a wrong word, an open quote (strings end at the line)
    'flows wher', 'flows where srcIP == "192.0', 'flows where a == 1 xyz',
    // Enter on an empty continuation line runs what is there
    'flows where\n', 'flows where\n  ']) {
    assert.equal(isUnfinished(text), false, JSON.stringify(text));
  }
});

test('continued lines are joined into one statement, offsets kept; other lines stay statements', () => {
  const typed = 'flows where\nport(21) and\ntcp() select flowInd,\ndir\nflows limit 1';
  const joined = joinContinuedLines(typed);
  assert.equal(joined.length, typed.length);
  assert.deepEqual(splitStatements(joined).map((s) => s.text), ['flows where port(21) and tcp() select flowInd, dir', 'flows limit 1']);
  assert.equal(joined.indexOf('tcp()'), typed.indexOf('tcp()'));
  // a backslash at the end of a line continues it even where the statement could end
  assert.deepEqual(splitStatements(joinContinuedLines('flows \\\nlimit 2')).map((s) => s.text), ['flows   limit 2']);
  // a comment before the continuation must not swallow the next line
  const commented = 'flows where # which port?';
  assert.deepEqual(splitStatements(joinContinuedLines(`${commented}\nport(21)`)).map((s) => s.text),
    [`flows where${' '.repeat(commented.length - 'flows where'.length + 1)}port(21)`]);
  // a pasted script of whole statements is left as it is
  const script = 'flows limit 1\nreport\nhelp flowStat';
  assert.equal(joinContinuedLines(script), script);
});
