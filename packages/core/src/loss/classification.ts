/**
 * Classification losses with PyTorch's definitions: `nllLoss` and `crossEntropy` (class ids or class
 * probabilities as targets, per-class `weight`, `ignoreIndex`, `labelSmoothing`).
 */
import { formatShape, shapeError, valueError } from '../errors.js';
import type { Indices } from '../nn/indices.js';
import { toIndices } from '../nn/indices.js';
import { checkLiveTensor } from '../tensor/check.js';
import { tensorLike } from '../tensor/create.js';
import {
  add,
  addScalar,
  checkSameBackend,
  concat,
  div,
  gather,
  logSoftmax,
  mul,
  neg,
  reshape,
  scale,
  sum,
} from '../tensor/ops.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { LossOptions, Reduction } from './reduction.js';
import { checkNumber, checkOptions, checkReduction } from './reduction.js';

/** Options of {@link nllLoss}. */
export interface NLLLossOptions extends LossOptions {
  /**
   * Per-class rescaling weight `[C]`: row n's loss is multiplied by `weight[target[n]]`, and `'mean'`
   * divides by the sum of the weights of the counted (not ignored) targets, as PyTorch.
   */
  weight?: Tensor;
  /** Targets equal to this id contribute nothing and are not counted by `'mean'` (default −100). */
  ignoreIndex?: number;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends NLLLossOptions {
  /**
   * Label smoothing ε in [0, 1] (default 0): the target becomes `(1 − ε)·target + ε/C` over the C
   * classes, with PyTorch's treatment of `weight`, `ignoreIndex` and `'mean'` for class-id targets.
   */
  labelSmoothing?: number;
}

/** `input` must be `[N, C]` or `[C]`: its rows, classes, and whether it is one unbatched row. */
function classInput(where: string, argument: string, input: Tensor) {
  checkLiveTensor(where, argument, input);
  if (input.rank !== 1 && input.rank !== 2) shapeError(where, argument, '[N, C] or [C]', input.shape);
  const classes = input.shape[input.rank - 1]!;
  const rows = input.rank === 2 ? input.shape[0]! : 1;
  return { rows, classes, unbatched: input.rank === 1 };
}

/** The checked per-class weight `[C]`, or undefined. */
function classWeight(where: string, input: Tensor, weight: unknown, classes: number): Tensor | undefined {
  if (weight === undefined) return undefined;
  checkSameBackend(where, [input, weight as Tensor], ['input', 'weight']);
  const w = weight as Tensor;
  if (w.rank !== 1 || w.shape[0] !== classes) {
    shapeError(where, 'weight', `one weight per class, [${classes}]`, w.shape);
  }
  return w;
}

function checkIgnoreIndex(where: string, value: unknown): number {
  const ignoreIndex = value ?? -100;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) {
    valueError(where, 'ignoreIndex', 'an integer', ignoreIndex);
  }
  return ignoreIndex;
}

/** Class ids, checked against the input's rows and classes. */
interface ClassIds {
  /** Index into the flattened input plus one trailing 0: row n's target entry, or the 0 when ignored. */
  readonly pick: Int32Array;
  /** Index into the weight plus one trailing 0: row n's class, or the 0 when ignored. */
  readonly weightPick: Int32Array;
  /** Row n, or the trailing zero row when row n is ignored. */
  readonly rowPick: Int32Array;
  /** Rows not ignored. */
  readonly counted: number;
}

function classIds(
  where: string,
  target: Indices | ArrayLike<number>,
  rows: number,
  classes: number,
  unbatched: boolean,
  ignoreIndex: number,
): ClassIds {
  const ids = toIndices(target, where, 'target');
  const expectedShape = unbatched ? [] : [rows];
  if (
    ids.data.length !== rows ||
    (ids.shape.length !== expectedShape.length && !(unbatched && ids.shape.length === 1))
  ) {
    shapeError(where, 'target', `${rows} class ids (shape ${formatShape(expectedShape)})`, ids.shape);
  }
  const pick = new Int32Array(rows);
  const weightPick = new Int32Array(rows);
  const rowPick = new Int32Array(rows);
  let counted = 0;
  for (let n = 0; n < rows; n++) {
    const id = ids.data[n]!;
    if (id === ignoreIndex) {
      pick[n] = rows * classes;
      weightPick[n] = classes;
      rowPick[n] = rows;
      continue;
    }
    if (id < 0 || id >= classes) {
      valueError(where, `target[${n}]`, `a class id in [0, ${classes}) or ignoreIndex (${ignoreIndex})`, id);
    }
    pick[n] = n * classes + id;
    weightPick[n] = id;
    rowPick[n] = n;
    counted++;
  }
  return { pick, weightPick, rowPick, counted };
}

/** Rows of `x` (as a column `[k, 1]` or matrix `[k, C]`) with one zero row appended, gathered at `at`. */
function gatherWithZero(x: Tensor, rowShape: number[], at: Int32Array): Tensor {
  const zero = tensorLike(x, new Float64Array(rowShape.reduce((a, b) => a * b, 1)), [1, ...rowShape]);
  return gather(concat([x, zero], 0), at);
}

/**
 * The class-id loss over log-probabilities `logProbs` (`[rows, C]` data): PyTorch's `nll_loss`, plus its
 * label-smoothing term `ε/C · (−Σ_c w_c·logProbs[n, c])` (0 on ignored rows), with one denominator for
 * `'mean'`: the count of counted rows, or the sum of their class weights.
 */
