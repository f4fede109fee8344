/** Typed arrays that grow by doubling: columns are filled one row at a time while a capture loads. */
type TypedArrayCtor<T> = { new (length: number): T };
type AnyTyped = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

export class Growable<T extends AnyTyped> {
  data: T;
  length = 0;

  constructor(private readonly ctor: TypedArrayCtor<T>, initialCapacity = 1024) {
    this.data = new ctor(Math.max(16, initialCapacity));
  }

  /** makes room for index `row` (and zero-fills up to it), keeping `length` = max(length, row + 1) */
  ensure(row: number): void {
    if (row >= this.data.length) {
      let cap = this.data.length * 2;
      while (cap <= row) cap *= 2;
      const next = new this.ctor(cap);
      (next as AnyTyped).set(this.data as AnyTyped);
      this.data = next;
    }
    if (row >= this.length) this.length = row + 1;
  }

  push(value: number): number {
    const row = this.length;
    this.ensure(row);
    this.data[row] = value;
    return row;
  }

  /** the filled part, trimmed to `length` (copied once when the buffer is larger; later calls share it) */
  finish(): T {
    if (this.data.length !== this.length) this.data = this.data.slice(0, this.length) as T;
    return this.data;
  }

  /** keep rows in the order given by `order` (new row i = old row order[i]) */
  reorder(order: Int32Array): T {
    const out = new this.ctor(order.length);
    const src = this.data;
    for (let i = 0; i < order.length; i++) out[i] = src[order[i]!]!;
    return out;
  }
}

export const growU8 = (n?: number) => new Growable(Uint8Array, n);
export const growU16 = (n?: number) => new Growable(Uint16Array, n);
export const growU32 = (n?: number) => new Growable(Uint32Array, n);
export const growI32 = (n?: number) => new Growable(Int32Array, n);
export const growF64 = (n?: number) => new Growable(Float64Array, n);
