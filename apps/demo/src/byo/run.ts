/**
 * Runs a module read from a weight file on the engine's backend (the default backend, set when the
 * engine started) over a seeded random input, and returns what the panel shows: the shapes, the
 * first output values and `module.lastPath` (cells run one step and have no path to choose).
 */
import type { Tensor } from '@recur/core';
import { Generator, GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, randn, tidy } from '@recur/core';
import type { InferredKind } from '@recur/io';
import type { RunModuleArgs, RunModuleResult } from '../engine/protocol.js';

/** How many output values the panel prints. */
const FIRST_VALUES = 8;

/** The input shape `forward` takes: `[T, N, I]` (`[N, T, I]` with batchFirst), or `[N, I]` for a cell. */
export function inputShapeOf(
  kind: InferredKind,
  options: Record<string, unknown>,
  seqLen: number,
  batch: number,
): number[] {
  const inputSize = options.inputSize as number;
  if (kind.endsWith('Cell')) return [batch, inputSize];
  return options.batchFirst === true ? [batch, seqLen, inputSize] : [seqLen, batch, inputSize];
}

/** Builds the module, loads the weights (strictly), runs it once and disposes everything. */
export function runModule(args: RunModuleArgs): RunModuleResult {
  const { kind, options, state } = args;
  const shape = inputShapeOf(kind, options, args.seqLen, args.batch);
  const module = createModule(kind, options);
  try {
    module.loadStateDict(state);
    return tidy(() => {
      const x = randn(shape, { generator: new Generator(args.seed) });
      const output = forward(module, x);
      const values = output.toArray();
      const path =
        module instanceof RNN || module instanceof LSTM || module instanceof GRU ? module.lastPath : 'cell';
      return {
        inputShape: shape,
        outputShape: [...output.shape],
        first: Array.from(values.subarray(0, FIRST_VALUES)),
        path: path ?? 'none',
      };
    });
  } finally {
    module.dispose();
  }
}

type AnyModule = RNN | LSTM | GRU | RNNCell | LSTMCell | GRUCell;

function createModule(kind: InferredKind, options: Record<string, unknown>): AnyModule {
  const o = options as never;
  switch (kind) {
    case 'RNN':
      return new RNN(o);
    case 'LSTM':
      return new LSTM(o);
    case 'GRU':
      return new GRU(o);
    case 'RNNCell':
      return new RNNCell(o);
    case 'LSTMCell':
      return new LSTMCell(o);
    case 'GRUCell':
      return new GRUCell(o);
  }
}

/** The module's main output: the sequence output, or a cell's next hidden state. */
function forward(module: AnyModule, x: Tensor): Tensor {
  if (module instanceof LSTMCell) return module.forward(x)[0];
  if (module instanceof RNNCell || module instanceof GRUCell) return module.forward(x);
  if (module instanceof LSTM) return module.forward(x)[0];
  return module.forward(x)[0];
}
