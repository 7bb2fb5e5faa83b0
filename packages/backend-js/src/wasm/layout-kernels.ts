/**
 * Emits `copyRows`: whole rows of floats, each source and destination row at its own stride (a zero
 * source stride broadcasts one row, e.g. a bias, to many). Four floats at a time, then one at a time
 * for the tail, so no row is read or written past its end.
 */

import { FunctionBuilder, I32, Op } from './assembler.js';

/** Signature of the emitted layout kernels. */
export interface LayoutExports {
  /**
   * `(rows, width, dst, dstStride, src, srcStride)`: copies `rows` rows of `width` floats, row r from
   * `src + r·srcStride` to `dst + r·dstStride` (strides in bytes; the ranges must not overlap).
   */
  copyRows(rows: number, width: number, dst: number, dstStride: number, src: number, srcStride: number): void;
}

/** Appends the layout kernels to `functions`. */
export function emitLayoutKernels(functions: FunctionBuilder[]): void {
  const fn = new FunctionBuilder('copyRows', [I32, I32, I32, I32, I32, I32]);
  const [rows, width, dst, dstStride, src, srcStride] = [0, 1, 2, 3, 4, 5];
  const r = fn.local(I32);
  const j = fn.local(I32);
  const tail = fn.local(I32);
  const sp = fn.local(I32);
  const dp = fn.local(I32);
  const c = fn.code;
  c.countDown(r, rows, 1, () => {
    c.get(src).set(sp).get(dst).set(dp);
    c.countDown(j, width, 4, () => {
      c.get(dp);
      c.get(sp).v128Load(0);
      c.v128Store(0);
      c.addTo(sp, 16).addTo(dp, 16);
    });
    // countDown leaves the floats not copied by whole vectors (width mod 4) in j.
    c.countDown(tail, j, 1, () => {
      c.get(dp);
      c.get(sp).mem(Op.f32_load, 0, 2);
      c.mem(Op.f32_store, 0, 2);
      c.addTo(sp, 4).addTo(dp, 4);
    });
    c.addLocal(src, srcStride).addLocal(dst, dstStride);
  });
  functions.push(fn);
}
