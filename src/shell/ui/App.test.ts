import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ShellController } from '../controller.ts';
import { utcSpan } from '../../cli/session.ts';
import { App } from './App.tsx';
import { Progress, progressText } from './Progress.tsx';
import { Completions } from './Completions.tsx';
import { Pager } from './Pager.tsx';
import { linesContent, openPager } from '../pager.ts';

const SAMPLE = resolve(import.meta.dirname, '../../../samples/ftp-passive-dns.pcap');

/** polls the frame until it satisfies `ok` (renders are asynchronous) */
async function frameWhere(lastFrame: () => string | undefined, ok: (frame: string) => boolean, what: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const frame = lastFrame() ?? '';
    if (ok(frame)) return frame;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`${what}; last frame:\n${lastFrame()}`);
}

async function shell(t: { after(fn: () => void): void }, rows = 30) {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-app-'));
  const historyFile = join(dir, 'history');
  const controller = new ShellController({
    session: { format: 'table', color: false, width: 100, timing: false }, columns: 100, rows, historyFile,
  });
  const app = render(createElement(App, { controller }));
  t.after(() => { app.unmount(); controller.session.close(); rmSync(dir, { recursive: true, force: true }); });
  await controller.start(SAMPLE);
  await frameWhere(app.lastFrame, (f) => f.includes('Loaded') && /^flowsh>/m.test(f), 'the load summary and the prompt');
  const type = async (keys: string, until: (f: string) => boolean, what: string) => {
    app.stdin.write(keys);
    return frameWhere(app.lastFrame, until, what);
  };
  return { controller, app, type, historyFile };
}

test('the load summary, then a query shows its rows as a table', async (t) => {
  const { app, type } = await shell(t);
  // the summary wraps where the checkout path makes it long: a wrap may leave a space on both sides
  assert.match(app.lastFrame()!.replace(/\s+/g, ' '),
    /Loaded .*ftp-passive-dns\.pcap: 66 packets, 6 flows \(10 A\/B rows\), 2024-03-14 09:26:53\.334612 - 09:26:57\.800790 UTC \(4\.466178 s\)/);
  const frame = await type('flows select flowInd, dir limit 2\r', (f) => f.includes('│ flowInd │ dir │'), 'the result table');
  assert.match(frame, /flowsh> flows select flowInd, dir limit 2/);
  assert.match(frame, /│ +1 │ A +│/);
  assert.match(frame, /^flowsh>\s*$/m);
});

test('the load summary names the time span in UTC, the second date only when it is another day', () => {
  assert.equal(utcSpan('1710408413.334612', '1710408417.800790'), '2024-03-14 09:26:53.334612 - 09:26:57.800790 UTC');
  assert.equal(utcSpan('1710460799.5', '1710460801.25'), '2024-03-14 23:59:59.5 - 2024-03-15 00:00:01.25 UTC');
  assert.equal(utcSpan('0', '1'), '1970-01-01 00:00:00 - 00:00:01 UTC');
});

test('an error shows the statement with a caret under the bad token', async (t) => {
  const { type } = await shell(t);
  const frame = await type('flows where nosuchcolumn == 1\r', (f) => f.includes('^'), 'the caret');
  const lines = frame.split('\n');
  const caret = lines.findIndex((l) => /^\s*\^+\s*$/.test(l));
  assert.ok(caret > 0);
  assert.equal(lines[caret - 1], 'flows where nosuchcolumn == 1');
  assert.equal(lines[caret]!.indexOf('^'), 'flows where '.length);
});

test('Tab completes a column name; Up recalls the last statement; history reaches the file', async (t) => {
  const { controller, type, historyFile } = await shell(t);
  await type('flows where srcI\t', (f) => f.includes('flowsh> flows where srcIP'), 'the completed column');
  assert.equal(controller.edit.text, 'flows where srcIP ');
  await type('\x15flows limit 1\r', (f) => f.includes('│ dir'), 'the result');
  await type('\x1b[A', (f) => /flowsh> flows limit 1\s*$/m.test(f), 'the recalled statement');
  assert.equal(readFileSync(historyFile, 'utf8'), 'flows limit 1\n');
});

