/** A tensor created on one backend and passed to a module on another gets a clear error, before any work. */
import { createJsBackend } from '@recur/backend-js';
import { createTfjsCpuBackend } from '@recur/backend-tfjs-cpu';
import { GRU, LSTM, randn, zeros } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

describe('tensors from another backend', () => {
  it('js input into a wasm module', async () => {
    const wasm = await createWasmBackend();
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, backend: wasm });
    const x = randn([5, 2, 3], { backend: createJsBackend() });
    const before = wasm.liveTensors();
    expect(() => gru.forward(x)).toThrow(
      /input lives on backend "js" but the module's parameters live on "wasm"/,
    );
    expect(wasm.liveTensors()).toBe(before);
    gru.dispose();
  });

  it('wasm h0 into a tfjs-cpu module', async () => {
    const wasm = await createWasmBackend();
    const cpu = await createTfjsCpuBackend();
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, backend: cpu });
    const x = randn([5, 2, 3], { backend: cpu });
    const h0 = zeros([1, 2, 4], { backend: wasm });
    const c0 = zeros([1, 2, 4], { backend: cpu });
    expect(() => lstm.forward(x, [h0, c0])).toThrow(
      /h0 lives on backend "wasm( #\d)?" but the module's parameters live on "tfjs-cpu"/,
    );
    lstm.dispose();
  });
});
