/**
 * The one place an `RNN`, `LSTM` or `GRU` is chosen by name, and run with one forward signature for
 * the three (the LSTM's cell state is handled here). The demo's tasks, the adding-problem model of
 * the demo and the examples, and the soak all build their recurrent layers through it.
 */
import type { AnyBackend, DType, Generator, Tensor } from '@recur/core';
import { GRU, LSTM, ops, RNN, zeros } from '@recur/core';

/** Recurrent cell kinds, lower case as the demo's controls and the command lines name them. */
export const cellNames = ['rnn', 'lstm', 'gru'] as const;

/** One of {@link cellNames}. */
export type CellName = (typeof cellNames)[number];

/** Which implementation the layers use (`auto`: fused when the backend has the kernel). */
export type PathChoice = 'auto' | 'fused' | 'composed';

/** What it takes to build recurrent layers; everything but `cell`, `inputSize` and `hidden` has PyTorch's default. */
export interface RecurrentSpec {
  readonly cell: CellName;
  readonly inputSize: number;
  readonly hidden: number;
  readonly layers?: number;
  readonly bidirectional?: boolean;
  /** Inputs and outputs `[N, T, F]` instead of time-major `[T, N, F]` (PyTorch's `batch_first`). */
  readonly batchFirst?: boolean;
  readonly dropout?: number;
  readonly path?: PathChoice;
  readonly dtype?: DType;
  readonly backend?: AnyBackend;
  /** Draws the initial weights; omitted: the global seeded generator. */
  readonly generator?: Generator;
}

/** Any of the three modules. */
export type Recurrent = RNN | LSTM | GRU;

/** Builds the module with PyTorch's initialisation (drawn from `spec.generator` when given). */
export function createRecurrent(spec: RecurrentSpec): Recurrent {
  const options = {
    inputSize: spec.inputSize,
    hiddenSize: spec.hidden,
    ...(spec.layers === undefined ? {} : { numLayers: spec.layers }),
    ...(spec.bidirectional === undefined ? {} : { bidirectional: spec.bidirectional }),
    ...(spec.batchFirst === undefined ? {} : { batchFirst: spec.batchFirst }),
    ...(spec.dropout === undefined ? {} : { dropout: spec.dropout }),
    ...(spec.path === undefined ? {} : { path: spec.path }),
    ...(spec.dtype === undefined ? {} : { dtype: spec.dtype }),
    ...(spec.backend === undefined ? {} : { backend: spec.backend }),
    ...(spec.generator === undefined ? {} : { generator: spec.generator }),
  };
  switch (spec.cell) {
    case 'rnn':
      return new RNN(options);
    case 'lstm':
      return new LSTM(options);
    case 'gru':
      return new GRU(options);
    default:
      throw new Error(`unknown recurrent cell "${String(spec.cell)}": expected rnn, lstm or gru`);
  }
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
