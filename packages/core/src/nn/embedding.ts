/** `Embedding`: PyTorch's `nn.Embedding`, a lookup table of learned vectors. */
import { isIntIn, valueError } from '../errors.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { tensorLike } from '../tensor/create.js';
import { gather, mul, reshape } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Indices } from './indices.js';
import { toIndices } from './indices.js';
import type { ModuleOptions } from './module.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';

/** `Embedding` options. */
export interface EmbeddingOptions extends ModuleOptions {
  /** Size of the vocabulary. */
  numEmbeddings: number;
  /** Size of each vector. */
  embeddingDim: number;
  /** An id whose vector stays zero and receives no gradient. */
  paddingIdx?: number | null;
  /** Generator for initialisation. */
  generator?: Generator;
}

/** Lookup table `weight [numEmbeddings, embeddingDim]` ~ N(0, 1), as PyTorch. */
export class Embedding extends Module {
  /** Size of the vocabulary. */
  readonly numEmbeddings: number;
  /** Size of each vector. */
  readonly embeddingDim: number;
  /** Padding id, or null. */
  readonly paddingIdx: number | null;
  /** The table. */
  readonly weight: Parameter;

  /** Creates the table. */
  constructor(options: EmbeddingOptions) {
    super(options);
    if (!isIntIn(options.numEmbeddings, 1))
      valueError('Embedding', 'numEmbeddings', 'an integer ≥ 1', options.numEmbeddings);
    if (!isIntIn(options.embeddingDim, 1))
      valueError('Embedding', 'embeddingDim', 'an integer ≥ 1', options.embeddingDim);
    let paddingIdx = options.paddingIdx ?? null;
    if (paddingIdx !== null) {
      if (!isIntIn(paddingIdx, -options.numEmbeddings, options.numEmbeddings - 1)) {
        valueError(
          'Embedding',
          'paddingIdx',
          `an integer in [${-options.numEmbeddings}, ${options.numEmbeddings})`,
          paddingIdx,
        );
      }
      if (paddingIdx < 0) paddingIdx += options.numEmbeddings;
    }
    this.numEmbeddings = options.numEmbeddings;
    this.embeddingDim = options.embeddingDim;
    this.paddingIdx = paddingIdx;
    const generator = options.generator ?? defaultGenerator();
    this.weight = this.addParameter('weight', [this.numEmbeddings, this.embeddingDim], (data) => {
      for (let i = 0; i < data.length; i++) data[i] = generator.normal();
      if (paddingIdx !== null)
        data.fill(0, paddingIdx * this.embeddingDim, (paddingIdx + 1) * this.embeddingDim);
    });
  }

  /** Ids of any shape `S` → vectors `[...S, embeddingDim]`. */
  forward(ids: Indices | ArrayLike<number>): Tensor {
    this.checkParametersLive('Embedding.forward');
    const idx = toIndices(ids, 'Embedding.forward', 'ids');
    for (const [i, id] of idx.data.entries()) {
      if (id < 0 || id >= this.numEmbeddings) {
        throw new RangeError(
          `Embedding.forward: ids[${i}] = ${id} is out of range [0, ${this.numEmbeddings})`,
        );
      }
    }
    let rows = gather(this.weight.value, idx.data);
    if (this.paddingIdx !== null && idx.data.includes(this.paddingIdx)) {
      // Zeroing the padding rows' outputs also zeroes their gradient, as PyTorch's padding_idx does.
      const keep = Float64Array.from(idx.data, (id) => (id === this.paddingIdx ? 0 : 1));
      rows = mul(rows, tensorLike(rows, keep, [idx.data.length, 1]));
    }
    return reshape(rows, [...idx.shape, this.embeddingDim]);
  }
}
