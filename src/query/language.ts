/** Words and forms of the query language, for completion and help (functions: see functions.ts). */

export interface StatementHelp {
  /** the word that starts the statement; TABLE stands for any table name */
  readonly keyword: string;
  readonly syntax: string;
  readonly description: string;
  /**
   * statements written `KEYWORD TABLE clauses... to PATH` (save, export): the tables the second word
   * may name ('any' for every table) and the clause words after it, for completion
   */
  readonly tableClauses?: { readonly tables: readonly string[] | 'any'; readonly clauses: readonly string[] };
  /** statements whose clauses read one fixed table (`carve where ...` reads files): it and the clause words, for completion */
  readonly clausesOver?: { readonly table: string; readonly clauses: readonly string[] };
}

export const STATEMENTS: readonly StatementHelp[] = [
  {
    keyword: 'TABLE',
    syntax: 'TABLE [where EXPR] [select COL|AGG(COL), ...] [group by COL, ...] [sort COL [asc|desc], ...] [limit N] [as tcpdump]',
    description: 'query a table (flows, packets, ...)',
  },
  { keyword: 'explain', syntax: 'explain COLUMN[=VALUE] | explain flow N | explain packet N', description: 'meaning of the bits or values of a column (like tawk -V); the story of a flow in sentences (what it is, how it opened, what was sent, how it ended, its flag bits with the packets that set them); a packet layer by layer and field by field, each field with what it means (like Wireshark\'s detail pane)' },
  { keyword: 'columns', syntax: 'columns [TABLE]', description: 'list columns with type and description' },
  { keyword: 'carve', syntax: 'carve [where EXPR] to DIR', description: 'write the files that crossed FTP data connections (EXPR over the files table) into DIR, with manifest.jsonl; never overwrites',
    clausesOver: { table: 'files', clauses: ['where', 'to'] } },
  {
    keyword: 'save', syntax: 'save packets|flows [where EXPR] to FILE',
    description: 'write the selected packets, or every packet of the selected flows (both directions), byte for byte to a new .pcap or .pcapng ({name} in FILE: the capture\'s name); never overwrites',
    tableClauses: { tables: ['packets', 'flows'], clauses: ['where', 'to'] },
  },
  {
    keyword: 'export', syntax: 'export TABLE [where EXPR] [select COL, ...] [group by ...] [sort ...] [limit N] to FILE',
    description: 'write a query\'s rows to a new .csv, .tsv, .jsonl or .parquet file, typed columns from the schema ({name} in FILE: the capture\'s name); never overwrites',
    tableClauses: { tables: 'any', clauses: ['where', 'select', 'group by', 'sort', 'limit', 'to'] },
  },
  { keyword: 'follow', syntax: 'follow flow N [dir A|B] [as ascii|hex|raw]', description: 'the reassembled TCP conversation of a flow, like Wireshark\'s Follow TCP Stream (raw: bytes unchanged, for a file)' },
  { keyword: 'ladder', syntax: 'ladder flow N | ladder flows [where EXPR]', description: 'a sequence diagram of the packets: one column per endpoint, one arrow per packet with flags, seq/ack, length and payload, time on the left; an FTP control flow is drawn with its data connections' },
  { keyword: 'report', syntax: 'report', description: 'summary of the loaded capture' },
  { keyword: 'help', syntax: 'help [TOPIC]', description: 'help on concepts (help tcp, help ftp), statements, functions (help tcp()), tables and columns' },
  { keyword: 'load', syntax: 'load PATH', description: 'load a pcap or pcapng file' },
  { keyword: 'history', syntax: 'history', description: 'show previous statements' },
  { keyword: 'clear', syntax: 'clear', description: 'clear the screen' },
  { keyword: 'quit', syntax: 'quit | exit', description: 'leave flowsh' },
  { keyword: 'exit', syntax: 'quit | exit', description: 'leave flowsh' },
];

/** words after `explain` that name a flow or a packet instead of a column (`explain flow 4`, `explain packet 8`) */
export const EXPLAIN_TARGETS: readonly ('flow' | 'packet')[] = ['flow', 'packet'];

/** words that start a statement (besides table names) */
export const STATEMENT_KEYWORDS: readonly string[] = [...new Set(STATEMENTS.map((s) => s.keyword).filter((k) => k !== 'TABLE'))];

/** words inside a query statement, in the order they are usually typed */
export const CLAUSE_KEYWORDS: readonly string[] = ['where', 'select', 'group by', 'sort', 'asc', 'desc', 'limit', 'as'];

/** words of expressions */
export const OPERATOR_KEYWORDS: readonly string[] = ['and', 'or', 'not', 'in'];

export const OPERATORS: readonly { readonly symbol: string; readonly description: string }[] = [
  { symbol: '== != < <= > >= =', description: 'comparisons (= is ==); on list columns true if any item matches' },
  { symbol: '& | ^ ~', description: 'bit and, or, xor, not (bind tighter than comparisons)' },
  { symbol: 'and or not && || !', description: 'logic' },
  { symbol: '~ !~', description: 'regex match: COL ~ /regex/ or COL ~ "regex"' },
  { symbol: 'in, not in', description: 'COL in (v, ...), ADDR in PREFIX' },
];
