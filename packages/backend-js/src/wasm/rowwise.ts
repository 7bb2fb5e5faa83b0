/**
 * The loop shape of every elementwise kernel: `rows` consecutive batch rows, `H` lanes per row,
 * several buffers ("streams") walked in step. Each stream is a pointer parameter plus a gate chunk
 * (its start within a row is `chunk·H` floats) and a row width (`widthInH·H` floats, 0 for a
 * per-column vector such as a bias that every row reads again).
 *
 * The body is emitted twice, once four lanes wide and once one lane wide for the `H mod 4` tail:
 * the same vector math runs on lane 0 only (`v128.load32_zero` / `store32_lane`), so the tail is
 * bit-identical to what a wider row would compute, and no kernel ever touches memory past a row.
 */

import { type Code, type FunctionBuilder, I32, Op } from './assembler.js';
import type { Expr } from './vector-math.js';

/** Independent vectors per iteration of the main loop. */
const UNROLL = 2;

/** One buffer walked by a row-wise kernel. */
export interface Stream {
  /** Parameter index holding the buffer's address (of row 0, chunk 0). */
  readonly param: number;
  /** Which H-wide chunk of the row (gate index), 0 for plain `[rows, H]` buffers. */
  readonly chunk: number;
  /** Row width in units of H (G for gate buffers, 1 for states, 0 to reread one row). */
  readonly widthInH: number;
}

/** What a body may do with the streams at the current position. */
export interface Lanes {
  /** The current four (or one) values of stream `s`. */
  load(s: number): Expr;
  /** Appends a store of `value` to stream `s` at the current position. */
  store(s: number, value: Expr): void;
}

/**
 * Emits `for row < rows: for j < H: body` over `streams` into `fn`. `rows` and `H` are parameter
 * indices; `body` is called twice (vector, then tail) and must only use the given {@link Lanes}.
 */
export function emitRowwise(
  fn: FunctionBuilder,
  rows: number,
  H: number,
  streams: readonly Stream[],
  body: (lanes: Lanes) => void,
): void {
  const c = fn.code;
  const hBytes = fn.local(I32);
  const row = fn.local(I32);
  const j = fn.local(I32);
  const base = streams.map(() => fn.local(I32));
  const cur = streams.map(() => fn.local(I32));
  const stride = streams.map(() => fn.local(I32));

  c.get(H).i32(2).op(Op.i32_shl).set(hBytes);
  streams.forEach((s, i) => {
    c.get(s.param);
    if (s.chunk > 0) c.get(hBytes).i32(s.chunk).op(Op.i32_mul).op(Op.i32_add);
    c.set(base[i]);
    c.get(hBytes).i32(s.widthInH).op(Op.i32_mul).set(stride[i]);
  });

  /** Lanes at byte `offset` past the current position, four wide or one wide. */
  const lanes = (wide: boolean, offset: number): Lanes => ({
    load: (s) => (code: Code) => {
      code.get(cur[s]);
      if (wide) code.v128Load(offset);
      else code.load32Zero(offset);
    },
    store: (s, value) => {
      c.get(cur[s]);
      value(c);
      if (wide) c.v128Store(offset);
      else c.store32Lane0(offset);
    },
  });
  /** A loop over `copies` independent vectors (or single lanes) per iteration while `j ≥ width`. */
  const inner = (wide: boolean, copies: number) => {
    const width = (wide ? 4 : 1) * copies;
    c.block(() => {
      c.loop(() => {
        c.get(j).i32(width).op(Op.i32_lt_s).brIf(1);
        for (let u = 0; u < copies; u++) body(lanes(wide, u * (wide ? 16 : 4)));
        for (const p of cur) c.addTo(p, 4 * width);
        c.addTo(j, -width);
        c.br(0);
      });
    });
  };

  c.countDown(row, rows, 1, () => {
    for (let i = 0; i < streams.length; i++) c.get(base[i]).set(cur[i]);
    c.get(H).set(j);
    // Two vectors per iteration first: the gate math is a long chain of dependent operations
    // (exp, divide, tanh of the new cell state), and a second independent chain fills its latency.
    inner(true, UNROLL);
    inner(true, 1);
    inner(false, 1);
    for (let i = 0; i < streams.length; i++) c.addLocal(base[i], stride[i]);
  });
}
