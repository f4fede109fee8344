// followFlow's hex dump against tshark's `-z follow,tcp,hex` on the committed samples: the same
// lines, byte for byte, for every TCP flow (skipped when tshark is not installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCapture } from '../store/load.ts';
import { followFlow } from './follow.ts';

const SAMPLES = resolve(import.meta.dirname, '../../samples');

function hasTshark(): boolean {
  try { execFileSync('tshark', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

const endpoint = (ip: string, port: string) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

test('follow hex equals tshark follow,tcp,hex for every TCP flow of the samples', { skip: !hasTshark() && 'tshark not installed' }, async (t) => {
  let compared = 0;
  for (const name of readdirSync(SAMPLES).filter((n) => n.endsWith('.pcap') || n.endsWith('.pcapng'))) {
    const file = join(SAMPLES, name);
    const c = await loadCapture(file);
    try {
      const f = c.flows;
      const col = (n: string) => f.column(n)!;
      for (let r = 0; r < f.rowCount; r++) {
        if (col('dir').get(r) !== 'A' || col('l4Proto').get(r) !== 6 || (col('tcpStreamBytes').get(r) as number) === 0) continue;
        const a = endpoint(col('srcIP').text(r), col('srcPort').text(r)), b = endpoint(col('dstIP').text(r), col('dstPort').text(r));
        const out = execFileSync('tshark', ['-r', file, '-q', '-z', `follow,tcp,hex,${a},${b}`], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
        // the address form of follow takes the first stream with these endpoints: compare only flows tshark sees from A
        if (!out.includes(`Node 0: ${a}\n`)) continue;
        const theirs = out.split('\n').filter((l) => /^\t?[0-9a-f]{8}  /.test(l));
        const ours = followFlow(c, col('flowInd').get(r) as number, { format: 'hex' }).split('\n').filter((l) => /^\t?[0-9a-f]{8}  /.test(l));
        assert.deepEqual(ours, theirs, `${name} flow ${col('flowInd').get(r)}`);
        compared++;
      }
    } finally {
      c.close();
    }
  }
  t.diagnostic(`${compared} flows compared`);
  assert.ok(compared >= 10, `compared ${compared} flows`);
});
