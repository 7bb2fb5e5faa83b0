/** The training step every runner shares: zeroGrad, backward, clip the gradient norm, step. */
import type { Parameter, Tensor } from '@recur/core';
import { backward, clipGradNorm } from '@recur/core';

/** Gradient-norm clip of a step unless told otherwise: keeps a vanilla RNN's rare exploding step harmless. */
export const DEFAULT_CLIP_NORM = 1;

/**
 * One optimisation step: clears the gradients, runs `lossFn` under `backward` (which releases every
 * intermediate tensor), clips the gradient norm to `maxNorm` (0: no clipping), updates, and returns
 * the loss as a number.
 */
export function optimisationStep(
  optimizer: { zeroGrad(): void; step(): void },
  params: readonly Parameter[],
  lossFn: () => Tensor,
  maxNorm: number = DEFAULT_CLIP_NORM,
): number {
  optimizer.zeroGrad();
  const loss = backward(lossFn, params);
  const value = loss.item();
  loss.dispose();
  if (maxNorm > 0) clipGradNorm(params, maxNorm);
  optimizer.step();
  return value;
}
