/**
 * The state one backend instance owns: its tensor bookkeeping, its tape and its kernel tier.
 * Every op takes the engine as its first argument instead of reaching for module-level state, so two
 * backends created with `createJsBackend()` never see each other's scopes, tape or wasm memory.
 */

import { createJsGemm, type GemmTier } from '@recur/gemm';
import { createWasmGemm } from './gemm/wasm-gemm.js';
import type { KernelSelection, KernelTier } from './kernel.js';
import { Memory } from './memory.js';
import { Tape } from './tape.js';
import { JsTensor } from './tensor.js';
import type { WasmRuntime } from './wasm/runtime.js';

/** The plain tier, when nothing else is asked for. */
const SCALAR: KernelSelection = { kernel: 'scalar', detail: 'plain TypeScript', runtime: null };

/** Memory, tape and kernels shared by the ops of one backend. */
export class Engine {
  /** Live count and `tidy` scopes. */
  readonly memory = new Memory();
  /** Records differentiable ops while `valueAndGrads` runs. */
  readonly tape: Tape;
  /** Dense matrix products over typed arrays (float32 in wasm on the SIMD tier). */
  readonly gemm: GemmTier;
  /** The kernel tier in use. */
  readonly kernel: KernelTier;
  /** How the tier was chosen and what it runs, for reports. */
  readonly kernelDetail: string;
  /** The WebAssembly kernels and their memory (SIMD tier only). */
  readonly wasm: WasmRuntime | null;

  constructor(selection: KernelSelection = SCALAR) {
    const scalar = createJsGemm();
    this.kernel = selection.kernel;
    this.kernelDetail = selection.detail;
    this.wasm = selection.runtime;
    this.gemm = this.wasm === null ? scalar : createWasmGemm(this.wasm, scalar);
    this.tape = new Tape(this.memory, (data, shape) => this.tensor(data, shape));
    const weights = this.wasm?.weights;
    if (weights !== undefined) this.memory.onRelease = (t) => weights.forget(t);
  }

  /** Wraps `data` (not copied) as a new tensor counted by this backend. */
  tensor(data: Float32Array | Float64Array, shape: readonly number[]): JsTensor {
    const t = new JsTensor(data, shape);
    this.memory.track(t);
    return t;
  }
}
