/** A long result on the whole screen: frozen header, status line with "rows X-Y of N", search. */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { statusText, visibleLines, type PagerState } from '../pager.ts';

/** the line with the matches of the last search in inverse video */
function Highlighted({ line, query }: { line: string; query: string | undefined }) {
  if (!query) return <>{line}</>;
  const lower = line.toLowerCase(), q = query.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length)) {
    parts.push(line.slice(from, at), <Text key={at} inverse>{line.slice(at, at + q.length)}</Text>);
    from = at + q.length;
  }
  parts.push(line.slice(from));
  return <>{parts}</>;
}

export function Pager({ state, color }: { state: PagerState; color: boolean }) {
  const lines = visibleLines(state);
  const header = state.content.headerLines;
  const status = state.searchInput !== undefined
    ? `/${state.searchInput}`
    : `${statusText(state)}${state.message ? ` — ${state.message}` : ''}  (q back, / search, n next, arrows, PgUp/PgDn)`;
  return (
    <Box flexDirection="column" height={state.height}>
      {state.content.title ? <Text wrap="truncate" bold={color}>{state.content.title}</Text> : null}
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate" color={color && i < header ? 'cyan' : undefined}>
          {line === '' ? ' ' : i < header ? line : <Highlighted line={line} query={state.lastSearch} />}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text wrap="truncate" inverse>{status}</Text>
    </Box>
  );
}
