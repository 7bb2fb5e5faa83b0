import type { UnaryOp } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../index.js';
import { checkGradients, expectClose, weightedSum } from '../testing/gradcheck.js';
import { rng, uniform } from '../testing/random.js';

const b = createJsBackend();
const random = rng(5);

const REFERENCE: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(x, 0),
};

/** Inputs inside each op's domain, away from kinks so finite differences are meaningful. */
function inputFor(op: UnaryOp, n: number): Float64Array {
  if (op === 'log' || op === 'sqrt') return uniform(random, n, 0.3, 2);
  return uniform(random, n, -2, 2).map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
}

describe('unary ops', () => {
  for (const op of Object.keys(REFERENCE) as UnaryOp[]) {
    const x = { data: inputFor(op, 12), shape: [3, 4] };

    it(`${op}: values`, () => {
      const y = b.read(b.unary(op, b.fromData(x.data, x.shape, 'float64')));
      expectClose(y, x.data.map(REFERENCE[op]), 1e-15);
    });

    it(`${op}: gradient`, () => {
      checkGradients(b, ([t]) => weightedSum(b, b.unary(op, t)), [x]);
    });
  }

  it('sigmoid is stable for large |x| and keeps float32', () => {
    const y = b.read(b.unary('sigmoid', b.fromData([-1000, -40, 0, 40, 1000], [5], 'float32')));
    expect(y).toBeInstanceOf(Float32Array);
    expect(Array.from(y)).toEqual([0, Math.fround(1 / (1 + Math.exp(40))), 0.5, 1, 1]);
  });

  it("relu'(0) = 0 and abs'(0) = 0, as in PyTorch", () => {
    for (const op of ['relu', 'abs'] as const) {
      const x = b.fromData([0, 0], [2], 'float64');
      const { grads } = b.valueAndGrads(() => b.sum(b.unary(op, x), [0], false), [x]);
      expect(Array.from(b.read(grads[0]))).toEqual([0, 0]);
    }
  });

  it('scale: values and gradient', () => {
    const x = { data: uniform(random, 6), shape: [2, 3] };
    expectClose(
      b.read(b.scale(b.fromData(x.data, x.shape, 'float64'), -2.5)),
      x.data.map((v) => v * -2.5),
      1e-15,
    );
    checkGradients(b, ([t]) => weightedSum(b, b.scale(t, -2.5)), [x]);
  });
});

describe('logSoftmax', () => {
  for (const shape of [[5], [3, 4], [2, 3, 2]]) {
    const n = shape.reduce((p, d) => p * d, 1);
    const x = { data: uniform(random, n, -3, 3), shape };
    it(`[${shape}]: values`, () => {
      const y = b.read(b.logSoftmax(b.fromData(x.data, shape, 'float64')));
      const width = shape[shape.length - 1];
      const expected = new Float64Array(n);
      for (let r = 0; r < n / width; r++) {
        const row = Array.from(x.data.subarray(r * width, (r + 1) * width));
        const z = row.reduce((s, v) => s + Math.exp(v), 0);
        row.forEach((v, j) => {
          expected[r * width + j] = Math.log(Math.exp(v) / z);
        });
      }
      expectClose(y, expected, 1e-13, 1e-15);
    });
    it(`[${shape}]: gradient`, () => {
      checkGradients(b, ([t]) => weightedSum(b, b.logSoftmax(t)), [x]);
    });
  }

  it('does not overflow for large inputs', () => {
    const y = b.read(b.logSoftmax(b.fromData([1000, 1000], [2], 'float32')));
    expectClose(y, [-Math.LN2, -Math.LN2], 1e-6);
  });
});
