import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bitWidth, isFlagType } from '../../schema/types.ts';
import { FTP_COLUMNS, FTP_STAT_BITS, ftpStatBit } from './schema.ts';
import { FTP_COMMANDS } from './commands.ts';

test('ftpStat keeps Tranalyzer\'s bits 0x01..0x80 under their names (reference §1.3)', () => {
  const tranalyzer: [number, string][] = [
    [0x01, 'FTP_INIT'], [0x02, 'FTP_PPRNT'], [0x04, 'FTP_PPWF'], [0x08, 'FTP_APRNT'],
    [0x10, 'FTP_HSHMFLL'], [0x20, 'FTP_PPWFERR'], [0x40, 'FTP_NDFLW'], [0x80, 'FTP_OVFL'],
  ];
  assert.deepEqual(FTP_STAT_BITS.slice(0, 8).map((b) => [b.value, b.name]), tranalyzer);
  // the misleading names are explained: 0x02 marks data flows of both modes, 0x08 is set by 227 too
  assert.match(FTP_STAT_BITS[1]!.description, /passive or active/);
  assert.match(FTP_STAT_BITS[3]!.description, /227/);
  assert.match(FTP_STAT_BITS[3]!.description, /EPRT, 229/);
});

test('ftpStat bits are distinct single bits that fit the column type, with unique names and descriptions', () => {
  const column = FTP_COLUMNS.find((c) => c.name === 'ftpStat')!;
  assert.ok(isFlagType(column.type));
  const width = bitWidth(column.type);
  const seen = new Set<number>();
  for (const bit of FTP_STAT_BITS) {
    const v = Number(bit.value);
    assert.equal(v & (v - 1), 0, `${bit.name} is one bit`);
    assert.ok(v > 0 && v < 2 ** width, `${bit.name} fits ${column.type}`);
    assert.ok(!seen.has(v), `${bit.name} is not reused`);
    seen.add(v);
    assert.match(bit.name, /^FTP_[A-Z_]+$/);
    assert.ok(bit.description.length > 20);
  }
  assert.equal(new Set(FTP_STAT_BITS.map((b) => b.name)).size, FTP_STAT_BITS.length);
  assert.ok(FTP_STAT_BITS.length > 8, 'flowsh adds bits above 0x80');
  assert.equal(ftpStatBit('FTP_PASSIVE') & ftpStatBit('FTP_ACTIVE'), 0);
  assert.throws(() => ftpStatBit('FTP_NOPE'), /no ftpStat bit/);
});

test('columns follow Tranalyzer\'s order and names (reference §1.2), each saying how flowsh differs', () => {
  assert.deepEqual(FTP_COLUMNS.map((c) => c.name), [
    'ftpStat', 'ftpCDFindex', 'ftpCBF', 'ftpCC', 'ftpRC', 'ftpNumUser', 'ftpUser', 'ftpNumPass', 'ftpPass', 'ftpNumCP', 'ftpCP', 'ftpPLen',
  ]);
  for (const c of FTP_COLUMNS) assert.equal(c.tranalyzer, true, c.name);
  const repeated = FTP_COLUMNS.filter((c) => c.repeated).map((c) => c.name);
  assert.deepEqual(repeated, ['ftpCDFindex', 'ftpCC', 'ftpRC', 'ftpUser', 'ftpPass', 'ftpCP']);
  const byName = Object.fromEntries(FTP_COLUMNS.map((c) => [c.name, c]));
  assert.match(byName.ftpUser!.description, /in full/);
  assert.match(byName.ftpPass!.description, /in full/);
  assert.match(byName.ftpCDFindex!.description, /no cap/);
  assert.equal(byName.ftpCBF!.type, 'h64');
  assert.equal(byName.ftpCBF!.bits!.length, FTP_COMMANDS.length, 'ftpCBF bits come from the command table');
  assert.equal(byName.ftpRC!.type, 'u16');
});
