/**
 * Hochreiter & Schmidhuber's adding problem, in the form of Le et al. (2015): each step carries a
 * value drawn from U[0, 1] and a marker; exactly two steps are marked, one in each half of the
 * sequence, and the target is the sum of their values. Answering 1.0 always scores MSE 1/6 ≈ 0.167.
 * Shared by `adding-problem` and `vanishing-gradients`.
 */

import type { Generator } from '@recur/core';
import { Adam } from '@recur/core';
import { addingBatch } from '@recur/datasets';
import type { CellName } from '@recur/runner';
import { AddingModel as RunnerAddingModel } from '@recur/runner';
import { optimisationStep, trainLoop } from './train.js';

/** Command-line options shared by the two examples trained on the adding problem. */
export const addingOptions = [
  { name: 'length', description: 'sequence length T', default: 100, min: 2 },
  { name: 'hidden', description: 'hidden size', default: 32 },
  { name: 'batch', description: 'batch size', default: 64 },
  { name: 'lr', description: 'Adam learning rate', default: 0.01, integer: false, min: 0 },
];

/** The three recurrent kinds compared, as the tables print them. */
export const recurrentKinds = ['RNN', 'LSTM', 'GRU'] as const;

/** One of them. */
export type RecurrentKind = (typeof recurrentKinds)[number];

// The model, the chrono initialisation and the gradient profile are shared with the demo through
// @recur/runner, the data through @recur/datasets.
export { type AddingBatch, addingBatch } from '@recur/datasets';
export { chronoInit, constantAnswerMse, gradientProfile } from '@recur/runner';

/** {@link RunnerAddingModel} built by its printed kind; weights from the global seeded generator. */
export class AddingModel extends RunnerAddingModel {
  /** `chrono`: give an LSTM chrono-initialised biases for sequences of `length` steps. */
  constructor(
    readonly kind: RecurrentKind,
    hidden: number,
    chrono?: { length: number; generator: Generator },
  ) {
    super(kind.toLowerCase() as CellName, hidden, chrono === undefined ? {} : { chrono });
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
