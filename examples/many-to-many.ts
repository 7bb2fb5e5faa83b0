/**
 * Many-to-many (time-series forecasting): the next 7 days of US births from the past 8 weeks, with
 * calendar and holiday features. An LSTM predicts the correction to the seasonal-naive forecast
 * (same weekday last week) at each forecast step; held-out years are chosen by the seed.
 *
 * `pnpm example many-to-many [--hidden 32] [--batch 64] [--lr 0.003]`
 */
import { Adam } from '@recur/core';
import { birthsSeries, datasets, forecastTask } from '@recur/datasets';
import { loadBirths } from '@recur/datasets/node';
import { BirthsForecaster, evaluateForecast } from './births/model.js';
import { runExample } from './lib/cli.js';
import { formatNumber } from './lib/result.js';
import { minibatches, optimisationStep, trainLoop } from './lib/train.js';

await runExample(
  {
    name: 'many-to-many',
    description: 'forecast 7 days of US births from 8 weeks of history: LSTM correcting seasonal naive',
    defaultSteps: 800,
    options: [
      { name: 'hidden', description: 'LSTM hidden size', default: 32 },
      { name: 'batch', description: 'batch size', default: 64 },
      { name: 'lr', description: 'Adam learning rate', default: 0.003, integer: false, min: 0 },
    ],
  },
  async (ctx) => {
    const { hidden, batch, lr } = ctx.options as Record<string, number>;
    console.log(
      `data: ${datasets.births.description} (${datasets.births.package}; ${datasets.births.dataLicence})`,
    );
    const series = birthsSeries(loadBirths());
    const task = forecastTask(series, { history: 56, horizon: 7, seed: ctx.seed });
    const check = task.testOrigins.filter((_, i) => i % 3 === 0);
    console.log(
      `held-out years ${task.testYears.join(', ')}: ${task.testOrigins.length} test windows, ` +
        `${task.trainOrigins.length} training windows`,
    );
    const model = new BirthsForecaster(task, hidden);
    const params = model.parameters();
    const optimizer = new Adam(params, { lr });
    const batches = minibatches(task.trainOrigins, batch, ctx.generator);
    trainLoop({
      label: 'LSTM',
      steps: ctx.steps,
      evalEvery: 200,
      step: () => {
        const b = task.batch(batches.next().value!);
        return optimisationStep(optimizer, params, () => model.loss(b));
      },
      evaluate: () => {
        const e = evaluateForecast(model, task, check);
        return {
          line: `test MAE ratio to seasonal naive ${formatNumber(e.model / e.naive)} (every 3rd window)`,
        };
      },
    });
    const e = evaluateForecast(model, task, task.testOrigins);
    console.log(
      `test MAE: LSTM ${formatNumber(e.model)} births/day, seasonal naive ${formatNumber(e.naive)} (ratio ${formatNumber(e.model / e.naive)})`,
    );
    return [{ metric: 'mae_ratio_to_seasonal_naive', value: e.model / e.naive, op: '<=', target: 0.85 }];
  },
);
