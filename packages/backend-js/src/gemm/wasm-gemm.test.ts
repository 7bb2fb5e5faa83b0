import { createJsGemm } from '@recur/gemm';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../testing/gradcheck.js';
import { naiveMatMul } from '../testing/naive.js';
import { rng, uniform } from '../testing/random.js';
import { detectFlavour, PLAIN_FLAVOUR, RELAXED_FLAVOUR } from '../wasm/module.js';
import { WasmRuntime } from '../wasm/runtime.js';
import { createWasmGemm } from './wasm-gemm.js';

// The typed-array face of the SIMD tier: offsets, accumulation, packing, and the float64 fallback.
const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 5],
  [3, 4, 2],
  [5, 9, 3],
  [8, 12, 16],
  [13, 6, 11],
  [300, 17, 9],
  [7, 3, 0],
];

describe('wasm-simd gemm tier (typed arrays)', () => {
  detectFlavour();
  for (const flavour of [RELAXED_FLAVOUR, PLAIN_FLAVOUR]) {
    const rt = new WasmRuntime(flavour, 1);
    const gemm = createWasmGemm(rt, createJsGemm());
    const kept = rt.heap.liveBytes;
    const random = rng(3);
    for (const [m, n, k] of SIZES) {
      it(`${flavour.relaxed ? 'FMA' : 'mul+add'} m=${m} n=${n} k=${k}, all transposes`, () => {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const a = uniform(random, m * k);
            const b = uniform(random, k * n);
            const aShape = transA ? [k, m] : [m, k];
            const bShape = transB ? [n, k] : [k, n];
            const a32 = Float32Array.from(a);
            const b32 = Float32Array.from(b);
            const expected = naiveMatMul(a32, aShape, b32, bShape, transA, transB);
            // float32 at offsets: nothing outside the target range may change.
            const padA = new Float32Array(3 + a.length);
            padA.set(a32, 3);
            const padB = new Float32Array(2 + b.length);
            padB.set(b32, 2);
            const c = new Float32Array(5 + m * n + 2).fill(9);
            gemm.gemm(m, n, k, padA, 3, transA, padB, 2, transB, c, 5, false);
            expect([...c.subarray(0, 5), ...c.subarray(5 + m * n)]).toEqual([9, 9, 9, 9, 9, 9, 9]);
            expectClose(c.subarray(5, 5 + m * n), expected, 1e-5, 1e-5);
            // Accumulating, and through a packed right-hand side.
            const acc = new Float32Array(m * n).fill(1);
            gemm.gemmPacked(m, a32, 0, transA, gemm.pack(padB, 2, transB, k, n), acc, 0, true);
            expectClose(
              acc,
              expected.map((v) => v + 1),
              1e-5,
              1e-5,
            );
            // float64 runs the scalar kernels: exact to float64 rounding.
            const c64 = new Float64Array(m * n);
            gemm.gemm(m, n, k, a, 0, transA, b, 0, transB, c64, 0, false);
            expectClose(c64, naiveMatMul(a, aShape, b, bShape, transA, transB), 1e-13, 1e-13);
          }
        }
        expect(rt.heap.liveBytes).toBe(kept);
      });
    }
  }
});
