/**
 * One-to-one: a single step. An `RNNCell` (one step from a zero state, so h = tanh(W_ih·x + b)) and a
 * linear read-out regress Boston house prices from 13 features; the baseline is a linear
 * least-squares fit on the same split.
 *
 * `pnpm example one-to-one [--hidden 64] [--lr 0.005]`
 */
import { AdamW, Linear, mseLoss, RNNCell, tensor, tidy } from '@recur/core';
import { bostonTable, datasets, fitStandardiser, pick, splitIndices } from '@recur/datasets';
import { loadBoston } from '@recur/datasets/node';
import { runExample } from './lib/cli.js';
import { leastSquares, rmse } from './lib/least-squares.js';
import { formatNumber } from './lib/result.js';
import { optimisationStep, trainLoop } from './lib/train.js';

await runExample(
  {
    name: 'one-to-one',
    description: 'RNNCell as a one-step regressor on Boston house prices, against linear least squares',
    defaultSteps: 600,
    options: [
      { name: 'hidden', description: 'RNNCell hidden size', default: 64 },
      { name: 'lr', description: 'AdamW learning rate', default: 0.005, integer: false, min: 0 },
    ],
  },
  async (ctx) => {
    const { hidden, lr } = ctx.options as Record<string, number>;
    console.log(
      `data: ${datasets.boston.description} (${datasets.boston.package}; ${datasets.boston.dataLicence})`,
    );
    const table = bostonTable(loadBoston());
    const split = splitIndices(table.targets.length, 0.2, ctx.seed);
    // Standardise with training statistics only; the target too, so one learning rate suits any scale.
    const standardiser = fitStandardiser(pick(table.features, split.train));
    const xTrain = standardiser.apply(pick(table.features, split.train));
    const xTest = standardiser.apply(pick(table.features, split.test));
    const yTrain = pick(table.targets, split.train);
    const yTest = pick(table.targets, split.test);
    const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
    const std = Math.sqrt(yTrain.reduce((s, y) => s + (y - mean) ** 2, 0) / yTrain.length);

    const linear = leastSquares(xTrain, yTrain);
    const baseline = rmse(xTest.map(linear.predict), yTest);
    console.log(
      `${xTrain.length} training and ${xTest.length} test tracts; linear least squares test RMSE ${formatNumber(baseline)}`,
    );

    const cell = new RNNCell({ inputSize: xTrain[0]!.length, hiddenSize: hidden });
    const head = new Linear({ inFeatures: hidden, outFeatures: 1 });
    const params = [...cell.parameters(), ...head.parameters()];
    // Decoupled weight decay: 404 rows are few for 64 hidden units.
    const optimizer = new AdamW(params, { lr, weightDecay: 0.05 });
    const x = tensor(xTrain.flat(), [xTrain.length, xTrain[0]!.length]);
    const y = tensor(
      yTrain.map((v) => (v - mean) / std),
      [yTrain.length, 1],
    );
    const predict = (rows: number[][]) =>
      tidy(() =>
        head.forward(cell.forward(tensor(rows.flat(), [rows.length, rows[0]!.length]))).toList(),
      ).map((p) => p * std + mean);
    trainLoop({
      label: 'RNNCell',
      steps: ctx.steps,
      evalEvery: 100,
      // Full batch: the whole training set is one small matrix.
      step: () => optimisationStep(optimizer, params, () => mseLoss(head.forward(cell.forward(x)), y), 0),
      evaluate: () => ({ line: `test RMSE ${formatNumber(rmse(predict(xTest), yTest))}` }),
    });
    const error = rmse(predict(xTest), yTest);
    console.log(
      `test RMSE: RNNCell ${formatNumber(error)}, linear least squares ${formatNumber(baseline)} (ratio ${formatNumber(error / baseline)})`,
    );
    return [{ metric: 'rmse_ratio_to_linear', value: error / baseline, op: '<=', target: 0.85 }];
  },
);
