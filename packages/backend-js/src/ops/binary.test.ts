import type { BinaryOp } from '@recur/core';
import { describe, it } from 'vitest';
import { createJsBackend } from '../index.js';
import { checkGradients, expectClose, weightedSum } from '../testing/gradcheck.js';
import { broadcastRead, unravel } from '../testing/naive.js';
import { count, rng, uniform } from '../testing/random.js';

const b = createJsBackend();
const random = rng(3);

const APPLY: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

// Same shapes, scalars on either side, bias rows, column vectors, both sides broadcasting, rank mismatch.
const SHAPES: [number[], number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], []],
  [[], [4]],
  [[4, 3], [3]],
  [
    [4, 3],
    [4, 1],
  ],
  [
    [3, 1],
    [1, 4],
  ],
  [
    [2, 1, 3],
    [4, 1],
  ],
  [
    [2, 3, 4],
    [2, 1, 4],
  ],
  [[1], [3, 2]],
];

/** Divisors stay away from 0 so finite differences of 1/b are well conditioned. */
function operand(shape: number[], divisor: boolean): Float64Array {
  const data = uniform(random, count(shape), 0.5, 1.5);
  if (!divisor) return uniform(random, count(shape));
  return data.map((v, i) => (i % 2 === 0 ? v : -v));
}

describe('binary ops with broadcasting', () => {
  for (const op of ['add', 'sub', 'mul', 'div'] as const) {
    for (const [aShape, bShape] of SHAPES) {
      const a = { data: operand(aShape, false), shape: aShape };
      const c = { data: operand(bShape, op === 'div'), shape: bShape };
      const name = `${op} [${aShape}] [${bShape}]`;

      it(`${name}: values`, () => {
        const y = b.binary(op, b.fromData(a.data, aShape, 'float64'), b.fromData(c.data, bShape, 'float64'));
        const expected = new Float64Array(count(y.shape));
        for (let i = 0; i < expected.length; i++) {
          const index = unravel(i, y.shape);
          expected[i] = APPLY[op](broadcastRead(a.data, aShape, index), broadcastRead(c.data, bShape, index));
        }
        expectClose(b.read(y), expected, 1e-15);
      });

      it(`${name}: gradients reduced to each input's shape`, () => {
        checkGradients(b, ([x, y]) => weightedSum(b, b.binary(op, x, y)), [a, c]);
      });
    }
  }

  it('the same tensor on both sides accumulates both gradients', () => {
    const x = { data: uniform(random, 6), shape: [2, 3] };
    checkGradients(b, ([t]) => weightedSum(b, b.binary('mul', t, t)), [x]);
  });
});
