/** Starts the Ink shell on the terminal; resolves with the exit code when the user leaves. */
import { render } from 'ink';
import type { SessionOptions } from '../cli/session.ts';
import { ShellController } from './controller.ts';
import { historyPath } from './history.ts';
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON } from './keys.ts';
import { App } from './ui/App.tsx';

export async function runInkShell(capture: string | undefined, session: SessionOptions): Promise<number> {
  const controller = new ShellController({
    session,
    columns: process.stdout.columns || 80,
    rows: process.stdout.rows || 24,
    historyFile: historyPath(),
  });
  const instance = render(<App controller={controller} />, { exitOnCtrlC: false, patchConsole: true });
  // pasted text arrives marked, as one piece (KeyReader); the terminal is set back however we leave
  const pasteOff = (): void => { process.stdout.write(BRACKETED_PASTE_OFF); };
  process.stdout.write(BRACKETED_PASTE_ON);
  process.once('exit', pasteOff);
  void controller.start(capture);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('exit', pasteOff);
    pasteOff();
  }
  controller.session.close();
  return 0;
}
