import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadCapture, type LoadedCapture } from '../../store/load.ts';
import type { Table } from '../../store/table.ts';
import type { Value } from '../../store/value.ts';
import { resolveFtpPath } from './analyzer.ts';
import { ftpStatBit } from './schema.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const samples = path.join(repoRoot, 'samples');

type Row = Record<string, Value>;

function rows(table: Table | undefined): Row[] {
  assert.ok(table, 'table exists');
  const out: Row[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    const row: Row = {};
    for (const c of table.columns) row[c.def.name] = c.get(r);
    out.push(row);
  }
  return out;
}

async function withCapture<T>(file: string, fn: (capture: LoadedCapture) => T): Promise<T> {
  const capture = await loadCapture(file);
  try {
    return fn(capture);
  } finally {
    capture.close();
  }
}

/** flows-table rows of a flowInd */
function flowRows(capture: LoadedCapture, flowInd: number): Row[] {
  return rows(capture.flows).filter((r) => r.flowInd === flowInd);
}

function hasBit(value: Value, name: string): boolean {
  return (Number(value) & ftpStatBit(name)) !== 0;
}

interface ManifestTransfer {
  command: string; path: string; mode: string; direction: string; listing?: boolean; expect: string; size?: number; sha256?: string; restOffset?: number;
}
interface ManifestCapture { file: string; serverPort: number; transfers: ManifestTransfer[] }

const manifest = JSON.parse(readFileSync(path.join(samples, 'recorded', 'manifest.json'), 'utf8')) as { captures: ManifestCapture[] };

for (const entry of manifest.captures) {
  test(`recorded ${entry.file}: every transfer of the manifest has its files row (verdict, size, SHA-256, mode, data flow)`, async () => {
    await withCapture(path.join(samples, 'recorded', entry.file), (capture) => {
      const files = rows(capture.catalog.table('files'));
      const used = new Set<Row>();
      for (const t of entry.transfers) {
        if (t.expect === 'encrypted') {
          // after AUTH TLS the commands are unreadable: the data connections are found, but not what they carried
          const row = files.find((f) => !used.has(f) && f.verdict === 'encrypted');
          assert.ok(row, `an encrypted transfer row for ${t.command} ${t.path}`);
          used.add(row);
          assert.equal(row.complete, false);
          assert.ok(Number(row.dataFlow) > 0);
          continue;
        }
        const row = files.find((f) => !used.has(f) && f.command === t.command && f.path === t.path);
        assert.ok(row, `files row for ${t.command} ${t.path}`);
        used.add(row);
        const label = `${entry.file} ${t.command} ${t.path}`;
        assert.equal(row.verdict, t.expect, label);
        assert.equal(row.complete, t.expect === 'complete', label);
        assert.equal(row.mode, t.mode, label);
        assert.equal(row.direction, t.listing ? 'listing' : t.direction, label);
        assert.equal(row.restOffset, t.restOffset ?? 0, label);
        const dataFlow = Number(row.dataFlow);
        assert.ok(dataFlow > 0, `${label}: linked to a data flow`);
        // the data flow points back at its control flow, and the control flow lists it
        for (const r of flowRows(capture, dataFlow)) {
          assert.deepEqual(r.ftpCDFindex, [row.controlFlow], label);
          assert.ok(hasBit(r.ftpStat, 'FTP_PPRNT'), label);
          assert.ok(hasBit(r.ftpStat, t.mode.endsWith('SV') ? 'FTP_PASSIVE' : 'FTP_ACTIVE'), label);
        }
        for (const r of flowRows(capture, Number(row.controlFlow))) {
          assert.ok((r.ftpCDFindex as Value[]).includes(dataFlow), label);
          assert.ok(hasBit(r.ftpStat, 'FTP_INIT'), label);
        }
        if (t.expect === 'complete' && t.sha256 !== undefined) {
          assert.equal(row.sha256, t.sha256, label);
          assert.equal(row.bytes, t.size, label);
          assert.equal(row.missingBytes, 0, label);
        }
        if (t.expect === 'gaps' || t.expect === 'truncated-capture') assert.ok(Number(row.missingBytes) > 0, label);
        if (t.expect === 'aborted') assert.ok(Number(row.bytes) < (t.size ?? Infinity), label);
      }
      assert.equal(files.length, entry.transfers.length, `${entry.file}: no extra transfers`);
    });
  });
}

