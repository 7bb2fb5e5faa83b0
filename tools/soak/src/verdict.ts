/**
 * The verdict on one backend's soak, from its samples alone (a pure function, so a synthetic series
 * can show each way it fails). README.md explains the bounds.
 */
import type { Sample, Series } from './series.js';

const MB = 1024 * 1024;

/** The limits a soak is judged by. */
export interface Bounds {
  /** Fraction of the steps that is warm-up: live tensors must be exactly flat from then on. */
  readonly warmup: number;
  /** Largest heap growth over the second half, bytes (medians of its first and last tenth). */
  readonly heapGrowth: number;
  /** Largest RSS growth over the second half, bytes. */
  readonly rssGrowth: number;
  /**
   * A steady climb: the medians of the second half's four quarters rise every time and by more than
   * this in all (heap), so that a slow leak below `heapGrowth` is still caught.
   */
  readonly heapTrend: number;
  /** The same for RSS. */
  readonly rssTrend: number;
  /**
   * GPU bytes (webgl): second-half growth and steady climb. Not required exactly flat: tfjs counts
   * the textures of live tensors, and the same tensors can sit in packed or unpacked textures (or
   * on the CPU) from one step to the next, which moves the count by a few KB.
   */
  readonly gpuGrowth: number;
  readonly gpuTrend: number;
}

/** The bounds `pnpm soak` applies (see README.md for the reasons). */
export const defaultBounds: Bounds = {
  warmup: 0.1,
  heapGrowth: 1 * MB,
  rssGrowth: 32 * MB,
  heapTrend: 0.5 * MB,
  rssTrend: 8 * MB,
  gpuGrowth: 0.25 * MB,
  gpuTrend: 0.0625 * MB,
};

/** One check of the verdict. */
export interface Check {
  readonly name: 'steps' | 'loss' | 'liveTensors' | 'gpuBytes' | 'heap' | 'rss';
  readonly pass: boolean;
  /** What was measured, in words (and why it failed). */
  readonly detail: string;
}

/** PASS only when every check passed. */
export interface Verdict {
  readonly backend: string;
  readonly pass: boolean;
  readonly checks: readonly Check[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(2)} MB`;
}

/** Samples with `from ≤ step < to` (the last window includes the final step). */
function window(samples: readonly Sample[], from: number, to: number, last: boolean): Sample[] {
  return samples.filter((s) => s.step >= from && (s.step < to || (last && s.step === to)));
}

/** Exactly flat from the first sample at or after warm-up to the end. */
function flat(samples: readonly Sample[], warmupStep: number): Check {
  const name = 'liveTensors';
  const read = (s: Sample) => s.liveTensors;
  const after = samples.filter((s) => s.step >= warmupStep);
  if (after.length < 2) return { name, pass: false, detail: 'too few samples after warm-up' };
  const reference = read(after[0]!);
  const moved = after.find((s) => read(s) !== reference);
  const range = `${read(samples[0]!)} at step 0, ${reference} at step ${after[0]!.step}, ${read(after.at(-1)!)} at step ${after.at(-1)!.step}`;
  return moved === undefined
    ? { name, pass: true, detail: `flat after warm-up: ${range}` }
    : {
        name,
        pass: false,
        detail: `changed after warm-up: ${reference} at step ${after[0]!.step}, ${read(moved)} at step ${moved.step}; ${range}`,
      };
}

/** Second-half growth and steady climb of one memory measure. */
function growth(
  name: 'heap' | 'rss' | 'gpuBytes',
  samples: readonly Sample[],
  steps: number,
  read: (s: Sample) => number,
  bound: number,
  trendFloor: number,
): Check {
  const half = steps / 2;
  const tenth = steps / 20; // a tenth of the second half
  const head = window(samples, half, half + tenth, false);
  const tail = window(samples, steps - tenth, steps, true);
  if (head.length === 0 || tail.length === 0) return { name, pass: false, detail: 'too few samples' };
  const rise = median(tail.map(read)) - median(head.map(read));
  const quarters = [0, 1, 2, 3].map((q) =>
    median(window(samples, half + (q * half) / 4, half + ((q + 1) * half) / 4, q === 3).map(read)),
  );
  const climbs = quarters.every((m, i) => i === 0 || m > quarters[i - 1]!);
  const climb = quarters[3]! - quarters[0]!;
  const summary = `${mb(read(samples[0]!))} at step 0, ${mb(median(head.map(read)))} at mid-run, ${mb(median(tail.map(read)))} at the end`;
  if (rise >= bound) {
    return {
      name,
      pass: false,
      detail: `grew ${mb(rise)} over the second half (bound ${mb(bound)}); ${summary}`,
    };
  }
  if (climbs && climb > trendFloor) {
    return {
      name,
      pass: false,
      detail: `rose in every quarter of the second half, ${mb(climb)} in all (trend bound ${mb(trendFloor)}); ${summary}`,
    };
  }
  return { name, pass: true, detail: `second half ${rise >= 0 ? '+' : ''}${mb(rise)}; ${summary}` };
}

/** Judges one backend's series. */
export function judge(series: Series, bounds: Bounds = defaultBounds): Verdict {
  const { samples, steps } = series;
  const checks: Check[] = [];
  const done = samples.at(-1)?.step ?? 0;
  checks.push(
    series.error === null && done === steps
      ? { name: 'steps', pass: true, detail: `${steps} steps` }
      : {
          name: 'steps',
          pass: false,
          detail: `stopped after ${done} of ${steps} steps: ${series.error ?? 'no error reported'}`,
        },
  );
  if (samples.length === 0) return { backend: series.backend, pass: false, checks };
  checks.push(
    series.nonFinite === null
      ? { name: 'loss', pass: true, detail: 'finite at every step' }
      : {
          name: 'loss',
          pass: false,
          detail: `not finite at step ${series.nonFinite.step} (mse ${series.nonFinite.mse}, ce ${series.nonFinite.ce})`,
        },
  );
  if (done === steps) {
    checks.push(flat(samples, Math.ceil(steps * bounds.warmup)));
    checks.push(growth('heap', samples, steps, (s) => s.heapUsed, bounds.heapGrowth, bounds.heapTrend));
    if (samples[0]!.rss !== null) {
      checks.push(growth('rss', samples, steps, (s) => s.rss ?? 0, bounds.rssGrowth, bounds.rssTrend));
    }
    if (samples[0]!.gpuBytes !== null) {
      checks.push(
        growth('gpuBytes', samples, steps, (s) => s.gpuBytes ?? 0, bounds.gpuGrowth, bounds.gpuTrend),
      );
    }
  }
  return { backend: series.backend, pass: checks.every((c) => c.pass), checks };
}
