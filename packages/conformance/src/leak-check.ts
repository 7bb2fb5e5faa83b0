/** A small training loop whose live-tensor count must stay flat (no leaks in modules, autograd or optimizers). */
import type { AnyBackend, DType } from '@recur/core';
import {
  Adam,
  backward,
  clipGradNorm,
  crossEntropy,
  Generator,
  indices,
  Linear,
  LSTM,
  ops,
  randn,
} from '@recur/core';

/** Trains a tiny LSTM classifier for `steps` steps; returns live-tensor counts after the first and last step. */
export function trainingLoopLeak(
  backend: AnyBackend,
  dtype: DType,
  steps: number,
): {
  /** `backend.liveTensors()` after the first training step. */
  afterFirstStep: number;
  /** `backend.liveTensors()` after the last step, before the model and optimizer are released. */
  after: number;
} {
  const generator = new Generator(7);
  const rnn = new LSTM({
    inputSize: 3,
    hiddenSize: 4,
    numLayers: 2,
    bidirectional: true,
    backend,
    dtype,
    generator,
  });
  const head = new Linear({ inFeatures: 8, outFeatures: 2, backend, dtype, generator });
  const params = [...rnn.parameters(), ...head.parameters()];
  const optimizer = new Adam(params, { lr: 0.01 });
  const x = randn([5, 2, 3], { backend, dtype, generator });
  const target = indices([0, 1]);
  let afterFirstStep = 0;
  for (let step = 0; step < steps; step++) {
    optimizer.zeroGrad();
    const loss = backward(() => {
      const [out] = rnn.forward(x, null, { lengths: [5, 3] });
      return crossEntropy(head.forward(ops.index0(out, 2)), target);
    }, params);
    loss.dispose();
    clipGradNorm(params, 1);
    optimizer.step();
    if (step === 0) afterFirstStep = backend.liveTensors();
  }
  const after = backend.liveTensors();
  optimizer.zeroGrad();
  optimizer.dispose();
  rnn.dispose();
  head.dispose();
  x.dispose();
  return { afterFirstStep, after };
}
