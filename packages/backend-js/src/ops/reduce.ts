/**
 * Reductions: `sum` (differentiable) and `max` (a constant for autograd), plus the two kernels
 * broadcasting needs in reverse: summing a gradient back to an input's shape, and expanding a
 * reduced gradient back over the reduced axes.
 */

import type { TypedArray } from '@recur/core';
import type { Engine } from '../engine.js';
import { allocLike, allocLikeUnfilled, type JsTensor, sameShape, sizeOf, stridesOf } from '../tensor.js';
import { planLoop, reducedStrides } from './strided.js';

/** Marks the reduced axes (negative axes count from the end; repeats are harmless). */
export function reducedMask(rank: number, axes: readonly number[]): boolean[] {
  const mask = new Array<boolean>(rank).fill(false);
  for (const axis of axes) mask[axis < 0 ? axis + rank : axis] = true;
  return mask;
}

/** Shape of a reduction's result. */
export function reducedShape(
  shape: readonly number[],
  mask: readonly boolean[],
  keepDims: boolean,
): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!mask[i]) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/**
 * Sums `x` (of `shape`) over the axes in `mask`; the result is row-major in the reduced shape
 * (identical for keepDims or not). Sums run in float64 and are rounded once at the end.
 */
export function sumKernel(x: TypedArray, shape: readonly number[], mask: readonly boolean[]): TypedArray {
  const outStrides = reducedStrides(shape, mask);
  const acc = new Float64Array(sizeOf(shape.filter((_, i) => !mask[i])));
  const plan = planLoop(shape, [stridesOf(shape), outStrides]);
  const [xs, os] = plan.innerStrides;
  const [xOuter, oOuter] = plan.outer;
  for (let o = 0; o < plan.outerCount; o++) {
    let xi = xOuter[o];
    const oi = oOuter[o];
    if (os === 0) {
      let s = 0;
      for (let j = 0; j < plan.inner; j++, xi += xs) s += x[xi];
      acc[oi] += s;
    } else {
      for (let j = 0; j < plan.inner; j++, xi += xs) acc[oi + j * os] += x[xi];
    }
  }
  if (x instanceof Float64Array) return acc;
  return Float32Array.from(acc);
}

/** Sums a gradient of the broadcast shape `from` back to an operand's shape `to`. */
export function sumToShape(e: Engine, dy: JsTensor, to: readonly number[]): JsTensor {
  const from = dy.shape;
  if (sameShape(from, to)) return dy;
  const offset = from.length - to.length;
  const mask = from.map((d, i) => i < offset || (to[i - offset] === 1 && d !== 1));
  return e.tensor(sumKernel(dy.data, from, mask), to);
}

/** Repeats `src` (of shape `srcShape`, broadcastable to `shape`) into a new array of `shape`. */
export function expandKernel(
  src: TypedArray,
  srcStrides: readonly number[],
  shape: readonly number[],
): TypedArray {
  const out = allocLikeUnfilled(src, sizeOf(shape));
  if (srcStrides.every((s) => s === 0)) {
    // A scalar spread over the whole shape (the gradient of a full sum, e.g. of a mean loss).
    out.fill(src[0]);
    return out;
  }
  const plan = planLoop(shape, [stridesOf(shape), srcStrides]);
  const [os, ss] = plan.innerStrides;
  const [oOuter, sOuter] = plan.outer;
  for (let o = 0; o < plan.outerCount; o++) {
    let oi = oOuter[o];
    let si = sOuter[o];
    for (let j = 0; j < plan.inner; j++, oi += os, si += ss) out[oi] = src[si];
  }
  return out;
}

/** Sum over `axes`; the gradient repeats `dy` over the reduced axes. */
export function sum(e: Engine, x: JsTensor, axes: readonly number[], keepDims: boolean): JsTensor {
  const mask = reducedMask(x.shape.length, axes);
  const y = e.tensor(sumKernel(x.data, x.shape, mask), reducedShape(x.shape, mask, keepDims));
  const xShape = x.shape;
  e.tape.record('sum', [x], [y], ([dy]) => [
    e.tensor(expandKernel(dy!.data, reducedStrides(xShape, mask), xShape), xShape),
  ]);
  return y;
}

/**
 * Maximum over `axes` (NaN propagates, as in PyTorch). Not recorded on the tape: autograd treats the
 * result as a constant, which is exactly right for its two uses (the shift in a stable softmax, whose
 * gradient cancels, and norms of gradients, which are never differentiated).
 */
export function max(e: Engine, x: JsTensor, axes: readonly number[], keepDims: boolean): JsTensor {
  const mask = reducedMask(x.shape.length, axes);
  const data = x.data;
  const out = allocLike(data, sizeOf(x.shape.filter((_, i) => !mask[i]))).fill(Number.NEGATIVE_INFINITY);
  const plan = planLoop(x.shape, [stridesOf(x.shape), reducedStrides(x.shape, mask)]);
  const [xs, os] = plan.innerStrides;
  for (let o = 0; o < plan.outerCount; o++) {
    let xi = plan.outer[0][o];
    const oi = plan.outer[1][o];
    for (let j = 0, k = oi; j < plan.inner; j++, xi += xs, k += os) {
      const v = data[xi];
      if (v > out[k] || Number.isNaN(v)) out[k] = v;
    }
  }
  return e.tensor(out, reducedShape(x.shape, mask, keepDims));
}
