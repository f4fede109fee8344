/** The input line(s) with a visible cursor; continuation lines get their own prompt. */
import { Box, Text } from 'ink';
import type { EditState } from '../lineEditor.ts';
import { CONTINUATION, PROMPT } from '../controller.ts';
import { escapeText } from '../../output/escape.ts';

export interface PromptProps {
  readonly state: EditState;
  readonly color: boolean;
}

export function Prompt({ state, color }: PromptProps) {
  const lines = state.text.split('\n');
  let offset = 0;
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => {
        const start = offset;
        offset += line.length + 1;
        const hasCursor = state.cursor >= start && state.cursor <= start + line.length;
        const label = <Text color={color ? 'green' : undefined} bold={color}>{i === 0 ? PROMPT : CONTINUATION}</Text>;
        if (!hasCursor) return <Text key={i}>{label}{escapeText(line)}</Text>;
        const at = state.cursor - start;
        const under = line.slice(at, at + 1);
        return (
          <Text key={i}>
            {label}{escapeText(line.slice(0, at))}<Text inverse>{under === '' ? ' ' : escapeText(under)}</Text>{escapeText(line.slice(at + 1))}
          </Text>
        );
      })}
    </Box>
  );
}
