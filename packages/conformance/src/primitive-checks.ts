/**
 * Finite-difference gradient checks of every backend primitive, through the frontend's ops.
 * For a primitive f and random inputs x, the loss L = Σ f(x) ⊙ W (random W) has the analytic
 * gradient from the backend's autograd and a numeric one from central differences on the host.
 */
import type { AnyBackend, DType, Tensor } from '@recur/core';
import { Generator, ops, tensor, tidy, valueAndGrads } from '@recur/core';
import type { Tolerance } from './compare.js';
import { compareValues } from './compare.js';

/** One primitive under test: input shapes, how to draw inputs, and the function. */
export interface PrimitiveCheck {
  /** The primitive and variant checked, e.g. `matMul(Aᵀ)` or `sum(axis 1)`. */
  name: string;
  /** The shape of each input of `f`, in argument order. */
  shapes: number[][];
  /** Draws one input value (default: standard normal). */
  draw?: (g: Generator, input: number) => number;
  /** The function checked, built from the frontend's ops; its inputs are drawn with `shapes`. */
  f: (...xs: Tensor[]) => Tensor;
}

const positive = (g: Generator) => 0.5 + 2 * g.random();
const awayFromZero = (g: Generator) => (g.random() < 0.5 ? -1 : 1) * (0.2 + g.random());

/** The checks: every differentiable primitive, including broadcasting and transposed products. */
export const primitiveChecks: PrimitiveCheck[] = [
  {
    name: 'matMul',
    shapes: [
      [3, 4],
      [4, 2],
    ],
    f: (a, b) => ops.matmul(a!, b!),
  },
  {
    name: 'matMul(Aᵀ)',
    shapes: [
      [4, 3],
      [4, 2],
    ],
    f: (a, b) => ops.matmul(a!, b!, true, false),
  },
  {
    name: 'matMul(Bᵀ)',
    shapes: [
      [3, 4],
      [2, 4],
    ],
    f: (a, b) => ops.matmul(a!, b!, false, true),
  },
  {
    name: 'matMul(AᵀBᵀ)',
    shapes: [
      [4, 3],
      [2, 4],
    ],
    f: (a, b) => ops.matmul(a!, b!, true, true),
  },
  {
    name: 'add',
    shapes: [
      [2, 3],
      [2, 3],
    ],
    f: (a, b) => ops.add(a!, b!),
  },
  { name: 'add(broadcast row)', shapes: [[2, 3], [3]], f: (a, b) => ops.add(a!, b!) },
  {
    name: 'sub(broadcast column)',
    shapes: [
      [2, 3],
      [2, 1],
    ],
    f: (a, b) => ops.sub(a!, b!),
  },
  {
    name: 'mul(broadcast both)',
    shapes: [
      [2, 1, 3],
      [4, 1],
    ],
    f: (a, b) => ops.mul(a!, b!),
  },
  { name: 'mul(scalar)', shapes: [[2, 3], []], f: (a, b) => ops.mul(a!, b!) },
  {
    name: 'div',
    shapes: [
      [2, 3],
      [2, 3],
    ],
    draw: (g, i) => (i === 1 ? positive(g) : g.normal()),
    f: (a, b) => ops.div(a!, b!),
  },
  {
    name: 'div(broadcast)',
    shapes: [[3], [2, 3]],
    draw: (g, i) => (i === 1 ? positive(g) : g.normal()),
    f: (a, b) => ops.div(a!, b!),
  },
  { name: 'neg', shapes: [[2, 3]], f: (a) => ops.neg(a!) },
  { name: 'exp', shapes: [[2, 3]], f: (a) => ops.exp(a!) },
  { name: 'log', shapes: [[2, 3]], draw: positive, f: (a) => ops.log(a!) },
  { name: 'sqrt', shapes: [[2, 3]], draw: positive, f: (a) => ops.sqrt(a!) },
  { name: 'abs', shapes: [[2, 3]], draw: awayFromZero, f: (a) => ops.abs(a!) },
  { name: 'tanh', shapes: [[2, 3]], f: (a) => ops.tanh(a!) },
  { name: 'sigmoid', shapes: [[2, 3]], draw: (g) => 6 * g.normal(), f: (a) => ops.sigmoid(a!) },
  { name: 'relu', shapes: [[2, 3]], draw: awayFromZero, f: (a) => ops.relu(a!) },
  { name: 'scale', shapes: [[2, 3]], f: (a) => ops.scale(a!, -1.7) },
  { name: 'sum(all)', shapes: [[2, 3, 2]], f: (a) => ops.sum(a!) },
  { name: 'sum(axis 1)', shapes: [[2, 3, 2]], f: (a) => ops.sum(a!, [1]) },
  { name: 'sum(axes 0,2 keepDims)', shapes: [[2, 3, 2]], f: (a) => ops.sum(a!, [0, 2], true) },
  { name: 'logSoftmax', shapes: [[3, 4]], draw: (g) => 3 * g.normal(), f: (a) => ops.logSoftmax(a!) },
  { name: 'reshape', shapes: [[2, 6]], f: (a) => ops.reshape(a!, [3, 4]) },
  { name: 'transpose', shapes: [[2, 3, 4]], f: (a) => ops.transpose(a!, [2, 0, 1]) },
  { name: 'slice', shapes: [[3, 4, 2]], f: (a) => ops.slice(a!, [1, 1, 0], [2, 2, 1]) },
  {
    name: 'concat(axis 1)',
    shapes: [
      [2, 3],
      [2, 1],
    ],
    f: (a, b) => ops.concat([a!, b!], 1),
  },
  {
    name: 'concat(axis 0)',
    shapes: [
      [1, 3],
      [2, 3],
    ],
    f: (a, b) => ops.concat([a!, b!], 0),
  },
  { name: 'gather(repeats)', shapes: [[4, 3]], f: (a) => ops.gather(a!, Int32Array.from([2, 0, 2, 3, 2])) },
];

