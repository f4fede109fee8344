/** The candidates of an ambiguous Tab: with details when few, in columns when many. */
import { Box, Text } from 'ink';
import type { CompletionItem } from '../completion.ts';
import { ellipsize } from '../../output/format.ts';
import { escapeText } from '../../output/escape.ts';

export interface CompletionsProps {
  readonly items: readonly CompletionItem[];
  readonly columns: number;
  /** lines the list may take */
  readonly maxLines: number;
  readonly color: boolean;
}

export function Completions({ items: raw, columns, maxLines, color }: CompletionsProps) {
  // file names may hold anything; what reaches the screen is escaped
  const items = raw.map((i) => ({ ...i, text: escapeText(i.text) }));
  const lines = Math.max(1, maxLines);
  if (items.length <= Math.min(lines, 12)) {
    const nameWidth = Math.min(28, Math.max(...items.map((i) => i.text.length)) + 2);
    return (
      <Box flexDirection="column">
        {items.map((item) => (
          <Text key={item.text} wrap="truncate">
            {item.text.padEnd(nameWidth)}
            <Text dimColor={color}>{item.detail ? ellipsize(item.detail, Math.max(8, columns - nameWidth - 1)) : ''}</Text>
          </Text>
        ))}
      </Box>
    );
  }
  const cell = Math.min(Math.max(...items.map((i) => i.text.length)) + 2, columns);
  const perLine = Math.max(1, Math.floor(columns / cell));
  const rows: string[] = [];
  for (let i = 0; i < items.length && rows.length < lines - 1; i += perLine) {
    rows.push(items.slice(i, i + perLine).map((it) => ellipsize(it.text, cell - 1).padEnd(cell)).join('').trimEnd());
  }
  const shown = Math.min(items.length, rows.length * perLine);
  return (
    <Box flexDirection="column">
      {rows.map((r, i) => <Text key={i} wrap="truncate">{r}</Text>)}
      {shown < items.length ? <Text dimColor={color}>… and {items.length - shown} more; type more letters</Text> : null}
    </Box>
  );
}
