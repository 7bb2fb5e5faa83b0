/**
 * How many steps a measurement gets: the same warm-up for every system, and fewer timed repetitions
 * (or none) when one step would blow the per-measurement time budget.
 */

/** Warm-up: at least one untimed step; fast steps get more (up to 5, or until 200 ms were spent). */
// JIT-compiled systems (Recur's JavaScript, tfjs) reach their optimised code only after tens of calls:
// with at most 5 warm-up steps, recur-js' W4 LSTM forward pass measured 4.24 ms, against 3.02 ms after
// 500 ms of warm-up. Native systems lose nothing by warming longer.
export const warmupPolicy = { minSteps: 1, maxSteps: 100, targetMs: 500 } as const;

/** Whether another warm-up step is due after `count` steps that took `elapsedMs` in all. */
export function wantsMoreWarmup(count: number, elapsedMs: number): boolean {
  if (count < warmupPolicy.minSteps) return true;
  return count < warmupPolicy.maxSteps && elapsedMs < warmupPolicy.targetMs;
}

/**
 * Timed repetitions for a step of `stepMs` (the last warm-up step): `requested`, cut so that they fit
 * in `budgetMs` (at least 1); `null` budget means unlimited.
 */
export function repsWithinBudget(requested: number, stepMs: number, budgetMs: number | null): number {
  if (budgetMs === null || stepMs <= 0) return requested;
  return Math.max(1, Math.min(requested, Math.floor(budgetMs / stepMs)));
}

/** A step time seen earlier in the run, with the FLOPs of its step. */
export interface Observed {
  readonly flops: number;
  readonly ms: number;
  readonly workload: string;
  /** Batch size: batch-1 steps are latency-bound and do not predict batched ones (nor the reverse). */
  readonly batch: number;
}

/**
 * Predicts the step time of a workload of `flops` and `batch` from the same system, cell and mode on
 * the observed workload closest in FLOPs (time grows about linearly with FLOPs for one system, a
 * little less on larger work, so this errs on the slow side); `undefined` when nothing comparable
 * was observed yet.
 */
export function predictStepMs(
  observed: readonly Observed[],
  flops: number,
  batch: number,
): { ms: number; from: string } | undefined {
  let best: Observed | undefined;
  for (const o of observed) {
    if ((o.batch === 1) !== (batch === 1)) continue;
    if (best === undefined || Math.abs(Math.log(o.flops / flops)) < Math.abs(Math.log(best.flops / flops))) {
      best = o;
    }
  }
  return best === undefined ? undefined : { ms: (best.ms * flops) / best.flops, from: best.workload };
}