function classIdLoss(
  logProbs: Tensor,
  shape: { rows: number; classes: number; unbatched: boolean },
  ids: ClassIds,
  weight: Tensor | undefined,
  smoothing: number,
  reduction: Reduction,
): Tensor {
  const { rows, classes, unbatched } = shape;
  // Each row's target entry is picked by index, not by a one-hot product: 0 · (−∞) = NaN would turn a
  // −∞ logit of another class (a masked class) into a NaN loss, where PyTorch's is finite.
  let perRow = neg(reshape(gatherWithZero(reshape(logProbs, [rows * classes, 1]), [1], ids.pick), [rows]));
  let rowWeight: Tensor | undefined;
  if (weight !== undefined) {
    rowWeight = reshape(gatherWithZero(reshape(weight, [classes, 1]), [1], ids.weightPick), [rows]);
    perRow = mul(perRow, rowWeight);
  }
  if (smoothing > 0) {
    let rowsOf = gatherWithZero(reshape(logProbs, [rows, classes]), [classes], ids.rowPick);
    if (weight !== undefined) rowsOf = mul(rowsOf, weight);
    const smooth = neg(sum(rowsOf, [1]));
    perRow = add(scale(perRow, 1 - smoothing), scale(smooth, smoothing / classes));
  }
  if (reduction === 'none') return unbatched ? reshape(perRow, []) : perRow;
  const total = sum(perRow);
  if (reduction === 'sum') return total;
  if (rowWeight !== undefined) return div(total, sum(rowWeight));
  return scale(total, ids.counted === 0 ? Number.NaN : 1 / ids.counted);
}

/**
 * PyTorch's `F.nll_loss`: the negative log-likelihood of class ids `target [N]` (or one id) under
 * log-probabilities `logProbs [N, C]` (or `[C]`), `−weight[y_n] · logProbs[n, y_n]` per row. Targets
 * equal to `ignoreIndex` contribute 0 and are not counted; `'mean'` divides by the number of counted
 * rows, or by the sum of their class weights when `weight` is given (NaN when no row is counted).
 */
export function nllLoss(
  logProbs: Tensor,
  target: Indices | ArrayLike<number>,
  options: NLLLossOptions = {},
): Tensor {
  const where = 'nllLoss';
  const o = checkOptions(where, options);
  const reduction = checkReduction(where, o.reduction);
  const ignoreIndex = checkIgnoreIndex(where, o.ignoreIndex);
  const shape = classInput(where, 'logProbs', logProbs);
  const weight = classWeight(where, logProbs, o.weight, shape.classes);
  const ids = classIds(where, target, shape.rows, shape.classes, shape.unbatched, ignoreIndex);
  return classIdLoss(logProbs, shape, ids, weight, 0, reduction);
}

/**
 * PyTorch's `F.cross_entropy` of `logits [N, C]` (or `[C]`) against either
 *
 * - class ids `target [N]` (or one id): `nllLoss(logSoftmax(logits), target)` with `weight` and
 *   `ignoreIndex`; with `labelSmoothing` ε, `(1 − ε)·nll + ε/C · Σ_c −w_c·logSoftmax(logits)[n, c]`, the
 *   smoothing term 0 on ignored rows and `'mean'` dividing both by the same count (or weight sum); or
 * - class probabilities, a Tensor of the logits' shape: `−Σ_c w_c·p[n, c]·logSoftmax(logits)[n, c]` per
 *   row, with `p = (1 − ε)·target + ε/C`, and `'mean'` dividing by N (not by the weights). Differentiable
 *   with respect to the target as well. `ignoreIndex` must then be negative (the default), as in PyTorch.
 */
export function crossEntropy(
  logits: Tensor,
  target: Tensor | Indices | ArrayLike<number>,
  options: CrossEntropyOptions = {},
): Tensor {
  const where = 'crossEntropy';
  const o = checkOptions(where, options);
  const reduction = checkReduction(where, o.reduction);
  const ignoreIndex = checkIgnoreIndex(where, o.ignoreIndex);
  const smoothing = checkNumber(
    where,
    'labelSmoothing',
    o.labelSmoothing ?? 0,
    'a number in [0, 1]',
    (v) => v >= 0 && v <= 1,
  );
  const shape = classInput(where, 'logits', logits);
  const weight = classWeight(where, logits, o.weight, shape.classes);
  if (target instanceof Tensor) {
    checkSameBackend(where, [logits, target], ['logits', 'target']);
    if (!sameShape(target.shape, logits.shape)) {
      shapeError(
        where,
        'target',
        `class ids [${shape.unbatched ? '' : shape.rows}] or class probabilities of the logits' shape ${formatShape(logits.shape)}`,
        target.shape,
      );
    }
    if (ignoreIndex >= 0) {
      valueError(
        where,
        'ignoreIndex',
        'negative with class-probability targets (it applies to class ids)',
        ignoreIndex,
      );
    }
    return probabilityLoss(logits, target, shape, weight, smoothing, reduction);
  }
  const ids = classIds(where, target, shape.rows, shape.classes, shape.unbatched, ignoreIndex);
  return classIdLoss(logSoftmax(logits), shape, ids, weight, smoothing, reduction);
}

/** Cross-entropy against class probabilities (PyTorch's `cross_entropy_loss_prob_target`). */
function probabilityLoss(
  logits: Tensor,
  target: Tensor,
  shape: { rows: number; classes: number; unbatched: boolean },
  weight: Tensor | undefined,
  smoothing: number,
  reduction: Reduction,
): Tensor {
  const p = smoothing > 0 ? addScalar(scale(target, 1 - smoothing), smoothing / shape.classes) : target;
  let terms = mul(logSoftmax(logits), p);
  if (weight !== undefined) terms = mul(terms, weight);
  if (reduction === 'none') return neg(sum(terms, [logits.rank - 1]));
  const total = neg(sum(terms));
  if (reduction === 'sum') return total;
  return scale(total, shape.rows === 0 ? Number.NaN : 1 / shape.rows);
}
