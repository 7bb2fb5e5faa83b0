/** Loss functions with PyTorch's definitions and reductions. */
import { formatShape, shapeError, valueError } from './errors.js';
import type { Indices } from './nn/indices.js';
import { toIndices } from './nn/indices.js';
import { tensorLike } from './tensor/create.js';
import { logSoftmax, mean, mul, neg, reshape, scale, sub, sum } from './tensor/ops.js';
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
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) valueError('crossEntropy', 'ignoreIndex', 'an integer', ignoreIndex);
  if (logits.rank !== 1 && logits.rank !== 2)
    shapeError('crossEntropy', 'logits', '[N, C] or [C]', logits.shape);
  const classes = logits.shape[logits.rank - 1]!;
  const rows = logits.rank === 2 ? logits.shape[0]! : 1;
  const ids = toIndices(target);
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
  const pick = new Float64Array(rows * classes);
  let counted = 0;
  for (let n = 0; n < rows; n++) {
    const id = ids.data[n]!;
    if (id === ignoreIndex) continue;
    if (id < 0 || id >= classes) {
      throw new RangeError(
        `crossEntropy: target[${n}] = ${id} is out of range [0, ${classes}) and is not ignoreIndex (${ignoreIndex})`,
      );
    }
    pick[n * classes + id] = 1;
    counted++;
  }
  const logProbs = reshape(logSoftmax(logits), [rows, classes]);
  const picked = mul(logProbs, tensorLike(logits, pick, [rows, classes]));
  if (reduction === 'none') {
    const perRow = neg(sum(picked, [1]));
    return logits.rank === 1 ? reshape(perRow, []) : perRow;
  }
  const total = neg(sum(picked));
  // PyTorch divides by the number of non-ignored targets (NaN when there are none).
  return reduction === 'sum' ? total : scale(total, counted === 0 ? Number.NaN : 1 / counted);
}
