/**
 * FTP sessions on top of the TCP simulator: a control connection with a vsftpd-like server,
 * and data transfers in passive (PASV/EPSV) and active (PORT/EPRT) mode. All lines end in CRLF.
 */
import { ipText } from './addr.ts';
import { dnsQuery, dnsResponse, DNS_TYPE_A, DNS_TYPE_AAAA } from './dns.ts';
import { type Host, MS, type Network, US } from './network.ts';
import { CLIENT, SERVER, TcpConnection } from './tcp.ts';

export const FTP_PORT = 21;
export const FTP_DATA_PORT = 20;
export const VSFTPD_BANNER = '220 (vsFTPd 3.0.5)';

/** A file on the simulated server. */
export interface RemoteFile {
  readonly name: string;
  readonly content: Uint8Array;
  /** "Mar 14 09:12" as `ls -l` shows it */
  readonly mtime: string;
}

/** One `ls -l` line as vsftpd formats it. */
export function listLine(file: RemoteFile, owner = '1000'): string {
  return `-rw-r--r--    1 ${owner.padEnd(8)} ${owner.padEnd(8)} ${String(file.content.length).padStart(8)} ${file.mtime} ${file.name}\r\n`;
}

export function listing(files: readonly RemoteFile[]): string {
  return files.map((f) => listLine(f)).join('');
}

/** The client asks the resolver for `name` (A or AAAA) over UDP; returns when the answer is in. */
export function dnsLookup(net: Network, client: Host, resolver: Host, name: string, answer: Host, version: 4 | 6): void {
  const rng = net.rng;
  const type = answer.ipv6 !== undefined && version === 6 ? DNS_TYPE_AAAA : DNS_TYPE_A;
  const question = { id: rng.int(1, 0xffff), name, type };
  const port = client.nextEphemeralPort(rng);
  const sent = net.sendUdp(client, resolver, client.now, version, port, 53, dnsQuery(question));
  // the resolver recurses before it can answer
  const answerAt = sent.arrivesAt + rng.jitter(6 * MS, 0.4);
  const address = answer.ip(type === DNS_TYPE_AAAA ? 6 : 4);
  const reply = net.sendUdp(resolver, client, answerAt, version, 53, port, dnsResponse(question, [{ ttl: 300, address }]));
  client.now = Math.max(client.now, reply.arrivesAt);
}

export class FtpSession {
  readonly control: TcpConnection;
  readonly version: 4 | 6;
  /** every command line the client sent, for documentation and tests */
  readonly commands: string[] = [];

  constructor(readonly net: Network, readonly client: Host, readonly server: Host, version: 4 | 6 = 4) {
    this.version = version;
    this.control = new TcpConnection(net, { client, server, serverPort: FTP_PORT, version });
  }

  /** User think time / client processing before the next command. */
  think(minMs: number, maxMs: number): void {
    this.client.now += this.net.rng.int(minMs * MS, maxMs * MS);
  }

  /** Server processing time before a reply. */
  private serverDelay(): number {
    return this.net.rng.int(60 * US, 900 * US);
  }

  connect(): void {
    this.control.connect();
    this.reply(VSFTPD_BANNER);
  }

  /** The client sends one command line. */
  request(line: string): void {
    this.commands.push(line);
    this.control.send(CLIENT, `${line}\r\n`, { at: this.client.now + this.net.rng.int(150 * US, 2 * MS) });
  }

  /** The server sends one reply (lines joined with CRLF). */
  reply(...lines: string[]): void {
    this.control.send(SERVER, lines.map((l) => `${l}\r\n`).join(''), { at: this.server.now + this.serverDelay() });
  }

  command(line: string, ...reply: string[]): void {
    this.request(line);
    this.reply(...reply);
  }

  login(user: string, password: string): void {
    this.command(`USER ${user}`, '331 Please specify the password.');
    this.think(300, 900); // typing the password
    this.command(`PASS ${password}`, '230 Login successful.');
  }

  /** PASV (IPv4) or EPSV: the server listens on a new port; the client connects to it. */
  private passive(mode: 'PASV' | 'EPSV'): TcpConnection {
    const port = this.net.rng.int(40000, 50000); // vsftpd pasv_min_port..pasv_max_port
    if (mode === 'PASV') {
      const a = this.server.ip(4);
      this.command('PASV', `227 Entering Passive Mode (${[...a].join(',')},${port >> 8},${port & 0xff}).`);
    } else {
      this.command('EPSV', `229 Entering Extended Passive Mode (|||${port}|)`);
    }
    const data = new TcpConnection(this.net, { client: this.client, server: this.server, serverPort: port, version: this.version });
    data.connect({ at: this.client.now + this.net.rng.int(100 * US, 400 * US) });
    return data;
  }

