import { describe, expect, it } from 'vitest';
import { computeRatios, type ResultRow } from './results.js';
import { formatPair, ratioMatrix } from './views.js';

/** An `ok` W4 LSTM forward row of `system` with median `ms`. */
function row(system: string, ms: number): ResultRow {
  return {
    system,
    path: system.startsWith('recur-') ? 'fused' : null,
    requested: system.startsWith('recur-') ? 'auto' : null,
    kernel: null,
    cell: 'lstm',
    workload: 'W4',
    mode: 'forward',
    ms: { min: ms, median: ms, max: ms },
    gflops: 1,
    status: 'ok',
    reps: 1,
    warmup: 1,
  };
}

describe('ratios against PyTorch', () => {
  it('take the faster of torch and torch-1t on each row, and say which', () => {
    const oneFaster = computeRatios([row('recur-js', 4), row('torch', 20), row('torch-1t', 12)]);
    expect(oneFaster).toHaveLength(1);
    expect(oneFaster[0]).toMatchObject({ reference: 'torch', against: 'torch-1t', ratio: 3 });
    expect(formatPair(ratioMatrix(oneFaster).lines[0]!.values[0])).toBe('3.00× (1t) / –');

    const allFaster = computeRatios([row('recur-js', 4), row('torch', 8), row('torch-1t', 12)]);
    expect(allFaster[0]).toMatchObject({ reference: 'torch', against: 'torch', ratio: 2 });
    expect(formatPair(ratioMatrix(allFaster).lines[0]!.values[0])).toBe('2.00× / –');
  });

  it('use torch alone when the one-thread run is missing or failed, and none when torch is unfair', () => {
    const failed: ResultRow = { ...row('torch-1t', 1), status: 'failed', ms: null, reason: 'x' };
    expect(computeRatios([row('recur-js', 4), row('torch', 8), failed])[0]).toMatchObject({ ratio: 2 });
    expect(
      computeRatios([row('recur-js', 4), row('torch', 8), row('torch-1t', 2)], new Set(['torch'])),
    ).toEqual([]);
  });
});
