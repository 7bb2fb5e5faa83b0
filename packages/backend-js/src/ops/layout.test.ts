import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../index.js';
import { checkGradients, expectClose, weightedSum } from '../testing/gradcheck.js';
import { ravel, unravel } from '../testing/naive.js';
import { count, rng, uniform } from '../testing/random.js';

const b = createJsBackend();
const random = rng(13);
const input = (shape: number[]) => ({ data: uniform(random, count(shape)), shape });

describe('reshape', () => {
  it('keeps the data and differentiates', () => {
    const x = input([2, 3, 2]);
    const y = b.reshape(b.fromData(x.data, x.shape, 'float64'), [3, 4]);
    expect(y.shape).toEqual([3, 4]);
    expectClose(b.read(y), x.data, 0);
    checkGradients(b, ([t]) => weightedSum(b, b.reshape(t, [4, 3])), [x]);
  });
});

describe('transpose', () => {
  for (const [shape, perm] of [
    [
      [3, 4],
      [1, 0],
    ],
    [
      [2, 3, 4],
      [2, 0, 1],
    ],
    [
      [2, 3, 4],
      [0, 2, 1],
    ],
    [
      [2, 1, 3, 2],
      [3, 1, 0, 2],
    ],
  ] as [number[], number[]][]) {
    it(`[${shape}] perm [${perm}]`, () => {
      const x = input(shape);
      const y = b.transpose(b.fromData(x.data, shape, 'float64'), perm);
      const outShape = perm.map((p) => shape[p]);
      expect(y.shape).toEqual(outShape);
      const expected = new Float64Array(x.data.length);
      for (let i = 0; i < expected.length; i++) {
        const out = unravel(i, outShape);
        const src = new Array<number>(shape.length);
        perm.forEach((p, d) => {
          src[p] = out[d];
        });
        expected[i] = x.data[ravel(src, shape)];
      }
      expectClose(b.read(y), expected, 0);
      checkGradients(b, ([t]) => weightedSum(b, b.transpose(t, perm)), [x]);
    });
  }
});

describe('slice', () => {
  for (const [shape, begin, size] of [
    [[5], [1], [3]],
    [
      [4, 5],
      [1, 2],
      [2, 3],
    ],
    [
      [3, 4, 5],
      [0, 1, 2],
      [3, 2, 1],
    ],
    [
      [3, 4, 5],
      [2, 0, 0],
      [1, 4, 5],
    ],
  ] as [number[], number[], number[]][]) {
    it(`[${shape}] begin [${begin}] size [${size}]`, () => {
      const x = input(shape);
      const y = b.slice(b.fromData(x.data, shape, 'float64'), begin, size);
      expect(y.shape).toEqual(size);
      const expected = new Float64Array(count(size));
      for (let i = 0; i < expected.length; i++) {
        const index = unravel(i, size).map((v, d) => v + begin[d]);
        expected[i] = x.data[ravel(index, shape)];
      }
      expectClose(b.read(y), expected, 0);
      checkGradients(b, ([t]) => weightedSum(b, b.slice(t, begin, size)), [x]);
    });
  }
});

describe('concat', () => {
  for (const [shapes, axis] of [
    [[[2], [3]], 0],
    [
      [
        [2, 3],
        [1, 3],
        [3, 3],
      ],
      0,
    ],
    [
      [
        [2, 3],
        [2, 1],
        [2, 2],
      ],
      1,
    ],
    [
      [
        [2, 3, 2],
        [2, 1, 2],
      ],
      1,
    ],
    [
      [
        [2, 3, 2],
        [2, 3, 1],
      ],
      2,
    ],
  ] as [number[][], number][]) {
    it(`[${shapes.map((s) => `[${s}]`).join(' ')}] along ${axis}`, () => {
      const xs = shapes.map(input);
      const y = b.concat(
        xs.map((x) => b.fromData(x.data, x.shape, 'float64')),
        axis,
      );
      const outShape = shapes[0].slice();
      outShape[axis] = shapes.reduce((s, sh) => s + sh[axis], 0);
      expect(y.shape).toEqual(outShape);
      const expected = new Float64Array(count(outShape));
      for (let i = 0; i < expected.length; i++) {
        const index = unravel(i, outShape);
        let part = 0;
        while (index[axis] >= shapes[part][axis]) index[axis] -= shapes[part++][axis];
        expected[i] = xs[part].data[ravel(index, shapes[part])];
      }
      expectClose(b.read(y), expected, 0);
      checkGradients(b, (ts) => weightedSum(b, b.concat(ts, axis)), xs);
    });
  }
});

describe('gather', () => {
  for (const [shape, indices] of [
    [[4], [3, 0, 0, 2]],
    [
      [4, 3],
      [1, 3, 1, 1, 0],
    ],
    [
      [3, 2, 2],
      [2, 2],
    ],
  ] as [number[], number[]][]) {
    it(`[${shape}] rows [${indices}] (repeats accumulate)`, () => {
      const x = input(shape);
      const idx = Int32Array.from(indices);
      const y = b.gather(b.fromData(x.data, shape, 'float64'), idx);
      const width = count(shape.slice(1));
      expect(y.shape).toEqual([indices.length, ...shape.slice(1)]);
      const expected = indices.flatMap((r) => Array.from(x.data.subarray(r * width, (r + 1) * width)));
      expectClose(b.read(y), expected, 0);
      checkGradients(b, ([t]) => weightedSum(b, b.gather(t, idx)), [x]);
    });
  }
});
