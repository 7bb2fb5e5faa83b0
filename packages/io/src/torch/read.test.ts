/** Checkpoints written by PyTorch itself (`tools/fixtures/weights.py`) read back exactly and load. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { GRU, GRUCell, LSTM, LSTMCell, type Module, RNN, RNNCell } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import { inferModule } from '../infer.js';
import { readTorch } from './read.js';

const dir = fileURLToPath(new URL('../../../../fixtures/weights/', import.meta.url));
const backend = createJsBackend();
const constructors = { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell } as const;

interface Truth {
  module: keyof typeof constructors;
  options: Record<string, unknown>;
  dtype: 'float32' | 'float64' | 'float16' | 'bfloat16';
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

const moduleFile = 'lstm-l2-bi-bf-i3h4.module.pt';
const files = readdirSync(dir).filter((f) => f.endsWith('.pt') && f !== moduleFile);
/** `x.legacy.pt`, `x.strided.pt`, `x.protocol4.pt`, `x.keepvars.pt`, `x.shared.legacy.pt` hold `x.json`'s values; `x.f16.pt` its own. */
const truthOf = (file: string): Truth =>
  JSON.parse(
    readFileSync(
      dir + file.replace(/(\.shared)?(\.legacy|\.strided|\.protocol4|\.keepvars)?\.pt$/, '.json'),
      'utf8',
    ),
  ) as Truth;

describe('torch.save checkpoints written by PyTorch', () => {
  it('cover both layouts, four dtypes, strided and shared storages', () => {
    expect(files.filter((f) => f.endsWith('.legacy.pt')).length).toBeGreaterThanOrEqual(12);
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const tag of ['f64', 'f16', 'bf16', 'strided', 'shared']) {
      expect(files.some((f) => f.includes(`.${tag}.`))).toBe(true);
    }
  });

  it.each(files)('%s reads back bit-exact, in order, and loads into its module', (file) => {
    const truth = truthOf(file);
    const read = readTorch(readFileSync(dir + file));
    expect(read.metadata).toEqual({});
    expect(Object.keys(read.tensors)).toEqual(Object.keys(truth.tensors));
    for (const [name, t] of Object.entries(truth.tensors)) {
      const got = read.tensors[name]!;
      expect(got.shape).toEqual(t.shape);
      expect(got.stored).toBe(truth.dtype);
      expect(got.data).toBeInstanceOf(truth.dtype === 'float64' ? Float64Array : Float32Array);
      expect(Array.from(got.data)).toEqual(t.data);
    }
    // The file says nothing of the module: its kind and options come from the names and shapes.
    const inferred = inferModule(read.tensors)!;
    expect(inferred.module).toBe(truth.module);
    for (const [option, value] of Object.entries(truth.options)) {
      if (!inferred.unknown.includes(option)) expect(inferred.options[option]).toEqual(value);
    }
    const dtype = truth.dtype === 'float64' ? 'float64' : 'float32';
    const Ctor = constructors[inferred.module] as unknown as new (options: object) => Module;
    const module = new Ctor({ ...inferred.options, backend, dtype });
    module.loadStateDict(read.tensors);
    const state = module.stateDict();
    for (const [name, t] of Object.entries(truth.tensors))
      expect(Array.from(state[name]!.toArray())).toEqual(t.data);
  });

  it('refuses a whole pickled module and says to save its state_dict()', () => {
    const bytes = readFileSync(dir + moduleFile);
    expect(() => readTorch(bytes)).toThrow(WeightFileError);
    expect(() => readTorch(bytes)).toThrow(
      'torch: refusing pickle global torch.nn.modules.rnn.LSTM: the file holds a whole pickled module ' +
        '(torch.save(model)), not a state dict; save model.state_dict() instead',
    );
  });
});
