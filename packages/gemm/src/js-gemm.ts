/**
 * Plain-JavaScript matrix product: 4×4 register tiles over strided operands.
 *
 * Every operand is addressed through strides, so the four transpose combinations share one kernel
 * and no transpose is ever copied. A tile keeps 16 partial sums in locals (about what x64's 16
 * registers hold, see docs/performance.md) and loads 4 + 4 values per step of k.
 * Rows are processed in blocks sized so the block of A stays in cache while it meets every column
 * panel of B. Packing (for weights reused across a whole sequence) makes the 4 columns of a panel
 * contiguous, so the B loads become one sequential stream.
 */

import type { TypedArray } from '@recur/core';
import type { GemmTier, PackedMatrix } from './tier.js';

/** Elements of A kept hot per row block (~64 KB in float32). */
const ROW_BLOCK_ELEMENTS = 16384;

/** The plain-JS tier. Stateless; a factory so every engine could hold a differently tuned one. */
export function createJsGemm(): GemmTier {
  return {
    name: 'js',
    gemm(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, accumulate) {
      // Strides of op(A)[i, p] and op(B)[p, j] in the stored arrays.
      const ars = transA ? 1 : k;
      const aks = transA ? m : 1;
      const bks = transB ? 1 : n;
      const bjs = transB ? k : 1;
      gemmStrided(m, n, k, a, aOff, ars, aks, b, bOff, bks, bjs, 0, c, cOff, accumulate);
    },
    pack(b, bOff, transB, k, n) {
      return packPanels(b, bOff, transB, k, n);
    },
    gemmPacked(m, a, aOff, transA, b, c, cOff, accumulate) {
      const k = b.k;
      const ars = transA ? 1 : k;
      const aks = transA ? m : 1;
      gemmStrided(m, b.n, k, a, aOff, ars, aks, b.data, 0, 4, 1, 4 * k, c, cOff, accumulate);
    },
  };
}

/**
 * Packs `op(B)` into panels of 4 columns: panel q holds `op(B)[p, 4q + r]` at `q·4k + 4p + r`,
 * zero-padded past column n, so a tile reads its 4 columns with one sequential stream.
 */
function packPanels(b: TypedArray, bOff: number, transB: boolean, k: number, n: number): PackedMatrix {
  const panels = (n + 3) >> 2;
  const data =
    b instanceof Float32Array ? new Float32Array(panels * 4 * k) : new Float64Array(panels * 4 * k);
  const bks = transB ? 1 : n;
  const bjs = transB ? k : 1;
  for (let j = 0; j < n; j++) {
    const dst = (j >> 2) * 4 * k + (j & 3);
    const src = bOff + j * bjs;
    for (let p = 0; p < k; p++) data[dst + 4 * p] = b[src + p * bks];
  }
  return { k, n, data };
}

/**
 * `C (+)= op(A)·op(B)` with `op(A)[i,p] = a[aOff + i·ars + p·aks]` and `op(B)[p,j]` at
 * `b[colBase(j) + p·bks]`, where `colBase(j) = bOff + j·bjs`, or for packed panels
 * (`panelStride > 0`) `colBase(j) = (j >> 2)·panelStride + (j & 3)`.
 */
function gemmStrided(
  m: number,
  n: number,
  k: number,
  a: TypedArray,
  aOff: number,
  ars: number,
  aks: number,
  b: TypedArray,
  bOff: number,
  bks: number,
  bjs: number,
  panelStride: number,
  c: TypedArray,
  cOff: number,
  accumulate: boolean,
): void {
  if (m === 0 || n === 0) return;
  const n4 = n & ~3;
  const rowBlock = Math.max(4, Math.floor(ROW_BLOCK_ELEMENTS / Math.max(k, 1)) & ~3);
  for (let i0 = 0; i0 < m; i0 += rowBlock) {
    const i1 = Math.min(m, i0 + rowBlock);
    const i4 = i0 + ((i1 - i0) & ~3);
    for (let j = 0; j < n4; j += 4) {
      const pb = panelStride > 0 ? (j >> 2) * panelStride : bOff + j * bjs;
      for (let i = i0; i < i4; i += 4) {
        tile4x4(k, a, aOff + i * ars, ars, aks, b, pb, bks, bjs, c, cOff + i * n + j, n, accumulate);
      }
      for (let i = i4; i < i1; i++) {
        tile1x4(k, a, aOff + i * ars, aks, b, pb, bks, bjs, c, cOff + i * n + j, accumulate);
      }
    }
    for (let j = n4; j < n; j++) {
      const pb = panelStride > 0 ? (j >> 2) * panelStride + (j & 3) : bOff + j * bjs;
      for (let i = i0; i < i4; i += 4) {
        tile4x1(k, a, aOff + i * ars, ars, aks, b, pb, bks, c, cOff + i * n + j, n, accumulate);
      }
      for (let i = i4; i < i1; i++) {
        c[cOff + i * n + j] =
          dot(k, a, aOff + i * ars, aks, b, pb, bks) + (accumulate ? c[cOff + i * n + j] : 0);
      }
    }
  }
}

