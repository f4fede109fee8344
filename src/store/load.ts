/** Loading a capture: read, decode, build flows, then assemble the flows and packets tables. */
import { statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { readCapture } from '../capture/reader.ts';
import { openPayloadSource } from '../capture/payload.ts';
import { estimatePackets } from '../capture/estimate.ts';
import type { CaptureInfo, CaptureWarning, PayloadSource } from '../capture/types.ts';
import { createAnalyzers, createPostLoadAnalyzers } from '../analyzers/registry.ts';
import type { Analyzer, FinishContext } from '../analyzers/analyzer.ts';
import { CORE_FLOW_COLUMNS, CORE_PACKET_COLUMNS } from '../analyzers/core/schema.ts';
import { FlowStore } from './flowStore.ts';
import { ColumnTable } from './columnTable.ts';
import { BigFlagColumn, CharColumn, NumberColumn, RowNumberColumn, TimeColumn } from './columns.ts';
import type { Catalog, Column, Table } from './table.ts';
import { buildReport, type LoadReport } from '../report/report.ts';
import { growF64, growU16, growU32, type GrowF64, type GrowU32, type Growable } from './growable.ts';

export const FLOWS_DESCRIPTION = 'One row per flow direction: A (initiator) and B (reverse) share a flowInd';
export const PACKETS_DESCRIPTION = 'One row per packet, in capture order';

/** One packet's frame as it is in the capture, read back by offset. */
export interface Frame {
  readonly bytes: Uint8Array;
  readonly capLen: number;
  readonly wireLen: number;
  readonly linkType: number;
  /** index into `info.interfaces` (classic pcap: 0) */
  readonly interfaceId: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  /** offset of the frame's first byte in the (decompressed) capture */
  readonly fileOffset: number;
}

export interface LoadedCapture {
  readonly file: string;
  /** the frame of packets-table row `row` (pktNo - 1), read from the file */
  readFrame(row: number): Frame;
  readonly info: CaptureInfo;
  readonly catalog: Catalog;
  readonly flows: Table;
  readonly packets: Table;
  readonly report: LoadReport;
  readonly warnings: readonly CaptureWarning[];
  readonly payload: PayloadSource;
  readonly analyzers: readonly Analyzer[];
  /** packets-table row -> flows-table row of its flow direction (-1 for packets without a flow) */
  readonly packetFlowRows: Int32Array;
  /** release the file handle and any decompressed spill file */
  close(): void;
}

export interface LoadOptions {
  readonly signal?: AbortSignal;
  readonly progress?: (bytesRead: number, totalBytes: number, packets: number) => void;
  /** called at the end of each phase of the load with its wall-clock milliseconds (for the bench) */
  readonly phase?: (name: string, ms: number) => void;
}

/** 64-bit values from (low, high) 32-bit word pairs without creating a BigInt per row. */
function bigWords(words: Uint32Array): BigUint64Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return new BigUint64Array(words.buffer, words.byteOffset, words.length / 2);
  const out = new BigUint64Array(words.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (BigInt(words[2 * i + 1]!) << 32n) | BigInt(words[2 * i]!);
  return out;
}

class SimpleCatalog implements Catalog {
  constructor(readonly tables: readonly Table[]) {}
  table(name: string): Table | undefined {
    return this.tables.find((t) => t.def.name === name);
  }
}

/** Packet sink that also records where each frame lies in the file (for payload and `save`). */
class RecordingStore extends FlowStore {
  readonly fileOffsets: GrowF64;
  readonly capLens: GrowU32;
  readonly wireLens: GrowU32;
  constructor(file: string, analyzers: readonly Analyzer[], expectedPackets: number) {
    super(file, analyzers, expectedPackets);
    this.fileOffsets = growF64(expectedPackets);
    this.capLens = growU32(expectedPackets);
    this.wireLens = growU32(expectedPackets);
  }
  /** pcapng interface index per packet, kept only once a packet has one other than 0 */
  interfaceIds: Growable<Uint16Array> | undefined;
  override packet(
    bytes: Uint8Array, view: DataView, start: number, capLen: number, wireLen: number,
    tsSec: number, tsNsec: number, linkType: number, fileOffset: number, interfaceId = 0,
  ): void {
    const row = this.fileOffsets.push(fileOffset);
    this.capLens.push(capLen);
    this.wireLens.push(wireLen);
    if (interfaceId !== 0 || this.interfaceIds) {
      const ids = (this.interfaceIds ??= growU16(this.fileOffsets.data.length));
      ids.ensure(row);
      ids.data[row] = interfaceId;
    }
    super.packet(bytes, view, start, capLen, wireLen, tsSec, tsNsec, linkType, fileOffset);
  }
}

export async function loadCapture(file: string, opts: LoadOptions = {}): Promise<LoadedCapture> {
  const started = performance.now();
  let size = 0;
  try { size = statSync(file).size; } catch { /* readCapture reports the error */ }
  const expectedPackets = Math.min(1 << 26, Math.max(1024, estimatePackets(file) ?? Math.ceil(size / 400)));
  const analyzers = createAnalyzers(expectedPackets);
  const store = new RecordingStore(file, analyzers, expectedPackets);
  const spillPath = join(tmpdir(), `flowsh-${randomUUID()}.pcap`);
  let info: CaptureInfo;
  try {
    info = await readCapture(file, store, { signal: opts.signal, progress: opts.progress, spillPath });
  } catch (e) {
    rmSync(spillPath, { force: true });
    throw e;
  }
  const phase = phaseTimer(opts.phase, started);
  phase('read, decode, per-packet hooks');
  store.finishFlows();
  phase('end of flows');
  const payload = openPayloadSource(file, info.compressed ? spillPath : undefined);
  const { flows, packets, packetFlowRows } = assembleTables(store, info, payload);
  phase('tables');
  const report = buildReport(store, info, flows, analyzers, performance.now() - started);
  const offsets = store.fileOffsets.finish(), capLens = store.capLens.finish(), wireLens = store.wireLens.finish();
  const ifaces = store.interfaceIds?.finish(), secs = store.packetSec.finish(), nsecs = store.packetNsec.finish();
  const readFrame = (row: number): Frame => {
    if (!(row >= 0 && row < offsets.length)) throw new RangeError(`no packet ${row + 1} (the capture has ${offsets.length})`);
    const capLen = capLens[row]!;
    const interfaceId = ifaces && row < ifaces.length ? ifaces[row]! : 0;
    return {
      bytes: payload.read(offsets[row]!, capLen), capLen, wireLen: wireLens[row]!,
      linkType: info.interfaces[interfaceId]?.linkType ?? info.interfaces[0]?.linkType ?? 1, interfaceId,
      tsSec: secs[row]!, tsNsec: nsecs[row]!, fileOffset: offsets[row]!,
    };
  };
  const base: LoadedCapture = {
    file, info, flows, packets, report, payload, analyzers, readFrame, packetFlowRows,
    catalog: new SimpleCatalog([flows, packets]),
    warnings: store.warnings,
    close() {
      payload.close();
      if (info.compressed) rmSync(spillPath, { force: true });
    },
  };
  phase('report');
  const loaded = runPostLoad(base);
  phase('post-load analyzers');
  return loaded;
}

/** Calls `report` with each phase's name and milliseconds since the previous phase ended. */
function phaseTimer(report: LoadOptions['phase'], started: number): (name: string) => void {
  let last = started;
  return (name) => {
    if (!report) return;
    const now = performance.now();
    report(name, now - last);
    last = now;
  };
}

/** Post-load analyzers add columns to flows and packets, tables of their own, and report lines. */
function runPostLoad(base: LoadedCapture): LoadedCapture {
  let capture = base;
  for (const analyzer of createPostLoadAnalyzers()) {
    const out = analyzer.build({ capture });
    const flows = new ColumnTable('flows', FLOWS_DESCRIPTION, capture.flows.rowCount, [...capture.flows.columns, ...out.flowColumns]);
    const packets = new ColumnTable('packets', PACKETS_DESCRIPTION, capture.packets.rowCount, [...capture.packets.columns, ...out.packetColumns]);
    const others = capture.catalog.tables.filter((t) => t.def.name !== 'flows' && t.def.name !== 'packets');
    const report = out.report?.length ? { ...capture.report, analyzerLines: [...capture.report.analyzerLines, ...out.report] } : capture.report;
    capture = { ...capture, flows, packets, report, catalog: new SimpleCatalog([flows, packets, ...others, ...out.tables]) };
  }
  return capture;
}

function assembleTables(store: RecordingStore, info: CaptureInfo, payload: PayloadSource): { flows: Table; packets: Table; packetFlowRows: Int32Array } {
  // flows table order: by flowInd, A before B; directions without packets are left out
  const storageRows = store.flowCount() * 2;
  const order: number[] = [];
  for (let r = 0; r < storageRows; r++) if (store.exists(r)) order.push(r);
  const flowOrder = Int32Array.from(order);
  const tableRowOf = new Int32Array(storageRows).fill(-1);
  flowOrder.forEach((r, i) => { tableRowOf[r] = i; });

  const packetCount = store.counters.packets;
  const packetFlowRow = store.packetFlowRow.finish();
  // plain loops: TypedArray.from with a map function is ~20x slower on millions of rows
  const packetFlowTableRow = new Int32Array(packetCount);
  const packetInd = new Uint32Array(packetCount);
  const packetDir = new Uint8Array(packetCount);
  for (let i = 0; i < packetCount; i++) {
    const r = packetFlowRow[i]!;
    packetFlowTableRow[i] = r < 0 ? -1 : tableRowOf[r]!;
    packetInd[i] = r < 0 ? 0 : (r >> 1) + 1;
    packetDir[i] = r < 0 ? 0 : r & 1 ? 66 : 65;
  }
  const [dirDef, indDef, statDef] = CORE_FLOW_COLUMNS as [typeof CORE_FLOW_COLUMNS[0], typeof CORE_FLOW_COLUMNS[0], typeof CORE_FLOW_COLUMNS[0]];
  const flowCount = flowOrder.length;
  const flowStatWords = new Uint32Array(flowCount * 2);
  const flowDir = new Uint8Array(flowCount);
  const flowInd = new Float64Array(flowCount);
  const lo = store.statLo.data, hi = store.statHi.data;
  for (let i = 0; i < flowCount; i++) {
    const r = flowOrder[i]!;
    flowStatWords[2 * i] = lo[r]!;
    flowStatWords[2 * i + 1] = hi[r]!;
    flowDir[i] = r & 1 ? 66 : 65;
    flowInd[i] = (r >> 1) + 1;
  }
  const flowColumns: Column[] = [
    new CharColumn(dirDef, flowDir),
    new NumberColumn(indDef, flowInd),
    new BigFlagColumn(statDef, bigWords(flowStatWords)),
  ];

  const packetStatWords = store.packetStatWords.finish();
  const packetSec = store.packetSec.finish(), packetNsec = store.packetNsec.finish();
  const [, , , , timeDef] = CORE_PACKET_COLUMNS;
  const packetColumns: Column[] = [
    new RowNumberColumn(CORE_PACKET_COLUMNS[0]!, packetCount),
    new NumberColumn(indDef, packetInd),
    new CharColumn(dirDef, packetDir),
    new BigFlagColumn(statDef, bigWords(packetStatWords)),
    new TimeColumn(timeDef!, packetSec, packetNsec, info.tsDigits),
  ];

  const built = new Map<string, Column>(flowColumns.map((c) => [c.def.name, c]));
  const ctx: FinishContext = {
    flowOrder, packetFlowRow, packetFlowTableRow, packetCount, tsDigits: info.tsDigits,
    packetSec, packetNsec, packetFileOffset: store.fileOffsets.finish(), packetCapLen: store.capLens.finish(), packetWireLen: store.wireLens.finish(), payload,
    linkTypeOf: (row) => {
      const ids = store.interfaceIds?.data;
      const id = ids && row < store.interfaceIds!.length ? ids[row]! : 0;
      return info.interfaces[id]?.linkType ?? info.interfaces[0]?.linkType ?? 1;
    },
    flowColumn: (name) => built.get(name),
  };
  for (const analyzer of store.analyzers) {
    const out = analyzer.finish(ctx);
    for (const c of out.flowColumns) { flowColumns.push(c); built.set(c.def.name, c); }
    packetColumns.push(...out.packetColumns);
  }
  return {
    flows: new ColumnTable('flows', FLOWS_DESCRIPTION, flowOrder.length, flowColumns),
    packets: new ColumnTable('packets', PACKETS_DESCRIPTION, packetCount, packetColumns),
    packetFlowRows: packetFlowTableRow,
  };
}
