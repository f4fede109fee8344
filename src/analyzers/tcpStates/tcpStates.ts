/**
 * tcpStates: Tranalyzer's TCP state machine seen from the middle of the path (reference §2).
 * Each direction has a state (NEW, ESTABLISHED, CLOSING, CLOSED, RESET) that sets its idle timeout,
 * and collects anomaly bits: handshake or teardown not seen complete, odd flags, packets after a
 * close or reset, resets, and scan-like packets.
 */
import type { Analyzer, FinishContext, FlowRows, PacketContext, ReportLine } from '../analyzer.ts';
import type { Column } from '../../store/table.ts';
import { NumberColumn } from '../../store/columns.ts';
import { growU32, growU8, type Growable } from '../../store/growable.ts';
import { PacketStatus } from '../../decode/packet.ts';
import {
  TCP_STATES_A_FLAGS, TCP_STATES_FLOW_COLUMNS, TCP_STATES_NEW_BITS, TCP_STATES_PACKET_COLUMNS, TCP_STATE_TIMEOUT,
  TcpStateBit,
} from './schema.ts';

const enum State { New = 0, Established = 1, Closing = 2, Closed = 3, Reset = 4 }

/** Per-direction handshake and teardown marks. */
const enum Mark { Tcp = 1, SynSeen = 2, SynAcked = 4, FinSeen = 8, FinAcked = 16, FinScan = 32 }

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;
const ARSF = ACK | RST | SYN | FIN;
const SIX_FLAGS = 0x3f;
const XMAS = FIN | PSH | URG;

/**
 * Idle time after which a flow ends, per state. Tranalyzer ends a closed flow after 10 s and a reset
 * one after 0.1 s, so a late retransmission or ACK starts a new flow of its own; flowsh keeps such
 * packets in their flow (as Wireshark does) and flags them 0x08 / 0x10, giving closed and reset flows
 * the CLOSING timeout. Port reuse still starts a new flow: the flow store splits on a new SYN.
 */
const STATE_TIMEOUT = [
  TCP_STATE_TIMEOUT.new, TCP_STATE_TIMEOUT.established, TCP_STATE_TIMEOUT.closing, TCP_STATE_TIMEOUT.closing,
  TCP_STATE_TIMEOUT.closing,
];

export class TcpStatesAnalyzer implements Analyzer {
  readonly name = 'tcpStates';
  readonly flowColumns = TCP_STATES_FLOW_COLUMNS;
  readonly packetColumns = TCP_STATES_PACKET_COLUMNS;

  // per storage row
  private readonly state = growU8();
  private readonly flags = growU8();
  private readonly marks = growU8();
  private readonly synSeq = growU32();
  private readonly finSeq = growU32();
  // per packet
  private readonly pktFlags: Growable<Uint8Array>;
  private readonly pktNewBits: Growable<Uint8Array>;
  private aggregated = 0;

  constructor(expectedPackets = 1024) {
    this.pktFlags = growU8(expectedPackets);
    this.pktNewBits = growU8(expectedPackets);
  }

  flowCreated(row: number, ctx: PacketContext): void {
    const last = row | 1;
    this.state.ensure(last);
    this.flags.ensure(last);
    this.marks.ensure(last);
    this.synSeq.ensure(last);
    this.finSeq.ensure(last);
    this.state.data[row] = State.New;
    this.flags.data[row] = 0;
    this.marks.data[row] = ctx.pkt.l4Proto === 6 ? Mark.Tcp : 0;
    this.synSeq.data[row] = 0;
    this.finSeq.data[row] = 0;
  }

  private enter(row: number, state: State, rows: FlowRows): void {
    this.state.data[row] = state;
    rows.setTimeout(row, STATE_TIMEOUT[state]!);
  }

  packet(ctx: PacketContext, rows: FlowRows): void {
    const pkt = ctx.pkt;
    const row = ctx.flowRow;
    // the decoder sets the header length once the flags byte (the 14th) is captured inside the datagram
    if (row < 0 || pkt.l4Proto !== 6 || (pkt.status & PacketStatus.LaterFragment) !== 0 || pkt.tcpHeaderLen === 0) {
      this.pktFlags.push(0);
      this.pktNewBits.push(0);
      return;
    }
    const rev = rows.reverse(row);
    const hasRev = rows.exists(rev);
    const f = this.flags.data;
    const before = f[row]!, beforeRev = hasRev ? f[rev]! : 0;
    this.step(row, rev, hasRev, pkt.tcpFlags, pkt.tcpSeq, pkt.tcpAck, rows);
    const after = f[row]!;
    this.pktFlags.push(after);
    this.pktNewBits.push((after & ~before) | (hasRev ? f[rev]! & ~beforeRev : 0));
  }

