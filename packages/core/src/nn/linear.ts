/** `Linear`: PyTorch's `nn.Linear`, `y = x·Wᵀ + b` over the last axis. */
import { isIntIn, shapeError, valueError } from '../errors.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { checkModuleInput } from '../tensor/check.js';
import { add, matmul, reshape } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ModuleOptions } from './module.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';

/** `Linear` options. */
export interface LinearOptions extends ModuleOptions {
  /** Input features. */
  inFeatures: number;
  /** Output features. */
  outFeatures: number;
  /** Add a learned bias (default true). */
  bias?: boolean;
  /** Generator for initialisation. */
  generator?: Generator;
}

/** Fully connected layer; parameters `weight [out, in]` and `bias [out]`, PyTorch's default init. */
export class Linear extends Module {
  /** Input features. */
  readonly inFeatures: number;
  /** Output features. */
  readonly outFeatures: number;
  /** The `[out, in]` weight. */
  readonly weight: Parameter;
  /** The `[out]` bias, if any. */
  readonly bias: Parameter | undefined;

  /** Creates the layer; weight and bias ~ U(−1/√in, 1/√in) as PyTorch's `kaiming_uniform_(a=√5)`. */
  constructor(options: LinearOptions) {
    super(options);
    if (!isIntIn(options.inFeatures, 1))
      valueError('Linear', 'inFeatures', 'an integer ≥ 1', options.inFeatures);
    if (!isIntIn(options.outFeatures, 1))
      valueError('Linear', 'outFeatures', 'an integer ≥ 1', options.outFeatures);
    const useBias = options.bias ?? true;
    if (typeof useBias !== 'boolean') valueError('Linear', 'bias', 'a boolean', useBias);
    this.inFeatures = options.inFeatures;
    this.outFeatures = options.outFeatures;
    const generator = options.generator ?? defaultGenerator();
    const bound = 1 / Math.sqrt(this.inFeatures);
    const uniform = (data: Float64Array) => {
      for (let i = 0; i < data.length; i++) data[i] = generator.uniform(-bound, bound);
    };
    this.checkParameterShapes({ weight: [this.outFeatures, this.inFeatures] });
    this.weight = this.addParameter('weight', [this.outFeatures, this.inFeatures], uniform);
    this.bias = useBias ? this.addParameter('bias', [this.outFeatures], uniform) : undefined;
  }

  /** `x [..., in]` → `[..., out]`. */
  forward(x: Tensor): Tensor {
    const where = 'Linear.forward';
    this.checkParametersLive(where);
    checkModuleInput(where, 'x', x, this.backend, this.dtype);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      shapeError(where, 'x', `last dimension inFeatures = ${this.inFeatures}`, x.shape);
    }
    this.checkFiniteInputs(where, { x });
    return this.finiteChecked(
      where,
      () => {
        const rows = reshape(x, [-1, this.inFeatures]);
        let y = matmul(rows, this.weight.value, false, true);
        if (this.bias) y = add(y, this.bias.value);
        return reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
      },
      (y) => ({ output: y }),
    );
  }
}
