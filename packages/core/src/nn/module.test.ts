/** Parameter names and shapes (checked against PyTorch's state_dicts in the committed cases), init and state dicts. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import { Generator, GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, randn, stateDictToJSON } from '../index.js';

const backend = createJsBackend();
const casesDir = fileURLToPath(new URL('../../../../fixtures/cases', import.meta.url));

describe('parameters are named and shaped exactly as PyTorch state_dict', () => {
  const constructors = { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell } as const;
  for (const file of readdirSync(casesDir).filter((f) => f.endsWith('.json'))) {
    const c = JSON.parse(readFileSync(`${casesDir}/${file}`, 'utf8'));
    it(c.name, () => {
      const Ctor = constructors[c.module as keyof typeof constructors] as unknown as new (o: object) => LSTM;
      const module = new Ctor({ ...c.options, backend });
      // Same keys, same order (PyTorch's _flat_weights_names order), same shapes.
      expect(module.namedParameters().map(([n, p]) => [n, p.value.shape])).toEqual(
        Object.entries(c.parameters as Record<string, { shape: number[] }>).map(([n, t]) => [n, t.shape]),
      );
      module.dispose();
    });
  }
});

describe('seeded initialisation', () => {
  it('is reproducible, independent of the backend, and within ±1/√hiddenSize', () => {
    const a = new LSTM({ inputSize: 3, hiddenSize: 16, numLayers: 2, backend, generator: new Generator(42) });
    const b = new LSTM({
      inputSize: 3,
      hiddenSize: 16,
      numLayers: 2,
      backend: createJsBackend(),
      dtype: 'float64',
      generator: new Generator(42),
    });
    const c = new LSTM({ inputSize: 3, hiddenSize: 16, numLayers: 2, backend, generator: new Generator(43) });
    const flat = (m: LSTM) => m.parameters().flatMap((p) => p.value.toList());
    expect(flat(a)).toEqual(flat(b).map((v) => Math.fround(v)));
    expect(flat(a)).not.toEqual(flat(c));
    const bound = 1 / Math.sqrt(16);
    expect(flat(a).every((v) => Math.abs(v) <= bound)).toBe(true);
    // Uniform: roughly a quarter of the values in each quarter of the range.
    const low = flat(a).filter((v) => v < -bound / 2).length / flat(a).length;
    expect(low).toBeGreaterThan(0.2);
    expect(low).toBeLessThan(0.3);
  });
});

describe('stateDict / loadStateDict', () => {
  const make = (seed: number) =>
    new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, backend, generator: new Generator(seed) });

  it('round-trips weights, also through JSON and across dtypes', () => {
    const a = make(1);
    const b = new GRU({
      inputSize: 2,
      hiddenSize: 3,
      bidirectional: true,
      backend,
      dtype: 'float64',
      generator: new Generator(2),
    });
    b.loadStateDict(JSON.parse(JSON.stringify(stateDictToJSON(a.stateDict()))));
    const x = randn([4, 1, 2], { backend, generator: new Generator(3) });
    const x64 = randn([4, 1, 2], { backend, dtype: 'float64', generator: new Generator(3) });
    const ya = a.forward(x)[0].toList();
    const yb = b.forward(x64)[0].toList();
    for (const [i, v] of ya.entries()) expect(v).toBeCloseTo(yb[i]!, 6);
  });

  it('reports missing, unexpected and misshapen keys together and changes nothing', () => {
    const a = make(1);
    const before = a.parameters().map((p) => p.value.toList());
    const state = stateDictToJSON(make(2).stateDict());
    delete state.bias_hh_l0;
    state.weight_ih_l0_reverse = { shape: [9, 3], data: new Array(27).fill(0) };
    state.extra_l9 = { shape: [1], data: [0] };
    let message = '';
    try {
      a.loadStateDict(state);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/missing key "bias_hh_l0" \(expected shape \[9\]\)/);
    expect(message).toMatch(/"weight_ih_l0_reverse": expected shape \[9, 2\], got \[9, 3\]/);
    expect(message).toMatch(/unexpected key "extra_l9"/);
    expect(a.parameters().map((p) => p.value.toList())).toEqual(before);
  });

  it('refuses data whose length does not match its shape', () => {
    const a = make(1);
    const state = stateDictToJSON(a.stateDict());
    state.bias_ih_l0 = { shape: [9], data: [1, 2] };
    expect(() => a.loadStateDict(state)).toThrow(/"bias_ih_l0": expected 9 values, got 2/);
  });

  it('moves between backends with to()', () => {
    const a = make(5);
    const other = createJsBackend();
    const before = a.parameters().map((p) => p.value.toList());
    a.to(other, 'float64');
    expect(a.backend).toBe(other);
    expect(a.parameters().every((p) => p.value.backend === other && p.value.dtype === 'float64')).toBe(true);
    for (const [i, p] of a.parameters().entries()) expect(p.value.toList()).toEqual(before[i]);
  });
});

describe('train / eval and dropout', () => {
  it('dropout acts only in training, is seeded, and leaves eval deterministic', () => {
    const run = (seed: number, training: boolean) => {
      const m = new LSTM({
        inputSize: 2,
        hiddenSize: 8,
        numLayers: 2,
        dropout: 0.5,
        backend,
        generator: new Generator(seed),
      });
      m.train(training);
      const x = randn([3, 2, 2], { backend, generator: new Generator(9) });
      return m.forward(x)[0].toList();
    };
    expect(run(1, true)).toEqual(run(1, true));
    expect(run(1, false)).toEqual(run(1, false));
    expect(run(1, true)).not.toEqual(run(1, false));
  });
});
