import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PcapWriter, LINKTYPE_ETHERNET } from './writer.ts';
import { estimatePackets } from './estimate.ts';

function withPcap(sizes: (i: number) => number, packets: number, fn: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-estimate-'));
  const file = join(dir, 'x.pcap');
  const w = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET });
  for (let i = 0; i < packets; i++) w.writePacket(1_700_000_000 + i, 0, new Uint8Array(sizes(i)));
  w.close();
  try { fn(file); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('estimatePackets: exact for a file read whole, within 10% for a big one whose start is unlike the rest', () => {
  withPcap(() => 100, 500, (file) => assert.equal(estimatePackets(file), 500));
  // 2000 small packets first (handshakes), then 20000 of mixed sizes: the start is no sample of the rest
  withPcap((i) => (i < 2000 ? 60 : 60 + ((i * 7919) % 1400)), 22000, (file) => {
    const n = estimatePackets(file)!;
    assert.ok(n >= 22000 * 0.9 && n <= 22000 * 1.1, `estimate ${n} for 22000`);
  });
});

test('estimatePackets: undefined for what it cannot sample (gzip, not a capture, missing)', () => {
  withPcap(() => 100, 50, (file) => {
    const gz = file + '.gz';
    writeFileSync(gz, gzipSync(new Uint8Array(1000)));
    assert.equal(estimatePackets(gz), undefined);
    writeFileSync(file, 'not a capture at all');
    assert.equal(estimatePackets(file), undefined);
    assert.equal(estimatePackets(file + '.missing'), undefined);
  });
});
