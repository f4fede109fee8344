import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCatalog, MemoryTable } from '../store/memoryTable.ts';
import { executeStatement, executeStatementInterruptibly, parseStatement, StatementCancelled, type QueryResult } from './index.ts';
import { inSlices, runSteps, runStepsInterruptibly, sortSteps, type Steps } from './steps.ts';

/** a table big enough that every loop runs in many slices */
const ROWS = 120_000;
function bigCatalog(): MemoryCatalog {
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const port: number[] = [], bytes: number[] = [], name: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    port.push([21, 80, 443, 8080][Math.floor(random() * 4)]!);
    bytes.push(Math.floor(random() * 5000)); // many ties
    name.push(`host${Math.floor(random() * 300)}`);
  }
  const table = new MemoryTable({
    name: 'flows', description: 'synthetic',
    columns: [
      { name: 'dstPort', type: 'u16', description: '' },
      { name: 'numBytesSnt', type: 'u64', description: '' },
      { name: 'host', type: 'str', description: '' },
    ],
  }, { dstPort: port, numBytesSnt: bytes, host: name });
  return new MemoryCatalog([table]);
}

const cells = (r: QueryResult) => Array.from(r.rows, (row) => r.columns.map((c) => c.text(row)).join('|'));

test('sortSteps sorts like a native sort, in slices, on any length', () => {
  for (const n of [0, 1, 5000, 8192, 8193, 50_000, 70_001]) {
    const keys = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1013);
    const compare = (a: number, b: number) => keys[a]! - keys[b]! || a - b;
    const expected = Int32Array.from({ length: n }, (_, i) => i).sort(compare);
    let pauses = 0;
    const steps = sortSteps(Int32Array.from({ length: n }, (_, i) => i), compare);
    let r = steps.next();
    while (!r.done) { pauses++; r = steps.next(1000); }
    assert.deepEqual(r.value, expected, `n=${n}`);
    if (n > 8192) assert.ok(pauses >= Math.floor(n / 1000), `n=${n}: ${pauses} pauses`);
  }
});

test('inSlices covers every row once, in slices of the size the driver asks for', () => {
  const seen: [number, number][] = [];
  const steps = inSlices(10_000, (from, to) => { seen.push([from, to]); });
  steps.next();
  steps.next(3);
  steps.next(1);
  runSteps(steps);
  assert.deepEqual(seen.slice(0, 3), [[0, 1], [1, 4], [4, 5]]);
  assert.deepEqual(seen.at(-1), [5, 10_000]);
  assert.equal(seen.length, 4);
});

test('a query run interruptibly gives the same rows as a plain run: where, sort, top-N, group by', async () => {
  const catalog = bigCatalog();
  const never = new AbortController().signal;
  for (const text of [
    'flows where dstPort == 80 and numBytesSnt > 100',
    'flows where host ~ /7$/ sort numBytesSnt desc, host',
    'flows where dstPort != 21 sort numBytesSnt limit 25',
    'flows select host, count(), sum(numBytesSnt) group by host sort count desc, host',
    'flows sort host desc limit 3',
  ]) {
    const statement = parseStatement(text);
    const plain = executeStatement(statement, catalog)!;
    const sliced = (await executeStatementInterruptibly(statement, catalog, never))!;
    assert.deepEqual(cells(sliced), cells(plain), text);
    assert.equal(sliced.totalRows, plain.totalRows, text);
  }
});

test('Ctrl-C (an aborted signal) stops a running query at its next turn; later queries still run', async () => {
  const catalog = bigCatalog();
  const stop = new AbortController();
  // each row costs a real regex test: the statement would take many turns of the event loop
  const statement = parseStatement('flows where host ~ /^(\\w*\\d?\\w*)*x$/ sort host');
  const running = executeStatementInterruptibly(statement, catalog, stop.signal);
  setImmediate(() => stop.abort());
  await assert.rejects(running, StatementCancelled);
  // the shared selection vector was given back: the next run is whole and right
  const after = (await executeStatementInterruptibly(parseStatement('flows where dstPort == 443'), catalog, new AbortController().signal))!;
  assert.equal(after.totalRows, executeStatement(parseStatement('flows where dstPort == 443'), catalog)!.totalRows);
});

test('the interruptible driver lets the event loop in while a long loop runs', async () => {
  let turns = 0;
  const timer = setInterval(() => turns++, 1);
  function* busy(): Steps<number> {
    let slices = 0;
    const until = performance.now() + 300;
    while (performance.now() < until) { slices++; yield; }
    return slices;
  }
  await runStepsInterruptibly(busy(), new AbortController().signal, { turnMs: 10 });
  clearInterval(timer);
  assert.ok(turns >= 5, `timers ran ${turns} times during 300 ms of work`);
});
