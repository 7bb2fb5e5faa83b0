/**
 * Batch-first sequences in and out of wasm memory. The kernels keep every per-step buffer time-major
 * (`[T, N, width]`, one step's rows together); a batch-first caller's `[N, T, width]` rows are moved
 * to their time-major places while being copied in, and back while being copied out, instead of
 * being transposed into new arrays on either side (two extra whole-sequence copies and allocations).
 */

import { arrayPool } from '../../array-pool.js';
import type { WasmHeap } from '../../wasm/heap.js';

/** Copies `src` (`[N, T, width]`) into wasm memory at `dst` as `[T, N, width]`. */
export function writeTimeMajor(
  heap: WasmHeap,
  dst: number,
  src: Float32Array,
  T: number,
  N: number,
  width: number,
): void {
  // One view for the whole copy: nothing below allocates in wasm memory, so it stays valid.
  const view = heap.view(dst, T * N * width);
  for (let b = 0; b < N; b++) {
    for (let t = 0; t < T; t++) {
      const from = (b * T + t) * width;
      view.set(src.subarray(from, from + width), (t * N + b) * width);
    }
  }
}

/** Reads `[T, N, width]` rows at `src` in wasm memory into a new `[N, T, width]` array. */
export function readBatchFirst(
  heap: WasmHeap,
  src: number,
  T: number,
  N: number,
  width: number,
): Float32Array {
  // Every element is written: a recycled array needs no zero fill.
  const out = arrayPool.take('float32', T * N * width, false) as Float32Array;
  const view = heap.view(src, T * N * width);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < N; b++) {
      const from = (t * N + b) * width;
      out.set(view.subarray(from, from + width), (b * T + t) * width);
    }
  }
  return out;
}
