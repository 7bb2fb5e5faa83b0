/**
 * Large tensor arrays, recycled once no tensor holds them any more.
 *
 * Typed arrays are expensive to allocate: beyond 64 bytes each gets a backing store outside V8's heap
 * (about 1 µs for a few hundred bytes, 7.7 µs at 32 KiB), and a large one is fresh memory from the
 * operating system whose pages fault on first write (a 16 MiB array took 4.8 ms to allocate and fill
 * against 2.5 ms to refill a used one, 17 ms at the 90th percentile). The arrays of a training step or
 * of a streaming call come back at the same sizes every time, so disposed ones are kept here and
 * handed out again, like PyTorch's caching allocators. Only arrays this module allocated and at least
 * {@link POOL_MIN_BYTES} long are counted and recycled; tiny ones live in V8's heap, where they are
 * cheap.
 *
 * Safety rests on three rules, kept by the callers:
 * - every tensor around an array counts as a reference ({@link ArrayPool.retain} in the tensor's
 *   constructor), so a reshape view keeps its array alive after the original is disposed;
 * - an array leaves the count only through `Memory.dispose`, and while a `valueAndGrads` session runs,
 *   released arrays wait until it ends (a recorded backward may have captured the array itself);
 * - nothing outside the backend ever sees a tensor's array (`read` returns a copy).
 */

import type { DType, TypedArray } from '@recur/core';

/**
 * Arrays shorter than this are not pooled: up to 64 bytes V8 keeps a typed array's elements inside
 * its own heap (about 60–90 ns to allocate); larger ones get a separate backing store, 0.7–2.4 µs up
 * to 4 KiB and 7.7 µs at 32 KiB on the 2-core VM, before any page faults.
 */
export const POOL_MIN_BYTES = 65;

/**
 * Most bytes the pool keeps for reuse; arrays released beyond it go to the garbage collector. A W3
 * training step (B64 T128 H512, two layers) has about ten 16 MiB arrays alive at its peak.
 */
export const POOL_MAX_BYTES = 256 * 1024 * 1024;

/** Free arrays by dtype and length, and the reference counts of the arrays handed out. */
export class ArrayPool {
  /** Tensors holding each pooled array; membership means "allocated here, may be recycled". */
  readonly #refs = new WeakMap<TypedArray, number>();
  /** Free arrays, keyed by {@link keyOf}. */
  readonly #free = new Map<number, TypedArray[]>();
  #freeBytes = 0;
  readonly #maxBytes: number;

  constructor(maxBytes = POOL_MAX_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes currently kept for reuse. */
  get freeBytes(): number {
    return this.#freeBytes;
  }

  /**
   * An array of `length` elements of `dtype`, all zeros, or with `zeroed` false holding arbitrary
   * values (for callers that overwrite every element).
   */
  take(dtype: DType, length: number, zeroed = true): TypedArray {
    const bytes = length * (dtype === 'float32' ? 4 : 8);
    if (bytes < POOL_MIN_BYTES)
      return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
    const list = this.#free.get(keyOf(dtype, length));
    let array = list?.pop();
    if (array !== undefined) {
      this.#freeBytes -= bytes;
      if (zeroed) array.fill(0);
    } else {
      array = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
    }
    this.#refs.set(array, 0);
    return array;
  }

  /** Counts one more tensor around `array` (a no-op for arrays not from {@link ArrayPool.take}). */
  retain(array: TypedArray): void {
    const count = this.#refs.get(array);
    if (count !== undefined) this.#refs.set(array, count + 1);
  }

  /**
   * Counts one tensor fewer around `array`; true when that was the last one and the array may be
   * {@link ArrayPool.recycle}d (once no recorded backward can still read it).
   */
  drop(array: TypedArray): boolean {
    const count = this.#refs.get(array);
    if (count === undefined) return false;
    if (count > 1) {
      this.#refs.set(array, count - 1);
      return false;
    }
    this.#refs.delete(array);
    return true;
  }

  /** Keeps an array no tensor holds for the next {@link ArrayPool.take} of its size, within the cap. */
  recycle(array: TypedArray): void {
    if (this.#freeBytes + array.byteLength > this.#maxBytes) return;
    const key = keyOf(array instanceof Float32Array ? 'float32' : 'float64', array.length);
    const list = this.#free.get(key);
    if (list === undefined) this.#free.set(key, [array]);
    else list.push(array);
    this.#freeBytes += array.byteLength;
  }

  /** Lets the garbage collector have every free array. */
  clear(): void {
    this.#free.clear();
    this.#freeBytes = 0;
  }
}

/** One key per dtype and length. */
function keyOf(dtype: DType, length: number): number {
  return length * 2 + (dtype === 'float32' ? 0 : 1);
}

/** The process's pool: arrays are plain memory, so every backend instance shares one. */
export const arrayPool = new ArrayPool();
