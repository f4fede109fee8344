/**
 * tcpFlags' per-packet numbers against tshark on the shared captures: relative sequence and
 * acknowledgement numbers, segment lengths, effective windows and bytes in flight. Skips when tshark or
 * ../shared/pcaps (from the repository root) is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCapture } from '../../store/load.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const PCAPS = resolve(ROOT, '../shared/pcaps');

/** Captures left out, or columns left out for a capture, and why. */
const EXCLUDED: Record<string, string> = {
  'composite/perf-mixed-ndpi-ftp.pcap': 'a merge of 380 captures: idle timeouts split connections into several flows, each with its own relative base',
  'zeek/ftp/ipv6-violation.pcap': 'an ACK 1.1 s after a RST starts a new flow (tcpStates RESET timeout), so its relative base restarts',
};
const BYTES_IN_FLIGHT_EXCLUDED: Record<string, string> = {
  'pcapplusplus/Ftp.pcap': 'timestamps jump by years between packets: the idle timeout ends a control connection\'s flow and a new flow starts with its own unacknowledged segments, ' +
    'where Wireshark keeps one conversation',
};
const WINDOW_EXCLUDED: Record<string, string> = {
  'aliawa-saved_pcaps/ftp_eprt.pcap': 'the SYN-ACK is on another VLAN and forms a flow of its own here, so neither direction knows the other offered window scaling; ' +
    'Wireshark then scales by the direction\'s own shift',
};

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = !existsSync(PCAPS) ? `${PCAPS} not found (a fresh clone has no ../shared)` : !hasTshark() ? 'tshark is not installed' : false;

test('relSeq, relAck, l7Len, tcpWin and tcpBytesInFlight agree with tshark on the shared captures', { skip }, async () => {
  const files = (readdirSync(PCAPS, { recursive: true }) as string[])
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f) && !(f in EXCLUDED)).sort();
  assert.ok(files.length > 20, 'the shared captures are there');
  const mismatches: string[] = [];
  let compared = 0;
  for (const rel of files) {
    const file = join(PCAPS, rel);
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.seq', '-e', 'tcp.ack', '-e', 'tcp.flags.ack',
      '-e', 'tcp.len', '-e', 'tcp.window_size', '-e', 'tcp.analysis.bytes_in_flight', '-E', 'occurrence=f'], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
    const c = await loadCapture(file);
    try {
      const relSeq = c.packets.column('relSeq')!, relAck = c.packets.column('relAck')!, len = c.packets.column('l7Len')!, win = c.packets.column('tcpWin')!;
      const inFlight = c.packets.column('tcpBytesInFlight')!;
      const checkWindow = !(rel in WINDOW_EXCLUDED), checkInFlight = !(rel in BYTES_IN_FLIGHT_EXCLUDED);
      let bad = 0;
      for (const line of out.split('\n')) {
        const [no, seq, ack, ackFlag, segLen, window, bytesInFlight] = line.split('\t');
        if (!seq) continue; // not a TCP packet
        const p = Number(no) - 1;
        compared++;
        const diffs: string[] = [];
        if (relSeq.get(p) !== Number(seq)) diffs.push(`relSeq ${relSeq.get(p)} vs ${seq}`);
        if (ackFlag === '1' && relAck.get(p) !== Number(ack)) diffs.push(`relAck ${relAck.get(p)} vs ${ack}`);
        if (len.get(p) !== Number(segLen)) diffs.push(`l7Len ${len.get(p)} vs ${segLen}`);
        if (checkWindow && window && win.get(p) !== Number(window)) diffs.push(`tcpWin ${win.get(p)} vs ${window}`);
        if (checkInFlight && inFlight.get(p) !== Number(bytesInFlight || 0)) diffs.push(`tcpBytesInFlight ${inFlight.get(p)} vs ${bytesInFlight || 'none'}`);
        if (diffs.length > 0 && bad++ < 3) mismatches.push(`${rel} packet ${no}: ${diffs.join(', ')}`);
      }
    } finally {
      c.close();
    }
  }
  assert.ok(compared > 10_000, `compared ${compared} TCP packets`);
  assert.deepEqual(mismatches, []);
});