  /** PORT (IPv4) or EPRT: the client listens; the server will connect from port 20. */
  private active(mode: 'PORT' | 'EPRT'): number {
    const port = this.client.nextEphemeralPort(this.net.rng);
    if (mode === 'PORT') {
      const a = this.client.ip(4);
      this.command(`PORT ${[...a].join(',')},${port >> 8},${port & 0xff}`, '200 PORT command successful. Consider using PASV.');
    } else {
      const af = this.version === 6 ? 2 : 1;
      this.command(`EPRT |${af}|${ipText(this.client.ip(this.version))}|${port}|`, '200 EPRT command successful. Consider using EPSV.');
    }
    return port;
  }

  private activeConnect(port: number): TcpConnection {
    // the server is the connecting side here
    const data = new TcpConnection(this.net, {
      client: this.server, server: this.client, serverPort: port, clientPort: FTP_DATA_PORT, version: this.version,
    });
    data.connect({ at: this.server.now + this.serverDelay() });
    return data;
  }

  /**
   * Server-to-client transfer (RETR, LIST) after the 150 reply; `done` is the 226 reply.
   * `delayLastSegmentNs` reorders the last data segment behind the server's FIN.
   */
  private download(data: TcpConnection, serverSide: 0 | 1, content: Uint8Array, done: string, delayLastSegmentNs = 0): void {
    const clientSide = (1 - serverSide) as 0 | 1;
    data.send(serverSide, content, { fin: true, at: this.server.now + this.serverDelay(), delayLastSegmentNs });
    const eofAt = this.client.now;
    this.reply(done);
    // the client closes its end once it has read EOF
    data.shutdown(clientSide, { at: eofAt + this.net.rng.int(40 * US, 200 * US) });
  }

  /** RETR over PASV/EPSV. */
  retrievePassive(file: RemoteFile, mode: 'PASV' | 'EPSV' = 'PASV', options: { delayLastSegmentNs?: number } = {}): TcpConnection {
    const data = this.passive(mode);
    this.request(`RETR ${file.name}`);
    this.reply(`150 Opening BINARY mode data connection for ${file.name} (${file.content.length} bytes).`);
    this.download(data, SERVER, file.content, '226 Transfer complete.', options.delayLastSegmentNs);
    return data;
  }

  /** LIST over PASV/EPSV. */
  listPassive(files: readonly RemoteFile[], mode: 'PASV' | 'EPSV' = 'PASV'): TcpConnection {
    const data = this.passive(mode);
    this.request('LIST');
    this.reply('150 Here comes the directory listing.');
    this.download(data, SERVER, Buffer.from(listing(files), 'utf8'), '226 Directory send OK.');
    return data;
  }

  /** RETR in active mode (PORT/EPRT): vsftpd connects first, then sends 150. */
  retrieveActive(file: RemoteFile, mode: 'PORT' | 'EPRT' = 'PORT'): TcpConnection {
    const port = this.active(mode);
    this.request(`RETR ${file.name}`);
    const data = this.activeConnect(port);
    this.reply(`150 Opening BINARY mode data connection for ${file.name} (${file.content.length} bytes).`);
    this.download(data, CLIENT, file.content, '226 Transfer complete.');
    return data;
  }

  /** LIST in active mode. */
  listActive(files: readonly RemoteFile[], mode: 'PORT' | 'EPRT' = 'PORT'): TcpConnection {
    const port = this.active(mode);
    this.request('LIST');
    const data = this.activeConnect(port);
    this.reply('150 Here comes the directory listing.');
    this.download(data, CLIENT, Buffer.from(listing(files), 'utf8'), '226 Directory send OK.');
    return data;
  }

  /** STOR or APPE over PASV/EPSV: the client sends the data and closes first. */
  uploadPassive(command: 'STOR' | 'APPE', name: string, content: Uint8Array, mode: 'PASV' | 'EPSV' = 'PASV'): TcpConnection {
    const data = this.passive(mode);
    this.request(`${command} ${name}`);
    this.reply('150 Ok to send data.');
    data.send(CLIENT, content, { fin: true, at: this.client.now + this.net.rng.int(100 * US, 300 * US) });
    data.shutdown(SERVER, { at: this.server.now + this.serverDelay() });
    this.reply('226 Transfer complete.');
    return data;
  }

  /** QUIT: 221, then vsftpd closes the control connection first. */
  quit(): void {
    this.command('QUIT', '221 Goodbye.');
    this.control.close(SERVER, { at: this.server.now + this.net.rng.int(50 * US, 200 * US) });
  }
}
