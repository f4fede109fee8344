/**
 * The captures a `--batch` pattern names: `*`, `?` and `[...]` within a path component, `**` for any
 * depth of directories, a directory for the capture files in it. flowsh expands the pattern itself
 * (quoted, it reaches flowsh unexpanded, so the shell's argument limit never applies).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CAPTURE_FILE = /\.(?:pcapng|pcap|cap)(?:\.gz)?$/i;
const GLOB_CHARS = /[*?[]/;

function isDirectory(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

function entries(dir: string): { name: string; dir: boolean }[] {
  try {
    return readdirSync(dir === '' ? '.' : dir, { withFileTypes: true })
      .map((e) => ({ name: e.name, dir: e.isDirectory() || (e.isSymbolicLink() && isDirectory(join(dir, e.name))) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** one path component's pattern as a regular expression; names starting with a dot only when the pattern does */
function componentRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) { source += '\\['; continue; }
      let body = pattern.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      source += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${pattern.startsWith('.') ? '' : '(?!\\.)'}${source}$`);
}

function expand(base: string, parts: readonly string[], out: string[]): void {
  if (parts.length === 0) {
    out.push(base);
    return;
  }
  const [head, ...rest] = parts as [string, ...string[]];
  const joined = (name: string) => (base === '' ? name : base === '/' ? `/${name}` : `${base}/${name}`);
  if (head === '**') {
    expand(base, rest, out); // zero directories
    for (const e of entries(base)) if (e.dir && !e.name.startsWith('.')) expand(joined(e.name), parts, out);
    return;
  }
  if (!GLOB_CHARS.test(head)) {
    expand(joined(head), rest, out);
    return;
  }
  const regex = componentRegex(head);
  for (const e of entries(base)) {
    if (!regex.test(e.name)) continue;
    if (rest.length > 0 && !e.dir) continue;
    expand(joined(e.name), rest, out);
  }
}

/**
 * The files each pattern names (a pattern's matches sorted by path), each once. A pattern without wildcards is kept as given
 * (a missing file then fails to load with its own message), a directory stands for its captures.
 * Patterns that match nothing are returned in `unmatched`.
 */
export function expandCapturePatterns(patterns: readonly string[]): { files: string[]; unmatched: string[] } {
  const files: string[] = [];
  const unmatched: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => { if (!seen.has(f)) { seen.add(f); files.push(f); } };
  for (const pattern of patterns) {
    let matched: string[] = [];
    if (!GLOB_CHARS.test(pattern)) {
      matched = isDirectory(pattern)
        ? entries(pattern).filter((e) => !e.dir && !e.name.startsWith('.') && CAPTURE_FILE.test(e.name)).map((e) => join(pattern, e.name))
        : [pattern];
    } else {
      expand(pattern.startsWith('/') ? '/' : '', pattern.split('/').filter((p) => p !== ''), matched);
      matched = matched.filter((f) => !isDirectory(f)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    if (matched.length === 0) unmatched.push(pattern);
    matched.forEach(add);
  }
  return { files, unmatched };
}
