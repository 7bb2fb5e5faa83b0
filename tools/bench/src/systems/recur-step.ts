/**
 * One Recur benchmark step on any backend: a module with PyTorch's initialisation from a seeded
 * generator, a random batch-first input, and either a forward pass or a training step (forward +
 * `mean(out²)` + the gradient of every weight, no optimizer step), all released after each step.
 */
import {
  type AnyBackend,
  Generator,
  GRU,
  LSTM,
  ops,
  RNN,
  type RNNBase,
  randn,
  type SequencePath,
  type Tensor,
  tidy,
  valueAndGrads,
} from '@recur/core';
import type { Cell, Mode, Workload } from '../workloads.js';

/** A prepared Recur measurement: `run()` performs one step synchronously. */
export interface RecurStep {
  /** Runs one step (everything it creates is released before it returns). */
  run(): void;
  /** The implementation the last step took (`null` before the first). */
  readonly path: 'fused' | 'composed' | null;
  /** Releases the module's parameters and the input. */
  dispose(): void;
}

/** The modules' common forward signature, as far as the benchmark needs it. */
type Forward = (input: Tensor) => [Tensor, unknown];

/**
 * Builds the module and input of one measurement on `backend` (float32, batch-first). `readOutput`
 * also reads a forward step's output back, so that an asynchronous engine (webgl) has finished the
 * step when `run` returns (a training step always reads its loss).
 */
export function prepareRecurStep(
  backend: AnyBackend,
  cell: Cell,
  w: Workload,
  mode: Mode,
  path: SequencePath = 'auto',
  seed = 0,
  readOutput = false,
): RecurStep {
  const generator = new Generator(seed);
  const options = {
    inputSize: w.inputSize,
    hiddenSize: w.hiddenSize,
    numLayers: w.layers,
    batchFirst: true,
    backend,
    dtype: 'float32' as const,
    generator,
    path,
  };
  const module: RNNBase =
    cell === 'lstm' ? new LSTM(options) : cell === 'gru' ? new GRU(options) : new RNN(options);
  const forward: Forward = (input) => (module as unknown as { forward: Forward }).forward(input);
  const input = randn([w.batch, w.steps, w.inputSize], { backend, generator });
  const weights = module.parameters().map((p) => p.value);

  const run =
    mode === 'forward'
      ? () => {
          tidy(() => {
            const [output] = forward(input);
            if (readOutput) output.toArray();
          });
        }
      : () => {
          tidy(() => {
            const { value } = valueAndGrads(() => {
              const [output] = forward(input);
              return ops.mean(ops.mul(output, output));
            }, weights);
            // Reading the loss makes sure the step has finished on engines that could defer work.
            value.item();
          });
        };
  return {
    run,
    get path() {
      return module.lastPath;
    },
    dispose() {
      module.dispose();
      input.dispose();
    },
  };
}
