/**
 * Checks the training controls before anything reaches an engine, so bad input gets a message beside
 * its field instead of a stuck or crashed tab. Fields are text inputs (not `type=number`, which
 * silently drops text), parsed strictly here.
 */
import { forecastInputSize, nameAlphabet } from '@recur/datasets';
import type { CellName, ModelConfig, PathChoice, TaskName } from '../engine/protocol.js';

/** The raw values of the controls. */
export interface RawControls {
  readonly cell: string;
  readonly hidden: string;
  readonly layers: string;
  readonly bidirectional: boolean;
  readonly lr: string;
  readonly batch: string;
  readonly seed: string;
  readonly path: string;
}

/** A field that can carry a message. */
export type FieldName = Exclude<keyof RawControls, 'bidirectional'>;

/** Either a config or the message for each bad field. */
export type Validation =
  | { readonly ok: true; readonly config: ModelConfig; readonly parameters: number }
  | { readonly ok: false; readonly errors: Partial<Record<FieldName, string>> };

/** Bounds of the integer fields. Bigger models would take seconds per step in a browser tab. */
export const limits = {
  hidden: { min: 1, max: 512 },
  layers: { min: 1, max: 4 },
  batch: { min: 1, max: 256 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

/** Most trainable values a model may have here (about 12 MB of float32 weights, ×4 with Adam). */
export const MAX_PARAMETERS = 3_000_000;

/**
 * A whole number between `min` and `max`, or the message to show. Any number JavaScript reads is
 * judged by its value, so "-1" is below the minimum and "1e9" above the maximum, not "not a whole
 * number"; only text that is no number, or a fraction, is that.
 */
export function parseInteger(
  text: string,
  min: number,
  max: number,
  where = 'in this demo',
): number | string {
  const trimmed = text.trim();
  if (trimmed === '') return 'enter a whole number';
  const value = Number(trimmed);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) || !Number.isFinite(value)) {
    return `"${trimmed}" is not a whole number`;
  }
  if (!Number.isInteger(value)) return `"${trimmed}" is not a whole number (no fractions)`;
  if (value < min) return `must be at least ${min.toLocaleString('en-US')}`;
  if (value > max) return `at most ${max.toLocaleString('en-US')} ${where}`;
  return value;
}

function parseLearningRate(text: string): number | string {
  const trimmed = text.trim();
  if (trimmed === '') return 'enter a number, e.g. 0.01';
  const value = Number(trimmed);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) || !Number.isFinite(value)) {
    return `"${trimmed}" is not a number`;
  }
  if (!(value > 0)) return 'must be greater than 0';
  if (value > 1) return 'at most 1 (Adam diverges far sooner)';
  return value;
}

/** Trainable values of one recurrent module (PyTorch's layout: two biases per gate). */
function recurrentParameters(
  cell: CellName,
  input: number,
  hidden: number,
  layers: number,
  directions: number,
) {
  const gates = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  let total = 0;
  for (let l = 0; l < layers; l++) {
    const inSize = l === 0 ? input : hidden * directions;
    total += directions * gates * hidden * (inSize + hidden + 2);
  }
  return total;
}

/** Trainable values of `task`'s model with `config` (matches the engines' models). */
export function parameterCount(task: TaskName, config: ModelConfig): number {
  const { cell, hidden, layers } = config;
  const vocabulary = nameAlphabet.length;
  if (task === 'classify') {
    const d = config.bidirectional ? 2 : 1;
    return vocabulary * 16 + recurrentParameters(cell, 16, hidden, layers, d) + (d * hidden + 1) * 2;
  }
  if (task === 'generate') {
    return (
      2 * layers * hidden +
      vocabulary * 16 +
      recurrentParameters(cell, 16, hidden, layers, 1) +
      (hidden + 1) * vocabulary
    );
  }
  const d = config.bidirectional ? 2 : 1;
  return recurrentParameters(cell, forecastInputSize, hidden, layers, d) + d * hidden + 1;
}

/** Validates every field; the config only when all are good and the model fits the budget. */
export function validateControls(task: TaskName, raw: RawControls): Validation {
  const errors: Partial<Record<FieldName, string>> = {};
  const cell = raw.cell as CellName;
  if (!['rnn', 'lstm', 'gru'].includes(cell)) errors.cell = 'choose RNN, LSTM or GRU';
  const path = raw.path as PathChoice;
  if (!['auto', 'fused', 'composed'].includes(path)) errors.path = 'choose auto, fused or composed';
  const hidden = parseInteger(raw.hidden, limits.hidden.min, limits.hidden.max);
  const layers = parseInteger(raw.layers, limits.layers.min, limits.layers.max);
  const batch = parseInteger(raw.batch, limits.batch.min, limits.batch.max);
  const seed = parseInteger(raw.seed, limits.seed.min, limits.seed.max);
  const lr = parseLearningRate(raw.lr);
  if (typeof hidden === 'string') errors.hidden = hidden;
  if (typeof layers === 'string') errors.layers = layers;
  if (typeof batch === 'string') errors.batch = batch;
  if (typeof seed === 'string') errors.seed = seed;
  if (typeof lr === 'string') errors.lr = lr;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const config: ModelConfig = {
    cell,
    hidden: hidden as number,
    layers: layers as number,
    bidirectional: raw.bidirectional && task !== 'generate',
    lr: lr as number,
    batch: batch as number,
    seed: seed as number,
    path,
  };
  const parameters = parameterCount(task, config);
  if (parameters > MAX_PARAMETERS) {
    const millions = (parameters / 1e6).toFixed(1);
    return {
      ok: false,
      errors: {
        hidden: `${millions} M parameters with ${config.layers} layer(s): the demo allows ${MAX_PARAMETERS / 1e6} M; lower the size or the layers`,
      },
    };
  }
  return { ok: true, config, parameters };
}
