/** A plain line-based shell (readline) for terminals the Ink UI cannot drive (TERM=dumb, FLOWSH_PLAIN=1). */
import { createInterface } from 'node:readline';
import type { Session } from '../cli/session.ts';
import { isUnfinished, joinContinuedLines } from './continuation.ts';

export async function runLineShell(session: Session): Promise<number> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'flowsh> ', terminal: true });
  let pending = '';
  let running: AbortController | undefined;
  // Ctrl-C stops the statement running, or drops the line being typed; it never leaves the shell
  rl.on('SIGINT', () => {
    if (running) { running.abort(); return; }
    pending = '';
    process.stdout.write('^C\n');
    rl.write(null, { ctrl: true, name: 'u' });
    rl.setPrompt('flowsh> ');
    rl.prompt();
  });
  rl.prompt();
  for await (const line of rl) {
    pending += (pending ? '\n' : '') + line;
    if (isUnfinished(pending)) {
      rl.setPrompt('   ...> ');
      rl.prompt();
      continue;
    }
    const text = pending;
    pending = '';
    rl.setPrompt('flowsh> ');
    if (text.trim() !== '') {
      running = new AbortController();
      const result = await session.runScript(joinContinuedLines(text), { signal: running.signal });
      running = undefined;
      if (result === 'quit') break;
    }
    rl.prompt();
  }
  rl.close();
  session.close();
  return 0;
}
