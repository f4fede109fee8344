/** The end report after a load (Tranalyzer's §5.5, with what flowsh adds), and its renderings. */
import type { Analyzer, ReportLine } from '../analyzers/analyzer.ts';
import type { CaptureInfo } from '../capture/types.ts';
import { formatWarning } from '../capture/types.ts';
import type { FlowStore } from '../store/flowStore.ts';
import type { Table } from '../store/table.ts';
import { formatSeconds } from '../store/columns.ts';
import { L4_PROTO_NAMES } from '../analyzers/basicFlow/schema.ts';
import { linkTypeName } from './linkTypes.ts';
import { formatHex } from '../schema/types.ts';

export interface ProtocolLine { proto: number; name: string; packets: number; bytes: number }

export interface LoadReport {
  file: string;
  format: string;
  compressed: boolean;
  linkTypes: string[];
  fileBytes: number;
  packets: number;
  bytes: number; // captured bytes
  wireBytes: number;
  l2Packets: number;
  ipv4Packets: number;
  ipv6Packets: number;
  packetsWithoutFlow: number;
  aPackets: number;
  bPackets: number;
  aBytes: number;
  bBytes: number;
  tcpPackets: number;
  tcpBytes: number;
  udpPackets: number;
  udpBytes: number;
  icmpPackets: number;
  icmp6Packets: number;
  arpPackets: number;
  lldpPackets: number;
  ipv4Fragments: number;
  ipv6Fragments: number;
  protocols: ProtocolLine[];
  /** flow rows: A and B counted separately, as Tranalyzer does */
  flows: number;
  /** connections (distinct flowInd) */
  flowIndexes: number;
  aFlows: number;
  bFlows: number;
  l2Flows: number;
  ipv4Flows: number;
  ipv6Flows: number;
  tcpFlows: number;
  firstTime: string;
  lastTime: string;
  duration: string;
  flowStat: bigint;
  analyzerLines: ReportLine[];
  unsupportedLinkTypes: { linkType: number; name: string; packets: number }[];
  truncatedPackets: number;
  decodeErrors: number;
  decodeErrorSamples: string[];
  warnings: string[];
  warningsSuppressed: number;
  cancelled: boolean;
  loadMs: number;
}

export function buildReport(store: FlowStore, info: CaptureInfo, flows: Table, analyzers: readonly Analyzer[], loadMs: number): LoadReport {
  const c = store.counters;
  const proto = (n: number) => c.protocols.get(n) ?? { packets: 0, bytes: 0 };
  let aFlows = 0, bFlows = 0, l2 = 0, v4 = 0, v6 = 0, tcp = 0;
  const dir = flows.column('dir')!, l4 = flows.column('l4Proto'), stat = flows.column('flowStat')!;
  let flowStat = 0n;
  const indexes = new Set<number>();
  for (let r = 0; r < flows.rowCount; r++) {
    if (dir.get(r) === 'A') aFlows++; else bFlows++;
    const s = stat.get(r) as bigint;
    flowStat |= s;
    if (s & 0x4000n) v4++; else if (s & 0x8000n) v6++; else l2++;
    if (l4 && l4.get(r) === 6) tcp++;
    indexes.add(flows.column('flowInd')!.get(r) as number);
  }
  const digits = info.tsDigits;
  const has = c.firstSec >= 0;
  const durNs = has ? (c.lastSec - c.firstSec) * 1e9 + (c.lastNsec - c.firstNsec) : 0;
  const durSec = Math.floor(Math.abs(durNs) / 1e9);
  return {
    file: info.file,
    format: info.format,
    compressed: info.compressed,
    linkTypes: [...new Set(info.interfaces.map((i) => linkTypeName(i.linkType)))],
    fileBytes: info.fileBytes,
    packets: c.packets,
    bytes: c.capturedBytes,
    wireBytes: c.wireBytes,
    l2Packets: c.l2Packets,
    ipv4Packets: c.ipv4Packets,
    ipv6Packets: c.ipv6Packets,
    packetsWithoutFlow: c.packetsWithoutFlow,
    aPackets: c.aPackets,
    bPackets: c.bPackets,
    aBytes: c.aBytes,
    bBytes: c.bBytes,
    tcpPackets: proto(6).packets,
    tcpBytes: proto(6).bytes,
    udpPackets: proto(17).packets,
    udpBytes: proto(17).bytes,
    icmpPackets: proto(1).packets,
    icmp6Packets: proto(58).packets,
    arpPackets: c.arpPackets,
    lldpPackets: c.lldpPackets,
    ipv4Fragments: c.ipv4Fragments,
    ipv6Fragments: c.ipv6Fragments,
    protocols: [...c.protocols.entries()].sort((a, b) => b[1].packets - a[1].packets)
      .map(([p, v]) => ({ proto: p, name: L4_PROTO_NAMES[p] ?? `proto ${p}`, packets: v.packets, bytes: v.bytes })),
    flows: flows.rowCount,
    flowIndexes: indexes.size,
    aFlows, bFlows, l2Flows: l2, ipv4Flows: v4, ipv6Flows: v6, tcpFlows: tcp,
    firstTime: has ? formatSeconds(c.firstSec, c.firstNsec, digits) : '',
    lastTime: has ? formatSeconds(c.lastSec, c.lastNsec, digits) : '',
    duration: (durNs < 0 ? '-' : '') + formatSeconds(durSec, Math.round(Math.abs(durNs) - durSec * 1e9), digits),
    flowStat,
    analyzerLines: analyzers.flatMap((a) => a.report?.() ?? []),
    unsupportedLinkTypes: [...c.unsupportedLinkTypes.entries()].map(([lt, n]) => ({ linkType: lt, name: linkTypeName(lt), packets: n })),
    truncatedPackets: c.truncatedPackets,
    decodeErrors: c.decodeErrors,
    decodeErrorSamples: c.decodeErrorSamples,
    warnings: store.warnings.map(formatWarning),
    warningsSuppressed: store.warningsSuppressed,
    cancelled: info.cancelled,
    loadMs,
  };
}

