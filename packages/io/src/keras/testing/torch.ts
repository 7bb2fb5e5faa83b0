/**
 * PyTorch's own numbers for the Keras tests: the committed fixtures of `tools/fixtures/onnx_models.py`
 * (a state dict, an input and PyTorch's outputs), and their weights mapped the other way, PyTorch →
 * Keras, with the inverse of what `readTfjsLayers` does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TensorData } from '@recur/core';
import { kernelToKeras, reorderBias } from '../gates.js';
import type { KerasKind } from '../layers.js';

const dir = fileURLToPath(new URL('../../../../../fixtures/onnx/', import.meta.url));

interface Data {
  shape: number[];
  data: number[];
}

/** A PyTorch fixture: module, options, state dict, input, outputs. */
export interface TorchFixture {
  file: string;
  module: 'RNN' | 'LSTM' | 'GRU';
  options: {
    inputSize: number;
    hiddenSize: number;
    numLayers?: number;
    bias?: boolean;
    batchFirst?: boolean;
    bidirectional?: boolean;
    nonlinearity?: 'tanh' | 'relu';
  };
  tensors: Record<string, Data>;
  input: Data;
  output: Data;
  h0?: Data;
}

/** The fixtures of `kind` a Keras model can express: float32/float64 weights and zero initial states. */
export function torchFixtures(kind: 'RNN' | 'LSTM' | 'GRU'): TorchFixture[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${kind.toLowerCase()}-`) && f.endsWith('.json') && !f.includes('.f16.'))
    .map((file) => ({
      file,
      ...(JSON.parse(readFileSync(dir + file, 'utf8')) as Omit<TorchFixture, 'file'>),
    }))
    .filter((f) => f.h0 === undefined && !f.file.includes('float-data'));
}

/** `[A, B, C]` → `[B, A, C]` (time-major ↔ batch-major). */
export function swap01(t: TensorData): TensorData {
  const [a, b, c] = t.shape as [number, number, number];
  const data = new Array<number>(a * b * c);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++)
      for (let k = 0; k < c; k++) data[(j * a + i) * c + k] = t.data[(i * b + j) * c + k]!;
  return { shape: [b, a, c], data };
}

/** The fixture's input and output batch-major, as Keras takes and gives them. */
export function batchMajor(f: TorchFixture): { input: TensorData; output: TensorData } {
  return f.options.batchFirst
    ? { input: f.input, output: f.output }
    : { input: swap01(f.input), output: swap01(f.output) };
}

/** The Keras layer class of a PyTorch module kind. */
export const kerasKindOf = { RNN: 'SimpleRNN', LSTM: 'LSTM', GRU: 'GRU' } as const satisfies Record<
  string,
  KerasKind
>;

/**
 * The fixture's weights as Keras holds them, in tfjs' weight order (layer by layer, forward then
 * backward: kernel, recurrent_kernel, bias): kernel = W_ihᵀ, recurrent_kernel = W_hhᵀ with chunks in
 * Keras' order; bias = b_ih + b_hh (LSTM, SimpleRNN: one bias) or [b_ih; b_hh] (GRU, [2, 3H]).
 */
export function kerasWeights(f: TorchFixture): { data: Float32Array; shape: number[] }[] {
  const kind = kerasKindOf[f.module];
  const { inputSize, hiddenSize: H } = f.options;
  const L = f.options.numLayers ?? 1;
  const D = f.options.bidirectional ? 2 : 1;
  const G = { SimpleRNN: 1, LSTM: 4, GRU: 3 }[kind];
  const out: { data: Float32Array; shape: number[] }[] = [];
  const t = (name: string) => new Float32Array(f.tensors[name]!.data);
  for (let k = 0; k < L; k++) {
    const rows = k === 0 ? inputSize : D * H;
    for (let d = 0; d < D; d++) {
      const s = `_l${k}${d === 1 ? '_reverse' : ''}`;
      out.push({ data: kernelToKeras(kind, t(`weight_ih${s}`), rows, H), shape: [rows, G * H] });
      out.push({ data: kernelToKeras(kind, t(`weight_hh${s}`), H, H), shape: [H, G * H] });
      if (f.options.bias === false) continue;
      const ih = reorderBias(kind, t(`bias_ih${s}`), H, 'toKeras');
      const hh = reorderBias(kind, t(`bias_hh${s}`), H, 'toKeras');
      if (kind === 'GRU') {
        const both = new Float32Array(2 * G * H);
        both.set(ih, 0);
        both.set(hh, G * H);
        out.push({ data: both, shape: [2, G * H] });
      } else {
        out.push({ data: ih.map((v, i) => v + hh[i]!), shape: [G * H] });
      }
    }
  }
  return out;
}
