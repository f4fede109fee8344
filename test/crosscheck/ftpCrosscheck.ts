/**
 * FTP cross-checks against other tools' outputs on public captures (../shared): Tranalyzer2's
 * ftp* columns and carved files (t2-outputs), Zeek's ftp.log and files.log, Suricata's fileinfo
 * expectations. Each check returns the disagreements as `capture: what (flowsh ... , tool ...)`
 * lines; the test compares them with the documented list in test/expectations/ftp-crosscheck.json,
 * where each has the reason read from the bytes (the wire wins).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadCapture, type LoadedCapture } from '../../src/store/load.ts';
import type { Table } from '../../src/store/table.ts';
import type { Value } from '../../src/store/value.ts';

export type Row = Record<string, Value>;

export function rows(t: Table | undefined): Row[] {
  if (!t) return [];
  return Array.from({ length: t.rowCount }, (_, r) => Object.fromEntries(t.columns.map((c) => [c.def.name, c.get(r)])));
}

export async function withCapture<T>(file: string, fn: (c: LoadedCapture) => T): Promise<T> {
  const capture = await loadCapture(file);
  try {
    return fn(capture);
  } finally {
    capture.close();
  }
}

function filesUnder(dir: string, name: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, name));
    else if (name.test(entry)) out.push(p);
  }
  return out.sort();
}

const list = (v: Value): string[] => (Array.isArray(v) ? v.map(String) : []);

// ---- Tranalyzer2 ----------------------------------------------------------------------------------

/** t2's flows file as rows keyed by column name (strings, quotes removed from repeated values). */
function t2Flows(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const names = header!.replace(/^%/, '').split('\t');
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [names[i]!, v])));
}

const t2List = (v: string | undefined): string[] => (v ? v.split(';').map((s) => s.replace(/^"|"$/g, '')).filter((s) => s !== '') : []);

/**
 * t2 vs flowsh, flow by flow, where t2 is right: every command and reply code it saw is in flowsh's
 * (flowsh parses the whole stream, so it may see more), its users/passwords are flowsh's cut to 10/15
 * characters, its data links are flowsh's, and its 0x01/0x02/0x08 bits are set in flowsh too; each
 * file of original_files.json is in flowsh's files table with its size and SHA-256.
 */
export async function compareT2(dir: string): Promise<string[]> {
  const out: string[] = [];
  const originals = JSON.parse(readFileSync(join(dir, 'original_files.json'), 'utf8')) as Record<string, Record<string, { len: number; sha256: string }>>;
  for (const name of readdirSync(dir).filter((n) => existsSync(join(dir, n, `${n}.pcap`))).sort()) {
    const t2 = t2Flows(join(dir, name, 'normal', `${name}_flows.txt`));
    await withCapture(join(dir, name, `${name}.pcap`), (capture) => {
      const flows = rows(capture.flows);
      const files = rows(capture.catalog.table('files'));
      for (const t of t2) {
        if (!('ftpStat' in t)) continue;
        // t2 prints a lone flow as A whichever side it is (its quirk 1): match it by flowInd alone
        const lone = t2.filter((o) => o.flowInd === t.flowInd).length === 1;
        const f = flows.find((r) => String(r.flowInd) === t.flowInd && (lone || r.dir === t.dir));
        const where = `${name}: flow ${t.flowInd}${t.dir}`;
        if (!f) { out.push(`${where}: missing in flowsh`); continue; }
        const stat = Number(f.ftpStat), t2Stat = parseInt(t.ftpStat!, 16);
        for (const bit of [0x01, 0x02, 0x08]) if (t2Stat & bit && !(stat & bit)) out.push(`${where}: ftpStat bit 0x0${bit.toString(16)} (flowsh 0x${stat.toString(16)}, t2 ${t.ftpStat})`);
        const missing = (label: string, theirs: string[], ours: string[]): void => {
          const absent = theirs.filter((v) => !ours.includes(v));
          if (absent.length > 0) out.push(`${where}: ${label} ${absent.join(';')} (flowsh ${ours.join(';')}, t2 ${theirs.join(';')})`);
        };
        missing('ftpCC', t2List(t.ftpCC), list(f.ftpCC));
        missing('ftpRC', t2List(t.ftpRC), list(f.ftpRC).concat('0'));
        missing('ftpUser', t2List(t.ftpUser), list(f.ftpUser).map((u) => u.slice(0, 10)));
        missing('ftpPass', t2List(t.ftpPass), list(f.ftpPass).map((p) => p.slice(0, 15)));
        missing('ftpCDFindex', t2List(t.ftpCDFindex), list(f.ftpCDFindex));
      }
      for (const [path, file] of Object.entries(originals[name] ?? {})) {
        if (path.includes('[:')) continue; // what t2 carved of it (its last 2-byte segment dropped), not the file
        if (!files.some((r) => r.sha256 === file.sha256 && r.bytes === file.len && r.complete === true)) {
          out.push(`${name}: ${path} (${file.len} bytes, ${file.sha256.slice(0, 12)}) not a complete files row (flowsh ${files.map((r) => `${r.path}:${r.bytes}:${r.verdict}`).join(' ')})`);
        }
      }
    });
  }
  return out;
}

