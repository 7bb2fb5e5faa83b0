/** Builds the frontend module a case names, on a given backend, with the case's weights loaded. */
import type { AnyBackend, CellOptions, DType, LSTMOptions, RNNOptions, SequencePath } from '@recur/core';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '@recur/core';
import type { ConformanceCase } from './case-format.js';
import { caseModules } from './case-format.js';

/** The module kinds a case can build. */
export type CaseModuleInstance = RNN | LSTM | GRU | RNNCell | LSTMCell | GRUCell;

const recurrentOptions = [
  'inputSize',
  'hiddenSize',
  'numLayers',
  'bias',
  'batchFirst',
  'dropout',
  'bidirectional',
  'projSize',
  'nonlinearity',
];
const cellOptions = ['inputSize', 'hiddenSize', 'bias', 'nonlinearity'];

/** Constructs the case's module (unknown module or option names throw a clear error) and loads its parameters. */
export function buildModule(
  backend: AnyBackend,
  c: ConformanceCase,
  dtype: DType,
  path: SequencePath = 'auto',
): CaseModuleInstance {
  if (!(caseModules as readonly string[]).includes(c.module)) {
    throw new Error(`unknown module ${JSON.stringify(c.module)} (expected one of ${caseModules.join(', ')})`);
  }
  const isCell = c.module.endsWith('Cell');
  const allowed = isCell ? cellOptions : recurrentOptions;
  const unknown = Object.keys(c.options).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new Error(`unknown option(s) ${unknown.join(', ')} for ${c.module}`);
  const nonlinearity = c.options.nonlinearity;
  if (nonlinearity !== undefined && c.module !== 'RNN' && c.module !== 'RNNCell' && nonlinearity !== 'tanh') {
    throw new Error(`option nonlinearity=${JSON.stringify(nonlinearity)} only applies to RNN and RNNCell`);
  }
  // Values are validated by the constructors, which throw clear errors for bad ones.
  const { nonlinearity: _ignored, ...rest } = c.options;
  const recurrent = { ...rest, backend, dtype, path } as unknown as LSTMOptions;
  const cell = { ...rest, backend, dtype } as unknown as CellOptions;
  let module: CaseModuleInstance;
  switch (c.module) {
    case 'RNN':
      module = new RNN({ ...recurrent, nonlinearity: nonlinearity as RNNOptions['nonlinearity'] });
      break;
    case 'LSTM':
      module = new LSTM(recurrent);
      break;
    case 'GRU':
      module = new GRU(recurrent);
      break;
    case 'RNNCell':
      module = new RNNCell({ ...cell, nonlinearity: nonlinearity as RNNOptions['nonlinearity'] });
      break;
    case 'LSTMCell':
      module = new LSTMCell(cell);
      break;
    default:
      module = new GRUCell(cell);
  }
  // Dropout masks cannot reproduce PyTorch's RNG: cases are compared in eval mode when dropout > 0.
  if (typeof c.options.dropout === 'number' && c.options.dropout > 0) module.eval();
  try {
    module.loadStateDict(c.parameters);
  } catch (error) {
    module.dispose();
    throw error;
  }
  return module;
}
