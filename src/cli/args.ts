/** Command-line options of `flowsh`. */
import { parseArgs } from 'node:util';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/format.ts';

export interface CliOptions {
  capture?: string;
  statements: string[]; // from -e, in order
  scripts: string[]; // from -f, in order
  format?: OutputFormat;
  timing: boolean;
  help: boolean;
  version: boolean;
  /** --batch patterns (and, with them, the positional captures): run the statements over each capture */
  batch: string[];
  /** --jobs: worker processes for --batch */
  jobs?: number;
}

export class UsageError extends Error {}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        e: { type: 'string', multiple: true, short: 'e' },
        f: { type: 'string', multiple: true, short: 'f' },
        format: { type: 'string' },
        timing: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
        batch: { type: 'string', multiple: true },
        jobs: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/s, ''));
  }
  const { values, positionals } = parsed;
  const batch = values.batch ?? [];
  if (batch.length > 0) {
    // an unquoted pattern arrives expanded by the shell: its other files are positionals
    batch.push(...positionals);
    if (!values.e && !values.f) throw new UsageError('--batch runs the statements of -e or -f over each capture; give one of them');
  } else if (positionals.length > 1) {
    throw new UsageError(`one capture at a time (got ${positionals.length}: ${positionals.join(' ')}); --batch runs statements over many`);
  }
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs takes a whole number of worker processes from 1 (got '${values.jobs}')`);
    if (batch.length === 0) throw new UsageError('--jobs is for --batch');
  }
  const format = values.format;
  if (format !== undefined && !OUTPUT_FORMATS.includes(format as OutputFormat)) {
    throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')} (got '${format}')`);
  }
  return {
    capture: batch.length > 0 ? undefined : positionals[0],
    statements: values.e ?? [],
    scripts: values.f ?? [],
    format: format as OutputFormat | undefined,
    timing: values.timing ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
    batch,
    ...(jobs !== undefined ? { jobs } : {}),
  };
}
