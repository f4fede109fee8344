/**
 * Concept pages for `help tcp` and `help ftp`: how the protocol looks on the wire and where flowsh
 * shows each part, with statements to try. Bit values are never written here: `{COLUMN.BIT}` in a
 * text is replaced by the bit's value and name from the column's schema, so a page cannot drift
 * from the bit tables (and names a bit that does not exist only in a failing test).
 */
import type { Catalog } from '../store/table.ts';
import { formatHex } from '../schema/types.ts';
import { paragraph } from './text.ts';

export interface ConceptStep {
  /** a statement that runs on the samples as written */
  readonly statement: string;
  /** what it shows */
  readonly shows: string;
}

export interface ConceptSection {
  readonly heading: string;
  /** paragraphs; `{COLUMN.BIT}` names a bit of a column */
  readonly text: readonly string[];
}

export interface ConceptPage {
  readonly topic: string;
  readonly title: string;
  readonly sections: readonly ConceptSection[];
  readonly tryThese: readonly ConceptStep[];
  /** other help topics the page's word also names (the function tcp(), the table ftp) */
  readonly alsoSee: readonly string[];
}

export const CONCEPTS: readonly ConceptPage[] = [
  {
    topic: 'tcp',
    title: 'TCP: a connection, its handshake, its byte streams and its teardown',
    sections: [
      {
        heading: 'One connection, one flow',
        text: [
          'A TCP connection is one flow: one flowInd with an A row (the side that opened it) and a B row (the other side). Each side numbers the bytes it sends with sequence numbers that start at a random initial value (tcpISeqN); packets show them absolute (seq, ack) and relative to that start (relSeq, relAck), as Wireshark does.',
        ],
      },
      {
        heading: 'The three-way handshake',
        text: [
          'The client sends SYN, the server answers SYN+ACK, the client ACKs: tcpFlags shows the flags each side used, tcpSSASAATrip the time each step took. Both sides announce their options in the SYNs (tcpMSS, tcpWS, tcpOptions). A handshake not seen complete, also when the capture starts mid-connection, sets {tcpStatesAFlags.MAL_CON_EST}.',
        ],
      },
      {
        heading: 'The byte streams',
        text: [
          'Each direction is a stream of bytes, reassembled in sequence order (follow flow N; tcpStreamBytes). A segment may be lost on the way and sent again ({tcpAnomaly.SEQ_TRETRY}, tcpStreamRetrans), arrive late into a hole ({tcpAnomaly.SEQ_OUTORDR}, tcpStreamOoo) or never be captured ({tcpAnomaly.PKT_NCAP}, tcpStreamMissing). The receiver acknowledges what it has; duplicate ACKs ({tcpAnomaly.ACK_2}) ask for a missing segment.',
        ],
      },
      {
        heading: 'The teardown',
        text: [
          'Each side closes its own direction with a FIN, which the other side ACKs; both FINs sent and acknowledged is a normal teardown. A connection reset (RST, {tcpStatesAFlags.RST_TRANS}) or still open at the end of the capture sets {tcpStatesAFlags.MAL_TEARDWN}. A FIN comes after the last byte in sequence, but the packets may arrive in another order: a delayed data segment can be captured after the FIN.',
        ],
      },
      {
        heading: 'Tranalyzer\'s scan heuristic',
        text: [
          'At a flow\'s end Tranalyzer marks directions with few packets as a scan ({tcpAnomaly.SCAN_DET}, and {tcpAnomaly.SCAN_SU_DET} when the other side answered). flowsh keeps these bits as Tranalyzer sets them: they also mark normal short connections, so read them together with the flow\'s story (explain flow N).',
        ],
      },
    ],
    tryThese: [
      { statement: 'flows where tcp() select flowInd, dir, srcIP, srcPort, dstIP, dstPort, tcpFlags, tcpStatesAFlags', shows: 'the TCP connections, both directions' },
      { statement: 'packets where tcp() select pktNo, flowInd, dir, tcpFlags, relSeq, relAck, l7Len limit 10', shows: 'the first TCP packets: the handshake and the first data' },
      { statement: 'ladder flows where tcp()', shows: 'the packets as a sequence diagram' },
      { statement: 'explain tcpStatesAFlags', shows: 'the state machine\'s bits' },
      { statement: 'explain tcpAnomaly', shows: 'the anomaly bits' },
      { statement: 'flows where bitsanyset(tcpStatesAFlags, "MAL_TEARDWN") select flowInd, dir, tcpStatesAFlags', shows: 'connections that did not end with both FINs' },
    ],
    alsoSee: ['tcp()', 'explain', 'ladder', 'follow'],
  },
  {
    topic: 'ftp',
    title: 'FTP: a control connection, and a data connection per transfer',
    sections: [
      {
        heading: 'The control connection',
        text: [
          'The client connects to port 21 and sends commands as text lines (USER, PASS, CWD, RETR, STOR, QUIT); the server answers each with a three-digit reply code and a text (220 banner, 331 password please, 230 logged in, 150 opening data connection, 226 transfer complete). flowsh marks such flows with {ftpStat.FTP_INIT} and keeps the commands and codes (ftpCC, ftpRC); the ftp table has one row per command with its final reply, like Zeek\'s ftp.log.',
        ],
      },
      {
        heading: 'Data connections: active and passive mode',
        text: [
          'Every file and every directory listing travels over a connection of its own. In active mode the client announces an address and port with PORT (or EPRT) and the server connects to it, classically from port 20 ({ftpStat.FTP_ACTIVE}). In passive mode the client sends PASV (or EPSV), the server announces where it listens in its 227 (or 229) reply, and the client connects there ({ftpStat.FTP_PASSIVE}).',
          'flowsh links each data connection to its control connection by the announced endpoint ({ftpStat.FTP_PPRNT}; ftpCDFindex names the linked flows) and to the command that used it (the dataFlow column of the ftp table).',
        ],
      },
      {
        heading: 'Transfers and carving',
        text: [
          'The files table has one row per transfer the server accepted (a refused command, such as RETR answered 550 with no 150, is in the ftp table only): the path, the direction, the size the server announced, the bytes captured, and a verdict on whether the file is complete. carve [where EXPR] to DIR writes the transferred files into DIR, never overwriting, with a manifest.',
        ],
      },
    ],
    tryThese: [
      { statement: 'ftp select controlFlow, command, arg, replyCode, dataFlow, mode', shows: 'the commands of every control connection with their replies' },
      { statement: 'files select dataFlow, controlFlow, command, path, direction, mode, bytes, verdict', shows: 'the transfers and whether they are complete' },
      { statement: 'flows where bitsanyset(ftpStat, "FTP_INIT|FTP_PPRNT") select flowInd, dir, srcPort, dstPort, ftpStat, ftpCDFindex', shows: 'control and data connections and how they are linked' },
      { statement: 'explain ftpStat', shows: 'the FTP status bits' },
      { statement: 'ladder flows where bitsanyset(ftpStat, "FTP_INIT")', shows: 'a control connection drawn with its data connections' },
    ],
    alsoSee: ['columns ftp', 'files', 'carve'],
  },
];

