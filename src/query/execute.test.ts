import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from './errors.ts';
import { executeStatement, parseStatement, runStatement, type QueryResult } from './index.ts';
import { FLOW_COLUMNS, FLOW_ROWS, PACKET_COLUMNS, testCatalog, type FlowRow } from './testTables.ts';

const catalog = testCatalog();

function run(text: string): QueryResult {
  const result = executeStatement(parseStatement(text), catalog);
  assert.ok(result, `${text} produced no result`);
  return result;
}

/** the result as text cells, header first */
function cells(result: QueryResult): string[][] {
  return [
    result.columns.map((c) => c.def.name),
    ...Array.from(result.rows, (row) => result.columns.map((c) => c.text(row))),
  ];
}

function failure(text: string): QueryError {
  try {
    run(text);
  } catch (e) {
    assert.ok(e instanceof QueryError, `expected QueryError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected '${text}' to fail`);
}

const indices = (rows: readonly FlowRow[]) => rows.map((r) => FLOW_ROWS.indexOf(r));

test('select picks columns in the given order; select * and no select give all columns', () => {
  const r = run('flows where dstPort == 21 select flowInd, dir, srcIP, tcpFlags, flowStat');
  assert.deepEqual(cells(r), [
    ['flowInd', 'dir', 'srcIP', 'tcpFlags', 'flowStat'],
    ['1', 'A', '192.0.2.10', '0x011b', '0x0400000000004000'],
    ['7', 'A', '192.0.2.10', '0x0416', '0x0400100000004000'],
    ['9', 'A', '192.0.2.12', '0x0119', '0x0400000000004000'],
  ]);
  assert.equal(r.totalRows, 3);
  assert.deepEqual(run('flows select *').columns.map((c) => c.def.name), FLOW_COLUMNS.map((c) => c.name));
  const all = run('flows');
  assert.equal(all.rowCount, FLOW_ROWS.length);
  assert.deepEqual(Array.from(all.rows), FLOW_ROWS.map((_, i) => i));
  assert.deepEqual(run('flows select srcPort, *').columns.length, FLOW_COLUMNS.length + 1);
});

test('sort: typed keys, asc/desc, several keys, ties in row order', () => {
  const byBytes = [...FLOW_ROWS].sort((a, b) => b.numBytesSnt - a.numBytesSnt || FLOW_ROWS.indexOf(a) - FLOW_ROWS.indexOf(b));
  assert.deepEqual(Array.from(run('flows sort numBytesSnt desc').rows), indices(byBytes));
  const byPktsThenSrc = [...FLOW_ROWS].sort((a, b) =>
    a.numPktsSnt - b.numPktsSnt || a.srcPort - b.srcPort || FLOW_ROWS.indexOf(a) - FLOW_ROWS.indexOf(b));
  assert.deepEqual(Array.from(run('flows sort numPktsSnt asc, srcPort').rows), indices(byPktsThenSrc));
  // flowStat: 64-bit unsigned order, 0x84.. is the largest
  const byStat = [...FLOW_ROWS].sort((a, b) => (a.flowStat < b.flowStat ? 1 : a.flowStat > b.flowStat ? -1 : FLOW_ROWS.indexOf(a) - FLOW_ROWS.indexOf(b)));
  assert.deepEqual(Array.from(run('flows sort flowStat desc').rows), indices(byStat));
  // addresses: IPv4 before IPv6, then by bytes
  const srcOrder = Array.from(run('flows sort srcIP, flowInd').rows, (r) => FLOW_ROWS[r]!.srcIP.toString());
  assert.deepEqual(srcOrder, ['192.0.2.10', '192.0.2.10', '192.0.2.10', '192.0.2.11', '192.0.2.12', '192.0.2.20', '192.0.2.20',
    '192.0.2.30', '192.0.2.53', '2001:db8::1', '2001:db8:1::5']);
  const orgs = Array.from(run('flows sort srcIPOrg desc limit 2').rows, (r) => FLOW_ROWS[r]!.srcIPOrg);
  assert.deepEqual(orgs, ['examples\tinc', 'Private network']);
});

test('limit: first rows without sort, top-N equal to the full sort with sort; totalRows counts matches', () => {
  const first = run('flows where tcp() limit 2');
  assert.deepEqual(Array.from(first.rows), [0, 1]);
  assert.equal(first.totalRows, FLOW_ROWS.filter((r) => r.l4Proto === 6).length);
  for (const [sort, n] of [['numBytesSnt desc', 3], ['numPktsSnt', 4], ['srcIP desc, dstPort', 5], ['flowStat', 2], ['tcpFlags desc', 0]] as const) {
    const full = Array.from(run(`flows where srcPort != 53 sort ${sort}`).rows);
    const top = run(`flows where srcPort != 53 sort ${sort} limit ${n}`);
    assert.deepEqual(Array.from(top.rows), full.slice(0, n), sort);
    assert.equal(top.totalRows, full.length);
  }
});

test('group by with every aggregate, compared with a reference computation', () => {
  const r = run('flows where ipv4() select srcIP, count(), sum(numBytesSnt), min(numBytesSnt), max(tcpFlags), avg(numPktsSnt), '
    + 'countdistinct(dstPort) group by srcIP sort count desc, srcIP');
  const groups = new Map<string, FlowRow[]>();
  for (const row of FLOW_ROWS.filter((f) => !f.srcIP.isV6)) {
    const key = row.srcIP.toString();
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const expected = [...groups.entries()]
    .sort(([a, x], [b, y]) => y.length - x.length || FLOW_ROWS.find((f) => f.srcIP.toString() === a)!.srcIP.compare(
      FLOW_ROWS.find((f) => f.srcIP.toString() === b)!.srcIP))
    .map(([key, rows]) => {
      const avg = rows.reduce((s, f) => s + f.numPktsSnt, 0) / rows.length;
      return [
        key, String(rows.length), String(rows.reduce((s, f) => s + f.numBytesSnt, 0)),
        String(Math.min(...rows.map((f) => f.numBytesSnt))),
        '0x' + Math.max(...rows.map((f) => f.tcpFlags)).toString(16).padStart(4, '0'),
        Number.isInteger(avg) ? String(avg) : avg.toFixed(6).replace(/0+$/, ''),
        String(new Set(rows.map((f) => f.dstPort)).size),
      ];
    });
  assert.deepEqual(cells(r), [
    ['srcIP', 'count', 'sum(numBytesSnt)', 'min(numBytesSnt)', 'max(tcpFlags)', 'avg(numPktsSnt)', 'countdistinct(dstPort)'],
    ...expected,
  ]);
  assert.equal(r.totalRows, groups.size);
  // min/max keep the column's type: max(tcpFlags) prints as h16 hex, json as a number
  assert.equal(r.columns[4]!.def.type, 'h16');
  assert.equal(r.columns[2]!.json(r.rows[0]!), String(640 + 45 + 180));
});

test('aggregates without group by give one row, also when nothing matches', () => {
  assert.deepEqual(cells(run('flows where tcp() select count(), sum(numBytesSnt), max(srcIP)')), [
    ['count', 'sum(numBytesSnt)', 'max(srcIP)'],
    [String(FLOW_ROWS.filter((f) => f.l4Proto === 6).length),
      String(FLOW_ROWS.filter((f) => f.l4Proto === 6).reduce((s, f) => s + f.numBytesSnt, 0)), '2001:db8::1'],
  ]);
  assert.deepEqual(cells(run('flows where srcPort == 9 select count(), sum(numBytesSnt), max(numBytesSnt), avg(duration)')), [
    ['count', 'sum(numBytesSnt)', 'max(numBytesSnt)', 'avg(duration)'],
    ['0', '0', '', ''],
  ]);
});

test('group by without select shows the groups and count; several group columns; sort by an unselected aggregate', () => {
  assert.deepEqual(cells(run('flows group by l4Proto sort count desc, l4Proto')), [
    ['l4Proto', 'count'], ['6', '7'], ['17', '2'], ['1', '1'], ['58', '1'],
  ]);
  assert.deepEqual(cells(run('flows where udp() or dstPort == 21 group by dir, l4Proto')), [
    ['dir', 'l4Proto', 'count'], ['A', '6', '3'], ['A', '17', '1'], ['B', '17', '1'],
  ]);
  assert.deepEqual(cells(run('flows select dstIP group by dstIP sort sum(numBytesSnt) desc limit 2')), [
    ['dstIP'], ['192.0.2.10'], ['192.0.2.20'],
  ]);
  const top = run('flows select srcIP, sum(numBytesSnt) group by srcIP sort sum(numBytesSnt) desc limit 1');
  assert.deepEqual(cells(top), [['srcIP', 'sum(numBytesSnt)'], ['192.0.2.20', '101210']]);
  assert.equal(top.totalRows, 8);
});

test('explain flowStat=0x0400000000004001 lists the set bits like tawk -V', () => {
  const r = run('explain flowStat=0x0400000000004001');
  assert.equal(r.title, 'The flowStat column with value 0x0400000000004001 is to be interpreted as follows:');
  assert.deepEqual(cells(r), [
    ['bit', 'flowStat', 'name', 'description'],
    ['0', '0x0000000000000001', 'INVERTED', 'inverted flow: did not initiate the connection'],
    ['14', '0x0000000000004000', 'IPV4', 'IPv4 flow'],
    ['58', '0x0400000000000000', 'IPV4_PKT', 'IPv4 packet'],
  ]);
  assert.equal(r.columns[1]!.json(r.rows[2]!), String(0x0400000000000000n));
});

test('explain: unknown bits, the whole table, zero, value names, other tables', () => {
  assert.deepEqual(cells(run('explain flowStat 0x8000000000204000')).slice(1), [
    ['14', '0x0000000000004000', 'IPV4', 'IPv4 flow'],
    ['21', '0x0000000000200000', '?', 'unknown bit: not in the flowStat bit table'],
    ['63', '0x8000000000000000', '?', 'unknown bit: not in the flowStat bit table'],
  ]);
  const whole = run('explain flowStat');
  assert.equal(whole.rowCount, 7);
  assert.equal(whole.title, 'The flowStat column has the following bits:');
  assert.equal(run('explain flowStat=0').rowCount, 0);
  assert.deepEqual(cells(run('explain $tcpFlags 0x0212')), [
    ['bit', 'tcpFlags', 'name', 'description'],
    ['1', '0x0002', 'SYN', 'SYN'], ['4', '0x0010', 'ACK', 'ACK'], ['9', '0x0200', 'SYN_ACK', 'SYN-ACK'],
  ]);
  assert.deepEqual(cells(run('explain l4Proto=6')), [['l4Proto', 'name'], ['6', 'tcp']]);
  assert.deepEqual(cells(run('explain l4Proto udp')), [['l4Proto', 'name'], ['17', 'udp']]);
  assert.deepEqual(cells(run('explain l4Proto=99')), [['l4Proto', 'name'], ['99', 'unknown']]);
  assert.deepEqual(cells(run('explain l4Proto')).map((row) => row[1]), ['name', 'icmp', 'tcp', 'udp', 'icmpv6']);
  assert.deepEqual(cells(run('explain ipFlags=0x40')), [['bit', 'ipFlags', 'name', 'description'], ['6', '0x0040', 'DF', "don't fragment"]]);
  assert.equal(failure('explain srcPort').message, 'srcPort has no bit table or value names to explain');
  assert.equal(failure('explain flwStat').message, "unknown column 'flwStat'; did you mean flowStat?");
  assert.match(failure('explain flowStat="x"').message, /explain needs a non-negative integer value/);
  assert.match(failure('explain l4Proto=tpc').message, /'tpc' is not a value name of l4Proto; did you mean tcp\?/);
});

test('columns lists name, type and description of one or all tables', () => {
  const all = run('columns');
  assert.equal(all.rowCount, FLOW_COLUMNS.length + PACKET_COLUMNS.length);
  const packets = cells(run('columns packets'));
  assert.deepEqual(packets[0], ['table', 'name', 'type', 'description']);
  assert.deepEqual(packets.slice(1).map((r) => r[1]), PACKET_COLUMNS.map((c) => c.name));
  assert.deepEqual(cells(all).find((r) => r[1] === 'vlanID'), ['flows', 'vlanID', 'R(u16)', 'VLAN ids']);
  assert.equal(failure('columns pakets').message, "unknown table or command 'pakets'; did you mean packets?");
});

test('query errors: unknown table, grouping and aggregate misuse', () => {
  assert.equal(failure('flowz where tcp()').message, "unknown table or command 'flowz'; did you mean flows?");
  assert.match(failure('xyzzy').message, /unknown table or command 'xyzzy'; tables: flows, packets/);
  assert.match(failure('flows select srcPort, count() group by srcIP').message, /srcPort is neither grouped nor aggregated/);
  assert.match(failure('flows select sum(srcIP)').message, /sum\(\): srcIP is not a numeric column/);
  assert.match(failure('flows select avg(vlanID)').message, /avg\(\): vlanID is a list column/);
  assert.match(failure('flows select tcp()').message, /tcp\(\) is a condition, not an aggregate/);
  assert.match(failure('flows select count(srcIP)').message, /count\(\) takes no arguments/);
  assert.match(failure('flows select sum()').message, /sum\(\) needs a column/);
  assert.match(failure('flows select * group by srcIP').message, /select \* cannot be combined/);
  assert.match(failure('flows select srcIP group by srcIP sort dstIP').message, /cannot sort by dstIP/);
  const e = failure('flows select srcIP, sum(numBytes) group by srcIP');
  assert.equal(e.message, "unknown column 'numBytes' in table flows; did you mean numBytesSnt?");
  assert.equal(e.offset, 'flows select srcIP, sum('.length);
  assert.match(failure('flows sort srcPrt').message, /did you mean srcPort\?/);
});

test('shell statements are parsed but not executed here', () => {
  for (const text of ['report', 'help port', 'load x.pcap', 'quit', 'history', 'clear']) {
    const { statement, result } = runStatement(text, catalog);
    assert.equal(result, undefined);
    assert.equal(statement.text, text);
  }
  assert.equal(runStatement('flows limit 1', catalog).result!.rowCount, 1);
});
