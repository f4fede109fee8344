/**
 * Verdicts on crafted captures, one rule at a time: a capture that stops mid-transfer is
 * truncated-capture (nothing on the wire says aborted), a lost FIN likewise, a RST after the
 * sender's FIN does not undo a complete transfer, a RST before it or a negative final reply is
 * aborted, TYPE A may exceed the announced size but not fall short of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CraftedCapture, bytesOf, type Conn } from './craftedCapture.ts';
import { decideVerdict, sizeAgrees, type TransferEvidence } from './verdict.ts';
import { ftpStatBit } from './schema.ts';

const CLIENT = '192.0.2.10', SERVER = '192.0.2.21';

/** A logged-in session; `transfer` writes one PASV download (data connection on port 10000 + i) and returns it. */
function session(): { cap: CraftedCapture; ctl: Conn; pasv: (i: number, name: string, announce?: string) => Conn } {
  const cap = new CraftedCapture();
  const ctl = cap.conn({ ip: CLIENT, port: 40001 }, { ip: SERVER, port: 21 }, 1000).open();
  ctl.server('220 hello\r\n').client('USER u\r\n').server('331 pw\r\n').client('PASS p\r\n').server('230 ok\r\n');
  const pasv = (i: number, name: string, announce = ''): Conn => {
    const port = 10000 + i;
    ctl.client('PASV\r\n').server(`227 Entering Passive Mode (192,0,2,21,${port >> 8},${port & 0xff}).\r\n`).client(`RETR ${name}\r\n`);
    const data = cap.conn({ ip: CLIENT, port: 50000 + i }, { ip: SERVER, port }, 7000 + i * 10_000).open();
    ctl.server(`150 Opening BINARY mode data connection for ${name}${announce}.\r\n`);
    return data;
  };
  return { cap, ctl, pasv };
}

test('verdict: a capture that ends mid-transfer is truncated-capture, not aborted', async () => {
  const { cap, pasv } = session();
  pasv(0, 'big.bin', ' (100000 bytes)').server(bytesOf(1448)).server(bytesOf(1448, 1)).ack(true);
  // the capture stops here: no FIN, no RST, no 226
  const { files, flows } = await cap.load();
  assert.equal(files.length, 1);
  assert.equal(files[0]!.verdict, 'truncated-capture');
  assert.equal(files[0]!.complete, false);
  assert.equal(files[0]!.bytes, 2896);
  const data = flows.find((f) => f.flowInd === files[0]!.dataFlow)!;
  assert.ok(Number(data.ftpStat) & ftpStatBit('FTP_XFER_INCOMPLETE'));
});

test('verdict: the rules in turn on one session', async () => {
  const { cap, ctl, pasv } = session();
  // 0: the sender's FIN is not in the capture although 226 came: the capture lost it
  pasv(0, 'fin-lost.bin', ' (500 bytes)').server(bytesOf(500)).ack(true);
  ctl.server('226 done\r\n');
  // 1: all bytes and the FIN, then the client resets: still complete
  pasv(1, 'rst-after-fin.bin', ' (400 bytes)').server(bytesOf(400)).emit(false, 0x11, new Uint8Array(0)).clientRst();
  ctl.server('226 done\r\n');
  // 2: the client resets before the sender's FIN: aborted, whatever the final reply
  pasv(2, 'rst-before-fin.bin', ' (400 bytes)').server(bytesOf(300)).clientRst();
  ctl.server('226 done\r\n');
  // 3: FIN and all bytes, the server says 550 after the 150: aborted
  pasv(3, 'refused-late.bin', ' (200 bytes)').server(bytesOf(200)).serverFin();
  ctl.server('550 read error\r\n');
  // 4: a 250 final reply is as good as 226
  pasv(4, 'ok-250.bin', ' (200 bytes)').server(bytesOf(200)).serverFin();
  ctl.server('250 transfer ok\r\n');
  // 5, 6: TYPE A: more bytes than announced (CRLF) is fine, fewer is a mismatch
  ctl.client('TYPE A\r\n').server('200 ascii\r\n');
  pasv(5, 'crlf.txt', ' (100 bytes)').server(bytesOf(104)).serverFin();
  ctl.server('226 done\r\n');
  pasv(6, 'short.txt', ' (100 bytes)').server(bytesOf(90)).serverFin();
  ctl.server('226 done\r\n');
  // 7: the sender's FIN is the last thing captured (no final reply yet): nothing contradicts, complete
  pasv(7, 'last.txt').server(bytesOf(50)).serverFin();
  const { files } = await cap.load();
  assert.deepEqual(files.map((f) => [f.path, f.verdict, f.complete]), [
    ['fin-lost.bin', 'truncated-capture', false],
    ['rst-after-fin.bin', 'complete', true],
    ['rst-before-fin.bin', 'aborted', false],
    ['refused-late.bin', 'aborted', false],
    ['ok-250.bin', 'complete', true],
    ['crlf.txt', 'complete', true],
    ['short.txt', 'size-mismatch', false],
    ['last.txt', 'complete', true],
  ]);
});

