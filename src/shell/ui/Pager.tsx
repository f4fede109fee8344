/** A long result on the whole screen: frozen header, status line with "rows X-Y of N", search. */
import { Box, Text } from 'ink';
import { statusText, visibleLines, type PagerState } from '../pager.ts';

export function Pager({ state, color }: { state: PagerState; color: boolean }) {
  const lines = visibleLines(state);
  const header = state.content.headerLines;
  const status = state.searchInput !== undefined
    ? `/${state.searchInput}`
    : `${statusText(state)}${state.message ? ` — ${state.message}` : ''}  (q back, / search, arrows, PgUp/PgDn)`;
  return (
    <Box flexDirection="column" height={state.height}>
      {state.content.title ? <Text wrap="truncate" bold={color}>{state.content.title}</Text> : null}
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate" color={color && i < header ? 'cyan' : undefined}>{line === '' ? ' ' : line}</Text>
      ))}
      <Box flexGrow={1} />
      <Text wrap="truncate" inverse>{status}</Text>
    </Box>
  );
}
