/**
 * flowsh's FTP decoding against other tools on the public captures: Tranalyzer2's ftp* columns and
 * original files (t2-outputs), Zeek's ftp.log/files.log, Suricata's fileinfo sizes and SHA-256.
 * Every disagreement must be the documented one in test/expectations/ftp-crosscheck.json (with its
 * reason from the bytes), and no other. Skips when ../shared is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareSuricata, compareT2, compareZeek } from './ftpCrosscheck.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SHARED = resolve(ROOT, '../shared');
const PCAPS = join(SHARED, 'pcaps'), EXPECTED = join(SHARED, 'pcaps-expected'), T2 = join(SHARED, 'reference/t2-outputs');
const documented = JSON.parse(readFileSync(join(ROOT, 'test/expectations/ftp-crosscheck.json'), 'utf8')) as Record<'zeek' | 'suricata' | 'tranalyzer', Record<string, string>>;
const skip = (dir: string): string | false => (existsSync(dir) ? false : `${dir} is missing (a fresh clone has no ../shared)`);

function same(found: string[], tool: 'zeek' | 'suricata' | 'tranalyzer'): void {
  const known = documented[tool];
  const unexplained = found.filter((l) => !(l in known));
  const gone = Object.keys(known).filter((l) => !found.includes(l));
  assert.deepEqual(unexplained, [], `new disagreements with ${tool}: look at the bytes, then fix flowsh or document them`);
  assert.deepEqual(gone, [], `documented disagreements with ${tool} that no longer occur: remove them`);
  for (const [line, why] of Object.entries(known)) assert.ok(why.length > 20, `${line}: a reason`);
}

test('Tranalyzer2 outputs: commands, codes, users, passwords, links, bits and original files agree', { skip: skip(T2) }, async () => {
  same(await compareT2(T2), 'tranalyzer');
});

test('Zeek ftp.log/files.log: users, passwords, commands, arguments, reply codes, sizes, data channels agree but for the documented cases', { skip: skip(EXPECTED) || skip(PCAPS) }, async () => {
  same(await compareZeek(PCAPS, EXPECTED), 'zeek');
});

test('Suricata fileinfo: every expected size and SHA-256 is a flowsh transfer but for the documented cases', { skip: skip(EXPECTED) || skip(PCAPS) }, async () => {
  same(await compareSuricata(PCAPS, EXPECTED), 'suricata');
});
