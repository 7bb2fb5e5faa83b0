/**
 * The state one backend instance owns: its tensor bookkeeping, its tape and its matmul tier.
 * Every op takes the engine as its first argument instead of reaching for module-level state, so two
 * backends created with `createJsBackend()` never see each other's scopes or tape.
 */

import { createJsGemm } from './gemm/js-gemm.js';
import type { GemmTier } from './gemm/tier.js';
import { Memory } from './memory.js';
import { Tape } from './tape.js';
import { JsTensor } from './tensor.js';

/** Memory, tape and matmul kernels shared by the ops of one backend. */
export class Engine {
  /** Live count and `tidy` scopes. */
  readonly memory = new Memory();
  /** Records differentiable ops while `valueAndGrads` runs. */
  readonly tape: Tape;
  /** Dense matrix products; a faster tier can replace the plain-JS one without touching the ops. */
  readonly gemm: GemmTier;

  constructor(gemm: GemmTier = createJsGemm()) {
    this.gemm = gemm;
    this.tape = new Tape(this.memory, (data, shape) => this.tensor(data, shape));
  }

  /** Wraps `data` (not copied) as a new tensor counted by this backend. */
  tensor(data: Float32Array | Float64Array, shape: readonly number[]): JsTensor {
    const t = new JsTensor(data, shape);
    this.memory.track(t);
    return t;
  }
}
