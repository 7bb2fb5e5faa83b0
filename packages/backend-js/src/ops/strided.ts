/**
 * Shared machinery for elementwise loops over broadcast or reduced operands.
 *
 * An n-D loop is described by one shape and, per operand, one stride per dimension (0 where the
 * operand is broadcast or reduced). Adjacent dimensions that are contiguous for every operand are
 * merged first, so same-shape and scalar cases collapse to a single flat loop. What remains is an
 * inner loop over the last dimension and a precomputed list of starting offsets for every outer
 * index, which keeps the kernels free of per-element index arithmetic and allocation.
 */

import { stridesOf } from '../tensor.js';

/** A flattened n-D loop: `outer[k][o] + j·innerStrides[k]` addresses operand k at step (o, j). */
export interface LoopPlan {
  /** Length of the innermost loop. */
  readonly inner: number;
  /** Stride of each operand along the innermost loop. */
  readonly innerStrides: readonly number[];
  /** Number of outer iterations. */
  readonly outerCount: number;
  /** For each operand, its starting offset at each outer iteration. */
  readonly outer: readonly Int32Array[];
}

/** The broadcast shape of `a` and `b` (NumPy rules; the frontend has already checked they agree). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read `shape` (right-aligned) while looping over `target`: 0 where it is broadcast. */
export function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = target.length - shape.length;
  const strides = new Array<number>(target.length).fill(0);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] !== 1) strides[d + offset] = own[d];
  }
  return strides;
}

/**
 * Strides that address a reduced result while looping over the unreduced `shape`: 0 along reduced
 * axes, the result's own row-major strides elsewhere (the same for keepDims or not).
 */
export function reducedStrides(shape: readonly number[], reduced: readonly boolean[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (reduced[d]) continue;
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

/** Builds the loop over `shape` for operands with the given per-dimension `strides`. */
export function planLoop(shape: readonly number[], strides: readonly (readonly number[])[]): LoopPlan {
  // Drop size-1 dimensions, then merge neighbours that are contiguous for every operand.
  const dims: number[] = [];
  const merged: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => merged[k][last] === s[d] * shape[d])) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => {
        merged[k][last] = s[d];
      });
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => {
        merged[k].push(s[d]);
      });
    }
  }
  const rank = dims.length;
  const inner = rank === 0 ? 1 : dims[rank - 1];
  const innerStrides = merged.map((s) => (rank === 0 ? 0 : s[rank - 1]));
  let outerCount = 1;
  for (let d = 0; d < rank - 1; d++) outerCount *= dims[d];
  if (shape.some((d) => d === 0)) outerCount = 0;
  const outer = merged.map((s) => {
    // Odometer over the outer dimensions, one offset per outer iteration.
    const offsets = new Int32Array(outerCount);
    const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    let offset = 0;
    for (let o = 0; o < outerCount; o++) {
      offsets[o] = offset;
      for (let d = rank - 2; d >= 0; d--) {
        index[d]++;
        offset += s[d];
        if (index[d] < dims[d]) break;
        offset -= s[d] * dims[d];
        index[d] = 0;
      }
    }
    return offsets;
  });
  return { inner: shape.some((d) => d === 0) ? 0 : inner, innerStrides, outerCount, outer };
}
