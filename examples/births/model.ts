/**
 * The births forecaster (many-to-many): an LSTM reads the 8 weeks of history and the 7 forecast days
 * (whose counts are unknown but whose calendar and last-week counts are known) and, at each forecast
 * step, outputs the correction to the seasonal-naive forecast. Reusable by the demo.
 */
import type { Parameter, Tensor } from '@recur/core';
import { Linear, LSTM, ops, tensor, tidy } from '@recur/core';
import type { ForecastBatch, ForecastTask } from '@recur/datasets';

/** An LSTM over the whole window and a linear read-out at the forecast steps. */
export class BirthsForecaster {
  readonly lstm: LSTM;
  readonly head: Linear;

  /** A forecaster for windows shaped like `task`'s, with an LSTM of `hidden` units. */
  constructor(
    readonly task: Pick<ForecastTask, 'history' | 'horizon' | 'inputSize'>,
    readonly hidden: number,
  ) {
    this.lstm = new LSTM({ inputSize: task.inputSize, hiddenSize: hidden });
    this.head = new Linear({ inFeatures: hidden, outFeatures: 1 });
  }

  /** Every trainable parameter, in a fixed order. */
  parameters(): Parameter[] {
    return [...this.lstm.parameters(), ...this.head.parameters()];
  }

  /** Predicted corrections `[horizon, N, 1]` (in units of each window's level). */
  forward(batch: ForecastBatch): Tensor {
    const { history, horizon, inputSize } = this.task;
    const n = batch.scales.length;
    const [out] = this.lstm.forward(tensor(batch.inputs, [history + horizon, n, inputSize]));
    const forecastSteps = ops.slice(out, [history, 0, 0], [horizon, n, this.hidden]);
    return this.head.forward(forecastSteps);
  }

  /** Mean absolute error of the corrections: the loss, as the metric is MAE. */
  loss(batch: ForecastBatch): Tensor {
    const n = batch.scales.length;
    const target = tensor(batch.targets, [this.task.horizon, n, 1]);
    return ops.mean(ops.abs(ops.sub(this.forward(batch), target)));
  }

  /** Forecast births `[horizon, N]` (row-major): seasonal naive plus the predicted correction. */
  predict(batch: ForecastBatch): Float64Array {
    const corrections = tidy(() => this.forward(batch).toArray());
    const n = batch.scales.length;
    return Float64Array.from(batch.naive, (naive, i) => naive + corrections[i]! * batch.scales[i % n]!);
  }
}

/** Mean absolute error of the model and of seasonal naive over the windows at `origins`. */
export function evaluateForecast(
  model: BirthsForecaster,
  task: ForecastTask,
  origins: readonly number[],
): { model: number; naive: number } {
  let modelError = 0;
  let naiveError = 0;
  let count = 0;
  for (let i = 0; i < origins.length; i += 512) {
    const batch = task.batch(origins.slice(i, i + 512));
    const forecast = model.predict(batch);
    batch.actual.forEach((actual, j) => {
      modelError += Math.abs(forecast[j]! - actual);
      naiveError += Math.abs(batch.naive[j]! - actual);
      count++;
    });
  }
  return { model: modelError / count, naive: naiveError / count };
}
