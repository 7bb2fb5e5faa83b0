/**
 * The `fused` member of the js backend: whole-sequence RNN, LSTM and GRU kernels. float32 calls on
 * the SIMD tier run in WebAssembly (`fused/wasm/`); everything else runs the plain-TypeScript kernels
 * (`fused/sequence.ts`), which are also the reference the wasm ones are tested against.
 */

import type { FusedKernels } from '@recur/core';
import type { Engine } from '../engine.js';
import type { JsTensor } from '../tensor.js';
import { runSequence } from './sequence.js';
import { runWasmSequence } from './wasm/forward.js';

/** Fused kernels for every cell kind, running on `engine`. */
export function createFusedKernels(engine: Engine): FusedKernels<JsTensor> {
  const rt = engine.wasm;
  return {
    cells: ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'],
    // Both tiers move batch-first rows in and out of their time-major buffers themselves.
    batchFirst: true,
    sequence: (args) =>
      rt !== null && args.input.dtype === 'float32'
        ? runWasmSequence(engine, rt, args)
        : runSequence(engine, args),
  };
}
