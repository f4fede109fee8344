/** tcpStream's flow columns: per-direction results of TCP stream reassembly (flowsh additions, not in Tranalyzer). */
import type { ColumnDef } from '../../schema/types.ts';

export const TCP_STREAM_FLOW_COLUMNS: readonly ColumnDef[] = [
  {
    name: 'tcpStreamBytes', type: 'u64',
    description: 'TCP payload bytes of this direction\'s reassembled stream that were captured: each sequence number counted once, in sequence order, gaps excluded (what follow flow shows); 0 for non-TCP flows',
  },
  {
    name: 'tcpStreamMissing', type: 'u64',
    description: 'Bytes of this direction\'s stream (after the SYN, up to the FIN or the highest byte sent or acknowledged) never captured: lost segments and snaplen cuts',
  },
  {
    name: 'tcpStreamOoo', type: 'u32',
    description: 'Out-of-order segments: payload arriving after a segment further ahead, filling a hole, none of it seen before',
  },
  {
    name: 'tcpStreamRetrans', type: 'u32',
    description: 'Retransmitted segments: payload repeating at least one sequence number already seen (keep-alives and zero-window probes excluded); the first copy is kept',
  },
  {
    name: 'tcpStreamConflicts', type: 'u32',
    description: 'Conflicting overlaps: segments whose captured bytes differ from the first captured copy of the same sequence numbers (the first copy is kept)',
  },
];
