/** The `fused` member of the js backend: whole-sequence RNN, LSTM and GRU kernels. */

import type { FusedKernels } from '@recur/core';
import type { Engine } from '../engine.js';
import type { JsTensor } from '../tensor.js';
import { runSequence } from './sequence.js';

/** Fused kernels for every cell kind, running on `engine`. */
export function createFusedKernels(engine: Engine): FusedKernels<JsTensor> {
  return {
    cells: ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'],
    sequence: (args) => runSequence(engine, args),
  };
}