// ---- Zeek -----------------------------------------------------------------------------------------

interface ZeekLog { fields: string[]; rows: Record<string, string>[] }

export function zeekLog(file: string): ZeekLog {
  let fields: string[] = [];
  const out: Record<string, string>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#fields\t')) fields = line.split('\t').slice(1);
    else if (line !== '' && !line.startsWith('#')) out.push(Object.fromEntries(line.split('\t').map((v, i) => [fields[i]!, v])));
  }
  return { fields, rows: out };
}

/** The control flow of a Zeek uid's 4-tuple: client port and server port. */
function controlOf(flows: Row[], origPort: string, respPort: string): number | undefined {
  const r = flows.find((f) => String(f.srcPort) === origPort && String(f.dstPort) === respPort && Number(f.ftpStat) & 0x01);
  return r === undefined ? undefined : Number(r.flowInd);
}

const decodeZeek = (s: string): string => s.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/**
 * Zeek's ftp.log rows (the commands Zeek logs) against flowsh's ftp table, in order per control
 * connection: user, password in force, command, argument (file name of Zeek's URL), reply code,
 * file size (flowsh's files.bytes); and each data channel Zeek announces is the endpoint of a
 * flowsh data flow when the capture holds one. files.log: seen bytes and missing bytes.
 */
export async function compareZeek(pcaps: string, expected: string): Promise<string[]> {
  const out: string[] = [];
  for (const log of filesUnder(join(expected, 'zeek'), /^(ftp|files)\.log$/)) {
    const test = relative(join(expected, 'zeek'), log);
    // options that cut or hide values on purpose: not what the wire says
    if (/max-(user|arg|command)-length|password-hidden|extract\.limit/.test(test)) continue;
    const pcap = join(pcaps, 'zeek', test.slice(0, test.indexOf('.pcap') + 5));
    if (!existsSync(pcap)) continue;
    const z = zeekLog(log);
    await withCapture(pcap, (capture) => {
      const flows = rows(capture.flows), ftp = rows(capture.catalog.table('ftp')), files = rows(capture.catalog.table('files'));
      const where = (i: number, what: string, ours: unknown, theirs: unknown): void => { out.push(`${test} row ${i + 1}: ${what} (flowsh ${String(ours)}, zeek ${String(theirs)})`); };
      if (log.endsWith('files.log')) {
        z.rows.forEach((zr, i) => {
          if (zr.source !== 'FTP_DATA') return;
          const f = files.find((r) => flows.some((fl) => fl.flowInd === r.dataFlow && String(fl.srcPort) === zr['id.orig_p'] && String(fl.dstPort) === zr['id.resp_p']));
          if (!f) { where(i, 'no files row for the data connection', '-', `${zr['id.orig_p']}>${zr['id.resp_p']}`); return; }
          if (String(f.bytes) !== zr.seen_bytes) where(i, 'bytes', f.bytes, zr.seen_bytes);
          if (String(f.missingBytes) !== zr.missing_bytes) where(i, 'missing bytes', f.missingBytes, zr.missing_bytes);
          if (zr.sha256 && zr.sha256 !== '-' && zr.sha256 !== f.sha256) where(i, 'sha256', f.sha256, zr.sha256);
        });
        return;
      }
      const used = new Set<Row>();
      z.rows.forEach((zr, i) => {
        if (zr.command === '<init>') return; // Zeek's pseudo-command for a session seen without its login
        const control = controlOf(flows, zr['id.orig_p']!, zr['id.resp_p']!);
        if (control === undefined) { where(i, 'no control connection', '-', `${zr['id.orig_p']}>${zr['id.resp_p']}`); return; }
        const mine = ftp.filter((r) => r.controlFlow === control);
        const base = (s: string): string => s.split('/').filter((p) => p !== '' && p !== '.').at(-1) ?? '';
        const arg = decodeZeek(zr.arg!);
        const isUrl = arg.startsWith('ftp://');
        // the same file when Zeek names one (a command Zeek or flowsh did not pair keeps the rest aligned), else the next of the command
        const r = (isUrl ? mine.find((m) => !used.has(m) && m.command === zr.command && base(String(m.arg)) === base(arg)) : undefined) ??
          mine.find((m) => !used.has(m) && m.command === zr.command);
        if (!r) { where(i, `no ${zr.command} command`, mine.map((m) => m.command).join(','), zr.command); return; }
        used.add(r);
        const at = mine.indexOf(r);
        // flowsh's user is the one in force before the command; Zeek's USER row already names its argument
        const user = zr.command === 'USER' ? r.arg : r.user;
        if (zr.user !== '-' && zr.user !== '<unknown>' && decodeZeek(zr.user!) !== user) where(i, `${zr.command} user`, user, zr.user);
        const pass = mine.slice(0, at).filter((m) => m.command === 'PASS').at(-1)?.arg;
        if (zr.password !== '-' && zr.password !== '<hidden>' && pass !== undefined && decodeZeek(zr.password!) !== pass) where(i, `${zr.command} password`, pass, zr.password);
        if (zr.reply_code !== '-' && String(r.replyCode ?? '-') !== zr.reply_code) where(i, `${zr.command} reply code`, r.replyCode, zr.reply_code);
        if (zr.arg !== '-' && zr.arg !== '<hidden>' && (isUrl ? base(arg) !== base(String(r.arg)) : arg !== r.arg)) where(i, `${zr.command} arg`, r.arg, zr.arg);
        if (zr.file_size !== '-' && zr.file_size !== undefined) {
          // the bytes of the data connection, or (none in the capture) the size the server announced, as Zeek takes it
          const file = r.dataFlow !== 0 ? files.find((fr) => fr.dataFlow === r.dataFlow && fr.controlFlow === control) : undefined;
          const announced = files.filter((fr) => fr.controlFlow === control && fr.command === r.command && fr.path === r.arg && fr.dataFlow === 0)[0]?.announcedSize;
          const size = file ? file.bytes : announced;
          if (String(size ?? '-') !== zr.file_size) where(i, `${zr.command} file size`, size ?? '-', zr.file_size);
        }
        const port = zr['data_channel.resp_p'];
        if (port && port !== '-') {
          // a connection to that endpoint in the capture must be linked to this control connection
          const conn = flows.find((fl) => String(fl.dstPort) === port && String(fl.dstIP) === zr['data_channel.resp_h'] && !(Number(fl.ftpStat) & 0x01));
          if (conn && !list(conn.ftpCDFindex).includes(String(control))) where(i, `${zr.command} data channel ${zr['data_channel.resp_h']}:${port} not linked`, conn.flowInd, control);
        }
      });
    });
  }
  return out;
}

