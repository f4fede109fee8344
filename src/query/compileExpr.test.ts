import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpAddr } from '../store/value.ts';
import { QueryError } from './errors.ts';
import { compileFilter, FUNCTIONS, parseStatement, STATEMENT_KEYWORDS } from './index.ts';
import { filterOf } from './predicates.ts';
import { FLOW_ROWS, flowsTable, packetsTable, type FlowRow } from './testTables.ts';

const flows = flowsTable();

/** rows passing the compiled expression; the per-row test and the selection-vector filter must agree */
function matching(expression: string, table = flows): number[] {
  const predicate = compileFilter(expression, table);
  const out: number[] = [];
  for (let r = 0; r < table.rowCount; r++) if (predicate(r)) out.push(r);
  // filter a selection that skips row 1, so filters are also checked on a partial selection
  const selection = Int32Array.from({ length: table.rowCount }, (_, i) => i).filter((r) => r !== 1);
  const kept = filterOf(predicate)(selection, selection.length);
  assert.deepEqual(Array.from(selection.subarray(0, kept)), out.filter((r) => r !== 1), `filter form of ${expression}`);
  return out;
}

/** row indices where the reference predicate holds; must select some rows but not all */
function reference(test: (row: FlowRow) => boolean): number[] {
  const rows = FLOW_ROWS.flatMap((row, i) => (test(row) ? [i] : []));
  assert.ok(rows.length > 0 && rows.length < FLOW_ROWS.length, 'a meaningful case selects some rows, not all');
  return rows;
}

function check(expression: string, test: (row: FlowRow) => boolean): void {
  assert.deepEqual(matching(expression), reference(test), expression);
}

const ip = (text: string) => IpAddr.parse(text)!;
const inPrefix = (a: IpAddr, prefix: string) => {
  const [address, bits] = prefix.split('/');
  return a.inPrefix(ip(address!), Number(bits));
};

