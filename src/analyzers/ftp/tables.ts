/**
 * The FTP analyzer's own tables, declared once: `ftp` (one row per command, like Zeek's ftp.log)
 * and `files` (one row per data transfer).
 */
import type { ColumnDef, TableDef } from '../../schema/types.ts';

export const FTP_TABLE_COLUMNS: readonly ColumnDef[] = [
  { name: 'time', type: 'time', description: 'Time of the packet that carried the command (its first byte, in delivery order)' },
  { name: 'controlFlow', type: 'u64', description: 'flowInd of the control connection' },
  { name: 'user', type: 'str', description: 'User of the session when the command was sent (last USER argument; empty before any)' },
  { name: 'command', type: 'str', description: 'The command verb, upper case (unknown verbs kept as sent)' },
  { name: 'arg', type: 'str', description: 'The command argument as sent (PASS included, in full)' },
  { name: 'replyCode', type: 'u16', description: 'Code of the final reply (2xx..6xx); empty when none was captured' },
  { name: 'replyText', type: 'str', description: 'Text of the final reply after the code (lines joined with \\n for multi-line replies)' },
  { name: 'dataFlow', type: 'u64', description: 'flowInd of the data connection of this command (RETR, STOR, STOU, APPE, LIST, NLST, MLSD), 0 if none; for a refused one (4xx/5xx without 125/150) the connection the client opened before asking, if any' },
  { name: 'mode', type: 'str', description: 'How the data endpoint of this transfer was learned: PASV, EPSV, LPSV, PORT, EPRT, LPRT; empty for commands without data connection' },
];

export const FILES_TABLE_COLUMNS: readonly ColumnDef[] = [
  { name: 'dataFlow', type: 'u64', description: 'flowInd of the data connection (0: none found): the earliest unused connection to the announced endpoint (the announced address or the control connection\'s, any port on the other side) that starts between the command that asked for the endpoint and the final reply (failing that, one first captured after the final reply and before the next endpoint is asked for, as when the capture missed the data handshake); a connection that matches no announcement is linked only to a transfer no endpoint was captured for (linkedBy timing)' },
  { name: 'controlFlow', type: 'u64', description: 'flowInd of the control connection' },
  { name: 'command', type: 'str', description: 'RETR, STOR, STOU, APPE, LIST, NLST or MLSD; empty for a connection to an announced endpoint that no command used (e.g. after a second PASV), and for a data connection seen only after AUTH TLS' },
  { name: 'path', type: 'str', description: 'The command argument as sent; for STOU the name the server gave (150 "FILE: name", or the final reply\'s "FILE:" / "unique file name:"), else its argument' },
  { name: 'resolvedPath', type: 'str', description: 'path resolved against the working directory tracked from PWD/XPWD 257 (quoted, "" for a quote), successful CWD/XCWD and CDUP/XCUP (MKD\'s 257 does not change it), with . and .. folded (never above /); relative to the unknown start directory, its .. kept, until a 257 names one. For display and queries only: carved names come from path, sanitised' },
  { name: 'direction', type: 'str', description: 'download (RETR), upload (STOR, STOU, APPE) or listing (LIST, NLST, MLSD), from the command; without a command (sent inside TLS, or a connection no command used) download or upload by which side sent the clear bytes, and unknown for a TLS-encrypted connection (records flow both ways, so the side that sent more is no proof)' },
  { name: 'mode', type: 'str', description: 'PASV, EPSV, LPSV, PORT, EPRT or LPRT' },
  { name: 'linkedBy', type: 'str', description: 'How dataFlow was found: endpoint (a connection to the endpoint announced for this transfer, see dataFlow); timing (no endpoint was captured for this command: its 227/229 reply or its PASV was lost, or an endpoint announced for an earlier transfer found no connection; the earliest unused connection between the two hosts that no announcement explains, opened after the asking command or the previous transfer and before the final reply: likely, not certain); after-tls (after AUTH TLS, or a GSSAPI security exchange completed with ADAT 235, the commands are unreadable: a connection between the two hosts while the control connection was open); empty without data connection' },
  { name: 'senderDir', type: 'str', description: 'Direction (the flows table\'s dir, A or B) of the data connection that carried the transfer\'s bytes, which carve writes: the server\'s side for downloads and listings, the client\'s for uploads, whichever address each used (NAT); empty without data connection or when direction is unknown' },
  { name: 'type', type: 'str', description: 'Representation type in force (TYPE A or I; empty if never set)' },
  { name: 'restOffset', type: 'u64', description: 'Restart offset from a REST before the command (0 if none)' },
  { name: 'announcedSize', type: 'u64', description: 'Size from the 150/125 "(N bytes)" or an earlier 213 answer to SIZE of the same path; empty when none' },
  { name: 'bytes', type: 'u64', description: 'Bytes of the sending direction\'s data stream present in the capture, in sequence order (direction unknown: of the side that sent more)' },
  { name: 'missingBytes', type: 'u64', description: 'Bytes of the sending direction\'s data stream missing from the capture (lost or cut by the snaplen)' },
  { name: 'complete', type: 'bool', description: 'true only when verdict is complete: every byte from the stream start (SYN) to the sender\'s FIN is captured, no reset before that FIN, and nothing contradicts the announced size or the final reply' },
  { name: 'verdict', type: 'str', description: 'One word, the first rule that applies: encrypted (after AUTH TLS/SSL answered 234, the data connection starts with a TLS record; clear data after PROT C or without PROT is not encrypted and is carved; an empty connection is encrypted when PROT P was seen); aborted (the wire shows the transfer cut short: a final reply that is not 2xx, e.g. 426/451/550; a RST before the sender\'s FIN; the receiver\'s FIN before the sender\'s without a 2xx reply; or the control connection closed while the transfer still waited for its final reply, as when the client is killed: an upload\'s data FIN then looks like a normal end, so it is not trusted; a download with every announced byte and the server\'s FIN stays complete); truncated-capture (the capture did not keep the whole transfer: a sending packet cut by the snaplen, or no FIN from the sender and no sign of an abort, as when the capture stops mid-transfer; never called aborted, since nothing on the wire says so); gaps (bytes missing inside the stream, or its start not captured); size-mismatch (TYPE I: the bytes differ from the 150 "(N bytes)" or 213 size, REST taken into account; TYPE A: fewer bytes than announced, CRLF may only add); complete; no-data-connection (the server accepted the transfer, with 125/150 or a 2xx, but no data connection in the capture matches it; refused commands get no row)' },
  { name: 'sha256', type: 'str', description: 'SHA-256 of the delivered bytes in sequence order (missing bytes skipped, so it is the file\'s hash only when complete); empty without data connection' },
  { name: 'carvedAs', type: 'str', description: 'File written by carve (empty until carved)' },
];

export const FTP_TABLE: TableDef = {
  name: 'ftp',
  description: 'One row per FTP command on every control connection, with its final reply and data connection (like Zeek\'s ftp.log)',
  columns: FTP_TABLE_COLUMNS,
};

export const FILES_TABLE: TableDef = {
  name: 'files',
  description: 'One row per FTP data transfer: the linked data connection, the path, sizes, completeness and SHA-256 of the delivered bytes. A data command the server refused (4xx/5xx without 125/150, e.g. 550 no such file) is no transfer: it is in the ftp table only (with the empty connection a client may have opened for it as its dataFlow)',
  columns: FILES_TABLE_COLUMNS,
};

export type FileVerdict = 'complete' | 'gaps' | 'truncated-capture' | 'aborted' | 'size-mismatch' | 'encrypted' | 'no-data-connection';
