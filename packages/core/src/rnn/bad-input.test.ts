/**
 * Bad input gets a clear error naming the argument, the expected and the actual value, thrown before
 * any work (no tensor is created) and leaving the module unchanged.
 */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../index.js';
import { GRU, LSTM, LSTMCell, RNN, RNNCell, randn, zeros } from '../index.js';

const backend = createJsBackend();
const placement = { backend };

/**
 * Asserts the call throws a message matching every pattern, creating no tensor on the way. `prepare`
 * builds the (bad) arguments first and returns the call, so only the call itself is measured.
 */
function expectCleanError(prepare: () => unknown, ...patterns: RegExp[]): void {
  const prepared = prepare();
  const fn = typeof prepared === 'function' ? (prepared as () => unknown) : prepare;
  const before = backend.liveTensors();
  let message = '';
  try {
    fn();
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message, 'expected an error').not.toBe('');
  for (const p of patterns) expect(message).toMatch(p);
  expect(backend.liveTensors(), 'no tensor may be created before the error').toBe(before);
}

describe('constructor options', () => {
  const cases: [string, () => unknown, RegExp[]][] = [
    [
      'projSize ≥ hiddenSize',
      () => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 4, ...placement }),
      [/projSize/, /\[0, 4\)/, /got 4/],
    ],
    [
      'negative projSize',
      () => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: -1, ...placement }),
      [/projSize/, /got -1/],
    ],
    [
      'projSize on GRU',
      () => new GRU({ inputSize: 3, hiddenSize: 4, projSize: 2, ...placement } as never),
      [/projSize/, /only LSTM/],
    ],
    [
      'dropout > 1',
      () => new GRU({ inputSize: 3, hiddenSize: 4, dropout: 1.5, ...placement }),
      [/dropout/, /\[0, 1\]/, /got 1.5/],
    ],
    [
      'dropout < 0',
      () => new GRU({ inputSize: 3, hiddenSize: 4, dropout: -0.1, ...placement }),
      [/dropout/, /got -0.1/],
    ],
    [
      'dropout NaN',
      () => new GRU({ inputSize: 3, hiddenSize: 4, dropout: Number.NaN, ...placement }),
      [/dropout/, /got NaN/],
    ],
    [
      'numLayers 0',
      () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 0, ...placement }),
      [/numLayers/, /≥ 1/, /got 0/],
    ],
    [
      'numLayers 1.5',
      () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 1.5, ...placement }),
      [/numLayers/, /got 1.5/],
    ],
    [
      'nonlinearity',
      () => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'sigmoid' as never, ...placement }),
      [/nonlinearity/, /"tanh" or "relu"/, /"sigmoid"/],
    ],
    [
      'RNNCell nonlinearity',
      () => new RNNCell({ inputSize: 3, hiddenSize: 4, nonlinearity: 'gelu' as never, ...placement }),
      [/nonlinearity/, /"gelu"/],
    ],
    ['hiddenSize 0', () => new LSTM({ inputSize: 3, hiddenSize: 0, ...placement }), [/hiddenSize/, /got 0/]],
    [
      'inputSize string',
      () => new LSTM({ inputSize: '3' as never, hiddenSize: 4, ...placement }),
      [/inputSize/, /"3"/],
    ],
    [
      'bias not boolean',
      () => new GRU({ inputSize: 3, hiddenSize: 4, bias: 1 as never, ...placement }),
      [/bias/, /boolean/],
    ],
    [
      'dtype unsupported',
      () => new GRU({ inputSize: 3, hiddenSize: 4, dtype: 'float16' as never, ...placement }),
      [/dtype/, /float16/],
    ],
  ];
  for (const [name, construct, patterns] of cases)
    it(name, () => expectCleanError(() => construct, ...patterns));
});

