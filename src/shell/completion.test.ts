import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaCatalog } from '../cli/schemaCatalog.ts';
import { FUNCTIONS } from '../query/index.ts';
import { formatHex } from '../schema/types.ts';
import { applyCompletion, complete, type CompletionContext } from './completion.ts';
import { withText } from './lineEditor.ts';

const files = new Map<string, { name: string; isDirectory: boolean }[]>([
  ['/cwd', [{ name: 'samples', isDirectory: true }, { name: 'smtp.pcap', isDirectory: false }, { name: '.hidden', isDirectory: false }]],
  ['/cwd/samples', [{ name: 'ftp.pcap', isDirectory: false }, { name: 'ftp.pcapng', isDirectory: false }]],
]);
const ctx: CompletionContext = { catalog: schemaCatalog(), cwd: '/cwd', listDir: (dir) => files.get(dir.replace(/\/$/, '')) ?? [] };
const texts = (text: string) => complete(text, text.length, ctx).items.map((i) => i.text);
const tabbed = (text: string) => applyCompletion(withText(text), complete(text, text.length, ctx));

test('the first word completes to statements and table names', () => {
  assert.deepEqual(texts('fl'), ['flows']);
  assert.deepEqual(texts('he'), ['help']);
  assert.ok(texts('').includes('packets') && texts('').includes('explain'));
  assert.equal(tabbed('pack').state.text, 'packets ');
});

test("after where/select/sort the table's own columns, and clause words after the table", () => {
  const flowColumns = schemaCatalog().table('flows')!.def.columns.map((c) => c.name);
  const packetOnly = schemaCatalog().table('packets')!.def.columns.map((c) => c.name).find((n) => !flowColumns.includes(n))!;
  assert.ok(texts('flows where ').includes('srcIP'));
  assert.ok(!texts('flows where ').includes(packetOnly), `${packetOnly} is not a flows column`);
  assert.ok(texts('packets sort ').includes(packetOnly));
  assert.deepEqual(texts('flows select numBytesS'), ['numBytesSnt']);
  assert.deepEqual(texts('flows '), ['where', 'select', 'group by', 'sort', 'limit']);
  assert.ok(texts('flows sort numBytesSnt ').includes('desc'));
  assert.equal(tabbed('flows where srcI').state.text, 'flows where srcIP ');
});

test('functions complete with their signature and an opening parenthesis', () => {
  const item = complete('flows where bitsany', 19, ctx).items;
  assert.equal(item.length, 1);
  assert.equal(item[0]!.detail?.startsWith(FUNCTIONS.find((f) => f.name === 'bitsanyset')!.signature), true);
  assert.equal(tabbed('flows where bitsany').state.text, 'flows where bitsanyset(');
  // aggregates after select, predicates after where
  assert.ok(texts('flows select ').includes('count'));
  assert.ok(!texts('flows where ').includes('count'));
});

test('several candidates extend the word to their common prefix and are listed', () => {
  const names = schemaCatalog().table('flows')!.def.columns.map((c) => c.name).filter((n) => n.startsWith('numH'));
  assert.ok(names.length >= 2, 'numHdrs and numHdrDesc');
  let prefix = names[0]!;
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const { state, list } = tabbed('flows where numH');
  assert.equal(state.text, `flows where ${prefix}`);
  assert.deepEqual(list.map((i) => i.text).sort(), [...names].sort());
});

test('explain COLUMN= offers bit values with their names', () => {
  const flowStat = schemaCatalog().table('flows')!.def.columns.find((c) => c.name === 'flowStat')!;
  const items = complete('explain flowStat=', 17, ctx).items;
  assert.equal(items.length, flowStat.bits!.length);
  assert.equal(items[0]!.text, formatHex(flowStat.bits![0]!.value, flowStat.type));
  assert.ok(items[0]!.detail!.startsWith(flowStat.bits![0]!.name));
  // a bit's name finds its value
  const bit = flowStat.bits![3]!;
  assert.deepEqual(texts(`explain flowStat=${bit.name.slice(0, 5).toLowerCase()}`).includes(formatHex(bit.value, flowStat.type)), true);
  assert.ok(texts('explain flow').includes('flowStat'));
});

