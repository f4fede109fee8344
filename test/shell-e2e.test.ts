// The interactive shell as a user meets it: the real program in a real pseudo-terminal (tmux),
// typing, Tab, Up, a paste, the pager, Ctrl-C on a slow statement and Ctrl-D, then a terminal left as it was found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSyntheticCapture } from '../bench/synth.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SAMPLE = join(ROOT, 'samples/ftp-passive-dns.pcap');
const BUNDLE = join(ROOT, 'dist/flowsh.mjs');
/** a slow shared machine starts tsx in many seconds; every wait polls up to this long */
const WAIT_MS = 90_000;

function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** the built bundle when it is newer than the sources, else the sources through tsx */
function flowshCommand(): string {
  const useBundle = existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newestMtime(join(ROOT, 'src'));
  return useBundle ? `node ${BUNDLE}` : `node --import tsx ${join(ROOT, 'src/cli/main.ts')}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** a tmux server of its own running sh in a window of 110x30, removed after the test */
function terminal(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-e2e-'));
  const socket = join(dir, 'tmux.sock');
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  t.after(() => {
    spawnSync('tmux', ['-S', socket, 'kill-server']);
    rmSync(dir, { recursive: true, force: true });
  });
  tmux('new-session', '-d', '-s', 'e2e', '-x', '110', '-y', '30', '-c', ROOT, 'env', 'PS1=$ ', 'TERM=screen', 'sh');
  const screen = (): string => tmux('capture-pane', '-p', '-t', 'e2e');
  const send = (...keys: string[]): void => { tmux('send-keys', '-t', 'e2e', ...keys); };
  const typeText = (text: string): void => { tmux('send-keys', '-t', 'e2e', '-l', text); };
  const waitFor = async (ok: (s: string) => boolean, what: string): Promise<string> => {
    const until = Date.now() + WAIT_MS;
    let s = '';
    while (Date.now() < until) {
      s = screen();
      if (ok(s)) return s;
      await sleep(100);
    }
    assert.fail(`waiting for ${what}; the screen:\n${s}`);
  };
  const promptLine = (s: string): string => s.split('\n').filter((l) => l.startsWith('flowsh> ')).at(-1) ?? '';
  return { dir, tmux, screen, send, typeText, waitFor, promptLine };
}

test('the Ink shell in a real terminal: query, Tab, Up, pager, Ctrl-D, terminal restored', { timeout: 8 * WAIT_MS }, async (t) => {
  if (!hasTmux()) { t.skip('tmux is not installed (.ci/run installs it)'); return; }
  const { dir, tmux, screen, send, typeText, waitFor, promptLine } = terminal(t);

  await waitFor((s) => /^\$/m.test(s), 'the shell prompt');
  typeText(`stty -a > ${join(dir, 'before')}; echo STTY-SAVED\n`);
  await waitFor((s) => /^STTY-SAVED/m.test(s), 'stty before');
  send('clear', 'Enter');
  await waitFor((s) => !s.includes('STTY-SAVED'), 'a clear screen');

  const state = join(dir, 'state');
  // CI=true as in CI runs: regression for Ink drawing only its last frame when it believes it runs under CI
  typeText(`env -u FLOWSH_PLAIN CI=true XDG_STATE_HOME=${state} NO_COLOR=1 ${flowshCommand()} ${SAMPLE}; echo FLOWSH-EXIT=$?\n`);
  await waitFor((s) => /Loaded .*66 packets/.test(s) && /^flowsh>/m.test(s), 'the load summary and the prompt');

  // a query and its rows
  typeText('flows where dstPort == 21 select flowInd, dir, srcIP, dstIP');
  await waitFor((s) => promptLine(s).endsWith('select flowInd, dir, srcIP, dstIP'), 'the typed query');
  send('Enter');
  await waitFor((s) => /│ +4 │ A +│ 192\.0\.2\.10 +│ 192\.0\.2\.180 │/.test(s), 'the result row');

  // Tab completes a column name
  typeText('flows where srcPo');
  await waitFor((s) => promptLine(s).includes('where srcPo'), 'the partial column');
  send('Tab');
  await waitFor((s) => promptLine(s).includes('where srcPort'), 'the completed column');
  typeText('== 21 select flowInd, srcPort');
  send('Enter');
  await waitFor((s) => /│ +4 │ +21 │/.test(s), 'rows of the completed query');

  // Up recalls it
  send('Up');
  await waitFor((s) => promptLine(s).includes('flows where srcPort == 21 select flowInd, srcPort'), 'the recalled statement');
  send('C-u');
  await waitFor((s) => /^flowsh> *$/m.test(s.split('\n').filter((l) => l.trim()).at(-1) ?? ''), 'an empty prompt');

  // a pasted script (bracketed paste) waits at the prompt as multi-line input until Enter
  tmux('set-buffer', '-b', 'script', 'flows select dir limit 1\nflows where dstPort == 21 select flowInd, srcPort limit 1\n');
  tmux('paste-buffer', '-p', '-b', 'script', '-t', 'e2e');
  await waitFor((s) => /^flowsh> flows select dir limit 1\n {3}\.\.\.> flows where dstPort == 21 select flowInd, srcPort limit 1$/m.test(s), 'the pasted lines');
  assert.match(screen(), /srcPort limit 1\n\s*$/, 'nothing ran while pasting');
  send('Enter');
  await waitFor((s) => /srcPort limit 1\n┌─+┐\n│ dir │[^]*│ +4 │ +\d+ │/.test(s) && /^flowsh> *$/m.test(s), 'both pasted statements ran');

  // a long result opens the pager; q leaves it
  typeText('packets select pktNo, dir, time');
  send('Enter');
  await waitFor((s) => /rows 1-\d+ of 66/.test(s), 'the pager');
  send('PageDown');
  await waitFor((s) => /rows (?!1-)\d+-\d+ of 66/.test(s), 'the next page');
  send('q');
  await waitFor((s) => !/of 66/.test(s) && /^flowsh> *$/m.test(s), 'the prompt after the pager');

  // NO_COLOR: attributes such as the cursor's inverse video, but no colours
  const styled = tmux('capture-pane', '-p', '-e', '-t', 'e2e');
  assert.doesNotMatch(styled, /\x1b\[(?:[\d;]*;)?(?:3[0-7]|9[0-7]|38;5)(?:;[\d;]*)?m/);

  // a narrower terminal gets narrower tables
  tmux('resize-window', '-t', 'e2e', '-x', '64', '-y', '30');
  typeText('flows where l4Proto == 6 select flowInd, srcIP, dstIP, hdrDesc, srcMac, dstMac limit 2');
  send('Enter');
  const narrow = await waitFor((s) => /│ +4 │ 192\.0\./.test(s) && /^flowsh> *$/m.test(s), 'the narrow table');
  const tableLines = narrow.split('\n').filter((l) => /^[┌│├└]/.test(l));
  assert.ok(tableLines.length >= 5 && tableLines.every((l) => l.trimEnd().length <= 64), narrow);

  // load a bigger synthetic capture; a slow statement on it is stopped with Ctrl-C, and the capture stays
  const synthetic = join(dir, 'synthetic.pcap');
  writeSyntheticCapture(synthetic, { packets: 20_000, flows: 2_000 });
  typeText(`load ${synthetic}`);
  send('Enter');
  await waitFor((s) => /Loaded .*synthetic\.pcap: 20000\s+packets,\s+2000\s+flows/.test(s) && /^flowsh> *$/m.test(s), 'the synthetic capture');
  send('C-l');
  await waitFor((s) => !s.includes('Loaded'), 'a cleared screen');
  // every packet's header description costs this regex thousands of backtracking steps
  typeText('packets where hdrDesc ~ /^(\\w*:?\\w*)*x$/ select pktNo');
  send('Enter');
  await waitFor((s) => s.includes('running… (Ctrl-C stops)'), 'the running statement');
  send('C-c');
  await waitFor((s) => /^stopped$/m.test(s) && /^flowsh> *$/m.test(s), 'the stop and the prompt');
  typeText('packets select pktNo sort pktNo desc limit 1');
  send('Enter');
  await waitFor((s) => /│ +20000 │/.test(s), 'a query on the capture still loaded');

  // Ctrl-D leaves; the shell's prompt and the terminal's settings come back
  send('C-d');
  await waitFor((s) => /FLOWSH-EXIT=0/.test(s), 'the exit status');
  // bracketed paste is off again: sh gets a plain paste
  tmux('set-buffer', '-b', 'sh', 'echo PASTED-$((40+2))');
  tmux('paste-buffer', '-p', '-b', 'sh', '-t', 'e2e');
  send('Enter');
  await waitFor((s) => /^PASTED-42$/m.test(s), 'a plain paste into sh');
  typeText(`stty -a > ${join(dir, 'after')}; echo STTY-DONE\n`);
  await waitFor((s) => /^STTY-DONE/m.test(s), 'stty after');
  // the window was narrowed on purpose; every mode and control character must be as before
  const settings = (file: string) => readFileSync(join(dir, file), 'utf8').replace(/rows \d+; columns \d+;/, '');
  assert.equal(settings('after'), settings('before'));

  const history = readFileSync(join(state, 'flowsh', 'history'), 'utf8').split('\n');
  assert.deepEqual(history.slice(0, 4), [
    'flows where dstPort == 21 select flowInd, dir, srcIP, dstIP',
    'flows where srcPort == 21 select flowInd, srcPort',
    // a multi-line entry is one line of the file, its newline escaped
    'flows select dir limit 1\\nflows where dstPort == 21 select flowInd, srcPort limit 1',
    'packets select pktNo, dir, time',
  ]);
});

test('the plain line shell (FLOWSH_PLAIN=1): Ctrl-C drops the line or stops a statement, never the shell', { timeout: 4 * WAIT_MS }, async (t) => {
  if (!hasTmux()) { t.skip('tmux is not installed (.ci/run installs it)'); return; }
  const { dir, send, typeText, waitFor } = terminal(t);
  const synthetic = join(dir, 'synthetic.pcap');
  writeSyntheticCapture(synthetic, { packets: 20_000, flows: 2_000 });
  await waitFor((s) => /^\$/m.test(s), 'the shell prompt');
  typeText(`FLOWSH_PLAIN=1 ${flowshCommand()} ${synthetic}; echo FLOWSH-EXIT=$?\n`);
  await waitFor((s) => /Loaded .*20000 packets/.test(s) && /^flowsh> ?$/m.test(s), 'the load summary and the prompt');
  typeText('flows limit');
  send('C-c');
  await waitFor((s) => /^flowsh> flows limit\^C\nflowsh> ?$/m.test(s), 'the line dropped');
  typeText('packets where hdrDesc ~ /^(\\w*:?\\w*)*x$/ select pktNo\n');
  await waitFor((s) => s.includes('select pktNo\n'), 'the statement running');
  send('C-c');
  await waitFor((s) => /^stopped\nflowsh> ?$/m.test(s), 'the stop and the prompt');
  typeText('packets select pktNo sort pktNo desc limit 1\n');
  await waitFor((s) => /│ +20000 │/.test(s), 'a query on the capture still loaded');
  send('C-d');
  await waitFor((s) => /FLOWSH-EXIT=0/.test(s), 'the exit status');
});

test('colour on a terminal: errors in red, table headers coloured; an empty NO_COLOR does not turn it off', { timeout: 4 * WAIT_MS }, async (t) => {
  if (!hasTmux()) { t.skip('tmux is not installed (.ci/run installs it)'); return; }
  const { tmux, send, typeText, waitFor } = terminal(t);
  await waitFor((s) => /^\$/m.test(s), 'the shell prompt');
  typeText(`env -u FLOWSH_PLAIN NO_COLOR= ${flowshCommand()} ${SAMPLE}; echo FLOWSH-EXIT=$?\n`);
  await waitFor((s) => /Loaded .*66 packets/.test(s) && /^flowsh>/m.test(s), 'the load summary and the prompt');
  typeText('flows where dsPort == 21');
  send('Enter');
  await waitFor((s) => /did you mean dstPort/.test(s), 'the error');
  typeText('flows select flowInd limit 1');
  send('Enter');
  await waitFor((s) => /│ +1 │/.test(s), 'the table');
  const styled = tmux('capture-pane', '-p', '-e', '-t', 'e2e');
  // SGR 31 (red) opens the error block: the statement, the caret line and the message
  assert.match(styled, /\x1b\[31mflows where dsPort == 21\n {12}\^{6}\n/);
  assert.match(styled, /\x1b\[36m flowInd /);
  send('C-d');
  await waitFor((s) => /FLOWSH-EXIT=0/.test(s), 'the exit status');
});
