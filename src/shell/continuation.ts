/**
 * Multi-line input in the shells. A newline ends a statement in flowsh scripts, except inside
 * parentheses; at the prompt Enter also continues a statement that cannot end where it stops
 * (after `where`, `and`, a comma, an operator, a trailing backslash). The lines typed so are
 * joined back into one statement before it runs, keeping every character's offset, so error
 * carets still point at the right token.
 */
import { parseStatement, QueryError, splitStatements } from '../query/index.ts';

/**
 * The last statement of `script` (a script whose earlier lines are already joined) when the parser
 * stops at its very end wanting more; its offset in the script and its text without a comment.
 */
function unfinishedTail(script: string): { offset: number; text: string } | undefined {
  const last = splitStatements(script).at(-1);
  if (!last) return undefined;
  try {
    parseStatement(last.text);
    return undefined;
  } catch (e) {
    if (e instanceof QueryError && e.offset >= last.text.trimEnd().length) return { offset: last.offset, text: last.text };
    return undefined;
  }
}

/**
 * Joins the lines of `text` that continue a statement: a backslash-newline and a newline after an
 * unfinished statement become spaces (a comment before it too, as the joined line would swallow
 * the rest); other newlines stay and still separate statements.
 */
export function joinContinuedLines(text: string): string {
  const lines = text.split('\n');
  let out = lines[0]!;
  for (let i = 1; i < lines.length; i++) {
    if (out.endsWith('\\')) { out = out.slice(0, -1) + '  ' + lines[i]; continue; }
    const tail = unfinishedTail(out);
    if (tail) {
      const end = tail.offset + tail.text.length;
      out = out.slice(0, end) + ' '.repeat(out.length - end) + ' ' + lines[i];
    } else {
      out += '\n' + lines[i];
    }
  }
  return out;
}

/**
 * True while Enter should open a new line rather than run: a trailing backslash, or a last
 * statement the parser wants more of (open parentheses included; an open quote is an error, as
 * strings do not span lines). Enter on an empty continuation line
 * runs the text anyway (and shows what is missing).
 */
export function isUnfinished(text: string): boolean {
  if (/\n[ \t]*$/.test(text)) return false;
  const joined = joinContinuedLines(text);
  if (joined.endsWith('\\')) return true;
  return unfinishedTail(joined) !== undefined;
}
