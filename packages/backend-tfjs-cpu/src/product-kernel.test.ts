import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTfjsCpuBackend } from './index.js';
import { cpuProduct } from './product-kernel.js';

/** float64 reference of `op(A)·op(B)` from the tensors' values. */
function reference(a: tf.Tensor2D, b: tf.Tensor2D, ta: boolean, tb: boolean): number[][] {
  const av = a.arraySync();
  const bv = b.arraySync();
  const at = (i: number, p: number) => (ta ? av[p][i] : av[i][p]);
  const bt = (p: number, j: number) => (tb ? bv[j][p] : bv[p][j]);
  const [m, k] = ta ? [a.shape[1], a.shape[0]] : a.shape;
  const n = tb ? b.shape[0] : b.shape[1];
  return Array.from({ length: m }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(i, p) * bt(p, j);
      return s;
    }),
  );
}

function expectClose(actual: tf.Tensor, expected: number[][], atol = 1e-5): void {
  const got = actual.arraySync() as number[][];
  expect(actual.shape).toEqual([expected.length, expected[0].length]);
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i].length; j++) {
      expect(Math.abs(got[i][j] - expected[i][j])).toBeLessThanOrEqual(atol * (1 + Math.abs(expected[i][j])));
    }
  }
}

describe('RecurFusedMatMul on tfjs-cpu', () => {
  let product: ReturnType<typeof cpuProduct>;
  beforeAll(async () => {
    await createTfjsCpuBackend(); // registers tfjs-cpu and activates it
    product = cpuProduct(tf);
  });

  // Odd extents exercise the 4×4 tiles' edges; m = 1 is the batch-1 path.
  const shapes: [number, number, number][] = [
    [1, 7, 9],
    [5, 3, 6],
    [16, 33, 12],
    [9, 1, 4],
  ];
  for (const [m, k, n] of shapes) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        it(`[${m}×${k}]·[${k}×${n}], transposeA ${ta}, transposeB ${tb}`, () => {
          const a = tf.randomNormal(ta ? [k, m] : [m, k], 0, 1, 'float32', m + k) as tf.Tensor2D;
          const b = tf.randomNormal(tb ? [n, k] : [k, n], 0, 1, 'float32', n) as tf.Tensor2D;
          expectClose(product({ a, b, transposeA: ta, transposeB: tb }), reference(a, b, ta, tb));
        });
      }
    }
  }

  it('adds a bias row or a full bias, then applies each activation', () => {
    const a = tf.randomNormal([6, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([7, 5], 0, 1, 'float32', 2) as tf.Tensor2D;
    const row = tf.randomNormal([7], 0, 1, 'float32', 3);
    const full = tf.randomNormal([6, 7], 0, 1, 'float32', 4);
    const ab = reference(a, b, false, true);
    const rowV = row.arraySync() as number[];
    const fullV = full.arraySync() as number[][];
    const act: Record<string, (x: number) => number> = {
      linear: (x) => x,
      sigmoid: (x) => 1 / (1 + Math.exp(-x)),
      tanh: Math.tanh,
      relu: (x) => Math.max(0, x),
    };
    for (const [name, f] of Object.entries(act)) {
      const activation = name as 'linear';
      expectClose(
        product({ a, b, transposeB: true, bias: row, activation }),
        ab.map((r) => r.map((x, j) => f(x + rowV[j]))),
      );
      expectClose(
        product({ a, b, transposeB: true, bias: full, activation }),
        ab.map((r, i) => r.map((x, j) => f(x + fullV[i][j]))),
      );
    }
  });

  it('relu keeps NaN, as PyTorch does', () => {
    const out = product({
      a: tf.tensor2d([[Number.NaN, 1]]),
      b: tf.tensor2d([[1], [1]]),
      activation: 'relu',
    });
    expect(Number.isNaN(out.dataSync()[0])).toBe(true);
  });

  it('refuses mismatched shapes before any work, naming both', () => {
    const before = tf.memory().numTensors;
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([4, 5]);
    const created = tf.memory().numTensors;
    expect(() => product({ a, b })).toThrow('inner extents differ: op(a) is [2, 3], op(b) is [4, 5]');
    expect(() => product({ a, b, transposeB: true })).toThrow('op(b) is [5, 4]');
    expect(() => product({ a: tf.zeros([2, 3, 1]), b })).toThrow('operands must be 2-D, got a [2, 3, 1]');
    expect(() => product({ a, b: tf.zeros([3, 4]), bias: tf.zeros([3]) })).toThrow(
      'bias must be [2, 4] or [4], got [3]',
    );
    expect(tf.memory().numTensors).toBe(created + 3); // only the operands made above
    expect(created).toBe(before + 2);
  });

  it('leaves tfjs matMul untouched: it is a kernel of its own', () => {
    expect(tf.getKernel('RecurFusedMatMul', 'cpu')).toBeDefined();
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc.name).toBe('batchMatMul');
  });
});
