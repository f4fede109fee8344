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
    if (row >= this.data.length) this.grow(row);
    if (row >= this.length) this.length = row + 1;
  }

  protected grow(row: number): void {
    // doubling while small; beyond a million rows a quarter more, so a column sized from a slightly
    // low estimate does not end up with up to half its memory unused
    const step = (cap: number): number => (cap < 1 << 20 ? cap * 2 : Math.ceil(cap * 1.25));
    let cap = step(this.data.length);
    while (cap <= row) cap = step(cap);
    const next = new this.ctor(cap);
    (next as AnyTyped).set(this.data as AnyTyped);
    this.data = next;
  }

  push(value: number): number {
    const row = this.length;
    this.ensure(row);
    this.data[row] = value;
    return row;
  }

  /** the filled part (a view: no copy; later calls return the same view) */
  finish(): T {
    if (this.data.length !== this.length) this.data = this.data.subarray(0, this.length) as T;
    return this.data;
  }

  /**
   * Keep rows in the order given by `order` (new row i = old row order[i]; `order` ascending, as
   * flowOrder is). When it keeps every row in place, the filled part is returned without a copy
   * (copied only to drop a large unused tail), so nothing may write to this array afterwards.
   */
  reorder(order: Int32Array): T {
    const n = order.length;
    if (n === this.length && (n === 0 || order[n - 1] === n - 1)) {
      return (this.data.length > n + (n >> 2) ? this.data.slice(0, n) : this.finish()) as T;
    }
    const out = new this.ctor(order.length);
    const src = this.data;
    for (let i = 0; i < order.length; i++) out[i] = src[order[i]!]!;
    return out;
  }
}

// One subclass per element type, each with its own `push`: a single shared push would see five
// typed-array kinds and V8 would stop optimising its stores (measured: ~20x slower per push).
export class GrowU8 extends Growable<Uint8Array> {
  constructor(n?: number) { super(Uint8Array, n); }
  override push(value: number): number {
    const row = this.length++;
    if (row >= this.data.length) this.grow(row);
    this.data[row] = value;
    return row;
  }
}
export class GrowU16 extends Growable<Uint16Array> {
  constructor(n?: number) { super(Uint16Array, n); }
  override push(value: number): number {
    const row = this.length++;
    if (row >= this.data.length) this.grow(row);
    this.data[row] = value;
    return row;
  }
}
export class GrowU32 extends Growable<Uint32Array> {
  constructor(n?: number) { super(Uint32Array, n); }
  override push(value: number): number {
    const row = this.length++;
    if (row >= this.data.length) this.grow(row);
    this.data[row] = value;
    return row;
  }
}
export class GrowI32 extends Growable<Int32Array> {
  constructor(n?: number) { super(Int32Array, n); }
  override push(value: number): number {
    const row = this.length++;
    if (row >= this.data.length) this.grow(row);
    this.data[row] = value;
    return row;
  }
}
export class GrowF64 extends Growable<Float64Array> {
  constructor(n?: number) { super(Float64Array, n); }
  override push(value: number): number {
    const row = this.length++;
    if (row >= this.data.length) this.grow(row);
    this.data[row] = value;
    return row;
  }
}

export const growU8 = (n?: number) => new GrowU8(n);
export const growU16 = (n?: number) => new GrowU16(n);
export const growU32 = (n?: number) => new GrowU32(n);
export const growI32 = (n?: number) => new GrowI32(n);
export const growF64 = (n?: number) => new GrowF64(n);
