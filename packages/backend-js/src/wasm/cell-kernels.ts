/**
 * Emits the per-step gate math of the fused sequence kernels (forward and BPTT), the elementwise
 * half of every step. Formulas and caches are those of `fused/lstm.ts`, `fused/gru.ts` and
 * `fused/rnn.ts` (see docs/math.md); each kernel processes `rows` consecutive batch rows of one step.
 *
 * Why in WebAssembly: once the products run at SIMD speed, `Math.exp`/`Math.tanh` per element
 * dominate small workloads (an LSTM step does five transcendentals per hidden unit); four lanes of a
 * polynomial are several times cheaper, and the data never leaves wasm memory.
 */

import { FunctionBuilder, I32 } from './assembler.js';
import { emitRowwise, type Stream } from './rowwise.js';
import { type Expr, VectorMath } from './vector-math.js';

/** Signatures of the emitted cell kernels: every argument is a row count, a width or a byte address. */
export interface CellExports {
  /** `(rows, H, gates, cPrev, cNext, hOut)`: activates gates in place, writes c_t and `o ⊙ tanh(c_t)`. */
  lstmForward(rows: number, H: number, gates: number, cPrev: number, cNext: number, hOut: number): void;
  /** `(rows, H, gates, cPrev, cNext, dm, dc, da)`: da of the four gates; dc moves from c_t to c_{t−1}. */
  lstmBackward(
    rows: number,
    H: number,
    gates: number,
    cPrev: number,
    cNext: number,
    dm: number,
    dc: number,
    da: number,
  ): void;
  /** `(rows, H, gates, gh, bhn, hPrev, hNext, ghn)`: r, z, n in place of gi; caches gh_n + b_hn. */
  gruForward(
    rows: number,
    H: number,
    gates: number,
    gh: number,
    bhn: number,
    hPrev: number,
    hNext: number,
    ghn: number,
  ): void;
  /** `(rows, H, gates, ghn, hPrev, dh, da, dgh, dhPrev)`: dgi, dgh and `dh ⊙ z` into dhPrev. */
  gruBackward(
    rows: number,
    H: number,
    gates: number,
    ghn: number,
    hPrev: number,
    dh: number,
    da: number,
    dgh: number,
    dhPrev: number,
  ): void;
  /** `(rows, H, a, hNext)`: `h = tanh(a)`. */
  tanhForward(rows: number, H: number, a: number, hNext: number): void;
  /** `(rows, H, a, hNext)`: `h = max(a, 0)` (NaN stays NaN). */
  reluForward(rows: number, H: number, a: number, hNext: number): void;
  /** `(rows, H, h, dh, da)`: `da = dh ⊙ (1 − h²)` (BPTT kernels flush a subnormal carried dh, dc to 0). */
  tanhBackward(rows: number, H: number, h: number, dh: number, da: number): void;
  /** `(rows, H, h, dh, da)`: `da = dh ⊙ [h > 0]`, so relu'(0) = 0 as in PyTorch. */
  reluBackward(rows: number, H: number, h: number, dh: number, da: number): void;
  /** `(rows, H, dst, src)`: `dst += src` over `rows × H` floats. */
  addInto(rows: number, H: number, dst: number, src: number): void;
  /** `(rows, H, dst)`: `dst = 0` over `rows × H` floats. */
  zeroInto(rows: number, H: number, dst: number): void;
}

/**
 * The buffers of each cell kernel: after `(rows, H)`, one entry per pointer parameter giving its
 * row width in units of H (gate buffers G, states 1, per-column vectors such as `b_hn` 0). The
 * emitter walks the buffers with these widths, and the two-thread splitter uses them to hand the
 * upper half of the rows to the worker (`pointer + r0 · width · H · 4`).
 */
export const CELL_LAYOUTS = {
  lstmForward: [4, 1, 1, 1],
  lstmBackward: [4, 1, 1, 1, 1, 4],
  gruForward: [3, 3, 0, 1, 1, 1],
  gruBackward: [3, 1, 1, 1, 3, 3, 1],
  tanhForward: [1, 1],
  reluForward: [1, 1],
  tanhBackward: [1, 1, 1],
  reluBackward: [1, 1, 1],
  addInto: [1, 1],
  zeroInto: [1],
} as const satisfies Record<keyof CellExports, readonly number[]>;

