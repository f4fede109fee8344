/** `help` and `help TOPIC`: statements, functions, tables and columns, all read from their declarations. */
import { STATEMENTS, OPERATORS } from '../query/language.ts';
import { FUNCTIONS } from '../query/functions.ts';
import { closestNames } from '../query/errors.ts';
import type { Catalog } from '../store/table.ts';
import { formatHex, isFlagType, type ColumnDef } from '../schema/types.ts';
import { STATEMENT_EXAMPLES } from './usage.ts';
import { CONCEPTS, conceptText, findConcept } from '../teach/concepts.ts';

export function helpText(topic: string | undefined, catalog: Catalog): string {
  if (!topic) return overview(catalog);
  const t = topic.trim();
  const key = t.toLowerCase();
  // a concept page takes its word (help tcp); the function of the same name stays reachable as help tcp()
  const concept = findConcept(key);
  if (concept) return conceptText(concept, catalog);
  const statement = STATEMENTS.find((s) => s.keyword.toLowerCase() === key);
  if (statement) {
    const ex = STATEMENT_EXAMPLES[statement.keyword];
    return `${statement.syntax}\n  ${statement.description}\n${ex ? `  e.g. ${ex}\n` : ''}`;
  }
  const fnName = key.endsWith('()') ? key.slice(0, -2) : key;
  const fn = FUNCTIONS.find((f) => f.name === fnName);
  if (fn) return `${fn.signature}\n  ${fn.description}\n${fn.uses ? `  reads: ${fn.uses.join(', ')}\n` : ''}`;
  const table = catalog.table(key);
  if (table) {
    const lines = [`${table.def.name}: ${table.def.description}`, ''];
    for (const c of table.def.columns) lines.push(`  ${c.name.padEnd(18)} ${typeText(c).padEnd(8)} ${c.description}`);
    return lines.join('\n') + '\n';
  }
  const columns = catalog.tables.flatMap((tb) => tb.def.columns.filter((c) => c.name.toLowerCase() === key).map((c) => ({ table: tb.def.name, def: c })));
  if (columns.length > 0) {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const { table: tn, def } of columns) {
      const sig = `${def.type}|${def.description}`;
      if (seen.has(sig)) { out.push(`  (also in ${tn})`); continue; }
      seen.add(sig);
      out.push(`${def.name} (${tn}, ${typeText(def)}${def.tranalyzer ? ', as in Tranalyzer' : ''})`, `  ${def.description}`);
      if (def.bits) {
        for (const b of def.bits) out.push(`  ${formatHex(b.value, def.type).padEnd(20)} ${b.name.padEnd(20)} ${b.description}`);
        out.push(`  try: explain ${def.name}=VALUE, bitsanyset(${def.name}, MASK)`);
      }
      if (def.valueNames) {
        for (const [v, name] of Object.entries(def.valueNames)) out.push(`  ${(isFlagType(def.type) ? formatHex(Number(v), def.type) : v).padEnd(8)} ${name}`);
      }
    }
    return out.join('\n') + '\n';
  }
  const candidates = [
    ...CONCEPTS.map((c) => c.topic),
    ...STATEMENTS.map((s) => s.keyword), ...FUNCTIONS.map((f) => f.name), ...catalog.tables.map((tb) => tb.def.name),
    ...catalog.tables.flatMap((tb) => tb.def.columns.map((c) => c.name)),
  ];
  const near = closestNames(t, candidates);
  return `no help on '${t}'${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; 'help' lists the topics\n`;
}

function typeText(c: ColumnDef): string {
  return c.repeated ? `${c.type}[]` : c.type;
}

function overview(catalog: Catalog): string {
  const lines = ['Statements:'];
  for (const s of STATEMENTS) if (s.keyword !== 'exit') lines.push(`  ${s.syntax}`, `      ${s.description}`);
  lines.push('', 'Operators:');
  for (const o of OPERATORS) lines.push(`  ${o.symbol.padEnd(22)} ${o.description}`);
  lines.push('', 'Functions:');
  for (const f of FUNCTIONS) lines.push(`  ${f.signature.padEnd(28)} ${f.description}`);
  lines.push('', 'Concepts (how the protocol looks on the wire, with statements to try):');
  for (const c of CONCEPTS) lines.push(`  help ${c.topic.padEnd(22)} ${c.title}`);
  lines.push('', `Tables: ${catalog.tables.map((t) => t.def.name).join(', ')}`);
  lines.push("help TOPIC explains a concept, statement, function (help tcp()), table or column (e.g. help flowStat); 'columns TABLE' lists columns.");
  return lines.join('\n') + '\n';
}
