/**
 * `flowsh --batch PATTERN -e ... | -f ...`: the same statements over many captures, each capture in
 * a worker process (the flowsh command itself, forked with an IPC channel), `--jobs` of them at a
 * time. Output comes back per capture and is printed in the order of the captures, under a
 * `==> FILE <==` header when there are several; exit status 2 if a capture could not be read,
 * else 1 if a statement failed, else 0.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { Session, type SessionIo, type SessionOptions } from './session.ts';
import { expandCapturePatterns } from './captureGlob.ts';

/** set in the environment of the worker processes */
export const BATCH_WORKER_ENV = 'FLOWSH_BATCH_WORKER';

interface BatchJob {
  readonly index: number;
  readonly capture: string;
  readonly scripts: readonly string[];
  readonly options: SessionOptions;
}

type CaptureStatus = 'ok' | 'error' | 'unreadable';

interface BatchDone {
  readonly index: number;
  readonly out: string;
  readonly err: string;
  readonly status: CaptureStatus;
}

/** One capture in this process: load it, run every script, return what was printed. */
export async function runCapture(job: BatchJob): Promise<BatchDone> {
  let out = '', err = '';
  const io: SessionIo = { out: (t) => { out += t; }, err: (t) => { err += t; } };
  const session = new Session(io, job.options);
  let status: CaptureStatus = 'ok';
  try {
    if (!(await session.load(job.capture, { summary: false }))) status = 'unreadable';
    else {
      for (const script of job.scripts) {
        const result = await session.runScript(script);
        if (result === 'quit') break;
        if (result === 'error') status = 'error';
      }
    }
  } catch (e) {
    err += `flowsh: ${job.capture}: internal error: ${(e as Error).message}\n`;
    status = 'error';
  } finally {
    session.close();
  }
  return { index: job.index, out, err, status };
}

/** The worker side: run each job the parent sends, until the parent disconnects. */
export function runBatchWorker(): Promise<number> {
  delete process.env[BATCH_WORKER_ENV];
  return new Promise((resolve) => {
    let queue = Promise.resolve();
    process.on('message', (job: BatchJob) => {
      queue = queue.then(async () => { process.send!(await runCapture(job)); });
    });
    process.on('disconnect', () => { void queue.then(() => resolve(0)); });
  });
}

export interface BatchOptions {
  readonly patterns: readonly string[];
  readonly scripts: readonly string[];
  readonly jobs?: number;
  readonly session: SessionOptions;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The parent side: expand the patterns, keep up to `jobs` workers busy, print results in capture order. */
export async function runBatch(opts: BatchOptions): Promise<number> {
  const { files, unmatched } = expandCapturePatterns(opts.patterns);
  for (const pattern of unmatched) opts.stderr(`flowsh: no capture matches '${pattern}'\n`);
  if (files.length === 0) return 2;
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), files.length));
  const started = performance.now();
  const results: (BatchDone | undefined)[] = new Array(files.length);
  let nextJob = 0, nextPrint = 0;
  const counts: Record<CaptureStatus, number> = { ok: 0, error: 0, unreadable: 0 };

  const print = (): void => {
    while (nextPrint < files.length && results[nextPrint]) {
      const r = results[nextPrint]!;
      const header = files.length > 1 ? `==> ${files[nextPrint]} <==\n` : '';
      if (r.out) opts.stdout(header + r.out);
      if (r.err) opts.stderr(header + r.err);
      nextPrint++;
    }
  };

  await new Promise<void>((resolve) => {
    let running = 0;
    const finish = (done: BatchDone): void => {
      results[done.index] = done;
      counts[done.status]++;
      print();
    };
    const start = (): void => {
      const worker: ChildProcess = fork(process.argv[1]!, [], {
        env: { ...process.env, [BATCH_WORKER_ENV]: '1' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      running++;
      let current: number | undefined;
      const feed = (): void => {
        if (nextJob >= files.length) {
          current = undefined;
          worker.disconnect();
          return;
        }
        current = nextJob++;
        worker.send({ index: current, capture: files[current]!, scripts: opts.scripts, options: opts.session } satisfies BatchJob);
      };
      worker.on('error', () => { /* a send to a dead worker: its exit is handled below */ });
      worker.on('message', (done: BatchDone) => {
        finish(done);
        feed();
      });
      worker.on('exit', (code, signal) => {
        running--;
        if (current !== undefined) {
          // the worker died on this capture (out of memory, killed): report it, carry on with a new one
          const how = signal ? `signal ${signal}` : `exit code ${code}`;
          finish({ index: current, out: '', err: `flowsh: ${files[current]}: the worker process ended (${how}) before finishing this capture\n`, status: 'unreadable' });
          if (nextJob < files.length) start();
        }
        if (running === 0) resolve();
      });
      feed();
    };
    for (let i = 0; i < jobs; i++) start();
  });

  if (files.length > 1) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const parts = [`${counts.ok} ok`, ...(counts.error ? [`${counts.error} with failed statements`] : []), ...(counts.unreadable ? [`${counts.unreadable} not read`] : [])];
    opts.stderr(`flowsh: batch of ${files.length} captures on ${jobs} worker${jobs === 1 ? '' : 's'} in ${seconds} s: ${parts.join(', ')}\n`);
  }
  if (counts.unreadable > 0 || unmatched.length > 0) return 2;
  return counts.error > 0 ? 1 : 0;
}
