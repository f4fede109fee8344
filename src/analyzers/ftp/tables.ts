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
  { name: 'dataFlow', type: 'u64', description: 'flowInd of the data connection of this command (RETR, STOR, STOU, APPE, LIST, NLST, MLSD), 0 if none' },
  { name: 'mode', type: 'str', description: 'How the data endpoint of this transfer was learned: PASV, EPSV, LPSV, PORT, EPRT, LPRT; empty for commands without data connection' },
];

export const FILES_TABLE_COLUMNS: readonly ColumnDef[] = [
  { name: 'dataFlow', type: 'u64', description: 'flowInd of the data connection (0: none found): the earliest unused connection to the announced endpoint (the announced address or the control connection\'s, any port on the other side) that starts between the command that asked for the endpoint and the final reply; a connection that matches no announcement is never linked' },
  { name: 'controlFlow', type: 'u64', description: 'flowInd of the control connection' },
  { name: 'command', type: 'str', description: 'RETR, STOR, STOU, APPE, LIST, NLST or MLSD; empty for a connection to an announced endpoint that no command used (e.g. after a second PASV), and for a data connection seen only after AUTH TLS' },
  { name: 'path', type: 'str', description: 'The command argument as sent' },
  { name: 'resolvedPath', type: 'str', description: 'path resolved against the working directory tracked from PWD/257, CWD/250, CDUP (relative when no directory was ever learned)' },
  { name: 'direction', type: 'str', description: 'download (RETR), upload (STOR, STOU, APPE) or listing (LIST, NLST, MLSD)' },
  { name: 'mode', type: 'str', description: 'PASV, EPSV, LPSV, PORT, EPRT or LPRT' },
  { name: 'type', type: 'str', description: 'Representation type in force (TYPE A or I; empty if never set)' },
  { name: 'restOffset', type: 'u64', description: 'Restart offset from a REST before the command (0 if none)' },
  { name: 'announcedSize', type: 'u64', description: 'Size from the 150/125 "(N bytes)" or an earlier 213 answer to SIZE of the same path; empty when none' },
  { name: 'bytes', type: 'u64', description: 'Bytes of the sending direction\'s data stream present in the capture, in sequence order' },
  { name: 'missingBytes', type: 'u64', description: 'Bytes of the sending direction\'s data stream missing from the capture (lost or cut by the snaplen)' },
  { name: 'complete', type: 'bool', description: 'true only when verdict is complete: every byte from the stream start (SYN) to the sender\'s FIN is captured, no reset before that FIN, and nothing contradicts the announced size or the final reply' },
  { name: 'verdict', type: 'str', description: 'One word, the first rule that applies: encrypted (PROT P after AUTH answered 234); aborted (the wire shows the transfer cut short: a final reply that is not 2xx, e.g. 426/451/550; a RST before the sender\'s FIN; the receiver\'s FIN before the sender\'s without a 2xx reply; or the control connection closed while the transfer still waited for its final reply, as when the client is killed: an upload\'s data FIN then looks like a normal end, so it is not trusted; a download with every announced byte and the server\'s FIN stays complete); truncated-capture (the capture did not keep the whole transfer: a sending packet cut by the snaplen, or no FIN from the sender and no sign of an abort, as when the capture stops mid-transfer; never called aborted, since nothing on the wire says so); gaps (bytes missing inside the stream, or its start not captured); size-mismatch (TYPE I: the bytes differ from the 150 "(N bytes)" or 213 size, REST taken into account; TYPE A: fewer bytes than announced, CRLF may only add); complete; no-data-connection (no data connection in the capture matches the transfer)' },
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
  description: 'One row per FTP data transfer: the linked data connection, the path, sizes, completeness and SHA-256 of the delivered bytes',
  columns: FILES_TABLE_COLUMNS,
};

export type FileVerdict = 'complete' | 'gaps' | 'truncated-capture' | 'aborted' | 'size-mismatch' | 'encrypted' | 'no-data-connection';
