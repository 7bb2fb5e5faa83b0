import { describe, it } from 'vitest';
import { createJsBackend } from '../index.js';
import { checkGradients, expectClose, weightedSum } from '../testing/gradcheck.js';
import { naiveMatMul } from '../testing/naive.js';
import { rng, uniform } from '../testing/random.js';

const b = createJsBackend();
const random = rng(11);

describe('matMul', () => {
  for (const [m, k, n] of [
    [1, 1, 1],
    [3, 5, 2],
    [6, 4, 7],
  ]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const aShape = transA ? [k, m] : [m, k];
        const bShape = transB ? [n, k] : [k, n];
        const a = { data: uniform(random, m * k), shape: aShape };
        const w = { data: uniform(random, k * n), shape: bShape };

        it(`[${m}×${k}]·[${k}×${n}] transA=${transA} transB=${transB}: values`, () => {
          const c = b.matMul(
            b.fromData(a.data, aShape, 'float64'),
            b.fromData(w.data, bShape, 'float64'),
            transA,
            transB,
          );
          expectClose(b.read(c), naiveMatMul(a.data, aShape, w.data, bShape, transA, transB), 1e-14, 1e-14);
        });

        it(`[${m}×${k}]·[${k}×${n}] transA=${transA} transB=${transB}: gradients`, () => {
          checkGradients(b, ([x, y]) => weightedSum(b, b.matMul(x, y, transA, transB)), [a, w]);
        });
      }
    }
  }

  it('float32 inputs give float32 results', () => {
    const a = uniform(random, 12);
    const c = b.matMul(b.fromData(a, [3, 4], 'float32'), b.fromData(a, [3, 4], 'float32'), false, true);
    if (!(b.read(c) instanceof Float32Array)) throw new Error('expected a Float32Array');
    expectClose(
      b.read(c),
      naiveMatMul(Float32Array.from(a), [3, 4], Float32Array.from(a), [3, 4], false, true),
      1e-6,
    );
  });
});
