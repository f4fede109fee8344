/**
 * Tokens of the flowsh query language. Purely lexical: no values are computed here, the CST -> AST
 * visitor (src/query/astBuilder.ts) turns token images into numbers, addresses and regexes.
 *
 * Order matters where patterns share prefixes: addresses before numbers (192.0.2.1 is not a float,
 * 2001:db8::1 is not the number 2001), MACs after IPv6 (aa:bb:cc:dd:ee:ff is not a valid IPv6
 * address, 00:11:22:33:44:55:66:77 is), keywords before Identifier (with longer_alt).
 */
import { createToken, Lexer, type CustomPatternMatcherReturn, type TokenType } from 'chevrotain';
import { IpAddr } from '../src/store/value.ts';

// ---------------------------------------------------------------- addresses (custom matchers)

const HEX_START = [...'0123456789abcdefABCDEF:'];
const ADDRESS_RUN = /[0-9A-Fa-f:.]+/y;
const PREFIX_LENGTH = /\/\d{1,3}/y;
const IDENTIFIER_CHAR = /[A-Za-z0-9_]/;

/**
 * An IPv6 address is the longest run of hex digits, colons and dots that contains a colon and is a
 * valid RFC 4291 text form; `withPrefix` selects the `/len` form. Checking validity here keeps MACs
 * (six 2-digit groups, never a valid IPv6 text) and garbage like `1:2:3` out of this token.
 */
function matchIp6(text: string, offset: number, withPrefix: boolean): CustomPatternMatcherReturn | null {
  ADDRESS_RUN.lastIndex = offset;
  const run = ADDRESS_RUN.exec(text);
  if (run === null) return null;
  let image = run[0];
  if (!image.includes(':') || IpAddr.parse(image) === undefined) return null;
  PREFIX_LENGTH.lastIndex = offset + image.length;
  const prefix = PREFIX_LENGTH.exec(text);
  if (withPrefix !== (prefix !== null)) return null;
  if (prefix !== null) image += prefix[0];
  const next = text[offset + image.length];
  if (next !== undefined && IDENTIFIER_CHAR.test(next)) return null;
  return [image];
}

export const Ip6Prefix = createToken({
  name: 'Ip6Prefix',
  label: 'IPv6 prefix',
  pattern: { exec: (text, offset) => matchIp6(text, offset, true) },
  line_breaks: false,
  start_chars_hint: HEX_START,
});
export const Ip6Address = createToken({
  name: 'Ip6Address',
  label: 'IPv6 address',
  pattern: { exec: (text, offset) => matchIp6(text, offset, false) },
  line_breaks: false,
  start_chars_hint: HEX_START,
});
export const MacAddress = createToken({
  name: 'MacAddress',
  label: 'MAC address',
  pattern: /[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?![0-9A-Za-z_:.])/,
  start_chars_hint: HEX_START.slice(0, -1),
});
export const Ip4Prefix = createToken({
  name: 'Ip4Prefix',
  label: 'IPv4 prefix',
  pattern: /\d{1,3}(?:\.\d{1,3}){3}\/\d{1,3}/,
  start_chars_hint: [...'0123456789'],
});
export const Ip4Address = createToken({
  name: 'Ip4Address',
  label: 'IPv4 address',
  pattern: /\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/,
  start_chars_hint: [...'0123456789'],
});

// ---------------------------------------------------------------- other literals

export const HexNumber = createToken({ name: 'HexNumber', label: 'number', pattern: /0[xX][0-9A-Fa-f]+/ });
export const FloatNumber = createToken({
  name: 'FloatNumber',
  label: 'number',
  pattern: /\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+/,
});
export const Integer = createToken({ name: 'Integer', label: 'number', pattern: /\d+/ });
export const StringLiteral = createToken({
  name: 'StringLiteral',
  label: 'string',
  pattern: /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/,
});
/** only `g`-less flags: a stateful regex would make row tests depend on the previous row */
export const RegexLiteral = createToken({
  name: 'RegexLiteral',
  label: '/regex/',
  pattern: /\/(?:[^/\\\n]|\\.)+\/[imsu]*/,
});

export const Identifier = createToken({ name: 'Identifier', label: 'name', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
export const DollarIdentifier = createToken({
  name: 'DollarIdentifier',
  label: '$column',
  pattern: /\$[A-Za-z_][A-Za-z0-9_]*/,
});

// ---------------------------------------------------------------- keywords

/** Shell words after which the rest of the statement is raw text (a path, a help topic). */
const RAW_ARGUMENT_MODE = 'rawArgument';

function keyword(word: string, pushRaw = false): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    label: `'${word}'`,
    pattern: new RegExp(word, 'i'),
    longer_alt: Identifier,
    ...(pushRaw ? { push_mode: RAW_ARGUMENT_MODE } : {}),
  });
}

