/**
 * The README's training snippet, runnable (`pnpm example readme-training`): a two-layer bidirectional
 * LSTM with dropout reads sequences of different lengths and says whether the first feature's mean over
 * each sequence's own steps is positive. The loop between the `README` markers is the README's text,
 * word for word (a test checks it); above it, the batches it iterates over.
 */
import { createJsBackend } from '@recur/backend-js';
import type { Tensor } from '@recur/core';
import { Generator, manualSeed, setDefaultBackend, tensor } from '@recur/core';

setDefaultBackend(createJsBackend());
manualSeed(1);

/** One batch: `x [T, N, 8]` zero-padded after each row's length, its lengths, and class ids `[N]`. */
interface Batch {
  readonly x: Tensor;
  readonly lengths: number[];
  readonly labels: number[];
}

/** `count` seeded batches of `n` sequences of 4 … 12 steps; class 1 when the first feature's mean is positive. */
function makeBatches(count: number, n = 16, maxLength = 12, seed = 2): Batch[] {
  const random = new Generator(seed);
  return Array.from({ length: count }, () => {
    const lengths = Array.from({ length: n }, () => 4 + random.int(maxLength - 3));
    const data = new Float32Array(maxLength * n * 8);
    const labels = lengths.map((length, b) => {
      let sum = 0;
      for (let t = 0; t < length; t++) {
        for (let f = 0; f < 8; f++) data[(t * n + b) * 8 + f] = random.normal();
        sum += data[(t * n + b) * 8]!;
      }
      return sum > 0 ? 1 : 0;
    });
    return { x: tensor(data, [maxLength, n, 8]), lengths, labels };
  });
}

// Four passes over 30 batches.
const batches = Array.from({ length: 4 }, () => makeBatches(30)).flat();

// README
import { Adam, backward, clipGradNorm, crossEntropy, Linear, LSTM, ops } from '@recur/core';

const lstm = new LSTM({ inputSize: 8, hiddenSize: 32, numLayers: 2, dropout: 0.1, bidirectional: true });
const head = new Linear({ inFeatures: 64, outFeatures: 2 });
const params = [...lstm.parameters(), ...head.parameters()];
const optimizer = new Adam(params, { lr: 1e-3 });

for (const { x, lengths, labels } of batches) {
  // x: [T, N, 8], labels: class ids [N]
  optimizer.zeroGrad();
  const loss = backward(() => {
    const [, [hn]] = lstm.forward(x, null, { lengths }); // variable lengths, like pack_padded_sequence
    const last = ops.concat([ops.index0(hn, 2), ops.index0(hn, 3)], 1); // top layer, both directions
    return crossEntropy(head.forward(last), labels);
  }, params);
  clipGradNorm(params, 1.0);
  optimizer.step();
  console.log(loss.item());
  loss.dispose();
}
// README end

for (const b of batches) b.x.dispose();
