/**
 * Emits the packing routines that rearrange operands into the layouts the micro-kernels stream
 * (see `gemm-kernels.ts` for both layouts). Transposed operands are read in place through element
 * strides: a transposed product never materialises the transpose.
 */

import { type Code, FunctionBuilder, I32, Op } from './assembler.js';
import { NR } from './panel-layout.js';

/** Loads the float32 at `ptr + offset`, stores it at `dst + dstOffset`, for scalar copy loops. */
function copyFloat(c: Code, dst: number, src: number): void {
  c.get(dst).get(src).mem(Op.f32_load, 0, 2).mem(Op.f32_store, 0, 2);
}

/**
 * `packA(src, rowStride, kStride, mc, kc, dst)`: see the module comment for the layout, with the
 * balanced panel heights of {@link balancedPanels}. Rows past a panel's height are left as they are:
 * the micro-kernel for that height never reads them. When A is transposed (rows contiguous), each
 * k step of a panel is one run of floats; otherwise rows are copied one by one with their strides.
 */
export function emitPackA(mr: number): FunctionBuilder {
  const fn = new FunctionBuilder('packA', [I32, I32, I32, I32, I32, I32]);
  const [src, rowStride, kStride, mc, kc, dst] = [0, 1, 2, 3, 4, 5];
  const rowPtr = fn.local(I32);
  const sp = fn.local(I32);
  const dp = fn.local(I32);
  const p = fn.local(I32);
  const r = fn.local(I32);
  const c = fn.code;

  const contiguousPanel = (height: number) => {
    c.get(src).set(sp).get(dst).set(dp);
    c.countDown(p, kc, 1, () => {
      copyRun(c, dp, sp, height);
      c.addLocal(sp, kStride).addTo(dp, 4 * mr);
    });
  };
  const rowByRow = (rows: number) => {
    c.get(src).set(rowPtr);
    c.countDown(r, rows, 1, () => {
      c.get(dst).get(rows).get(r).op(Op.i32_sub).i32(2).op(Op.i32_shl).op(Op.i32_add).set(dp);
      c.get(rowPtr).set(sp);
      c.countDown(p, kc, 1, () => {
        copyFloat(c, dp, sp);
        c.addLocal(sp, kStride).addTo(dp, 4 * mr);
      });
      c.addLocal(rowPtr, rowStride);
    });
  };

  // Element strides to byte strides.
  c.get(rowStride).i32(2).op(Op.i32_shl).set(rowStride);
  c.get(kStride).i32(2).op(Op.i32_shl).set(kStride);
  balancedPanels(fn, mc, mr, (rows) => {
    const contiguous = (height: number) =>
      c.get(rowStride).i32(4).op(Op.i32_eq).get(rows).i32(height).op(Op.i32_eq).op(Op.i32_and);
    contiguous(mr);
    c.if(
      () => contiguousPanel(mr),
      () => {
        contiguous(mr - 1);
        c.if(
          () => contiguousPanel(mr - 1),
          () => rowByRow(rows),
        );
      },
    );
    c.get(src).get(rowStride).get(rows).op(Op.i32_mul).op(Op.i32_add).set(src);
    c.get(dst)
      .get(kc)
      .i32(4 * mr)
      .op(Op.i32_mul)
      .op(Op.i32_add)
      .set(dst);
  });
  return fn;
}

/**
 * Emits `for each row panel: body(rows)` over `mc` rows (a parameter or local), cutting them into
 * `ceil(mc / mr)` panels whose heights differ by at most one. Why balanced: a batch of 32 as
 * 6+6+6+6+6+2 leaves the 2-row tile latency-bound (4 accumulator chains); 6+6+5+5+5+5 keeps every
 * tile near the FMA throughput. `packA` and `macro` must cut identically, so both use this.
 */
