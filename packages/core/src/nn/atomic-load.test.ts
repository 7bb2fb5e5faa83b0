/** `loadStateDict` is all or nothing, and bad data never becomes numbers silently. */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import type { StateDict } from '../index.js';
import { Generator, GRU, Linear, LSTM, tensor } from '../index.js';

const backend = createJsBackend();

const snapshot = (m: { namedParameters(): [string, { value: { toList(): number[] } }][] }) =>
  m.namedParameters().map(([n, p]) => [n, p.value.toList()]);

/** A full state dict of fresh values for `m`, as `{shape, data}`. */
function freshState(m: LSTM): Record<string, { shape: readonly number[]; data: number[] }> {
  return Object.fromEntries(
    m
      .namedParameters()
      .map(([n, p]) => [n, { shape: p.value.shape, data: p.value.toList().map((v) => v + 1) }]),
  );
}

describe('loadStateDict whose LAST entry is bad changes nothing', () => {
  const bad: [string, (shape: readonly number[], size: number) => unknown, RegExp][] = [
    [
      'a disposed tensor',
      (shape, size) => {
        const t = tensor(new Array(size).fill(0), shape, { backend });
        t.dispose();
        return t;
      },
      /has been disposed/,
    ],
    [
      'a tensor of the wrong shape',
      () => tensor([1, 2], [2], { backend }),
      /expected shape \[20\], got \[2\]/,
    ],
    [
      'string data',
      (shape, size) => ({ shape, data: new Array(size).fill('0.5') }),
      /data\[0\] must be a number, got "0.5"/,
    ],
    [
      '{length} as data',
      (shape, size) => ({ shape, data: { length: size } }),
      /data must be an array or typed array of numbers, got Object/,
    ],
    ['null', () => null, /expected a Tensor or \{shape, data\}, got null/],
    [
      'a negative shape',
      () => ({ shape: [-20], data: [] }),
      /shape must be an array of non-negative integers, got \[-20\]/,
    ],
  ];
  it.each(bad)('%s', (_, make, pattern) => {
    const lstm = new LSTM({
      inputSize: 3,
      hiddenSize: 5,
      numLayers: 2,
      backend,
      generator: new Generator(1),
    });
    const state = freshState(lstm);
    const names = Object.keys(state);
    const last = names[names.length - 1]!;
    expect(last).toBe('bias_hh_l1');
    const replacement = make([20], 20);
    const before = snapshot(lstm);
    const live = backend.liveTensors();
    expect(() => lstm.loadStateDict({ ...state, [last]: replacement } as StateDict)).toThrow(pattern);
    expect(() => lstm.loadStateDict({ ...state, [last]: replacement } as StateDict)).toThrow(
      /LSTM\.loadStateDict: "bias_hh_l1"/,
    );
    expect(snapshot(lstm)).toEqual(before);
    expect(backend.liveTensors()).toBe(live);
    // The same dict with a good last entry loads completely.
    lstm.loadStateDict(state);
    expect(snapshot(lstm)).toEqual(
      names.map((n) => [n, Array.from(new Float32Array(state[n]!.data as number[]))]),
    );
  });

  it('loads from its own parameters (sources are read before the first write)', () => {
    const a = new GRU({ inputSize: 2, hiddenSize: 3, backend, generator: new Generator(2) });
    const before = snapshot(a);
    a.loadStateDict(a.stateDict());
    expect(snapshot(a)).toEqual(before);
  });

  it.each([
    [
      undefined,
      /state must be an object mapping parameter names to tensors or \{shape, data\}, got undefined/,
    ],
    [null, /got null/],
    [[1, 2], /got \[1, 2\]/],
    ['weights.json', /got "weights.json"/],
  ])('refuses %s as the state dict', (state, pattern) => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 2, backend });
    expect(() => lin.loadStateDict(state as unknown as StateDict)).toThrow(pattern);
  });
});

describe('tensor data and sizes', () => {
  it.each([
    [['0.5', 1], /tensor: data\[0\] must be a number, got "0.5"/],
    [['abc', 1], /data\[0\] must be a number, got "abc"/],
    [{ length: 2 }, /tensor: data must be an array or typed array of numbers, got Object/],
    [[1, null], /data\[1\] must be a number, got null/],
    [[1, 2, 3], /tensor: data must have 2 elements, got 3/],
  ])('tensor(%j) is refused', (data, pattern) => {
    const live = backend.liveTensors();
    expect(() => tensor(data as unknown as number[], [2], { backend })).toThrow(pattern);
    expect(backend.liveTensors()).toBe(live);
  });

  it('NaN and ±Infinity are numbers and are kept', () => {
    const t = tensor([Number.NaN, Number.POSITIVE_INFINITY], [2], { backend });
    expect(t.toList()).toEqual([Number.NaN, Number.POSITIVE_INFINITY]);
  });

  it('a module too large for one tensor fails at once, naming the parameter, and allocates nothing', () => {
    const live = backend.liveTensors();
    expect(() => new LSTM({ inputSize: 1e5, hiddenSize: 1e6, backend })).toThrow(
      /LSTM: weight_ih_l0 of shape \[4000000, 100000\] would have 4\.000e\+11 elements, more than one tensor can hold/,
    );
    expect(() => new Linear({ inFeatures: 1e5, outFeatures: 1e5, backend })).toThrow(
      /Linear: weight of shape \[100000, 100000\]/,
    );
    expect(() => tensor([], [1e5, 1e5], { backend })).toThrow(
      /tensor: the tensor of shape \[100000, 100000\] would have/,
    );
    expect(backend.liveTensors()).toBe(live);
  });
});
