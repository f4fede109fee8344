/** Sequence-space bookkeeping shared by the per-connection engine and the all-connections tracker. */

/** Adds [start, end) to a flat sorted interval list, merging the intervals it touches. */
export function mergeInterval(s: number[], start: number, end: number): void {
  const n = s.length / 2;
  if (n === 0 || s[(n - 1) * 2 + 1]! < start) { s.push(start, end); return; }
  if (s[(n - 1) * 2]! <= start) {
    if (end > s[(n - 1) * 2 + 1]!) s[(n - 1) * 2 + 1] = end;
    return;
  }
  // `first` is the first interval ending at or after start
  let first = 0, hi = n;
  while (first < hi) {
    const mid = (first + hi) >> 1;
    if (s[mid * 2 + 1]! < start) first = mid + 1; else hi = mid;
  }
  let last = first;
  let newStart = start, newEnd = end;
  while (last < n && s[last * 2]! <= end) {
    newStart = Math.min(newStart, s[last * 2]!);
    newEnd = Math.max(newEnd, s[last * 2 + 1]!);
    last++;
  }
  s.splice(first * 2, (last - first) * 2, newStart, newEnd);
}