test('port 2121: the control connection is found by its content (220 greeting, known commands)', async () => {
  await withCapture(path.join(samples, 'recorded', 'recorded-port-2121.pcap'), (capture) => {
    const ftp = rows(capture.catalog.table('ftp'));
    assert.ok(ftp.length > 0);
    const control = flowRows(capture, Number(ftp[0]!.controlFlow));
    assert.ok(control.some((r) => r.dstPort === 2121 || r.srcPort === 2121));
    assert.ok(control.every((r) => hasBit(r.ftpStat, 'FTP_INIT')));
  });
});

interface GeneratedExpectation { file: string; transfers: { command: string; path: string; bytes: number; mode: string; direction: string; serverPort?: number; v6?: boolean }[] }

const GENERATED: GeneratedExpectation[] = [
  { file: 'ftp-passive-dns.pcap', transfers: [{ command: 'RETR', path: 'report-2024-03.csv', bytes: 4254, mode: 'PASV', direction: 'download' }, { command: 'LIST', path: '', bytes: -1, mode: 'PASV', direction: 'listing' }] },
  { file: 'ftp-active.pcap', transfers: [{ command: 'RETR', path: 'firmware-2.4.1.bin', bytes: 9000, mode: 'PORT', direction: 'download', serverPort: 20 }, { command: 'LIST', path: '', bytes: -1, mode: 'PORT', direction: 'listing', serverPort: 20 }] },
  { file: 'ftp-ipv6-epsv-eprt.pcap', transfers: [{ command: 'RETR', path: 'dataset.csv', bytes: 3204, mode: 'EPSV', direction: 'download', v6: true }, { command: 'RETR', path: 'diagram.png', bytes: 5200, mode: 'EPRT', direction: 'download', serverPort: 20, v6: true }] },
  { file: 'ftp-upload.pcap', transfers: [{ command: 'STOR', path: 'measurements.csv', bytes: 5308, mode: 'PASV', direction: 'upload' }, { command: 'APPE', path: 'measurements.csv', bytes: 1402, mode: 'PASV', direction: 'upload' }] },
  { file: 'ftp-fin-out-of-order.pcap', transfers: [{ command: 'RETR', path: 'logs-2024-03-13.tar.gz', bytes: 11000, mode: 'PASV', direction: 'download' }] },
];

for (const g of GENERATED) {
  test(`generated ${g.file}: transfers linked to the right data connection, complete`, async () => {
    await withCapture(path.join(samples, g.file), (capture) => {
      const files = rows(capture.catalog.table('files'));
      const ftp = rows(capture.catalog.table('ftp'));
      assert.equal(files.length, g.transfers.length);
      g.transfers.forEach((t, i) => {
        const row = files[i]!;
        const label = `${g.file} ${t.command} ${t.path}`;
        assert.equal(row.command, t.command, label);
        assert.equal(row.path, t.path, label);
        assert.equal(row.mode, t.mode, label);
        assert.equal(row.direction, t.direction, label);
        assert.equal(row.verdict, 'complete', label);
        assert.equal(row.complete, true, label);
        if (t.bytes >= 0) assert.equal(row.bytes, t.bytes, label);
        const data = flowRows(capture, Number(row.dataFlow));
        assert.equal(data.length, 2, `${label}: data flow ${String(row.dataFlow)} has both directions`);
        if (t.serverPort !== undefined) assert.ok(data.some((r) => r.srcPort === t.serverPort), `${label}: server connects from port ${t.serverPort}`);
        if (t.v6) assert.ok(String(data[0]!.srcIP).includes(':'), label);
        // the ftp table's row of the command names the same data flow
        const command = ftp.find((f) => f.command === t.command && f.arg === t.path && f.dataFlow === row.dataFlow);
        assert.ok(command, `${label}: ftp row links the data flow`);
        // passive: the data flow's server port is the one the 227/229 announced
        if (t.mode === 'PASV' || t.mode === 'EPSV') {
          const announce = ftp.filter((f) => (f.command === 'PASV' || f.command === 'EPSV') && Number(f.time) < Number(command.time)).pop()!;
          const text = String(announce.replyText);
          const port = t.mode === 'PASV'
            ? (([p1, p2]) => Number(p1) * 256 + Number(p2))(/(\d+),(\d+)\)/.exec(text)!.slice(1))
            : Number(/\|\|\|(\d+)\|/.exec(text)![1]);
          assert.ok(data.some((r) => r.srcPort === port), `${label}: data flow uses announced port ${port}`);
        }
      });
    });
  });
}

