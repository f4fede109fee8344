/** tcpStates' columns and the tcpStatesAFlags bit table (reference §2), declared once. */
import type { BitDef, ColumnDef } from '../../schema/types.ts';

/** tcpStatesAFlags bits. */
export const enum TcpStateBit {
  MalformedEstablishment = 0x01,
  MalformedTeardown = 0x02,
  MalformedFlagsEstablished = 0x04,
  PacketsAfterTeardown = 0x08,
  PacketsAfterReset = 0x10,
  ResetFromSender = 0x40,
  Scan = 0x80,
}

export const TCP_STATES_BITS: readonly BitDef[] = [
  {
    value: 0x01, name: 'MAL_CON_EST', level: 'warning',
    description: 'Malformed connection establishment: the handshake was not seen complete (both SYNs seen and acked). ' +
      'Also set on every flow whose capture starts mid-connection, and on both sides when a FIN+ACK is a flow\'s first packet',
  },
  { value: 0x02, name: 'MAL_TEARDWN', level: 'warning', description: 'Malformed teardown: not both FINs seen and acked (set on connections still open at the end of the capture and on reset ones)' },
  { value: 0x04, name: 'MAL_FLGS_EST', level: 'warning', description: 'Malformed flags during the established connection: a SYN, or a packet without ACK' },
  { value: 0x08, name: 'PKTS_TERM', level: 'warning', description: 'Packets after the teardown (late retransmissions or ACKs; Tranalyzer only sees them within its 10 s CLOSED timeout, flowsh keeps a closed flow 120 s idle, and a new SYN starts a new flow)' },
  { value: 0x10, name: 'PKTS_RST', level: 'warning', description: 'Packets after a reset (Tranalyzer only sees them within its 0.1 s RESET timeout, flowsh keeps a reset flow 120 s idle, and a new SYN starts a new flow)' },
  { value: 0x40, name: 'RST_TRANS', description: 'Reset sent by this direction' },
  {
    value: 0x80, name: 'EVIL', level: 'warning',
    description: 'Potential evil behaviour (scan): a NULL or Xmas packet, a bare FIN or a RST opening a one-sided flow, or a one-sided flow that starts with FIN+ACK ' +
      '(the last misfires on a capture that starts during a teardown)',
  },
];

export const TCP_STATES_A_FLAGS: ColumnDef = {
  name: 'tcpStatesAFlags', type: 'h8', tranalyzer: true, bits: TCP_STATES_BITS,
  description: 'TCP state machine anomalies (Tranalyzer\'s tcpStates: NEW, ESTABLISHED, CLOSING, CLOSED, RESET); ' +
    'flows: this direction\'s bits with the end-of-flow checks (0x03 for a one-sided TCP flow); packets: the sender\'s value after the packet (0x00 for non-TCP packets). ' +
    'Tranalyzer\'s heuristics kept as they are: a capture that starts mid-connection gets 0x01, and a flow whose first packet is a FIN+ACK gets 0x01 (and 0x80 when one-sided) even when the capture merely started during a teardown. ' +
    'Unlike Tranalyzer, a closed or reset flow is not ended after 10 s / 0.1 s: late packets stay in it and get 0x08 / 0x10 (a new SYN still starts a new flow). ' +
    'The packet that first set a bit on flow N: `packets where flowInd == N and bitsanyset(tcpStatesNewBits, 0x04) limit 1` (tcpStatesNewBits; the packets table is in packet order)',
};

export const TCP_STATES_NEW_BITS: ColumnDef = {
  name: 'tcpStatesNewBits', type: 'h8', bits: TCP_STATES_BITS,
  description: 'tcpStatesAFlags bits this packet set for the first time on a direction of its connection (its own or the reverse one); ' +
    '`packets where tcpStatesNewBits != 0` lists the packets that raised each bit, `packets where flowInd == N and bitsanyset(tcpStatesNewBits, 0x04) limit 1` the one that first set 0x04 on flow N. Bits set only at the flow\'s end (incomplete handshake or teardown, one-sided flow, FIN-scan mark) belong to no packet',
};

export const TCP_STATES_FLOW_COLUMNS: readonly ColumnDef[] = [TCP_STATES_A_FLAGS];
export const TCP_STATES_PACKET_COLUMNS: readonly ColumnDef[] = [TCP_STATES_A_FLAGS, TCP_STATES_NEW_BITS];

/** Idle timeouts per state (seconds), as tcpStates sets them on the flow. */
export const TCP_STATE_TIMEOUT = { new: 120, established: 610, closing: 120, closed: 10, reset: 0.1 } as const;
