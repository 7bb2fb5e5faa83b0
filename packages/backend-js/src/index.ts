/**
 * `@recur/backend-js`: Recur's reverse-mode autograd backend in TypeScript, with two kernel tiers
 * behind one interface:
 *
 * - `simd` (default where `WebAssembly.validate` accepts it): WebAssembly simd128 kernels whose bytes
 *   this package emits at run time — no `.wasm` file, no build step. Register-tiled products (6×8
 *   tiles with relaxed-SIMD FMA, 5×8 with mul+add where relaxed SIMD is missing), a batch-1 kernel,
 *   and the fused RNN/LSTM/GRU gate math and BPTT, all float32. Two threads where the machine has
 *   two cores and workers can share memory (`threads: 'auto'`, the default).
 * - `scalar`: plain TypeScript on typed arrays; runs everywhere, and is what float64 always uses
 *   (it is the precision reference the SIMD kernels are tested against).
 *
 * ```ts
 * import { createJsBackend } from '@recur/backend-js';
 * const backend = createJsBackend(); // fused kernels on; { fused: false } for the composed path
 * backend.kernel; // 'simd' or 'scalar'; { kernel: 'scalar' } forces the plain tier
 * createJsBackend({ threads: 1 }); // keep everything on the calling thread
 * ```
 */

export { createJsBackend, type JsBackend, type JsBackendOptions } from './backend.js';
export type { KernelInfo, KernelRequest, KernelTier, ThreadsRequest } from './kernel.js';
export { JsTensor } from './tensor.js';
export {
  measureWasmSimdPeak,
  type SimdPeak,
  type SimdPeakOptions,
  type SimdPeakVariant,
} from './wasm/peak.js';
export type { ThreadChoiceRecord } from './wasm/thread-choice.js';
