/**
 * Many-to-many: forecast US daily births a week ahead on held-out years. The recurrent layers read
 * eight weeks of history and the seven days to forecast (their calendar and last week's counts are
 * known in advance) and, at each forecast day, a linear layer outputs the correction to the
 * seasonal-naive forecast (the same weekday a week earlier). Windows come from `@recur/datasets`.
 */

import births from 'virtual:recur-data/births';
import type { DType, Generator, Tensor } from '@recur/core';
import { Linear, ops, Generator as Rng, tensor, tidy } from '@recur/core';
import type { BirthsRow, ForecastBatch, ForecastTask } from '@recur/datasets';
import { birthsSeries, forecastTask as buildForecastTask } from '@recur/datasets';
import type { ModelConfig } from '../engine/protocol.js';
import { createRecurrent, runRecurrent } from './recurrent.js';
import type { Task, TaskModel } from './task.js';

/** Held-out windows scored at each evaluation. */
const VALIDATION_WINDOWS = 192;
/** Consecutive held-out weeks drawn in the prediction chart. */
const PLOTTED_WEEKS = 8;

/** Recurrent layers over the window → Linear(1) at the forecast days. */
export interface ForecasterModel extends TaskModel<ForecastBatch> {
  /** Predicted corrections `[horizon, N, 1]`, in units of each window's level. */
  forward(batch: ForecastBatch): Tensor;
}

let series: ReturnType<typeof birthsSeries> | undefined;

/** The series, rebuilt once from the bundled columns. */
function birthsSeriesOnce() {
  series ??= birthsSeries(
    births.births.map(
      (count, i): BirthsRow => ({
        year: births.year[i]!,
        month: births.month[i]!,
        date_of_month: births.date_of_month[i]!,
        day_of_week: births.day_of_week[i]!,
        births: count,
      }),
    ),
  );
  return series;
}

function createModelFor(task: ForecastTask) {
  return (config: ModelConfig, dtype: DType, generator: Generator): ForecasterModel => {
    const rnn = createRecurrent({ ...config, inputSize: task.inputSize, dtype, generator });
    const width = config.hidden * rnn.numDirections;
    const head = new Linear({ inFeatures: width, outFeatures: 1, dtype, generator });
    const forward = (batch: ForecastBatch): Tensor => {
      const n = batch.scales.length;
      const x = tensor(batch.inputs, [task.history + task.horizon, n, task.inputSize], { dtype });
      const { output } = runRecurrent(rnn, x);
      return head.forward(ops.slice(output, [task.history, 0, 0], [task.horizon, n, width]));
    };
    return {
      modules: { rnn, head },
      recurrent: rnn,
      forward,
      // Mean absolute error of the correction: the metric forecasters report is MAE.
      loss: (batch) => {
        const target = tensor(batch.targets, [task.horizon, batch.scales.length, 1], { dtype });
        return ops.mean(ops.abs(ops.sub(forward(batch), target)));
      },
    };
  };
}

/** Forecast births `[horizon, N]`: seasonal naive plus the predicted correction. */
function predict(model: ForecasterModel, batch: ForecastBatch): Float64Array {
  const corrections = tidy(() => model.forward(batch).toArray());
  const n = batch.scales.length;
  return Float64Array.from(batch.naive, (naive, i) => naive + corrections[i]! * batch.scales[i % n]!);
}

/** Builds the many-to-many task; `seed` chooses the held-out years. */
export function forecastTask(seed: number): Task<ForecastBatch, ForecasterModel> {
  const s = birthsSeriesOnce();
  const task = buildForecastTask(s, { seed });
  const held = new Set(task.testOrigins);
  const validation = new Rng(seed + 3).shuffle([...task.testOrigins]).slice(0, VALIDATION_WINDOWS);
  const validationBatch = task.batch(validation);
  // Eight whole weeks in a row from the first held-out year, one window per week.
  const first = task.testOrigins[0]!;
  const plotted = Array.from({ length: PLOTTED_WEEKS }, (_, w) => first + 7 * w).filter((o) => held.has(o));
  const plottedBatch = task.batch(plotted);
  const days = plotted.flatMap((o) =>
    Array.from({ length: task.horizon }, (_, k) => {
      const d = s.days[o + k]!;
      return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
    }),
  );
  /** `[horizon, N]` row-major → day order (window by window). */
  const byDay = (values: ArrayLike<number>) =>
    plotted.flatMap((_, b) =>
      Array.from({ length: task.horizon }, (_, k) => values[k * plotted.length + b]!),
    );

  return {
    name: 'forecast',
    createModel: createModelFor(task),
    batch: (size, generator) =>
      task.batch(
        Array.from({ length: size }, () => task.trainOrigins[generator.int(task.trainOrigins.length)]!),
      ),
    evaluate(model, step) {
      const forecast = predict(model, validationBatch);
      let modelError = 0;
      let naiveError = 0;
      let correctionError = 0;
      const n = validation.length;
      validationBatch.actual.forEach((actual, i) => {
        modelError += Math.abs(forecast[i]! - actual);
        naiveError += Math.abs(validationBatch.naive[i]! - actual);
        correctionError += Math.abs(forecast[i]! - actual) / validationBatch.scales[i % n]!;
      });
      const count = validationBatch.actual.length;
      return {
        step,
        valLoss: correctionError / count,
        view: {
          task: 'forecast',
          days,
          actual: byDay(plottedBatch.actual),
          model: byDay(predict(model, plottedBatch)),
          naive: byDay(plottedBatch.naive),
          modelMae: modelError / count,
          naiveMae: naiveError / count,
          heldOutYears: task.testYears,
          windows: n,
        },
      };
    },
  };
}
