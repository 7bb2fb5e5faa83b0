/**
 * 2-D matrix product with transpose flags. Both the forward and the two gradient products go through
 * the engine's gemm tier with transpose flags, so no transposed copy is ever made.
 */

import type { Engine } from '../engine.js';
import { allocLike, type JsTensor } from '../tensor.js';

/** `op(a)·op(b)`; `a` is `[m,k]` (or `[k,m]` when `transposeA`), `b` is `[k,n]` (or `[n,k]`). */
export function matMul(
  e: Engine,
  a: JsTensor,
  b: JsTensor,
  transposeA: boolean,
  transposeB: boolean,
): JsTensor {
  const aData = a.data;
  const bData = b.data;
  const m = transposeA ? a.shape[1] : a.shape[0];
  const k = transposeA ? a.shape[0] : a.shape[1];
  const n = transposeB ? b.shape[0] : b.shape[1];
  const cData = allocLike(aData, m * n);
  e.gemm.gemm(m, n, k, aData, 0, transposeA, bData, 0, transposeB, cData, 0, false);
  const c = e.tensor(cData, [m, n]);
  e.tape.record('matMul', [a, b], [c], ([dc], needs) => {
    const g = dc!.data;
    let da: JsTensor | null = null;
    let db: JsTensor | null = null;
    if (needs[0]) {
      // C = op(A)·op(B): d op(A) = dC·op(B)ᵀ, and when A is stored transposed, dA = op(B)·dCᵀ.
      const out = allocLike(g, a.size);
      if (transposeA) e.gemm.gemm(k, m, n, bData, 0, transposeB, g, 0, true, out, 0, false);
      else e.gemm.gemm(m, k, n, g, 0, false, bData, 0, !transposeB, out, 0, false);
      da = e.tensor(out, a.shape);
    }
    if (needs[1]) {
      // d op(B) = op(A)ᵀ·dC, and when B is stored transposed, dB = dCᵀ·op(A).
      const out = allocLike(g, b.size);
      if (transposeB) e.gemm.gemm(n, k, m, g, 0, true, aData, 0, transposeA, out, 0, false);
      else e.gemm.gemm(k, n, m, aData, 0, !transposeA, g, 0, false, out, 0, false);
      db = e.tensor(out, b.shape);
    }
    return [da, db];
  });
  return c;
}
