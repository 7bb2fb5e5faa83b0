import { describe, expect, it } from 'vitest';
import { roundMs, summarize } from './stats.js';
import { formatMs } from './views.js';

describe('report figures', () => {
  it('keep three significant digits down to streaming calls of microseconds', () => {
    expect(roundMs(1234.4)).toBe(1234);
    expect(roundMs(2.04567)).toBe(2.05);
    expect(roundMs(0.013421)).toBe(0.0134);
    expect(roundMs(0.0071249)).toBe(0.00712);
    // Nanoseconds are the floor.
    expect(roundMs(0.0000123456)).toBe(0.000012);
    expect(roundMs(0)).toBe(0);
  });

  it('summarize gives min, median (the mean of the middle two for an even count) and max', () => {
    expect(summarize([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(summarize([4, 1, 2, 3])).toEqual({ min: 1, median: 2.5, max: 4 });
  });

  it('are printed with three significant digits below 0.1 ms', () => {
    expect(formatMs(0.0134)).toBe('0.0134');
    expect(formatMs(0.5)).toBe('0.500');
    expect(formatMs(2.046)).toBe('2.05');
    expect(formatMs(1234)).toBe('1234');
  });
});
