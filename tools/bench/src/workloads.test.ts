import { describe, expect, it } from 'vitest';
import { flopsPerStep, parseWorkload, workloadByName } from './workloads.js';

describe('parseWorkload', () => {
  it('takes the named workloads in any case', () => {
    expect(parseWorkload('w2')).toBe(workloadByName('W2'));
    expect(parseWorkload('W4').modes).toEqual(['forward']);
  });

  it('takes shapes of your own, layers defaulting to 1, and names them canonically', () => {
    const w = parseWorkload('b8t100i16h32');
    expect(w).toMatchObject({ name: 'B8T100I16H32L1', batch: 8, steps: 100, inputSize: 16, hiddenSize: 32 });
    expect(w.layers).toBe(1);
    expect(w.modes).toEqual(['forward', 'train']);
    expect(parseWorkload('B1xT256xI64xH128xL3')).toMatchObject({ name: 'B1T256I64H128L3', layers: 3 });
    // Counted like the named ones: a shape equal to W1's has W1's FLOPs and repetitions.
    const likeW1 = parseWorkload('B16_T32_I32_H64_L1');
    expect(flopsPerStep(likeW1, 'lstm', 'train')).toBe(flopsPerStep(workloadByName('W1'), 'lstm', 'train'));
    expect(likeW1.defaultReps).toBe(workloadByName('W1').defaultReps);
    expect(parseWorkload('B64T128I256H512L2').defaultReps).toBe(workloadByName('W3').defaultReps);
  });

  it.each([
    ['W9', /unknown workload "W9".*B16T32I32H64L1/],
    ['B16T32I32', /unknown workload/],
    ['B0T32I32H64', /B must be an integer ≥ 1, got 0/],
    ['B2T32I32H64L0', /L must be an integer ≥ 1, got 0/],
    ['B2T3.5I32H64', /unknown workload/],
  ])('refuses %s with the reason', (spec, message) => {
    expect(() => parseWorkload(spec)).toThrow(message);
  });
});