export function findConcept(topic: string): ConceptPage | undefined {
  return CONCEPTS.find((c) => c.topic === topic.toLowerCase());
}

/** thrown for a `{COLUMN.BIT}` that the schema does not declare: a page must only name real bits */
export class UnknownBitReference extends Error {}

/** `{COLUMN.BIT}` as "COLUMN 0xVALUE BIT", read from the first table declaring the column */
export function resolveBitReferences(text: string, catalog: Catalog): string {
  return text.replace(/\{(\w+)\.(\w+)\}/g, (_, column: string, bit: string) => {
    const def = catalog.tables.flatMap((t) => t.def.columns).find((c) => c.name === column);
    const b = def?.bits?.find((x) => x.name === bit);
    if (!def || !b) throw new UnknownBitReference(`concept page names ${column}.${bit}, which the schema does not declare`);
    return `${column} ${formatHex(b.value, def.type)} ${bit}`;
  });
}

export function conceptText(page: ConceptPage, catalog: Catalog, width = 100): string {
  const lines = [page.title, ''];
  for (const s of page.sections) {
    lines.push(s.heading);
    for (const p of s.text) lines.push(...paragraph(resolveBitReferences(p, catalog), width, '  '));
    lines.push('');
  }
  lines.push('Try:');
  for (const t of page.tryThese) {
    lines.push(`  ${t.statement}`);
    lines.push(...paragraph(t.shows, width, '      '));
  }
  lines.push('', `See also: ${page.alsoSee.map((a) => (a.includes(' ') ? a : `help ${a}`)).join(', ')}`);
  return lines.join('\n') + '\n';
}
