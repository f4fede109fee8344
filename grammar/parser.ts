/**
 * The flowsh grammar as a chevrotain CstParser: it only recognises statements and builds a concrete
 * syntax tree (like chevrotain's "pure grammar" example); all meaning lives in src/query/.
 *
 * Adding a statement (e.g. `follow flow N`, `save`, `export`): add its keyword in tokens.ts, a rule
 * here, one alternative in `statement`, and a visitor method in src/query/astBuilder.ts producing a
 * new AST node kind. Existing rules stay untouched.
 *
 * Expression precedence, loosest first (bit operators bind tighter than comparisons, as in Python,
 * so `flowStat & 0x4000 != 0` means `(flowStat & 0x4000) != 0`):
 *   or ||  <  and &&  <  not !  <  == != < <= > >= = ~ !~ in  <  |  <  ^  <  &  <  unary ~ -
 */
import { CstParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.ts';

function describeToken(token: IToken): string {
  return token.tokenType === EOF ? 'end of statement' : `'${token.image}'`;
}

function tokenLabel(type: TokenType): string {
  return type === EOF ? 'end of statement' : (type.LABEL ?? type.name);
}

function expectedList(paths: TokenType[][][]): string {
  const labels = new Set<string>();
  for (const alternative of paths) for (const path of alternative) if (path[0]) labels.add(tokenLabel(path[0]));
  return [...labels].join(', ');
}

/** Short messages: the caller adds the statement line and a caret under the token. */
const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    `expected ${tokenLabel(expected)} but found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describeToken(firstRedundant)}`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual }) =>
    `unexpected ${describeToken(actual[0]!)}; expected one of: ${expectedList(expectedPathsPerAlt)}`,
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) =>
    `unexpected ${describeToken(actual[0]!)}; expected one of: ${expectedList([expectedIterationPaths])}`,
};

export class FlowshParser extends CstParser {
  constructor() {
    super(T.allTokens as TokenType[], {
      nodeLocationTracking: 'onlyOffset',
      errorMessageProvider: errorMessages,
      maxLookahead: 3,
    });
    this.performSelfAnalysis();
  }

  // ------------------------------------------------------------ statements