  /** One packet through the state machine of its direction `row` (reverse `rev`). */
  private step(row: number, rev: number, hasRev: boolean, tcpFlags: number, seq: number, ack: number, rows: FlowRows): void {
    const f = this.flags.data, m = this.marks.data;
    const arsf = tcpFlags & ARSF;
    const six = tcpFlags & SIX_FLAGS;
    if (six === 0 || six === XMAS) f[row]! |= TcpStateBit.Scan;

    switch (this.state.data[row]! as State) {
      case State.New:
        if ((tcpFlags & (SYN | FIN | RST)) === SYN) {
          m[row]! |= Mark.SynSeen;
          this.synSeq.data[row] = seq;
          rows.setTimeout(row, TCP_STATE_TIMEOUT.new);
          if (tcpFlags & ACK) {
            if (!hasRev) {
              // the SYN we did not see: the connection is taken as established
              this.enter(row, State.Established, rows);
              f[row]! |= TcpStateBit.MalformedEstablishment;
            } else if (ack === ((this.synSeq.data[rev]! + 1) >>> 0)) {
              m[rev]! |= Mark.SynAcked;
            } else {
              this.bothEstablishedMalformed(row, rev, true, rows);
            }
          }
          return;
        }
        if (hasRev && arsf === ACK) {
          // last step of the handshake
          if (ack === ((this.synSeq.data[rev]! + 1) >>> 0)) {
            m[rev]! |= Mark.SynAcked;
            if (m[row]! & Mark.SynAcked) {
              this.enter(row, State.Established, rows);
              this.enter(rev, State.Established, rows);
            }
          } else {
            this.bothEstablishedMalformed(row, rev, true, rows);
          }
          return;
        }
        if (hasRev && arsf === (RST | ACK)) {
          // a rejected connection
          this.enter(row, State.Reset, rows);
          f[row]! |= TcpStateBit.ResetFromSender;
          this.enter(rev, State.Reset, rows);
          return;
        }
        if (tcpFlags & RST) {
          f[row]! |= TcpStateBit.ResetFromSender | TcpStateBit.MalformedEstablishment;
          this.enter(row, State.Reset, rows);
          if (hasRev) {
            f[rev]! |= TcpStateBit.MalformedEstablishment;
            this.enter(rev, State.Reset, rows);
          } else {
            f[row]! |= TcpStateBit.Scan; // possible RST scan
          }
          return;
        }
        if (arsf === (FIN | ACK)) {
          // a flow that starts with its teardown: the start was missed, or a FIN scan
          m[row]! |= Mark.FinSeen;
          this.finSeq.data[row] = seq;
          f[row]! |= TcpStateBit.MalformedEstablishment;
          this.enter(row, State.Closing, rows);
          if (hasRev) {
            f[rev]! |= TcpStateBit.MalformedEstablishment;
            this.noteFinAck(rev, ack);
          } else {
            m[row]! |= Mark.FinScan;
          }
          return;
        }
        if (arsf === FIN) {
          f[row]! |= TcpStateBit.Scan; // a bare FIN opening a flow is a FIN scan
          return;
        }
        // anything else: the handshake was not seen; keep going as established
        this.bothEstablishedMalformed(row, rev, hasRev, rows);
        return;

      case State.Established:
        if ((tcpFlags & (SYN | ACK)) !== ACK) {
          f[row]! |= TcpStateBit.MalformedFlagsEstablished;
          if (hasRev) f[rev]! |= TcpStateBit.MalformedFlagsEstablished;
        }
        if (tcpFlags & FIN) {
          m[row]! |= Mark.FinSeen;
          this.finSeq.data[row] = seq;
          this.enter(row, State.Closing, rows);
          if ((tcpFlags & ACK) && hasRev) this.noteFinAck(rev, ack);
        }
        if (tcpFlags & RST) this.reset(row, rev, hasRev, rows);
        return;

      case State.Closing:
        if (tcpFlags & RST) this.reset(row, rev, hasRev, rows);
        if ((tcpFlags & ACK) && hasRev) this.noteFinAck(rev, ack);
        if (hasRev && (m[row]! & (Mark.FinSeen | Mark.FinAcked)) === (Mark.FinSeen | Mark.FinAcked) &&
            (m[rev]! & (Mark.FinSeen | Mark.FinAcked)) === (Mark.FinSeen | Mark.FinAcked)) {
          this.enter(row, State.Closed, rows);
          this.enter(rev, State.Closed, rows);
        }
        return;

      case State.Closed:
        f[row]! |= TcpStateBit.PacketsAfterTeardown;
        if (tcpFlags & RST) this.reset(row, rev, hasRev, rows);
        return;

      case State.Reset:
        f[row]! |= TcpStateBit.PacketsAfterReset;
        return;
    }
  }

