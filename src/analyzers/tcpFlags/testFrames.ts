/**
 * Test helpers for tcpFlags: write crafted Ethernet frames to a pcap and load it, and fill in
 * IPv4 header and transport checksums with the sample generator's independent checksum code
 * (so a test never checks flowsh's checksums against themselves).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter, LINKTYPE_ETHERNET } from '../../capture/writer.ts';
import { finishChecksum, pseudoHeaderSum, sum16 } from '../../../samples/gen/checksum.ts';
import { loadCapture, type LoadedCapture } from '../../store/load.ts';
import type { Table } from '../../store/table.ts';
import assert from 'node:assert/strict';

export const T0 = 1_700_000_000;

export interface Frame { readonly t: number; readonly frame: Uint8Array; readonly wireLen?: number }

export async function loadFrames(frames: readonly Frame[], fn: (c: LoadedCapture) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowsh-tcpflags-'));
  const file = join(dir, 'test.pcap');
  const w = PcapWriter.create({ path: file, linkType: LINKTYPE_ETHERNET, nanosecond: true });
  for (const f of frames) {
    const whole = Math.floor(f.t);
    w.writePacket(T0 + whole, Math.round((f.t - whole) * 1e9), f.frame, f.wireLen);
  }
  w.close();
  const c = await loadCapture(file);
  try { fn(c); } finally { c.close(); rmSync(dir, { recursive: true, force: true }); }
}

/** The display text of a column for the given rows (all rows by default). */
export function column(t: Table, name: string, rows?: number[]): string[] {
  const c = t.column(name);
  assert.ok(c, `column ${name} exists in ${t.def.name}`);
  return (rows ?? [...Array(t.rowCount).keys()]).map((r) => c.text(r));
}

export function numbers(t: Table, name: string): number[] {
  const c = t.column(name);
  assert.ok(c, `column ${name} exists in ${t.def.name}`);
  return [...Array(t.rowCount).keys()].map((r) => Number(c.get(r)));
}

const L4_CHECKSUM_AT: Record<number, number> = { 6: 16, 17: 6, 1: 2, 58: 2 };

/**
 * Fills the IPv4 header checksum and the TCP/UDP/ICMP/ICMPv6 checksum of an Ethernet frame (no VLAN)
 * in place, walking IPv6 extension headers; fragments are left alone. Returns the frame.
 */
export function withChecksums(frame: Uint8Array): Uint8Array {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const ip = 14;
  let proto: number, l4: number, end: number, src: Uint8Array, dst: Uint8Array;
  if (frame[ip]! >> 4 === 4) {
    const hlen = (frame[ip]! & 15) * 4;
    v.setUint16(ip + 10, 0);
    v.setUint16(ip + 10, finishChecksum(sum16(frame.subarray(ip, ip + hlen))));
    if (v.getUint16(ip + 6) & 0x3fff) return frame;
    proto = frame[ip + 9]!;
    l4 = ip + hlen;
    end = ip + v.getUint16(ip + 2);
    src = frame.subarray(ip + 12, ip + 16);
    dst = frame.subarray(ip + 16, ip + 20);
  } else {
    proto = frame[ip + 6]!;
    l4 = ip + 40;
    while (proto === 0 || proto === 60 || proto === 43) {
      const next = frame[l4]!;
      l4 += (frame[l4 + 1]! + 1) * 8;
      proto = next;
    }
    if (proto === 44) return frame;
    end = ip + 40 + v.getUint16(ip + 4);
    src = frame.subarray(ip + 8, ip + 24);
    dst = frame.subarray(ip + 24, ip + 40);
  }
  const at = L4_CHECKSUM_AT[proto];
  if (at === undefined) return frame;
  v.setUint16(l4 + at, 0);
  const segment = frame.subarray(l4, end);
  const pseudo = proto === 1 ? 0 : pseudoHeaderSum(src, dst, proto, segment.length);
  let sum = finishChecksum(sum16(segment, pseudo));
  if (sum === 0 && proto === 17) sum = 0xffff;
  v.setUint16(l4 + at, sum);
  return frame;
}