test('history lists what Up recalls: earlier runs from the file, multi-line entries with their lines', async (t) => {
  const { controller, historyFile } = await shell(t);
  await controller.submit('flows where\nport(21) select flowInd limit 1');
  // a second shell on the same file, as the next run would be
  const next = new ShellController({ session: { format: 'table', color: false, width: 100, timing: false }, columns: 100, rows: 30, historyFile });
  const app = render(createElement(App, { controller: next }));
  t.after(() => { app.unmount(); next.session.close(); });
  await next.start(SAMPLE);
  await next.submit('history');
  const frame = await frameWhere(app.lastFrame, (f) => /^ +2 {2}history$/m.test(f), 'the history listing');
  assert.match(frame, /^ +1 {2}flows where\n {7}port\(21\) select flowInd limit 1\n +2 {2}history$/m);
});

test('line editing: Ctrl-A, Ctrl-K, Alt-B, Ctrl-W and an unfinished statement continuing on a new line', async (t) => {
  const { controller, type } = await shell(t);
  await type('flows limit 5', (f) => f.includes('limit 5'), 'typed');
  await type('\x1bb\x0b', (f) => /flowsh> flows limit\s*$/m.test(f), 'Alt-B then Ctrl-K');
  await type('\x01X', (f) => /flowsh> Xflows limit\s*$/m.test(f), 'Ctrl-A then X');
  await type('\x05\x17', (f) => /flowsh> Xflows\s*$/m.test(f), 'Ctrl-E then Ctrl-W');
  await type('\x15flows where (port(21)\r', (f) => f.includes('   ...>'), 'a continuation line');
  assert.equal(controller.edit.text, 'flows where (port(21)\n');
  await type(') limit 1\r', (f) => f.includes('│ dir'), 'the two-line statement ran');
});

test('a pasted script waits at the prompt as multi-line input; Enter runs every statement', async (t) => {
  const { controller, type } = await shell(t);
  const frame = await type('\x1b[200~flows select dir limit 1\r\nflows select flowInd limit 1\r\n\x1b[201~',
    (f) => /flowsh> flows select dir limit 1\n {3}\.\.\.> flows select flowInd limit 1/.test(f), 'the pasted lines at the prompt');
  assert.doesNotMatch(frame, /│ dir │/, 'nothing ran while pasting');
  assert.equal(controller.edit.text, 'flows select dir limit 1\nflows select flowInd limit 1');
  await type('\r', (f) => f.includes('│ dir │') && f.includes('│ flowInd │') && /^flowsh>\s*$/m.test(f), 'both statements ran');
  // pasted into a Ctrl-R search, only the first line counts
  await type('\x12\x1b[200~flowInd\nquit\x1b[201~', (f) => f.includes("(reverse-i-search)`flowInd'"), 'the pasted search');
});

test('an unfinished statement continues on the next line; an empty continuation line runs it anyway', async (t) => {
  const { controller, type } = await shell(t);
  await type('flows where\r', (f) => /^ {3}\.\.\.>/m.test(f), 'a continuation line after where');
  await type('dstPort == 21 select\r', (f) => (f.match(/\.\.\.>/g) ?? []).length === 2, 'a continuation line after select');
  await type('flowInd, dir\r', (f) => /│ +4 │ A +│/.test(f), 'the three lines ran as one statement');
  assert.equal(controller.historyEntries.at(-1), 'flows where\ndstPort == 21 select\nflowInd, dir');
  const frame = await type('flows sort\r\r', (f) => f.includes('^'), 'the error after an empty continuation line');
  assert.match(frame, /unexpected end of statement/);
});

test('a long result opens in the pager with "rows X-Y of N"; q goes back to the prompt', async (t) => {
  const { controller, type } = await shell(t, 20);
  const frame = await type('packets select pktNo, dir\r', (f) => /rows 1-\d+ of 66/.test(f), 'the pager');
  assert.equal(controller.mode, 'pager');
  assert.match(frame, /│ pktNo │ dir │/);
  await type('\x1b[6~', (f) => /rows \d+-\d+ of 66/.test(f) && !/rows 1-/.test(f), 'the next page');
  await type('/60\r', (f) => /│ +60 │/.test(f), 'the search found row 60');
  await type('q', (f) => /flowsh>\s*$/m.test(f) && !/of 66/.test(f), 'the prompt again');
  assert.equal(controller.mode, 'prompt');
});

