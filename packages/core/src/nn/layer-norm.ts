/** `LayerNorm`: PyTorch's `nn.LayerNorm`, normalising over the trailing `normalizedShape` dimensions. */
import { formatShape, isIntIn, shapeError, valueError } from '../errors.js';
import { checkModuleInput } from '../tensor/check.js';
import { add, addScalar, div, mean, mul, sqrt, sub } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ModuleOptions } from './module.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';

/** `LayerNorm` options (PyTorch's keyword arguments). */
export interface LayerNormOptions extends ModuleOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a per-element `weight` (ones) and `bias` (zeros) of shape `normalizedShape` (default true). */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, learn the `bias` too (default true; torch ≥ 2.1's `bias`). */
  bias?: boolean;
}

/**
 * Layer normalisation: `y = (x − E[x]) / √(Var[x] + eps) · weight + bias`, mean and biased variance over
 * the last `normalizedShape.length` dimensions. Parameters `weight` and `bias`, as PyTorch names them.
 */
export class LayerNorm extends Module {
  /** The trailing dimensions normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance. */
  readonly eps: number;
  /** Whether `weight` (and maybe `bias`) are learned. */
  readonly elementwiseAffine: boolean;
  /** `weight [...normalizedShape]` (initially ones), when `elementwiseAffine`. */
  readonly weight: Parameter | undefined;
  /** `bias [...normalizedShape]` (initially zeros), when `elementwiseAffine` and `bias`. */
  readonly bias: Parameter | undefined;

  /** `normalizedShape`: one size (the last dimension) or the trailing sizes. */
  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    const where = 'LayerNorm';
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => isIntIn(d, 1))) {
      valueError(where, 'normalizedShape', 'an integer ≥ 1 or a non-empty array of them', normalizedShape);
    }
    const eps = options?.eps ?? 1e-5;
    if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0)
      valueError(where, 'eps', 'a finite number ≥ 0', eps);
    const affine = options?.elementwiseAffine ?? true;
    if (typeof affine !== 'boolean') valueError(where, 'elementwiseAffine', 'a boolean', affine);
    const useBias = options?.bias ?? true;
    if (typeof useBias !== 'boolean') valueError(where, 'bias', 'a boolean', useBias);
    super(options);
    this.normalizedShape = [...shape];
    this.eps = eps;
    this.elementwiseAffine = affine;
    if (affine) this.checkParameterShapes({ weight: shape });
    this.weight = affine ? this.addParameter('weight', shape, (d) => d.fill(1)) : undefined;
    this.bias = affine && useBias ? this.addParameter('bias', shape, () => {}) : undefined;
  }

  /** `x [..., ...normalizedShape]` → the same shape, normalised over the trailing dimensions. */
  forward(x: Tensor): Tensor {
    const where = 'LayerNorm.forward';
    this.checkParametersLive(where);
    checkModuleInput(where, 'x', x, this.backend, this.dtype);
    const k = this.normalizedShape.length;
    const trailing = x.shape.slice(x.rank - k);
    if (x.rank < k || trailing.some((d, i) => d !== this.normalizedShape[i])) {
      shapeError(
        where,
        'x',
        `trailing dimensions normalizedShape = ${formatShape(this.normalizedShape)}`,
        x.shape,
      );
    }
    this.checkFiniteInputs(where, { x });
    return this.finiteChecked(
      where,
      () => {
        const axes = this.normalizedShape.map((_, i) => x.rank - k + i);
        const centred = sub(x, mean(x, axes, true));
        const variance = mean(mul(centred, centred), axes, true);
        let y = div(centred, sqrt(addScalar(variance, this.eps)));
        if (this.weight) y = mul(y, this.weight.value);
        if (this.bias) y = add(y, this.bias.value);
        return y;
      },
      (y) => ({ output: y }),
    );
  }
}
