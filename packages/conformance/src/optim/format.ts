/**
 * `recur-optim/1` optimizer and clipping fixtures (fixtures/optim, written by tools/fixtures/optim.py;
 * format: docs/case-format.md, "Optimizer and scheduler cases"). Scheduler files hold no tensors and
 * are checked by @recur/core's own tests; the suite runs the optimizer and clip files on every backend.
 */
import type { OptimizerStateDict } from '@recur/core';

/** A tensor as stored: shape and row-major values. */
export interface OptimTensor {
  /** Dimensions. */
  shape: number[];
  /** Row-major values. */
  data: number[];
}

/** An optimizer trajectory from PyTorch. */
export interface OptimizerFixture {
  /** `"optimizer"`. */
  kind: 'optimizer';
  /** File name without extension, e.g. `optimizer-rmsprop-centered`. */
  name: string;
  /** The torch.optim class. */
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  /** Defaults (camelCase options). */
  defaults: Record<string, unknown>;
  /** Parameter groups: indices into `params` and overridden options (camelCase). */
  groups: ({ params: number[] } & Record<string, unknown>)[];
  /** Initial parameters. */
  params: OptimTensor[];
  /** Gradients per step, per parameter (null: no gradient at that step). */
  grads: (OptimTensor | null)[][];
  /** PyTorch's parameters after every step. */
  expected: OptimTensor[][];
  /** PyTorch's state_dict() after step `afterStep`, to resume from. */
  resume: { afterStep: number; stateDict: OptimizerStateDict };
  /** PyTorch's final state_dict(). */
  stateDict: OptimizerStateDict;
}

/** One clipping case. */
export interface ClipCase {
  /** `clip_grad_norm_` or `clip_grad_value_`. */
  op: 'norm' | 'value';
  /** `maxNorm`, `normType` or `clipValue`. */
  options: { maxNorm?: number; normType?: number | 'inf'; clipValue?: number };
  /** Gradients before (null: none). */
  grads: (OptimTensor | null)[];
  /** Gradients after. */
  expected: (OptimTensor | null)[];
  /** clip_grad_norm_'s result. */
  totalNorm: number | null;
}

/** The clipping fixture. */
export interface ClipFixture {
  /** `"clip"`. */
  kind: 'clip';
  /** `clip`. */
  name: string;
  /** The cases. */
  cases: ClipCase[];
}

/** A parsed file, or why it could not be. */
export type LoadedOptimFile =
  | { file: string; fixture: OptimizerFixture | ClipFixture }
  | { file: string; skipped: 'scheduler' }
  | { file: string; error: string };

/** Parses one `recur-optim/1` value; a malformed one becomes `{ file, error }`. */
export function loadedOptimFile(file: string, json: unknown): LoadedOptimFile {
  const j = json as Record<string, unknown> | null;
  if (j === null || typeof j !== 'object' || j.format !== 'recur-optim/1') {
    return { file, error: `${file}: format must be "recur-optim/1"` };
  }
  if (j.kind === 'scheduler') return { file, skipped: 'scheduler' };
  if (j.kind === 'clip') {
    return Array.isArray(j.cases)
      ? { file, fixture: j as unknown as ClipFixture }
      : { file, error: `${file}: cases must be an array` };
  }
  if (j.kind !== 'optimizer')
    return { file, error: `${file}: kind must be "optimizer", "clip" or "scheduler"` };
  for (const key of ['groups', 'params', 'grads', 'expected']) {
    if (!Array.isArray(j[key])) return { file, error: `${file}: ${key} must be an array` };
  }
  if (!['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad'].includes(j.optimizer as string)) {
    return { file, error: `${file}: unknown optimizer ${JSON.stringify(j.optimizer)}` };
  }
  return { file, fixture: j as unknown as OptimizerFixture };
}
