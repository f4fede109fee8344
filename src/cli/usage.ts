/** `flowsh --help`: options and statements, each with an example, read from the language tables. */
import { STATEMENTS } from '../query/language.ts';
import { FUNCTIONS } from '../query/functions.ts';
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

/** One runnable example per statement keyword. */
export const STATEMENT_EXAMPLES: Readonly<Record<string, string>> = {
  TABLE: "flows where bitsanyset(flowStat, 0x8000) and port(21) select flowInd, dir, srcIP, dstIP sort numBytesSnt desc limit 10",
  explain: 'explain flowStat=0x0400000000004001',
  columns: 'columns flows',
  follow: 'follow flow 4',
  ladder: 'ladder flow 4',
  carve: "carve where verdict == \"complete\" to carved",
  save: 'save flows where port(21) to ftp-only.pcapng',
  export: 'export flows where tcp() select flowInd, dir, srcIP, dstIP, numBytesSnt to flows.parquet',
  report: 'report',
  help: 'help bitsanyset',
  load: 'load samples/ftp-active.pcap',
  history: 'history',
  clear: 'clear',
  quit: 'quit',
  exit: 'exit',
};

export function usageText(): string {
  const lines = [
    `flowsh ${VERSION} - a flow shell for packet captures`,
    '',
    'Usage: flowsh [CAPTURE] [-e STATEMENT]... [-f SCRIPT] [--format table|tsv|csv|json] [--timing]',
    '       flowsh --batch PATTERN [--jobs N] -e STATEMENT... | -f SCRIPT',
    '',
    'Options:',
    '  -e STATEMENT       run a statement (repeatable), then exit       flowsh cap.pcap -e report',
    '  -f SCRIPT          run a file of statements (; or newline separated, # comments)',
    '                                                                    flowsh cap.pcap -f triage.fsh',
    '  --format FORMAT    table (default on a terminal), tsv (default otherwise), csv, json (JSON Lines)',
    '                                                                    flowsh cap.pcap -e "flows limit 5" --format json',
    '  --timing           print the milliseconds of the load and of each statement on stderr',
    "  --batch PATTERN    run the statements over every capture PATTERN names (*, ?, [..], **, a directory),",
    '                     each in a worker process; {name} in a `to` path is the capture\'s name',
    "                                                                    flowsh --batch 'day1/*.pcap' -e 'export flows to out/{name}.parquet'",
    '  --jobs N           worker processes for --batch (default: one per CPU, at most one per capture)',
    '  -h, --help         this help',
    '  -V, --version      print the version',
    '',
    'Without -e or -f, flowsh opens the interactive shell on a terminal, or runs the statements piped on',
    'stdin. Exit status: 0 success, 1 a statement failed, 2 the capture could not be read or bad usage',
    '(--batch: 2 if any capture could not be read, else 1 if a statement failed on any).',
    '',
    'Statements:',
  ];
  for (const s of STATEMENTS) {
    if (s.keyword === 'exit') continue;
    lines.push(`  ${s.syntax}`, `      ${s.description}`);
    const example = STATEMENT_EXAMPLES[s.keyword];
    if (example) lines.push(`      e.g. ${example}`);
  }
  lines.push('', 'Functions (tawk names):');
  for (const f of FUNCTIONS) lines.push(`  ${f.signature.padEnd(28)} ${f.description}`);
  lines.push('', "Tables: flows, packets. 'columns' lists their columns; 'help COLUMN' explains one.", '');
  return lines.join('\n');
}