test('ftp table and flow columns of ftp-passive-dns: commands with replies, user, login, Tranalyzer columns', async () => {
  await withCapture(path.join(samples, 'ftp-passive-dns.pcap'), (capture) => {
    const ftp = rows(capture.catalog.table('ftp'));
    assert.deepEqual(ftp.map((r) => r.command), ['USER', 'PASS', 'SYST', 'TYPE', 'PWD', 'CWD', 'SIZE', 'PASV', 'RETR', 'PASV', 'LIST', 'QUIT']);
    assert.deepEqual(ftp.map((r) => r.replyCode), [331, 230, 215, 200, 257, 250, 213, 227, 226, 227, 226, 221]);
    assert.equal(ftp[0]!.user, '');
    assert.equal(ftp[2]!.user, 'alice');
    assert.equal(ftp[1]!.arg, 'wonderland');
    const files = rows(capture.catalog.table('files'));
    assert.equal(files[0]!.resolvedPath, '/home/alice/pub/report-2024-03.csv');
    assert.equal(files[0]!.announcedSize, 4254);
    assert.equal(files[0]!.type, 'I');
    assert.match(String(files[0]!.sha256), /^[0-9a-f]{64}$/);
    const control = flowRows(capture, Number(ftp[0]!.controlFlow));
    const client = control.find((r) => r.dstPort === 21)!, server = control.find((r) => r.srcPort === 21)!;
    assert.deepEqual(client.ftpUser, ['alice']);
    assert.deepEqual(client.ftpPass, ['wonderland']);
    assert.equal(client.ftpNumUser, 1);
    assert.equal(client.ftpNumPass, 1);
    assert.ok((client.ftpCC as Value[]).includes('PWD'));
    assert.ok((server.ftpRC as Value[]).includes(220));
    assert.ok((server.ftpRC as Value[]).includes(226));
    for (const name of ['FTP_INIT', 'FTP_LOGIN_OK', 'FTP_APRNT', 'FTP_PASSIVE']) assert.ok(hasBit(client.ftpStat, name), name);
    assert.ok(!hasBit(client.ftpStat, 'FTP_ACTIVE'));
    // ftpCBF has the RETR bit (38) and the USER bit (51)
    assert.equal((BigInt(client.ftpCBF as bigint) >> 38n) & 1n, 1n);
    assert.equal((BigInt(client.ftpCBF as bigint) >> 51n) & 1n, 1n);
    // packets carry their flow's ftpStat; the report counts them
    const packets = rows(capture.packets);
    assert.ok(packets.filter((p) => p.flowInd === ftp[0]!.controlFlow).every((p) => hasBit(p.ftpStat, 'FTP_INIT')));
    const lines = capture.report.analyzerLines;
    assert.equal(lines.find((l) => l.label === 'FTP transfers')?.value, 2);
    assert.equal(lines.find((l) => l.label === 'FTP control packets')?.value, packets.filter((p) => p.flowInd === ftp[0]!.controlFlow).length);
  });
});

test('recorded-login-fail: failed login sets FTP_LOGIN_FAIL', async () => {
  await withCapture(path.join(samples, 'recorded', 'recorded-login-fail.pcap'), (capture) => {
    const ftp = rows(capture.catalog.table('ftp'));
    assert.ok(ftp.some((r) => r.command === 'PASS' && r.replyCode === 530));
    const control = flowRows(capture, Number(ftp[0]!.controlFlow));
    assert.ok(control.every((r) => hasBit(r.ftpStat, 'FTP_LOGIN_FAIL')));
  });
});

test('resolveFtpPath folds . and .. and keeps relative paths without a known directory', () => {
  assert.equal(resolveFtpPath('/home/alice', 'pub/a.txt'), '/home/alice/pub/a.txt');
  assert.equal(resolveFtpPath('/home/alice/', '../bob/./x'), '/home/bob/x');
  assert.equal(resolveFtpPath('/home/alice', '/etc/passwd'), '/etc/passwd');
  assert.equal(resolveFtpPath(undefined, 'x.txt'), 'x.txt');
  assert.equal(resolveFtpPath('/', '..'), '/');
});

test('CLI: a query on the files table', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), path.join(samples, 'ftp-passive-dns.pcap'), '-e', 'files select dataFlow, command, path, bytes, verdict'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /dataFlow\s+command\s+path\s+bytes\s+verdict/);
  assert.ok(lines.some((l) => /\bRETR\s+report-2024-03\.csv\s+4254\s+complete\b/.test(l)), r.stdout);
});
