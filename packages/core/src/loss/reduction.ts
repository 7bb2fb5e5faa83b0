/** What every loss shares: the `reduction` option, option checks and the tensor-argument checks. */
import { formatShape, shapeError, valueError } from '../errors.js';
import { addScalar, checkSameBackend, mean, neg, sum } from '../tensor/ops.js';
import { broadcastShapes, sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** How per-element losses are combined: averaged (`'mean'`, the default), added (`'sum'`) or kept (`'none'`). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options every loss takes. */
export interface LossOptions {
  /** How the per-element losses are combined (default `'mean'`), as PyTorch's `reduction`. */
  reduction?: Reduction;
}

/** Throws unless `options` is an object (or undefined); returns it, `{}` for undefined. */
export function checkOptions<T extends object>(where: string, options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    valueError(where, 'options', 'an object', options);
  }
  return options;
}

/** The checked `reduction` (default `'mean'`). */
export function checkReduction(where: string, reduction: unknown): Reduction {
  const value = reduction ?? 'mean';
  if (value !== 'mean' && value !== 'sum' && value !== 'none') {
    valueError(where, 'reduction', '"mean", "sum" or "none"', value);
  }
  return value;
}

/** Throws unless `value` is a finite number satisfying `ok`; `expected` says which. */
export function checkNumber(
  where: string,
  argument: string,
  value: unknown,
  expected: string,
  ok: (v: number) => boolean,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    valueError(where, argument, expected, value);
  }
  return value;
}

/**
 * Checks `input` and `target` (and any optional tensors, by name) are live tensors on one backend with
 * one dtype, and that `target` has exactly the input's shape (no silent broadcasting).
 */
export function checkPair(
  where: string,
  input: unknown,
  target: unknown,
  extra: Readonly<Record<string, Tensor | undefined>> = {},
): void {
  const named = Object.entries(extra).filter((e): e is [string, Tensor] => e[1] !== undefined);
  checkSameBackend(
    where,
    [input as Tensor, target as Tensor, ...named.map((e) => e[1])],
    ['input', 'target', ...named.map((e) => e[0])],
  );
  const a = input as Tensor;
  const b = target as Tensor;
  if (!sameShape(a.shape, b.shape)) {
    shapeError(where, 'target', `the input's shape ${formatShape(a.shape)}`, b.shape);
  }
}

/**
 * Throws unless `weight` broadcasts to `shape` itself (PyTorch multiplies the per-element loss by it in
 * place, so it may not enlarge the result), e.g. `[C]` or `[1, C]` for an input `[N, C]`.
 */
export function checkBroadcastsTo(where: string, argument: string, weight: Tensor, shape: readonly number[]) {
  let ok = weight.rank <= shape.length;
  if (ok) {
    try {
      ok = sameShape(broadcastShapes(where, weight.shape, shape), shape);
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    shapeError(
      where,
      argument,
      `a shape that broadcasts to the input's shape ${formatShape(shape)} (each dimension equal or 1, aligned at the end)`,
      weight.shape,
    );
  }
}

/** Applies `reduction` to per-element losses: mean over every element, sum, or as they are. */
export function reduce(perElement: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? perElement : reduction === 'sum' ? sum(perElement) : mean(perElement);
}

/** `1 − x`. */
export function oneMinus(x: Tensor): Tensor {
  return addScalar(neg(x), 1);
}
