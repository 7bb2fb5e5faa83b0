/**
 * Which kernel tier a backend runs, decided once at creation and visible afterwards
 * (`backend.kernel`, `backend.kernelInfo`): nothing falls back silently.
 *
 * - `scalar`: plain TypeScript on typed arrays (register-tiled products, `Math.exp` gate math).
 *   Runs everywhere; about 4.5 GFLOP/s here.
 * - `simd`: WebAssembly simd128 kernels emitted at run time (products, gate math, BPTT), relaxed-SIMD
 *   FMA where the engine validates it, mul+add otherwise; optionally on two threads (`wasm/threads.ts`).
 *   float32 only: float64 tensors keep the scalar path, which is the exact reference.
 */

import { detectFlavour } from './wasm/module.js';
import { WasmRuntime } from './wasm/runtime.js';
import { logicalCores, threadsUnavailable } from './wasm/threads.js';

/** What `createJsBackend({ threads })` accepts. */
export type ThreadsRequest = 1 | 2 | 'auto';

/** What `createJsBackend({ kernel })` accepts. */
export type KernelRequest = 'auto' | 'simd' | 'scalar';

/** The tier a backend ended up with. */
export type KernelTier = 'simd' | 'scalar';

/** The decision and its reason, for reports. */
export interface KernelInfo {
  /** The tier every kernel of the backend runs: `simd` (WebAssembly simd128, float32) or `scalar` (plain TypeScript). */
  readonly kernel: KernelTier;
  /** e.g. `wasm simd128 + relaxed FMA, 6×8 tiles, 1 thread` or `plain TypeScript (requested)`. */
  readonly detail: string;
}

/** The chosen tier, with its runtime when it is `simd`. */
export interface KernelSelection extends KernelInfo {
  readonly runtime: WasmRuntime | null;
}

/**
 * Resolves a request: `scalar` always works; `simd` throws when the kernels do not validate here;
 * `auto` takes `simd` when they do and says why not otherwise.
 */
export function selectKernel(request: KernelRequest, threadsRequest: ThreadsRequest): KernelSelection {
  if (request === 'scalar') {
    return { kernel: 'scalar', detail: 'plain TypeScript (requested)', runtime: null };
  }
  const detection = detectFlavour();
  if ('unavailable' in detection) {
    if (request === 'simd') {
      throw new Error(`createJsBackend: kernel 'simd' requested, but ${detection.unavailable}`);
    }
    return { kernel: 'scalar', detail: `plain TypeScript (${detection.unavailable})`, runtime: null };
  }
  const noThreads = threadsRequest === 1 ? undefined : threadsUnavailable();
  if (threadsRequest === 2 && noThreads !== undefined) {
    throw new Error(`createJsBackend: threads: 2 requested, but ${noThreads}`);
  }
  // auto: both threads when the machine has a second core and the worker can run, as PyTorch and
  // tfjs-node use every core by default; small work stays on one thread either way, and fused calls
  // run on one where it measured faster (wasm/thread-choice.ts).
  const threads: 1 | 2 =
    threadsRequest === 'auto' ? (noThreads === undefined && logicalCores() >= 2 ? 2 : 1) : threadsRequest;
  let runtime: WasmRuntime;
  try {
    // auto: each fused call's size class is timed on one and two threads and keeps the faster.
    runtime = new WasmRuntime(detection.flavour, threads, undefined, threadsRequest === 'auto');
  } catch (error) {
    // e.g. a browser refusing to compile a module synchronously on its main thread.
    const reason = `the kernel module failed to start: ${(error as Error).message}`;
    if (request === 'simd') throw new Error(`createJsBackend: kernel 'simd' requested, but ${reason}`);
    return { kernel: 'scalar', detail: `plain TypeScript (${reason})`, runtime: null };
  }
  const why =
    threadsRequest !== 'auto' ? '' : threads === 2 ? ' (auto)' : ` (auto: ${noThreads ?? 'one core'})`;
  return { kernel: 'simd', detail: `${runtime.describe()}${why}`, runtime };
}