test('file paths after load and to, directories with a slash, hidden files only when asked', () => {
  assert.deepEqual(texts('load '), ['samples/', 'smtp.pcap']);
  assert.deepEqual(texts('load s'), ['samples/', 'smtp.pcap']);
  assert.deepEqual(texts('load samples/ftp.pcapn'), ['samples/ftp.pcapng']);
  assert.deepEqual(texts('load .h'), ['.hidden']);
  assert.deepEqual(texts('flows where port(21) save to sm'), ['smtp.pcap']);
  assert.equal(tabbed('load sa').state.text, 'load samples/');
  assert.equal(tabbed('load smt').state.text, 'load smtp.pcap ');
});

test('help completes topics: statements, functions, tables and columns', () => {
  assert.ok(texts('help ').includes('bitsanyset'));
  assert.ok(texts('help ').includes('srcPort'));
  assert.deepEqual(texts('help hist'), ['history']);
  assert.deepEqual(texts('columns p'), ['packets']);
});

test('bit names complete inside the mask string of bitsanyset and bitsallset', () => {
  const flowStat = schemaCatalog().table('flows')!.def.columns.find((c) => c.name === 'flowStat')!;
  const all = texts('flows where bitsanyset(flowStat, "');
  assert.deepEqual(all, flowStat.bits!.map((b) => b.name));
  const bit = flowStat.bits![2]!;
  const partial = `flows where bitsallset(flowStat, "${flowStat.bits![0]!.name}|${bit.name.slice(0, -1).toLowerCase()}`;
  assert.ok(texts(partial).includes(bit.name));
  const { state } = tabbed(partial);
  assert.ok(state.text.startsWith(`flows where bitsallset(flowStat, "${flowStat.bits![0]!.name}|`));
});

test('save and export: the tables they take, then that table\'s clauses and columns, then to and a path', () => {
  assert.deepEqual(texts('save '), ['flows', 'packets'], 'save writes packets: only packets and flows');
  assert.ok(texts('export ').includes('ftp') && texts('export ').includes('flows'));
  assert.deepEqual(texts('save flows '), ['where', 'to']);
  assert.ok(texts('save packets where ').includes('tcpFlags') && texts('save packets where ').includes('to'));
  assert.ok(!texts('save flows where ').includes('pktNo'), 'flows columns after save flows where');
  assert.deepEqual(texts('export flows '), ['where', 'select', 'group by', 'sort', 'limit', 'to']);
  assert.ok(texts('export flows select srcIP, ').includes('numBytesSnt') && texts('export flows select srcIP ').includes('to'));
  assert.ok(texts('export flows sort flowInd ').includes('to'));
  assert.deepEqual(texts('export flows where tcp() to sm'), ['smtp.pcap']);
  assert.equal(tabbed('save pa').state.text, 'save packets ');
});

test('carve: where reads the files table, then to and a path', () => {
  const fileColumns = schemaCatalog().table('files')!.def.columns.map((c) => c.name);
  assert.deepEqual(texts('carve '), ['where', 'to']);
  assert.deepEqual(texts('carve where verd'), fileColumns.filter((n) => n.startsWith('verd')));
  assert.ok(texts('carve where verdict == "complete" ').includes('to'));
  assert.deepEqual(texts('carve where verdict == "complete" to sa'), ['samples/']);
});

test('a statement word gets a space after it only when the statement takes more words', () => {
  assert.equal(tabbed('repo').state.text, 'report');
  assert.equal(tabbed('qui').state.text, 'quit');
  assert.equal(tabbed('hel').state.text, 'help ');
  assert.equal(tabbed('carv').state.text, 'carve ');
});
