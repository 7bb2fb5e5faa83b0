// No texture leaks: 500 fused training steps of a tiny LSTM keep tfjs's tensor count and the bytes
// held in GPU textures flat after warm-up.
import { Adam, backward, Generator, Linear, LSTM, mseLoss, ops, randn } from '@recur/core';
import { expect, it } from 'vitest';
import { createWebglBackend } from './index.js';

it('500 fused LSTM training steps keep numTensors and numBytesInGPU flat', async () => {
  const backend = await createWebglBackend();
  const { tf } = backend;
  const generator = new Generator(3);
  const options = { backend, dtype: 'float32' as const, generator };
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 8, ...options });
  const head = new Linear({ inFeatures: 8, outFeatures: 1, ...options });
  const params = [...lstm.parameters(), ...head.parameters()];
  const optimizer = new Adam(params, { lr: 0.01 });
  const x = randn([6, 4, 3], options);
  const target = randn([4, 1], options);
  const memory = () =>
    tf.memory() as unknown as { numTensors: number; numBytesInGPU: number; numBytesInGPUAllocated: number };

  const warmUp = 20;
  let atWarmUp = memory();
  let firstLoss = 0;
  let lastLoss = 0;
  for (let step = 0; step < 500; step++) {
    optimizer.zeroGrad();
    const loss = backward(() => {
      const [out] = lstm.forward(x);
      return mseLoss(head.forward(ops.index0(out, 5)), target);
    }, params);
    if (step === 0) firstLoss = loss.item();
    if (step === 499) lastLoss = loss.item();
    loss.dispose();
    optimizer.step();
    if (step === warmUp - 1) atWarmUp = memory();
  }
  const after = memory();
  console.log(
    `[recur webgl] 500 fused LSTM steps: numTensors ${atWarmUp.numTensors} → ${after.numTensors}, ` +
      `numBytesInGPU ${atWarmUp.numBytesInGPU} → ${after.numBytesInGPU} ` +
      `(allocated incl. tfjs's free pool ${atWarmUp.numBytesInGPUAllocated} → ${after.numBytesInGPUAllocated}); ` +
      `loss ${firstLoss.toFixed(4)} → ${lastLoss.toFixed(4)}`,
  );
  expect(lstm.lastPath).toBe('fused');
  expect(tf.getBackend()).toBe('webgl');
  expect(after.numTensors).toBe(atWarmUp.numTensors);
  expect(after.numBytesInGPU).toBe(atWarmUp.numBytesInGPU);
  // Freed textures are pooled for reuse, not released: the pool must not grow either.
  expect(after.numBytesInGPUAllocated).toBe(atWarmUp.numBytesInGPUAllocated);
  expect(lastLoss).toBeLessThan(firstLoss);
  optimizer.dispose();
  lstm.dispose();
  head.dispose();
  x.dispose();
  target.dispose();
});
