/** Position of a piece of statement text, in UTF-16 code units from the start of the statement. */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/**
 * The only error the query layer throws: what went wrong, in which statement, and where.
 * `format()` prints the offending line with a caret line under the token, then the message.
 */
export class QueryError extends Error {
  override readonly name = 'QueryError';

  constructor(
    message: string,
    readonly statement: string,
    readonly offset: number,
    readonly length: number = 1,
  ) {
    super(message);
  }

  static at(message: string, statement: string, span: Span | undefined): QueryError {
    return new QueryError(message, statement, span?.offset ?? 0, span?.length ?? Math.max(1, statement.length));
  }

  format(): string {
    const text = this.statement;
    const offset = Math.min(Math.max(0, this.offset), text.length);
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    let lineEnd = text.indexOf('\n', offset);
    if (lineEnd < 0) lineEnd = text.length;
    // tabs would shift the caret; a space keeps columns aligned
    const line = text.slice(lineStart, lineEnd).replace(/\t/g, ' ');
    const column = offset - lineStart;
    const width = Math.max(1, Math.min(this.length, lineEnd - offset));
    return `${line}\n${' '.repeat(column)}${'^'.repeat(width)}\n${this.message}`;
  }
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Names close to `name`: same name in another case, names it is a prefix of, then small edit
 * distances (case-insensitive, at most a third of the length, at least 2). Best first.
 */
export function closestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const wanted = name.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const candidate of new Set(candidates)) {
    const lower = candidate.toLowerCase();
    let score: number;
    if (lower === wanted) score = 0;
    else if (wanted.length >= 2 && lower.startsWith(wanted)) score = 1 + (lower.length - wanted.length) / 100;
    else {
      const distance = levenshtein(wanted, lower);
      if (distance > Math.max(2, Math.floor(wanted.length / 3))) continue;
      score = 2 + distance;
    }
    scored.push({ name: candidate, score });
  }
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  // a name that differs only in case is the answer; anything else would be noise
  const best = scored[0]?.score === 0 ? scored.filter((s) => s.score === 0) : scored;
  return best.slice(0, max).map((s) => s.name);
}

/** "; did you mean a, b or c?" or '' */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const close = closestNames(name, candidates);
  if (close.length === 0) return '';
  const list = close.length === 1 ? close[0] : `${close.slice(0, -1).join(', ')} or ${close[close.length - 1]}`;
  return `; did you mean ${list}?`;
}
