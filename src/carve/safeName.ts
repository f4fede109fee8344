/**
 * File names for carved transfers, built from a path that came off the wire: no directory parts,
 * no `..`, no control characters, no Windows device names, bounded length, prefixed with the data
 * flow's index so two transfers of the same path never collide by name.
 */
const MAX_NAME_BYTES = 150;
const DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\..*)?$/i;

/** The last component of a path as sent (either slash counts as a separator). */
export function lastComponent(path: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p !== '');
  return parts.length ? parts[parts.length - 1]! : '';
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Cut to at most `max` UTF-8 bytes without splitting a character. */
function cutUtf8(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (utf8Length(out + ch) > max) break;
    out += ch;
  }
  return out;
}

export function sanitizeComponent(raw: string): string {
  let name = '';
  for (const ch of raw) {
    const cp = ch.codePointAt(0)!;
    const control = cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0xfeff;
    name += control || '<>:"/\\|?*'.includes(ch) ? '_' : ch;
  }
  name = name.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (name === '') return 'unnamed';
  if (DEVICE_NAMES.test(name)) name = `_${name}`;
  if (utf8Length(name) > MAX_NAME_BYTES) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = cutUtf8(name.slice(0, name.length - ext.length), MAX_NAME_BYTES - utf8Length(ext)) + ext;
  }
  return name;
}

/** `12-report.pdf`, or `12-report.pdf.partial` for a transfer with gaps. */
export function carvedFileName(pathAsSent: string, dataFlowInd: number, partial: boolean): string {
  return `${dataFlowInd}-${sanitizeComponent(lastComponent(pathAsSent))}${partial ? '.partial' : ''}`;
}

/**
 * `12-listing-pub.txt` for a LIST/NLST/MLSD transfer: a listing is text about a directory, not a
 * file of that name. The directory is the argument without its options (`-la pub` lists pub), or
 * the resolved working directory for a bare LIST; `12-listing.txt` when neither names one.
 */
export function listingFileName(argAsSent: string, resolvedDirectory: string, dataFlowInd: number, partial: boolean): string {
  const dir = argAsSent.split(/\s+/).filter((w) => w !== '' && !w.startsWith('-')).join(' ');
  const component = lastComponent(dir) || (dir === '' ? lastComponent(resolvedDirectory) : '');
  const name = component === '' ? 'listing' : `listing-${sanitizeComponent(component)}`;
  return `${dataFlowInd}-${name}.txt${partial ? '.partial' : ''}`;
}
