import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { readCapture } from './reader.ts';
import type { CaptureSink } from './types.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const pcapDir = resolve(repoRoot, '../shared/pcaps');

function captureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...captureFiles(p));
    else if (/\.(pcap|pcapng|cap)$/i.test(entry.name)) out.push(p);
  }
  return out.sort();
}

function hasCapinfos(): boolean {
  try {
    execFileSync('capinfos', ['-h'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('every shared capture delivers as many packets as capinfos counts', async (t) => {
  if (!existsSync(pcapDir)) return t.skip(`no shared captures at ${pcapDir}`);
  if (!hasCapinfos()) return t.skip('capinfos (wireshark-common) is not on PATH');
  const files = captureFiles(pcapDir);
  assert.ok(files.length > 0);
  // one capinfos run for all files: "<file>\t<packet count>" per line
  const table = execFileSync('capinfos', ['-T', '-r', '-c', '-M', ...files], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const expected = new Map(table.trim().split('\n').map((line) => {
    const [file, count] = line.split('\t');
    return [resolve(file!), Number(count)] as const;
  }));
  for (const file of files) {
    await t.test(relative(pcapDir, file), async () => {
      const size = statSync(file).size;
      let packets = 0, outside = 0;
      const sink: CaptureSink = {
        packet(bytes, _view, start, capLen, wireLen, _s, nsec, _lt, fileOffset) {
          packets++;
          if (start + capLen > bytes.length || fileOffset + capLen > size || capLen > wireLen || nsec >= 1e9) outside++;
        },
        warning(w) { assert.equal(w.fatal, false, `unexpected fatal warning: ${w.message}`); },
      };
      const info = await readCapture(file, sink);
      assert.equal(outside, 0);
      assert.equal(info.packets, packets);
      assert.equal(packets, expected.get(file), `capinfos counts ${expected.get(file)}`);
      assert.equal(info.fileBytes, size);
    });
  }
});
