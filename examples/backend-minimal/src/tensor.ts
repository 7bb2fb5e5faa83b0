/**
 * The tensor type of the minimal backend: a typed array (Float64Array or Float32Array, the dtype),
 * its shape, and two flags for memory management. Plus the one index helper every shape primitive
 * uses.
 */
import type { DType, TypedArray } from '@recur/core';

export class MinimalTensor {
  /** Set by `dispose` or a `tidy` scope; the frontend checks it before any work. */
  disposed = false;
  /** Set by `keep`: no `tidy` scope releases it. */
  kept = false;

  constructor(
    readonly data: TypedArray,
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}
}

/** Number of elements of a shape (1 for a scalar, shape `[]`). */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides: how far one step along each axis moves in the flat data. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

/**
 * Walks every index of `shape` in row-major order and gives, for each, `offset + Σ index[d]·strides[d]`:
 * the flat position it maps to in another array. With the right strides this is a broadcast (stride 0
 * on broadcast axes), a transpose (permuted strides), a slice (an offset), a reduction (stride 0 on
 * reduced axes) or a concatenation (the output's strides, offset to each piece).
 */
export function mapIndex(shape: readonly number[], strides: readonly number[], offset = 0): Int32Array {
  const n = sizeOf(shape);
  const map = new Int32Array(n);
  const index = new Array<number>(shape.length).fill(0);
  let position = offset;
  for (let i = 0; i < n; i++) {
    map[i] = position;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      position += strides[d];
      if (index[d] < shape[d]) break;
      position -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return map;
}
