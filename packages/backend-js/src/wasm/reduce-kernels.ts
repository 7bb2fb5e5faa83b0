/**
 * Emits the column sum used for bias gradients (`db = Σ_rows da`), accumulated in float64 like the
 * plain path, so a sum over tens of thousands of rows loses nothing to float32 rounding.
 */

import { FunctionBuilder, I32, Op, SimdOp } from './assembler.js';

/** Signature of the emitted reductions. */
export interface ReduceExports {
  /**
   * `(rows, width, src, acc, dst)`: `dst[j] = Σ_r src[r·width + j]` (float32 out) using `acc`,
   * a scratch of `width` float64 values.
   */
  columnSums(rows: number, width: number, src: number, acc: number, dst: number): void;
}

/** Appends the reductions to `functions`. */
export function emitReduceKernels(functions: FunctionBuilder[]): void {
  functions.push(emitColumnSums());
}

function emitColumnSums(): FunctionBuilder {
  const fn = new FunctionBuilder('columnSums', [I32, I32, I32, I32, I32]);
  const [rows, width, src, acc, dst] = [0, 1, 2, 3, 4];
  const r = fn.local(I32);
  const j = fn.local(I32);
  const sp = fn.local(I32);
  const ap = fn.local(I32);
  const dp = fn.local(I32);
  const c = fn.code;

  c.get(acc).set(ap);
  c.countDown(j, width, 1, () => {
    c.get(ap).op(Op.f64_const, 0, 0, 0, 0, 0, 0, 0, 0).mem(Op.f64_store, 0, 3);
    c.addTo(ap, 8);
  });
  c.get(src).set(sp);
  c.countDown(r, rows, 1, () => {
    c.get(acc).set(ap);
    // Two columns at a time: two floats widened to an f64x2 and added to the accumulators.
    c.countDown(j, width, 2, () => {
      c.get(ap);
      c.get(ap).v128Load(0);
      c.get(sp).simd(SimdOp.v128_load64_zero).op(3, 0).simd(SimdOp.f64x2_promote_low_f32x4);
      c.simd(SimdOp.f64x2_add).v128Store(0);
      c.addTo(ap, 16).addTo(sp, 8);
    });
    c.get(width)
      .i32(1)
      .op(Op.i32_and)
      .if(() => {
        c.get(ap);
        c.get(ap).mem(Op.f64_load, 0, 3);
        c.get(sp).mem(Op.f32_load, 0, 2).op(Op.f64_promote_f32).op(Op.f64_add);
        c.mem(Op.f64_store, 0, 3);
        c.addTo(sp, 4);
      });
  });
  c.get(acc).set(ap).get(dst).set(dp);
  c.countDown(j, width, 1, () => {
    c.get(dp).get(ap).mem(Op.f64_load, 0, 3).op(Op.f32_demote_f64).mem(Op.f32_store, 0, 2);
    c.addTo(ap, 8).addTo(dp, 4);
  });
  return fn;
}
