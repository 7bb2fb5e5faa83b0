/**
 * What `writeOnnx` exports, checked: a module kind, its options with PyTorch's defaults filled in, and
 * a state dict holding exactly the module's parameters, each of the right shape.
 */
import { GRU, LSTM, RNN, type Tensor, type TensorData } from '@recur/core';
import { WeightFileError } from '../errors.js';
import type { RecurrentKind } from './gates.js';
import { gateCount } from './gates.js';

/** A module to export given as data: its kind, constructor options and state dict. */
export interface OnnxModuleSource {
  /** `RNN`, `LSTM` or `GRU` (cells have no sequence to export). */
  readonly module: string;
  /** Constructor options as Recur takes them (`inputSize`, `hiddenSize`, `numLayers`, …). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The state dict, by PyTorch's names. */
  readonly tensors: Readonly<Record<string, Tensor | TensorData>>;
}

/** The checked source: options complete, weights as row-major numbers by name. */
export interface CheckedSource {
  readonly kind: RecurrentKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly bidirectional: boolean;
  readonly batchFirst: boolean;
  readonly nonlinearity: 'tanh' | 'relu';
  readonly weights: ReadonlyMap<string, ArrayLike<number>>;
}

const fail = (message: string): never => {
  throw new WeightFileError('onnx', message);
};

/** Reads a Recur module, or checks a `{ module, options, tensors }` source. */
export function checkSource(source: RNN | LSTM | GRU | OnnxModuleSource): CheckedSource {
  if (source instanceof RNN || source instanceof LSTM || source instanceof GRU) {
    const kind = source instanceof LSTM ? 'LSTM' : source instanceof GRU ? 'GRU' : 'RNN';
    const options = {
      inputSize: source.inputSize,
      hiddenSize: source.hiddenSize,
      numLayers: source.numLayers,
      bias: source.bias,
      bidirectional: source.bidirectional,
      batchFirst: source.batchFirst,
      projSize: source.projSize,
      ...(source instanceof RNN ? { nonlinearity: source.nonlinearity } : {}),
    };
    return checkSource({ module: kind, options, tensors: source.stateDict() });
  }
  if (source === null || typeof source !== 'object')
    fail(`expected a module or { module, options, tensors }, got ${String(source)}`);
  const kind = source.module;
  if (kind !== 'RNN' && kind !== 'LSTM' && kind !== 'GRU') {
    fail(
      `module must be "RNN", "LSTM" or "GRU", got ${JSON.stringify(kind)}${/Cell$/.test(String(kind)) ? ' (a cell has no sequence; export the RNN, LSTM or GRU module)' : ''}`,
    );
  }
  const o = source.options ?? {};
  const int = (name: string, fallback?: number): number => {
    const v = o[name] ?? fallback;
    if (!(Number.isSafeInteger(v) && (v as number) >= 1))
      fail(`options.${name} must be an integer ≥ 1, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = o[name] ?? fallback;
    if (typeof v !== 'boolean') fail(`options.${name} must be a boolean, got ${JSON.stringify(v)}`);
    return v as boolean;
  };
  const projSize = o.projSize ?? 0;
  if (projSize !== 0) {
    fail(
      `options.projSize = ${JSON.stringify(projSize)} cannot be exported: ONNX's LSTM has no projection (weight_hr), so a projected LSTM has no ONNX equivalent`,
    );
  }
  const nonlinearity = o.nonlinearity ?? 'tanh';
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu')
    fail(`options.nonlinearity must be "tanh" or "relu", got ${JSON.stringify(nonlinearity)}`);
  if (kind !== 'RNN' && nonlinearity !== 'tanh')
    fail(`options.nonlinearity applies to RNN only, got ${JSON.stringify(nonlinearity)} for ${kind}`);
  const checked = {
    kind: kind as RecurrentKind,
    inputSize: int('inputSize'),
    hiddenSize: int('hiddenSize'),
    numLayers: int('numLayers', 1),
    bias: bool('bias', true),
    bidirectional: bool('bidirectional', false),
    batchFirst: bool('batchFirst', false),
    nonlinearity: nonlinearity as 'tanh' | 'relu',
  };
  return { ...checked, weights: checkTensors(checked, source.tensors) };
}

/** Every parameter present, of its shape, with nothing else beside it. */
function checkTensors(
  s: Omit<CheckedSource, 'weights'>,
  tensors: Readonly<Record<string, Tensor | TensorData>>,
): Map<string, ArrayLike<number>> {
  if (tensors === null || typeof tensors !== 'object')
    fail(`tensors must be a state dict, got ${String(tensors)}`);
  const gh = gateCount(s.kind) * s.hiddenSize;
  const expected = new Map<string, number[]>();
  for (let k = 0; k < s.numLayers; k++) {
    for (const suffix of s.bidirectional ? ['', '_reverse'] : ['']) {
      const name = (base: string) => `${base}_l${k}${suffix}`;
      expected.set(name('weight_ih'), [gh, k === 0 ? s.inputSize : s.hiddenSize * (s.bidirectional ? 2 : 1)]);
      expected.set(name('weight_hh'), [gh, s.hiddenSize]);
      if (s.bias) {
        expected.set(name('bias_ih'), [gh]);
        expected.set(name('bias_hh'), [gh]);
      }
    }
  }
  for (const name of Object.keys(tensors)) {
    if (!expected.has(name))
      fail(
        `tensors.${name} is not a parameter of this ${s.kind} (expected: ${[...expected.keys()].join(', ')})`,
      );
  }
  const weights = new Map<string, ArrayLike<number>>();
  for (const [name, shape] of expected) {
    const t = tensors[name];
    if (t === undefined) fail(`tensors.${name} is missing (shape [${shape.join(', ')}])`);
    const got = [...t!.shape];
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      fail(`tensors.${name} has shape [${got.join(', ')}], expected [${shape.join(', ')}]`);
    }
    const data = 'toArray' in t! ? t.toArray() : t!.data;
    if (data.length !== shape.reduce((n, d) => n * d, 1))
      fail(`tensors.${name} has ${data.length} values for shape [${shape.join(', ')}]`);
    weights.set(name, data);
  }
  return weights;
}
