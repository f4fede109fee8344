/**
 * ftpDecode's columns (reference §1.2) and the ftpStat bit table (§1.3), declared once. The
 * analyzer that fills them comes later; these declarations say what flowsh means by each value
 * and how it differs from Tranalyzer 0.9.3 (§1, §7).
 */
import type { BitDef, ColumnDef } from '../../schema/types.ts';
import { FTP_CBF_BITS } from './commands.ts';

/**
 * 0x01..0x80 keep Tranalyzer's values and names; descriptions say what flowsh sets them for.
 * 0x0100 and up are flowsh's own (ftpStat is h32 instead of Tranalyzer's H8).
 */
export const FTP_STAT_BITS: readonly BitDef[] = Object.freeze([
  { value: 0x01, name: 'FTP_INIT', description: 'FTP control connection (port 21), set on both directions' },
  { value: 0x02, name: 'FTP_PPRNT', description: 'data connection linked to a control connection, in passive or active mode (Tranalyzer\'s name says "passive parent" but it marks every linked data flow); both directions' },
  { value: 0x04, name: 'FTP_PPWF', level: 'warning', description: 'data flow carried more bytes than announced by 150 "(N bytes)" or 213; flowsh checks this without carving (Tranalyzer only with FTP_SAVE=1, and then on nearly every control flow)' },
  { value: 0x08, name: 'FTP_APRNT', description: 'control flow on which a data endpoint was learned: PORT or 227, and in flowsh also EPRT, 229, LPRT, 228 (Tranalyzer\'s name says "active parent" but 227 sets it too; 0x0100/0x0200 tell the modes apart)' },
  { value: 0x10, name: 'FTP_HSHMFLL', level: 'error', description: 'Tranalyzer\'s fixed-size map of candidate data flows was full. flowsh never sets it: it links after the load, over every flow in the store, so there is no map of pending data flows that could fill up' },
  { value: 0x20, name: 'FTP_PPWFERR', level: 'error', description: 'carve could not write this flow\'s file (the transfer on a data flow, the transcript on a control flow: disk full, quota, I/O error); set on both directions once the carve ran, the other files are still written and the manifest says why' },
  { value: 0x40, name: 'FTP_NDFLW', level: 'warning', description: 'a 125/150 announcement could not be matched to any data connection in the capture (flowsh matches the learned endpoint, EPSV/EPRT included, whether the connection came before or after the reply; Tranalyzer sets this after every EPSV)' },
  { value: 0x80, name: 'FTP_OVFL', level: 'warning', description: 'a command or reply line was longer than flowsh\'s one limit, 1 MiB per line: its first 1 MiB is kept (ftpUser, ftpPass, ftpCP, the ftp table show it cut) and the rest counted, not stored. Users, passwords, names, commands, codes and links have no cap (Tranalyzer sets it when one of its fixed arrays overflows: >5 users/passwords/names, >20 commands/codes/parameters)' },
  // flowsh additions
  { value: 0x0100, name: 'FTP_PASSIVE', description: 'passive mode: on a data flow, the client connected to an endpoint the server announced (227, 228, 229); on a control flow, at least one such transfer' },
  { value: 0x0200, name: 'FTP_ACTIVE', description: 'active mode: on a data flow, the server connected to an endpoint the client announced (PORT, EPRT, LPRT); on a control flow, at least one such transfer' },
  { value: 0x0400, name: 'FTP_EXTENDED', description: 'an endpoint was learned from EPSV/229 or EPRT (RFC 2428), which Tranalyzer does not decode' },
  { value: 0x0800, name: 'FTP_LONG', description: 'an endpoint was learned from LPSV/228 or LPRT (RFC 1639), which Tranalyzer does not decode' },
  { value: 0x1000, name: 'FTP_LOGIN_OK', description: 'a login succeeded: 230 (or 232/202) answered USER, PASS or ACCT' },
  { value: 0x2000, name: 'FTP_LOGIN_FAIL', level: 'warning', description: 'a login failed: 530 or another 4xx/5xx answered USER, PASS or ACCT' },
  { value: 0x4000, name: 'FTP_DATA_FIRST', description: 'the data connection opened before the 125/150 reply announcing its transfer (usual in passive mode; Tranalyzer can only link in this order)' },
  { value: 0x8000, name: 'FTP_NAT_SERVER', level: 'warning', description: 'a 227/228/229 address differs from the control connection\'s server address: server behind NAT, or a proxy' },
  { value: 0x10000, name: 'FTP_NAT_CLIENT', level: 'warning', description: 'a PORT/EPRT/LPRT address differs from the control connection\'s client address: client behind NAT, FXP, or an FTP bounce attempt' },
  { value: 0x20000, name: 'FTP_XFER_INCOMPLETE', level: 'warning', description: 'a transfer is incomplete: fewer bytes than announced, bytes missing from the data stream, or 426/451 instead of 226' },
  { value: 0x40000, name: 'FTP_CTRL_GAP', level: 'warning', description: 'bytes of the control connection are missing from the capture: commands or replies may be lost (never guessed)' },
  { value: 0x80000, name: 'FTP_MALFORMED', level: 'warning', description: 'a malformed reply (no code, 2-digit code, no space after the code) or command line (verb not 3-4 letters)' },
  { value: 0x100000, name: 'FTP_BAD_ENDPOINT', level: 'warning', description: 'a PORT/EPRT/LPRT argument or 227/228/229 text could not be decoded or is out of range' },
  { value: 0x200000, name: 'FTP_TLS', description: 'AUTH was accepted (234), or a GSSAPI security exchange completed (ADAT 235, as in GridFTP): the rest of the control connection is encrypted (TLS, or commands in ENC/MIC)' },
]);

