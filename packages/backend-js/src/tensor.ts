/**
 * The tensor type of the pure-TypeScript backend: a row-major typed array plus its shape.
 *
 * Tensors are immutable once created: every op writes an array no live tensor holds (new, or recycled
 * from a disposed tensor, see `array-pool.ts`), so two tensors may safely share one buffer (a reshape
 * is a view). The only arrays ever written in place are the gradient accumulators the tape allocates
 * for itself, which never escape as views.
 */

import type { DType, TypedArray } from '@recur/core';
import { arrayPool, POOL_MIN_BYTES } from './array-pool.js';

/** Monotonic ids make tensors easy to name in error messages and leak reports. */
let nextId = 1;

/** A row-major tensor of float32 or float64 values, owned by one `createJsBackend()` instance. */
export class JsTensor {
  /** Unique (per process) id, used in error messages. */
  readonly id: number;
  /** Dimensions, outermost first; `[]` is a scalar. */
  readonly shape: readonly number[];
  /** Element type; matches the class of {@link JsTensor.data}. */
  readonly dtype: DType;
  /** Number of elements (product of `shape`). */
  readonly size: number;
  /** Cleared on dispose so a stale read fails loudly instead of returning old numbers. */
  #data: TypedArray | null;
  /**
   * Id of the `valueAndGrads` session in which this tensor depends on a differentiated input
   * (0 = none). Owned by the tape; stored here because a field check is the cheapest way to ask
   * "is this tracked?" on every op.
   * @internal
   */
  trackedIn = 0;
  /** Set by `keep`: no `tidy` scope releases this tensor. @internal */
  kept = false;

  /** Wraps `data` (not copied) as a tensor of `shape`; callers guarantee the element count matches. */
  constructor(data: TypedArray, shape: readonly number[]) {
    this.id = nextId++;
    // A copy, so the caller's array may change; not frozen: `readonly` keeps our code off it, and
    // Object.freeze cost 70–95 ns per tensor (a streaming call makes about ten).
    this.shape = shape.slice();
    this.dtype = dtypeOf(data);
    this.size = data.length;
    this.#data = data;
    if (data.byteLength >= POOL_MIN_BYTES) arrayPool.retain(data);
  }

  /** The backing array, row-major. Throws when the tensor has been disposed. */
  get data(): TypedArray {
    const data = this.#data;
    if (data === null) {
      throw new Error(`${this.describe()} was used after it was disposed`);
    }
    return data;
  }

  /** Whether `release()` has run. */
  get disposed(): boolean {
    return this.#data === null;
  }

  /**
   * Drops the backing array, returned for the pool's count (see `array-pool.ts`); later reads of
   * {@link JsTensor.data} throw. @internal
   */
  release(): TypedArray | null {
    const data = this.#data;
    this.#data = null;
    return data;
  }

  /** A short human-readable name such as `JsTensor #12 [3,4] float32`. */
  describe(): string {
    return `JsTensor #${this.id} [${this.shape.join(',')}] ${this.dtype}`;
  }
}

/** The dtype a typed array stores. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

/** A zero-filled array of `dtype` with `length` elements (above 64 bytes recycled, see `array-pool.ts`). */
export function allocArray(dtype: DType, length: number): TypedArray {
  return arrayPool.take(dtype, length);
}

/** A zero-filled array of the same class as `like`, so results keep their inputs' dtype. */
export function allocLike(like: TypedArray, length: number): TypedArray {
  return arrayPool.take(dtypeOf(like), length);
}

/**
 * Like {@link allocLike} but with arbitrary contents, for callers that write every element: a
 * recycled array then skips its zero fill.
 */
export function allocLikeUnfilled(like: TypedArray, length: number): TypedArray {
  return arrayPool.take(dtypeOf(like), length, false);
}

/** Product of the dimensions (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Whether two shapes are identical. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major strides of `shape` (in elements). */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}
