/**
 * Gradient checking against central finite differences, the oracle that does not trust the backward
 * code: every analytic gradient entry is compared to (f(x + ε) − f(x − ε)) / 2ε in float64.
 */

import type { Backend } from '@recur/core';
import { expect } from 'vitest';
import type { JsTensor } from '../tensor.js';
import { count } from './random.js';

/** A float64 input of a gradient check. */
export interface CheckInput {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

/** Tolerances: |analytic − numeric| ≤ rtol·max(|analytic|, |numeric|) + atol. */
export interface CheckOptions {
  readonly eps?: number;
  readonly rtol?: number;
  readonly atol?: number;
}

/** Float64 tensors from check inputs. */
export function tensors(b: Backend<JsTensor>, inputs: readonly CheckInput[]): JsTensor[] {
  return inputs.map((x) => b.fromData(x.data, x.shape, 'float64'));
}

/**
 * A scalar `Σ y ⊙ w` whose weights (in [0.5, 1.5)) differ per element, so every output element gets a
 * distinct gradient. The weights depend only on the element index and `salt`, so repeated evaluations
 * inside a finite-difference loop see the same function.
 */
export function weightedSum(b: Backend<JsTensor>, y: JsTensor, salt = 0): JsTensor {
  const n = count(y.shape);
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) w[k] = 0.5 + ((k * 0.618033988749895 + salt * 0.3819660112501) % 1);
  const weights = b.fromData(w, y.shape, y.dtype);
  return b.sum(
    b.binary('mul', y, weights),
    y.shape.map((_, i) => i),
    false,
  );
}

/**
 * Checks the gradients `valueAndGrads` gives for `f` at `inputs` against finite differences.
 * `f` must be deterministic (build any random weights outside it).
 */
export function checkGradients(
  b: Backend<JsTensor>,
  f: (xs: readonly JsTensor[]) => JsTensor,
  inputs: readonly CheckInput[],
  options: CheckOptions = {},
): void {
  const { eps = 1e-5, rtol = 1e-7, atol = 1e-9 } = options;
  const analytic = b.tidy(
    () => {
      const xs = tensors(b, inputs);
      const { grads } = b.valueAndGrads(() => f(xs), xs);
      return grads.map((g) => b.read(g));
    },
    () => [],
  );
  const evaluate = (perturbed: readonly CheckInput[]) =>
    b.tidy(
      () => b.read(f(tensors(b, perturbed)))[0],
      () => [],
    );
  inputs.forEach((input, i) => {
    for (let k = 0; k < input.data.length; k++) {
      const at = (delta: number) =>
        inputs.map((x, j) => {
          if (j !== i) return x;
          const data = x.data.slice();
          data[k] += delta;
          return { data, shape: x.shape };
        });
      const numeric = (evaluate(at(eps)) - evaluate(at(-eps))) / (2 * eps);
      const got = analytic[i][k];
      const tol = rtol * Math.max(Math.abs(got), Math.abs(numeric)) + atol;
      if (!(Math.abs(got - numeric) <= tol)) {
        expect.fail(`input ${i} [${input.shape}] element ${k}: analytic ${got}, numeric ${numeric}`);
      }
    }
  });
}

/** Asserts two arrays agree elementwise within `rtol·max(|a|,|b|) + atol`. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol = 0,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const tol = rtol * Math.max(Math.abs(a), Math.abs(e)) + atol;
    if (!(Math.abs(a - e) <= tol)) expect.fail(`element ${i}: got ${a}, expected ${e} (tolerance ${tol})`);
  }
}
