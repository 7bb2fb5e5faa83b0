/** `Dropout`: PyTorch's `nn.Dropout` (inverted dropout, active in training mode only). */
import { valueError } from '../errors.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { tensorLike } from '../tensor/create.js';
import { mul } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ModuleOptions } from './module.js';
import { Module } from './module.js';

/** Zeroes each element with probability `p` in training and scales the rest by 1/(1−p). */
export class Dropout extends Module {
  /** Drop probability. */
  readonly p: number;
  /**
   * The generator the masks are drawn from: the one given to the constructor, else the global
   * {@link defaultGenerator} (shared). Save its `getState()` with a checkpoint to resume with the
   * same masks.
   */
  readonly generator: Generator;

  /** `p` in [0, 1] (default 0.5); `generator` draws the masks (default: the global one). */
  constructor(options: ModuleOptions & { p?: number; generator?: Generator } = {}) {
    super(options);
    const p = options.p ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) valueError('Dropout', 'p', 'a number in [0, 1]', p);
    this.p = p;
    this.generator = options.generator ?? defaultGenerator();
  }

  /** Identity in eval mode; a fresh seeded mask per call in training. */
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const keepScale = this.p >= 1 ? 0 : 1 / (1 - this.p);
    const mask = Float64Array.from({ length: x.size }, () =>
      this.generator.random() >= this.p ? keepScale : 0,
    );
    return mul(x, tensorLike(x, mask, x.shape));
  }
}
