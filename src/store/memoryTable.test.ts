import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TableDef } from '../schema/types.ts';
import { MemoryCatalog, MemoryTable } from './memoryTable.ts';
import { IpAddr } from './value.ts';

const DEF: TableDef = {
  name: 't',
  description: 'one column per type',
  columns: [
    { name: 'stat', type: 'h64', description: '' },
    { name: 'flags', type: 'h16', description: '' },
    { name: 'port', type: 'u16', description: '' },
    { name: 'bytes', type: 'u64', description: '' },
    { name: 'big', type: 'u64', description: '' },
    { name: 'ratio', type: 'f64', description: '' },
    { name: 'first', type: 'time', description: '' },
    { name: 'addr', type: 'ip', description: '' },
    { name: 'mac', type: 'mac', description: '' },
    { name: 'name', type: 'str', description: '' },
    { name: 'vlans', type: 'u16', description: '', repeated: true },
    { name: 'ok', type: 'bool', description: '' },
  ],
};

const table = MemoryTable.fromRows(DEF, [
  {
    stat: 0x0400000000004001n, flags: 0x1b, port: 21, bytes: 640, big: 2n ** 60n, ratio: 1 / 3, first: 1700000000.5,
    addr: '2001:db8::1', mac: 'AA:BB:CC:DD:EE:FF', name: 'a\tb\u0001"', vlans: [10, 20], ok: true,
  },
  { stat: null, flags: 0, port: 0, bytes: 0, big: 1n, ratio: 2, first: 0, addr: IpAddr.parse('192.0.2.1'), name: '' },
]);

const text = (name: string, row: number) => table.column(name)!.text(row);
const json = (name: string, row: number) => table.column(name)!.json(row);

test('text: flags in zero-padded hex, fixed timestamps, addresses, lists joined by ;, escaped control bytes', () => {
  assert.equal(text('stat', 0), '0x0400000000004001');
  assert.equal(text('flags', 0), '0x001b');
  assert.equal(text('port', 0), '21');
  assert.equal(text('big', 0), String(2n ** 60n));
  assert.equal(text('ratio', 0), '0.333333');
  assert.equal(text('ratio', 1), '2');
  assert.equal(text('first', 0), '1700000000.500000');
  assert.equal(text('addr', 0), '2001:db8::1');
  assert.equal(text('mac', 0), 'aa:bb:cc:dd:ee:ff');
  assert.equal(text('name', 0), 'a\\tb\\x01"');
  assert.equal(text('vlans', 0), '10;20');
  assert.equal(text('ok', 0), 'true');
  // missing values print as nothing
  assert.equal(text('stat', 1), '');
  assert.equal(text('mac', 1), '');
  assert.equal(text('vlans', 1), '');
});

test('json: numbers as numbers (64-bit exact), text and addresses quoted, lists as arrays, null', () => {
  assert.equal(json('stat', 0), String(0x0400000000004001n));
  assert.equal(json('flags', 0), '27');
  assert.equal(json('big', 0), '1152921504606846976');
  assert.equal(json('addr', 0), '"2001:db8::1"');
  assert.equal(json('name', 0), JSON.stringify('a\tb\u0001"'));
  assert.equal(json('vlans', 0), '[10,20]');
  assert.equal(json('ok', 0), 'true');
  assert.equal(json('stat', 1), 'null');
  assert.equal(json('vlans', 1), 'null');
});

test('storage: typed numbers and 64-bit bigints are exposed; get returns query values', () => {
  assert.ok(table.column('port')!.numbers instanceof Uint8Array, 'integers in the smallest exact typed array (21 and 0 fit 8 bits)');
  assert.ok(table.column('ratio')!.numbers instanceof Float64Array);
  assert.ok(table.column('stat')!.bigints instanceof BigUint64Array);
  assert.ok(table.column('big')!.bigints, 'u64 beyond 2^53 is kept exactly');
  assert.equal(table.column('big')!.get(0), 2n ** 60n);
  assert.ok(table.column('bytes')!.numbers);
  assert.equal(table.column('vlans')!.numbers, undefined);
  assert.deepEqual(table.column('vlans')!.get(0), [10, 20]);
  assert.ok((table.column('addr')!.get(1) as IpAddr).equals(IpAddr.fromV4(0xc0000201)));
  assert.equal(table.column('stat')!.get(1), null);
  assert.equal(table.column('port')!.get(1), 0);
  assert.equal(table.rowCount, 2);
  assert.equal(table.columns.length, DEF.columns.length);
  assert.equal(table.column('nope'), undefined);
});

test('construction checks and the catalog', () => {
  assert.throws(() => new MemoryTable(DEF, { port: [1, 2], flags: [1] }), /unequal length/);
  assert.throws(() => MemoryTable.fromRows(DEF, [{ addr: 'not an address' }]), /not an IP address/);
  const catalog = new MemoryCatalog([table]);
  assert.equal(catalog.table('t'), table);
  assert.equal(catalog.table('u'), undefined);
});

test('storage: a number column with a missing value keeps NaN (get null); a mostly empty list column keeps only its rows', async () => {
  const { memoryColumn } = await import('./memoryTable.ts');
  const withNull = memoryColumn({ name: 'n', type: 'u32', description: '' }, [5, null, 7]);
  assert.ok(withNull.numbers instanceof Float64Array);
  assert.deepEqual([0, 1, 2].map((r) => withNull.get(r)), [5, null, 7]);
  assert.deepEqual([0, 1, 2].map((r) => withNull.text(r)), ['5', '', '7']);
  const big = memoryColumn({ name: 'b', type: 'u32', description: '' }, [70000, 0]);
  assert.ok(big.numbers instanceof Uint32Array);
  const negative = memoryColumn({ name: 'i', type: 'i64', description: '' }, [-3, 4]);
  assert.deepEqual([negative.get(0), negative.get(1)], [-3, 4]);
  const lists: (number[] | null)[] = new Array(1000).fill(null);
  lists[3] = [1, 2];
  lists[999] = [];
  const sparse = memoryColumn({ name: 'l', type: 'u16', description: '', repeated: true }, lists);
  for (let r = 0; r < 1000; r++) assert.deepEqual(sparse.get(r), lists[r], `row ${r}`);
  assert.equal(sparse.json(3), '[1,2]');
  assert.equal(sparse.json(4), 'null');
  assert.equal(sparse.text(999), '');
});