  readonly statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.queryStatement) },
      { ALT: () => this.SUBRULE(this.explainStatement) },
      { ALT: () => this.SUBRULE(this.columnsStatement) },
      { ALT: () => this.SUBRULE(this.reportStatement) },
      { ALT: () => this.SUBRULE(this.helpStatement) },
      { ALT: () => this.SUBRULE(this.loadStatement) },
      { ALT: () => this.SUBRULE(this.quitStatement) },
      { ALT: () => this.SUBRULE(this.historyStatement) },
      { ALT: () => this.SUBRULE(this.clearStatement) },
      { ALT: () => this.SUBRULE(this.followStatement) },
      { ALT: () => this.SUBRULE(this.carveStatement) },
      { ALT: () => this.SUBRULE(this.ladderStatement) },
      { ALT: () => this.SUBRULE(this.saveStatement) },
      { ALT: () => this.SUBRULE(this.exportStatement) },
    ]);
  });

  /** TABLE followed by clauses; any order is accepted, duplicates are rejected by the AST builder */
  readonly queryStatement = this.RULE('queryStatement', () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.whereClause) },
        { ALT: () => this.SUBRULE(this.selectClause) },
        { ALT: () => this.SUBRULE(this.groupClause) },
        { ALT: () => this.SUBRULE(this.sortClause) },
        { ALT: () => this.SUBRULE(this.limitClause) },
        { ALT: () => this.SUBRULE(this.asClause) },
      ]);
    });
  });

  /** `as tcpdump`: print the rows in another form */
  readonly asClause = this.RULE('asClause', () => {
    this.CONSUME(T.As);
    this.CONSUME(T.Identifier);
  });

  /** `carve [where EXPR] to DIR`: EXPR over the files table */
  readonly carveStatement = this.RULE('carveStatement', () => {
    this.CONSUME(T.Carve);
    this.OPTION(() => this.SUBRULE(this.whereClause));
    this.CONSUME(T.To);
    this.SUBRULE(this.rawArgument);
  });

  /** `save TABLE [where EXPR] to FILE`: the packets (or the flows' packets) as a capture file */
  readonly saveStatement = this.RULE('saveStatement', () => {
    this.CONSUME(T.Save);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.whereClause));
    this.CONSUME(T.To);
    this.SUBRULE(this.rawArgument);
  });

  /** `export QUERY to FILE`: a query's rows written as CSV, TSV, JSON Lines or Parquet */
  readonly exportStatement = this.RULE('exportStatement', () => {
    this.CONSUME(T.Export);
    this.SUBRULE(this.queryStatement);
    this.CONSUME(T.To);
    this.SUBRULE(this.rawArgument);
  });

  /** `follow flow N [dir A|B] [as ascii|hex|raw]` (the words `flow` and `dir` are checked by the AST builder) */
  readonly followStatement = this.RULE('followStatement', () => {
    this.CONSUME(T.Follow);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Integer);
    this.OPTION(() => {
      this.CONSUME1(T.Identifier);
      this.CONSUME2(T.Identifier);
    });
    this.OPTION1(() => this.SUBRULE(this.asClause));
  });

  /** `ladder flow N` | `ladder flows [where EXPR]` (the words flow and flows are checked by the AST builder) */
  readonly ladderStatement = this.RULE('ladderStatement', () => {
    this.CONSUME(T.Ladder);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Integer) },
        { ALT: () => this.SUBRULE(this.whereClause) },
      ]);
    });
  });

  readonly whereClause = this.RULE('whereClause', () => {
    this.CONSUME(T.Where);
    this.SUBRULE(this.expression);
  });

  readonly selectClause = this.RULE('selectClause', () => {
    this.CONSUME(T.Select);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.selectItem) });
  });

  /** `*`, a column, or an aggregate call like `count()` / `sum(numBytesSnt)` */
  readonly selectItem = this.RULE('selectItem', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Star) },
      { ALT: () => this.SUBRULE(this.resultName) },
    ]);
  });

  readonly groupClause = this.RULE('groupClause', () => {
    this.CONSUME(T.Group);
    this.CONSUME(T.By);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.columnRef) });
  });

  readonly sortClause = this.RULE('sortClause', () => {
    this.CONSUME(T.Sort);
    this.OPTION(() => this.CONSUME(T.By));
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.sortItem) });
  });

  readonly sortItem = this.RULE('sortItem', () => {
    this.SUBRULE(this.resultName);
    this.OPTION(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Asc) }, { ALT: () => this.CONSUME(T.Desc) }]);
    });
  });

  /** a column or an aggregate: `name`, `$name`, `name()`, `name(column)` */
  readonly resultName = this.RULE('resultName', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() => {
            this.CONSUME(T.LParen);
            this.OPTION1(() => this.SUBRULE(this.columnRef));
            this.CONSUME(T.RParen);
          });
        },
      },
      { ALT: () => this.CONSUME(T.DollarIdentifier) },
    ]);
  });

  readonly limitClause = this.RULE('limitClause', () => {
    this.CONSUME(T.Limit);
    this.CONSUME(T.Integer);
  });

  /**
   * `explain COLUMN`, `explain COLUMN=VALUE`, `explain COLUMN VALUE`; `explain flow N` and
   * `explain packet N` have the same shape (the AST builder tells them apart by the word, as for follow)
   */
  readonly explainStatement = this.RULE('explainStatement', () => {
    this.CONSUME(T.Explain);
    this.SUBRULE(this.columnRef);
    this.OPTION(() => {
      this.OPTION1(() => this.CONSUME(T.CompareOperator));
      this.OR([
        { ALT: () => this.SUBRULE(this.signedLiteral) },
        { ALT: () => this.CONSUME(T.Identifier) },
      ]);
    });
  });

  readonly columnsStatement = this.RULE('columnsStatement', () => {
    this.CONSUME(T.Columns);
    this.OPTION(() => this.CONSUME(T.Identifier));
  });

  readonly reportStatement = this.RULE('reportStatement', () => {
    this.CONSUME(T.Report);
  });

  readonly helpStatement = this.RULE('helpStatement', () => {
    this.CONSUME(T.Help);
    this.OPTION(() => this.SUBRULE(this.rawArgument));
  });

  readonly loadStatement = this.RULE('loadStatement', () => {
    this.CONSUME(T.Load);
    this.SUBRULE(this.rawArgument);
  });

  readonly rawArgument = this.RULE('rawArgument', () => {
    this.OR([{ ALT: () => this.CONSUME(T.StringLiteral) }, { ALT: () => this.CONSUME(T.RawText) }]);
  });

  readonly quitStatement = this.RULE('quitStatement', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Quit) }, { ALT: () => this.CONSUME(T.Exit) }]);
  });

  readonly historyStatement = this.RULE('historyStatement', () => {
    this.CONSUME(T.History);
  });

  readonly clearStatement = this.RULE('clearStatement', () => {
    this.CONSUME(T.Clear);
  });

  // ------------------------------------------------------------ expressions

  readonly expression = this.RULE('expression', () => {
    this.SUBRULE(this.orExpression);
  });

  readonly orExpression = this.RULE('orExpression', () => {
    this.SUBRULE(this.andExpression);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Or) }, { ALT: () => this.CONSUME(T.OrOr) }]);
      this.SUBRULE1(this.andExpression);
    });
  });

  readonly andExpression = this.RULE('andExpression', () => {
    this.SUBRULE(this.notExpression);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.And) }, { ALT: () => this.CONSUME(T.AndAnd) }]);
      this.SUBRULE1(this.notExpression);
    });
  });

  readonly notExpression = this.RULE('notExpression', () => {
    this.OR([
      {
        ALT: () => {
          this.OR1([{ ALT: () => this.CONSUME(T.Not) }, { ALT: () => this.CONSUME(T.Bang) }]);
          this.SUBRULE(this.notExpression);
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  /** at most one comparison: `a == b == c` is rejected rather than given a surprising meaning */
  readonly comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.bitOrExpression);
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.CompareOperator);
            this.SUBRULE1(this.bitOrExpression);
          },
        },
        {
          ALT: () => {
            this.OR1([{ ALT: () => this.CONSUME(T.Tilde) }, { ALT: () => this.CONSUME(T.NotMatch) }]);
            this.OR2([{ ALT: () => this.CONSUME(T.RegexLiteral) }, { ALT: () => this.CONSUME(T.StringLiteral) }]);
          },
        },
        {
          ALT: () => {
            this.OPTION1(() => this.CONSUME(T.Not));
            this.CONSUME(T.In);
            this.SUBRULE(this.inTarget);
          },
        },
      ]);
    });
  });

  /** `( literal, ... )` or a single literal such as a prefix */
  readonly inTarget = this.RULE('inTarget', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.signedLiteral) });
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE1(this.signedLiteral) },
    ]);
  });

  readonly bitOrExpression = this.RULE('bitOrExpression', () => {
    this.SUBRULE(this.bitXorExpression);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE1(this.bitXorExpression);
    });
  });

  readonly bitXorExpression = this.RULE('bitXorExpression', () => {
    this.SUBRULE(this.bitAndExpression);
    this.MANY(() => {
      this.CONSUME(T.Caret);
      this.SUBRULE1(this.bitAndExpression);
    });
  });

  readonly bitAndExpression = this.RULE('bitAndExpression', () => {
    this.SUBRULE(this.unaryExpression);
    this.MANY(() => {
      this.CONSUME(T.Ampersand);
      this.SUBRULE1(this.unaryExpression);
    });
  });

  readonly unaryExpression = this.RULE('unaryExpression', () => {
    this.OR([
      {
        ALT: () => {
          this.OR1([{ ALT: () => this.CONSUME(T.Tilde) }, { ALT: () => this.CONSUME(T.Minus) }]);
          this.SUBRULE(this.unaryExpression);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  readonly primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.literal) },
      { ALT: () => this.SUBRULE(this.functionCall) },
      { ALT: () => this.SUBRULE(this.columnRef) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  readonly functionCall = this.RULE('functionCall', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
    this.CONSUME(T.RParen);
  });

  readonly columnRef = this.RULE('columnRef', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.DollarIdentifier) }]);
  });

  /** a literal with an optional `-`, where only values make sense (explain, in-lists) */
  readonly signedLiteral = this.RULE('signedLiteral', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.SUBRULE(this.literal);
  });

  readonly numberLiteral = this.RULE('numberLiteral', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.HexNumber) },
      { ALT: () => this.CONSUME(T.FloatNumber) },
      { ALT: () => this.CONSUME(T.Integer) },
    ]);
  });

  readonly literal = this.RULE('literal', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.numberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.Ip4Address) },
      { ALT: () => this.CONSUME(T.Ip4Prefix) },
      { ALT: () => this.CONSUME(T.Ip6Address) },
      { ALT: () => this.CONSUME(T.Ip6Prefix) },
      { ALT: () => this.CONSUME(T.MacAddress) },
    ]);
  });
}

/** The one parser instance (chevrotain parsers are reusable: set `input`, call a rule). */
export const flowshParser = new FlowshParser();