// ---- Suricata -------------------------------------------------------------------------------------

/** fileinfo expectations of a suricata-verify test.yaml: size and sha256 (when given) of each file. */
export function suricataFiles(yaml: string): { size?: number; sha256?: string; filename?: string }[] {
  const out: { size?: number; sha256?: string; filename?: string }[] = [];
  let current: { size?: number; sha256?: string; filename?: string } | undefined;
  for (const line of yaml.split('\n')) {
    if (/event_type:\s*fileinfo/.test(line)) { current = {}; out.push(current); continue; }
    if (/^\s*-\s*filter:/.test(line)) current = undefined;
    if (!current) continue;
    const m = /fileinfo\.(size|sha256|filename):\s*"?([^"\s]+)"?/.exec(line);
    if (m) {
      if (m[1] === 'size') current.size = Number(m[2]);
      else if (m[1] === 'sha256') current.sha256 = m[2]!.toLowerCase();
      else current.filename = m[2];
    }
  }
  return out.filter((f) => f.size !== undefined || f.sha256 !== undefined);
}

/** Every Suricata fileinfo size/sha256 is a flowsh files row's bytes/sha256. */
export async function compareSuricata(pcaps: string, expected: string): Promise<string[]> {
  const out: string[] = [];
  for (const yamlFile of filesUnder(join(expected, 'suricata-verify'), /^test\.yaml$/)) {
    const test = relative(join(expected, 'suricata-verify'), yamlFile);
    const pcap = join(pcaps, 'suricata-verify', test.slice(0, test.indexOf('.pcap') + 5));
    const wanted = suricataFiles(readFileSync(yamlFile, 'utf8'));
    if (wanted.length === 0 || !existsSync(pcap)) continue;
    await withCapture(pcap, (capture) => {
      const files = rows(capture.catalog.table('files'));
      wanted.forEach((w, i) => {
        const ok = files.some((f) => (w.size === undefined || f.bytes === w.size) && (w.sha256 === undefined || f.sha256 === w.sha256));
        if (!ok) out.push(`${test} fileinfo ${i + 1} ${w.filename ?? ''}: size ${w.size ?? '-'} sha256 ${w.sha256?.slice(0, 12) ?? '-'} (flowsh ${files.map((f) => `${f.path}:${f.bytes}:${String(f.sha256).slice(0, 12)}`).join(' ')})`);
      });
    });
  }
  return out;
}
