/**
 * The interactive shell: the transcript (printed once, so it stays in the terminal's scrollback),
 * then what is live: the load's progress, the prompt with completions or Ctrl-R search, or the pager.
 */
import { useEffect, useReducer } from 'react';
import { Box, Static, Text, useApp, useStdout } from 'ink';
import type { ShellController, TranscriptEntry } from '../controller.ts';
import { escapeText } from '../../output/escape.ts';
import { Completions } from './Completions.tsx';
import { Pager } from './Pager.tsx';
import { Progress } from './Progress.tsx';
import { Prompt } from './Prompt.tsx';
import { useKeys } from './useKeys.ts';
import { useTerminalSize } from './useTerminalSize.ts';

/** clears the screen and the scrollback, cursor home */
const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

function Entry({ entry, color }: { entry: TranscriptEntry; color: boolean }) {
  switch (entry.kind) {
    case 'err': return <Text color={color ? 'red' : undefined}>{entry.text}</Text>;
    case 'note': return <Text dimColor={color}>{entry.text}</Text>;
    default: return <Text>{entry.text}</Text>;
  }
}

export function App({ controller }: { controller: ShellController }) {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const { exit } = useApp();
  const { write } = useStdout();
  const size = useTerminalSize();
  useEffect(() => controller.subscribe(rerender), [controller]);
  useEffect(() => {
    if (size.columns !== controller.columns || size.rows !== controller.rows) controller.resize(size.columns, size.rows);
  }, [controller, size.columns, size.rows]);
  useKeys((key) => controller.key(key));
  useEffect(() => {
    if (controller.mode === 'done') exit();
  });
  useEffect(() => {
    if (controller.clearRequested === 0) return;
    write(CLEAR_SCREEN);
    controller.cleared();
  }, [controller, controller.clearRequested, write]);

  const { color } = controller;
  let live;
  switch (controller.mode) {
    case 'loading':
    case 'running':
      live = controller.progress
        ? <Progress progress={controller.progress} columns={controller.columns} color={color} />
        : <Text dimColor={color}>{controller.stopping ? 'stopping…' : 'running… (Ctrl-C stops)'}</Text>;
      break;
    case 'pager':
      live = controller.pager ? <Pager state={controller.pager} color={color} /> : null;
      break;
    case 'search': {
      const found = controller.searchIndex >= 0 ? controller.historyEntries[controller.searchIndex]! : '';
      live = (
        <Text wrap="truncate">
          (reverse-i-search)`{escapeText(controller.searchQuery)}': {escapeText(found.replace(/\n/g, ' '))}
        </Text>
      );
      break;
    }
    case 'prompt':
      live = (
        <Box flexDirection="column">
          <Prompt state={controller.edit} color={color} />
          {controller.hint ? <Text dimColor={color} wrap="truncate">{controller.hint}</Text> : null}
          {controller.completions.length > 0
            ? <Completions items={controller.completions} columns={controller.columns} maxLines={Math.max(3, controller.rows - 4)} color={color} />
            : null}
        </Box>
      );
      break;
    case 'done':
      live = null;
      break;
  }
  return (
    <>
      <Static items={controller.transcript as TranscriptEntry[]}>
        {(entry) => <Entry key={entry.id} entry={entry} color={color} />}
      </Static>
      {live}
    </>
  );
}
