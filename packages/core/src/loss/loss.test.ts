/**
 * Losses on the js backend: bad arguments are refused before any work (error naming the function, the
 * argument, what was expected and what was given; no tensor is created), the modules match the
 * functions, and the gradients at the kinks are PyTorch's. Values against PyTorch: fixtures/losses,
 * run on every backend by the conformance suite.
 */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../index.js';
import {
  BCELoss,
  BCEWithLogitsLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  CrossEntropyLoss,
  crossEntropy,
  HuberLoss,
  huberLoss,
  L1Loss,
  l1Loss,
  MSELoss,
  mseLoss,
  NLLLoss,
  nllLoss,
  ShapeError,
  SmoothL1Loss,
  smoothL1Loss,
  tensor,
  valueAndGrads,
} from '../index.js';

const backend = createJsBackend();
const on = { backend, dtype: 'float64' as const };
const t = (data: number[], shape: number[]) => tensor(data, shape, on);

const x23 = t([0.1, -0.2, 0.3, 0.4, 0.5, -0.6], [2, 3]);
const y23 = t([0.2, 0.7, 0, 1, 0.5, 0.25], [2, 3]);
const p23 = t([0.2, 0.5, 0.9, 0.3, 0.6, 0.1], [2, 3]);

/** Runs `f`, expects it to throw `type` with a message matching `message`, and no tensor to be created. */
function refuses(f: () => unknown, type: new (...a: never[]) => Error, message: RegExp): void {
  const before = backend.liveTensors();
  expect(f).toThrow(type);
  expect(f).toThrow(message);
  expect(backend.liveTensors()).toBe(before);
}

const grad = (f: (x: Tensor) => Tensor, x: Tensor): number[] =>
  valueAndGrads(() => f(x), [x]).grads[0]!.toList();

