/** Well-known ports flowsh names when it explains a packet or a flow (IANA service names). */
export interface PortService {
  readonly name: string;
  readonly description: string;
}

const SERVICES: Readonly<Record<number, PortService>> = {
  20: { name: 'ftp-data', description: 'FTP data (an active-mode server connects from here)' },
  21: { name: 'ftp', description: 'FTP control connection: commands and replies' },
  22: { name: 'ssh', description: 'Secure Shell' },
  23: { name: 'telnet', description: 'Telnet' },
  25: { name: 'smtp', description: 'mail transfer (SMTP)' },
  53: { name: 'domain', description: 'DNS: name lookups' },
  67: { name: 'bootps', description: 'DHCP server' },
  68: { name: 'bootpc', description: 'DHCP client' },
  69: { name: 'tftp', description: 'Trivial FTP' },
  80: { name: 'http', description: 'web (HTTP)' },
  110: { name: 'pop3', description: 'mail retrieval (POP3)' },
  111: { name: 'sunrpc', description: 'ONC RPC port mapper' },
  123: { name: 'ntp', description: 'time synchronisation (NTP)' },
  137: { name: 'netbios-ns', description: 'NetBIOS name service' },
  139: { name: 'netbios-ssn', description: 'NetBIOS session (SMB over NetBIOS)' },
  143: { name: 'imap', description: 'mail access (IMAP)' },
  161: { name: 'snmp', description: 'network management (SNMP)' },
  443: { name: 'https', description: 'web over TLS (HTTPS)' },
  445: { name: 'microsoft-ds', description: 'SMB file sharing' },
  853: { name: 'domain-s', description: 'DNS over TLS' },
  989: { name: 'ftps-data', description: 'FTP data over implicit TLS' },
  990: { name: 'ftps', description: 'FTP control over implicit TLS' },
  2121: { name: 'ftp (alt)', description: 'a common alternative FTP control port' },
  5353: { name: 'mdns', description: 'multicast DNS' },
};

export function portService(port: number): PortService | undefined {
  return SERVICES[port];
}
