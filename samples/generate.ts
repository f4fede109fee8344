/**
 * Writes the sample captures in samples/ (run with `npm run samples`). Everything is derived from
 * fixed seeds, so every run produces the same bytes; test/samples.test.ts checks that the
 * committed files match. samples/README.md describes each capture.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, PcapngWriter, PcapWriter } from '../src/capture/writer.ts';
import { dnsLookup, FtpSession, type RemoteFile } from './gen/ftp.ts';
import { Host, MS, Network, Trace, US } from './gen/network.ts';
import { Prng } from './gen/prng.ts';
import { CLIENT, SERVER, TcpConnection } from './gen/tcp.ts';

/** 2024-03-14 09:26:53 UTC */
const BASE_TIME = 1710408413;

/** A client on the LAN, its gateway (also the DNS resolver) and an FTP server behind it. */
interface Lab {
  readonly rng: Prng;
  readonly trace: Trace;
  readonly net: Network;
  readonly client: Host;
  readonly gateway: Host;
  readonly server: Host;
}

function makeLab(seed: number, startSec: number, options: { vlanId?: number } = {}): Lab {
  const rng = new Prng(seed);
  const trace = new Trace(startSec);
  const client = new Host({
    name: 'client', mac: '02:00:00:00:0a:10', ipv4: '192.0.2.10', ipv6: '2001:db8:0:1::10', delayNs: 2 * US,
  }, rng);
  const gateway = new Host({
    name: 'gateway', mac: '02:00:00:00:0a:01', ipv4: '192.0.2.1', ipv6: '2001:db8:0:1::1', delayNs: 150 * US,
  }, rng);
  const server = new Host({
    name: 'ftp-server', mac: '02:00:00:00:0b:21', ipv4: '192.0.2.180', ipv6: '2001:db8:0:2::21',
    delayNs: 11 * MS, remote: true, uplinkBps: 50e6,
  }, rng);
  const net = new Network({ trace, rng, captureHost: client, gateway, vlanId: options.vlanId });
  // the scenario starts a moment after the capture did
  client.now = rng.int(200 * MS, 900 * MS);
  return { rng, trace, net, client, gateway, server };
}

