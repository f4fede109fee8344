/**
 * Test support: compares tcpdumpLine with what the installed tcpdump prints for a capture, line by
 * line, up to and including the first `length N` token (what tcpdump appends after it is
 * application decoding, out of scope), and whole for DNS packets. Differences that have a known cause are counted by reason
 * instead of failing; everything else is a mismatch.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadCapture } from '../store/load.ts';
import { DecodedPacket } from '../decode/packet.ts';
import { decodePacket } from '../decode/decode.ts';
import { tcpdumpLine } from './tcpdump.ts';
import { tcpdumpDnsKind } from './tcpdumpDns.ts';

/** The one excuse for a UDP line: a tcpdump decoder other than DNS summarised the payload. */
export const UDP_APPLICATION_DECODER =
  'UDP payload summarised by a tcpdump application decoder other than DNS (DHCP, NTP, SIP, ...) instead of "UDP, length N"; addresses and ports compared';

export function haveTcpdump(): boolean {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface CompareResult {
  file: string;
  /** why the whole file was not compared (tcpdump cannot read it, packet counts differ) */
  skipped?: string;
  compared: number;
  matched: number;
  /** DNS packets among the compared, whose lines were compared whole */
  dnsCompared: number;
  /** packets left out of the comparison by the caller's filter */
  filteredOut: number;
  /** known, explained differences: reason -> count */
  exceptions: Map<string, number>;
  mismatches: { pktNo: number; ours: string; tcpdump: string; ipVersion: number; l4Proto: number }[];
}

const RECORD_START = /^\d+\.\d{6,9} /;

/**
 * tcpdump's records: a line starting with a timestamp, continuation lines (hex dumps) dropped.
 * A gzip-compressed capture (`.gz`, which flowsh reads directly) reaches tcpdump decompressed on
 * its standard input, as `zcat F | tcpdump -r -` would give it.
 */
export function runTcpdump(file: string, nano = false): string[] | string {
  let text: string;
  const gzip = file.endsWith('.gz');
  try {
    text = execFileSync('tcpdump', [...(nano ? ['--nano'] : []), '-nn', '-tt', '-S', '-r', gzip ? '-' : file], {
      encoding: 'utf8', maxBuffer: 1 << 30,
      ...(gzip ? { input: gunzipSync(readFileSync(file)), stdio: ['pipe', 'pipe', 'pipe'] } : { stdio: ['ignore', 'pipe', 'pipe'] }),
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    const why = String(err.stderr ?? e).trim().split('\n').filter((l) => !l.startsWith('reading from')).join(' ');
    if (why.includes('different from the type of the first interface')) {
      return 'tcpdump reads one link type per file; this pcapng mixes interfaces of different link types';
    }
    return 'tcpdump failed: ' + why;
  }
  return text.split('\n').filter((l) => RECORD_START.test(l));
}

/** cut after the first `length N` token (tcpdump's application decoding follows it) */
export function cutAfterLength(line: string): string {
  const m = /\blength \d+/.exec(line);
  return m ? line.slice(0, m.index + m[0].length) : line;
}

/** The `... > ...: ` prefix of a UDP line, where tcpdump's port-based decoders take over. */
function udpHeaderPrefix(line: string): string | undefined {
  const i = line.indexOf(': UDP, ');
  return i < 0 ? undefined : line.slice(0, i + 2);
}

export interface CompareOptions {
  /** only packets this accepts are compared */
  include?: (pkt: DecodedPacket) => boolean;
  /** run `tcpdump --nano` and print 9 fraction digits */
  nano?: boolean;
  /**
   * compare only the packets of this pcapng interface, against tcpdump's reading of `tcpdumpFile`
   * (that interface's packets alone, e.g. split off by tshark: tcpdump reads one link type per file)
   */
  interface?: { id: number; tcpdumpFile: string };
}

export async function compareWithTcpdump(file: string, opts: CompareOptions = {}): Promise<CompareResult> {
  const include = opts.include ?? (() => true);
  const result: CompareResult = { file, compared: 0, matched: 0, dnsCompared: 0, filteredOut: 0, exceptions: new Map(), mismatches: [] };
  const expected = runTcpdump(opts.interface?.tcpdumpFile ?? file, opts.nano);
  if (typeof expected === 'string') {
    result.skipped = expected;
    return result;
  }
  const capture = await loadCapture(file);
  try {
    const iface = opts.interface?.id;
    const rows: number[] = [];
    for (let row = 0; row < capture.packets.rowCount; row++) {
      if (iface === undefined || capture.readFrame(row).interfaceId === iface) rows.push(row);
    }
    const count = rows.length;
    if (count !== expected.length) {
      result.skipped = `tcpdump printed ${expected.length} packets, flowsh read ${count}`;
      return result;
    }
    const note = (reason: string): void => {
      result.exceptions.set(reason, (result.exceptions.get(reason) ?? 0) + 1);
    };
    const pkt = new DecodedPacket();
    for (let k = 0; k < count; k++) {
      const row = rows[k]!;
      const frame = capture.readFrame(row);
      const view = new DataView(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
      decodePacket(frame.bytes, view, 0, frame.capLen, frame.wireLen, frame.linkType, pkt);
      if (!include(pkt)) {
        result.filteredOut++;
        continue;
      }
      result.compared++;
      let ours = tcpdumpLine(frame, pkt, opts.nano ? 9 : 6);
      let theirs = expected[k]!;
      if (frame.linkType === 276) {
        // tcpdump names the interface index after an interface of the machine it runs on
        ours = ours.replace(/^(\S+) \S+ +/, '$1 IFACE ');
        theirs = theirs.replace(/^(\S+) \S+ +/, '$1 IFACE ');
      }
      // DNS lines are compared whole: the view reproduces tcpdump's DNS summary too
      const whole = tcpdumpDnsKind(pkt.l4Proto, pkt.srcPort, pkt.dstPort) !== undefined;
      if (whole) result.dnsCompared++;
      if (whole ? ours === theirs : cutAfterLength(ours) === cutAfterLength(theirs)) {
        result.matched++;
        continue;
      }
      const udpOurs = udpHeaderPrefix(ours);
      if (!whole && udpOurs !== undefined && theirs.startsWith(udpOurs) && !theirs.startsWith(udpOurs + 'UDP, ')) {
        note(UDP_APPLICATION_DECODER);
        continue;
      }
      if (/: sctp$/.test(ours) && theirs.startsWith(ours)) {
        note('SCTP chunk list after "sctp" not reproduced; addresses and ports compared');
        continue;
      }
      result.mismatches.push({ pktNo: row + 1, ours, tcpdump: theirs, ipVersion: pkt.ipVersion, l4Proto: pkt.l4Proto });
    }
  } finally {
    capture.close();
  }
  return result;
}
