/**
 * Hochreiter & Schmidhuber's adding problem, in the form of Le et al. (2015): each step carries a
 * value drawn from U[0, 1] and a marker; exactly two steps are marked, one in each half of the
 * sequence, and the target is the sum of their values. Answering 1.0 always scores MSE 1/6 ≈ 0.167.
 * Shared by `adding-problem` and `vanishing-gradients`.
 */

import type { Generator, Parameter, Tensor } from '@recur/core';
import { Adam, GRU, Linear, LSTM, mseLoss, ops, RNN, tensor, tidy } from '@recur/core';
import { type AddingBatch, addingBatch } from '@recur/datasets';
import { optimisationStep, trainLoop } from './train.js';

/** Command-line options shared by the two examples trained on the adding problem. */
export const addingOptions = [
  { name: 'length', description: 'sequence length T', default: 100, min: 2 },
  { name: 'hidden', description: 'hidden size', default: 32 },
  { name: 'batch', description: 'batch size', default: 64 },
  { name: 'lr', description: 'Adam learning rate', default: 0.01, integer: false, min: 0 },
];

/** The three recurrent kinds compared. */
export const recurrentKinds = ['RNN', 'LSTM', 'GRU'] as const;

/** One of them. */
export type RecurrentKind = (typeof recurrentKinds)[number];

/** MSE of always answering the mean, 1.0: the variance of a sum of two U[0, 1] values. */
export const constantAnswerMse = 1 / 6;

// The data itself is shared with the demo through @recur/datasets.
export { type AddingBatch, addingBatch } from '@recur/datasets';

/** A recurrent layer and a linear read-out of its last state. */
export class AddingModel {
  readonly recurrent: RNN | LSTM | GRU;
  readonly head: Linear;

  /** `chrono`: give an LSTM {@link chronoInit} biases for sequences of `length` steps. */
  constructor(
    readonly kind: RecurrentKind,
    hidden: number,
    chrono?: { length: number; generator: Generator },
  ) {
    const options = { inputSize: 2, hiddenSize: hidden };
    this.recurrent =
      kind === 'RNN' ? new RNN(options) : kind === 'LSTM' ? new LSTM(options) : new GRU(options);
    this.head = new Linear({ inFeatures: hidden, outFeatures: 1 });
    if (this.recurrent instanceof LSTM && chrono)
      chronoInit(this.recurrent, hidden, chrono.length, chrono.generator);
  }

  /** Every trainable parameter, in a fixed order. */
  parameters(): Parameter[] {
    return [...this.recurrent.parameters(), ...this.head.parameters()];
  }

  /** Predictions `[N, 1]` for inputs `x [T, N, 2]`. */
  forward(x: Tensor): Tensor {
    // LSTM.forward takes [h0, c0], the others h0: narrow so each call has one signature.
    const [out] = this.recurrent instanceof LSTM ? this.recurrent.forward(x) : this.recurrent.forward(x);
    return this.head.forward(ops.index0(out, x.shape[0]! - 1));
  }

  /** Mean squared error on `batch`. */
  loss(batch: AddingBatch, x?: Tensor): Tensor {
    const input = x ?? tensor(batch.x, [batch.length, batch.size, 2]);
    return mseLoss(this.forward(input), tensor(batch.y, [batch.size, 1]));
  }

  /** MSE on `batch` as a number, no gradients. */
  evaluate(batch: AddingBatch): number {
    return tidy(() => this.loss(batch).item());
  }
}

/**
 * Chrono initialisation of the LSTM's gate biases (Tallec & Ollivier 2018, "Can recurrent neural
 * networks warp time?"): forget bias log(u) and input bias −log(u) with u ~ U[1, T − 1], so the
 * cells start out remembering over the whole range of time scales the task needs. PyTorch adds
 * `bias_ih` and `bias_hh`, so the values go into `bias_ih` (gate order i, f, g, o) and the same
 * chunks of `bias_hh` are zeroed.
 */
export function chronoInit(lstm: LSTM, hidden: number, maxLength: number, generator: Generator): void {
  const logs = Array.from({ length: hidden }, () =>
    Math.log(generator.uniform(1, Math.max(2, maxLength - 1))),
  );
  for (const [name, p] of lstm.namedParameters()) {
    if (!name.startsWith('bias_')) continue;
    const values = Float64Array.from(p.value.toArray());
    for (let j = 0; j < hidden; j++) {
      values[j] = name.startsWith('bias_ih') ? -logs[j]! : 0;
      values[hidden + j] = name.startsWith('bias_ih') ? logs[j]! : 0;
    }
    p.assign(tensor(values, p.value.shape, { backend: p.value.backend, dtype: p.value.dtype }));
  }
}

/** Settings of one training run. */
export interface AddingTraining {
  readonly length: number;
  readonly hidden: number;
  readonly batch: number;
  readonly lr: number;
  /** Step budget (every kind gets the same). */
  readonly steps: number;
  /** Stop early once the validation MSE is below this. */
  readonly stopBelow: number;
  readonly generator: Generator;
}

/** Trains `model` on fresh batches; validation on a fixed set every 100 steps. Returns steps and seconds. */
export function trainAdding(
  model: AddingModel,
  settings: AddingTraining,
): { steps: number; seconds: number } {
  const params = model.parameters();
  const optimizer = new Adam(params, { lr: settings.lr });
  const validation = addingBatch(settings.length, 500, settings.generator);
  const result = trainLoop({
    label: model.kind.padEnd(4),
    steps: settings.steps,
    evalEvery: 100,
    step: () => {
      const batch = addingBatch(settings.length, settings.batch, settings.generator);
      return optimisationStep(optimizer, params, () => model.loss(batch));
    },
    evaluate: () => {
      const mse = model.evaluate(validation);
      return { line: `validation MSE ${mse.toFixed(4)}`, stop: mse < settings.stopBelow };
    },
  });
  optimizer.dispose();
  return result;
}
