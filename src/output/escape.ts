/**
 * Bytes and text from packets never reach the terminal raw: control characters (C0, DEL, C1),
 * ANSI escape sequences and bidirectional overrides are replaced by visible escapes.
 */
const NAMED: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 92: '\\\\' };

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Payload bytes as text: printable ASCII kept, named escapes for \b\t\n\v\f\r and \\, others \xHH. */
export function escapeBytes(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 92) out += String.fromCharCode(b);
    else out += NAMED[b] ?? '\\x' + hex2(b);
  }
  return out;
}

function isUnsafeCodePoint(cp: number): boolean {
  return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x200e || cp === 0x200f ||
    cp === 0xfeff;
}

/** Text (already decoded) made safe for a terminal: same escapes as escapeBytes, \u{...} for unsafe code points. */
export function escapeText(text: string): string {
  let safe = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 92 || (c >= 0x7f && c < 0xa0) || c >= 0x200e) { safe = false; break; }
  }
  if (safe) return text;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 92) out += '\\\\';
    else if (NAMED[cp] !== undefined) out += NAMED[cp];
    else if (cp < 0x100 && isUnsafeCodePoint(cp)) out += '\\x' + hex2(cp);
    // a byte that was not valid UTF-8, kept as a lone surrogate U+DC80..U+DCFF (see ftp/protocol.ts)
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += '\\x' + hex2(cp - 0xdc00);
    else if (isUnsafeCodePoint(cp)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out;
}
