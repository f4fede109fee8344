/**
 * A carved file that cannot be written (disk full) does not stop the carve: the other files are
 * written, the manifest notes why, and the flow gets ftpStat FTP_PPWFERR (0x20) on both directions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CraftedCapture, bytesOf, flowWith, rows } from '../analyzers/ftp/craftedCapture.ts';
import { ftpStatBit } from '../analyzers/ftp/schema.ts';
import { writeNewFile } from './atomicWrite.ts';
import { carveFiles, withWriteFailures } from './carve.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';
const PPWFERR = ftpStatBit('FTP_PPWFERR');

test('carve: a file that cannot be written is noted, the rest written, its flow flagged FTP_PPWFERR', async () => {
  const cap = new CraftedCapture();
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  for (const [name, port] of [['a.bin', 10000], ['b.bin', 10001]] as const) {
    ctl.client('PASV\r\n').server(`227 Entering Passive Mode (192,0,2,21,${port >> 8},${port & 0xff}).\r\n`).client(`RETR ${name}\r\n`);
    cap.conn({ ip: CLIENT, port: port + 40000 }, { ip: SERVER, port }, port).open().server(bytesOf(200)).serverFin();
    ctl.server('150 go\r\n').server('226 done\r\n');
  }
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-carvefail-'));
  try {
    await cap.with((capture) => {
      const full: typeof writeNewFile = (d, name, chunks) => {
        if (name.includes('a.bin')) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        return writeNewFile(d, name, chunks);
      };
      const result = carveFiles(capture, undefined, join(dir, 'out'), 'carve to out', { writeFile: full });
      const flows = rows(capture.flows);
      const aFlow = flowWith(flows, 10000), bFlow = flowWith(flows, 10001);
      assert.deepEqual(result.failedFlows, [aFlow]);
      const [a, b] = result.files;
      assert.equal(a!.carvedAs, '');
      assert.match(a!.note, /^could not write: ENOSPC no space left on device/);
      assert.notEqual(b!.carvedAs, '');
      assert.deepEqual(readFileSync(join(dir, 'out', b!.carvedAs)), Buffer.from(bytesOf(200)));
      assert.ok(!readdirSync(join(dir, 'out')).some((n) => n.includes('a.bin')), 'nothing half-written is left');
      const manifest = readFileSync(join(dir, 'out', result.manifest), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.match(String(manifest[0]!.note), /ENOSPC/);
      const patched = rows(withWriteFailures(capture.flows, result.failedFlows));
      for (const f of patched) {
        const before = Number(flows.find((o) => o.flowInd === f.flowInd && o.dir === f.dir)!.ftpStat);
        assert.equal(Number(f.ftpStat), f.flowInd === aFlow ? (before | PPWFERR) >>> 0 : before, `flow ${f.flowInd} ${f.dir}`);
      }
      assert.equal(Number(flows.find((f) => f.flowInd === bFlow)!.ftpStat) & PPWFERR, 0);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
