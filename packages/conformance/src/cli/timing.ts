/**
 * Speed beside correctness: the median time of a W1 LSTM training step (batch 16, 32 steps, input 32,
 * hidden 64, one layer; float32, batch-first, `path: 'auto'`): forward, `mean(out²)` and the gradient
 * of every weight, no optimizer step. The same step, warm-up (1 to 5 untimed steps, up to 200 ms) and
 * rounding as `pnpm bench`'s W1 figure. Runs anywhere (the webgl page calls it in the browser).
 */
import { type AnyBackend, Generator, LSTM, ops, randn, tidy, valueAndGrads } from '@recur/core';

const W1 = { batch: 16, steps: 32, inputSize: 32, hiddenSize: 64 } as const;

/** Median milliseconds of a W1 LSTM training step on `backend`, over `reps` timed steps. */
export function timeW1Train(backend: AnyBackend, reps = 5): number {
  const generator = new Generator(0);
  const lstm = new LSTM({
    inputSize: W1.inputSize,
    hiddenSize: W1.hiddenSize,
    batchFirst: true,
    backend,
    dtype: 'float32',
    generator,
  });
  const input = randn([W1.batch, W1.steps, W1.inputSize], { backend, generator });
  const weights = lstm.parameters().map((p) => p.value);
  const step = (): number => {
    const start = performance.now();
    tidy(() => {
      const { value } = valueAndGrads(() => {
        const [output] = lstm.forward(input);
        return ops.mean(ops.mul(output, output));
      }, weights);
      // Reading the loss makes sure the step has finished on engines that could defer work.
      value.item();
    });
    return performance.now() - start;
  };
  try {
    let warmups = 0;
    let elapsed = 0;
    while (warmups < 1 || (warmups < 5 && elapsed < 200)) {
      elapsed += step();
      warmups++;
    }
    const samples = Array.from({ length: reps }, step).sort((a, b) => a - b);
    const mid = samples.length >> 1;
    const median = samples.length % 2 === 1 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
    return roundMs(median);
  } finally {
    lstm.dispose();
    input.dispose();
  }
}

/** 3 significant digits, at most 3 decimals (as `pnpm bench` reports milliseconds). */
function roundMs(ms: number): number {
  if (ms === 0 || !Number.isFinite(ms)) return ms;
  const digits = Math.max(0, Math.min(3, 2 - Math.floor(Math.log10(Math.abs(ms)))));
  return Number(ms.toFixed(digits));
}
