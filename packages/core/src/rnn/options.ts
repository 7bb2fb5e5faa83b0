/** Constructor options of the recurrent modules, PyTorch's arguments in camelCase, validated once. */
import { describeValue, isIntIn, valueError } from '../errors.js';
import type { ModuleOptions } from '../nn/module.js';
import type { Generator } from '../random.js';

/** Which implementation runs a layer: the backend's fused kernel, the composed cell, or the best available. */
export type SequencePath = 'auto' | 'fused' | 'composed';

/** Options shared by `RNN`, `LSTM` and `GRU` (PyTorch's `nn.RNNBase` arguments). */
export interface RNNBaseOptions extends ModuleOptions {
  /** Features per time step of the input. */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Use `bias_ih`/`bias_hh` (default true). */
  bias?: boolean;
  /** Input and output are `[N, T, F]` instead of `[T, N, F]` (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** Run a second, reversed direction per layer (default false). */
  bidirectional?: boolean;
  /** Generator for initialisation and dropout masks (default: the global one). */
  generator?: Generator;
  /** Implementation to use (default `auto`: the backend's fused kernel when it has one). */
  path?: SequencePath;
}

/** `nn.RNN` options. */
export interface RNNOptions extends RNNBaseOptions {
  /** `tanh` (default) or `relu`. */
  nonlinearity?: 'tanh' | 'relu';
}

/** `nn.LSTM` options. */
export interface LSTMOptions extends RNNBaseOptions {
  /** Size of the projected hidden state `h` (0 = no projection, default). Must be < hiddenSize. */
  projSize?: number;
}

/** `nn.GRU` options. */
export type GRUOptions = RNNBaseOptions;

/** Options with every default filled in. */
export interface ResolvedRNNOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
  projSize: number;
  nonlinearity: 'tanh' | 'relu';
  path: SequencePath;
}

function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') valueError(where, name, 'a boolean', value);
  return value;
}

/** Validates and completes the options of a recurrent module named `where`. */
export function resolveRNNOptions(where: string, options: RNNOptions & LSTMOptions): ResolvedRNNOptions {
  if (options === null || typeof options !== 'object') valueError(where, 'options', 'an object', options);
  const { inputSize, hiddenSize } = options;
  if (!isIntIn(inputSize, 1)) valueError(where, 'inputSize', 'an integer ≥ 1', inputSize);
  if (!isIntIn(hiddenSize, 1)) valueError(where, 'hiddenSize', 'an integer ≥ 1', hiddenSize);
  const numLayers = options.numLayers ?? 1;
  if (!isIntIn(numLayers, 1)) valueError(where, 'numLayers', 'an integer ≥ 1', numLayers);
  const dropout = options.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) {
    valueError(where, 'dropout', 'a number in [0, 1]', dropout);
  }
  const projSize = options.projSize ?? 0;
  if (where !== 'LSTM' && projSize !== 0) valueError(where, 'projSize', '0 (only LSTM projects)', projSize);
  if (!isIntIn(projSize, 0, hiddenSize - 1)) {
    valueError(where, 'projSize', `an integer in [0, hiddenSize) = [0, ${hiddenSize})`, projSize);
  }
  const nonlinearity = options.nonlinearity ?? 'tanh';
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
    valueError(where, 'nonlinearity', '"tanh" or "relu"', nonlinearity);
  }
  const path = options.path ?? 'auto';
  if (!['auto', 'fused', 'composed'].includes(path))
    valueError(where, 'path', '"auto", "fused" or "composed"', path);
  const resolved: ResolvedRNNOptions = {
    inputSize,
    hiddenSize,
    numLayers,
    bias: checkBoolean(where, 'bias', options.bias ?? true),
    batchFirst: checkBoolean(where, 'batchFirst', options.batchFirst ?? false),
    dropout,
    bidirectional: checkBoolean(where, 'bidirectional', options.bidirectional ?? false),
    projSize,
    nonlinearity,
    path,
  };
  if (dropout > 0 && numLayers === 1) {
    // PyTorch warns rather than throws here; so do we.
    console.warn(
      `${where}: dropout=${describeValue(dropout)} has no effect with numLayers=1 (dropout applies between layers)`,
    );
  }
  return resolved;
}
