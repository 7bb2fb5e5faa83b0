/**
 * A module's forward leaves only its results alive: the layers' intermediates are released inside the
 * call, so a streaming loop that carries the state and disposes what it is done with stays flat
 * without wrapping every call in `tidy`.
 */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import { dispose, Generator, GRU, LSTM, packPaddedSequence, RNN, randn, type Tensor } from '../index.js';
import { collectTensors } from '../memory.js';

/** Tensors reachable from `result` that `input` does not hold (the ones the call created). */
function created(result: unknown, input: unknown): number {
  const given = new Set(collectTensors(input));
  return new Set(collectTensors(result).filter((t) => !given.has(t))).size;
}

const backend = createJsBackend();

const modules = {
  lstm: () => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, backend }),
  gru: () => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, backend }),
  rnn: () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, backend }),
};

type Forward = (input: unknown, state?: unknown) => [unknown, unknown];

describe.each(Object.keys(modules))('%s forward outside tidy', (cell) => {
  const module = modules[cell as keyof typeof modules]();
  const forward: Forward = (input, state) =>
    (module as unknown as { forward: Forward }).forward(input, state);
  const generator = new Generator(1);

  it('creates only the output and the final states', () => {
    const x = randn([5, 2, 3], { backend, generator });
    const before = backend.liveTensors();
    const [output, state] = forward(x);
    const results = cell === 'lstm' ? 3 : 2;
    expect(backend.liveTensors()).toBe(before + results);
    dispose([output, state, x]);
  });

  it('creates only the results for a packed input too', () => {
    const x = randn([5, 2, 3], { backend, generator });
    const packed = packPaddedSequence(x, [5, 3]);
    const before = backend.liveTensors();
    const [output, state] = forward(packed);
    expect(created([output, state], packed)).toBeGreaterThanOrEqual(cell === 'lstm' ? 3 : 2);
    expect(backend.liveTensors()).toBe(before + created([output, state], packed));
    dispose([output, state, packed, x]);
  });

  it('stays flat over a streaming loop that carries the state', () => {
    const x = randn([1, 1, 3], { backend, generator });
    let state: unknown;
    const call = () => {
      const [output, next] = forward(x, state);
      dispose([output as Tensor, state]);
      state = next;
    };
    call();
    const before = backend.liveTensors();
    for (let i = 0; i < 20; i++) call();
    expect(backend.liveTensors()).toBe(before);
    dispose([state, x]);
  });
});
