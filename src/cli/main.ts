// Entry point of the `flowsh` command (bundled to dist/flowsh.mjs by `npm install`).
import { readFileSync } from 'node:fs';
import { parseCliArgs, UsageError } from './args.ts';
import { Session, type SessionIo } from './session.ts';
import { usageText, VERSION } from './usage.ts';
import { runLineShell } from '../shell/lineShell.ts';
import { BATCH_WORKER_ENV, runBatch, runBatchWorker } from './batch.ts';

/** the texts of -e statements and -f scripts, in order; undefined (after an error message) if a script cannot be read */
function readScripts(statements: readonly string[], files: readonly string[]): string[] | undefined {
  const scripts: string[] = [...statements];
  for (const file of files) {
    try {
      scripts.push(readFileSync(file === '-' ? 0 : file, 'utf8'));
    } catch (e) {
      process.stderr.write(`flowsh: cannot read script ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return undefined;
    }
  }
  return scripts;
}

async function main(argv: readonly string[]): Promise<number> {
  if (process.env[BATCH_WORKER_ENV] === '1' && process.send) return runBatchWorker();
  let opts;
  try {
    opts = parseCliArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`flowsh: ${e.message}\nTry 'flowsh --help'.\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) { process.stdout.write(usageText()); return 0; }
  if (opts.version) { process.stdout.write(`flowsh ${VERSION}\n`); return 0; }

  const isTty = Boolean(process.stdout.isTTY);
  const io: SessionIo = {
    out: (text) => { process.stdout.write(text); },
    err: (text) => { process.stderr.write(text); },
    outBytes: (bytes) => { process.stdout.write(bytes); },
  };
  const session = new Session(io, {
    format: opts.format ?? (isTty ? 'table' : 'tsv'),
    // no-color.org: NO_COLOR set to anything but the empty string turns colour off
    color: isTty && !process.env.NO_COLOR,
    width: process.stdout.columns || 120,
    timing: opts.timing,
  });

  if (opts.batch.length > 0) {
    const scripts = readScripts(opts.statements, opts.scripts);
    if (!scripts) return 2;
    return runBatch({
      patterns: opts.batch, scripts, ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}), session: session.options,
      stdout: (t) => { process.stdout.write(t); }, stderr: (t) => { process.stderr.write(t); },
    });
  }

  const interactive = opts.statements.length === 0 && opts.scripts.length === 0 && Boolean(process.stdin.isTTY);
  // the full-screen shell needs a real terminal both ways; the plain one stays for dumb terminals
  const inkShell = interactive && isTty && process.env.TERM !== 'dumb' && process.env.FLOWSH_PLAIN !== '1';
  if (inkShell) {
    // Ink draws only the last frame when it thinks it runs under CI (is-in-ci reads these variables
    // when Ink is first loaded); a person at a real terminal is not CI, so hide them from it.
    for (const key of Object.keys(process.env)) {
      if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
    }
    // loaded only here: scripts and -e never pay for React and Ink
    const { runInkShell } = await import('../shell/runInkShell.tsx');
    return runInkShell(opts.capture, session.options);
  }
  if (opts.capture !== undefined) {
    const loaded = await session.load(opts.capture, { summary: interactive });
    if (!loaded) return 2;
  }

  if (interactive) return runLineShell(session);

  const scripts = readScripts(opts.statements, opts.scripts);
  if (!scripts) return 2;
  if (opts.statements.length === 0 && opts.scripts.length === 0) scripts.push(readFileSync(0, 'utf8'));
  let failed = false;
  for (const script of scripts) {
    const result = await session.runScript(script);
    if (result === 'quit') break;
    if (result === 'error') failed = true;
  }
  session.close();
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    // never a stack trace for the user; the message names what went wrong
    process.stderr.write(`flowsh: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
