/**
 * Runs a `recur-loss/1` case on a backend: the loss function forward (value and shape), its gradients
 * with respect to the input (and the float target, where the case records one) through the backend's
 * autograd, and the matching loss module's forward, each compared with PyTorch's numbers.
 */
import type { AnyBackend, DType, Indices, Tensor } from '@recur/core';
import {
  BCELoss,
  BCEWithLogitsLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  CrossEntropyLoss,
  crossEntropy,
  HuberLoss,
  huberLoss,
  indices,
  L1Loss,
  l1Loss,
  MSELoss,
  mseLoss,
  NLLLoss,
  nllLoss,
  ops,
  SmoothL1Loss,
  smoothL1Loss,
  tensor,
  tidy,
  valueAndGrads,
} from '@recur/core';
import type { ErrorStats, Tolerance } from '../compare.js';
import { compareValues } from '../compare.js';
import type { FileTensor } from '../format-checks.js';
import type { LossCase, LossName } from './format.js';

/** Outcome of one loss case: problems (empty when it passed) and the worst errors per compared tensor. */
export interface LossCaseResult {
  /** What did not match (shape, values beyond the tolerance, an exception); empty when the case passed. */
  problems: string[];
  /** Worst absolute and relative error of each compared tensor (`loss`, `grad.input`, …). */
  errors: Record<string, ErrorStats>;
}

type Target = Tensor | Indices;
type Options = Record<string, unknown>;
type LossFn = (input: Tensor, target: Target, options: Options) => Tensor;

const functions: Record<LossName, LossFn> = {
  mseLoss: (x, t, o) => mseLoss(x, t as Tensor, o),
  l1Loss: (x, t, o) => l1Loss(x, t as Tensor, o),
  smoothL1Loss: (x, t, o) => smoothL1Loss(x, t as Tensor, o),
  huberLoss: (x, t, o) => huberLoss(x, t as Tensor, o),
  nllLoss: (x, t, o) => nllLoss(x, t as Indices, o),
  crossEntropy: (x, t, o) => crossEntropy(x, t, o),
  binaryCrossEntropy: (x, t, o) => binaryCrossEntropy(x, t as Tensor, o),
  binaryCrossEntropyWithLogits: (x, t, o) => binaryCrossEntropyWithLogits(x, t as Tensor, o),
};

const modules: Record<LossName, (o: Options) => { forward(x: Tensor, t: never): Tensor }> = {
  mseLoss: (o) => new MSELoss(o),
  l1Loss: (o) => new L1Loss(o),
  smoothL1Loss: (o) => new SmoothL1Loss(o),
  huberLoss: (o) => new HuberLoss(o),
  nllLoss: (o) => new NLLLoss(o),
  crossEntropy: (o) => new CrossEntropyLoss(o),
  binaryCrossEntropy: (o) => new BCELoss(o),
  binaryCrossEntropyWithLogits: (o) => new BCEWithLogitsLoss(o),
};

/** Why the case does not run in `dtype` (it lists the dtypes it is meaningful in), or undefined. */
export function lossCaseSkipReason(c: LossCase, dtype: DType): string | undefined {
  if (c.dtypes === undefined || c.dtypes.includes(dtype)) return undefined;
  return `${c.name} is meaningful in ${c.dtypes.join(', ')} only (its input is not representable in ${dtype})`;
}

/** Runs one case forward and backward on `backend` in `dtype`; every tensor it makes is released. */
export function runLossCase(
  backend: AnyBackend,
  loss: LossName,
  c: LossCase,
  dtype: DType,
  tolerance: Tolerance,
): LossCaseResult {
  const result: LossCaseResult = { problems: [], errors: {} };
  const check = (what: string, actual: Tensor, expected: FileTensor) => {
    if (
      actual.shape.length !== expected.shape.length ||
      actual.shape.some((d, i) => d !== expected.shape[i])
    ) {
      result.problems.push(
        `${what}: shape [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]`,
      );
      return;
    }
    const r = compareValues(actual.toArray(), expected.data, tolerance);
    result.errors[what] = { maxAbs: r.maxAbs, maxRel: r.maxRel };
    if (!r.pass) {
      result.problems.push(
        `${what}: worst |error| ${r.maxAbs} (relative ${r.maxRel}) exceeds atol ${tolerance.atol} + rtol ${tolerance.rtol}·|expected|`,
      );
    }
  };
  try {
    tidy(() => {
      const on = { backend, dtype };
      const make = (t: FileTensor) => tensor(t.data, t.shape, on);
      const input = make(c.input);
      const target: Target =
        c.target !== undefined ? make(c.target) : indices(c.targetIds!.data, c.targetIds!.shape);
      const options: Options = { reduction: c.options.reduction };
      for (const key of ['ignoreIndex', 'labelSmoothing', 'beta', 'delta'] as const) {
        if (c.options[key] !== undefined) options[key] = c.options[key];
      }
      if (c.options.weight) options.weight = make(c.options.weight);
      if (c.options.posWeight) options.posWeight = make(c.options.posWeight);
      const fn = functions[loss];

      check('loss', fn(input, target, options), c.expected.loss);
      check(
        `${modules[loss](options).constructor.name}.forward`,
        modules[loss](options).forward(input, target as never),
        c.expected.loss,
      );

      const gradOutput = c.gradOutput === undefined ? undefined : make(c.gradOutput);
      const withTarget = c.expected.grad.target !== undefined;
      const xs = withTarget ? [input, target as Tensor] : [input];
      const { grads } = valueAndGrads(() => {
        const value = fn(input, target, options);
        return gradOutput === undefined ? value : ops.sum(ops.mul(value, gradOutput));
      }, xs);
      check('grad.input', grads[0]!, c.expected.grad.input);
      if (withTarget) check('grad.target', grads[1]!, c.expected.grad.target!);
    });
  } catch (error) {
    result.problems.push(`threw: ${error instanceof Error ? error.message : String(error)}`);
  }
  return result;
}
