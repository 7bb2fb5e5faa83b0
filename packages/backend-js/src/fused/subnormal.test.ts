/**
 * BPTT flushes subnormal carried gradients to zero (`flushBelow` in `run.ts`, `flushSubnormal` in
 * the emitted kernels). With a loss on the last step only, the gradient reaching earlier steps decays
 * geometrically (PyTorch 1.13, LSTM I8 H32 N16: max |dL/dx_0| is 2e-30 at T = 128 and underflows at
 * T = 256, where 85 of the 256 steps hold only subnormals or zeros). Subnormal arithmetic is tens of
 * times slower on Intel CPUs, and WebAssembly cannot turn on flush-to-zero, so without the flush a
 * training step at T = 256 cost 8× one at T = 128 there. The speed cannot be seen on every CPU (AMD's
 * handle subnormals at full speed), but whether subnormals flow through BPTT can: these tests count
 * the subnormal entries of the input gradient: 13–16% of those of the steps the gradient reaches without
 * the flush (PyTorch: 4408 of 32768 at T = 256), 2–3% with it, all from the last product (dx = da·W_ih).
 */
import type { Backend, DType } from '@recur/core';
import { Generator, GRU, LSTM, ops, RNN, randn, tidy, valueAndGrads } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../index.js';
import { detectFlavour } from '../wasm/module.js';

const T = 512;
const N = 8;
const I = 8;
const H = 32;

const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

type Cell = 'lstm' | 'gru' | 'rnn';

/** Subnormal entries of the input gradient, and the steps (of T) with any nonzero gradient. */
function subnormalSteps(backend: Backend<unknown>, cell: Cell): { subnormal: number; live: number } {
  const dtype: DType = 'float32';
  return tidy(() => {
    const generator = new Generator(7);
    const options = { inputSize: I, hiddenSize: H, path: 'fused' as const, backend, dtype, generator };
    const module = cell === 'lstm' ? new LSTM(options) : cell === 'gru' ? new GRU(options) : new RNN(options);
    // Large recurrent weights would keep the gradient alive; PyTorch's default init makes it decay.
    const x = randn([T, N, I], { backend, dtype, generator });
    const { grads } = valueAndGrads(() => {
      const [out] = module.forward(x);
      // The loss reads the last step only (as a classifier or a sequence-to-one regressor does).
      const last = ops.slice(out, [T - 1, 0, 0], [1, N, H]);
      return ops.sum(ops.mul(last, last));
    }, [x]);
    const dx = Array.from(grads[0]!.toArray() as ArrayLike<number>);
    const floor = FLOAT32_MIN_NORMAL;
    let subnormal = 0;
    let live = 0;
    for (let t = 0; t < T; t++) {
      const row = dx.slice(t * N * I, (t + 1) * N * I);
      subnormal += row.filter((v) => v !== 0 && Math.abs(v) < floor).length;
      if (row.some((v) => v !== 0)) live++;
    }
    module.dispose();
    return { subnormal, live };
  });
}

// float32 only: a float64 gradient decays through 1e-308 only after thousands of steps.
const tiers: { name: string; make: () => Backend<unknown> }[] = [
  { name: 'scalar', make: () => createJsBackend({ kernel: 'scalar' }) as Backend<unknown> },
];
if (!('unavailable' in detectFlavour())) {
  tiers.push({
    name: 'simd',
    make: () => createJsBackend({ kernel: 'simd', threads: 1 }) as Backend<unknown>,
  });
}

describe('BPTT carries no subnormal gradients', () => {
  for (const tier of tiers) {
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      it(`${tier.name} float32 ${cell}: T = ${T}, loss on the last step`, () => {
        const { subnormal, live } = subnormalSteps(tier.make(), cell);
        console.log(
          `${tier.name} ${cell}: ${live} of ${T} steps with a nonzero gradient, ${subnormal} subnormal entries in dx`,
        );
        // The gradient did decay through the normal range (else the test would show nothing)…
        expect(live).toBeLessThan(T);
        // …and BPTT carried no subnormals: what is left are the few outputs of the final dx product
        // that underflow in the steps where the carried gradient nears the floor (2–3% of the live
        // steps' entries; 13–16% without the flush, as in PyTorch).
        expect(subnormal / (live * N * I)).toBeLessThan(0.05);
      });
    }
  }
});
