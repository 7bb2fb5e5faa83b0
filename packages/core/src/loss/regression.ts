/**
 * Regression losses with PyTorch's definitions: `mseLoss`, `l1Loss`, `smoothL1Loss`, `huberLoss`.
 *
 * The piecewise ones are composed from primitives without a select: with `a = |input − target|` and
 * `m = min(a, β) = a − relu(a − β)`, smooth L1 is `m²/(2β) + relu(a − β)` and Huber is
 * `m²/2 + δ·relu(a − δ)`. Each branch is then exact where PyTorch's branch is, and the gradient is exact
 * everywhere: both losses have a continuous derivative at `a = β` (PyTorch's two branches meet there, so
 * its `<` / `≥` choice gives the same number), and at `a = 0` it is 0 (`abs'(0) = relu'(0) = 0`), as
 * PyTorch's `sign(0) = 0`.
 */
import { abs, add, addScalar, mul, relu, scale, sub } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LossOptions } from './reduction.js';
import { checkNumber, checkOptions, checkPair, checkReduction, reduce } from './reduction.js';

/** Options of {@link smoothL1Loss}. */
export interface SmoothL1LossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1; ≥ 0, and 0 gives the L1 loss). */
  beta?: number;
}

/** Options of {@link huberLoss}. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1; > 0). */
  delta?: number;
}

/** `(input − target)²`, reduced, as PyTorch's `F.mse_loss`. Shapes must match exactly (no silent broadcasting). */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const o = checkOptions('mseLoss', options);
  const reduction = checkReduction('mseLoss', o.reduction);
  checkPair('mseLoss', input, target);
  const d = sub(input, target);
  return reduce(mul(d, d), reduction);
}

/** `|input − target|`, reduced, as PyTorch's `F.l1_loss` (gradient 0 where input = target). Shapes must match. */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const o = checkOptions('l1Loss', options);
  const reduction = checkReduction('l1Loss', o.reduction);
  checkPair('l1Loss', input, target);
  return reduce(abs(sub(input, target)), reduction);
}

/** `a = |input − target|`, `over = relu(a − k)` and `m = min(a, k) = a − over`. */
function split(input: Tensor, target: Tensor, k: number): { m: Tensor; over: Tensor } {
  const a = abs(sub(input, target));
  const over = relu(addScalar(a, -k));
  return { m: sub(a, over), over };
}

/**
 * PyTorch's `F.smooth_l1_loss`: `0.5·d²/β` where `|d| < β`, else `|d| − 0.5·β` (d = input − target);
 * `beta: 0` is the L1 loss, except that the gradient at d = 0 is −1 as PyTorch's (`l1Loss`'s is 0). Shapes
 * must match exactly.
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const where = 'smoothL1Loss';
  const o = checkOptions(where, options);
  const reduction = checkReduction(where, o.reduction);
  const beta = checkNumber(where, 'beta', o.beta ?? 1, 'a finite number ≥ 0', (v) => v >= 0);
  checkPair(where, input, target);
  if (beta === 0) {
    // |d| as 2·relu(d) − d (exact): its gradient at d = 0 is −1, PyTorch's (its `d ≤ −β` branch comes first).
    const d = sub(input, target);
    return reduce(sub(scale(relu(d), 2), d), reduction);
  }
  const { m, over } = split(input, target, beta);
  return reduce(add(scale(mul(m, m), 0.5 / beta), over), reduction);
}

/**
 * PyTorch's `F.huber_loss`: `0.5·d²` where `|d| ≤ δ`, else `δ·(|d| − 0.5·δ)` (d = input − target), i.e.
 * `δ ·` {@link smoothL1Loss} with `beta = δ`. Shapes must match exactly.
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const where = 'huberLoss';
  const o = checkOptions(where, options);
  const reduction = checkReduction(where, o.reduction);
  const delta = checkNumber(where, 'delta', o.delta ?? 1, 'a finite number > 0', (v) => v > 0);
  checkPair(where, input, target);
  const { m, over } = split(input, target, delta);
  return reduce(add(scale(mul(m, m), 0.5), scale(over, delta)), reduction);
}
