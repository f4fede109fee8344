/**
 * Long query loops (filtering, sorting, grouping) as generators that pause between slices of rows.
 * One implementation serves two drivers: `runSteps` runs straight through (scripts, -e, the bench),
 * `runStepsInterruptibly` gives the event loop a turn every few milliseconds, so a UI stays
 * responsive and Ctrl-C (an AbortSignal) can stop a statement without losing what is loaded.
 *
 * The value passed back into a paused generator is the number of rows its next slice may take:
 * the interruptible driver sizes slices by how long the last one took, so even a costly row
 * (a slow regex) never holds the thread for long. Pausing costs one generator resume per slice.
 */

/** what a step generator yields (nothing), returns (T) and is resumed with (rows for the next slice) */
export type Steps<T> = Generator<void, T, number | undefined>;

/**
 * rows in a loop's first slice, before the driver has said otherwise: one, as a row may cost
 * anything (a backtracking regex); slices double from there while they are quick
 */
export const FIRST_SLICE_ROWS = 1;
const MAX_SLICE_ROWS = 1 << 18;
/** a synchronous run pauses only to be resumed at once: large slices, nothing to measure */
const SYNC_SLICE_ROWS = 1 << 16;

/** thrown by the interruptible driver when its signal is aborted */
export class StatementCancelled extends Error {
  constructor() {
    super('stopped');
    this.name = 'StatementCancelled';
  }
}

/** Runs the steps to the end without pausing. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next(SYNC_SLICE_ROWS);
    if (r.done) return r.value;
  }
}

export interface InterruptibleOptions {
  /** the longest the event loop waits for a turn, ms */
  readonly turnMs?: number;
  /** the time one slice should take, ms */
  readonly sliceMs?: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs the steps, letting the event loop in at least every `turnMs` milliseconds; throws
 * StatementCancelled at the next turn after `signal` is aborted.
 */
export async function runStepsInterruptibly<T>(steps: Steps<T>, signal: AbortSignal, opts: InterruptibleOptions = {}): Promise<T> {
  const turnMs = opts.turnMs ?? 30, sliceMs = opts.sliceMs ?? 3;
  if (signal.aborted) throw new StatementCancelled();
  let rows = 2 * FIRST_SLICE_ROWS;
  let turnStarted = performance.now();
  try {
    for (;;) {
      const started = performance.now();
      const r = steps.next(rows);
      if (r.done) return r.value;
      const now = performance.now(), took = now - started;
      if (took < sliceMs / 4) rows = Math.min(MAX_SLICE_ROWS, rows * 2);
      else if (took > sliceMs) rows = Math.max(1, Math.floor(rows / 2));
      if (now - turnStarted >= turnMs) {
        await nextTurn();
        if (signal.aborted) throw new StatementCancelled();
        turnStarted = performance.now();
      }
    }
  } finally {
    // a generator left paused still holds its finally blocks (the shared row vectors): run them
    steps.return(undefined as T);
  }
}

/** Calls `body(from, to)` over [0, n) in slices, pausing after each. */
export function* inSlices(n: number, body: (from: number, to: number) => void): Steps<void> {
  let size = FIRST_SLICE_ROWS;
  for (let from = 0; from < n;) {
    const to = Math.min(n, from + size);
    body(from, to);
    from = to;
    if (from < n) size = (yield) ?? size;
  }
}

/** rows sorted at once before merging; small enough to sort within a slice */
const SORT_RUN_ROWS = 8192;

/**
 * Sorts `rows` in place under `compare` (a total order), pausing between sorted runs and during
 * merges: a bottom-up merge sort over native sorts of short runs, as fast as one native sort.
 */
export function* sortSteps(rows: Int32Array, compare: (a: number, b: number) => number): Steps<Int32Array> {
  const n = rows.length;
  if (n <= SORT_RUN_ROWS) return rows.sort(compare);
  for (let s = 0; s < n; s += SORT_RUN_ROWS) {
    rows.subarray(s, Math.min(n, s + SORT_RUN_ROWS)).sort(compare);
    yield;
  }
  let src: Int32Array = rows, dst: Int32Array = new Int32Array(n);
  let size = FIRST_SLICE_ROWS;
  for (let width = SORT_RUN_ROWS; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width), hi = Math.min(n, lo + 2 * width);
      let i = lo, j = mid, k = lo;
      while (k < hi) {
        const stop = Math.min(hi, k + size);
        while (k < stop && i < mid && j < hi) dst[k++] = compare(src[i]!, src[j]!) <= 0 ? src[i++]! : src[j++]!;
        while (k < stop && i < mid) dst[k++] = src[i++]!;
        while (k < stop && j < hi) dst[k++] = src[j++]!;
        size = (yield) ?? size;
      }
    }
    const t = src; src = dst; dst = t;
  }
  if (src !== rows) rows.set(src);
  return rows;
}

/** counts[digit] += 1 for each position of order[from..to) */
function countDigits(order: Int32Array, from: number, to: number, key: Uint32Array, shift: number, mask: number, counts: Int32Array): void {
  for (let i = from; i < to; i++) counts[(key[order[i]!]! >>> shift) & mask]!++;
}

/** moves order[from..to) to its digit's next free place in `out` (counts hold those places) */
function scatterDigits(order: Int32Array, from: number, to: number, key: Uint32Array, shift: number, mask: number, counts: Int32Array, out: Int32Array): void {
  for (let i = from; i < to; i++) {
    const p = order[i]!;
    out[counts[(key[p]! >>> shift) & mask]!++] = p;
  }
}

/**
 * Sorts `rows` in place by unsigned key words (most significant first, each indexed by position in
 * `rows`), pausing between slices: a stable least-significant-digit radix sort of the positions, so
 * equal keys keep their order (row order, when `rows` ascend, as the comparators break ties).
 * 16-bit digits, or 8-bit ones for short inputs where 65,536 counters would cost more than the
 * rows; a digit that every row shares takes no pass.
 */
export function* radixSortSteps(rows: Int32Array, words: readonly Uint32Array[]): Steps<Int32Array> {
  const n = rows.length;
  const bits = n >= 1 << 14 ? 16 : 8, mask = (1 << bits) - 1;
  const counts = new Int32Array(1 << bits);
  let order = new Int32Array(n), spare = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let size = FIRST_SLICE_ROWS;
  for (let w = words.length - 1; w >= 0; w--) {
    const key = words[w]!;
    for (let shift = 0; shift < 32; shift += bits) {
      counts.fill(0);
      for (let from = 0; from < n;) {
        const to = Math.min(n, from + size);
        countDigits(order, from, to, key, shift, mask, counts);
        from = to;
        size = (yield) ?? size;
      }
      let start = 0, shared = false;
      for (let d = 0; d <= mask; d++) {
        const c = counts[d]!;
        if (c === n) { shared = true; break; }
        counts[d] = start;
        start += c;
      }
      if (shared) continue;
      for (let from = 0; from < n;) {
        const to = Math.min(n, from + size);
        scatterDigits(order, from, to, key, shift, mask, counts, spare);
        from = to;
        size = (yield) ?? size;
      }
      const t = order; order = spare; spare = t;
    }
  }
  const sorted = spare;
  for (let i = 0; i < n; i++) sorted[i] = rows[order[i]!]!;
  rows.set(sorted);
  return rows;
}
