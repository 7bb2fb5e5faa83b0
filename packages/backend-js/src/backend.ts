/** Assembles the `Backend<JsTensor>` object from the engine, the primitive ops and the fused kernels. */

import type { Backend, DType } from '@recur/core';
import { Engine } from './engine.js';
import { createFusedKernels } from './fused/index.js';
import {
  type KernelInfo,
  type KernelRequest,
  type KernelTier,
  selectKernel,
  type ThreadsRequest,
} from './kernel.js';
import { binary } from './ops/binary.js';
import { gather } from './ops/gather.js';
import { reshape, transpose } from './ops/layout.js';
import { logSoftmax } from './ops/log-softmax.js';
import { matMul } from './ops/matmul.js';
import { max, sum } from './ops/reduce.js';
import { concat, slice } from './ops/slice-concat.js';
import { scale, unary } from './ops/unary.js';
import { allocArray, type JsTensor, sizeOf } from './tensor.js';
import type { ThreadChoiceRecord } from './wasm/thread-choice.js';

/** Options of {@link createJsBackend}. */
export interface JsBackendOptions {
  /**
   * Offer whole-sequence fused kernels (default true). With false the backend has no `fused` member,
   * so the frontend takes its composed path (useful to test that path, or to compare the two).
   */
  readonly fused?: boolean;
  /**
   * Kernel tier (default `auto`): `simd` runs float32 work in WebAssembly SIMD kernels emitted at run
   * time (throws if this engine cannot validate them), `scalar` forces plain TypeScript, `auto` takes
   * `simd` when `WebAssembly.validate` accepts the kernels and `scalar` otherwise. float64 always
   * runs the scalar kernels. Read the outcome from {@link JsBackend.kernel}.
   *
   * In Node 20, `auto`/`simd` turn on V8's `--experimental-wasm-relaxed-simd` flag (for FMA) the
   * first time they run; it only affects WebAssembly compiled afterwards.
   */
  readonly kernel?: KernelRequest;
  /**
   * Threads for the SIMD tier (default `auto`). With 2, one worker shares the kernels' memory and
   * takes chunks of large products and gate kernels (W2/W3-sized work runs 1.3–1.8× faster on two
   * idle cores; small work stays on one thread). The worker starts on first use and never keeps the
   * process alive. Needs `SharedArrayBuffer` and worker threads (browsers: cross-origin isolation):
   * `2` throws where they are missing, `auto` takes 2 where they exist and the machine has at least
   * two logical cores, else 1 (the reason is in `kernelInfo.detail`), and then runs each size class of
   * fused sequence calls on one thread where its first calls measured one faster (`threadChoices()`).
   * The scalar tier always runs on one thread.
   */
  readonly threads?: ThreadsRequest;
}

/** The js backend: a `Backend` that also says which kernel tier it runs. */
export interface JsBackend extends Backend<JsTensor> {
  /** The kernel tier in use: `simd` (WebAssembly, float32) or `scalar` (plain TypeScript). */
  readonly kernel: KernelTier;
  /** How the tier was chosen and what it runs, e.g. `wasm simd128 + relaxed FMA, 6×8 tiles, 1 thread`. */
  readonly kernelInfo: KernelInfo;
  /**
   * With `threads: 'auto'` on two threads: each size class of fused sequence calls seen so far, the
   * thread count it runs on and the best times on one and two threads it was chosen from (the first
   * calls of a class alternate both). Empty otherwise.
   */
  threadChoices(): ThreadChoiceRecord[];
}

/**
 * Creates an independent backend: its own live-tensor count, `tidy` scopes, tape and (on the SIMD
 * tier) WebAssembly memory. No native code, no binary files, no global state besides the V8 flag
 * noted at {@link JsBackendOptions.kernel}.
 */
export function createJsBackend(options: JsBackendOptions = {}): JsBackend {
  const threads = options.threads ?? 'auto';
  if (threads !== 1 && threads !== 2 && threads !== 'auto') {
    throw new RangeError(`createJsBackend: threads must be 1, 2 or 'auto', got ${String(threads)}`);
  }
  const request = options.kernel ?? 'auto';
  if (request !== 'auto' && request !== 'simd' && request !== 'scalar') {
    throw new RangeError(
      `createJsBackend: kernel must be 'auto', 'simd' or 'scalar', got ${String(request)}`,
    );
  }
  return backendOn(new Engine(selectKernel(request, threads)), options.fused !== false);
}

/**
 * The backend object over an engine whose kernel tier is already chosen (also how tests run the
 * suite on a specific flavour, e.g. the mul+add kernels on an engine that has relaxed SIMD).
 * @internal
 */
export function backendOn(e: Engine, fused: boolean): JsBackend {
  const kernelInfo: KernelInfo = Object.freeze({ kernel: e.kernel, detail: e.kernelDetail });
  const backend: JsBackend = {
    name: 'js',
    kernel: e.kernel,
    kernelInfo,
    threadChoices: () => e.wasm?.threadChoice?.choices() ?? [],
    dtypes: ['float32', 'float64'],

    fromData(data: ArrayLike<number>, shape: readonly number[], dtype: DType): JsTensor {
      const size = sizeOf(shape);
      if (data.length !== size) {
        throw new Error(`fromData: ${data.length} values do not fill shape [${shape.join(',')}] (${size})`);
      }
      const array = allocArray(dtype, size);
      for (let i = 0; i < size; i++) array[i] = data[i];
      return e.tensor(array, shape);
    },
    read(x: JsTensor) {
      // A copy: the backend shares buffers between tensors (reshape views), so callers must not write them.
      return x.data.slice();
    },

    matMul: (a, b, transposeA, transposeB) => matMul(e, a, b, transposeA, transposeB),
    binary: (op, a, b) => binary(e, op, a, b),
    unary: (op, x) => unary(e, op, x),
    scale: (x, factor) => scale(e, x, factor),
    sum: (x, axes, keepDims) => sum(e, x, axes, keepDims),
    max: (x, axes, keepDims) => max(e, x, axes, keepDims),
    logSoftmax: (x) => logSoftmax(e, x),
    reshape: (x, shape) => reshape(e, x, shape),
    transpose: (x, perm) => transpose(e, x, perm),
    slice: (x, begin, size) => slice(e, x, begin, size),
    concat: (xs, axis) => concat(e, xs, axis),
    gather: (x, indices) => gather(e, x, indices),

    valueAndGrads: (f, xs) => e.tape.valueAndGrads(f, xs),

    tidy: (fn, kept) => e.memory.tidy(fn, kept),
    keep: (x) => e.memory.keep(x),
    dispose: (x) => e.memory.dispose(x),
    liveTensors: () => e.memory.live,
    isDisposed: (x) => x.disposed,
  };
  if (!fused) return backend;
  return { ...backend, fused: createFusedKernels(e) };
}
