/** The tables' schema without a capture: for help, explain and columns before anything is loaded. */
import { createAnalyzers, createPostLoadAnalyzers } from '../analyzers/registry.ts';
import { CORE_FLOW_COLUMNS, CORE_PACKET_COLUMNS } from '../analyzers/core/schema.ts';
import type { ColumnDef } from '../schema/types.ts';
import type { Catalog, Column, Table } from '../store/table.ts';
import { ColumnTable } from '../store/columnTable.ts';
import { FLOWS_DESCRIPTION, PACKETS_DESCRIPTION } from '../store/load.ts';

class EmptyColumn implements Column {
  constructor(readonly def: ColumnDef) {}
  get(): null { return null; }
  text(): string { return ''; }
  json(): string { return 'null'; }
}

let cached: Catalog | undefined;

export function schemaCatalog(): Catalog {
  if (cached) return cached;
  const analyzers = [...createAnalyzers(0), ...createPostLoadAnalyzers()];
  const flowDefs = [...CORE_FLOW_COLUMNS, ...analyzers.flatMap((a) => a.flowColumns)];
  const packetDefs = [...CORE_PACKET_COLUMNS, ...analyzers.flatMap((a) => a.packetColumns)];
  const tables: Table[] = [
    new ColumnTable('flows', FLOWS_DESCRIPTION, 0, flowDefs.map((d) => new EmptyColumn(d))),
    new ColumnTable('packets', PACKETS_DESCRIPTION, 0, packetDefs.map((d) => new EmptyColumn(d))),
    ...createPostLoadAnalyzers().flatMap((a) => a.tables.map((t) => new ColumnTable(t.name, t.description, 0, t.columns.map((d) => new EmptyColumn(d))))),
  ];
  const catalog: Catalog = { tables, table: (name) => tables.find((t) => t.def.name === name) };
  cached = catalog;
  return catalog;
}
