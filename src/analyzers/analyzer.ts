/**
 * Analyzers are peers behind one small interface, like Tranalyzer's plugins: each declares its
 * columns (schema) and gets the same hooks — flow created, packet, flow ended — then builds its
 * columns when the load finishes.
 */
import type { ColumnDef, TableDef } from '../schema/types.ts';
import type { Column, Table } from '../store/table.ts';
import type { DecodedPacket } from '../decode/packet.ts';
import type { PayloadSource } from '../capture/types.ts';

/** What an analyzer sees of the packet being processed. Reused for every packet. */
export interface PacketContext {
  readonly pkt: DecodedPacket;
  /** the packet's captured bytes are bytes[start .. start + capLen) (valid only during the hook) */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly start: number;
  readonly capLen: number;
  readonly wireLen: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  /** timestamp in seconds (float), for timeouts and differences */
  readonly time: number;
  /** offset of the packet's first captured byte in the (decompressed) capture file */
  readonly fileOffset: number;
  /** row of this packet in the packets table */
  readonly packetRow: number;
  /** storage row of the packet's flow direction, -1 for packets without a flow */
  readonly flowRow: number;
  /** flowStat bits of this packet, low and high 32 bits (analyzers may add bits) */
  statusLo: number;
  statusHi: number;
}

/** Storage rows: the A direction of flow k (0-based) is row 2k, its B direction row 2k + 1. */
export interface FlowRows {
  /** number of storage rows allocated so far (2 per flow) */
  readonly storageRows: number;
  /** whether a storage row has seen packets (B rows of one-sided flows have not) */
  exists(row: number): boolean;
  /** set the idle timeout of a flow direction (seconds), as tcpStates does */
  setTimeout(row: number, seconds: number): void;
  /** the reverse direction's storage row */
  reverse(row: number): number;
}

/** Given to `finish`: how table rows map to storage rows. */
export interface FinishContext {
  /** flows table row -> storage row (rows without packets are left out) */
  readonly flowOrder: Int32Array;
  /** packets table row -> storage row of its flow (-1 when none) */
  readonly packetFlowRow: Int32Array;
  /** packets table row -> flows table row of its flow (-1 when none) */
  readonly packetFlowTableRow: Int32Array;
  readonly packetCount: number;
  /** decimal digits of the capture's timestamps */
  readonly tsDigits: number;
  /** per packet: timestamp seconds and nanoseconds, frame offset in the file, captured length */
  readonly packetSec: Uint32Array;
  readonly packetNsec: Uint32Array;
  readonly packetFileOffset: Float64Array;
  readonly packetCapLen: Uint32Array;
  /** per packet: length on the wire (as the capture records it) */
  readonly packetWireLen: Uint32Array;
  /** link type of a packet's frame (pcapng: of its interface), to decode it again */
  linkTypeOf(packetRow: number): number;
  /** reads payload back from the capture by file offset */
  readonly payload: PayloadSource;
  /** the flows-table columns built so far (core and earlier analyzers), by name */
  flowColumn(name: string): Column | undefined;
}

export interface ReportLine {
  readonly label: string;
  readonly value: number | bigint | string;
  /** for a flag value: the column whose bit table explains it */
  readonly column?: string;
}

export interface Analyzer {
  readonly name: string;
  readonly flowColumns: readonly ColumnDef[];
  readonly packetColumns: readonly ColumnDef[];
  /** a new flow direction was created (row); called before `packet` for its first packet */
  flowCreated(row: number, ctx: PacketContext, rows: FlowRows): void;
  /** every packet, after its flow was found (ctx.flowRow may be -1) */
  packet(ctx: PacketContext, rows: FlowRows): void;
  /** a flow (both directions) ended: timed out, or the capture ended */
  flowEnded?(rowA: number, rowB: number, rows: FlowRows): void;
  /** build the columns, in the order of flowColumns / packetColumns */
  finish(ctx: FinishContext): { flowColumns: Column[]; packetColumns: Column[] };
  /** lines for the end report (only what there is to say) */
  report?(): ReportLine[];
}

/**
 * An analyzer that works on the loaded capture as a whole (reassembled streams, other flows),
 * after the per-packet pass: it may add columns to the flows and packets tables and tables of
 * its own (e.g. FTP: ftp and files). Its declarations serve help and completion before any load.
 */
export interface PostLoadAnalyzer {
  readonly name: string;
  readonly flowColumns: readonly ColumnDef[];
  readonly packetColumns: readonly ColumnDef[];
  readonly tables: readonly TableDef[];
  /** columns in declaration order (flows rows and packets rows as the given tables have them) and its tables */
  build(capture: PostLoadContext): { flowColumns: Column[]; packetColumns: Column[]; tables: Table[]; report?: ReportLine[] };
}

/** What a post-load analyzer sees: the capture as loaded so far (flows/packets without its own columns). */
export interface PostLoadContext {
  readonly capture: import('../store/load.ts').LoadedCapture;
}
