/**
 * Emits the matrix-product kernels: register-tiled micro-kernels, the loop over tiles around them,
 * the packing routines, and a batch-1 (GEMV) kernel.
 *
 * Layouts (all float32, byte addresses; constants in `panel-layout.ts`):
 * - Packed B ("panels"): op(B) `k×n` cut into panels of {@link NR} = 8 columns; panel q holds
 *   `op(B)[p, 8q + j]` at `q·panelStride + 32p + 4j`, zero-padded past column n. Weights are packed
 *   once per sequence, so the micro-kernel's B stream is purely sequential.
 * - Packed A: a block of `mc` rows × `kc` of op(A), cut into `ceil(mc / MR)` panels of at most MR
 *   rows (heights balanced, see `balancedPanels`); row r of panel i sits at `i·MR·kc·4 + 4(MR·p + r)`
 *   for step p. Slots past a panel's height are never read.
 *
 * Why 8 columns × MR rows: V8 lowers wasm SIMD to 16 xmm registers. A tile of MR rows × 8 columns
 * keeps 2·MR accumulators plus two B vectors and one broadcast A value live: MR = 6 fits exactly with
 * `relaxed_madd` (one FMA, no temporary), MR = 5 with mul+add (the product needs a temporary); one
 * more row spills (measured in docs/performance.md: 54 and 45 GFLOP/s).
 */

import { F32, FunctionBuilder, I32, Op, V128 } from './assembler.js';
import { emitGemv } from './gemv-kernel.js';
import { balancedPanels, emitPackA, emitPackB } from './pack-kernels.js';
import { NR } from './panel-layout.js';
import { VectorMath } from './vector-math.js';

/** Exported names and signatures of the product kernels (all sizes in elements, pointers in bytes). */
export interface GemmExports {
  /** `(src, rowStride, kStride, mc, kc, dst)`: packs op(A) rows (element strides) into MR-row panels. */
  packA(src: number, rowStride: number, kStride: number, mc: number, kc: number, dst: number): void;
  /** `(src, kStride, colStride, k, n, dst)`: packs op(B) into 8-column panels of `k` rows. */
  packB(src: number, kStride: number, colStride: number, k: number, n: number, dst: number): void;
  /**
   * `(mc, kc, a, b, panelStride, c, ldc, accumulate, tile, n, q0, q1)`: C (+)= Ã·B̃ over panels
   * q0 … q1−1, for a packed A block and packed B starting at the block's first k row; `ldc` in bytes;
   * `tile` is a 256-byte scratch for partial tiles.
   */
  macro(
    mc: number,
    kc: number,
    a: number,
    b: number,
    panelStride: number,
    c: number,
    ldc: number,
    accumulate: number,
    tile: number,
    n: number,
    q0: number,
    q1: number,
  ): void;
  /** `(k, a, b, panelStride, c, n, accumulate, tile, q0, q1)`: one row `c (+)= a·B̃` over panels q0 … q1−1. */
  gemv(
    k: number,
    a: number,
    b: number,
    panelStride: number,
    c: number,
    n: number,
    accumulate: number,
    tile: number,
    q0: number,
    q1: number,
  ): void;
}

/**
 * Appends the product kernels to `functions` (their indices are their positions) for a tile of `mr`
 * rows; `relaxed` chooses FMA (`f32x4.relaxed_madd`) over mul+add.
 */
export function emitGemmKernels(functions: FunctionBuilder[], mr: number, relaxed: boolean): void {
  const add = (fn: FunctionBuilder) => functions.push(fn) - 1;
  const micro: number[] = [];
  for (let rows = 1; rows <= mr; rows++) micro[rows] = add(emitMicroKernel(rows, mr, relaxed));
  const edge = add(emitEdgeStore());
  add(emitMacroKernel(mr, micro, edge));
  add(emitPackA(mr));
  add(emitPackB());
  add(emitGemv(relaxed, edge));
}

/**
 * `micro<rows>(kc, a, b, c, ldc, accumulate)`: a `rows × 8` tile, `C (+)= Ã·B̃` over kc steps.
 * Ã panels always have `panelRows` slots per step, so shorter tiles read the same layout.
 * The k loop is not unrolled: V8 would hoist the second step's loads above the first step's FMAs
 * and spill accumulators (seen in `--print-wasm-code`), which costs more than the loop overhead.
 */
