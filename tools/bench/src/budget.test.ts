import { describe, expect, it } from 'vitest';
import { predictStepMs, repsWithinBudget, wantsMoreWarmup } from './budget.js';
import { summarize } from './stats.js';
import { flopsPerStep, workloadByName } from './workloads.js';

describe('analytic FLOPs', () => {
  it('counts 2·B·(I_l+H)·G·H per time step and layer, ×3 for training', () => {
    const w1 = workloadByName('W1');
    expect(flopsPerStep(w1, 'lstm', 'forward')).toBe(2 * 16 * (32 + 64) * 4 * 64 * 32);
    expect(flopsPerStep(w1, 'rnn', 'train')).toBe(3 * 2 * 16 * (32 + 64) * 1 * 64 * 32);
    const w3 = workloadByName('W3');
    const perLayer = (i: number) => 2 * 64 * (i + 512) * 3 * 512 * 128;
    expect(flopsPerStep(w3, 'gru', 'forward')).toBe(perLayer(256) + perLayer(512));
  });
});

describe('budget', () => {
  it('warms up at least once, for 500 ms when steps are fast, at most 100 times', () => {
    expect(wantsMoreWarmup(0, 0)).toBe(true);
    expect(wantsMoreWarmup(1, 5000)).toBe(false);
    expect(wantsMoreWarmup(2, 10)).toBe(true);
    expect(wantsMoreWarmup(5, 10)).toBe(true);
    expect(wantsMoreWarmup(40, 499)).toBe(true);
    expect(wantsMoreWarmup(41, 501)).toBe(false);
    expect(wantsMoreWarmup(100, 10)).toBe(false);
  });

  it('cuts repetitions to the budget, never below one', () => {
    expect(repsWithinBudget(10, 1, 20000)).toBe(10);
    expect(repsWithinBudget(10, 6000, 20000)).toBe(3);
    expect(repsWithinBudget(10, 30000, 20000)).toBe(1);
    expect(repsWithinBudget(10, 30000, null)).toBe(10);
  });

  it('predicts from the observation nearest in FLOPs', () => {
    expect(predictStepMs([], 1e9, 64)).toBeUndefined();
    const observed = [
      { flops: 1e6, ms: 1, workload: 'W1', batch: 16 },
      { flops: 1e8, ms: 50, workload: 'W2', batch: 32 },
      { flops: 5e8, ms: 5000, workload: 'W4', batch: 1 },
    ];
    expect(predictStepMs(observed, 1e9, 64)).toEqual({ ms: 500, from: 'W2' });
    // Batch-1 latency neither predicts nor is predicted by batched work.
    expect(predictStepMs(observed, 1e9, 1)).toEqual({ ms: 10000, from: 'W4' });
    expect(predictStepMs(observed.slice(0, 2), 1e9, 1)).toBeUndefined();
  });
});

describe('summarize', () => {
  it('gives min, median and max', () => {
    expect(summarize([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(summarize([4, 1, 2, 3])).toEqual({ min: 1, median: 2.5, max: 4 });
  });
});
