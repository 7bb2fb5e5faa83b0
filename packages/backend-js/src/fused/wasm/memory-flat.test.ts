import { backward, LSTM, mseLoss, randn, SGD, tidy, zeros } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { backendOn } from '../../backend.js';
import { simdEngine } from '../../testing/flavours.js';
import { RELAXED_FLAVOUR } from '../../wasm/module.js';

describe('wasm memory in a long training loop', () => {
  it('stays flat over 200 fused training steps after warm-up, and every block is returned', () => {
    const engine = simdEngine(RELAXED_FLAVOUR);
    const heap = engine.wasm!.heap;
    const kept = heap.liveBytes;
    const backend = backendOn(engine, true);
    // Two layers, both directions, variable lengths through packing would add nothing here: the
    // fused kernels' allocations are the same every step, which is what must not accumulate.
    const model = new LSTM({
      inputSize: 6,
      hiddenSize: 10,
      numLayers: 2,
      bidirectional: true,
      batchFirst: true,
      backend,
    });
    const optimizer = new SGD(model.parameters(), { lr: 0.01 });
    const x = randn([5, 7, 6], { backend });
    const target = zeros([5, 7, 20], { backend });
    const step = () => {
      optimizer.zeroGrad();
      backward(() => mseLoss(model.forward(x)[0], target), model.parameters());
      optimizer.step();
    };
    for (let i = 0; i < 10; i++) tidy(step);
    const warmed = heap.byteLength;
    for (let i = 0; i < 200; i++) tidy(step);
    expect(model.lastPath).toBe('fused');
    expect(heap.byteLength).toBe(warmed);
    expect(heap.liveBytes).toBe(kept);
  });
});
