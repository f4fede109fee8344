/** Names of pcap link types (LINKTYPE_* numbers), for reports. */
const NAMES: Record<number, string> = {
  0: 'NULL (BSD loopback)', 1: 'Ethernet', 12: 'raw IP', 14: 'raw IP', 101: 'raw IP', 108: 'LOOP (OpenBSD loopback)',
  113: 'Linux cooked (SLL)', 127: '802.11 radiotap', 228: 'raw IPv4', 229: 'raw IPv6', 276: 'Linux cooked v2 (SLL2)',
  105: '802.11', 9: 'PPP', 50: 'PPP over HDLC', 104: 'Cisco HDLC', 192: 'PPI', 195: 'IEEE 802.15.4',
};

export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `link type ${linkType}`;
}
