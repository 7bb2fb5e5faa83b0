/** Synchronous timing of one Recur training step, for callers outside the bench (the conformance CLI). */
import type { AnyBackend } from '@recur/core';
import { wantsMoreWarmup } from './budget.js';
import { roundMs, summarize } from './stats.js';
import { prepareRecurStep } from './systems/recur-step.js';
import { type Cell, workloadByName } from './workloads.js';

/** Options of {@link measureTrainStep}. */
export interface MeasureTrainStepOptions {
  /** Which module: `lstm`, `gru` or `rnn` (tanh). */
  readonly cell: Cell;
  /** One of the bench's workloads, `W1`…`W4` (W1: B16 T32 I32 H64 L1). */
  readonly workload: 'W1' | 'W2' | 'W3' | 'W4';
  /** Timed repetitions (default: the workload's, 10 for W1). */
  readonly reps?: number;
}

/** Milliseconds per training step, and the path the module took. */
export interface TrainStepTiming {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** `module.lastPath`: `fused` or `composed` (`null` only if no step ran). */
  readonly path: string | null;
}

/**
 * Times a training step (forward + `mean(out²)` + the gradient of every weight, no optimizer step)
 * of a float32 batch-first module on `backend`, with `path: 'auto'`, exactly as `pnpm bench` does:
 * the same warm-up, then `reps` timed steps. Synchronous (Recur backends compute synchronously).
 *
 * @example
 * const { median, path } = measureTrainStep(createJsBackend(), { cell: 'lstm', workload: 'W1' });
 */
export function measureTrainStep(backend: AnyBackend, options: MeasureTrainStepOptions): TrainStepTiming {
  const w = workloadByName(options.workload);
  const reps = options.reps ?? w.defaultReps;
  if (!Number.isInteger(reps) || reps < 1) {
    throw new RangeError(`measureTrainStep: reps must be an integer ≥ 1, got ${String(options.reps)}`);
  }
  const step = prepareRecurStep(backend, options.cell, w, 'train');
  try {
    const t = timeSteps(() => step.run(), reps);
    return { median: roundMs(t.median), min: roundMs(t.min), max: roundMs(t.max), path: step.path };
  } finally {
    step.dispose();
  }
}

/** Milliseconds per call of a step timed by {@link timeSteps}. */
export interface StepTiming {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Untimed warm-up calls made first. */
  readonly warmup: number;
}

/**
 * Times a synchronous `step` the way `pnpm bench` times every system: untimed warm-up calls until
 * one ran and 500 ms passed (at most 100, so the JIT, kernel compilation, first allocations at a new
 * size and a sleeping worker thread are not charged), then `reps` timed calls, each on its own clock.
 */
export function timeSteps(step: () => void, reps: number): StepTiming {
  if (!Number.isInteger(reps) || reps < 1) {
    throw new RangeError(`timeSteps: reps must be an integer ≥ 1, got ${String(reps)}`);
  }
  const time = () => {
    const start = performance.now();
    step();
    return performance.now() - start;
  };
  let warmup = 0;
  let elapsed = 0;
  while (wantsMoreWarmup(warmup, elapsed)) {
    elapsed += time();
    warmup++;
  }
  return { ...summarize(Array.from({ length: reps }, time)), warmup };
}