describe('forward arguments', () => {
  const lstm = new LSTM({
    inputSize: 3,
    hiddenSize: 4,
    numLayers: 2,
    bidirectional: true,
    projSize: 2,
    ...placement,
  });
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, ...placement });
  const x = randn([5, 2, 3], placement); // [T, N, I]
  const h0 = zeros([4, 2, 2], placement);
  const c0 = zeros([4, 2, 4], placement);
  const cases: [string, () => unknown, RegExp[]][] = [
    [
      'input rank 4',
      () => {
        const a = [randn([5, 2, 3, 1], placement)] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/input/, /\[T, N, inputSize\]/, /\[5, 2, 3, 1\]/],
    ],
    [
      'input rank 1',
      () => {
        const a = [randn([3], placement)] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/input/, /\[3\]/],
    ],
    [
      'input feature size',
      () => {
        const a = [randn([5, 2, 4], placement)] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/input/, /inputSize = 3/, /\[5, 2, 4\]/],
    ],
    [
      'h0 wrong batch',
      () => {
        const a = [x, [zeros([4, 3, 2], placement), c0]] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/h0/, /\[4, 2, 2\]/, /got shape \[4, 3, 2\]/],
    ],
    [
      'h0 uses hiddenSize instead of projSize',
      () => {
        const a = [x, [zeros([4, 2, 4], placement), c0]] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/h0/, /\[4, 2, 2\]/, /\[4, 2, 4\]/],
    ],
    [
      'c0 wrong size',
      () => {
        const a = [x, [h0, zeros([4, 2, 2], placement)]] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/c0/, /\[4, 2, 4\]/, /\[4, 2, 2\]/],
    ],
    [
      'hx not a pair',
      () => {
        const a = [x, [h0] as never] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/hx/, /\[h0, c0\]/],
    ],
    [
      'lengths count',
      () => {
        const a = [x, null, { lengths: [5] }] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/lengths/, /one entry per batch row \(2\)/, /got 1/],
    ],
    [
      'lengths too long',
      () => {
        const a = [x, null, { lengths: [6, 2] }] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/lengths\[0\]/, /\[1, 5\]/, /got 6/],
    ],
    [
      'lengths zero',
      () => {
        const a = [x, null, { lengths: [5, 0] }] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/lengths\[1\]/, /got 0/],
    ],
    [
      'lengths not integer',
      () => {
        const a = [x, null, { lengths: [5, 2.5] }] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/lengths\[1\]/, /integer/, /got 2.5/],
    ],
    [
      'lengths not numbers',
      () => {
        const a = [x, null, { lengths: ['5', 2] as never }] as const;
        return () => (lstm.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/lengths\[0\]/, /"5"/],
    ],
    [
      'lengths with unbatched input',
      () => {
        const a = [randn([5, 3], placement), null, { lengths: [5] }] as const;
        return () => (gru.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/lengths/, /batched/],
    ],
    [
      'batchFirst h0 batch',
      () => {
        const a = [randn([2, 5, 3], placement), zeros([1, 5, 4], placement)] as const;
        return () => (gru.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/h0/, /\[1, 2, 4\]/, /\[1, 5, 4\]/],
    ],
    [
      'input is not a tensor',
      () => {
        const a = [[1, 2, 3] as never] as const;
        return () => (gru.forward as (...xs: unknown[]) => unknown)(...a);
      },
      [/input/, /Tensor/],
    ],
  ];
  for (const [name, fn, patterns] of cases) it(name, () => expectCleanError(fn, ...patterns));

  it('a tensor from another backend is refused with both names', () => {
    const other = createJsBackend();
    Object.defineProperty(other, 'name', { value: 'other-js' });
    const foreign = randn([5, 2, 3], { backend: other });
    expectCleanError(() => () => gru.forward(foreign), /input/, /"other-js"/, /"js"/);
  });

  it('a float64 input to a float32 module is refused', () => {
    const x64 = randn([2, 5, 3], { ...placement, dtype: 'float64' });
    expectCleanError(() => () => gru.forward(x64), /dtype float64/, /float32/);
  });

  it('cells check input and state shapes', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, ...placement });
    const wide = randn([2, 5], placement);
    expectCleanError(() => () => cell.forward(wide), /input/, /\[N, 3\]/, /\[2, 5\]/);
    const hx: [Tensor, Tensor] = [zeros([2, 4], placement), zeros([3, 4], placement)];
    const input = randn([2, 3], placement);
    expectCleanError(() => () => cell.forward(input, hx), /c/, /\[2, 4\]/, /\[3, 4\]/);
  });

  it('a failed call leaves the module able to run and unchanged', () => {
    const before = lstm.namedParameters().map(([n, p]) => [n, p.value.toList()]);
    expect(() => lstm.forward(x, null, { lengths: [9, 9] })).toThrow();
    const [out] = lstm.forward(x) as [Tensor, unknown];
    expect(out.shape).toEqual([5, 2, 4]);
    expect(lstm.namedParameters().map(([n, p]) => [n, p.value.toList()])).toEqual(before);
  });
});
