/** The SIMD128 peak probe: valid modules that compute what they say (no timing is asserted). */
import { describe, expect, it } from 'vitest';
import { emitPeakModule, measureWasmSimdPeak } from './peak.js';

describe('emitPeakModule', () => {
  it('emits a valid mul+add probe whose accumulators follow acc·a + b', () => {
    const bytes = emitPeakModule(8, false);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { peak } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as {
      peak: (n: number, a: number, b: number) => number;
    };
    // a = 1, b = 0.5: each of the 4 unrolled updates adds 0.5, so 3 iterations add 6 per accumulator.
    const start = Array.from({ length: 8 }, (_, i) => Math.fround(1 + i / 64)).reduce((s, v) => s + v, 0);
    expect(peak(3, 1, 0.5)).toBeCloseTo(start + 8 * 6, 4);
    expect(peak(0, 1, 0.5)).toBeCloseTo(start, 4);
  });

  it('refuses silly accumulator counts', () => {
    expect(() => emitPeakModule(0, false)).toThrow(RangeError);
    expect(() => emitPeakModule(33, true)).toThrow(/\[1, 32\]/);
  });

  it('measures every variant and reports the best', () => {
    const p = measureWasmSimdPeak({ accumulators: [2], repeats: 1, runMs: 1 });
    expect(p.variants.length).toBe(p.relaxedAvailable ? 2 : 1);
    expect(p.gflops).toBe(Math.max(...p.variants.map((v) => v.gflops)));
    expect(p.variants.every((v) => v.gflops > 0 && v.accumulators === 2)).toBe(true);
  });
});