function failure(expression: string, table = flows): QueryError {
  try {
    compileFilter(expression, table);
  } catch (e) {
    assert.ok(e instanceof QueryError, `expected QueryError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected '${expression}' to fail`);
}

test('numeric comparisons: == = != < <= > >= and $name', () => {
  check('srcPort == 21', (r) => r.srcPort === 21);
  check('$dstPort = 21', (r) => r.dstPort === 21);
  check('dstPort != 21', (r) => r.dstPort !== 21);
  check('numBytesSnt < 200', (r) => r.numBytesSnt < 200);
  check('numBytesSnt <= 192', (r) => r.numBytesSnt <= 192);
  check('numPktsSnt > 10', (r) => r.numPktsSnt > 10);
  check('numPktsSnt >= 10', (r) => r.numPktsSnt >= 10);
  check('21 == dstPort', (r) => r.dstPort === 21);
  check('1000 < numBytesSnt', (r) => r.numBytesSnt > 1000);
  check('srcPort >= dstPort', (r) => r.srcPort >= r.dstPort);
  check('srcPort < dstPort', (r) => r.srcPort < r.dstPort);
});

test('64-bit flowStat compares exactly, beyond 2^53', () => {
  check('flowStat == 0x0400000000004001', (r) => r.flowStat === 0x0400000000004001n);
  check('flowStat == 0x8400000000004000', (r) => r.flowStat === 0x8400000000004000n);
  // a float comparison could not tell these apart from 0x8400000000004000
  assert.deepEqual(matching('flowStat == 0x8400000000004001'), []);
  assert.deepEqual(matching('flowStat == 0x8400000000004002'), []);
  check('flowStat != 0x0400000000004000', (r) => r.flowStat !== 0x0400000000004000n);
  check('flowStat > 0x0800000000000000', (r) => r.flowStat > 0x0800000000000000n);
  check('flowStat <= 0x0400000000004001', (r) => r.flowStat <= 0x0400000000004001n);
  check('flowStat < 0x0400100000004000', (r) => r.flowStat < 0x0400100000004000n);
});

test('bit operators & | ^ ~ on 16- and 64-bit flag columns', () => {
  check('flowStat & 0x4000 != 0', (r) => (r.flowStat & 0x4000n) !== 0n);
  check('flowStat & 0x0000100000000000', (r) => (r.flowStat & 0x0000100000000000n) !== 0n);
  check('(flowStat & 0x4001) == 0x4001', (r) => (r.flowStat & 0x4001n) === 0x4001n);
  check('flowStat & 0x8000000000000000 == 0x8000000000000000', (r) => (r.flowStat & 0x8000000000000000n) !== 0n);
  check('flowStat & 0x0c00000000000000 == 0x0800000000000000', (r) => (r.flowStat & 0x0c00000000000000n) === 0x0800000000000000n);
  check('flowStat ^ 0x1 == 0x0400000000004000', (r) => (r.flowStat ^ 1n) === 0x0400000000004000n);
  check('flowStat | 0x1 == 0x0400000000004001', (r) => (r.flowStat | 1n) === 0x0400000000004001n);
  check('~flowStat & 0x4000', (r) => (~r.flowStat & 0x4000n) !== 0n);
  check('tcpFlags & 0x0002', (r) => (r.tcpFlags & 2) !== 0);
  check('tcpFlags & ~0x0010 == 0x0002', (r) => (r.tcpFlags & ~0x10) === 0x0002);
  check('tcpFlags | 0x0100 == 0x011b', (r) => (r.tcpFlags | 0x100) === 0x011b);
  check('tcpFlags ^ 0x0008 == 0x0113', (r) => (r.tcpFlags ^ 8) === 0x0113);
  check('~tcpFlags & 0x0002 == 0', (r) => (~r.tcpFlags & 2) === 0);
  check('(tcpFlags & 0xff) > 0x13', (r) => (r.tcpFlags & 0xff) > 0x13);
  check('tcpFlags & (0x0001 | 0x0004)', (r) => (r.tcpFlags & 5) !== 0);
  check('(flowStat & 0xc000) >= 0x8000', (r) => (r.flowStat & 0xc000n) >= 0x8000n);
});

test('logic: and or not && || ! and parentheses', () => {
  check('srcPort == 21 or dstPort == 53 or l4Proto == 58', (r) => r.srcPort === 21 || r.dstPort === 53 || r.l4Proto === 58);
  check('not (udp() or icmp6()) and (dstPort == 21 or not tcp())', (r) =>
    r.l4Proto !== 17 && r.l4Proto !== 58 && (r.dstPort === 21 || r.l4Proto !== 6));
  check('tcp() and dstPort == 21 or udp()', (r) => (r.l4Proto === 6 && r.dstPort === 21) || r.l4Proto === 17);
  check('tcp() && (dstPort == 21 || srcPort == 21)', (r) => r.l4Proto === 6 && (r.dstPort === 21 || r.srcPort === 21));
  check('not tcp()', (r) => r.l4Proto !== 6);
  check('!tcp() && !udp()', (r) => r.l4Proto !== 6 && r.l4Proto !== 17);
  check('not (srcPort == 21 or dstPort == 21) and tcp()', (r) => r.l4Proto === 6 && r.srcPort !== 21 && r.dstPort !== 21);
  check('tcp() and numPktsSnt > 2 and numBytesSnt < 1000 and dstPort == 21',
    (r) => r.l4Proto === 6 && r.numPktsSnt > 2 && r.numBytesSnt < 1000 && r.dstPort === 21);
});

test('in lists, not in, value names, ADDR in PREFIX', () => {
  check('dstPort in (21, 20, 53)', (r) => [21, 20, 53].includes(r.dstPort));
  check('dstPort not in (21, 20, 53)', (r) => ![21, 20, 53].includes(r.dstPort));
  check('l4Proto in ("udp", "ICMP")', (r) => r.l4Proto === 17 || r.l4Proto === 1);
  check('l4Proto == "tcp"', (r) => r.l4Proto === 6);
  check('srcIP in 192.0.2.0/24', (r) => inPrefix(r.srcIP, '192.0.2.0/24'));
  check('srcIP in 192.0.2.8/29', (r) => inPrefix(r.srcIP, '192.0.2.8/29'));
  check('srcIP in 2001:db8::/32', (r) => inPrefix(r.srcIP, '2001:db8::/32'));
  check('srcIP in (192.0.2.10, 2001:db8:1::/48)', (r) => r.srcIP.equals(ip('192.0.2.10')) || inPrefix(r.srcIP, '2001:db8:1::/48'));
  check('srcIP not in 192.0.2.0/24', (r) => !inPrefix(r.srcIP, '192.0.2.0/24'));
  check('dir in ("B")', (r) => r.dir === 'B');
  check('flowStat in (0x0400000000004001, 0x8400000000004000)', (r) => r.flowStat === 0x0400000000004001n || r.flowStat === 0x8400000000004000n);
  check('vlanID in (20, 30)', (r) => r.vlanID.includes(20) || r.vlanID.includes(30));
});

test('addresses: equality, order within a family, families never mix, strings as addresses', () => {
  check('srcIP == 192.0.2.10', (r) => r.srcIP.equals(ip('192.0.2.10')));
  check('srcIP == "192.0.2.10"', (r) => r.srcIP.equals(ip('192.0.2.10')));
  check('dstIP == 2001:db8::1', (r) => r.dstIP.equals(ip('2001:db8::1')));
  check('dstIP == 2001:DB8:0:0:0:0:0:1', (r) => r.dstIP.equals(ip('2001:db8::1')));
  // IPv6 rows are neither equal nor unequal to an IPv4 address
  check('srcIP != 192.0.2.10', (r) => !r.srcIP.isV6 && !r.srcIP.equals(ip('192.0.2.10')));
  check('srcIP < 192.0.2.12', (r) => !r.srcIP.isV6 && r.srcIP.compare(ip('192.0.2.12')) < 0);
  check('srcIP >= 2001:db8::1', (r) => r.srcIP.isV6 && r.srcIP.compare(ip('2001:db8::1')) >= 0);
  check('srcIP == 192.0.2.0/28', (r) => inPrefix(r.srcIP, '192.0.2.0/28'));
  check('srcIP == dstIP or dstIP == 192.0.2.53', (r) => r.dstIP.equals(ip('192.0.2.53')));
  check('srcIP != dstIP and dstIP == 192.0.2.10', (r) => r.dstIP.equals(ip('192.0.2.10')));
});

test('MACs compare case-insensitively; list columns match if any item matches', () => {
  check('srcMac == aa:bb:cc:dd:ee:ff', (r) => r.srcMac.some((m) => m.toLowerCase() === 'aa:bb:cc:dd:ee:ff'));
  check('srcMac == AA:BB:CC:DD:EE:FF', (r) => r.srcMac.some((m) => m.toLowerCase() === 'aa:bb:cc:dd:ee:ff'));
  check('srcMac == "Aa:bB:cc:dd:ee:ff"', (r) => r.srcMac.some((m) => m.toLowerCase() === 'aa:bb:cc:dd:ee:ff'));
  check('srcMac == 02:00:00:00:00:01', (r) => r.srcMac.includes('02:00:00:00:00:01'));
  check('vlanID == 10', (r) => r.vlanID.includes(10));
  check('vlanID > 15', (r) => r.vlanID.some((v) => v > 15));
  check('vlanID != 10', (r) => r.vlanID.some((v) => v !== 10));
  check('hdrDesc == "eth:ipv4:udp"', (r) => r.hdrDesc.includes('eth:ipv4:udp'));
  check('vlanID', (r) => r.vlanID.length > 0);
});

test('strings: case-sensitive comparisons, regex ~ and !~ (also on lists and non-text columns)', () => {
  check('srcIPOrg == "Example Org"', (r) => r.srcIPOrg === 'Example Org');
  assert.deepEqual(matching('srcIPOrg == "example org"'), []);
  check('srcIPOrg != "Private network"', (r) => r.srcIPOrg !== 'Private network');
  check('srcIPOrg > "F"', (r) => r.srcIPOrg > 'F');
  check('srcIPOrg ~ /^Ex/', (r) => /^Ex/.test(r.srcIPOrg));
  check('srcIPOrg ~ /^ex/i', (r) => /^ex/i.test(r.srcIPOrg));
  check('srcIPOrg !~ /Private/', (r) => !/Private/.test(r.srcIPOrg));
  check('srcIPOrg ~ "\\t"', (r) => r.srcIPOrg.includes('\t'));
  check('hdrDesc ~ "vlan"', (r) => r.hdrDesc.some((h) => h.includes('vlan')));
  check('srcIP ~ /^2001:/', (r) => r.srcIP.toString().startsWith('2001:'));
  check('tcpFlags ~ /^0x03/', (r) => r.tcpFlags >= 0x300 && r.tcpFlags < 0x400);
  check('dir == "A" and srcIPOrg', (r) => r.dir === 'A' && r.srcIPOrg !== '');
});

test('time columns compare as seconds', () => {
  check('timeFirst > 1700000005', (r) => r.timeFirst > 1700000005);
  check('timeFirst == 1700000001.25', (r) => r.timeFirst === 1700000001.25);
  check('duration >= 6', (r) => r.duration >= 6);
});

test('bitsanyset / bitsallset with numbers, constant expressions and bit names', () => {
  check('bitsanyset(flowStat, 0x0000100000000000 | 0x1)', (r) => (r.flowStat & 0x0000100000000001n) !== 0n);
  check('bitsallset(flowStat, 0x0400000000004001)', (r) => (r.flowStat & 0x0400000000004001n) === 0x0400000000004001n);
  check('bitsallset($flowStat, 0x8400000000000000)', (r) => (r.flowStat & 0x8400000000000000n) === 0x8400000000000000n);
  check('bitsanyset(flowStat, "IPV6|DUP_IPID")', (r) => (r.flowStat & 0x0000100000008000n) !== 0n);
  check('bitsanyset(tcpFlags, 0x0400)', (r) => (r.tcpFlags & 0x400) !== 0);
  check('bitsallset(tcpFlags, 0x0012)', (r) => (r.tcpFlags & 0x12) === 0x12);
  check('bitsanyset(vlanID, 0x10)', (r) => r.vlanID.some((v) => (v & 0x10) !== 0));
  check('bitsanyset(numBytesSnt, 0x10000)', (r) => (r.numBytesSnt & 0x10000) !== 0);
});

test('flow, host, shost, dhost, port, sport, dport, proto', () => {
  check('flow("1-3;5")', (r) => (r.flowInd >= 1 && r.flowInd <= 3) || r.flowInd === 5);
  check('flow(7)', (r) => r.flowInd === 7);
  check('flow("2,4")', (r) => r.flowInd === 2 || r.flowInd === 4);
  check('host(192.0.2.53)', (r) => r.srcIP.equals(ip('192.0.2.53')) || r.dstIP.equals(ip('192.0.2.53')));
  check('host(2001:db8::/32)', (r) => r.srcIP.isV6 || r.dstIP.isV6);
  check('host("2001:db8::1")', (r) => r.srcIP.equals(ip('2001:db8::1')) || r.dstIP.equals(ip('2001:db8::1')));
  check('shost(192.0.2.8/29)', (r) => inPrefix(r.srcIP, '192.0.2.8/29'));
  check('dhost(192.0.2.20)', (r) => r.dstIP.equals(ip('192.0.2.20')));
  check('port("20,21")', (r) => [20, 21].includes(r.srcPort) || [20, 21].includes(r.dstPort));
  check('port("1024-65535")', (r) => r.srcPort >= 1024 || r.dstPort >= 1024);
  check('port(53)', (r) => r.srcPort === 53 || r.dstPort === 53);
  check('sport(21)', (r) => r.srcPort === 21);
  check('dport("8000-9000;443")', (r) => (r.dstPort >= 8000 && r.dstPort <= 9000) || r.dstPort === 443);
  check('proto(17)', (r) => r.l4Proto === 17);
  check('proto("1,58")', (r) => r.l4Proto === 1 || r.l4Proto === 58);
});

test('tcp udp icmp icmp6, ipv4/ipv6 from flowStat or from srcIP', () => {
  check('tcp()', (r) => r.l4Proto === 6);
  check('udp()', (r) => r.l4Proto === 17);
  check('icmp()', (r) => r.l4Proto === 1);
  check('icmp6()', (r) => r.l4Proto === 58);
  check('ipv4()', (r) => (r.flowStat & 0x4000n) !== 0n);
  check('ipv6()', (r) => (r.flowStat & 0x8000n) !== 0n);
  const packets = packetsTable();
  assert.deepEqual(matching('ipv4()', packets), [0, 2]);
  assert.deepEqual(matching('ipv6()', packets), [1]);
});

test('contains, hasprefix, hassuffix (lists, case-sensitive, non-text columns via their text)', () => {
  check('contains(hdrDesc, "icmp")', (r) => r.hdrDesc.some((h) => h.includes('icmp')));
  check('contains(srcIPOrg, "Org")', (r) => r.srcIPOrg.includes('Org'));
  assert.deepEqual(matching('contains(srcIPOrg, "org")'), []);
  check('hasprefix(srcIPOrg, "Priv")', (r) => r.srcIPOrg.startsWith('Priv'));
  check('hassuffix(srcIPOrg, "Org")', (r) => r.srcIPOrg.endsWith('Org'));
  check('contains(srcIP, "db8:1")', (r) => r.srcIP.toString().includes('db8:1'));
  check('hassuffix(tcpFlags, "1b")', (r) => (r.tcpFlags & 0xff) === 0x1b);
});

test('tcpflags("SA!R"): letters before ! all set, after ! none set', () => {
  const has = (r: FlowRow, bits: number) => (r.tcpFlags & bits) === bits;
  check('tcpflags("SA!R")', (r) => has(r, 0x12) && (r.tcpFlags & 0x04) === 0);
  check('tcpflags("R")', (r) => has(r, 0x04));
  check('tcpflags("S!A")', (r) => has(r, 0x02) && (r.tcpFlags & 0x10) === 0);
  check('tcpflags("!S")', (r) => (r.tcpFlags & 0x02) === 0);
  check('tcpflags("fpa")', (r) => has(r, 0x19));
});

test('errors: unknown names with suggestions, arity, argument types, table capabilities', () => {
  const unknownColumn = failure('srcPrt == 21');
  assert.equal(unknownColumn.message, "unknown column 'srcPrt' in table flows; did you mean srcPort?");
  assert.equal(unknownColumn.offset, 0);
  assert.equal(unknownColumn.length, 6);
  assert.match(failure('numbytessnt > 1').message, /did you mean numBytesSnt\?/);
  assert.match(failure('flowstat & 1').message, /did you mean flowStat\?/);
  const unknownFunction = failure('tcp() and prot(6)');
  assert.match(unknownFunction.message, /^unknown function 'prot'; did you mean (proto|port)/);
  assert.equal(unknownFunction.offset, 10);
  assert.equal(unknownFunction.format(), 'tcp() and prot(6)\n          ^^^^\n' + unknownFunction.message);
  assert.match(failure('port').message, /port is a function: call it as port\(spec\)/);
  assert.equal(failure('port()').message, 'port() takes 1 argument: port(spec)');
  assert.equal(failure('tcp(6)').message, 'tcp() takes no arguments: tcp()');
  assert.equal(failure('bitsanyset(flowStat)').message, 'bitsanyset() takes 2 arguments: bitsanyset(column, mask)');
  assert.match(failure('port(192.0.2.1)').message, /port\(\): expected a port spec/);
  assert.match(failure('port("21-x")').message, /port\(\): expected a port spec/);
  assert.match(failure('host(21)').message, /host\(\): expected an address/);
  assert.match(failure('bitsanyset(0x10, flowStat)').message, /argument 1 must be a column name/);
  assert.match(failure('bitsanyset(flowStat, srcPort)').message, /argument 2 must be a constant/);
  assert.match(failure('bitsanyset(flowStat, "NOPE")').message, /flowStat has no bit named 'NOPE' \(bits: INVERTED, /);
  assert.match(failure('tcpflags("SX")').message, /unknown flag letter 'X'/);
  assert.match(failure('contains(hdrDesc, 5)').message, /contains\(\): the text must be a string/);
  assert.match(failure('count() > 1').message, /count\(\) is an aggregate/);
  const packets = packetsTable();
  assert.equal(failure('tcpflags("S")', packets).message, 'tcpflags() needs column tcpFlags, which table packets does not have');
  assert.match(failure('port(21)', packets).message, /needs column srcPort/);
});

test('errors: comparisons between incompatible kinds', () => {
  assert.match(failure('srcIP == 21').message, /srcIP is an address column/);
  assert.match(failure('srcIPOrg == 21').message, /srcIPOrg is a text column; compare it with a string in quotes/);
  assert.match(failure('srcPort == "abc"').message, /srcPort is a numeric column/);
  assert.match(failure('l4Proto == "tpc"').message, /'tpc' is not a value name of l4Proto; did you mean tcp\?/);
  assert.match(failure('srcIP == srcPort').message, /cannot compare srcIP \(ip\) with srcPort \(u16\)/);
  assert.match(failure('srcIP < 192.0.2.0/24').message, /a prefix can only be compared with == or !=/);
  assert.match(failure('srcIPOrg & 1').message, /bit operators need an integer column/);
  assert.match(failure('srcMac == 5').message, /srcMac is a MAC column/);
  assert.match(failure('tcp() ~ /x/').message, /~ needs a column on its left/);
});

test('the function table is complete and consistent: every function compiles from its signature', () => {
  const sampleArgument: Record<string, string> = {
    column: 'srcPort', mask: '0x1', spec: '"1-3"', address: '192.0.2.1', text: '"x"', flags: '"S"',
  };
  const names = new Set<string>();
  for (const fn of FUNCTIONS) {
    assert.ok(!names.has(fn.name), `duplicate ${fn.name}`);
    names.add(fn.name);
    assert.ok(fn.description.length > 0);
    assert.equal(fn.signature.split('(')[0], fn.name);
    assert.ok((fn.compile === undefined) !== (fn.aggregate === undefined), `${fn.name} is a condition or an aggregate`);
    if (!fn.compile) continue;
    const call = `${fn.name}(${fn.params.map((p) => sampleArgument[p.kind]).join(', ')})`;
    assert.equal(typeof compileFilter(call, flows), 'function', call);
  }
  for (const keyword of STATEMENT_KEYWORDS) {
    const minimal: Record<string, string> = {
      load: 'load x', explain: 'explain flowStat', follow: 'follow flow 1', carve: 'carve to x', save: 'save packets to x', export: 'export flows to x', ladder: 'ladder flow 1',
    };
    const text = minimal[keyword] ?? keyword;
    assert.notEqual(parseStatement(text).kind, 'query', `${keyword} starts its own statement`);
  }
});
