/**
 * What every weight-file reader of `@recur/io` promises about an accepted file, checked independently
 * of the reader: each tensor's shape has non-negative integer dims and its data is a float array with
 * exactly as many values as the shape says.
 */
export function weightFileInvariants(value: unknown): string | undefined {
  const { tensors } = value as { tensors: Record<string, { shape: number[]; data: ArrayLike<number> }> };
  for (const [name, t] of Object.entries(tensors)) {
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `${name}: bad shape`;
    if (t.shape.reduce((n, d) => n * d, 1) !== t.data.length) return `${name}: size differs from shape`;
    if (!(t.data instanceof Float32Array || t.data instanceof Float64Array))
      return `${name}: not a float array`;
  }
  return undefined;
}
