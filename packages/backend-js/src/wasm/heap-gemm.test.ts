import { describe, expect, it } from 'vitest';
import { rng, uniform } from '../testing/random.js';
import { KC, mcFor } from './heap-gemm.js';
import { detectFlavour, type KernelFlavour, PLAIN_FLAVOUR, RELAXED_FLAVOUR } from './module.js';
import { WasmRuntime } from './runtime.js';

// Edge sizes around every blocking parameter: tiles of 5 or 6 rows × 8 columns, the GEMV's groups of
// 3 panels, k blocks of 256 and row blocks of 80 or 96.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 5],
  [1, 8, 3],
  [1, 24, 9],
  [1, 33, 300],
  [2, 9, 1],
  [3, 4, 2],
  [5, 16, 7],
  [6, 8, 4],
  [7, 17, 13],
  [13, 6, 11],
  [16, 64, KC + 1],
  [31, 40, 2 * KC + 3],
  [mcFor(6) + 7, 23, 19],
  [4, 5, 0],
];

/** `C = A·B` in float64 from the float32 inputs, and `|A|·|B|` for a rigorous rounding bound. */
function reference(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  transB: boolean,
): { c: Float64Array; bound: Float64Array } {
  const c = new Float64Array(m * n);
  const bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? a[p * m + i] : a[i * k + p];
        const y = transB ? b[j * k + p] : b[p * n + j];
        s += x * y;
        t += Math.abs(x * y);
      }
      c[i * n + j] = s;
      bound[i * n + j] = t;
    }
  }
  return { c, bound };
}

describe('wasm products on heap operands', () => {
  detectFlavour(); // turns on relaxed SIMD where it is behind a flag

  const variants: { name: string; flavour: KernelFlavour; threads: 1 | 2; rows?: number }[] = [
    { name: 'relaxed FMA, 6×8', flavour: RELAXED_FLAVOUR, threads: 1 },
    { name: 'mul+add, 5×8', flavour: PLAIN_FLAVOUR, threads: 1 },
    { name: 'relaxed FMA, 2 threads', flavour: RELAXED_FLAVOUR, threads: 2 },
    // Every product of two rows or more split by rows of op(A), one recorded program per thread.
    { name: 'relaxed FMA, 2 threads, row halves', flavour: RELAXED_FLAVOUR, threads: 2, rows: 2 },
  ];
  for (const { name, flavour, threads, rows } of variants) {
    describe(name, () => {
      // With two threads every product of two or more panels is offered to the worker.
      const rt = new WasmRuntime(flavour, threads, { flops: 0, units: 0, rows });
      const kept = rt.heap.liveBytes;
      const random = rng(17);
      for (const [m, n, k] of SHAPES) {
        it(`m=${m} n=${n} k=${k}: every transpose and accumulate combination`, () => {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              for (const accumulate of [false, true]) {
                const a = Float32Array.from(uniform(random, m * k));
                const b = Float32Array.from(uniform(random, k * n));
                const c0 = Float32Array.from(uniform(random, m * n));
                const { heap, gemm } = rt;
                const pa = heap.allocF32(m * k);
                const pb = heap.allocF32(k * n);
                // Two guard floats after C catch writes past its end.
                const pc = heap.allocF32(m * n + 2);
                heap.write(pa, a);
                heap.write(pb, b);
                heap.write(pc, Float32Array.from([...c0, 777, 777]));
                gemm.gemm(m, n, k, pa, transA, pb, transB, pc, accumulate);
                const got = heap.read(pc, m * n + 2);
                heap.free(pa);
                heap.free(pb);
                heap.free(pc);
                const { c, bound } = reference(m, n, k, a, transA, b, transB);
                expect(Array.from(got.subarray(m * n))).toEqual([777, 777]);
                for (let i = 0; i < m * n; i++) {
                  const want = c[i] + (accumulate ? c0[i] : 0);
                  // Rigorous float32 bound: k roundings of the products' magnitudes, plus the final sum.
                  const tol = (k + 2) * 2 ** -23 * (bound[i] + (accumulate ? Math.abs(c0[i]) : 0)) + 1e-30;
                  if (!(Math.abs(got[i] - want) <= tol)) {
                    expect.fail(
                      `transA=${transA} transB=${transB} acc=${accumulate} [${i}]: ${got[i]} vs ${want}`,
                    );
                  }
                }
              }
            }
          }
          // Only the runtime's own scratch stays allocated.
          expect(rt.heap.liveBytes).toBe(kept);
        });
      }
      if (threads === 2) {
        it('the worker really runs chunks once it has started', async () => {
          const { heap, gemm } = rt;
          const [m, n, k] = [8, 64, 32];
          const pa = heap.allocF32(m * k);
          const pb = heap.allocF32(k * n);
          const pc = heap.allocF32(m * n);
          heap.view(pa, m * k).fill(1);
          heap.view(pb, k * n).fill(0.5);
          // The worker starts asynchronously; until it picks a half up, this thread takes it back.
          const runsBefore = rt.threadPool!.workerChunks;
          const deadline = Date.now() + 10_000;
          do {
            heap.view(pc, m * n).fill(-1);
            gemm.gemm(m, n, k, pa, false, pb, false, pc, false);
            expect(Array.from(heap.read(pc, m * n)).every((x) => x === 16)).toBe(true);
            await new Promise((resolve) => setTimeout(resolve, 5));
          } while (rt.threadPool!.workerChunks === runsBefore && Date.now() < deadline);
          expect(rt.threadPool!.workerChunks).toBeGreaterThan(runsBefore);
          heap.free(pa);
          heap.free(pb);
          heap.free(pc);
        });
      }
    });
  }
});
