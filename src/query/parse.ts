/** Text -> Statement AST, and scripts -> statement texts. Every failure is a QueryError. */
import type { ILexingError, IToken } from 'chevrotain';
import { flowshParser } from '../../grammar/parser.ts';
import { flowshLexer } from '../../grammar/tokens.ts';
import type { Statement } from './ast.ts';
import { buildStatement, tokenSpan } from './astBuilder.ts';
import { closestNames, QueryError } from './errors.ts';
import { STATEMENT_KEYWORDS } from './language.ts';

const ADDRESS_CHAR = /[0-9A-Fa-f:.]/;

function lexError(text: string, error: ILexingError): QueryError {
  const offset = error.offset;
  const char = text[offset] ?? '';
  if (char === '"' || char === "'") return new QueryError('unterminated string', text, offset, text.length - offset);
  if (char === '/') return new QueryError('unterminated /regular expression/', text, offset, text.length - offset);
  if (char === ':' || (ADDRESS_CHAR.test(char) && text.slice(offset).match(/^[0-9A-Fa-f.]*:/))) {
    // a run of hex digits and colons that is neither a valid IPv6 address nor a MAC
    let start = offset, end = offset;
    while (start > 0 && ADDRESS_CHAR.test(text[start - 1]!)) start--;
    while (end < text.length && ADDRESS_CHAR.test(text[end]!)) end++;
    const run = text.slice(start, end);
    return new QueryError(`invalid address '${run}' (not an IPv6 address or a MAC like aa:bb:cc:dd:ee:ff)`, text, start, end - start);
  }
  return new QueryError(`unexpected character '${char}'`, text, offset, 1);
}

/** Parses one statement; throws QueryError with the position of the offending token. */
export function parseStatement(text: string): Statement {
  try {
    const lexed = flowshLexer.tokenize(text);
    if (lexed.errors.length > 0) throw lexError(text, lexed.errors[0]!);
    if (lexed.tokens.length === 0) throw new QueryError('empty statement', text, 0, 0);
    flowshParser.input = lexed.tokens;
    const cst = flowshParser.statement();
    const error = flowshParser.errors[0];
    if (error) throw parseError(text, lexed.tokens, error.message, error.token);
    return buildStatement(cst, text);
  } catch (e) {
    if (e instanceof QueryError) throw e;
    throw new QueryError(`internal error while parsing: ${(e as Error).message}`, text, 0, text.length);
  }
}

function parseError(text: string, all: IToken[], message: string, at: IToken): QueryError {
  const first = all[0]!;
  // `explian flowStat`: a misspelt command parses as a table name followed by garbage
  if (first.tokenType.name === 'Identifier' && at !== first) {
    const close = closestNames(first.image, STATEMENT_KEYWORDS, 1);
    if (close.length > 0 && close[0]!.toLowerCase() !== first.image.toLowerCase()) {
      return QueryError.at(`unknown command '${first.image}'; did you mean ${close[0]}?`, text, tokenSpan(first));
    }
  }
  if (Number.isNaN(at.startOffset)) {
    // end of input: point just past the last character
    return new QueryError(message, text, text.trimEnd().length, 1);
  }
  return QueryError.at(message, text, tokenSpan(at));
}

export interface StatementSource {
  /** the statement, without a trailing comment or separator */
  readonly text: string;
  /** offset of the statement in the script */
  readonly offset: number;
  /** 1-based line of the statement's first character */
  readonly line: number;
}

/**
 * Splits a script into statements: `;` and newlines separate them, `#` starts a comment to the end
 * of the line, and a newline inside open parentheses continues the statement. Quotes and /regex/
 * (after ~ or !~) are respected, so `;` and `#` inside them do not split.
 */
export function splitStatements(script: string): StatementSource[] {
  const out: StatementSource[] = [];
  let start = 0, depth = 0, line = 1, startLine = 1;
  let quote: string | undefined; // ", ' or / while inside a string or regex
  let lastSignificant = '';
  let commentStart = -1; // comment on the current line, excluded from the statement
  const flush = (end: number): void => {
    const stop = commentStart >= 0 ? commentStart : end;
    const raw = script.slice(start, stop);
    const text = raw.trim();
    if (text.length > 0) {
      const lead = raw.length - raw.trimStart().length;
      const before = script.slice(start, start + lead);
      out.push({ text, offset: start + lead, line: startLine + (before.match(/\n/g)?.length ?? 0) });
    }
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === '\n') {
      line++;
      quote = undefined; // strings and regexes do not span lines
      if (depth === 0) {
        flush(i);
        start = i + 1; startLine = line; commentStart = -1; lastSignificant = '';
        continue;
      }
      if (commentStart >= 0) {
        // a comment inside open parentheses: the lexer skips it, keep the text
        commentStart = -1;
      }
      continue;
    }
    if (commentStart >= 0) continue;
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '/' && lastSignificant === '~') quote = '/';
    else if (c === '#') { commentStart = i; continue; }
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ';') {
      flush(i);
      start = i + 1; startLine = line; depth = 0; commentStart = -1; lastSignificant = '';
      continue;
    }
    if (!/\s/.test(c)) lastSignificant = c;
  }
  flush(script.length);
  return out;
}
