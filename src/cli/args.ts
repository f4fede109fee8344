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
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`one capture at a time (got ${positionals.length}: ${positionals.join(' ')})`);
  const format = values.format;
  if (format !== undefined && !OUTPUT_FORMATS.includes(format as OutputFormat)) {
    throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')} (got '${format}')`);
  }
  return {
    capture: positionals[0],
    statements: values.e ?? [],
    scripts: values.f ?? [],
    format: format as OutputFormat | undefined,
    timing: values.timing ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
