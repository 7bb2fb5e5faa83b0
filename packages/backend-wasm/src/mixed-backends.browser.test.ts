// In a page: webgl, wasm and js Recur backends side by side. webgl and wasm share tfjs's single engine
// (and its scope stack); trained alternately, each gives the numbers it gives alone and leaks nothing.
import { createJsBackend } from '@recur/backend-js';
import { createWebglBackend } from '@recur/backend-webgl';
import type { AnyBackend } from '@recur/core';
import { Adam, backward, clipGradNorm, Generator, GRU, Linear, mseLoss, ops, randn, tidy } from '@recur/core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

const wasmPaths = Object.fromEntries(
  Object.entries({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  }).map(([file, url]) => [file, new URL(url, location.href).href]),
);

const engines: Record<string, () => Promise<AnyBackend>> = {
  js: async () => createJsBackend(),
  wasm: () => createWasmBackend({ wasmPaths }),
  webgl: () => createWebglBackend(),
};

/** A seeded GRU → Linear regression with Adam and clipping; `step()` returns the loss. */
function setUp(backend: AnyBackend) {
  const generator = new Generator(21);
  const options = { backend, generator };
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, ...options });
  const head = new Linear({ inFeatures: 4, outFeatures: 1, ...options });
  const params = [...gru.parameters(), ...head.parameters()];
  const optimizer = new Adam(params, { lr: 0.02 });
  const x = randn([5, 2, 3], options);
  const target = randn([2, 1], options);
  return {
    backend,
    step(): number {
      optimizer.zeroGrad();
      const loss = backward(() => {
        const [, hn] = gru.forward(x, null, { lengths: [5, 3] });
        return mseLoss(head.forward(ops.index0(hn, 1)), target);
      }, params);
      clipGradNorm(params, 1);
      optimizer.step();
      const value = loss.item();
      loss.dispose();
      return value;
    },
  };
}

describe.each([
  ['webgl', 'wasm'],
  ['wasm', 'webgl'],
  ['webgl', 'js'],
])('%s with %s in one page', (first, second) => {
  it('alternating training steps give the numbers of each backend alone, with no leak', async () => {
    const steps = 4;
    const alone: Record<string, number[]> = {};
    for (const name of [first!, second!]) {
      const s = setUp(await engines[name]!());
      alone[name] = Array.from({ length: steps }, () => s.step());
    }
    const setups = [setUp(await engines[first!]!()), setUp(await engines[second!]!())];
    const losses: number[][] = [[], []];
    const live: number[][] = [];
    for (let step = 0; step < steps; step++) {
      setups.forEach((s, i) => {
        losses[i]!.push(s.step());
      });
      live.push(setups.map((s) => s.backend.liveTensors()));
    }
    expect(losses[0]).toEqual(alone[first!]);
    expect(losses[1]).toEqual(alone[second!]);
    expect(live.at(-1)).toEqual(live[0]);
  });

  it('one tidy returns live tensors of both backends', async () => {
    const [p, q] = [await engines[first!]!(), await engines[second!]!()];
    const x = randn([2, 3], { backend: p });
    const y = randn([2, 3], { backend: q });
    const [u, v] = tidy(() => [ops.add(x, x), ops.mul(y, y)]);
    expect(u!.isDisposed || v!.isDisposed).toBe(false);
    expect(u!.toList()).toEqual(Array.from(x.toArray(), (e) => e + e));
    for (const t of [x, y, u!, v!]) t.dispose();
  });
});