/** Deterministic CSV text of about `rows` lines. */
function csvReport(rng: Prng, rows: number): Uint8Array {
  const lines = ['date,sensor,temperature_c,humidity_pct,status'];
  for (let i = 0; i < rows; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const sensor = `sensor-${String(1 + rng.int(0, 11)).padStart(2, '0')}`;
    const temperature = (15 + rng.float() * 12).toFixed(2);
    const humidity = (30 + rng.float() * 50).toFixed(1);
    lines.push(`2024-03-${day},${sensor},${temperature},${humidity},${rng.int(0, 19) === 0 ? 'WARN' : 'OK'}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** Deterministic binary content with a recognisable header. */
function binaryBlob(rng: Prng, size: number, magic: string): Uint8Array {
  const bytes = rng.bytes(size);
  bytes.set(Buffer.from(magic, 'ascii'), 0);
  return bytes;
}

function writePcap(trace: Trace, file: string, options: { nanosecond?: boolean } = {}): void {
  const writer = PcapWriter.create({ path: file, overwrite: true, linkType: LINKTYPE_ETHERNET, nanosecond: options.nanosecond });
  try {
    trace.writeTo(writer);
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/** ARP for the gateway, DNS, login and the usual look-around before transfers. */
function passiveSessionStart(lab: Lab, host = 'ftp.example.com'): FtpSession {
  const { net, client, gateway, server } = lab;
  net.arpResolve(client, gateway, client.now);
  client.now += lab.rng.int(20 * US, 80 * US);
  dnsLookup(net, client, gateway, host, server, 4);
  client.now += lab.rng.int(100 * US, 400 * US);
  const ftp = new FtpSession(net, client, server, 4);
  ftp.connect();
  ftp.login('alice', 'wonderland');
  ftp.command('SYST', '215 UNIX Type: L8');
  ftp.command('TYPE I', '200 Switching to Binary mode.');
  ftp.command('PWD', '257 "/home/alice" is the current directory');
  return ftp;
}

function ftpPassiveDns(file: string): void {
  const lab = makeLab(0x5eed0001, BASE_TIME);
  const report: RemoteFile = { name: 'report-2024-03.csv', content: csvReport(lab.rng.fork(), 120), mtime: 'Mar 14 09:12' };
  const notes: RemoteFile = { name: 'notes.txt', content: Buffer.from('Quarterly sensor data.\nContact: ops@example.com\n'), mtime: 'Feb 29 17:45' };
  const ftp = passiveSessionStart(lab);
  ftp.think(400, 1200);
  ftp.command('CWD pub', '250 Directory successfully changed.');
  ftp.command(`SIZE ${report.name}`, `213 ${report.content.length}`);
  ftp.retrievePassive(report, 'PASV');
  ftp.think(800, 2000);
  ftp.listPassive([notes, report], 'PASV');
  ftp.think(500, 1500);
  ftp.quit();
  lab.net.finish();
  writePcap(lab.trace, file);
}

function ftpActive(file: string): void {
  const lab = makeLab(0x5eed0002, BASE_TIME + 3600);
  const firmware: RemoteFile = { name: 'firmware-2.4.1.bin', content: binaryBlob(lab.rng.fork(), 9000, 'FWIMG\x00\x02\x04'), mtime: 'Mar 02 11:30' };
  const readme: RemoteFile = { name: 'README', content: Buffer.from('Firmware images. Verify checksums before flashing.\n'), mtime: 'Jan 15 08:01' };
  lab.net.arpResolve(lab.client, lab.gateway, lab.client.now);
  const ftp = new FtpSession(lab.net, lab.client, lab.server, 4);
  ftp.connect();
  ftp.login('bob', 'builder');
  ftp.command('SYST', '215 UNIX Type: L8');
  ftp.command('TYPE I', '200 Switching to Binary mode.');
  ftp.command('CWD /srv/firmware', '250 Directory successfully changed.');
  ftp.retrieveActive(firmware, 'PORT');
  ftp.think(600, 1500);
  ftp.listActive([readme, firmware], 'PORT');
  ftp.think(300, 900);
  ftp.quit();
  lab.net.finish();
  writePcap(lab.trace, file);
}

function ftpIpv6(file: string): void {
  const lab = makeLab(0x5eed0003, BASE_TIME + 2 * 3600);
  const { net, client, gateway, server, rng } = lab;
  const dataset: RemoteFile = { name: 'dataset.csv', content: csvReport(rng.fork(), 90), mtime: 'Mar 13 22:10' };
  const image: RemoteFile = { name: 'diagram.png', content: binaryBlob(rng.fork(), 5200, '\x89PNG\r\n\x1a\n'), mtime: 'Mar 10 16:44' };
  net.neighborDiscovery(client, gateway, client.now);
  client.now += rng.int(20 * US, 80 * US);
  dnsLookup(net, client, gateway, 'ftp.example.com', server, 6);
  client.now += rng.int(100 * US, 400 * US);
  const ftp = new FtpSession(net, client, server, 6);
  ftp.connect();
  ftp.login('carol', 'v6only');
  ftp.command('FEAT', '211-Features:', ' EPRT', ' EPSV', ' MDTM', ' PASV', ' REST STREAM', ' SIZE', ' TVFS', '211 End');
  ftp.command('TYPE I', '200 Switching to Binary mode.');
  ftp.command('PWD', '257 "/home/carol" is the current directory');
  ftp.retrievePassive(dataset, 'EPSV');
  ftp.think(500, 1200);
  ftp.retrieveActive(image, 'EPRT');
  ftp.think(300, 900);
  ftp.quit();
  net.finish();
  writePcap(lab.trace, file);
}

function ftpUpload(file: string): void {
  const lab = makeLab(0x5eed0004, BASE_TIME + 3 * 3600);
  const log = csvReport(lab.rng.fork(), 150);
  const moreRows = csvReport(lab.rng.fork(), 40);
  const more = moreRows.subarray(moreRows.indexOf(0x0a) + 1); // appended rows without a second header line
  const ftp = passiveSessionStart(lab, 'upload.example.com');
  ftp.command('CWD incoming', '250 Directory successfully changed.');
  ftp.uploadPassive('STOR', 'measurements.csv', log);
  ftp.think(1000, 2500);
  ftp.uploadPassive('APPE', 'measurements.csv', more);
  ftp.command('SIZE measurements.csv', `213 ${log.length + more.length}`);
  ftp.quit();
  lab.net.finish();
  writePcap(lab.trace, file);
}

function ftpFinOutOfOrder(file: string): void {
  const lab = makeLab(0x5eed0005, BASE_TIME + 4 * 3600);
  const archive: RemoteFile = { name: 'logs-2024-03-13.tar.gz', content: binaryBlob(lab.rng.fork(), 11000, '\x1f\x8b\x08\x00'), mtime: 'Mar 14 00:05' };
  const ftp = passiveSessionStart(lab);
  ftp.command(`SIZE ${archive.name}`, `213 ${archive.content.length}`);
  // the last data segment takes a slower path and is captured ~2 ms after the server's FIN
  ftp.retrievePassive(archive, 'PASV', { delayLastSegmentNs: 2 * MS });
  ftp.quit();
  lab.net.finish();
  writePcap(lab.trace, file);
}

/** A connect() scan of ports 1-200 of a LAN host: RST/ACK for closed ports, handshake + RST for open ones. */
function portscanBurst(file: string): void {
  const rng = new Prng(0x5eed0006);
  const trace = new Trace(BASE_TIME + 5 * 3600);
  const scanner = new Host({ name: 'scanner', mac: '02:00:00:00:0a:66', ipv4: '192.0.2.66', delayNs: 2 * US }, rng);
  const target = new Host({ name: 'target', mac: '02:00:00:00:0a:20', ipv4: '192.0.2.20', delayNs: 180 * US }, rng);
  const net = new Network({ trace, rng, captureHost: scanner });
  const openPorts = new Set([22, 80, 111]);
  let at = net.arpResolve(scanner, target, rng.int(100 * MS, 300 * MS)) + rng.int(50 * US, 150 * US);
  for (let port = 1; port <= 200; port++) {
    const conn = new TcpConnection(net, { client: scanner, server: target, serverPort: port });
    conn.connect({ at, refused: !openPorts.has(port) });
    if (openPorts.has(port)) conn.abort(CLIENT, { at: conn.lastEventAt(CLIENT) + rng.int(20 * US, 80 * US) });
    at += rng.int(120 * US, 450 * US);
  }
  net.finish();
  writePcap(trace, file);
}

/** A short passive download, for the VLAN and nanosecond variants. */
function shortDownload(lab: Lab): void {
  const notes: RemoteFile = { name: 'changelog.txt', content: csvReport(lab.rng.fork(), 40), mtime: 'Mar 11 10:00' };
  const ftp = new FtpSession(lab.net, lab.client, lab.server, 4);
  ftp.connect();
  ftp.login('dave', 'tagged');
  ftp.command('TYPE I', '200 Switching to Binary mode.');
  ftp.retrievePassive(notes, 'PASV');
  ftp.quit();
  lab.net.finish();
}

function ftpVlan(file: string): void {
  const lab = makeLab(0x5eed0007, BASE_TIME + 6 * 3600, { vlanId: 100 });
  shortDownload(lab);
  writePcap(lab.trace, file);
}

function ftpNanosecond(file: string): void {
  const lab = makeLab(0x5eed0008, BASE_TIME + 7 * 3600);
  shortDownload(lab);
  writePcap(lab.trace, file, { nanosecond: true });
}

/**
 * pcapng with two interfaces: eth0 (Ethernet, microseconds) carries DNS and a login-only FTP
 * session; tun0 (raw IP, nanoseconds) carries a passive download from a server reached via a VPN.
 */
function twoInterfaces(file: string): void {
  const lab = makeLab(0x5eed0009, BASE_TIME + 8 * 3600);
  const { rng, trace, client, gateway, server } = lab;
  lab.net.arpResolve(client, gateway, client.now);
  dnsLookup(lab.net, client, gateway, 'ftp.example.com', server, 4);
  const ftp = new FtpSession(lab.net, client, server, 4);
  ftp.connect();
  ftp.command('USER anonymous', '331 Please specify the password.');
  ftp.command('PASS guest@', '530 Login incorrect.');
  ftp.command('QUIT', '221 Goodbye.');
  ftp.control.close(SERVER, { at: server.now + rng.int(50 * US, 200 * US) });

  const vpnServer = new Host({
    name: 'vpn-ftp', ipv4: '192.0.2.200', delayNs: 18 * MS, uplinkBps: 30e6, remote: true, // routed through the VPN
  }, rng);
  const tunnel = new Network({ trace, rng, captureHost: client, link: 'raw', interfaceId: 1 });
  client.now += rng.int(200 * MS, 500 * MS);
  const report: RemoteFile = { name: 'internal-report.csv', content: csvReport(rng.fork(), 60), mtime: 'Mar 14 07:30' };
  const vpnFtp = new FtpSession(tunnel, client, vpnServer, 4);
  vpnFtp.connect();
  vpnFtp.login('erin', 'tunnel');
  vpnFtp.retrievePassive(report, 'PASV');
  vpnFtp.quit();
  lab.net.finish();
  tunnel.finish();

  const writer = PcapngWriter.create({
    path: file, overwrite: true,
    interfaces: [{ linkType: LINKTYPE_ETHERNET, name: 'eth0' }, { linkType: LINKTYPE_RAW, name: 'tun0', tsDigits: 9 }],
  });
  try {
    trace.writeTo(writer);
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

export interface SampleSpec {
  readonly file: string;
  readonly generate: (file: string) => void;
}

export const SAMPLES: readonly SampleSpec[] = [
  { file: 'ftp-passive-dns.pcap', generate: ftpPassiveDns },
  { file: 'ftp-active.pcap', generate: ftpActive },
  { file: 'ftp-ipv6-epsv-eprt.pcap', generate: ftpIpv6 },
  { file: 'ftp-upload.pcap', generate: ftpUpload },
  { file: 'ftp-fin-out-of-order.pcap', generate: ftpFinOutOfOrder },
  { file: 'portscan-burst.pcap', generate: portscanBurst },
  { file: 'ftp-vlan.pcap', generate: ftpVlan },
  { file: 'ftp-nanosecond.pcap', generate: ftpNanosecond },
  { file: 'two-interfaces.pcapng', generate: twoInterfaces },
];

/** Writes every sample into `dir` (replacing existing files); returns the paths written. */
export function generateSamples(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return SAMPLES.map((sample) => {
    const file = path.join(dir, sample.file);
    sample.generate(file);
    return file;
  });
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? path.dirname(fileURLToPath(import.meta.url));
  for (const file of generateSamples(dir)) console.log(`${file}: ${fs.statSync(file).size} bytes`);
}