export const Where = keyword('where');
export const Select = keyword('select');
export const Group = keyword('group');
export const By = keyword('by');
export const Sort = keyword('sort');
export const Asc = keyword('asc');
export const Desc = keyword('desc');
export const Limit = keyword('limit');
export const And = keyword('and');
export const Or = keyword('or');
export const Not = keyword('not');
export const In = keyword('in');
export const Explain = keyword('explain');
export const Columns = keyword('columns');
export const Report = keyword('report');
export const Help = keyword('help', true);
export const Load = keyword('load', true);
export const Quit = keyword('quit');
export const Exit = keyword('exit');
export const History = keyword('history');
export const Clear = keyword('clear');
export const Follow = keyword('follow');
export const Carve = keyword('carve');
export const Save = keyword('save');
export const Export = keyword('export');
export const To = keyword('to', true);
export const As = keyword('as');
export const Ladder = keyword('ladder');

/** Words reserved by the grammar: they cannot name tables or columns. */
export const keywordTokens: readonly TokenType[] = [
  Where, Select, Group, By, Sort, Asc, Desc, Limit, And, Or, Not, In,
  Explain, Columns, Report, Help, Load, Quit, Exit, History, Clear, Follow, As, Carve, To, Ladder,
  Save, Export,
];

// ---------------------------------------------------------------- operators and punctuation

/** category of the six comparison operators (`=` is accepted as `==`) */
export const CompareOperator = createToken({ name: 'CompareOperator', pattern: Lexer.NA });
export const EqualEqual = createToken({ name: 'EqualEqual', label: "'=='", pattern: /==/, categories: CompareOperator });
export const NotEqual = createToken({ name: 'NotEqual', label: "'!='", pattern: /!=/, categories: CompareOperator });
export const LessEqual = createToken({ name: 'LessEqual', label: "'<='", pattern: /<=/, categories: CompareOperator });
export const GreaterEqual = createToken({ name: 'GreaterEqual', label: "'>='", pattern: />=/, categories: CompareOperator });
export const Less = createToken({ name: 'Less', label: "'<'", pattern: /</, categories: CompareOperator });
export const Greater = createToken({ name: 'Greater', label: "'>'", pattern: />/, categories: CompareOperator });
export const Equal = createToken({ name: 'Equal', label: "'='", pattern: /=/, categories: CompareOperator });

export const NotMatch = createToken({ name: 'NotMatch', label: "'!~'", pattern: /!~/ });
export const Tilde = createToken({ name: 'Tilde', label: "'~'", pattern: /~/ });
export const AndAnd = createToken({ name: 'AndAnd', label: "'&&'", pattern: /&&/ });
export const OrOr = createToken({ name: 'OrOr', label: "'||'", pattern: /\|\|/ });
export const Bang = createToken({ name: 'Bang', label: "'!'", pattern: /!/ });
export const Ampersand = createToken({ name: 'Ampersand', label: "'&'", pattern: /&/ });
export const Pipe = createToken({ name: 'Pipe', label: "'|'", pattern: /\|/ });
export const Caret = createToken({ name: 'Caret', label: "'^'", pattern: /\^/ });
export const Minus = createToken({ name: 'Minus', label: "'-'", pattern: /-/ });
export const Star = createToken({ name: 'Star', label: "'*'", pattern: /\*/ });
export const LParen = createToken({ name: 'LParen', label: "'('", pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', label: "')'", pattern: /\)/ });
export const Comma = createToken({ name: 'Comma', label: "','", pattern: /,/ });

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /\s+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });

/** Raw text up to the end of the statement (trailing blanks excluded), e.g. a file path. */
export const RawText = createToken({
  name: 'RawText',
  label: 'text',
  pattern: /[^\s'"](?:[^\n]*[^\s])?/,
  line_breaks: false,
});

const defaultModeTokens: TokenType[] = [
  WhiteSpace, Comment,
  Ip6Prefix, Ip6Address, MacAddress, Ip4Prefix, Ip4Address,
  HexNumber, FloatNumber, Integer, StringLiteral, RegexLiteral,
  DollarIdentifier, ...keywordTokens, Identifier,
  EqualEqual, NotEqual, LessEqual, GreaterEqual, Less, Greater, Equal,
  NotMatch, Tilde, AndAnd, OrOr, Bang, Ampersand, Pipe, Caret, Minus, Star,
  LParen, RParen, Comma,
  CompareOperator,
];

/** every token type the parser knows (both lexer modes) */
export const allTokens: readonly TokenType[] = [...defaultModeTokens, RawText];

export const flowshLexer = new Lexer(
  {
    modes: {
      default: defaultModeTokens,
      [RAW_ARGUMENT_MODE]: [WhiteSpace, StringLiteral, RawText],
    },
    defaultMode: 'default',
  },
  { positionTracking: 'onlyOffset', ensureOptimizations: false },
);