function emitMicroKernel(rows: number, panelRows: number, relaxed: boolean): FunctionBuilder {
  const fn = new FunctionBuilder(`micro${rows}`, [I32, I32, I32, I32, I32, I32]);
  const [kc, a, b, cPtr, ldc, accumulate] = [0, 1, 2, 3, 4, 5];
  const v = new VectorMath(fn, relaxed);
  const acc = Array.from({ length: rows }, () => [fn.local(V128), fn.local(V128)]);
  const b0 = fn.local(V128);
  const b1 = fn.local(V128);
  const av = fn.local(V128);
  const p = fn.local(I32);
  const row = fn.local(I32);
  const c = fn.code;

  c.get(accumulate).if(
    () => {
      c.get(cPtr).set(row);
      for (const [lo, hi] of acc) {
        c.get(row).v128Load(0).set(lo);
        c.get(row).v128Load(16).set(hi);
        c.addLocal(row, ldc);
      }
    },
    () => {
      for (const [lo, hi] of acc) c.f32x4(0).set(lo).f32x4(0).set(hi);
    },
  );

  const step = (u: number) => {
    c.get(b)
      .v128Load(32 * u)
      .set(b0);
    c.get(b)
      .v128Load(32 * u + 16)
      .set(b1);
    acc.forEach(([lo, hi], r) => {
      c.get(a)
        .loadSplat(4 * (panelRows * u + r))
        .set(av);
      v.fma(v.get(av), v.get(b0), v.get(lo))(c);
      c.set(lo);
      v.fma(v.get(av), v.get(b1), v.get(hi))(c);
      c.set(hi);
    });
  };
  c.countDown(p, kc, 1, () => {
    step(0);
    c.addTo(a, 4 * panelRows).addTo(b, 32);
  });

  c.get(cPtr).set(row);
  for (const [lo, hi] of acc) {
    c.get(row).get(lo).v128Store(0);
    c.get(row).get(hi).v128Store(16);
    c.addLocal(row, ldc);
  }
  return fn;
}

/** `edge(tile, c, ldc, rows, cols, accumulate)`: copies (or adds) a partial tile (row stride 32 bytes). */
function emitEdgeStore(): FunctionBuilder {
  const fn = new FunctionBuilder('edge', [I32, I32, I32, I32, I32, I32]);
  const [tile, cPtr, ldc, rows, cols, accumulate] = [0, 1, 2, 3, 4, 5];
  const i = fn.local(I32);
  const j = fn.local(I32);
  const src = fn.local(I32);
  const dst = fn.local(I32);
  const value = fn.local(F32);
  const c = fn.code;
  c.countDown(i, rows, 1, () => {
    c.get(tile).set(src).get(cPtr).set(dst);
    c.countDown(j, cols, 1, () => {
      c.get(src).mem(Op.f32_load, 0, 2).set(value);
      c.get(accumulate).if(() => {
        c.get(value).get(dst).mem(Op.f32_load, 0, 2).op(Op.f32_add).set(value);
      });
      c.get(dst).get(value).mem(Op.f32_store, 0, 2);
      c.addTo(src, 4).addTo(dst, 4);
    });
    c.addTo(tile, 32).addLocal(cPtr, ldc);
  });
  return fn;
}

/**
 * `macro(mc, kc, a, b, panelStride, c, ldc, accumulate, tile, n, q0, q1)`: every tile of a packed A
 * block against panels q0 … q1−1. Panels outer, row panels inner: one kc×8 B panel (≤ 8 KB at
 * kc = 256) stays in L1 while the A block streams from L2.
 */
function emitMacroKernel(mr: number, micro: number[], edge: number): FunctionBuilder {
  const fn = new FunctionBuilder('macro', [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [mc, kc, a, b, panelStride, cPtr, ldc, accumulate, tile, n, q0, q1] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  ];
  const q = fn.local(I32);
  const nr = fn.local(I32);
  const bq = fn.local(I32);
  const ai = fn.local(I32);
  const ci = fn.local(I32);
  const mrNow = fn.local(I32);
  const aStep = fn.local(I32);
  const c = fn.code;

  /** Calls the micro-kernel for `mrNow` rows (a chain of ifs, the full tile tested first). */
  const dispatch = (dst: () => void, dstLdc: () => void, acc: () => void) => {
    const chain = (rowsCase: number) => {
      const call = () => {
        c.get(kc).get(ai).get(bq);
        dst();
        dstLdc();
        acc();
        c.call(micro[rowsCase]);
      };
      if (rowsCase === 1) return call();
      c.get(mrNow)
        .i32(rowsCase)
        .op(Op.i32_eq)
        .if(call, () => chain(rowsCase - 1));
    };
    chain(mr);
  };

  c.get(kc)
    .i32(4 * mr)
    .op(Op.i32_mul)
    .set(aStep);
  c.get(q0).set(q);
  c.block(() => {
    c.loop(() => {
      c.get(q).get(q1).op(Op.i32_ge_s).brIf(1);
      // nr = min(8, n − 8q)
      c.get(n).get(q).i32(3).op(Op.i32_shl).op(Op.i32_sub).set(nr);
      c.get(nr)
        .i32(NR)
        .op(Op.i32_gt_s)
        .if(() => c.i32(NR).set(nr));
      c.get(b).get(q).get(panelStride).op(Op.i32_mul).op(Op.i32_add).set(bq);
      c.get(cPtr).get(q).i32(5).op(Op.i32_shl).op(Op.i32_add).set(ci);
      c.get(a).set(ai);
      balancedPanels(fn, mc, mr, (rows) => {
        c.get(rows).set(mrNow);
        c.get(nr).i32(NR).op(Op.i32_eq);
        c.if(
          () =>
            dispatch(
              () => c.get(ci),
              () => c.get(ldc),
              () => c.get(accumulate),
            ),
          () => {
            dispatch(
              () => c.get(tile),
              () => c.i32(32),
              () => c.i32(0),
            );
            c.get(tile).get(ci).get(ldc).get(mrNow).get(nr).get(accumulate).call(edge);
          },
        );
        c.addLocal(ai, aStep);
        c.get(ldc).get(rows).op(Op.i32_mul).get(ci).op(Op.i32_add).set(ci);
      });
      c.addTo(q, 1);
      c.br(0);
    });
  });
  return fn;
}
