/**
 * Recur's own forward pass on the js backend, for the ONNX tests: builds the module of a kind with
 * options and weights, runs it on an input (and h0/c0), and returns the outputs as plain numbers.
 */
import { createJsBackend } from '@recur/backend-js';
import { GRU, LSTM, RNN, type StateDict, type TensorData, tensor } from '@recur/core';

const backend = createJsBackend();
const constructors = { RNN, LSTM, GRU } as const;

/** A recurrent module kind Recur can export and import through ONNX. */
export type Kind = keyof typeof constructors;

/** Outputs of a forward pass as `{ shape, data }`. */
export interface Outputs {
  output: TensorData;
  hn: TensorData;
  cn?: TensorData;
}

/** A module of `kind` with `options` and the `weights` loaded (else its own init), on the js backend. */
export function buildModule(
  kind: Kind,
  options: Record<string, unknown>,
  weights: StateDict | undefined,
  dtype: 'float32' | 'float64' = 'float32',
): RNN | LSTM | GRU {
  const module = new constructors[kind]({ ...options, backend, dtype } as never);
  if (weights !== undefined) module.loadStateDict(weights);
  return module;
}

/** `module.forward(input, h0 / [h0, c0])`, read back. */
export function runModule(
  module: RNN | LSTM | GRU,
  input: TensorData,
  h0?: TensorData,
  c0?: TensorData,
): Outputs {
  const dtype = module.parameters()[0]!.value.dtype;
  const make = (t: TensorData) => tensor(t.data, t.shape, { backend, dtype });
  const data = (t: { shape: readonly number[]; toArray(): ArrayLike<number> }) => ({
    shape: [...t.shape],
    data: Array.from(t.toArray()),
  });
  const x = make(input);
  if (module instanceof LSTM) {
    const [output, [hn, cn]] = module.forward(x, h0 && c0 ? [make(h0), make(c0)] : undefined);
    return { output: data(output), hn: data(hn), cn: data(cn) };
  }
  const [output, hn] = module.forward(x, h0 ? make(h0) : undefined);
  return { output: data(output), hn: data(hn) };
}

/** The largest |a − b| over two equally shaped tensors (Infinity when the shapes differ). */
export function maxDifference(a: TensorData, b: TensorData): number {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
  return worst;
}
