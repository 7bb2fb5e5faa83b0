/**
 * Batch-first sequences in and out of wasm memory. The kernels keep every per-step buffer time-major
 * (`[T, N, width]`, one step's rows together); a batch-first caller's `[N, T, width]` array is copied
 * in whole and its rows moved to their time-major places by the `copyRows` kernel (one call per batch
 * row), and the reverse on the way out. Moving the rows from JavaScript cost a typed-array view per
 * row: 52 µs for a W1 input (512 rows of 32 floats), about a twentieth of the whole forward pass.
 * With one batch row or one step the two layouts coincide, and the array goes in or out as it is.
 */

import type { WasmRuntime } from '../../wasm/runtime.js';

/** Copies `src` (`[N, T, width]`) into wasm memory at `dst` as `[T, N, width]`. */
export function writeTimeMajor(
  rt: WasmRuntime,
  dst: number,
  src: Float32Array,
  T: number,
  N: number,
  width: number,
): void {
  const { heap, kernels } = rt;
  // One batch row or one step: both layouts are the same array (batch-1 and streaming calls).
  if (N === 1 || T === 1) {
    heap.write(dst, src);
    return;
  }
  const staged = heap.alloc(Math.max(4 * src.length, 4));
  try {
    heap.write(staged, src);
    // Batch row b's T rows: consecutive in the source, N rows apart in the destination.
    for (let b = 0; b < N; b++) {
      kernels.copyRows(T, width, dst + 4 * b * width, 4 * N * width, staged + 4 * b * T * width, 4 * width);
    }
  } finally {
    heap.free(staged);
  }
}

/** Reads `[T, N, width]` rows at `src` in wasm memory into a new `[N, T, width]` array. */
export function readBatchFirst(
  rt: WasmRuntime,
  src: number,
  T: number,
  N: number,
  width: number,
): Float32Array {
  const { heap, kernels } = rt;
  const count = T * N * width;
  if (N === 1 || T === 1) return heap.read(src, count);
  const staged = heap.alloc(Math.max(4 * count, 4));
  try {
    for (let b = 0; b < N; b++) {
      kernels.copyRows(T, width, staged + 4 * b * T * width, 4 * width, src + 4 * b * width, 4 * N * width);
    }
    return heap.read(staged, count);
  } finally {
    heap.free(staged);
  }
}
