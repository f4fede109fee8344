/** Starts the Ink shell on the terminal; resolves with the exit code when the user leaves. */
import { render } from 'ink';
import type { SessionOptions } from '../cli/session.ts';
import { ShellController } from './controller.ts';
import { historyPath } from './history.ts';
import { App } from './ui/App.tsx';

export async function runInkShell(capture: string | undefined, session: SessionOptions): Promise<number> {
  const controller = new ShellController({
    session,
    columns: process.stdout.columns || 80,
    rows: process.stdout.rows || 24,
    historyFile: historyPath(),
  });
  const instance = render(<App controller={controller} />, { exitOnCtrlC: false, patchConsole: true });
  void controller.start(capture);
  await instance.waitUntilExit();
  controller.session.close();
  return 0;
}
