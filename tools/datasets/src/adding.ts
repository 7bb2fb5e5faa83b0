/**
 * Hochreiter & Schmidhuber's adding problem, in the form of Le et al. (2015): a synthetic dataset
 * shared by the examples and the demo. Each step carries a value drawn from U[0, 1] and a marker;
 * exactly two steps are marked, one in each half of the sequence, and the target is the sum of their
 * values. Answering 1.0 always scores MSE 1/6 ≈ 0.167.
 */

/** Anything that draws uniform numbers and integers (`Generator` of `@recur/core` fits). */
export interface UniformSource {
  /** Uniform in [0, 1). */
  random(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

/** A batch: inputs `x [T, N, 2]` (value, marker, time-major) and one target per sequence `y [N]`, as host arrays. */
export interface AddingBatch {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly length: number;
  readonly size: number;
}

/** Draws `size` sequences of `length` steps. */
export function addingBatch(length: number, size: number, generator: UniformSource): AddingBatch {
  const x = new Float32Array(length * size * 2);
  const y = new Float32Array(size);
  const half = Math.floor(length / 2);
  for (let b = 0; b < size; b++) {
    const first = generator.int(half);
    const second = half + generator.int(length - half);
    for (let t = 0; t < length; t++) {
      const v = generator.random();
      const o = (t * size + b) * 2;
      x[o] = v;
      if (t === first || t === second) {
        x[o + 1] = 1;
        y[b] += v;
      }
    }
  }
  return { x, y, length, size };
}