test('Ctrl-R finds an earlier statement; Ctrl-C clears the line; Ctrl-D on an empty line quits', async (t) => {
  const { controller, type } = await shell(t);
  await type('flows select dir limit 1\r', (f) => f.includes('│ dir │'), 'first statement');
  await type('flows select flowInd limit 1\r', (f) => f.includes('│ flowInd │'), 'second statement');
  await type('\x12sel', (f) => f.includes("(reverse-i-search)`sel': flows select flowInd limit 1"), 'the newest match');
  await type('\x12', (f) => f.includes("(reverse-i-search)`sel': flows select dir limit 1"), 'Ctrl-R again: the older match');
  await type('\x1b[C', (f) => /flowsh> flows select dir limit 1\s*$/m.test(f), 'the entry taken to the prompt');
  await type('\x03', (f) => /flowsh> flows select dir limit 1\^C/.test(f), 'the line dropped');
  assert.equal(controller.edit.text, '');
  await type('\x04', () => controller.mode === 'done', 'quit');
});

test('help draws from the schema; escape sequences pasted at the prompt never reach the line', async (t) => {
  const { type } = await shell(t);
  await type('help srcPort\r', (f) => /srcPort \(flows, u16/.test(f), 'column help');
  const frame = await type('help "a\x1b[31mb\u009b2J"\r', (f) => /no help on/.test(f), 'help on an unknown topic');
  assert.match(frame, /no help on 'ab2J'/);
  assert.doesNotMatch(frame, /[\x1b\u009b]/);
});

test('the progress line shows bytes, rates and time left', () => {
  const view = { file: 'x.pcap', bytesRead: 1024 * 1024, totalBytes: 4 * 1024 * 1024, packets: 5000, startedAt: 0, now: 1000 };
  assert.equal(progressText(view), '1.0 MiB of 4.0 MiB, 5000 packets, 1.0 MiB/s, 5000 packets/s, 0:03 left');
  const app = render(createElement(Progress, { progress: view, columns: 80, color: false }));
  assert.match(app.lastFrame()!, /Loading x\.pcap \(Ctrl-C cancels\)/);
  assert.match(app.lastFrame()!, / 25%/);
  // all bytes read: the tables are built next, in one go; the line says so instead of "0:00 left"
  app.rerender(createElement(Progress, { progress: { ...view, bytesRead: view.totalBytes, packets: 20000, now: 3000 }, columns: 80, color: false }));
  assert.match(app.lastFrame()!, /4\.0 MiB, 20000 packets read in 0:03; building flows and tables…/);
  assert.match(app.lastFrame()!, /100%/);
  app.unmount();
});

function bareShell(t: { after(fn: () => void): void }, rows = 30) {
  const controller = new ShellController({ session: { format: 'table', color: false, width: 100, timing: false }, columns: 100, rows });
  const app = render(createElement(App, { controller }));
  t.after(() => { app.unmount(); controller.session.close(); });
  return { controller, app };
}

const ctrl = (letter: string) => ({ name: 'text' as const, text: letter, ctrl: true, meta: false });
const typed = (text: string) => ({ name: 'text' as const, text, ctrl: false, meta: false });
const enter = { name: 'return' as const, text: '', ctrl: false, meta: false };

test('Ctrl-C cancels a load: the shell stays and says so', async (t) => {
  const { controller, app } = bareShell(t);
  const loading = controller.start(SAMPLE);
  assert.equal(controller.mode, 'loading');
  assert.equal(controller.progress?.totalBytes, statSync(SAMPLE).size, 'the bar knows the size from the start');
  controller.key(ctrl('c'));
  await loading;
  assert.equal(controller.mode, 'prompt');
  const frame = await frameWhere(app.lastFrame, (f) => /^flowsh>/m.test(f), 'the prompt');
  assert.match(frame, /load\s+cancelled/, "the summary says so (wrapped or not)");
});

test('the screen is redrawn when the last byte is read, however soon after the previous redraw', async () => {
  // a clock that never moves: every progress report but the last falls inside the redraw throttle
  const controller = new ShellController({ session: { format: 'table', color: false, width: 100, timing: false }, columns: 100, rows: 30, now: () => 0 });
  const seen: number[] = [];
  controller.subscribe(() => { if (controller.progress) seen.push(controller.progress.bytesRead); });
  await controller.start(SAMPLE);
  controller.session.close();
  assert.ok(seen.includes(statSync(SAMPLE).size), `redraws saw ${seen.join(', ')} bytes`);
});

test('keys typed while loading wait for the prompt and then run', async (t) => {
  const { controller, app } = bareShell(t);
  const loading = controller.start(SAMPLE);
  controller.key(typed('flows select flowInd limit 1'));
  controller.key(enter);
  await loading;
  await frameWhere(app.lastFrame, (f) => f.includes('│ flowInd │') && /^flowsh>\s*$/m.test(f), 'the typed-ahead statement ran');
  assert.match(app.lastFrame()!, /Loaded[\s\S]*flowsh> flows select flowInd limit 1/);
});

test('a resize re-lays results: a narrower terminal gets a narrower table, the pager keeps its place', async (t) => {
  const { controller, app } = bareShell(t);
  await controller.start(SAMPLE);
  const query = 'flows where l4Proto == 6 select flowInd, srcIP, dstIP, hdrDesc, srcMac, dstMac limit 2';
  controller.resize(60, 30);
  for (const c of query) controller.key(typed(c));
  controller.key(enter);
  const frame = await frameWhere(app.lastFrame, (f) => f.includes('│ flowI'), 'the table');
  const tableLines = frame.split('\n').filter((l) => /^[┌│├└]/.test(l));
  assert.ok(tableLines.length >= 5);
  for (const l of tableLines) assert.ok(l.length <= 60, `fits 60 columns: ${l}`);
  assert.match(frame, /…/, 'long cells are shortened with an ellipsis');
  assert.equal(controller.session.options.width, 60);

  for (const c of 'packets select pktNo') controller.key(typed(c));
  controller.key(enter);
  await frameWhere(app.lastFrame, (f) => /rows 1-\d+ of 66/.test(f), 'the pager');
  controller.key({ ...enter, name: 'pagedown' });
  const top = controller.pager!.top;
  assert.ok(top > 0);
  controller.resize(60, 20);
  assert.equal(controller.pager!.top, top);
  await frameWhere(app.lastFrame, (f) => new RegExp(`rows ${top + 1}-${top + 20 - 6} of 66`).test(f), 'the pager re-laid for 20 rows');
});

test('Ctrl-C stops a running script before its next statement and keeps the shell', async (t) => {
  const { controller, app } = bareShell(t);
  await controller.start(SAMPLE);
  const run = controller.submit('flows select dir limit 1; flows select flowInd limit 1');
  assert.equal(controller.mode, 'running');
  controller.key(ctrl('c'));
  await run;
  const frame = await frameWhere(app.lastFrame, (f) => /^stopped$/m.test(f), 'the stop');
  assert.doesNotMatch(frame, /│ flowInd │/);
  assert.equal(controller.mode, 'prompt');
});

test('Ctrl-C stops a long statement part way through; the capture stays loaded', async (t) => {
  const { controller, app } = bareShell(t);
  await controller.start(SAMPLE);
  // a regex that backtracks for a long time on every packet's header description
  const run = controller.submit('packets where hdrDesc ~ /^(\\w*\\w*:?\\w*)*x$/ select pktNo');
  // timers fire while it runs only because the query gives the event loop its turns
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(controller.mode, 'running', 'still running after 300 ms');
  await frameWhere(app.lastFrame, (f) => f.includes('running… (Ctrl-C stops)'), 'the running line');
  controller.key(ctrl('c'));
  assert.ok(controller.stopping);
  await run;
  const frame = await frameWhere(app.lastFrame, (f) => /^stopped$/m.test(f) && /^flowsh>/m.test(f), 'the stop and the prompt');
  assert.doesNotMatch(frame, /│ pktNo │/);
  await controller.submit('packets select pktNo sort pktNo desc limit 1');
  await frameWhere(app.lastFrame, (f) => /│ +66 │/.test(f), 'a query on the capture loaded before');
});

test('Tab on a function name shows its signature; listed file names are escaped', async (t) => {
  const { controller, app } = bareShell(t);
  await controller.start(SAMPLE);
  for (const c of 'flows where bitsany') controller.key(typed(c));
  controller.key({ ...enter, name: 'tab' });
  await frameWhere(app.lastFrame, (f) => /flowsh> flows where bitsanyset\(/.test(f) && /^bitsanyset\(column, mask\)/m.test(f), 'the signature');
  const listed = render(createElement(Completions, {
    items: [{ text: 'a\x1b[2Jb.pcap', kind: 'path', suffix: ' ' }, { text: 'c.pcap', kind: 'path', suffix: ' ' }], columns: 80, maxLines: 5, color: false,
  }));
  assert.match(listed.lastFrame()!, /a\\x1b\[2Jb\.pcap/);
  listed.unmount();
});

test('clear wipes the screen before anything typed after it is shown', async (t) => {
  const { controller, app } = bareShell(t);
  await controller.start(SAMPLE);
  for (const c of 'clear') controller.key(typed(c));
  controller.key(enter);
  assert.equal(controller.mode, 'running', 'keys wait until the screen is cleared');
  for (const c of 'flows select dir limit 1') controller.key(typed(c));
  controller.key(enter);
  await frameWhere(app.lastFrame, (f) => f.includes('│ dir │') && controller.mode === 'prompt', 'the statement typed after clear');
  const clearAt = app.frames.findIndex((f) => f.includes('\x1b[2J'));
  const tableAt = app.frames.findIndex((f) => f.includes('│ dir │'));
  assert.ok(clearAt >= 0 && clearAt < tableAt, 'the clear comes first');
  assert.ok(!app.frames.some((f) => f.includes('flowsh> clear')), 'clear itself is not echoed');
});

test('without a capture the shell says how to load one; load FILE then works; quit leaves', async (t) => {
  const { controller, app } = bareShell(t);
  await controller.start(undefined);
  await frameWhere(app.lastFrame, (f) => /no capture loaded: 'load FILE'/.test(f), 'the hint');
  await controller.submit(`load ${SAMPLE}`);
  await frameWhere(app.lastFrame, (f) => /Loaded .*66 packets/.test(f), 'the load summary');
  await controller.submit('quit');
  assert.equal(controller.mode, 'done');
});

test('clear inside a script clears the screen instead of printing an escape sequence', async (t) => {
  const { controller, app } = bareShell(t);
  await controller.start(SAMPLE);
  await controller.submit('flows select flowInd limit 1; clear; flows select dir limit 1');
  await frameWhere(app.lastFrame, (f) => f.includes('│ dir │') && controller.mode === 'prompt', 'the statement after clear');
  assert.ok(controller.transcript.every((e) => !e.text.includes('\x1b')), 'no escape sequence in the transcript');
  assert.ok(!controller.transcript.some((e) => e.text.includes('│ flowInd │')), 'output before the clear is dropped');
  const clearAt = app.frames.findIndex((f) => f.includes('\x1b[2J'));
  const tableAt = app.frames.findIndex((f) => f.includes('│ dir │'));
  assert.ok(clearAt >= 0 && clearAt < tableAt);
});

test('the pager marks search matches without changing the text', () => {
  const lines = ['+--+', '|h |', '+--+', '|ab ab|', '|cd|', '+--+'];
  const state = { ...openPager(linesContent(lines, { headerLines: 3, footerLines: 1, unit: 'rows' }), 40, 10), lastSearch: 'AB' };
  const app = render(createElement(Pager, { state, color: false }));
  const frame = app.lastFrame()!;
  assert.match(frame, /^\|ab ab\|$/m);
  assert.match(frame, /^\|cd\|$/m);
  assert.match(frame, /rows 1-2 of 2/);
  app.unmount();
});
