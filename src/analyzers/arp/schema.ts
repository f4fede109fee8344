/**
 * The `arp` table, declared once: who-has / is-at exchanges of ARP over Ethernet (RFC 826), with
 * the IP-to-MAC bindings they reveal and every binding that changed. The layer-2 flows ARP packets
 * belong to (flowStat 0x0004 pure L2, 0x0040 ARP, 0x0080 RARP) come from the flow store.
 */
import type { ColumnDef, TableDef } from '../../schema/types.ts';

export const ARP_OPCODE_NAMES: Readonly<Record<number, string>> = { 1: 'request', 2: 'reply', 3: 'rarp-request', 4: 'rarp-reply', 8: 'inarp-request', 9: 'inarp-reply', 10: 'nak' };

export const ARP_TABLE_COLUMNS: readonly ColumnDef[] = [
  { name: 'time', type: 'time', description: 'Time of the request (of the reply or announcement when there was no request)' },
  { name: 'kind', type: 'str', description: 'request (who-has, answered or not), reply (an is-at nobody was seen asking for), announcement (gratuitous: sender and target IP the same), probe (RFC 5227: sender IP 0.0.0.0), rarp, truncated (addresses cut by the snaplen), other (another opcode or not IPv4 over Ethernet)' },
  { name: 'opcode', type: 'u16', valueNames: ARP_OPCODE_NAMES, description: 'ARP opcode of the first packet of the row (1 request, 2 reply, 3/4 RARP)' },
  { name: 'ip', type: 'ip', description: 'The address asked about (who-has), or announced / answered for' },
  { name: 'askerIP', type: 'ip', description: 'The address that asked (tell ...); empty for a probe' },
  { name: 'askerMac', type: 'mac', description: 'The MAC that asked (sender hardware address of the request)' },
  { name: 'mac', type: 'mac', description: 'The MAC the answer gives for `ip` (is-at); empty while unanswered' },
  { name: 'rtt', type: 'seconds', description: 'Reply time minus request time (replies within 5 s answer the latest request)' },
  { name: 'macChanged', type: 'bool', description: 'A packet of this row binds an IP address to a MAC other than the first one the capture bound it to (the sender\'s address, and a reply\'s target): a replaced NIC, failover, or ARP spoofing (tshark\'s "duplicate use of IP address" check)' },
  { name: 'firstMac', type: 'mac', description: 'The MAC that address was first bound to, when macChanged' },
  { name: 'changedPkts', type: 'u64', repeated: true, description: 'pktNo of the row\'s packets that carry a changed binding' },
  { name: 'requestPkt', type: 'u64', description: 'pktNo of the request (0 when none)' },
  { name: 'replyPkt', type: 'u64', description: 'pktNo of the reply (0 when none)' },
  { name: 'requestFlow', type: 'u64', description: 'flowInd of the request\'s layer-2 flow (the asker to the broadcast address, usually)' },
  { name: 'replyFlow', type: 'u64', description: 'flowInd of the reply\'s layer-2 flow (the answering MAC to the asker)' },
];

export const ARP_TABLE: TableDef = {
  name: 'arp',
  description: 'One row per ARP who-has with its is-at (and lone replies, announcements, probes), with the MAC bindings that changed',
  columns: ARP_TABLE_COLUMNS,
};
