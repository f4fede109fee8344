// explain packet N: what the detail pane says about known packets of the samples, and that no byte reaches the terminal raw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { loadCapture } from '../store/load.ts';
import { Session } from '../cli/session.ts';
import { parseStatement } from '../query/index.ts';
import { packetDetail, type DetailField } from './packetDetail.ts';
import { packetDetailText } from './text.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const sample = (name: string): string => join(ROOT, 'samples', name);

function find(fields: readonly DetailField[], name: string): DetailField | undefined {
  for (const f of fields) {
    if (f.name === name) return f;
    const inner = find(f.children ?? [], name);
    if (inner) return inner;
  }
  return undefined;
}

async function session(file: string): Promise<{ run(s: string): Promise<{ rc: string; out: string; err: string }>; close(): void }> {
  let out = '', err = '';
  const s = new Session({ out: (t) => { out += t; }, err: (t) => { err += t; } }, { format: 'table', color: false, width: 100, timing: false });
  assert.ok(await s.load(file, { summary: false }));
  return {
    async run(text: string) { out = ''; err = ''; const rc = await s.runStatement(text); return { rc, out, err }; },
    close: () => s.close(),
  };
}

test('explain packet N parses as its own statement', () => {
  assert.deepEqual((({ kind, number }) => ({ kind, number }))(parseStatement('explain packet 8') as { kind: string; number: number }), { kind: 'explainPacket', number: 8 });
  assert.equal(parseStatement('EXPLAIN Packet 4').kind, 'explainPacket');
  // a column named like the word keeps the column form: $packet, or with an operator
  assert.equal(parseStatement('explain $packet 4').kind, 'explain');
  assert.throws(() => parseStatement('explain packet 0'), /explain packet needs a packet number \(pktNo\), a whole number from 1/);
  assert.throws(() => parseStatement('explain packet'), /explain packet needs a packet number/);
  assert.throws(() => parseStatement('explain packet 1.5'), /whole number/);
});

test('the FTP greeting packet: layers, relative numbers, the reply code and what the analyzers recorded', async () => {
  const c = await loadCapture(sample('ftp-passive-dns.pcap'));
  try {
    const d = packetDetail(c, 8);
    assert.deepEqual(d.layers.map((l) => l.title.split(',')[0]), ['Ethernet II', 'Internet Protocol version 4', 'Transmission Control Protocol', 'Payload']);
    const tcp = d.layers[2]!.fields;
    assert.equal(find(tcp, 'Sequence number')!.value, '2522983677 (relative 1)');
    assert.match(find(tcp, 'Sequence number')!.meaning!, /bytes 1 to 20 of 192\.0\.2\.180's stream/);
    assert.match(find(tcp, 'Window')!.meaning!, /502 × 128 .* = 64256/);
    assert.equal(find(tcp, 'Flags')!.value, '0x018 (PSH, ACK)');
    assert.equal(find(tcp, 'Checksum')!.meaning, 'correct');
    assert.match(find(d.layers[1]!.fields, 'Time to live')!.meaning!, /started at 64 .* crossed 1 router/);
    const reply = find(d.layers[3]!.fields, 'FTP reply')!;
    assert.equal(reply.value, '220 (vsFTPd 3.0.5)\\r\\n');
    assert.match(reply.meaning!, /^220: service ready/);
    assert.deepEqual(find(d.analysis, 'tcpFlags')!.children!.map((f) => f.name), ['PSH', 'ACK']);
    assert.ok(find(d.analysis, 'FTP_INIT') && !find(d.analysis, 'FTP_LOGIN_OK'), 'the control flow\'s ftpStat bits so far are listed');
    // the SYN: the ISN, no valid ACK, its options
    const syn = packetDetail(c, 5).layers[2]!.fields;
    assert.match(find(syn, 'Sequence number')!.meaning!, /initial sequence number/);
    assert.equal(find(syn, 'Acknowledgment number')!.meaning, 'not valid: the ACK flag is not set');
    assert.equal(find(syn, 'Option mss')!.value, '1460');
    assert.equal(find(syn, 'Option wscale')!.value, 'shift 7');
    // ARP request and its padding-free frame
    const arp = packetDetail(c, 1);
    assert.equal(find(arp.layers[1]!.fields, 'In words')!.value, 'who has 192.0.2.1? tell 192.0.2.10 (at 02:00:00:00:0a:10)');
    // a received ARP reply is padded to 60 bytes
    assert.equal(packetDetail(c, 2).layers.at(-1)!.title, 'Ethernet padding');
  } finally {
    c.close();
  }
});

test('explain packet in the session: the text, and an error naming the range for a packet that does not exist', async () => {
  const s = await session(sample('ftp-active.pcap'));
  try {
    const ok = await s.run('explain packet 6');
    assert.equal(ok.rc, 'ok');
    assert.match(ok.out, /^Packet 6 of .*ftp-active\.pcap: 86 bytes captured of 86 on the wire/);
    assert.match(ok.out, /\n {2}FTP reply {16}220 \(vsFTPd 3\.0\.5\)\\r\\n/);
    assert.ok(ok.out.split('\n').every((l) => l.length <= 100), 'fits the width');
    const bad = await s.run('explain packet 66');
    assert.equal(bad.rc, 'error');
    assert.match(bad.err, /there is no packet 66 \(pktNo runs from 1 to 65\)/);
  } finally {
    s.close();
  }
});

test('no packet byte reaches the terminal raw: every packet of the samples prints without control characters', async () => {
  for (const name of ['ftp-passive-dns.pcap', 'ftp-ipv6-epsv-eprt.pcap', 'ftp-vlan.pcap', 'two-interfaces.pcapng', 'recorded/recorded-sll2-eprt-nanosec.pcap']) {
    const c = await loadCapture(sample(name));
    try {
      for (let n = 1; n <= c.packets.rowCount; n++) {
        const text = packetDetailText(packetDetail(c, n), 120);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, `${name} packet ${n}`);
      }
    } finally {
      c.close();
    }
  }
});

test('Tab after explain offers flow and packet besides the columns', async () => {
  const { complete } = await import('../shell/completion.ts');
  const { schemaCatalog } = await import('../cli/schemaCatalog.ts');
  const texts = (line: string): string[] => complete(line, line.length, { catalog: schemaCatalog(), cwd: '/' }).items.map((i) => i.text);
  assert.deepEqual(texts('explain pa'), ['packet']);
  assert.ok(texts('explain flo').includes('flow') && texts('explain flo').includes('flowStat'));
});
