import { describe, expect, it } from 'vitest';
import { createJsGemm } from './js-gemm.js';

// The three helpers below are copies of backend-js's test helpers (`testing/`), kept here so this
// package's tests depend on nothing but the kernel.

/** A mulberry32 generator returning floats in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` values uniform in [-1, 1). */
function uniform(random: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = -1 + 2 * random();
  return out;
}

/** `C = op(A)·op(B)` with triple loops over logical indices (the oracle). */
function naiveMatMul(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  transA: boolean,
  transB: boolean,
): Float64Array {
  const m = transA ? aShape[1] : aShape[0];
  const k = transA ? aShape[0] : aShape[1];
  const n = transB ? bShape[0] : bShape[1];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p];
        const bv = transB ? b[j * k + p] : b[p * n + j];
        sum += av * bv;
      }
      out[i * n + j] = sum;
    }
  }
  return out;
}

/** Element-wise `|a - e| <= rtol·max(|a|, |e|) + atol`. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const tol = rtol * Math.max(Math.abs(a), Math.abs(e)) + atol;
    if (!(Math.abs(a - e) <= tol)) expect.fail(`element ${i}: got ${a}, expected ${e} (tolerance ${tol})`);
  }
}

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
