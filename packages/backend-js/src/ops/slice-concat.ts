/** `slice` and `concat`, each other's gradient: a slice scatters back into zeros, concat slices apart. */

import type { TypedArray } from '@recur/core';
import type { Engine } from '../engine.js';
import { allocLike, type JsTensor, sizeOf, stridesOf } from '../tensor.js';
import { planLoop } from './strided.js';

/**
 * Copies the block `[begin, begin + size)` of `x` into a new array, or, with `scatter`, the reverse:
 * writes `block` into that position of a zero array of `shape`.
 */
function blockCopy(
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  src: TypedArray,
  scatter: boolean,
): TypedArray {
  const full = stridesOf(shape);
  let start = 0;
  for (let d = 0; d < shape.length; d++) start += begin[d] * full[d];
  const plan = planLoop(size, [stridesOf(size), full]);
  const [bs, fs] = plan.innerStrides;
  const [bOuter, fOuter] = plan.outer;
  const out = allocLike(src, scatter ? sizeOf(shape) : sizeOf(size));
  for (let o = 0; o < plan.outerCount; o++) {
    let bi = bOuter[o];
    let fi = start + fOuter[o];
    if (scatter) for (let j = 0; j < plan.inner; j++, bi += bs, fi += fs) out[fi] = src[bi];
    else for (let j = 0; j < plan.inner; j++, bi += bs, fi += fs) out[bi] = src[fi];
  }
  return out;
}

/** The block of `x` starting at `begin` with extent `size`. */
export function slice(e: Engine, x: JsTensor, begin: readonly number[], size: readonly number[]): JsTensor {
  const shape = x.shape;
  const y = e.tensor(blockCopy(shape, begin, size, x.data, false), size);
  e.tape.record('slice', [x], [y], ([dy]) => [
    e.tensor(blockCopy(shape, begin, size, dy!.data, true), shape),
  ]);
  return y;
}

/** Joins `xs` along `axis`. */
export function concat(e: Engine, xs: readonly JsTensor[], axis: number): JsTensor {
  const first = xs[0];
  const rank = first.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  const outer = sizeOf(first.shape.slice(0, ax));
  const after = sizeOf(first.shape.slice(ax + 1));
  const widths = xs.map((x) => x.shape[ax] * after);
  const total = widths.reduce((s, w) => s + w, 0);
  const shape = first.shape.slice();
  shape[ax] = xs.reduce((s, x) => s + x.shape[ax], 0);
  const out = allocLike(first.data, outer * total);
  // Each input contributes one contiguous chunk of `widths[i]` per outer index.
  let col = 0;
  xs.forEach((x, i) => {
    const src = x.data;
    const w = widths[i];
    for (let o = 0; o < outer; o++) copyRun(src, o * w, out, o * total + col, w);
    col += w;
  });
  const y = e.tensor(out, shape);
  e.tape.record('concat', xs.slice(), [y], ([dy], needs) => {
    const g = dy!.data;
    let offset = 0;
    return xs.map((x, i) => {
      const w = widths[i];
      const start = offset;
      offset += w;
      if (!needs[i]) return null;
      const dx = allocLike(g, outer * w);
      for (let o = 0; o < outer; o++) copyRun(g, o * total + start, dx, o * w, w);
      return e.tensor(dx, x.shape);
    });
  });
  return y;
}

/** Copies `length` elements without creating a subarray view per run. */
function copyRun(src: TypedArray, from: number, dst: TypedArray, to: number, length: number): void {
  for (let j = 0; j < length; j++) dst[to + j] = src[from + j];
}
