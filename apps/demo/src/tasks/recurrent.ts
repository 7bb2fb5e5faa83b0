/**
 * The recurrent part every task shares: an `RNN`, `LSTM` or `GRU` chosen by the controls, with one
 * forward signature for the three (the LSTM's cell state is handled here).
 */
import type { DType, Generator, Tensor } from '@recur/core';
import { GRU, LSTM, ops, RNN, zeros } from '@recur/core';
import type { CellName, PathChoice } from '../engine/protocol.js';

/** What a task needs to build its recurrent layers. */
export interface RecurrentSpec {
  readonly cell: CellName;
  readonly inputSize: number;
  readonly hidden: number;
  readonly layers: number;
  readonly bidirectional: boolean;
  readonly path: PathChoice;
  readonly dtype: DType;
  readonly generator: Generator;
}

/** Any of the three modules. */
export type Recurrent = RNN | LSTM | GRU;

/** Builds the module (PyTorch's initialisation, drawn from `spec.generator`). */
export function createRecurrent(spec: RecurrentSpec): Recurrent {
  const options = {
    inputSize: spec.inputSize,
    hiddenSize: spec.hidden,
    numLayers: spec.layers,
    bidirectional: spec.bidirectional,
    path: spec.path,
    dtype: spec.dtype,
    generator: spec.generator,
  };
  return spec.cell === 'lstm' ? new LSTM(options) : spec.cell === 'gru' ? new GRU(options) : new RNN(options);
}

/** Outputs of {@link runRecurrent}: `output [T, N, D·H]`, `hn [L·D, N, H]` and the LSTM's `cn`. */
export interface RecurrentOutput {
  readonly output: Tensor;
  readonly hn: Tensor;
  readonly cn?: Tensor;
}

/** Runs `module` over time-major `x`; `h0` (and `c0`, zeros when omitted) start the state. */
export function runRecurrent(
  module: Recurrent,
  x: Tensor,
  options: { h0?: Tensor; c0?: Tensor; lengths?: ArrayLike<number> } = {},
): RecurrentOutput {
  const forwardOptions = options.lengths === undefined ? undefined : { lengths: options.lengths };
  if (module instanceof LSTM) {
    const hx: [Tensor, Tensor] | null =
      options.h0 === undefined
        ? null
        : [
            options.h0,
            options.c0 ?? zeros(options.h0.shape, { backend: module.backend, dtype: module.dtype }),
          ];
    const [output, [hn, cn]] = module.forward(x, hx, forwardOptions);
    return { output, hn, cn };
  }
  const [output, hn] = module.forward(x, options.h0 ?? null, forwardOptions);
  return { output, hn };
}

/** The top layer's final state, both directions side by side: `[N, D·H]`. */
export function topState(module: Recurrent, hn: Tensor): Tensor {
  const d = module.numDirections;
  const rows = Array.from({ length: d }, (_, k) => ops.index0(hn, (module.numLayers - 1) * d + k));
  return rows.length === 1 ? rows[0]! : ops.concat(rows, 1);
}
