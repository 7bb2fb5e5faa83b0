/** The examples' shared helpers: result lines and the least-squares baseline. */
import { describe, expect, it } from 'vitest';
import { leastSquares, rmse } from './least-squares.js';
import { formatNumber, parseResultLine, resultLine } from './result.js';

describe('result line', () => {
  it('formats one check, PASS or FAIL', () => {
    expect(resultLine([{ metric: 'acc', value: 0.95, op: '>=', target: 0.94 }]).line).toBe(
      'result: acc=0.95 target >= 0.94 PASS',
    );
    expect(resultLine([{ metric: 'mse', value: 0.1667, op: '<=', target: 0.05 }])).toEqual({
      line: 'result: mse=0.1667 target <= 0.05 FAIL',
      pass: false,
    });
  });
  it('needs every check to hold, and NaN never does', () => {
    const r = resultLine([
      { metric: 'a', value: 0.5, op: '>=', target: 1e-2 },
      { metric: 'b', value: 3e-12, op: '<', target: 1e-6 },
    ]);
    expect(r.line).toBe('result: a=0.5 target >= 0.01, b=3.00e-12 target < 1.00e-6 PASS');
    expect(resultLine([{ metric: 'x', value: Number.NaN, op: '>', target: 1 }]).pass).toBe(false);
  });
  it('parses back what it prints, and rejects malformed lines', () => {
    const { line } = resultLine([{ metric: 'ratio', value: 0.61234, op: '<=', target: 0.85 }]);
    expect(parseResultLine(line)).toEqual({
      checks: [{ metric: 'ratio', value: 0.6123, op: '<=', target: 0.85 }],
      pass: true,
    });
    expect(parseResultLine('result: ratio=0.6 PASS')).toBeUndefined();
    expect(parseResultLine('ratio=0.6 target <= 1 PASS')).toBeUndefined();
  });
  it('formats small and large numbers in exponent form', () => {
    expect(formatNumber(7.59e-30)).toBe('7.59e-30');
    expect(formatNumber(123.456)).toBe('123.5');
    expect(formatNumber(0)).toBe('0');
  });
});

describe('leastSquares', () => {
  it('recovers an exact linear relation', () => {
    const xs = [
      [1, 2],
      [2, 0],
      [3, 5],
      [4, 1],
      [0, 3],
    ];
    const ys = xs.map(([a, b]) => 2 * a! - 3 * b! + 0.5);
    const fit = leastSquares(xs, ys);
    expect(fit.weights[0]).toBeCloseTo(2, 10);
    expect(fit.weights[1]).toBeCloseTo(-3, 10);
    expect(fit.bias).toBeCloseTo(0.5, 10);
    expect(rmse(xs.map(fit.predict), ys)).toBeLessThan(1e-9);
  });
});
