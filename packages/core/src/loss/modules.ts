/**
 * PyTorch's loss modules (`nn.MSELoss`, `nn.CrossEntropyLoss`, …) as small classes: the options are
 * checked and kept by the constructor, and `forward(input, target)` calls the loss function.
 *
 * They are plain classes, not `Module`s: a loss has no parameters, and a Module is bound to one
 * backend and dtype when it is made, while a loss works on whatever backend its input lives on (an
 * optional `weight` tensor must live there too; it is checked at each call).
 */

import type { Indices } from '../nn/indices.js';
import { checkLiveTensor } from '../tensor/check.js';
import type { Tensor } from '../tensor/tensor.js';
import type { BCELossOptions, BCEWithLogitsLossOptions } from './binary.js';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits } from './binary.js';
import type { CrossEntropyOptions, NLLLossOptions } from './classification.js';
import { crossEntropy, nllLoss } from './classification.js';
import type { LossOptions, Reduction } from './reduction.js';
import { checkNumber, checkOptions, checkReduction } from './reduction.js';
import type { HuberLossOptions, SmoothL1LossOptions } from './regression.js';
import { huberLoss, l1Loss, mseLoss, smoothL1Loss } from './regression.js';

/** Checks the options a module's function would check, at construction. */
function checked<T extends LossOptions>(where: string, options: T | undefined): T & { reduction: Reduction } {
  const o = checkOptions(where, options);
  const reduction = checkReduction(where, o.reduction);
  for (const key of ['weight', 'posWeight'] as const) {
    const t = (o as Record<string, unknown>)[key];
    if (t !== undefined) checkLiveTensor(where, key, t);
  }
  return { ...o, reduction };
}

/** PyTorch's `nn.MSELoss`: {@link mseLoss} with fixed options. */
export class MSELoss {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;

  /** Checks and keeps the options. */
  constructor(options: LossOptions = {}) {
    this.reduction = checked('MSELoss', options).reduction;
  }

  /** The loss of `input` against `target` (same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** PyTorch's `nn.L1Loss`: {@link l1Loss} with fixed options. */
export class L1Loss {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;

  /** Checks and keeps the options. */
  constructor(options: LossOptions = {}) {
    this.reduction = checked('L1Loss', options).reduction;
  }

  /** The loss of `input` against `target` (same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** PyTorch's `nn.SmoothL1Loss`: {@link smoothL1Loss} with fixed options. */
export class SmoothL1Loss {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;
  /** Where the loss turns from quadratic to linear. */
  readonly beta: number;

  /** Checks and keeps the options. */
  constructor(options: SmoothL1LossOptions = {}) {
    const o = checked('SmoothL1Loss', options);
    this.reduction = o.reduction;
    this.beta = checkNumber('SmoothL1Loss', 'beta', o.beta ?? 1, 'a finite number ≥ 0', (v) => v >= 0);
  }

  /** The loss of `input` against `target` (same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** PyTorch's `nn.HuberLoss`: {@link huberLoss} with fixed options. */
export class HuberLoss {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;
  /** Where the loss turns from quadratic to linear. */
  readonly delta: number;

  /** Checks and keeps the options. */
  constructor(options: HuberLossOptions = {}) {
    const o = checked('HuberLoss', options);
    this.reduction = o.reduction;
    this.delta = checkNumber('HuberLoss', 'delta', o.delta ?? 1, 'a finite number > 0', (v) => v > 0);
  }

  /** The loss of `input` against `target` (same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** PyTorch's `nn.NLLLoss`: {@link nllLoss} with fixed options. */
export class NLLLoss {
  /** How the per-row losses are combined. */
  readonly reduction: Reduction;
  /** Per-class weight `[C]`, if any. */
  readonly weight: Tensor | undefined;
  /** Class id whose rows are ignored. */
  readonly ignoreIndex: number;