  private bothEstablishedMalformed(row: number, rev: number, hasRev: boolean, rows: FlowRows): void {
    this.enter(row, State.Established, rows);
    this.flags.data[row]! |= TcpStateBit.MalformedEstablishment;
    if (hasRev) {
      this.enter(rev, State.Established, rows);
      this.flags.data[rev]! |= TcpStateBit.MalformedEstablishment;
    }
  }

  /** A reset during or after the connection: the sender reset it, both teardowns are malformed. */
  private reset(row: number, rev: number, hasRev: boolean, rows: FlowRows): void {
    this.enter(row, State.Reset, rows);
    this.flags.data[row]! |= TcpStateBit.ResetFromSender | TcpStateBit.MalformedTeardown;
    if (hasRev) {
      this.enter(rev, State.Reset, rows);
      this.flags.data[rev]! |= TcpStateBit.MalformedTeardown;
    }
  }

  /** `ack` acknowledges the FIN of direction `finRow` if it is that FIN's sequence number + 1. */
  private noteFinAck(finRow: number, ack: number): void {
    const m = this.marks.data;
    if ((m[finRow]! & Mark.FinSeen) && ack === ((this.finSeq.data[finRow]! + 1) >>> 0)) m[finRow]! |= Mark.FinAcked;
  }

  flowEnded(rowA: number, rowB: number, rows: FlowRows): void {
    const f = this.flags.data, m = this.marks.data;
    for (let row = rowA; row <= rowB; row++) {
      if (!rows.exists(row) || (m[row]! & Mark.Tcp) === 0) continue;
      const rev = rows.reverse(row);
      if (!rows.exists(rev)) {
        f[row]! |= TcpStateBit.MalformedEstablishment | TcpStateBit.MalformedTeardown;
      } else {
        const hs = Mark.SynSeen | Mark.SynAcked, td = Mark.FinSeen | Mark.FinAcked;
        if ((m[row]! & hs) !== hs || (m[rev]! & hs) !== hs) f[row]! |= TcpStateBit.MalformedEstablishment;
        if ((m[row]! & td) !== td || (m[rev]! & td) !== td) {
          f[row]! |= TcpStateBit.MalformedTeardown;
        } else {
          // a complete teardown: the FIN that opened the flow was no scan
          m[row]! &= ~Mark.FinScan;
          m[rev]! &= ~Mark.FinScan;
        }
      }
      if (m[row]! & Mark.FinScan) f[row]! |= TcpStateBit.Scan;
      this.aggregated |= f[row]!;
    }
  }

  finish(ctx: FinishContext): { flowColumns: Column[]; packetColumns: Column[] } {
    return {
      flowColumns: [new NumberColumn(TCP_STATES_A_FLAGS, this.flags.reorder(ctx.flowOrder))],
      packetColumns: [
        new NumberColumn(TCP_STATES_A_FLAGS, this.pktFlags.finish()),
        new NumberColumn(TCP_STATES_NEW_BITS, this.pktNewBits.finish()),
      ],
    };
  }

  report(): ReportLine[] {
    if (this.aggregated === 0) return [];
    return [{ label: 'tcpStates: Aggregated tcpStatesAFlags', value: BigInt(this.aggregated), column: 'tcpStatesAFlags' }];
  }
}
