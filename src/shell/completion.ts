/**
 * Tab completion that knows where the cursor is: statement words and tables first, the table's
 * columns after where/select/group by/sort, functions with their signatures, bit values after
 * `explain COLUMN=`, bit names in the mask string of bitsanyset/bitsallset, file paths after `load` and `to`, tables and
 * their clauses after `save` and `export`. Names come from the schema and the
 * language tables, never from a list kept here.
 */
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CLAUSE_KEYWORDS, EXPLAIN_TARGETS, FUNCTIONS, OPERATOR_KEYWORDS, STATEMENT_KEYWORDS, STATEMENTS, type StatementHelp } from '../query/index.ts';
import { formatHex, isFlagType, type ColumnDef } from '../schema/types.ts';
import type { Catalog, Table } from '../store/table.ts';
import { replaceRange, type EditState } from './lineEditor.ts';
import { CONCEPTS, findConcept } from '../teach/concepts.ts';

export type CompletionKind = 'statement' | 'table' | 'column' | 'function' | 'keyword' | 'value' | 'path' | 'topic';

export interface CompletionItem {
  /** what replaces the word */
  readonly text: string;
  readonly kind: CompletionKind;
  /** type and description, a signature, a bit's name: shown beside the item */
  readonly detail?: string;
  /** typed after a unique completion: a space after words, `(` after a function */
  readonly suffix: string;
  /** extra text the word may match besides `text` (a bit's name) */
  readonly alias?: string;
}

export interface Completion {
  /** the word being completed is text[start, end) */
  readonly start: number;
  readonly end: number;
  readonly items: readonly CompletionItem[];
}

export interface CompletionContext {
  readonly catalog: Catalog;
  readonly cwd: string;
  /** directory listing; tests pass their own */
  readonly listDir?: (dir: string) => readonly { name: string; isDirectory: boolean }[];
}

function defaultListDir(dir: string): { name: string; isDirectory: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, isDirectory: d.isDirectory() }));
  } catch {
    return [];
  }
}

const columnItem = (c: ColumnDef): CompletionItem => ({
  text: c.name, kind: 'column', suffix: ' ', detail: `${c.repeated ? `${c.type}[]` : c.type}  ${c.description}`,
});
const keywordItem = (k: string): CompletionItem => ({ text: k, kind: 'keyword', suffix: ' ' });
const PREDICATE_FUNCTIONS = FUNCTIONS.filter((f) => f.compile);
const AGGREGATE_FUNCTIONS = FUNCTIONS.filter((f) => f.aggregate);
const functionItem = (f: (typeof FUNCTIONS)[number]): CompletionItem => ({
  text: f.name, kind: 'function', suffix: '(', detail: `${f.signature}  ${f.description}`,
});

/** the statement the cursor is in: text after the last `;` outside quotes */
function statementStart(before: string): number {
  let quote = '';
  let start = 0;
  for (let i = 0; i < before.length; i++) {
    const c = before[i]!;
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = ''; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === ';') start = i + 1;
  }
  return start;
}

