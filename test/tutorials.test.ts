// The tutorials in samples/tutorials: every step runs without error, every fact the commentary
// states (its #? checks) holds where it stands, and `flowsh -f` runs each start to finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session } from '../src/cli/session.ts';
import { parseStatement } from '../src/query/index.ts';
import { checkFailure, listTutorials, parseTutorial, tutorialPath, TutorialFormatError } from '../src/teach/tutorial.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'samples/tutorials');

/** a folder to run in, with samples/ reachable as from the project folder (carve writes here) */
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-tutorial-'));
  symlinkSync(join(ROOT, 'samples'), join(dir, 'samples'));
  return dir;
}

test('the tutorials are there, each with a title, commentary on every step and checks', () => {
  const tutorials = listTutorials(DIR);
  assert.deepEqual(tutorials.map((t) => t.name), ['tranalyzer-ftp']);
  for (const t of tutorials) {
    assert.ok(t.title.length > 10, t.name);
    assert.ok(t.intro.length > 0, `${t.name} has an introduction`);
    assert.match(t.steps[0]!.statement, /^load /, `${t.name} loads its capture first`);
    for (const s of t.steps) assert.ok(s.commentary.length > 0, `${t.name} line ${s.line}: commentary before '${s.statement}'`);
    assert.ok(t.steps.reduce((n, s) => n + s.checks.length, 0) >= 10, `${t.name} checks what it says`);
  }
});

test('every step of every tutorial runs without error and every check holds where it stands', async () => {
  const cwd = process.cwd();
  const dir = workDir();
  try {
    // carve writes into the working directory
    process.chdir(dir);
    for (const t of listTutorials(DIR)) {
      const errors: string[] = [];
      const session = new Session({ out: () => {}, err: (e) => { errors.push(e); } }, { format: 'tsv', color: false, width: 120, timing: false });
      for (const step of t.steps) {
        const statement = parseStatement(step.statement);
        const ok = statement.kind === 'load'
          ? await session.load(tutorialPath(DIR, statement.path), { summary: false })
          : (await session.runStatement(step.statement)) === 'ok';
        assert.ok(ok, `${t.name} line ${step.line}: '${step.statement}' failed: ${errors.join('')}`);
        for (const check of step.checks) {
          const failure = checkFailure(check, session.capture!.catalog);
          assert.equal(failure, undefined, `${t.name}: ${failure}`);
        }
      }
      session.close();
    }
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flowsh -f runs the FTP tutorial start to finish and carves where it says', () => {
  const dir = workDir();
  try {
    // tsx by its full address: the working directory has no node_modules
    const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), '-f', join(DIR, 'tranalyzer-ftp.fsh')], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /carved 8 of 8 transfers into .*carved-recorded-session-multi/);
    const carved = readdirSync(join(dir, 'carved-recorded-session-multi')).sort();
    assert.ok(carved.includes('7-flowsh-64k.bin') && carved.includes('12-log.txt'), carved.join(', '));
    // the last step: flow 12's 8 packets as tcpdump prints them
    assert.equal(r.stdout.trimEnd().split('\n').filter((l) => / IP 192\.0\.2\.(10\.40014|21\.50017) > /.test(l)).length, 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a check that does not hold is reported with its line; the format is enforced', async () => {
  const text = '## Title here\n## intro\n\n## load it\nload samples/ftp-active.pcap\n#? flows where flowInd == 4\n#?0 flows where flowInd == 4\n#?3 nosuch\n## bye\n';
  const t = parseTutorial('x', 'x.fsh', text);
  assert.equal(t.title, 'Title here');
  assert.deepEqual(t.intro, ['intro']);
  assert.deepEqual(t.steps.map((s) => [s.statement, s.line, s.commentary]), [['load samples/ftp-active.pcap', 5, ['load it']]]);
  assert.deepEqual(t.closing, ['bye']);
  const session = new Session({ out: () => {}, err: () => {} }, { format: 'tsv', color: false, width: 120, timing: false });
  assert.ok(await session.load(tutorialPath(DIR, 'samples/ftp-active.pcap'), { summary: false }));
  const [some, none, bad] = t.steps[0]!.checks.map((c) => checkFailure(c, session.capture!.catalog));
  assert.equal(some, undefined);
  assert.equal(none, "line 7: 'flows where flowInd == 4' returned 2 rows, expected 0");
  assert.match(bad!, /^line 8: 'nosuch' failed/);
  session.close();
  assert.throws(() => parseTutorial('y', 'y.fsh', 'report\n'), TutorialFormatError);
  assert.throws(() => parseTutorial('y', 'y.fsh', '## T\n#? flows\nreport\n'), /a check needs a statement/);
  // two statements on one line are two steps
  assert.deepEqual(parseTutorial('z', 'z.fsh', '## T\n\n## both\nreport; flows limit 1\n').steps.map((s) => s.statement), ['report', 'flows limit 1']);
});
