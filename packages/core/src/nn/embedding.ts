/** `Embedding`: PyTorch's `nn.Embedding`, a lookup table of learned vectors. */
import { isIntIn, shapeError, valueError } from '../errors.js';
import { defaultGenerator, Generator } from '../random.js';
import { checkLiveTensor } from '../tensor/check.js';
import { tensorLike } from '../tensor/create.js';
import { add, gather, mul, reshape, slice } from '../tensor/ops.js';
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

  /**
   * PyTorch's `Embedding.from_pretrained`: a table holding a copy of `embeddings [numEmbeddings,
   * embeddingDim]`, on its backend and dtype. With `freeze` (the default) the weight has `requiresGrad`
   * false. `paddingIdx` marks an id whose gradient is zero; its vector is kept as given (not zeroed).
   */
  static fromPretrained(
    embeddings: Tensor,
    options: {
      /** Keep the table fixed: `weight.requiresGrad = false` (default true). */
      freeze?: boolean;
      /** An id that receives no gradient. */
      paddingIdx?: number | null;
      /** Check forward passes for NaN and ±Infinity (see `ModuleOptions.checkFinite`). */
      checkFinite?: boolean;
    } = {},
  ): Embedding {
    const where = 'Embedding.fromPretrained';
    checkLiveTensor(where, 'embeddings', embeddings);
    if (embeddings.rank !== 2)
      shapeError(where, 'embeddings', 'a 2-D [numEmbeddings, embeddingDim] tensor', embeddings.shape);
    const freeze = options?.freeze ?? true;
    if (typeof freeze !== 'boolean') valueError(where, 'options.freeze', 'a boolean', freeze);
    const [numEmbeddings, embeddingDim] = embeddings.shape as [number, number];
    const data = embeddings.toArray();
    const embedding = new Embedding({
      numEmbeddings,
      embeddingDim,
      paddingIdx: options?.paddingIdx,
      backend: embeddings.backend,
      dtype: embeddings.dtype,
      checkFinite: options?.checkFinite,
      // Initial values are overwritten: a private generator leaves the caller's random stream alone.
      generator: new Generator(0),
    });
    embedding.weight.assign(tensorLike(embeddings, data, embeddings.shape));
    embedding.weight.requiresGrad = !freeze;
    return embedding;
  }

  /** The padding row's values, read to the host (the slice made to read it is released at once). */
  private paddingVector(): Float64Array {
    const d = this.embeddingDim;
    const weight = this.weight.value;
    if (this.numEmbeddings === 1) return Float64Array.from(weight.toArray());
    const row = slice(weight, [this.paddingIdx!, 0], [1, d]);
    const values = Float64Array.from(row.toArray());
    row.dispose();
    return values;
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
      // PyTorch's padding_idx: the row's vector is output as it is but gets no gradient. Its outputs are
      // masked out (no gradient) and, when the vector is not zero (a loaded table), added back as a constant.
      const keep = Float64Array.from(idx.data, (id) => (id === this.paddingIdx ? 0 : 1));
      rows = mul(rows, tensorLike(rows, keep, [idx.data.length, 1]));
      const d = this.embeddingDim;
      const vector = this.paddingVector();
      if (vector.some((v) => v !== 0)) {
        const constant = new Float64Array(idx.data.length * d);
        idx.data.forEach((id, i) => {
          if (id === this.paddingIdx) constant.set(vector, i * d);
        });
        rows = add(rows, tensorLike(rows, constant, [idx.data.length, d]));
      }
    }
    return reshape(rows, [...idx.shape, this.embeddingDim]);
  }
}