/** Finite-difference settings per dtype. */
export const finiteDifference: Record<
  DType,
  {
    /** The central-difference step h: numeric gradient (L(x + h) − L(x − h)) / 2h. */
    step: number;
    /** How far the analytic gradient may be from the numeric one. */
    tolerance: Tolerance;
  }
> = {
  float64: { step: 1e-6, tolerance: { atol: 1e-7, rtol: 1e-6 } },
  float32: { step: 1e-2, tolerance: { atol: 2e-2, rtol: 2e-2 } },
};

/** Runs one check; returns the worst absolute error and whether it passed. */
export function runPrimitiveCheck(
  backend: AnyBackend,
  dtype: DType,
  check: PrimitiveCheck,
  seed = 1,
): {
  /** Every input's analytic gradient is within `finiteDifference[dtype].tolerance` of the numeric one. */
  pass: boolean;
  /** The worst absolute difference between analytic and numeric gradient over all inputs (NaN if any NaN). */
  maxAbs: number;
} {
  const g = new Generator(seed);
  const inputs = check.shapes.map((shape, i) => {
    const size = shape.reduce((n, d) => n * d, 1);
    return Float64Array.from({ length: size }, () => (check.draw ? check.draw(g, i) : g.normal()));
  });
  return tidy(() => {
    const make = (data: Float64Array, i: number) => tensor(data, check.shapes[i]!, { backend, dtype });
    const outShape = check.f(...inputs.map(make)).shape;
    const weights = tensor(
      Float64Array.from({ length: outShape.reduce((n, d) => n * d, 1) }, () => g.normal()),
      outShape,
      { backend, dtype },
    );
    const loss = (xs: Tensor[]) => ops.sum(ops.mul(check.f(...xs), weights));
    const xs = inputs.map(make);
    const { grads } = valueAndGrads(() => loss(xs), xs);
    const { step, tolerance } = finiteDifference[dtype];
    let worst = 0;
    let pass = true;
    inputs.forEach((data, i) => {
      const numeric = new Float64Array(data.length);
      for (let k = 0; k < data.length; k++) {
        const at = (delta: number) =>
          tidy(() => {
            const shifted = inputs.map((d, j) => {
              if (j !== i) return make(d, j);
              const copy = Float64Array.from(d);
              copy[k]! += delta;
              return make(copy, j);
            });
            return loss(shifted).item();
          });
        numeric[k] = (at(step) - at(-step)) / (2 * step);
      }
      const r = compareValues(grads[i]!.toArray(), numeric, tolerance);
      worst = Math.max(worst, r.maxAbs);
      pass &&= r.pass;
    });
    return { pass, maxAbs: worst };
  });
}