function pct(n: number, of: number): string {
  return of === 0 ? '' : ` [${((100 * n) / of).toFixed(2)}%]`;
}

/** Tranalyzer-style end report lines; zero counts are left out as Tranalyzer does. */
export function reportLines(r: LoadReport): string[] {
  const out: string[] = [];
  const line = (label: string, value: string | number, of?: number) => {
    if (value === 0 || value === '') return;
    out.push(`${label}: ${value}${of !== undefined && typeof value === 'number' ? pct(value, of) : ''}`);
  };
  out.push(`File: ${r.file} (${r.format}${r.compressed ? ', gzip' : ''}, ${r.linkTypes.join(', ') || 'no interfaces'})`);
  if (r.cancelled) out.push('Load cancelled: the tables hold the packets read before the cancel');
  line('Dump start', r.firstTime);
  line('Dump stop', r.lastTime);
  if (r.packets > 0) out.push(`Total dump duration: ${r.duration} sec`);
  out.push(`Number of processed packets: ${r.packets}`);
  line('Number of processed bytes', r.bytes);
  line('Number of raw bytes', r.wireBytes);
  line('Number of pcap bytes', r.fileBytes);
  line('Number of L2 packets', r.l2Packets, r.packets);
  line('Number of IPv4 packets', r.ipv4Packets, r.packets);
  line('Number of IPv6 packets', r.ipv6Packets, r.packets);
  line('Number of packets without flow', r.packetsWithoutFlow, r.packets);
  line('Number of A packets', r.aPackets, r.packets);
  line('Number of B packets', r.bPackets, r.packets);
  line('Number of A bytes', r.aBytes, r.bytes);
  line('Number of B bytes', r.bBytes, r.bytes);
  line('Number of ARP packets', r.arpPackets, r.packets);
  line('Number of LLDP packets', r.lldpPackets, r.packets);
  line('Number of ICMP packets', r.icmpPackets, r.packets);
  line('Number of ICMPv6 packets', r.icmp6Packets, r.packets);
  line('Number of TCP packets', r.tcpPackets, r.packets);
  line('Number of TCP bytes', r.tcpBytes, r.bytes);
  line('Number of UDP packets', r.udpPackets, r.packets);
  line('Number of UDP bytes', r.udpBytes, r.bytes);
  for (const p of r.protocols) {
    if ([1, 6, 17, 58].includes(p.proto)) continue;
    line(`Number of ${p.name} packets`, p.packets, r.packets);
  }
  line('Number of IPv4 fragmented packets', r.ipv4Fragments, r.packets);
  line('Number of IPv6 fragmented packets', r.ipv6Fragments, r.packets);
  out.push(`Number of processed flows: ${r.flows}`);
  line('Number of processed L2 flows', r.l2Flows, r.flows);
  line('Number of processed IPv4 flows', r.ipv4Flows, r.flows);
  line('Number of processed IPv6 flows', r.ipv6Flows, r.flows);
  line('Number of processed A flows', r.aFlows, r.flows);
  line('Number of processed B flows', r.bFlows, r.flows);
  line('Number of connections (flowInd)', r.flowIndexes);
  if (r.flowStat !== 0n) out.push(`Aggregated flowStat=${formatHex(r.flowStat, 'h64')}`);
  for (const l of r.analyzerLines) {
    const v = typeof l.value === 'bigint' ? `0x${l.value.toString(16)}` : String(l.value);
    out.push(`${l.label}: ${v}`);
  }
  for (const u of r.unsupportedLinkTypes) out.push(`Unsupported link type ${u.linkType} (${u.name}): ${u.packets} packets`);
  line('Number of truncated packets (snaplen)', r.truncatedPackets, r.packets);
  line('Number of decoding errors', r.decodeErrors, r.packets);
  for (const s of r.decodeErrorSamples) out.push(`  ${s}`);
  for (const w of r.warnings) out.push(`Warning: ${w}`);
  if (r.warningsSuppressed > 0) out.push(`Warning: ${r.warningsSuppressed} further warnings not shown`);
  return out;
}

/** The report as one JSON object: numbers as numbers, timestamps as exact number literals. */
export function reportJson(r: LoadReport): string {
  const fields: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    let text: string;
    if (k === 'firstTime' || k === 'lastTime' || k === 'duration') text = v === '' ? 'null' : String(v);
    else if (typeof v === 'bigint') text = v.toString();
    else if (k === 'analyzerLines') {
      text = '{' + (v as ReportLine[]).map((l) => `${JSON.stringify(l.column ?? l.label)}:${typeof l.value === 'bigint' ? l.value.toString() : JSON.stringify(l.value)}`).join(',') + '}';
    } else text = JSON.stringify(v);
    fields.push(`${JSON.stringify(k)}:${text}`);
  }
  return '{' + fields.join(',') + '}';
}
