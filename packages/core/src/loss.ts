/** Loss functions with PyTorch's definitions and reductions. */
import { formatShape, shapeError, valueError } from './errors.js';
import type { Indices } from './nn/indices.js';
import { toIndices } from './nn/indices.js';
import { checkLiveTensor } from './tensor/check.js';
import { tensorLike } from './tensor/create.js';
import {
  checkSameBackend,
  concat,
  gather,
  logSoftmax,
  mean,
  mul,
  neg,
  reshape,
  scale,
  sub,
  sum,
} from './tensor/ops.js';
import { sameShape } from './tensor/shape.js';
import type { Tensor } from './tensor/tensor.js';

/** How per-element losses are combined. */
export type Reduction = 'mean' | 'sum' | 'none';

function checkReduction(where: string, reduction: unknown): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    valueError(where, 'reduction', '"mean", "sum" or "none"', reduction);
  }
  return reduction;
}

/** `(input − target)²`, reduced. Shapes must match exactly (no silent broadcasting). */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction('mseLoss', options.reduction ?? 'mean');
  checkSameBackend('mseLoss', [input, target], ['input', 'target']);
  if (!sameShape(input.shape, target.shape)) {
    shapeError('mseLoss', 'target', `the input's shape ${formatShape(input.shape)}`, target.shape);
  }
  const d = sub(input, target);
  const sq = mul(d, d);
  return reduction === 'none' ? sq : reduction === 'sum' ? sum(sq) : mean(sq);
}

/**
 * Cross-entropy of `logits [N, C]` (or `[C]`) against class ids `target [N]` (or one id), as PyTorch's
 * `F.cross_entropy`: targets equal to `ignoreIndex` contribute nothing and are not counted by `mean`.
 */
export function crossEntropy(
  logits: Tensor,
  target: Indices | ArrayLike<number>,
  options: { ignoreIndex?: number; reduction?: Reduction } = {},
): Tensor {
  const reduction = checkReduction('crossEntropy', options.reduction ?? 'mean');
  checkLiveTensor('crossEntropy', 'logits', logits);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) valueError('crossEntropy', 'ignoreIndex', 'an integer', ignoreIndex);
  if (logits.rank !== 1 && logits.rank !== 2)
    shapeError('crossEntropy', 'logits', '[N, C] or [C]', logits.shape);
  const classes = logits.shape[logits.rank - 1]!;
  const rows = logits.rank === 2 ? logits.shape[0]! : 1;
  const ids = toIndices(target, 'crossEntropy', 'target');
  const expectedShape = logits.rank === 2 ? [rows] : [];
  if (
    ids.data.length !== rows ||
    (ids.shape.length !== expectedShape.length && !(logits.rank === 1 && ids.shape.length === 1))
  ) {
    shapeError(
      'crossEntropy',
      'target',
      `${rows} class ids (shape ${formatShape(expectedShape)})`,
      ids.shape,
    );
  }
  // Each row's target log-probability is picked by index, not by a one-hot product: 0 · (−∞) = NaN would
  // turn a −∞ logit of another class (a masked class) into a NaN loss, where PyTorch's is finite.
  // Ignored rows pick a 0 appended after the last entry.
  const zeroAt = rows * classes;
  const pick = new Int32Array(rows);
  let counted = 0;
  for (let n = 0; n < rows; n++) {
    const id = ids.data[n]!;
    if (id === ignoreIndex) {
      pick[n] = zeroAt;
      continue;
    }
    if (id < 0 || id >= classes) {
      throw new RangeError(
        `crossEntropy: target[${n}] = ${id} is out of range [0, ${classes}) and is not ignoreIndex (${ignoreIndex})`,
      );
    }
    pick[n] = n * classes + id;
    counted++;
  }
  const flat = reshape(logSoftmax(logits), [zeroAt, 1]);
  const withZero = concat([flat, tensorLike(logits, [0], [1, 1])], 0);
  const perRow = neg(reshape(gather(withZero, pick), [rows]));
  if (reduction === 'none') return logits.rank === 1 ? reshape(perRow, []) : perRow;
  const total = sum(perRow);
  return reduction === 'sum' ? total : scale(total, counted === 0 ? Number.NaN : 1 / counted);
}