/** Four rows by four columns; the 16 sums live in locals for the whole k loop. */
function tile4x4(
  k: number,
  a: TypedArray,
  pa: number,
  ars: number,
  aks: number,
  b: TypedArray,
  pb: number,
  bks: number,
  bjs: number,
  c: TypedArray,
  pc: number,
  ldc: number,
  accumulate: boolean,
): void {
  const ar2 = 2 * ars;
  const ar3 = 3 * ars;
  const bj2 = 2 * bjs;
  const bj3 = 3 * bjs;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < k; p++) {
    const a0 = a[pa];
    const a1 = a[pa + ars];
    const a2 = a[pa + ar2];
    const a3 = a[pa + ar3];
    const b0 = b[pb];
    const b1 = b[pb + bjs];
    const b2 = b[pb + bj2];
    const b3 = b[pb + bj3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    pa += aks;
    pb += bks;
  }
  const r1 = pc + ldc;
  const r2 = r1 + ldc;
  const r3 = r2 + ldc;
  if (accumulate) {
    c[pc] += c00;
    c[pc + 1] += c01;
    c[pc + 2] += c02;
    c[pc + 3] += c03;
    c[r1] += c10;
    c[r1 + 1] += c11;
    c[r1 + 2] += c12;
    c[r1 + 3] += c13;
    c[r2] += c20;
    c[r2 + 1] += c21;
    c[r2 + 2] += c22;
    c[r2 + 3] += c23;
    c[r3] += c30;
    c[r3 + 1] += c31;
    c[r3 + 2] += c32;
    c[r3 + 3] += c33;
  } else {
    c[pc] = c00;
    c[pc + 1] = c01;
    c[pc + 2] = c02;
    c[pc + 3] = c03;
    c[r1] = c10;
    c[r1 + 1] = c11;
    c[r1 + 2] = c12;
    c[r1 + 3] = c13;
    c[r2] = c20;
    c[r2 + 1] = c21;
    c[r2 + 2] = c22;
    c[r2 + 3] = c23;
    c[r3] = c30;
    c[r3 + 1] = c31;
    c[r3 + 2] = c32;
    c[r3 + 3] = c33;
  }
}

/** One leftover row by four columns (also the whole product when m = 1, as in batch-1 inference). */
function tile1x4(
  k: number,
  a: TypedArray,
  pa: number,
  aks: number,
  b: TypedArray,
  pb: number,
  bks: number,
  bjs: number,
  c: TypedArray,
  pc: number,
  accumulate: boolean,
): void {
  const bj2 = 2 * bjs;
  const bj3 = 3 * bjs;
  let c0 = 0,
    c1 = 0,
    c2 = 0,
    c3 = 0;
  for (let p = 0; p < k; p++) {
    const a0 = a[pa];
    c0 += a0 * b[pb];
    c1 += a0 * b[pb + bjs];
    c2 += a0 * b[pb + bj2];
    c3 += a0 * b[pb + bj3];
    pa += aks;
    pb += bks;
  }
  if (accumulate) {
    c[pc] += c0;
    c[pc + 1] += c1;
    c[pc + 2] += c2;
    c[pc + 3] += c3;
  } else {
    c[pc] = c0;
    c[pc + 1] = c1;
    c[pc + 2] = c2;
    c[pc + 3] = c3;
  }
}

/** Four rows by one leftover column. */
function tile4x1(
  k: number,
  a: TypedArray,
  pa: number,
  ars: number,
  aks: number,
  b: TypedArray,
  pb: number,
  bks: number,
  c: TypedArray,
  pc: number,
  ldc: number,
  accumulate: boolean,
): void {
  const ar2 = 2 * ars;
  const ar3 = 3 * ars;
  let c0 = 0,
    c1 = 0,
    c2 = 0,
    c3 = 0;
  for (let p = 0; p < k; p++) {
    const b0 = b[pb];
    c0 += a[pa] * b0;
    c1 += a[pa + ars] * b0;
    c2 += a[pa + ar2] * b0;
    c3 += a[pa + ar3] * b0;
    pa += aks;
    pb += bks;
  }
  if (accumulate) {
    c[pc] += c0;
    c[pc + ldc] += c1;
    c[pc + 2 * ldc] += c2;
    c[pc + 3 * ldc] += c3;
  } else {
    c[pc] = c0;
    c[pc + ldc] = c1;
    c[pc + 2 * ldc] = c2;
    c[pc + 3 * ldc] = c3;
  }
}

/** One row by one column. */
function dot(
  k: number,
  a: TypedArray,
  pa: number,
  aks: number,
  b: TypedArray,
  pb: number,
  bks: number,
): number {
  let sum = 0;
  for (let p = 0; p < k; p++) {
    sum += a[pa] * b[pb];
    pa += aks;
    pb += bks;
  }
  return sum;
}
