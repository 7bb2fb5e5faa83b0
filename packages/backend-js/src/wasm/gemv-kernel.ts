/**
 * Emits the batch-1 product kernel: one row of A times packed B panels, the whole recurrent product
 * of a batch-1 step (W4), where no tile of A rows exists to reuse B.
 */

import { FunctionBuilder, I32, Op, V128 } from './assembler.js';
import { NR } from './panel-layout.js';
import { type Expr, VectorMath } from './vector-math.js';

/** Panels per GEMV iteration: 6 accumulators + 6 B vectors + 1 broadcast = 13 of 15 registers. */
const GEMV_PANELS = 3;

/**
 * `gemv(k, a, b, panelStride, c, n, accumulate, tile, q0, q1)`: one row times packed panels.
 * Batch-1 steps are bound by FMA latency, not throughput: {@link GEMV_PANELS} panels at once give
 * six independent accumulator chains per k step. (Unrolling k as well needs more registers than
 * V8 hands out, and the spills cost more than the extra chains gain.)
 */
export function emitGemv(relaxed: boolean, edge: number): FunctionBuilder {
  const fn = new FunctionBuilder('gemv', [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [k, a, b, panelStride, cPtr, n, accumulate, tile, q0, q1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const v = new VectorMath(fn, relaxed);
  const q = fn.local(I32);
  const p = fn.local(I32);
  const ap = fn.local(I32);
  const bp = Array.from({ length: GEMV_PANELS }, () => fn.local(I32));
  const dst = fn.local(I32);
  const nr = fn.local(I32);
  const av = fn.local(V128);
  const sum = fn.local(V128);
  const acc = Array.from({ length: 2 * GEMV_PANELS }, () => fn.local(V128));
  const c = fn.code;

  /** Sums `panels` panels from `bp[0]` on against the row at `a` into vectors stored at `dst`. */
  const panelsBody = (panels: number, addExisting: boolean) => {
    for (let i = 1; i < panels; i++)
      c.get(bp[i - 1])
        .get(panelStride)
        .op(Op.i32_add)
        .set(bp[i]);
    for (let h = 0; h < 2 * panels; h++) c.f32x4(0).set(acc[h]);
    c.get(a).set(ap);
    c.countDown(p, k, 1, () => {
      c.get(ap).loadSplat(0).set(av);
      for (let h = 0; h < 2 * panels; h++) {
        const load: Expr = (code) => code.get(bp[h >> 1]).v128Load(16 * (h & 1));
        v.fma(v.get(av), load, v.get(acc[h]))(c);
        c.set(acc[h]);
      }
      c.addTo(ap, 4);
      for (let i = 0; i < panels; i++) c.addTo(bp[i], 32);
    });
    for (let h = 0; h < 2 * panels; h++) {
      c.get(acc[h]).set(sum);
      if (addExisting) {
        c.get(accumulate).if(() => {
          v.add(v.get(sum), (code) => code.get(dst).v128Load(16 * h))(c);
          c.set(sum);
        });
      }
      c.get(dst)
        .get(sum)
        .v128Store(16 * h);
    }
  };
  const panelStart = () => c.get(b).get(q).get(panelStride).op(Op.i32_mul).op(Op.i32_add).set(bp[0]);
  const panelOut = () => c.get(cPtr).get(q).i32(5).op(Op.i32_shl).op(Op.i32_add);

  c.get(q0).set(q);
  // Groups of full panels.
  c.block(() => {
    c.loop(() => {
      c.get(q).i32(GEMV_PANELS).op(Op.i32_add).get(q1).op(Op.i32_gt_s).brIf(1);
      c.get(q).i32(GEMV_PANELS).op(Op.i32_add).i32(3).op(Op.i32_shl).get(n).op(Op.i32_gt_s).brIf(1);
      panelStart();
      panelOut();
      c.set(dst);
      panelsBody(GEMV_PANELS, true);
      c.addTo(q, GEMV_PANELS);
      c.br(0);
    });
  });
  // Remaining panels one by one; a partial last panel goes through the scratch tile.
  c.block(() => {
    c.loop(() => {
      c.get(q).get(q1).op(Op.i32_ge_s).brIf(1);
      c.get(n).get(q).i32(3).op(Op.i32_shl).op(Op.i32_sub).set(nr);
      panelStart();
      c.get(nr).i32(NR).op(Op.i32_ge_s);
      c.if(
        () => {
          panelOut();
          c.set(dst);
          panelsBody(1, true);
        },
        () => {
          c.get(tile).set(dst);
          panelsBody(1, false);
          c.get(tile);
          panelOut();
          c.i32(0).i32(1).get(nr).get(accumulate).call(edge);
        },
      );
      c.addTo(q, 1);
      c.br(0);
    });
  });
  return fn;
}
