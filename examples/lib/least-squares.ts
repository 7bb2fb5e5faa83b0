/** Ordinary least squares in float64 on the host: the linear baseline of the regression examples. */

/** Solves `A·x = b` for a square, non-singular `A` (Gaussian elimination with partial pivoting). */
export function solve(a: readonly number[][], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const p = m[col]![col]!;
    if (Math.abs(p) < 1e-12) throw new RangeError('solve: the matrix is singular');
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / p;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** A fitted linear model `y ≈ w·x + bias`. */
export interface LinearFit {
  readonly weights: number[];
  readonly bias: number;
  predict(x: readonly number[]): number;
}

/** Least-squares fit with an intercept (normal equations). */
export function leastSquares(xs: readonly number[][], ys: readonly number[]): LinearFit {
  const d = xs[0]!.length + 1;
  const ata = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const atb = new Array<number>(d).fill(0);
  xs.forEach((x, i) => {
    const row = [...x, 1];
    for (let p = 0; p < d; p++) {
      atb[p]! += row[p]! * ys[i]!;
      for (let q = 0; q < d; q++) ata[p]![q]! += row[p]! * row[q]!;
    }
  });
  const w = solve(ata, atb);
  const weights = w.slice(0, -1);
  const bias = w[d - 1]!;
  return { weights, bias, predict: (x) => x.reduce((s, v, j) => s + v * weights[j]!, bias) };
}

/** Root mean squared error. */
export function rmse(predictions: readonly number[], targets: readonly number[]): number {
  return Math.sqrt(predictions.reduce((s, p, i) => s + (p - targets[i]!) ** 2, 0) / targets.length);
}
