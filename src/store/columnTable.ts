import type { TableDef } from '../schema/types.ts';
import type { Column, Table } from './table.ts';

/** A loaded table: columns in declaration order, looked up by name. */
export class ColumnTable implements Table {
  private readonly byName = new Map<string, Column>();
  readonly def: TableDef;

  constructor(name: string, description: string, readonly rowCount: number, readonly columns: readonly Column[]) {
    for (const c of columns) {
      if (this.byName.has(c.def.name)) throw new Error(`table ${name}: column ${c.def.name} declared twice`);
      this.byName.set(c.def.name, c);
    }
    this.def = { name, description, columns: columns.map((c) => c.def) };
  }

  column(name: string): Column | undefined {
    return this.byName.get(name);
  }
}
