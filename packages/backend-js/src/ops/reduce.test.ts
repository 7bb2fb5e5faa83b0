import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../index.js';
import { checkGradients, expectClose, weightedSum } from '../testing/gradcheck.js';
import { ravel, unravel } from '../testing/naive.js';
import { count, rng, uniform } from '../testing/random.js';

const b = createJsBackend();
const random = rng(9);

/** Naive reduction: visit every input element and fold it into its output position. */
function naiveReduce(
  data: Float64Array,
  shape: number[],
  axes: number[],
  init: number,
  fold: (acc: number, v: number) => number,
): { data: Float64Array; shape: number[] } {
  const outShape = shape.filter((_, d) => !axes.includes(d));
  const out = new Float64Array(count(outShape)).fill(init);
  for (let i = 0; i < data.length; i++) {
    const index = unravel(i, shape).filter((_, d) => !axes.includes(d));
    const o = ravel(index, outShape);
    out[o] = fold(out[o], data[i]);
  }
  return { data: out, shape: outShape };
}

const CASES: [number[], number[]][] = [
  [[5], [0]],
  [[3, 4], [0]],
  [[3, 4], [1]],
  [
    [3, 4],
    [0, 1],
  ],
  [[2, 3, 4], [1]],
  [
    [2, 3, 4],
    [0, 2],
  ],
  [[2, 1, 3], [1]],
  [[2, 3], []],
];

describe('sum and max', () => {
  for (const [shape, axes] of CASES) {
    for (const keepDims of [false, true]) {
      const x = { data: uniform(random, count(shape)), shape };
      const name = `[${shape}] axes [${axes}] keepDims=${keepDims}`;
      const expectedShape = keepDims
        ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
        : shape.filter((_, i) => !axes.includes(i));

      it(`sum ${name}: values and shape`, () => {
        const y = b.sum(b.fromData(x.data, shape, 'float64'), axes, keepDims);
        expect(y.shape).toEqual(expectedShape);
        expectClose(b.read(y), naiveReduce(x.data, shape, axes, 0, (s, v) => s + v).data, 1e-14, 1e-15);
      });

      it(`sum ${name}: gradient`, () => {
        checkGradients(b, ([t]) => weightedSum(b, b.sum(t, axes, keepDims)), [x]);
      });

      it(`max ${name}: values and shape`, () => {
        const y = b.max(b.fromData(x.data, shape, 'float64'), axes, keepDims);
        expect(y.shape).toEqual(expectedShape);
        expectClose(b.read(y), naiveReduce(x.data, shape, axes, -Infinity, Math.max).data, 0);
      });
    }
  }

  it('sum of float32 stays float32', () => {
    expect(b.read(b.sum(b.fromData([1, 2, 3], [3], 'float32'), [0], false))).toBeInstanceOf(Float32Array);
  });

  it('max propagates NaN', () => {
    expect(Array.from(b.read(b.max(b.fromData([1, Number.NaN, 3], [3], 'float64'), [0], false)))).toEqual([
      Number.NaN,
    ]);
  });

  it('max is a constant for autograd (a stable softmax still differentiates exactly)', () => {
    const x = { data: uniform(random, 8), shape: [2, 4] };
    checkGradients(
      b,
      ([t]) => {
        const shifted = b.binary('sub', t, b.max(t, [1], true));
        const logZ = b.unary('log', b.sum(b.unary('exp', shifted), [1], true));
        return weightedSum(b, b.binary('sub', shifted, logZ));
      },
      [x],
    );
    const t = b.fromData(x.data, x.shape, 'float64');
    const { grads } = b.valueAndGrads(() => b.sum(b.max(t, [0, 1], false), [], false), [t]);
    expect(Array.from(b.read(grads[0]))).toEqual(new Array(8).fill(0));
  });
});
