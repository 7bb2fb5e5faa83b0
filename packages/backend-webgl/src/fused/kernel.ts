/**
 * WebGL's fused sequence kernel for the shared tfjs adapter: the input projection hoisted out of
 * the time loop (one product for all steps), then ONE shader program per step that does the
 * recurrent product, the gates and the state update (two with an LSTM projection), and the same
 * for the hand-written BPTT. tfjs's per-op dispatch is what makes RNNs slow on WebGL (tfjs issues
 * #1213, #3284): a composed LSTM step is ~15–30 dispatches each way.
 */
import type { SequenceKernel, TfjsCore } from '@recur/backend-tfjs';
import { createGpu } from './gpu.js';
import { gruSequence } from './gru.js';
import { lstmSequence } from './lstm.js';
import { rnnSequence } from './rnn.js';

/** The kernel for `createTfjsAdapter`'s `sequenceKernel` option; `tf` must compute on `webgl`. */
export function webglSequenceKernel(tf: TfjsCore): SequenceKernel {
  const gpu = createGpu(tf);
  return (plan) => {
    switch (plan.args.cell) {
      case 'lstm':
        return lstmSequence(gpu, plan);
      case 'gru':
        return gruSequence(gpu, plan);
      default:
        return rnnSequence(gpu, plan);
    }
  };
}