/** Bad arguments, made before the checks count live tensors. */
const v3 = t([1, 2, 3], [3]);
const x23f32 = tensor([1, 2, 3, 4, 5, 6], [2, 3], { backend, dtype: 'float32' });
const v2 = t([1, 2], [2]);
const m33 = t([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]);
const rank3of6 = t([1, 2, 3, 4, 5, 6], [1, 2, 3]);
const pOutside = t([0.5, 1.5], [2]);
const y01 = t([0, 1], [2]);
const pNaN = t([Number.NaN], [1]);
const y0 = t([0], [1]);
const rank3of8 = t([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
const half2 = t([0.5, 0.5], [2]);

describe('loss argument checks (before any work)', () => {
  const elementwise = { mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropyWithLogits };
  for (const [name, fn] of Object.entries(elementwise)) {
    it(`${name}: reduction, options, target shape and type`, () => {
      refuses(
        () => fn(x23, y23, { reduction: 'avg' as never }),
        RangeError,
        new RegExp(`^${name}: reduction must be "mean", "sum" or "none", got "avg"`),
      );
      refuses(
        () => fn(x23, y23, null as never),
        RangeError,
        new RegExp(`^${name}: options must be an object`),
      );
      refuses(
        () => fn(x23, v3, {}),
        ShapeError,
        new RegExp(`^${name}: target expected the input's shape \\[2, 3\\], got shape \\[3\\]`),
      );
      refuses(() => fn(x23, [1, 2] as never), TypeError, new RegExp(`^${name}: target must be a Tensor`));
      refuses(() => fn(x23, x23f32), TypeError, new RegExp(`^${name}: mixed dtypes`));
    });
  }

  it('smoothL1Loss beta, huberLoss delta', () => {
    refuses(
      () => smoothL1Loss(x23, y23, { beta: -1 }),
      RangeError,
      /^smoothL1Loss: beta must be a finite number ≥ 0, got -1/,
    );
    refuses(
      () => huberLoss(x23, y23, { delta: 0 }),
      RangeError,
      /^huberLoss: delta must be a finite number > 0, got 0/,
    );
    refuses(() => huberLoss(x23, y23, { delta: Number.NaN }), RangeError, /^huberLoss: delta must be/);
  });

  it('binary losses: weight and posWeight must broadcast to the input', () => {
    refuses(
      () => binaryCrossEntropyWithLogits(x23, y23, { weight: v2 }),
      ShapeError,
      /^binaryCrossEntropyWithLogits: weight expected a shape that broadcasts to the input's shape \[2, 3\].*got shape \[2\]/,
    );
    refuses(
      () => binaryCrossEntropyWithLogits(x23, y23, { posWeight: m33 }),
      ShapeError,
      /^binaryCrossEntropyWithLogits: posWeight expected .*got shape \[3, 3\]/,
    );
    refuses(
      () => binaryCrossEntropy(p23, y23, { weight: rank3of6 }),
      ShapeError,
      /^binaryCrossEntropy: weight expected .*got shape \[1, 2, 3\]/,
    );
    refuses(
      () => binaryCrossEntropy(p23, y23, { weight: 2 as never }),
      TypeError,
      /^binaryCrossEntropy: weight must be a Tensor/,
    );
  });

  it('binaryCrossEntropy: every input must be a probability', () => {
    refuses(
      () => binaryCrossEntropy(pOutside, y01),
      RangeError,
      /^binaryCrossEntropy: input\[1\] must be a probability in \[0, 1\], got 1.5/,
    );
    refuses(
      () => binaryCrossEntropy(pNaN, y0),
      RangeError,
      /^binaryCrossEntropy: input\[0\] must be a probability in \[0, 1\], got NaN/,
    );
  });

  for (const [name, fn] of Object.entries({ nllLoss, crossEntropy })) {
    it(`${name}: input rank, target ids, weight, ignoreIndex`, () => {
      const arg = name === 'nllLoss' ? 'logProbs' : 'logits';
      refuses(
        () => fn(rank3of8, [0, 1]),
        ShapeError,
        new RegExp(`^${name}: ${arg} expected \\[N, C\\] or \\[C\\], got shape \\[2, 2, 2\\]`),
      );
      refuses(
        () => fn(x23, [0, 3]),
        RangeError,
        new RegExp(
          `^${name}: target\\[1\\] must be a class id in \\[0, 3\\) or ignoreIndex \\(-100\\), got 3`,
        ),
      );
      refuses(() => fn(x23, [0, -1]), RangeError, new RegExp(`^${name}: target\\[1\\] must be a class id`));
      refuses(() => fn(x23, [0, 1.5]), RangeError, new RegExp(`^${name}: target\\[1\\] must be an integer`));
      refuses(
        () => fn(x23, [0, 1, 2]),
        ShapeError,
        new RegExp(`^${name}: target expected 2 class ids \\(shape \\[2\\]\\), got shape \\[3\\]`),
      );
      refuses(
        () => fn(x23, [0, 1], { weight: v2 }),
        ShapeError,
        new RegExp(`^${name}: weight expected one weight per class, \\[3\\], got shape \\[2\\]`),
      );
      refuses(
        () => fn(x23, [0, 1], { ignoreIndex: 0.5 }),
        RangeError,
        new RegExp(`^${name}: ignoreIndex must be an integer, got 0.5`),
      );
      refuses(
        () => fn(x23, [0, 1], { reduction: 'max' as never }),
        RangeError,
        new RegExp(`^${name}: reduction must be`),
      );
    });
  }

  it('crossEntropy: labelSmoothing in [0, 1]; probability targets: shape, dtype, ignoreIndex', () => {
    refuses(
      () => crossEntropy(x23, [0, 1], { labelSmoothing: 1.5 }),
      RangeError,
      /^crossEntropy: labelSmoothing must be a number in \[0, 1\], got 1.5/,
    );
    refuses(
      () => crossEntropy(x23, half2),
      ShapeError,
      /^crossEntropy: target expected class ids \[2\] or class probabilities of the logits' shape \[2, 3\], got shape \[2\]/,
    );
    refuses(
      () => crossEntropy(x23, y23, { ignoreIndex: 1 }),
      RangeError,
      /^crossEntropy: ignoreIndex must be negative with class-probability targets/,
    );
  });

  it('modules check their options when made', () => {
    expect(() => new MSELoss({ reduction: 'x' as never })).toThrow(/^MSELoss: reduction must be/);
    expect(() => new L1Loss(null as never)).toThrow(/^L1Loss: options must be an object/);
    expect(() => new SmoothL1Loss({ beta: -0.5 })).toThrow(/^SmoothL1Loss: beta must be a finite number ≥ 0/);
    expect(() => new HuberLoss({ delta: -1 })).toThrow(/^HuberLoss: delta must be a finite number > 0/);
    expect(() => new NLLLoss({ ignoreIndex: 1.5 })).toThrow(/^NLLLoss: ignoreIndex must be an integer/);
    expect(() => new CrossEntropyLoss({ labelSmoothing: 2 })).toThrow(
      /^CrossEntropyLoss: labelSmoothing must be/,
    );
    expect(() => new BCELoss({ weight: [1] as never })).toThrow(/^BCELoss: weight must be a Tensor/);
    expect(() => new BCEWithLogitsLoss({ posWeight: 'x' as never })).toThrow(
      /^BCEWithLogitsLoss: posWeight must be a Tensor/,
    );
  });
});

describe('losses', () => {
  it('modules compute what the functions compute', () => {
    const w = t([0.5, 2, 1], [3]);
    const pairs: [number, number][] = [
      [
        new MSELoss({ reduction: 'sum' }).forward(x23, y23).item(),
        mseLoss(x23, y23, { reduction: 'sum' }).item(),
      ],
      [new L1Loss().forward(x23, y23).item(), l1Loss(x23, y23).item()],
      [
        new SmoothL1Loss({ beta: 0.3 }).forward(x23, y23).item(),
        smoothL1Loss(x23, y23, { beta: 0.3 }).item(),
      ],
      [new HuberLoss({ delta: 0.3 }).forward(x23, y23).item(), huberLoss(x23, y23, { delta: 0.3 }).item()],
      [new NLLLoss({ weight: w }).forward(x23, [2, 0]).item(), nllLoss(x23, [2, 0], { weight: w }).item()],
      [
        new CrossEntropyLoss({ weight: w, labelSmoothing: 0.2 }).forward(x23, [2, 0]).item(),
        crossEntropy(x23, [2, 0], { weight: w, labelSmoothing: 0.2 }).item(),
      ],
      [
        new BCELoss({ weight: w }).forward(p23, y23).item(),
        binaryCrossEntropy(p23, y23, { weight: w }).item(),
      ],
      [
        new BCEWithLogitsLoss({ posWeight: w }).forward(x23, y23).item(),
        binaryCrossEntropyWithLogits(x23, y23, { posWeight: w }).item(),
      ],
    ];
    for (const [a, b] of pairs) expect(a).toBe(b);
  });

  it("'mean' with every target ignored is NaN, as in PyTorch", () => {
    expect(crossEntropy(x23, [-100, -100]).item()).toBeNaN();
    expect(nllLoss(x23, [1, 1], { ignoreIndex: 1, weight: t([1, 1, 1], [3]) }).item()).toBeNaN();
    expect(crossEntropy(x23, [-100, -100], { reduction: 'sum' }).item()).toBe(0);
  });

  it('gradients at the kinks are PyTorch’s', () => {
    // d = input − target: 0, exactly ±β, and just inside.
    const target = t([0, 0, 0, 0], [4]);
    const input = t([0, 0.5, -0.5, 0.25], [4]);
    expect(grad((x) => smoothL1Loss(x, target, { beta: 0.5, reduction: 'sum' }), input)).toEqual([
      0, 1, -1, 0.5,
    ]);
    expect(grad((x) => huberLoss(x, target, { delta: 0.5, reduction: 'sum' }), input)).toEqual([
      0, 0.5, -0.5, 0.25,
    ]);
    expect(grad((x) => l1Loss(x, target, { reduction: 'sum' }), input)).toEqual([0, 1, -1, 1]);
    // beta = 0: PyTorch's `d ≤ −β` branch comes first, so d = 0 gets −1 (l1Loss gets 0).
    expect(grad((x) => smoothL1Loss(x, target, { beta: 0, reduction: 'sum' }), input)).toEqual([
      -1, 1, -1, 1,
    ]);
    // The stable logits form at x = 0: σ(0) − y; far out, 1 − y and −y.
    const logits = t([0, 0, 1000, -1000], [4]);
    const y = t([1, 0.25, 0.5, 0.5], [4]);
    expect(grad((x) => binaryCrossEntropyWithLogits(x, y, { reduction: 'sum' }), logits)).toEqual([
      -0.5, 0.25, 0.5, -0.5,
    ]);
    // Probabilities at 0 and 1: PyTorch's (p − y) / max(p(1 − p), 1e-12) and logs floored at −100.
    const p = t([0, 1, 0.5], [3]);
    const yp = t([1, 0, 0.5], [3]);
    const eps = Math.fround(1e-12);
    expect(binaryCrossEntropy(p, yp, { reduction: 'sum' }).item()).toBeCloseTo(200 + Math.log(2), 12);
    expect(grad((x) => binaryCrossEntropy(x, yp, { reduction: 'sum' }), p)).toEqual([-1 / eps, 1 / eps, 0]);
  });
});
