/**
 * The ARP analyzer (post-load): reads each ARP packet back from the capture and builds the `arp`
 * table — one row per who-has with the is-at that answered it, plus unanswered requests,
 * replies nobody asked for, gratuitous announcements and RFC 5227 probes — and flags every row
 * whose IP-to-MAC binding differs from the first one the capture shows for that IP (a changed MAC: a
 * replaced NIC, failover, or ARP spoofing). Layer-2 flows themselves come from the flow store.
 */
import type { PostLoadAnalyzer, PostLoadContext, ReportLine } from '../analyzer.ts';
import type { Column, Table } from '../../store/table.ts';
import type { LoadedCapture } from '../../store/load.ts';
import { IpAddr, type Value } from '../../store/value.ts';
import { MemoryTable } from '../../store/memoryTable.ts';
import { numberAt } from '../../store/columns.ts';
import { DecodedPacket, PacketStatus } from '../../decode/packet.ts';
import { decodePacket } from '../../decode/decode.ts';
import { ARP_TABLE } from './schema.ts';

const ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806, ETHERTYPE_RARP = 0x8035;
/** seconds within which a reply answers a request */
const ANSWER_WINDOW = 5;

/** One ARP packet (IPv4 over Ethernet; others keep only the opcode). */
export interface ArpPacket {
  readonly row: number;
  readonly time: number;
  readonly opcode: number;
  readonly ipv4: boolean;
  /** the addresses of an IPv4-over-Ethernet packet were cut by the snaplen */
  readonly cut: boolean;
  readonly senderMac: string;
  readonly senderIp: number;
  readonly targetMac: string;
  readonly targetIp: number;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** The ARP header at `off` of the frame bytes, or undefined when its fixed part is not captured. */
export function parseArp(bytes: Uint8Array, off: number, capLen: number, row: number, time: number): ArpPacket | undefined {
  if (off + 8 > capLen) return undefined;
  const ptype = (bytes[off + 2]! << 8) | bytes[off + 3]!;
  const hlen = bytes[off + 4]!, plen = bytes[off + 5]!;
  const opcode = (bytes[off + 6]! << 8) | bytes[off + 7]!;
  const htype = (bytes[off]! << 8) | bytes[off + 1]!;
  // Ethernet (1) or IEEE 802 (6) hardware addresses with IPv4 protocol addresses
  const isV4 = (htype === 1 || htype === 6) && ptype === ETHERTYPE_IPV4 && hlen === 6 && plen === 4;
  const ipv4 = isV4 && off + 28 <= capLen;
  const cut = isV4 && !ipv4;
  const mac = (at: number): string => Array.from(bytes.subarray(at, at + 6), hex2).join(':');
  const ip = (at: number): number => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  if (!ipv4) return { row, time, opcode, ipv4, cut, senderMac: '', senderIp: 0, targetMac: '', targetIp: 0 };
  return { row, time, opcode, ipv4, cut, senderMac: mac(off + 8), senderIp: ip(off + 14), targetMac: mac(off + 18), targetIp: ip(off + 24) };
}

export class ArpAnalyzer implements PostLoadAnalyzer {
  readonly name = 'arp';
  readonly flowColumns = [];
  readonly packetColumns = [];
  readonly tables = [ARP_TABLE];

