/** Summaries of repeated timings. */

/** Minimum, median and maximum of a set of timings, in milliseconds. */
export interface Timing {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** min/median/max of `samples` (at least one); the median of an even count is the mean of the middle two. */
export function summarize(samples: readonly number[]): Timing {
  if (samples.length === 0) throw new RangeError('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/**
 * Rounds a millisecond figure for reports: 3 significant digits, at most 6 decimals (nanoseconds).
 * At most 3 decimals rounded a 13.4 µs streaming call to 0.013 ms, and ratios between systems at
 * that scale moved in steps of 7%.
 */
export function roundMs(ms: number): number {
  if (ms === 0 || !Number.isFinite(ms)) return ms;
  const digits = Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(Math.abs(ms)))));
  return Number(ms.toFixed(digits));
}
