/**
 * The verdict of one transfer, from what the capture holds of its data connection and control
 * dialogue. One word, the first rule that applies (the `verdict` column's description says the
 * same): encrypted, aborted, truncated-capture, gaps, size-mismatch, complete. Aborted is wire
 * evidence of a transfer cut short: a non-2xx final reply, a RST before the sender's FIN, the
 * receiver's FIN before the sender's without a 2xx, or the control connection closed while the
 * transfer waited for its final reply (a killed client; a download proven whole is kept). `complete` is the
 * issue's definition: every byte from the stream's start (SYN) to the sender's FIN is captured and
 * nothing contradicts the announced size or the final reply.
 */
import type { FileVerdict } from './tables.ts';

export interface TransferEvidence {
  /** PROT P in force after AUTH TLS/SSL was answered 234 */
  readonly encrypted: boolean;
  /** final reply code of the command (null: none captured, or unreadable) and its packet row (NaN: none) */
  readonly finalCode: number | null;
  readonly finalRow: number;
  /** rows (-1: none) of the sender's first FIN, the first RST of either direction, the first sender payload packet cut by the snaplen */
  readonly senderFinRow: number;
  readonly rstRow: number;
  readonly cutRow: number;
  /** the sender's SYN (or SYN-ACK) is in the capture: the stream's first byte is known */
  readonly sawSyn: boolean;
  /** stream bytes captured and missing (holes the reassembly found) */
  readonly bytes: number;
  readonly missing: number;
  /** row that delivered the first hole (NaN: none) */
  readonly firstGapRow: number;
  readonly announcedSize: number | undefined;
  /** TYPE A: the wire carries CRLF, so it may exceed the announced (file) size, but never fall short of it */
  readonly ascii: boolean;
  readonly restOffset: number;
  /** rows of the data connection's first and last packets */
  readonly firstRow: number;
  readonly lastRow: number;
  /** row of the receiver's first FIN (-1: none) */
  readonly receiverFinRow: number;
  /** row where the control connection closed while the transfer still waited for its final reply (-1: it did not) */
  readonly hangupRow: number;
  /** the server sends (RETR, listings): its FIN after every announced byte proves the file whole */
  readonly download: boolean;
}

export interface Verdict {
  readonly verdict: FileVerdict;
  /** the packet row that settled it (NaN for complete and encrypted) */
  readonly decidedAt: number;
}

/** A 2xx final reply (226, 250, or another positive completion) says the transfer succeeded. */
function positive(code: number): boolean {
  return code >= 200 && code < 300;
}

/** Whether the size on the wire agrees with the announced one (a REST transfer carries the tail only). */
export function sizeAgrees(e: Pick<TransferEvidence, 'announcedSize' | 'ascii' | 'restOffset' | 'bytes' | 'missing'>): boolean {
  if (e.announcedSize === undefined) return true;
  const total = e.bytes + e.missing;
  if (e.ascii) return total >= e.announcedSize - e.restOffset;
  return total === e.announcedSize || total === e.announcedSize - e.restOffset;
}

export function decideVerdict(e: TransferEvidence): Verdict {
  const known = (...rows: number[]): number => rows.find((r) => Number.isFinite(r) && r >= 0) ?? NaN;
  if (e.encrypted) return { verdict: 'encrypted', decidedAt: NaN };
  // the wire says the transfer was cut short: a negative final reply, or a reset before the sender finished
  const resetEarly = e.rstRow >= 0 && (e.senderFinRow < 0 || e.rstRow < e.senderFinRow);
  if ((e.finalCode !== null && !positive(e.finalCode)) || resetEarly) {
    return { verdict: 'aborted', decidedAt: known(resetEarly ? e.rstRow : NaN, e.finalRow, e.lastRow) };
  }
  // the receiver closed before the sender finished, and no 2xx says the transfer went through (a
  // receiver FIN without the sender's is not enough: it may answer a sender FIN the capture lost)
  const positiveFinal = e.finalCode !== null && positive(e.finalCode);
  if (e.receiverFinRow >= 0 && e.receiverFinRow < e.senderFinRow && !positiveFinal) {
    return { verdict: 'aborted', decidedAt: e.receiverFinRow };
  }
  // the session was closed while the transfer waited for its final reply (a killed client): an
  // upload's FIN then proves nothing; a download is still whole when every announced byte and the FIN are in
  const provenWhole = e.download && e.senderFinRow >= 0 && e.announcedSize !== undefined && e.missing === 0 && e.cutRow < 0 && e.sawSyn && sizeAgrees(e);
  if (e.hangupRow >= 0 && !provenWhole) return { verdict: 'aborted', decidedAt: e.hangupRow };
  // the capture did not keep it all: packets cut by the snaplen, or no FIN (the capture ended or stopped seeing the connection)
  if (e.cutRow >= 0) return { verdict: 'truncated-capture', decidedAt: e.cutRow };
  if (e.senderFinRow < 0) return { verdict: 'truncated-capture', decidedAt: known(e.finalRow, e.lastRow) };
  if (e.missing > 0 || !e.sawSyn) return { verdict: 'gaps', decidedAt: known(e.firstGapRow, e.firstRow) };
  if (!sizeAgrees(e)) return { verdict: 'size-mismatch', decidedAt: known(e.finalRow, e.senderFinRow) };
  return { verdict: 'complete', decidedAt: NaN };
}