export const FTP_STAT_NAMES: ReadonlySet<string> = new Set(FTP_STAT_BITS.map((bit) => bit.name));

/** Bit value by name, e.g. ftpStatBit('FTP_PASSIVE') = 0x0100. */
export function ftpStatBit(name: string): number {
  const bit = FTP_STAT_BITS.find((b) => b.name === name);
  if (bit === undefined) throw new Error(`no ftpStat bit ${name}`);
  return Number(bit.value);
}

export const FTP_COLUMNS: readonly ColumnDef[] = [
  { name: 'ftpStat', type: 'h32', tranalyzer: true, bits: FTP_STAT_BITS, description: 'FTP status bits; 0x01..0x80 as Tranalyzer, flowsh bits from 0x0100 (Tranalyzer: H8)' },
  { name: 'ftpCDFindex', type: 'u64', repeated: true, tranalyzer: true, description: 'Linked flows: on control flows the flowInd of every data flow, on data flows the control flowInd; no cap (Tranalyzer keeps at most 11, the 11th overwritten)' },
  { name: 'ftpCBF', type: 'h64', tranalyzer: true, bits: FTP_CBF_BITS, description: 'OR of the command bits seen on this flow; bits 0..60 as Tranalyzer, HOST, XCWD, XMAS from bit 61 (printed by default, Tranalyzer only with FTP_BTFLD=1)' },
  { name: 'ftpCC', type: 'str', repeated: true, tranalyzer: true, description: 'Distinct commands, first-seen order, from every line of the reassembled stream, any case, bare PWD too, unknown verbs included (Tranalyzer: first word of each segment, known verbs only, max 20)' },
  { name: 'ftpRC', type: 'u16', repeated: true, tranalyzer: true, description: 'Distinct reply codes, first-seen order, one per whole reply (multi-line counted once, no 0 for continuation segments; Tranalyzer max 20)' },
  { name: 'ftpNumUser', type: 'u32', tranalyzer: true, description: 'Number of USER commands (Tranalyzer: U8, at most 5)' },
  { name: 'ftpUser', type: 'str', repeated: true, tranalyzer: true, description: 'USER arguments in full (Tranalyzer truncates to 10 characters and keeps 5)' },
  { name: 'ftpNumPass', type: 'u32', tranalyzer: true, description: 'Number of PASS commands (Tranalyzer: U8, at most 5)' },
  { name: 'ftpPass', type: 'str', repeated: true, tranalyzer: true, description: 'PASS arguments in full (Tranalyzer truncates to 15 characters and keeps 5)' },
  { name: 'ftpNumCP', type: 'u32', tranalyzer: true, description: 'Number of values in ftpCP (Tranalyzer: U8)' },
  { name: 'ftpCP', type: 'str', repeated: true, tranalyzer: true, description: 'Names: command arguments (client flow), the 215 line and names from 125/150 (server flow), the transferred file\'s own name from its RETR/STOR/APPE/STOU (data flow); in full, no cap (Tranalyzer: 50 characters, 20 or 5 values, data-flow name cut to the 150 name\'s length)' },
  { name: 'ftpPLen', type: 'u64', tranalyzer: true, description: 'Announced file size: from this transfer\'s 150 "(N bytes)" or its SIZE/213; 0 if none was announced (Tranalyzer: U32, may keep a previous transfer\'s size)' },
];

/** ftpStat of the packets table: the flow's value as it stood after each packet. */
export const FTP_PACKET_STAT: ColumnDef = {
  ...FTP_COLUMNS[0]!,
  description: 'The flow\'s ftpStat after this packet (Tranalyzer packet mode): only the bits set by this packet or earlier ones, e.g. FTP_LOGIN_OK from the 230 reply on, FTP_PPRNT on a data connection from its first packet after the announcement; 0 on flows that are not FTP',
};
