// Every topic that Tab offers after `help` has a help entry, drawn from the schema and language tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helpText } from '../cli/help.ts';
import { schemaCatalog } from '../cli/schemaCatalog.ts';
import { FUNCTIONS, STATEMENT_KEYWORDS } from '../query/index.ts';
import { complete } from './completion.ts';

test('help has an entry for every statement, function, table and column that completion offers', () => {
  const catalog = schemaCatalog();
  const topics = complete('help ', 5, { catalog, cwd: '/' }).items.map((i) => i.text);
  const columns = catalog.tables.flatMap((t) => t.def.columns.map((c) => c.name));
  for (const expected of [...STATEMENT_KEYWORDS, ...FUNCTIONS.map((f) => f.name), ...catalog.tables.map((t) => t.def.name), ...columns]) {
    assert.ok(topics.includes(expected), `Tab after help offers ${expected}`);
  }
  for (const topic of topics) {
    const text = helpText(topic, catalog);
    assert.doesNotMatch(text, /^no help on/, topic);
    assert.ok(text.trim().split('\n').length >= 2, `help ${topic} says more than its name`);
  }
});
