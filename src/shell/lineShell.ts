/** A plain line-based shell (readline), used until the Ink UI takes over the terminal. */
import { createInterface } from 'node:readline';
import type { Session } from '../cli/session.ts';

export async function runLineShell(session: Session): Promise<number> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'flowsh> ', terminal: true });
  let pending = '';
  rl.prompt();
  for await (const line of rl) {
    pending += (pending ? '\n' : '') + line;
    if (session.isIncomplete(pending)) {
      rl.setPrompt('   ...> ');
      rl.prompt();
      continue;
    }
    const text = pending;
    pending = '';
    rl.setPrompt('flowsh> ');
    if (text.trim() !== '') {
      const result = await session.runScript(text);
      if (result === 'quit') break;
    }
    rl.prompt();
  }
  rl.close();
  session.close();
  return 0;
}
