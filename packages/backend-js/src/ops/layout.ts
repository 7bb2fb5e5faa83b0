/** Ops that only rearrange elements: `reshape` (a view) and `transpose` (a permuting copy). */

import type { TypedArray } from '@recur/core';
import type { Engine } from '../engine.js';
import { allocLikeUnfilled, type JsTensor, stridesOf } from '../tensor.js';
import { planLoop } from './strided.js';

/** Same buffer, new shape: tensors are immutable, so sharing the array is safe and free. */
export function reshape(e: Engine, x: JsTensor, shape: readonly number[]): JsTensor {
  const y = e.tensor(x.data, shape);
  const xShape = x.shape;
  e.tape.record('reshape', [x], [y], ([dy]) => [e.tensor(dy!.data, xShape)]);
  return y;
}

/** Rows at least this long are moved with `TypedArray.set` (its per-call cost beats a JS loop beyond). */
const ROW_COPY_MIN = 16;

/** Copies `x` with its axes permuted: output axis i is input axis `perm[i]`. */
export function transposeKernel(
  x: TypedArray,
  shape: readonly number[],
  perm: readonly number[],
): TypedArray {
  const out = allocLikeUnfilled(x, x.length);
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const plan = planLoop(outShape, [stridesOf(outShape), perm.map((p) => inStrides[p])]);
  const [os, xs] = plan.innerStrides;
  const [oOuter, xOuter] = plan.outer;
  if (os === 1 && xs === 1 && plan.inner >= ROW_COPY_MIN) {
    // The last axis stays last (e.g. batch-first ↔ time-major): whole rows move at memcpy speed.
    for (let o = 0; o < plan.outerCount; o++)
      out.set(x.subarray(xOuter[o], xOuter[o] + plan.inner), oOuter[o]);
    return out;
  }
  for (let o = 0; o < plan.outerCount; o++) {
    let oi = oOuter[o];
    let xi = xOuter[o];
    for (let j = 0; j < plan.inner; j++, oi += os, xi += xs) out[oi] = x[xi];
  }
  return out;
}

/** Axis permutation; the gradient applies the inverse permutation. */
export function transpose(e: Engine, x: JsTensor, perm: readonly number[]): JsTensor {
  const shape = x.shape;
  const outShape = perm.map((p) => shape[p]);
  const y = e.tensor(transposeKernel(x.data, shape, perm), outShape);
  e.tape.record('transpose', [x], [y], ([dy]) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return [e.tensor(transposeKernel(dy!.data, outShape, inverse), shape)];
  });
  return y;
}
