import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PACKETS, parseBenchArgs, QUICK_PACKETS } from './run.ts';

test('defaults: 2M packets, tools on, 7 runs, tshark on a 200k capture', () => {
  const o = parseBenchArgs([], {});
  assert.equal(o.packets, DEFAULT_PACKETS);
  assert.equal(o.packets, 2_000_000);
  assert.equal(o.quick, false);
  assert.equal(o.concurrent, false);
  assert.equal(o.tools, true);
  assert.equal(o.runs, 7);
  assert.equal(o.tsharkPackets, 200_000);
  assert.equal(o.markdown, undefined);
});

test('--quick shrinks the captures and runs', () => {
  const o = parseBenchArgs(['--quick'], {});
  assert.equal(o.packets, QUICK_PACKETS);
  assert.equal(o.runs, 3);
  assert.equal(o.tsharkPackets, 20_000);
  assert.equal(o.concurrentFlows, 100_000);
});

test('--packets beats BENCH_PACKETS, which beats --quick', () => {
  assert.equal(parseBenchArgs(['--packets', '3000000'], { BENCH_PACKETS: '5000' }).packets, 3_000_000);
  assert.equal(parseBenchArgs(['--packets=1_500_000'], {}).packets, 1_500_000);
  assert.equal(parseBenchArgs(['--quick'], { BENCH_PACKETS: '50000' }).packets, 50_000);
  assert.equal(parseBenchArgs([], { BENCH_PACKETS: '' }).packets, DEFAULT_PACKETS);
});

test('tshark never reads more packets than the base capture', () => {
  assert.equal(parseBenchArgs(['--packets', '5000'], {}).tsharkPackets, 5000);
  assert.equal(parseBenchArgs(['--tshark-packets', '40000'], {}).tsharkPackets, 40_000);
});

test('--concurrent-flows implies --concurrent; other flags', () => {
  const o = parseBenchArgs(['--concurrent-flows', '250000', '--no-tools', '--profile', '--keep', '--runs', '2', '--markdown', 'out.md'], {});
  assert.equal(o.concurrent, true);
  assert.equal(o.concurrentFlows, 250_000);
  assert.equal(o.tools, false);
  assert.equal(o.profile, true);
  assert.equal(o.keep, true);
  assert.equal(o.runs, 2);
  assert.equal(o.markdown, 'out.md');
  assert.equal(parseBenchArgs(['--concurrent'], {}).concurrentFlows, 1_000_000);
});

test('bad values and unknown flags are rejected with a message', () => {
  assert.throws(() => parseBenchArgs(['--packets'], {}), /--packets needs a whole number/);
  assert.throws(() => parseBenchArgs(['--packets', '2e6'], {}), /--packets needs a whole number/);
  assert.throws(() => parseBenchArgs(['--packets', '10'], {}), /at least 1000/);
  assert.throws(() => parseBenchArgs(['--runs', '0'], {}), /at least 1/);
  assert.throws(() => parseBenchArgs([], { BENCH_PACKETS: 'lots' }), /BENCH_PACKETS needs a whole number/);
  assert.throws(() => parseBenchArgs(['--fast'], {}), /unknown option '--fast'/);
  assert.throws(() => parseBenchArgs(['--markdown'], {}), /--markdown needs a file name/);
});
