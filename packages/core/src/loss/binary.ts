/** Binary classification losses with PyTorch's definitions: `binaryCrossEntropy` and its logits form. */

import { valueError } from '../errors.js';
import { tensorLike } from '../tensor/create.js';
import { add, addScalar, exp, log, mul, neg, relu, scale, sub } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LossOptions } from './reduction.js';
import { checkBroadcastsTo, checkOptions, checkPair, checkReduction, oneMinus, reduce } from './reduction.js';

/** Options of {@link binaryCrossEntropy}. */
export interface BCELossOptions extends LossOptions {
  /** Per-element rescaling weight, broadcast to the input's shape (e.g. `[C]` for an input `[N, C]`). */
  weight?: Tensor;
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /**
   * Weight of the positive term, broadcast to the input's shape (typically one per class, `[C]`): the
   * loss is `−w·(posWeight·y·log σ(x) + (1 − y)·log(1 − σ(x)))`.
   */
  posWeight?: Tensor;
}

/**
 * PyTorch's `F.binary_cross_entropy_with_logits`:
 * `−weight·(posWeight·y·log σ(x) + (1 − y)·log(1 − σ(x)))` per element, reduced (`'mean'` over every
 * element, not weighted). Numerically stable for any logit: with `r = relu(x)` and `|x| = 2r − x`,
 * `softplus(−x) = r − x + log(1 + exp(−|x|))`, and the loss is `(1 − y)·x + (1 + (posWeight − 1)·y)·softplus(−x)`
 * (without `posWeight`, `r − x·y + log(1 + exp(−|x|))`). Every kink is written through `relu` alone, so
 * at x = 0 all pieces take the same side and the gradient is exactly `σ(0)·… − y` as PyTorch's.
 * Differentiable with respect to the target as well. Shapes of input and target must match.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BCEWithLogitsLossOptions = {},
): Tensor {
  const where = 'binaryCrossEntropyWithLogits';
  const o = checkOptions(where, options);
  const reduction = checkReduction(where, o.reduction);
  checkPair(where, input, target, { weight: o.weight, posWeight: o.posWeight });
  if (o.weight !== undefined) checkBroadcastsTo(where, 'weight', o.weight, input.shape);
  if (o.posWeight !== undefined) checkBroadcastsTo(where, 'posWeight', o.posWeight, input.shape);
  const r = relu(input);
  const absX = sub(scale(r, 2), input);
  const log1pExp = log(addScalar(exp(neg(absX)), 1));
  let perElement: Tensor;
  if (o.posWeight === undefined) {
    perElement = add(sub(r, mul(input, target)), log1pExp);
  } else {
    const softplusNeg = add(sub(r, input), log1pExp);
    const logWeight = addScalar(mul(addScalar(o.posWeight, -1), target), 1);
    perElement = add(mul(oneMinus(target), input), mul(logWeight, softplusNeg));
  }
  if (o.weight !== undefined) perElement = mul(perElement, o.weight);
  return reduce(perElement, reduction);
}

/** PyTorch's floor of `p·(1 − p)` in the gradient of `binary_cross_entropy` (a float32 constant there). */
const EPSILON = Math.fround(1e-12);
/** PyTorch's floor of each log in `binary_cross_entropy`. */
const LOG_FLOOR = -100;

/**
 * PyTorch's `F.binary_cross_entropy` of probabilities `input` (each in [0, 1]) against `target`:
 * `−weight·(y·max(log p, −100) + (1 − y)·max(log(1 − p), −100))` per element, reduced (`'mean'` over every
 * element). The gradient is PyTorch's, `weight·(p − y) / max(p·(1 − p), 1e-12)`, also at p = 0 and 1.
 *
 * The input is read back to the host once (to check the range, as PyTorch does, and to find elements
 * with `p·(1 − p) < 1e-12`); only if there are such elements are their terms replaced by constants
 * carrying PyTorch's value and gradient (and the target is read back too).
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCELossOptions = {}): Tensor {
  const where = 'binaryCrossEntropy';
  const o = checkOptions(where, options);
  const reduction = checkReduction(where, o.reduction);
  checkPair(where, input, target, { weight: o.weight });
  if (o.weight !== undefined) checkBroadcastsTo(where, 'weight', o.weight, input.shape);
  const p = input.toArray();
  const edge = new Uint8Array(p.length);
  let edges = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!(v >= 0 && v <= 1)) valueError(where, `input[${i}]`, 'a probability in [0, 1]', v);
    if (v * (1 - v) < EPSILON) {
      edge[i] = 1;
      edges++;
    }
  }
  let perElement: Tensor;
  if (edges === 0) {
    perElement = neg(add(mul(target, log(input)), mul(oneMinus(target), log(oneMinus(input)))));
  } else {
    perElement = withEdges(input, target, p, edge);
  }
  if (o.weight !== undefined) perElement = mul(perElement, o.weight);
  return reduce(perElement, reduction);
}

/**
 * The per-element loss when some elements have `p·(1 − p) < ε`. Elsewhere it is the plain formula (the
 * edge entries of p replaced by constants, so their logs are finite and pass no gradient). At the edge
 * entries it is `v + (p − p₀)·g + (y − y₀)·t` with host constants: the value `v` (logs floored at −100),
 * PyTorch's input gradient `g = (p₀ − y₀)/ε` and target gradient `t = log(1 − p₀) − log(p₀)` (the
 * floored logs' difference where that is infinite, at p₀ = 0 or 1). `p − p₀` and `y − y₀` are exactly 0.
 */
function withEdges(input: Tensor, target: Tensor, p: ArrayLike<number>, edge: Uint8Array): Tensor {
  const y = target.toArray();
  const n = p.length;
  const keep = new Float64Array(n);
  const value = new Float64Array(n);
  const gradP = new Float64Array(n);
  const gradY = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!edge[i]) {
      keep[i] = 1;
      continue;
    }
    const p0 = p[i]!;
    const y0 = y[i]!;
    const logP = Math.log(p0);
    const log1mP = Math.log(1 - p0);
    const floorP = Math.max(logP, LOG_FLOOR);
    const floor1mP = Math.max(log1mP, LOG_FLOOR);
    value[i] = -(y0 * floorP + (1 - y0) * floor1mP);
    gradP[i] = (p0 - y0) / EPSILON;
    const t = log1mP - logP;
    gradY[i] = Number.isFinite(t) ? t : floor1mP - floorP;
  }
  const shape = input.shape;
  const keepT = tensorLike(input, keep, shape);
  const edgeT = oneMinus(keepT);
  // Edge entries of p become 1 in log(p) and 0 in log(1 − p): both logs 0, no gradient through them.
  const pForLog = add(mul(input, keepT), edgeT);
  const pFor1m = mul(input, keepT);
  const plain = neg(add(mul(target, log(pForLog)), mul(oneMinus(target), log(oneMinus(pFor1m)))));
  const atEdge = add(
    tensorLike(input, value, shape),
    add(
      mul(sub(input, tensorLike(input, p, shape)), tensorLike(input, gradP, shape)),
      mul(sub(target, tensorLike(input, y, shape)), tensorLike(input, gradY, shape)),
    ),
  );
  return add(plain, atEdge);
}