export function balancedPanels(
  fn: FunctionBuilder,
  mc: number,
  mr: number,
  body: (rows: number) => void,
): void {
  const c = fn.code;
  const panels = fn.local(I32);
  const base = fn.local(I32);
  const extra = fn.local(I32);
  const i = fn.local(I32);
  const rows = fn.local(I32);
  c.get(mc)
    .i32(mr - 1)
    .op(Op.i32_add)
    .i32(mr)
    .op(Op.i32_div_u)
    .set(panels);
  c.get(panels)
    .op(Op.i32_eqz)
    .if(() => c.i32(1).set(panels)); // mc = 0: one empty panel, skipped below
  c.get(mc).get(panels).op(Op.i32_div_u).set(base);
  c.get(mc).get(panels).op(Op.i32_rem_u).set(extra);
  c.i32(0).set(i);
  c.block(() => {
    c.loop(() => {
      c.get(i).get(panels).op(Op.i32_ge_s).brIf(1);
      // The first `extra` panels take one row more.
      c.get(base).get(i).get(extra).op(Op.i32_lt_s).op(Op.i32_add).set(rows);
      c.get(rows).i32(0).op(Op.i32_gt_s);
      c.if(() => body(rows));
      c.addTo(i, 1);
      c.br(0);
    });
  });
}

/** Copies `count` (4 … 7) consecutive floats from `src` to `dst`: one vector, then 2- and 1-float moves. */
function copyRun(c: Code, dst: number, src: number, count: number): void {
  c.get(dst).get(src).v128Load(0).v128Store(0);
  let done = 4;
  if (count - done >= 2) {
    c.get(dst)
      .get(src)
      .mem(Op.i64_load, 4 * done, 3)
      .mem(Op.i64_store, 4 * done, 3);
    done += 2;
  }
  if (count - done >= 1)
    c.get(dst)
      .get(src)
      .mem(Op.f32_load, 4 * done, 2)
      .mem(Op.f32_store, 4 * done, 2);
}

/**
 * `packB(src, kStride, colStride, k, n, dst)`: 8-column panels of k rows. When the 8 columns of a
 * full panel are contiguous (colStride 1) each row moves as two vectors.
 */
export function emitPackB(): FunctionBuilder {
  const fn = new FunctionBuilder('packB', [I32, I32, I32, I32, I32, I32]);
  const [src, kStride, colStride, k, n, dst] = [0, 1, 2, 3, 4, 5];
  const colsLeft = fn.local(I32);
  const colPtr = fn.local(I32);
  const sp = fn.local(I32);
  const dp = fn.local(I32);
  const p = fn.local(I32);
  const c = fn.code;
  c.get(kStride).i32(2).op(Op.i32_shl).set(kStride);
  c.get(n).set(colsLeft);
  c.block(() => {
    c.loop(() => {
      c.get(colsLeft).i32(0).op(Op.i32_le_s).brIf(1);
      c.get(colStride)
        .i32(1)
        .op(Op.i32_eq)
        .get(colsLeft)
        .i32(NR)
        .op(Op.i32_ge_s)
        .op(Op.i32_and)
        .if(
          () => {
            c.get(src).set(sp).get(dst).set(dp);
            c.countDown(p, k, 1, () => {
              c.get(dp).get(sp).v128Load(0).v128Store(0);
              c.get(dp).get(sp).v128Load(16).v128Store(16);
              c.addLocal(sp, kStride).addTo(dp, 32);
            });
          },
          () => {
            c.get(src).set(colPtr);
            for (let j = 0; j < NR; j++) {
              c.get(dst)
                .i32(4 * j)
                .op(Op.i32_add)
                .set(dp);
              c.get(colsLeft)
                .i32(j)
                .op(Op.i32_gt_s)
                .if(
                  () => {
                    c.get(colPtr).set(sp);
                    c.countDown(p, k, 1, () => {
                      copyFloat(c, dp, sp);
                      c.addLocal(sp, kStride).addTo(dp, 32);
                    });
                  },
                  () =>
                    c.countDown(p, k, 1, () => {
                      c.get(dp).f32(0).mem(Op.f32_store, 0, 2).addTo(dp, 32);
                    }),
                );
              c.get(colPtr).get(colStride).i32(2).op(Op.i32_shl).op(Op.i32_add).set(colPtr);
            }
          },
        );
      c.get(src)
        .get(colStride)
        .i32(4 * NR)
        .op(Op.i32_mul)
        .op(Op.i32_add)
        .set(src);
      c.get(dst)
        .get(k)
        .i32(4 * NR)
        .op(Op.i32_mul)
        .op(Op.i32_add)
        .set(dst);
      c.addTo(colsLeft, -NR);
      c.br(0);
    });
  });
  return fn;
}
