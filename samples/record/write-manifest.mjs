// Merges record-more.sh's notes (one JSON object per line) into manifest.json:
// captures in recording order, each with its transfers in the order they happened.
// Usage: node write-manifest.mjs NOTES.jsonl OUT/manifest.json
import * as fs from 'node:fs';

const [notesFile, outFile] = process.argv.slice(2);
const notes = fs.readFileSync(notesFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const captures = notes.filter((n) => n.kind === 'capture').map(({ kind: _kind, ...c }) => ({ ...c, transfers: [] }));
for (const { kind: _kind, capture, ...transfer } of notes.filter((n) => n.kind === 'transfer')) {
  const entry = captures.find((c) => c.file === capture);
  if (!entry) throw new Error(`transfer for unknown capture ${capture}`);
  entry.transfers.push(transfer);
}
const manifest = {
  about: 'Every FTP transfer in the captures made by samples/record/record-more.sh, and the variants made by samples/record/impair.ts. '
    + 'size/sha256: the bytes that crossed the wire on the data connection (TYPE A: the CRLF form; REST: the tail after the offset). '
    + 'file: the whole file as stored at the sender when that differs. serverResult: what the server ended up with (APPE). '
    + 'expect: complete (carving must be exact), truncated-capture, aborted, encrypted, gaps. path: the argument as sent in the command.',
  hosts: { client: ['192.0.2.10', '2001:db8::10'], server: ['192.0.2.21', '2001:db8::21'] },
  generator: 'hash_stream NAME SIZE = SHA-256("NAME:0") || SHA-256("NAME:1") || ... cut to SIZE bytes',
  captures,
};
fs.writeFileSync(outFile, JSON.stringify(manifest, null, 2) + '\n');
