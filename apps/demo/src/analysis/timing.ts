/**
 * Engine side of the speed panel: the median wall time of one full training step of the current
 * task's model (batch, forward, backward, gradient clipping, Adam), exactly as the training loop
 * runs it, on the fused or the composed path. Each timed step ends by reading a parameter back, so
 * an asynchronous engine (webgl) is timed to completion, not to submission.
 */
import { Adam, Generator } from '@recur/core';
import { optimisationStep } from '@recur/runner';
import type { ModelConfig, TaskName } from '../engine/protocol.js';
import { CLIP_NORM } from '../engine/session.js';
import { createTask } from '../tasks/index.js';
import { disposeModel, parameters } from '../tasks/task.js';

/** Untimed steps first: shader compilation, WebAssembly tier-up, first allocations. */
export const WARMUP_STEPS = 2;

/** Median of `samples`. */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Times `reps` steps of the task's model on `path`; returns the median and the path taken. */
export async function timeRecurStep(
  taskName: TaskName,
  config: ModelConfig,
  path: 'fused' | 'composed',
  reps: number,
  pause: () => Promise<void>,
): Promise<{ medianMs: number; path: string }> {
  const task = createTask(taskName, config.seed);
  const model = task.createModel({ ...config, path }, 'float32', new Generator(config.seed));
  const params = parameters(model);
  const optimizer = new Adam(params, { lr: config.lr });
  const data = new Generator(config.seed + 5);
  const last = params[params.length - 1]!;
  try {
    const samples: number[] = [];
    for (let i = 0; i < WARMUP_STEPS + reps; i++) {
      const start = performance.now();
      const batch = task.batch(config.batch, data);
      optimisationStep(optimizer, params, () => model.loss(batch), CLIP_NORM);
      last.value.toArray();
      if (i >= WARMUP_STEPS) samples.push(performance.now() - start);
      await pause();
    }
    return { medianMs: median(samples), path: model.recurrent.lastPath ?? 'none' };
  } finally {
    optimizer.zeroGrad();
    optimizer.dispose();
    disposeModel(model);
  }
}