/** words of the statement outside strings and regexes, lower-cased */
function wordsOf(text: string): string[] {
  const stripped = text.replace(/"(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?|\/(?:\\.|[^/\\])*\//g, ' ');
  return (stripped.match(/[A-Za-z_][\w.]*/g) ?? []).map((w) => w.toLowerCase());
}

export function complete(text: string, cursor: number, ctx: CompletionContext): Completion {
  const before = text.slice(0, cursor);
  const stmtStart = statementStart(before);
  const statement = before.slice(stmtStart);
  const words = wordsOf(statement);
  const first = words[0];
  const tables = ctx.catalog.tables;
  const tableItems = tables.map((t): CompletionItem => ({ text: t.def.name, kind: 'table', suffix: ' ', detail: t.def.description }));

  // file paths: the whole non-blank word, quotes allowed
  const pathWord = /(?:^|\s)(["']?)([^\s"']*)$/.exec(statement);
  const previousWord = /(\S+)\s+["']?[^\s"']*$/.exec(statement)?.[1]?.toLowerCase();
  if (pathWord && ((first === 'load' && words.length >= 1 && /^\s*load\s/i.test(statement)) || previousWord === 'to')) {
    const word = pathWord[2]!;
    const start = cursor - word.length;
    return { start, end: cursor, items: pathItems(word, ctx, pathWord[1] !== '') };
  }

  // `explain COLUMN=VALUE`
  const explainValue = /^\s*explain\s+([A-Za-z_]\w*)\s*=\s*(\S*)$/i.exec(statement);
  if (explainValue) {
    const word = explainValue[2]!;
    const def = findColumn(ctx.catalog, explainValue[1]!);
    return { start: cursor - word.length, end: cursor, items: filter(def ? valueItems(def) : [], word) };
  }

  // bit names inside a mask string: bitsanyset(flowStat, "IPV4|FRAG
  const maskString = /\b(bitsanyset|bitsallset)\(\s*([A-Za-z_]\w*)\s*,\s*["']((?:[^"'|,]*[|,])*)([^"'|,]*)$/i.exec(statement);
  if (maskString) {
    const def = findColumn(ctx.catalog, maskString[2]!);
    const word = maskString[4]!;
    const items = (def?.bits ?? []).map((b): CompletionItem => ({
      text: b.name, kind: 'value', suffix: '', detail: `${formatHex(b.value, def!.type)}  ${b.description}`,
    }));
    return { start: cursor - word.length, end: cursor, items: filter(items, word) };
  }

  const wordMatch = /[A-Za-z_][\w]*$/.exec(statement);
  const word = wordMatch?.[0] ?? '';
  const start = cursor - word.length;
  const done = (items: readonly CompletionItem[]): Completion => ({ start, end: cursor, items: filter(items, word) });
  const wordsBefore = word ? words.slice(0, -1) : words;
  if (wordsBefore.length === 0) {
    const statements = STATEMENT_KEYWORDS.map((k): CompletionItem => ({
      text: k, kind: 'statement', suffix: takesArguments(STATEMENTS.find((s) => s.keyword === k)!) ? ' ' : '',
      detail: STATEMENTS.find((s) => s.keyword === k)?.description,
    }));
    return done([...tableItems, ...statements]);
  }
  switch (first) {
    case 'help': {
      if (wordsBefore.length > 1) return done([]);
      const columns = uniqueColumns(tables).map((c): CompletionItem => ({ ...columnItem(c), kind: 'topic', suffix: '' }));
      // a concept page takes its word; the function of that name is offered as name() (help tcp())
      const shadowed = (name: string): boolean => findConcept(name) !== undefined;
      return done([
        ...CONCEPTS.map((c): CompletionItem => ({ text: c.topic, kind: 'topic', suffix: '', detail: c.title })),
        ...STATEMENT_KEYWORDS.map((k): CompletionItem => ({ text: k, kind: 'topic', suffix: '' })),
        ...FUNCTIONS.map((f): CompletionItem => ({ ...functionItem(f), kind: 'topic', suffix: '', ...(shadowed(f.name) ? { text: `${f.name}()` } : {}) })),
        ...tableItems.map((t) => ({ ...t, kind: 'topic' as const, suffix: '' })), ...columns,
      ]);
    }
    case 'columns':
      return done(wordsBefore.length === 1 ? tableItems.map((t) => ({ ...t, suffix: '' })) : []);
    case 'explain': {
      if (wordsBefore.length > 1) return done([]);
      const explainable = uniqueColumns(tables).filter((c) => c.bits || c.valueNames);
      const targets = EXPLAIN_TARGETS.map((t): CompletionItem => ({ ...keywordItem(t), detail: `explain ${t} N` }));
      return done([...explainable.map((c) => ({ ...columnItem(c), suffix: '=' })), ...targets]);
    }
  }
  // `save TABLE ...`, `export TABLE ...`: a table, then that table's clauses
  const tableStatement = STATEMENTS.find((s) => s.keyword === first && s.tableClauses)?.tableClauses;
  if (tableStatement) {
    const allowed = tables.filter((t) => tableStatement.tables === 'any' || tableStatement.tables.includes(t.def.name));
    if (wordsBefore.length === 1) return done(allowed.map((t) => tableItems.find((i) => i.text === t.def.name)!));
    const named = allowed.find((t) => t.def.name.toLowerCase() === wordsBefore[1]);
    return done(named ? queryItems(named, wordsBefore.slice(1), tableStatement.clauses) : []);
  }
  // `carve where ...`: the clauses read a table the statement does not name
  const clausesOver = STATEMENTS.find((s) => s.keyword === first && s.clausesOver)?.clausesOver;
  if (clausesOver) {
    const over = tables.find((t) => t.def.name === clausesOver.table);
    return done(over ? queryItems(over, wordsBefore, clausesOver.clauses) : []);
  }
  if (first === 'ladder') {
    // ladder flow N | ladder flows [where EXPR]: the expression is over the flows table
    if (wordsBefore.length === 1) return done(['flow', 'flows'].map(keywordItem));
    const flows = tables.find((t) => t.def.name === 'flows');
    if (!flows || wordsBefore[1] !== 'flows') return done([]);
    if (wordsBefore.length === 2) return done([keywordItem('where')]);
    return done(queryItems(flows, ['flows', ...wordsBefore.slice(2)]).filter((i) => i.kind !== 'keyword' || OPERATOR_KEYWORDS.includes(i.text)));
  }
  const table = tables.find((t) => t.def.name.toLowerCase() === first);
  if (!table) return done([]);
  return done(queryItems(table, wordsBefore));
}

const QUERY_CLAUSES: readonly string[] = ['where', 'select', 'group by', 'sort', 'limit'];

/** completions inside `TABLE clauses...`; `order` is the clause words the statement takes, in typing order */
function queryItems(table: Table, wordsBefore: readonly string[], order: readonly string[] = QUERY_CLAUSES): CompletionItem[] {
  const columns = table.def.columns.map(columnItem);
  let clause: string | undefined;
  for (const w of wordsBefore.slice(1)) if (['where', 'select', 'group', 'by', 'sort', 'limit'].includes(w)) clause = w;
  const previous = wordsBefore[wordsBefore.length - 1];
  const clausesAfter = (name: string | undefined): CompletionItem[] => {
    const from = name === undefined ? 0 : order.indexOf(name === 'by' || name === 'group' ? 'group by' : name) + 1;
    return order.slice(from).map(keywordItem);
  };
  switch (clause) {
    case undefined:
      return clausesAfter(undefined);
    case 'where':
      return [...columns, ...PREDICATE_FUNCTIONS.map(functionItem), ...OPERATOR_KEYWORDS.map(keywordItem), ...clausesAfter('where')];
    case 'select':
      return [...columns, ...AGGREGATE_FUNCTIONS.map(functionItem), ...clausesAfter('select')];
    case 'group':
      return previous === 'group' ? [keywordItem('by')] : columns;
    case 'by':
      return [...columns, ...clausesAfter('by')];
    case 'sort':
      return [...columns, ...AGGREGATE_FUNCTIONS.map(functionItem), keywordItem('asc'), keywordItem('desc'), ...clausesAfter('sort')];
    default:
      // after `limit N`: what the statement takes after it (`to` for export)
      return clausesAfter(clause);
  }
}

/** whether any form of the statement's syntax has more than its word ('quit | exit' has none) */
function takesArguments(s: StatementHelp): boolean {
  return s.syntax.split('|').some((form) => form.trim().split(/\s+/).length > 1);
}

function uniqueColumns(tables: readonly Table[]): ColumnDef[] {
  const seen = new Map<string, ColumnDef>();
  for (const t of tables) for (const c of t.def.columns) if (!seen.has(c.name)) seen.set(c.name, c);
  return [...seen.values()];
}

function findColumn(catalog: Catalog, name: string): ColumnDef | undefined {
  const lower = name.toLowerCase();
  for (const t of catalog.tables) for (const c of t.def.columns) if (c.name.toLowerCase() === lower) return c;
  return undefined;
}

/** bit values in hex (matched by hex text or bit name) and named values of a column */
function valueItems(def: ColumnDef): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const b of def.bits ?? []) {
    items.push({ text: formatHex(b.value, def.type), kind: 'value', suffix: '', alias: b.name, detail: `${b.name}  ${b.description}` });
  }
  for (const [value, name] of Object.entries(def.valueNames ?? {})) {
    const number = isFlagType(def.type) ? formatHex(Number(value), def.type) : value;
    items.push({ text: name, kind: 'value', suffix: '', alias: number, detail: number });
  }
  return items;
}

function pathItems(word: string, ctx: CompletionContext, quoted: boolean): CompletionItem[] {
  const slash = word.lastIndexOf('/');
  const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
  const namePart = word.slice(slash + 1);
  const dir = dirPart.startsWith('~/') ? join(homedir(), dirPart.slice(2)) : dirPart.startsWith('/') ? dirPart : join(ctx.cwd, dirPart || '.');
  const entries = (ctx.listDir ?? defaultListDir)(dir)
    .filter((e) => e.name.startsWith(namePart) && (namePart.startsWith('.') || !e.name.startsWith('.')))
    .sort((a, b) => a.name.localeCompare(b.name));
  return entries.map((e): CompletionItem => ({
    text: dirPart + e.name + (e.isDirectory ? '/' : ''),
    kind: 'path',
    suffix: e.isDirectory ? '' : quoted ? '' : ' ',
  }));
}

function filter(items: readonly CompletionItem[], word: string): CompletionItem[] {
  const w = word.toLowerCase();
  const seen = new Set<string>();
  const out: CompletionItem[] = [];
  for (const item of items) {
    const matches = item.kind === 'path' || item.text.toLowerCase().startsWith(w) || (item.alias?.toLowerCase().startsWith(w) ?? false);
    if (matches && !seen.has(item.text)) { seen.add(item.text); out.push(item); }
  }
  return out;
}

function commonPrefix(texts: readonly string[]): string {
  if (texts.length === 0) return '';
  let prefix = texts[0]!;
  for (const t of texts) {
    let i = 0;
    while (i < prefix.length && i < t.length && prefix[i]!.toLowerCase() === t[i]!.toLowerCase()) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

/**
 * Applies a completion: a unique item replaces the word (with its suffix); several items extend the
 * word to their common prefix and are returned to be listed.
 */
export function applyCompletion(state: EditState, completion: Completion): { state: EditState; list: readonly CompletionItem[] } {
  const { start, end, items } = completion;
  if (items.length === 0) return { state, list: [] };
  if (items.length === 1) {
    const item = items[0]!;
    const after = state.text.slice(end);
    // no doubled space or parenthesis when the text after the cursor already has it
    const suffix = item.suffix && after.startsWith(item.suffix) ? '' : item.suffix;
    const next = replaceRange(state, start, end, item.text + suffix);
    return { state: suffix === '' && after.startsWith(item.suffix) && item.suffix ? { ...next, cursor: next.cursor + 1 } : next, list: [] };
  }
  const word = state.text.slice(start, end);
  const prefix = commonPrefix(items.map((i) => i.text));
  const next = prefix.length > word.length ? replaceRange(state, start, end, prefix) : state;
  return { state: next, list: items };
}
