/** How close a computed tensor is to the reference: worst absolute and relative error, and the verdict. */

/** Tolerance a backend declares for one dtype: pass iff |a − b| ≤ atol + rtol·|b| for every element. */
export interface Tolerance {
  /** Absolute part of the bound. */
  atol: number;
  /** Relative part of the bound, a multiple of the reference value's magnitude. */
  rtol: number;
}

/** Worst errors of one compared tensor. */
export interface ErrorStats {
  /** Largest |actual − expected| over the elements; NaN when a NaN appeared where the reference has none. */
  maxAbs: number;
  /** Largest |actual − expected| / |expected| over the elements whose reference is not 0. */
  maxRel: number;
}

/** Compares `actual` with `expected` element by element. Shape mismatches must be caught before. */
export function compareValues(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
): ErrorStats & {
  /** Same length, no NaN unless the reference has one there, and every element within `atol + rtol·|expected|`. */
  pass: boolean;
} {
  let maxAbs = 0;
  let maxRel = 0;
  let pass = actual.length === expected.length;
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    const diff = Math.abs(a - b);
    // NaN anywhere fails: `diff > bound` is false for NaN, so test explicitly.
    if (Number.isNaN(diff) && !(Number.isNaN(a) && Number.isNaN(b))) {
      pass = false;
      maxAbs = Number.NaN;
      continue;
    }
    if (Number.isNaN(diff)) continue;
    if (diff > maxAbs) maxAbs = diff;
    if (b !== 0 && diff / Math.abs(b) > maxRel) maxRel = diff / Math.abs(b);
    if (diff > tolerance.atol + tolerance.rtol * Math.abs(b)) pass = false;
  }
  return { maxAbs, maxRel, pass };
}
