import { describe, expect, it } from 'vitest';
import { expectClose } from '../testing/gradcheck.js';
import { naiveMatMul } from '../testing/naive.js';
import { rng, uniform } from '../testing/random.js';
import { createJsGemm } from './js-gemm.js';

const gemm = createJsGemm();
const random = rng(7);

// Sizes straddle the 4×4 tile (remainders in m and n) and the row-block size (large m with small k).
const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 5],
  [3, 4, 2],
  [4, 4, 4],
  [5, 9, 3],
  [8, 12, 16],
  [13, 6, 11],
  [2100, 5, 9],
  [7, 3, 0],
];

describe('js gemm tier', () => {
  for (const [m, n, k] of SIZES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`m=${m} n=${n} k=${k} transA=${transA} transB=${transB}`, () => {
          const a = uniform(random, m * k);
          const b = uniform(random, k * n);
          const aShape = transA ? [k, m] : [m, k];
          const bShape = transB ? [n, k] : [k, n];
          const expected = naiveMatMul(a, aShape, b, bShape, transA, transB);

          // Plain product, written at an offset to check offsets are honoured and nothing else is touched.
          const padA = new Float64Array(3 + a.length);
          padA.set(a, 3);
          const padB = new Float64Array(2 + b.length);
          padB.set(b, 2);
          const c = new Float64Array(5 + m * n).fill(9);
          gemm.gemm(m, n, k, padA, 3, transA, padB, 2, transB, c, 5, false);
          expect(Array.from(c.subarray(0, 5))).toEqual([9, 9, 9, 9, 9]);
          expectClose(c.subarray(5), expected, 1e-13, 1e-13);

          // Accumulating into existing values.
          const acc = new Float64Array(m * n).fill(1);
          gemm.gemm(m, n, k, a, 0, transA, b, 0, transB, acc, 0, true);
          expectClose(
            acc,
            expected.map((v) => v + 1),
            1e-13,
            1e-13,
          );

          // Packed right-hand side, float32.
          const packed = gemm.pack(Float32Array.from(padB), 2, transB, k, n);
          const c32 = new Float32Array(m * n);
          gemm.gemmPacked(m, Float32Array.from(a), 0, transA, packed, c32, 0, false);
          expectClose(c32, expected, 1e-5, 1e-5);
        });
      }
    }
  }
});
