/**
 * Tranalyzer's trip-time estimate (tcpFlags RTT_ESTIMATE, reference §3.4): every packet of one
 * direction is taken as the answer to the reverse direction's last packet, and the time between
 * them (the "ACK trip") feeds the reverse direction's min / max / running mean / jitter. The
 * handshake gives the SYN -> SYN-ACK and SYN-ACK -> ACK times. A direction stops contributing once
 * it sent a FIN, RST or odd flag combination, until the reverse direction's next packet re-arms
 * it. Kept as Tranalyzer computes it, quirks included: the mean divides by the answering
 * direction's packet count, and a stream of packets in one direction counts as answers too, so
 * these are response times rather than round-trip times.
 */
import { growF64, growU32, growU8 } from '../../store/growable.ts';

const enum Rtt { NoSyn = 0, SynSent = 1, SynAck = 2, Ack = 4, Stop = 0x80 }

const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;
const ARSF = ACK | RST | SYN | FIN;
/** Tranalyzer starts the minimum at 0xffff seconds and prints that when nothing was measured */
const MIN_UNSET = 0xffff;

export class TripTimes {
  private readonly flag = growU8();
  private readonly packets = growU32();
  readonly trip = growF64();
  readonly min = growF64();
  readonly max = growF64();
  readonly mean = growF64();
  /** running mean of the squared deviation */
  readonly jitter = growF64();

  flowCreated(row: number): void {
    const last = row | 1;
    for (const g of [this.flag, this.packets, this.trip, this.min, this.max, this.mean, this.jitter]) g.ensure(last);
    this.min.data[row] = MIN_UNSET;
  }

  /**
   * An IP packet of direction `row` at `time`; `revTime` is the reverse direction's last packet time
   * (NaN when the reverse direction has no packet yet). Called before `tcpFlags`/`notTcp`.
   */
  packet(row: number, time: number, revTime: number): void {
    const n = ++this.packets.data[row]!;
    if (revTime !== revTime || this.flag.data[row] === Rtt.Stop) return;
    const rev = row ^ 1;
    const trip = Math.abs(time - revTime);
    if (trip < this.min.data[rev]!) this.min.data[rev] = trip;
    if (trip > this.max.data[rev]!) this.max.data[rev] = trip;
    if ((this.flag.data[rev]! & (Rtt.SynSent | Rtt.SynAck)) && this.packets.data[rev] === 1) {
      this.trip.data[rev] = trip;
      this.mean.data[rev] = trip;
    } else {
      const d = trip - this.mean.data[rev]!;
      this.mean.data[rev]! += d / n;
      this.jitter.data[rev]! += (d * d - this.jitter.data[rev]!) / n;
      this.flag.data[rev] = Rtt.Ack;
    }
  }

  /** after `packet`, for a packet that is not a TCP segment with a header (UDP, ICMP, later fragments) */
  notTcp(row: number): void {
    const f = this.flag.data;
    if (this.packets.data[row] === 1) f[row] = Rtt.SynAck;
    else if (f[row] === Rtt.SynAck) f[row] = Rtt.Ack;
  }

  /** after `packet`, for a TCP segment with these flags */
  tcp(row: number, flags: number, hasRev: boolean): void {
    const f = this.flag.data;
    switch (flags & ARSF) {
      case SYN: f[row] = Rtt.SynSent; break;
      case SYN | ACK: f[row] = Rtt.SynAck; break;
      case ACK:
        if (f[row] === Rtt.SynAck) f[row] = Rtt.Ack;
        if (hasRev && (f[row ^ 1] === Rtt.NoSyn || f[row ^ 1] === Rtt.SynAck)) f[row ^ 1] = Rtt.Ack;
        break;
      default: f[row] = Rtt.Stop;
    }
  }

  /** tcpRTTSseqAA: the handshake RTT on the initiator's row, the two mean trips summed on the other */
  roundTrip(row: number, inverted: boolean, hasRev: boolean): number {
    if (!hasRev) return 0;
    const rev = row ^ 1;
    return inverted ? this.mean.data[row]! + this.mean.data[rev]! : this.trip.data[row]! + this.trip.data[rev]!;
  }

  /** tcpRTTAckJitAvg: only on the inverted (responder's) row */
  roundTripJitter(row: number, inverted: boolean, hasRev: boolean): number {
    return hasRev && inverted ? Math.sqrt(this.jitter.data[row]! + this.jitter.data[row ^ 1]!) : 0;
  }
}
