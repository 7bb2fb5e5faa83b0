/** The training loop the examples share: minibatches, a progress bar, periodic evaluation, early stop. */
import type { Generator as Random } from '@recur/core';
import { Progress } from './progress.js';

/** Endless shuffled minibatches of `items` (a fresh order each epoch; the last partial batch is dropped). */
export function* minibatches<T>(
  items: readonly T[],
  batchSize: number,
  generator: Random,
): Generator<T[], never> {
  const size = Math.min(batchSize, items.length);
  for (;;) {
    const order = generator.shuffle([...items]);
    for (let i = 0; i + size <= order.length; i += size) yield order.slice(i, i + size);
  }
}

// The training step (zeroGrad, backward, clip, step) has one home, shared with the demo and the soak.
export { optimisationStep } from '@recur/runner';

/** What {@link trainLoop} needs. */
export interface TrainLoopOptions {
  /** Name shown on the progress bar. */
  readonly label: string;
  /** Step budget. */
  readonly steps: number;
  /** Runs step `i` (1-based) and returns its training loss. */
  readonly step: (i: number) => number;
  /** Evaluate every this many steps (the example reports the final evaluation itself). */
  readonly evalEvery?: number;
  /** Evaluates after step `i`; returns a line to print and whether to stop early. */
  readonly evaluate?: (i: number) => { line: string; stop?: boolean };
}

/** Runs the loop; returns the steps taken and the seconds it took. */
export function trainLoop(options: TrainLoopOptions): { steps: number; seconds: number } {
  const progress = new Progress(options.label, options.steps);
  let i = 0;
  while (i < options.steps) {
    i++;
    const loss = options.step(i);
    if (!Number.isFinite(loss)) {
      progress.stop();
      throw new Error(`${options.label}: the training loss became ${loss} at step ${i}`);
    }
    progress.tick(i, loss);
    const every = options.evalEvery;
    if (options.evaluate && every !== undefined && i % every === 0 && i < options.steps) {
      const { line, stop } = options.evaluate(i);
      progress.log(`${options.label} step ${i}: ${line}`);
      if (stop) break;
    }
  }
  return { steps: i, seconds: progress.stop() };
}
