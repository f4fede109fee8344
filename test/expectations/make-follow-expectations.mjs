// Worker of make-follow-expectations.sh (see there). Node only, no dependencies.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [pcaps, sharedJson, outJson] = process.argv.slice(2);
const shared = JSON.parse(readFileSync(sharedJson, 'utf8'));
const previous = existsSync(outJson) ? JSON.parse(readFileSync(outJson, 'utf8')) : {};
/** follow taps per tshark run: each tap filters every packet, so a run costs taps x packets */
const BATCH = 200;

function tshark(args) {
  return execFileSync('tshark', args, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString('latin1');
}

/** first frame (time, endpoints of its innermost IP/TCP headers) and payload total of every stream */
function streamsOf(file, extra) {
  const out = tshark(['-r', file, ...extra, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=l',
    '-e', 'tcp.stream', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport',
    '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'tcp.len', '-e', 'frame.protocols']);
  const streams = new Map();
  for (const line of out.split('\n')) {
    const [stream, time, ip4s, ip6s, sport, ip4d, ip6d, dport, len, protocols] = line.split('\t');
    if (!stream) continue;
    const id = Number(stream);
    let s = streams.get(id);
    if (!s) {
      // the IP header enclosing the last TCP header decides the family: IPv4 in IPv6 has both
      const v6 = innermostIpIsV6(protocols ?? '', ip4s, ip6s);
      s = { stream: id, firstTime: time, src: v6 ? ip6s : ip4s, sport: Number(sport), dst: v6 ? ip6d : ip4d, dport: Number(dport), payload: 0 };
      streams.set(id, s);
    }
    s.payload += Number(len || 0);
  }
  return [...streams.values()].sort((a, b) => a.stream - b.stream);
}

/** whether the last ip/ipv6 token before the last tcp token of frame.protocols is ipv6 */
function innermostIpIsV6(protocols, ip4, ip6) {
  const tokens = protocols.split(':');
  const tcp = tokens.lastIndexOf('tcp');
  for (let i = (tcp < 0 ? tokens.length : tcp) - 1; i >= 0; i--) {
    if (tokens[i] === 'ipv6') return true;
    if (tokens[i] === 'ip') return false;
  }
  return !ip4 && Boolean(ip6);
}

const GAP_MARKER = /^\[(\d+) bytes missing in capture file\]\0?$/;

/** parses `-z follow,tcp,raw,N` blocks: node 0 lines flush left, node 1 lines indented by a tab */
function follow(file, extra, ids) {
  const results = new Map();
  for (let i = 0; i < ids.length; i += BATCH) {
    const z = ids.slice(i, i + BATCH).flatMap((id) => ['-z', `follow,tcp,raw,${id}`]);
    const out = tshark(['-r', file, ...extra, '-q', ...z]);
    for (const block of out.split(/^=+$/m)) {
      const m = /^Filter: tcp\.stream eq (\d+)$/m.exec(block);
      if (!m) continue;
      const nodes = [/^Node 0: (.*)$/m.exec(block)?.[1] ?? '', /^Node 1: (.*)$/m.exec(block)?.[1] ?? ''];
      const parts = [[], []];
      const gapMarkers = [];
      for (const line of block.split('\n')) {
        if (!/^\t?[0-9a-f]+$/.test(line)) continue;
        const node = line.startsWith('\t') ? 1 : 0;
        const bytes = Buffer.from(line.trim(), 'hex');
        // tshark writes a text record where a gap was acknowledged: an annotation, not stream data
        const gap = GAP_MARKER.exec(bytes.toString('latin1'));
        if (gap) { gapMarkers.push({ node, bytes: Number(gap[1]) }); continue; }
        parts[node].push(bytes);
      }
      const dir = (k) => {
        const all = Buffer.concat(parts[k]);
        return { endpoint: nodes[k], bytes: all.length, sha256: createHash('sha256').update(all).digest('hex') };
      };
      results.set(Number(m[1]), { nodes: [dir(0), dir(1)], ...(gapMarkers.length ? { tsharkGapMarkers: gapMarkers } : {}) });
    }
  }
  return results;
}

const captures = {};
for (const [rel, info] of Object.entries(shared.captures)) {
  if (!info.tcpStreams) continue;
  const file = join(pcaps, rel);
  const extra = info.tsharkExtraOptions ? info.tsharkExtraOptions.split(' ') : [];
  const streams = streamsOf(file, extra).filter((s) => s.payload > 0);
  if (streams.length === 0) continue;
  const followed = follow(file, extra, streams.map((s) => s.stream));
  captures[rel] = streams.map(({ payload: _payload, ...s }) => ({ ...s, ...followed.get(s.stream) }));
  process.stderr.write(`${rel}: ${streams.length} streams\n`);
}

// an exception's tsharkWith records what tshark gives with extra options (e.g. a dissector that
// splits a connection disabled): refresh those values with this tshark
const exceptions = previous.exceptions ?? {};
for (const [rel, streams] of Object.entries(exceptions)) {
  const info = shared.captures[rel];
  const extra = info?.tsharkExtraOptions ? info.tsharkExtraOptions.split(' ') : [];
  for (const exception of Object.values(streams)) {
    const w = exception.tsharkWith;
    if (!w) continue;
    const got = follow(join(pcaps, rel), [...extra, ...w.options], [w.stream]).get(w.stream);
    w.nodes = got ? got.nodes.map(({ bytes, sha256 }) => ({ bytes, sha256 })) : [];
  }
}

const result = {
  about: 'tshark -q -z follow,tcp,raw,N for every TCP stream with payload: per node (0 = the side that sent the stream\'s first frame as tshark\'s follow saw it) '
    + 'the bytes and SHA-256 of its records concatenated in output order; tshark\'s "[N bytes missing in capture file]" records are left out and listed in tsharkGapMarkers. '
    + 'firstTime/src/sport/dst/dport: the stream\'s first frame (innermost IP/TCP headers). exceptions: streams where flowsh differs on purpose, with flowsh\'s values and why. Exceptions may carry checked claims: tsharkStopsAtGap {node, streamOffset} (tshark\'s bytes are flowsh\'s bytes before that gap, the other node equals tshark), tsharkWith {options, stream, nodes} (tshark with those extra options gives flowsh\'s bytes; refreshed by the generator).',
  generatedBy: 'test/expectations/make-follow-expectations.sh',
  tsharkVersion: execFileSync('tshark', ['--version']).toString().split('\n')[0],
  exceptions,
  captures,
};
writeFileSync(outJson, formatExpectations(result));

/** one stream (or exception) per line, so the file stays small and diffs stay readable */
export function formatExpectations(r) {
  const block = (obj, line) => Object.entries(obj).map(([k, v]) => `  ${JSON.stringify(k)}: ${line(v)}`).join(',\n');
  const list = (items) => `[\n${items.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`;
  const map = (m) => `{\n${Object.entries(m).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n  }`;
  const head = Object.entries(r).filter(([k]) => k !== 'exceptions' && k !== 'captures').map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${head.join(',\n')},\n "exceptions": {\n${block(r.exceptions, map)}\n },\n "captures": {\n${block(r.captures, list)}\n }\n}\n`;
}
