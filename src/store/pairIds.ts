/**
 * Dense ids for pairs of 32-bit words (a MAC address as 16 + 32 bits, ...), first seen first:
 * open addressing over typed arrays, so a lookup allocates nothing (a Map keyed by the 48-bit
 * value as a float would box the key on every call).
 */
export class PairIds {
  private slots = new Int32Array(1024); // id + 1, 0 = empty
  private his = new Uint32Array(256);
  private los = new Uint32Array(256);
  size = 0;

  /** the id of (hi, lo), a new one when the pair is new */
  id(hi: number, lo: number): number {
    const mask = this.slots.length - 1;
    let slot = hash(hi, lo) & mask;
    for (;;) {
      const v = this.slots[slot]!;
      if (v === 0) break;
      if (this.his[v - 1] === hi >>> 0 && this.los[v - 1] === lo >>> 0) return v - 1;
      slot = (slot + 1) & mask;
    }
    const id = this.size++;
    if (id === this.his.length) {
      const his = new Uint32Array(id * 2), los = new Uint32Array(id * 2);
      his.set(this.his); los.set(this.los);
      this.his = his; this.los = los;
    }
    this.his[id] = hi;
    this.los[id] = lo;
    this.slots[slot] = id + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  hi(id: number): number {
    return this.his[id]!;
  }

  lo(id: number): number {
    return this.los[id]!;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = hash(this.his[id]!, this.los[id]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

function hash(hi: number, lo: number): number {
  let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ hi, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
