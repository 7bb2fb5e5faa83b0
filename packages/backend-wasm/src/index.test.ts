import { describe, expect, it } from 'vitest';
import { describeTfjsBackend } from '../../backend-tfjs/src/testing/suites.js';
import { createWasmBackend } from './index.js';

describeTfjsBackend('wasm', () => createWasmBackend());

describe('createWasmBackend', () => {
  it('computes on tfjs wasm with SIMD, single-threaded in Node', async () => {
    const backend = await createWasmBackend();
    const tf = await import('@tensorflow/tfjs-core');
    expect(backend.name).toBe('wasm');
    expect(backend.engine).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')).toBe(true);
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    // tfjs-wasm has no UnsortedSegmentSum kernel: gather's gradient scatter-adds on the host.
    expect(backend.gatherGradient).toBe('host');
    expect((await createWasmBackend({ fused: false })).fused).toBeUndefined();
  });
});
