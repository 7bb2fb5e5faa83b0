import { describeBackend } from '@recur/conformance/vitest';
import { describe, expect, it } from 'vitest';
import { createJsBackend } from './index.js';
import { simdBackend } from './testing/flavours.js';
import { PLAIN_FLAVOUR } from './wasm/module.js';

// float32 against PyTorch's float64 references: atol 1e-5, rtol 1e-4; float64: 1e-10.
const tolerance = { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-10, rtol: 1e-10 } };

// The default backend: on Node 20 that is the WebAssembly SIMD tier (checked below).
describeBackend('js', () => createJsBackend(), { tolerance });

// The same suite on the plain-TypeScript tier, which must keep working where wasm SIMD does not.
describeBackend('js (scalar kernels)', () => createJsBackend({ kernel: 'scalar' }), { tolerance });

// And on the mul+add SIMD kernels that engines without relaxed SIMD get (the default here uses FMA).
describeBackend('js (simd kernels, mul+add)', () => simdBackend(PLAIN_FLAVOUR), { tolerance });

describe('kernel tier selection', () => {
  it('picks the SIMD tier by default on this engine (Node 20 validates simd128)', () => {
    const backend = createJsBackend();
    expect(backend.kernel).toBe('simd');
    expect(backend.kernelInfo.detail).toMatch(/^wasm simd128 \+ relaxed FMA/);
  });

  it('takes two threads by default where the machine has two cores, and says so', async () => {
    const { logicalCores } = await import('./wasm/threads.js');
    const detail = createJsBackend().kernelInfo.detail;
    if (logicalCores() >= 2) expect(detail).toMatch(/, 2 threads, or 1 where measured faster \(auto\)$/);
    else expect(detail).toMatch(/, 1 thread \(auto: one core\)$/);
    expect(createJsBackend({ threads: 1 }).kernelInfo.detail).toMatch(/, 1 thread$/);
  });

  it('forces the plain tier with kernel: scalar', () => {
    const backend = createJsBackend({ kernel: 'scalar' });
    expect(backend.kernel).toBe('scalar');
    expect(backend.kernelInfo.detail).toBe('plain TypeScript (requested)');
  });

  it('rejects unknown options instead of guessing', () => {
    expect(() => createJsBackend({ kernel: 'gpu' as never })).toThrow(/kernel must be/);
    expect(() => createJsBackend({ threads: 3 as never })).toThrow(/threads must be/);
  });
});
