// Any mix of Recur backends works in one process: js, wasm and tfjs-cpu (the two tfjs engines share
// tfjs's single engine and scope stack), trained alternately step by step and interleaved inside one
// `tidy`, give the same numbers as each backend alone and keep every engine's tensor count flat.
import { createJsBackend } from '@recur/backend-js';
import { createTfjsCpuBackend } from '@recur/backend-tfjs-cpu';
import type { AnyBackend, Tensor } from '@recur/core';
import {
  Adam,
  backward,
  clipGradNorm,
  Generator,
  GRU,
  Linear,
  LSTM,
  mseLoss,
  ops,
  randn,
  tidy,
} from '@recur/core';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

/** A seeded LSTM → GRU → Linear model with Adam on one backend. */
function setUp(backend: AnyBackend) {
  const generator = new Generator(11);
  const options = { backend, generator };
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, dropout: 0.2, ...options });
  const gru = new GRU({ inputSize: 5, hiddenSize: 4, ...options });
  const head = new Linear({ inFeatures: 4, outFeatures: 2, ...options });
  const params = [...lstm.parameters(), ...gru.parameters(), ...head.parameters()];
  const optimizer = new Adam(params, { lr: 0.01 });
  const x = randn([6, 3, 3], options);
  const target = randn([3, 2], options);
  const lengths = [6, 4, 2];
  const loss = (): Tensor => {
    const [out] = lstm.forward(x, null, { lengths });
    const [, hn] = gru.forward(out, null, { lengths });
    return mseLoss(head.forward(ops.index0(hn, 0)), target);
  };
  const step = (): number => {
    optimizer.zeroGrad();
    const value = backward(loss, params);
    clipGradNorm(params, 0.5);
    optimizer.step();
    const v = value.item();
    value.dispose();
    return v;
  };
  return { backend, step, loss, params, optimizer };
}

type Setup = ReturnType<typeof setUp>;

const engines: Record<string, () => Promise<AnyBackend>> = {
  js: async () => createJsBackend(),
  wasm: () => createWasmBackend(),
  'tfjs-cpu': () => createTfjsCpuBackend(),
};

/** Losses of `steps` steps on a fresh model of each backend, run alone. */
async function alone(names: readonly string[], steps: number): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const name of names) {
    const s = setUp(await engines[name]!());
    out[name] = Array.from({ length: steps }, () => s.step());
  }
  return out;
}

const live = (setups: readonly Setup[]) => setups.map((s) => s.backend.liveTensors());

const pairs: [string, string][] = [
  ['js', 'wasm'],
  ['js', 'tfjs-cpu'],
  ['wasm', 'tfjs-cpu'],
  ['tfjs-cpu', 'wasm'],
];

describe.each(pairs)('%s with %s in one process', (first, second) => {
  const steps = 6;

  it('alternating training steps give the numbers of each backend alone, with no leak', async () => {
    const expected = await alone([first, second], steps);
    // Both created (and registered with core) before either trains: the order that used to fail.
    const setups = [setUp(await engines[first]!()), setUp(await engines[second]!())];
    const losses: number[][] = [[], []];
    setups.forEach((s, i) => {
      losses[i]!.push(s.step());
    });
    const afterWarmUp = live(setups);
    for (let step = 1; step < steps; step++) {
      setups.forEach((s, i) => {
        losses[i]!.push(s.step());
      });
    }
    expect(losses[0]).toEqual(expected[first]);
    expect(losses[1]).toEqual(expected[second]);
    expect(live(setups)).toEqual(afterWarmUp);
  });

  it('interleaved in one tidy: tensors of both backends made and released around both backward passes', async () => {
    const expected = await alone([first, second], 1);
    const setups = [setUp(await engines[first]!()), setUp(await engines[second]!())];
    const before = live(setups);
    const [a, b] = tidy(() => {
      const scratch = setups.map((s) => ops.tanh(randn([4, 4], { backend: s.backend })));
      const values = setups.map((s) => backward(s.loss, s.params));
      // Both losses leave the scope; the scratch tensors of both backends are released.
      expect(scratch.every((t) => !t.isDisposed)).toBe(true);
      return values;
    });
    expect(a!.item()).toBe(expected[first]![0]);
    expect(b!.item()).toBe(expected[second]![0]);
    a!.dispose();
    b!.dispose();
    for (const s of setups) {
      for (const p of s.params) {
        expect(p.grad).not.toBeNull();
        expect(p.grad!.isDisposed).toBe(false);
      }
      s.optimizer.zeroGrad();
    }
    expect(live(setups)).toEqual(before);
  });

  it('tidy returns live tensors of both backends', async () => {
    const [p, q] = [await engines[first]!(), await engines[second]!()];
    const x = randn([2, 3], { backend: p });
    const y = randn([2, 3], { backend: q });
    const [u, v] = tidy(() => [ops.add(x, x), ops.mul(y, y)]);
    expect(u!.isDisposed).toBe(false);
    expect(v!.isDisposed).toBe(false);
    expect(u!.toList()).toEqual(Array.from(x.toArray(), (e) => e + e));
    for (const t of [x, y, u!, v!]) t.dispose();
  });
});