const base: TransferEvidence = {
  encrypted: false, finalCode: 226, finalRow: 50, senderFinRow: 40, rstRow: -1, cutRow: -1, sawSyn: true, bytes: 100, missing: 0,
  firstGapRow: NaN, announcedSize: 100, ascii: false, restOffset: 0, firstRow: 10, lastRow: 45, receiverFinRow: 42, hangupRow: -1, download: true,
};

test('decideVerdict: order of the rules and the packet that settled each', () => {
  const v = (over: Partial<TransferEvidence>): [string, number] => {
    const r = decideVerdict({ ...base, ...over });
    return [r.verdict, r.decidedAt];
  };
  assert.deepEqual(v({}), ['complete', NaN]);
  assert.deepEqual(v({ encrypted: true, finalCode: 426 }), ['encrypted', NaN]);
  assert.deepEqual(v({ finalCode: 426, cutRow: 12 }), ['aborted', 50]);
  assert.deepEqual(v({ rstRow: 30 }), ['aborted', 30]);
  assert.deepEqual(v({ rstRow: 44 }), ['complete', NaN]);
  assert.deepEqual(v({ cutRow: 12 }), ['truncated-capture', 12]);
  assert.deepEqual(v({ senderFinRow: -1, finalCode: null, finalRow: NaN }), ['truncated-capture', 45]);
  assert.deepEqual(v({ senderFinRow: -1, rstRow: 44 }), ['aborted', 44]);
  assert.deepEqual(v({ missing: 10, bytes: 90, firstGapRow: 20 }), ['gaps', 20]);
  assert.deepEqual(v({ sawSyn: false }), ['gaps', 10]);
  assert.deepEqual(v({ bytes: 99 }), ['size-mismatch', 50]);
  assert.deepEqual(v({ finalCode: null, finalRow: NaN }), ['complete', NaN]);
  assert.deepEqual(v({ finalCode: 250 }), ['complete', NaN]);
  // the receiver closing first: aborted unless a 2xx came
  assert.deepEqual(v({ receiverFinRow: 30, finalCode: null, finalRow: NaN }), ['aborted', 30]);
  assert.deepEqual(v({ receiverFinRow: 30 }), ['complete', NaN]);
  // the session closed while the transfer waited for its final reply: an upload is aborted, a download proven whole is not
  assert.deepEqual(v({ hangupRow: 41, download: false }), ['aborted', 41]);
  assert.deepEqual(v({ hangupRow: 41 }), ['complete', NaN]);
  assert.deepEqual(v({ hangupRow: 41, announcedSize: undefined }), ['aborted', 41]);
  assert.deepEqual(v({ hangupRow: 41, bytes: 90 }), ['aborted', 41]);
});

test('sizeAgrees: REST tail, TYPE A may only grow', () => {
  assert.ok(sizeAgrees({ announcedSize: 1000, ascii: false, restOffset: 400, bytes: 600, missing: 0 }));
  assert.ok(sizeAgrees({ announcedSize: 1000, ascii: false, restOffset: 400, bytes: 1000, missing: 0 }));
  assert.ok(!sizeAgrees({ announcedSize: 1000, ascii: false, restOffset: 0, bytes: 1001, missing: 0 }));
  assert.ok(sizeAgrees({ announcedSize: 1000, ascii: true, restOffset: 0, bytes: 1040, missing: 0 }));
  assert.ok(!sizeAgrees({ announcedSize: 1000, ascii: true, restOffset: 0, bytes: 999, missing: 0 }));
  assert.ok(sizeAgrees({ announcedSize: undefined, ascii: false, restOffset: 0, bytes: 5, missing: 0 }));
});
