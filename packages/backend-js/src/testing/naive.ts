/**
 * Deliberately simple reference implementations (index arithmetic per element, no shared code with the
 * backend) used as forward oracles in the primitive tests.
 */

/** Multi-index of flat position `flat` in row-major `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/** Flat position of multi-index `index` in row-major `shape`. */
export function ravel(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + index[d];
  return flat;
}

/** Element of `data` (shape `shape`) read at an index of a larger broadcast shape. */
export function broadcastRead(
  data: ArrayLike<number>,
  shape: readonly number[],
  outIndex: readonly number[],
): number {
  const offset = outIndex.length - shape.length;
  const index = shape.map((d, i) => (d === 1 ? 0 : outIndex[i + offset]));
  return data[ravel(index, shape)];
}

/** `C = op(A)·op(B)` with triple loops over logical indices. */
export function naiveMatMul(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  transA: boolean,
  transB: boolean,
): Float64Array {
  const [m, k] = transA ? [aShape[1], aShape[0]] : [aShape[0], aShape[1]];
  const n = transB ? bShape[0] : bShape[1];
  const A = (i: number, p: number) => (transA ? a[p * m + i] : a[i * k + p]);
  const B = (p: number, j: number) => (transB ? b[j * k + p] : b[p * n + j]);
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
      c[i * n + j] = s;
    }
  }
  return c;
}