  build({ capture }: PostLoadContext): { flowColumns: Column[]; packetColumns: Column[]; tables: Table[]; report?: ReportLine[] } {
    const packets = arpPackets(capture);
    const rows = arpRows(packets, capture);
    const changed = rows.filter((r) => r.macChanged === true).length;
    const report: ReportLine[] = packets.length === 0 ? [] : [
      { label: 'arpDecode: Number of ARP exchanges', value: rows.length },
      ...(changed ? [{ label: 'arpDecode: IP addresses whose MAC changed', value: changed }] : []),
    ];
    return { flowColumns: [], packetColumns: [], tables: [MemoryTable.fromRows(ARP_TABLE, rows)], report };
  }
}

function arpPackets(capture: LoadedCapture): ArpPacket[] {
  const p = capture.packets;
  const time = p.column('time');
  const pkt = new DecodedPacket();
  const out: ArpPacket[] = [];
  const ethType = p.column('ethType');
  for (let r = 0; r < p.rowCount; r++) {
    const type = ethType?.numbers ? ethType.numbers[r] : ethType?.get(r);
    if (type !== ETHERTYPE_ARP && type !== ETHERTYPE_RARP) continue;
    const frame = capture.readFrame(r);
    const view = new DataView(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
    decodePacket(frame.bytes, view, 0, frame.capLen, frame.wireLen, frame.linkType, pkt);
    if (!(pkt.status & (PacketStatus.Arp | PacketStatus.Rarp))) continue;
    const t = numberAt(time, r);
    const a = parseArp(frame.bytes, pkt.netOffset, Math.min(frame.capLen, frame.bytes.length), r, t);
    if (a) out.push(a);
  }
  return out;
}

type Row = Record<string, Value | undefined>;

function arpRows(packets: readonly ArpPacket[], capture: LoadedCapture): Row[] {
  const flowInd = capture.packets.column('flowInd');
  const ind = (row: number): number => Number(flowInd?.get(row) ?? 0);
  const ipText = (n: number): IpAddr => IpAddr.fromV4(n);
  /** the first MAC each IPv4 address was bound to (tshark's duplicate-address rule compares with it) */
  const bound = new Map<number, string>();
  const rows: Row[] = [];
  /** open requests by target IP and asker IP */
  const open = new Map<string, Row>();
  /** the bindings a packet states: its sender's, and a reply's target (as tshark checks them) */
  const observe = (row: Row, a: ArpPacket): void => {
    const check = (ip: number, mac: string): void => {
      if (ip === 0) return;
      const first = bound.get(ip);
      if (first === undefined) { bound.set(ip, mac); return; }
      if (first === mac) return;
      if (!row.macChanged) row.firstMac = first;
      row.macChanged = true;
      const pkts = (row.changedPkts as number[] | undefined) ?? [];
      if (!pkts.includes(a.row + 1)) row.changedPkts = [...pkts, a.row + 1];
    };
    check(a.senderIp, a.senderMac);
    // a gratuitous reply names itself as target, often with the broadcast MAC: no second binding
    if (a.opcode === 2 && a.targetIp !== a.senderIp && a.targetMac !== 'ff:ff:ff:ff:ff:ff' && a.targetMac !== '00:00:00:00:00:00') check(a.targetIp, a.targetMac);
  };
  for (const a of packets) {
    if (!a.ipv4) {
      rows.push({ time: a.time, kind: a.cut ? 'truncated' : 'other', opcode: a.opcode, requestPkt: a.row + 1, replyPkt: 0, requestFlow: ind(a.row), replyFlow: 0, macChanged: false, changedPkts: [] });
      continue;
    }
    const base = { opcode: a.opcode, macChanged: false, changedPkts: [] as number[] };
    if (a.opcode === 1) {
      const kind = a.senderIp === 0 ? 'probe' : a.senderIp === a.targetIp ? 'announcement' : 'request';
      const row: Row = {
        ...base, time: a.time, kind, ip: ipText(a.targetIp), askerIP: a.senderIp ? ipText(a.senderIp) : undefined, askerMac: a.senderMac,
        mac: kind === 'announcement' ? a.senderMac : undefined, requestPkt: a.row + 1, replyPkt: 0, requestFlow: ind(a.row), replyFlow: 0,
      };
      observe(row, a);
      rows.push(row);
      if (kind !== 'announcement') open.set(`${a.targetIp}|${a.senderIp}`, row);
      continue;
    }
    if (a.opcode === 2) {
      const key = `${a.senderIp}|${a.targetIp}`;
      const request = open.get(key);
      const row: Row = request && a.time - (request.time as number) <= ANSWER_WINDOW && (request.replyPkt as number) === 0 ? request : {
        ...base, time: a.time, kind: a.senderIp === a.targetIp ? 'announcement' : 'reply', ip: ipText(a.senderIp),
        askerIP: a.targetIp ? ipText(a.targetIp) : undefined, askerMac: a.targetMac, requestPkt: 0, requestFlow: 0,
      };
      if (row !== request) rows.push(row);
      else open.delete(key);
      row.mac = a.senderMac;
      row.replyPkt = a.row + 1;
      row.replyFlow = ind(a.row);
      if (row === request) row.rtt = a.time - (request.time as number);
      observe(row, a);
      continue;
    }
    rows.push({ ...base, time: a.time, kind: a.opcode === 3 || a.opcode === 4 ? 'rarp' : 'other', ip: ipText(a.targetIp), askerMac: a.senderMac, mac: a.targetMac, requestPkt: a.row + 1, replyPkt: 0, requestFlow: ind(a.row), replyFlow: 0 });
  }
  return rows;
}
