/**
 * Test support: builds capture files byte by byte (independently of the writers) and a sink that
 * records what the reader delivers. Used only by the capture tests.
 */
import type { CaptureSink, CaptureWarning } from './types.ts';

export class ByteBuilder {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }

  u8(v: number): this { this.room(1); this.view.setUint8(this.length, v); this.length += 1; return this; }
  u16(v: number, le: boolean): this { this.room(2); this.view.setUint16(this.length, v, le); this.length += 2; return this; }
  u32(v: number, le: boolean): this { this.room(4); this.view.setUint32(this.length, v >>> 0, le); this.length += 4; return this; }
  u64(v: bigint, le: boolean): this { this.room(8); this.view.setBigUint64(this.length, BigInt.asUintN(64, v), le); this.length += 8; return this; }
  bytes(b: Uint8Array): this { this.room(b.length); this.buf.set(b, this.length); this.length += b.length; return this; }
  pad4(): this { while (this.length % 4 !== 0) this.u8(0); return this; }
  /** overwrites a 32-bit value already written */
  setU32(at: number, v: number, le: boolean): this { this.view.setUint32(at, v >>> 0, le); return this; }
  finish(): Uint8Array { return this.buf.slice(0, this.length); }
}

/** Recognisable packet bytes: every packet differs from its neighbours. */
export function packetBytes(seed: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (seed * 131 + i * 7 + (i >> 8)) & 0xff;
  return b;
}

export interface PcapRecord {
  sec: number;
  /** microseconds or nanoseconds, as the file's magic says */
  frac: number;
  data: Uint8Array;
  /** defaults to data.length */
  wireLen?: number;
  /** written instead of data.length (to craft nonsense); data is still written whole */
  capLenField?: number;
}

export interface BuiltCapture {
  bytes: Uint8Array;
  /** file offset of each record's header / block */
  recordOffsets: number[];
  /** file offset of each record's packet bytes */
  dataOffsets: number[];
}

export function pcapFile(
  records: PcapRecord[],
  opts: { le?: boolean; nsec?: boolean; snapLen?: number; linkType?: number; recordHeaderBytes?: number } = {},
): BuiltCapture {
  const le = opts.le ?? true, hdr = opts.recordHeaderBytes ?? 16;
  const b = new ByteBuilder();
  b.u32(opts.nsec ? 0xa1b23c4d : 0xa1b2c3d4, le).u16(2, le).u16(4, le).u32(0, le).u32(0, le)
    .u32(opts.snapLen ?? 65535, le).u32(opts.linkType ?? 1, le);
  const recordOffsets: number[] = [], dataOffsets: number[] = [];
  for (const r of records) {
    recordOffsets.push(b.length);
    b.u32(r.sec, le).u32(r.frac, le).u32(r.capLenField ?? r.data.length, le).u32(r.wireLen ?? r.data.length, le);
    for (let i = 16; i < hdr; i++) b.u8(0);
    dataOffsets.push(b.length);
    b.bytes(r.data);
  }
  return { bytes: b.finish(), recordOffsets, dataOffsets };
}

export interface IfaceOptions { tsresol?: number; tsoffset?: bigint; name?: string }

/** Writes pcapng blocks; packet methods return the file offset of the packet bytes. */
export class PcapngBuilder {
  readonly b = new ByteBuilder();
  le = true;
  readonly blockOffsets: number[] = [];

  /** a whole block: type, length, body (padded), length */
  block(type: number, body: (b: ByteBuilder) => void): number {
    const start = this.b.length;
    this.blockOffsets.push(start);
    this.b.u32(type, this.le).u32(0, this.le);
    body(this.b);
    this.b.pad4();
    const len = this.b.length - start + 4;
    this.b.u32(len, this.le);
    this.b.setU32(start + 4, len, this.le);
    return start;
  }

  section(le: boolean): number {
    this.le = le;
    return this.block(0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d, le).u16(1, le).u16(0, le).u64(-1n, le));
  }

  iface(linkType: number, snapLen: number, o: IfaceOptions = {}): number {
    const le = this.le;
    return this.block(1, (b) => {
      b.u16(linkType, le).u16(0, le).u32(snapLen, le);
      if (o.name !== undefined) {
        const name = new TextEncoder().encode(o.name);
        b.u16(2, le).u16(name.length, le).bytes(name).pad4();
      }
      if (o.tsresol !== undefined) b.u16(9, le).u16(1, le).u8(o.tsresol).pad4();
      if (o.tsoffset !== undefined) b.u16(14, le).u16(8, le).u64(o.tsoffset, le);
      b.u16(0, le).u16(0, le);
    });
  }

  /** Enhanced (type 6) or obsolete (type 2) packet block; `ts` in the interface's units */
  packet(ifId: number, ts: bigint, data: Uint8Array, wireLen = data.length, type: 2 | 6 = 6, capLenField = data.length): number {
    const le = this.le;
    let dataAt = 0;
    this.block(type, (b) => {
      if (type === 6) b.u32(ifId, le);
      else b.u16(ifId, le).u16(0, le);
      b.u32(Number(ts >> 32n), le).u32(Number(ts & 0xffffffffn), le).u32(capLenField, le).u32(wireLen, le);
      dataAt = b.length;
      b.bytes(data).pad4();
      b.u16(1, le).u16(4, le).u32(0, le).u16(0, le).u16(0, le); // epb_comment-ish option, then opt_endofopt
    });
    return dataAt;
  }

  simplePacket(data: Uint8Array, wireLen = data.length): number {
    let dataAt = 0;
    this.block(3, (b) => {
      b.u32(wireLen, this.le);
      dataAt = b.length;
      b.bytes(data);
    });
    return dataAt;
  }

  finish(): Uint8Array { return this.b.finish(); }
}

export interface DeliveredPacket {
  data: Uint8Array;
  capLen: number;
  wireLen: number;
  sec: number;
  nsec: number;
  linkType: number;
  fileOffset: number;
  interfaceId: number;
}

/** A sink that copies everything it is given (tests only: the real sink must not allocate). */
export class CollectingSink implements CaptureSink {
  readonly packets: DeliveredPacket[] = [];
  readonly warnings: CaptureWarning[] = [];
  /** set to check, per packet, that the bytes lie inside the buffer it was given */
  outOfBuffer = 0;

  packet(bytes: Uint8Array, view: DataView, start: number, capLen: number, wireLen: number,
    sec: number, nsec: number, linkType: number, fileOffset: number, interfaceId: number): void {
    if (start < 0 || start + capLen > bytes.length || view.buffer !== bytes.buffer) this.outOfBuffer++;
    this.packets.push({
      data: bytes.slice(start, start + capLen), capLen, wireLen, sec, nsec, linkType, fileOffset, interfaceId,
    });
  }

  warning(w: CaptureWarning): void {
    this.warnings.push(w);
  }
}
