// Every statement the README shows prints exactly what the README shows (on the bundled sample).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Session } from '../src/cli/session.ts';

const ROOT = resolve(import.meta.dirname, '..');

function examples(markdown: string): { statement: string; expected: string }[] {
  const out: { statement: string; expected: string }[] = [];
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      if (current) { blocks.push(current); current = undefined; } else current = [];
    } else current?.push(line);
  }
  for (const lines of blocks) {
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('flowsh> ')) continue;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !lines[j]!.startsWith('flowsh> '); j++) body.push(lines[j]!);
      out.push({ statement: lines[i]!.slice('flowsh> '.length), expected: body.join('\n').trimEnd() + '\n' });
      i = j - 1;
    }
  }
  return out;
}

test('README tour output is current', async () => {
  const shown = examples(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  assert.ok(shown.length >= 4, 'the README shows statements with their output');
  let out = '';
  const session = new Session({ out: (t) => { out += t; }, err: (t) => { out += t; } }, { format: 'table', color: false, width: 100, timing: false });
  assert.ok(await session.load(join(ROOT, 'samples/ftp-passive-dns.pcap'), { summary: false }));
  try {
    for (const { statement, expected } of shown) {
      out = '';
      assert.equal(await session.runStatement(statement), 'ok', statement);
      assert.equal(out, expected, `README output of: ${statement}`);
    }
  } finally {
    session.close();
  }
});