/** Cell kernel names in a fixed order (their index identifies them to the worker thread). */
export const CELL_KERNEL_NAMES = Object.keys(CELL_LAYOUTS) as (keyof CellExports)[];

/** Appends every cell kernel to `functions`. */
export function emitCellKernels(functions: FunctionBuilder[], relaxed: boolean): void {
  /** Emits kernel `name` with parameters `(rows, H, ...pointers)` as laid out in {@link CELL_LAYOUTS}. */
  const kernel = (
    name: keyof CellExports,
    build: (fn: FunctionBuilder, v: VectorMath, s: (param: number, chunk?: number) => Stream) => void,
  ) => {
    const widths: readonly number[] = CELL_LAYOUTS[name];
    const fn = new FunctionBuilder(name, Array(2 + widths.length).fill(I32));
    /** Stream over pointer parameter `param` (index ≥ 2), gate chunk `chunk`. */
    const s = (param: number, chunk = 0): Stream => ({ param, chunk, widthInH: widths[param - 2] });
    build(fn, new VectorMath(fn, relaxed), s);
    functions.push(fn);
  };

  kernel('lstmForward', (fn, v, s) => {
    const [gi, gf, gg, go, cPrev, cNext, hOut] = [0, 1, 2, 3, 4, 5, 6];
    const streams = [s(2, 0), s(2, 1), s(2, 2), s(2, 3), s(3), s(4), s(5)];
    emitRowwise(fn, 0, 1, streams, (x) => {
      const c = fn.code;
      const i = v.bind(c, v.sigmoid(x.load(gi)));
      const f = v.bind(c, v.sigmoid(x.load(gf)));
      const g = v.bind(c, v.tanh(x.load(gg)));
      const o = v.bind(c, v.sigmoid(x.load(go)));
      x.store(gi, i);
      x.store(gf, f);
      x.store(gg, g);
      x.store(go, o);
      const cell = v.bind(c, v.fma(f, x.load(cPrev), v.mul(i, g)));
      x.store(cNext, cell);
      x.store(hOut, v.mul(o, v.tanh(cell)));
    });
  });

  kernel('lstmBackward', (fn, v, s) => {
    const [gi, gf, gg, go, cPrev, cNext, dm, dc, di, df, dg, dO] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const streams = [
      ...[0, 1, 2, 3].map((g) => s(2, g)),
      s(3),
      s(4),
      s(5),
      s(6),
      ...[0, 1, 2, 3].map((g) => s(7, g)),
    ];
    emitRowwise(fn, 0, 1, streams, (x) => {
      const c = fn.code;
      const i = v.bind(c, x.load(gi));
      const f = v.bind(c, x.load(gf));
      const g = v.bind(c, x.load(gg));
      const o = v.bind(c, x.load(go));
      const tc = v.bind(c, v.tanh(x.load(cNext)));
      // Every gradient read or written here is flushed below the normal range: see flushSubnormal.
      const dmv = v.bind(c, v.flushSubnormal(x.load(dm)));
      // dc_t = dc + dm ⊙ o ⊙ (1 − tanh²(c_t))
      const dcv = v.bind(c, v.fma(v.mul(dmv, o), v.tanhSlope(tc), x.load(dc)));
      const flush = (e: Expr) => v.flushSubnormal(e);
      x.store(di, flush(v.mul(v.mul(dcv, g), v.logisticSlope(i))));
      x.store(df, flush(v.mul(v.mul(dcv, x.load(cPrev)), v.logisticSlope(f))));
      x.store(dg, flush(v.mul(v.mul(dcv, i), v.tanhSlope(g))));
      x.store(dO, flush(v.mul(v.mul(dmv, tc), v.logisticSlope(o))));
      x.store(dc, flush(v.mul(dcv, f)));
    });
  });

  kernel('gruForward', (fn, v, s) => {
    const [gr, gz, gn, hr, hz, hn, bhn, hPrev, hNext, ghn] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const streams = [s(2, 0), s(2, 1), s(2, 2), s(3, 0), s(3, 1), s(3, 2), s(4, 0), s(5), s(6), s(7)];
    emitRowwise(fn, 0, 1, streams, (x) => {
      const c = fn.code;
      const r = v.bind(c, v.sigmoid(v.add(x.load(gr), x.load(hr))));
      const z = v.bind(c, v.sigmoid(v.add(x.load(gz), x.load(hz))));
      const ghnv = v.bind(c, v.add(x.load(hn), x.load(bhn)));
      const n = v.bind(c, v.tanh(v.fma(r, ghnv, x.load(gn))));
      x.store(gr, r);
      x.store(gz, z);
      x.store(gn, n);
      x.store(ghn, ghnv);
      // h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
      x.store(hNext, v.fma(z, x.load(hPrev), v.mul(v.oneMinus(z), n)));
    });
  });

  kernel('gruBackward', (fn, v, s) => {
    const [gr, gz, gn, ghn, hPrev, dh, dar, daz, dan, dhr, dhz, dhn, dhPrev] = [
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ];
    const streams = [
      s(2, 0),
      s(2, 1),
      s(2, 2),
      s(3),
      s(4),
      s(5),
      s(6, 0),
      s(6, 1),
      s(6, 2),
      s(7, 0),
      s(7, 1),
      s(7, 2),
      s(8),
    ];
    emitRowwise(fn, 0, 1, streams, (x) => {
      const c = fn.code;
      const r = v.bind(c, x.load(gr));
      const z = v.bind(c, x.load(gz));
      const n = v.bind(c, x.load(gn));
      // Every gradient read or written here is flushed below the normal range: see flushSubnormal.
      const dhv = v.bind(c, v.flushSubnormal(x.load(dh)));
      const flush = (e: Expr) => v.flushSubnormal(e);
      const an = v.bind(c, flush(v.mul(v.mul(dhv, v.oneMinus(z)), v.tanhSlope(n))));
      const ar = v.bind(c, flush(v.mul(v.mul(an, x.load(ghn)), v.logisticSlope(r))));
      const az = v.bind(c, flush(v.mul(v.mul(dhv, v.sub(x.load(hPrev), n)), v.logisticSlope(z))));
      x.store(dar, ar);
      x.store(daz, az);
      x.store(dan, an);
      x.store(dhr, ar);
      x.store(dhz, az);
      x.store(dhn, flush(v.mul(an, r)));
      x.store(dhPrev, flush(v.mul(dhv, z)));
    });
  });

  kernel('tanhForward', (fn, v, s) => {
    emitRowwise(fn, 0, 1, [s(2), s(3)], (x) => x.store(1, v.tanh(x.load(0))));
  });
  kernel('reluForward', (fn, v, s) => {
    emitRowwise(fn, 0, 1, [s(2), s(3)], (x) => x.store(1, v.pmax(x.load(0), v.splat(0))));
  });
  kernel('tanhBackward', (fn, v, s) => {
    emitRowwise(fn, 0, 1, [s(2), s(3), s(4)], (x) => {
      const h = v.bind(fn.code, x.load(0));
      x.store(2, v.flushSubnormal(v.mul(v.flushSubnormal(x.load(1)), v.tanhSlope(h))));
    });
  });
  kernel('reluBackward', (fn, v, s) => {
    emitRowwise(fn, 0, 1, [s(2), s(3), s(4)], (x) =>
      x.store(2, v.and(v.flushSubnormal(x.load(1)), v.gt(x.load(0), v.splat(0)))),
    );
  });
  kernel('addInto', (fn, v, s) => {
    emitRowwise(fn, 0, 1, [s(2), s(3)], (x) => x.store(0, v.add(x.load(0), x.load(1))));
  });
  // Zeros as a kernel too (copies are `copyRows`), so that a recorded step program is only calls.
  kernel('zeroInto', (fn, v, s) => {
    emitRowwise(fn, 0, 1, [s(2)], (x) => x.store(0, v.splat(0)));
  });
}