  /** Checks and keeps the options (the weight is kept, not copied). */
  constructor(options: NLLLossOptions = {}) {
    const o = checked('NLLLoss', options);
    this.reduction = o.reduction;
    this.weight = o.weight;
    const ignoreIndex = o.ignoreIndex ?? -100;
    this.ignoreIndex = checkNumber('NLLLoss', 'ignoreIndex', ignoreIndex, 'an integer', Number.isInteger);
  }

  /** The loss of log-probabilities `input [N, C]` (or `[C]`) against class ids `target`. */
  forward(input: Tensor, target: Indices | ArrayLike<number>): Tensor {
    return nllLoss(input, target, {
      reduction: this.reduction,
      ignoreIndex: this.ignoreIndex,
      ...(this.weight && { weight: this.weight }),
    });
  }
}

/** PyTorch's `nn.CrossEntropyLoss`: {@link crossEntropy} with fixed options. */
export class CrossEntropyLoss {
  /** How the per-row losses are combined. */
  readonly reduction: Reduction;
  /** Per-class weight `[C]`, if any. */
  readonly weight: Tensor | undefined;
  /** Class id whose rows are ignored (class-id targets only). */
  readonly ignoreIndex: number;
  /** Label smoothing in [0, 1]. */
  readonly labelSmoothing: number;

  /** Checks and keeps the options (the weight is kept, not copied). */
  constructor(options: CrossEntropyOptions = {}) {
    const where = 'CrossEntropyLoss';
    const o = checked(where, options);
    this.reduction = o.reduction;
    this.weight = o.weight;
    this.ignoreIndex = checkNumber(
      where,
      'ignoreIndex',
      o.ignoreIndex ?? -100,
      'an integer',
      Number.isInteger,
    );
    this.labelSmoothing = checkNumber(
      where,
      'labelSmoothing',
      o.labelSmoothing ?? 0,
      'a number in [0, 1]',
      (v) => v >= 0 && v <= 1,
    );
  }

  /** The loss of `input` logits `[N, C]` (or `[C]`) against class ids or class probabilities. */
  forward(input: Tensor, target: Tensor | Indices | ArrayLike<number>): Tensor {
    return crossEntropy(input, target, {
      reduction: this.reduction,
      ignoreIndex: this.ignoreIndex,
      labelSmoothing: this.labelSmoothing,
      ...(this.weight && { weight: this.weight }),
    });
  }
}

/** PyTorch's `nn.BCELoss`: {@link binaryCrossEntropy} with fixed options. */
export class BCELoss {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;
  /** Per-element weight (broadcast to the input's shape), if any. */
  readonly weight: Tensor | undefined;

  /** Checks and keeps the options (the weight is kept, not copied). */
  constructor(options: BCELossOptions = {}) {
    const o = checked('BCELoss', options);
    this.reduction = o.reduction;
    this.weight = o.weight;
  }

  /** The loss of probabilities `input` against `target` (same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, {
      reduction: this.reduction,
      ...(this.weight && { weight: this.weight }),
    });
  }
}

/** PyTorch's `nn.BCEWithLogitsLoss`: {@link binaryCrossEntropyWithLogits} with fixed options. */
export class BCEWithLogitsLoss {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;
  /** Per-element weight (broadcast to the input's shape), if any. */
  readonly weight: Tensor | undefined;
  /** Weight of the positive term (broadcast to the input's shape), if any. */
  readonly posWeight: Tensor | undefined;

  /** Checks and keeps the options (the tensors are kept, not copied). */
  constructor(options: BCEWithLogitsLossOptions = {}) {
    const o = checked('BCEWithLogitsLoss', options);
    this.reduction = o.reduction;
    this.weight = o.weight;
    this.posWeight = o.posWeight;
  }

  /** The loss of logits `input` against `target` (same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, {
      reduction: this.reduction,
      ...(this.weight && { weight: this.weight }),
      ...(this.posWeight && { posWeight: this.posWeight }),
    });
  }
}
