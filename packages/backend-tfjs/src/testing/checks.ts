/** Test support: closeness assertions and finite-difference gradient checks through a backend. */
import { expect } from 'vitest';
import type { TfjsBackend } from '../adapter.js';
import type { TfTensor } from '../tfjs.js';
import { type Host, seeded, uniform } from './host.js';

/** Tolerances: |actual − expected| ≤ atol + rtol·|expected| elementwise. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Asserts shape and values, naming the first element that is off. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  what: string,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (tol.atol + tol.rtol * Math.abs(expected[i]));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(atol ${tol.atol}, rtol ${tol.rtol})`,
    );
  }
}

/** Asserts a backend tensor's shape and values against a host tensor. */
export function expectTensor(b: TfjsBackend, x: TfTensor, want: Host, tol: Tolerance, what: string): void {
  expect(x.shape, `${what}: shape`).toEqual([...want.shape]);
  expectClose(b.read(x), want.data, tol, what);
}

export const allAxes = (x: TfTensor): number[] => x.shape.map((_, i) => i);

/**
 * Checks the gradient of `L = Σ R ⊙ op(xs)` (R fixed and random) from `valueAndGrads` against
 * central differences. The differences evaluate `L` on the host in float64 from the float32 outputs,
 * and divide by the step actually taken in float32, so float32 rounding barely enters.
 */
export function checkGradient(
  b: TfjsBackend,
  op: (xs: TfTensor[]) => TfTensor,
  inputs: readonly Host[],
  what: string,
  tol: Tolerance = { atol: 1e-3, rtol: 1e-3 },
  step = 1e-2,
): void {
  const before = b.liveTensors();
  b.tidy(
    () => {
      const xs = inputs.map((h) => b.fromData(h.data, h.shape, 'float32'));
      const probe = op(xs);
      const r = uniform(seeded(97), probe.shape);
      const rt = b.fromData(r.data, r.shape, 'float32');
      const hostLoss = (y: TfTensor): number => {
        const v = b.read(y);
        let s = 0;
        for (let i = 0; i < v.length; i++) s += v[i] * r.data[i];
        return s;
      };
      const { grads } = b.valueAndGrads(() => b.sum(b.binary('mul', op(xs), rt), allAxes(probe), false), xs);
      inputs.forEach((input, i) => {
        const numeric = new Float32Array(input.data.length);
        for (let j = 0; j < input.data.length; j++) {
          const lossAt = (delta: number): [number, number] => {
            const data = Float32Array.from(input.data);
            data[j] += delta;
            const moved = [...xs];
            moved[i] = b.fromData(data, input.shape, 'float32');
            return [hostLoss(op(moved)), data[j]];
          };
          const [lp, xp] = lossAt(step);
          const [lm, xm] = lossAt(-step);
          numeric[j] = (lp - lm) / (xp - xm);
        }
        expect(grads[i].shape, `${what}: gradient ${i} shape`).toEqual([...input.shape]);
        expectClose(b.read(grads[i]), numeric, tol, `${what}: d/dx${i}`);
      });
      return undefined;
    },
    () => [],
  );
  expect(b.liveTensors(), `${what}: tensors leaked`).toBe(before);
}
