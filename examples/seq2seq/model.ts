/**
 * Spelling → pronunciation: a bidirectional GRU encoder with lengths, a GRU decoder trained with
 * teacher forcing and decoded greedily, and (optionally) Luong-style dot-product attention over the
 * encoder outputs applied after the decoder GRU, so training still runs the decoder as one fused
 * sequence.
 */
import type { Parameter, Tensor } from '@recur/core';
import { crossEntropy, Embedding, GRU, indices, Linear, ops, tensor, tidy } from '@recur/core';
import type { Pair } from './data.js';
import { BOUNDARY, decoderTeacher, encoderInput, letterCount, phonemeCount } from './data.js';

/** Sizes of a {@link Speller}. */
export interface SpellerOptions {
  readonly embeddingDim: number;
  /** Encoder hidden size per direction. */
  readonly encoderHidden: number;
  readonly decoderHidden: number;
  readonly attention: boolean;
}

interface Encoded {
  /** `[N, Te, Hd]` keys (attention only). */
  keys?: Tensor;
  /** `[N, Te, 2·He]` values (attention only). */
  values?: Tensor;
  /** `[N, 1, Te]`: 0 at real letters, −1e9 at padding (attention only). */
  mask?: Tensor;
  /** Decoder initial state `[1, N, Hd]`. */
  h0: Tensor;
}

/** The encoder–decoder. */
export class Speller {
  readonly letters: Embedding;
  readonly encoder: GRU;
  readonly bridge: Linear;
  readonly phonemes: Embedding;
  readonly decoder: GRU;
  readonly keys: Linear | undefined;
  readonly combine: Linear | undefined;
  readonly out: Linear;

  /** An encoder–decoder of the given sizes, initialised from the global seeded generator. */
  constructor(readonly options: SpellerOptions) {
    const { embeddingDim: e, encoderHidden: he, decoderHidden: hd } = options;
    this.letters = new Embedding({ numEmbeddings: letterCount, embeddingDim: e, paddingIdx: 0 });
    this.encoder = new GRU({ inputSize: e, hiddenSize: he, bidirectional: true });
    this.bridge = new Linear({ inFeatures: 2 * he, outFeatures: hd });
    this.phonemes = new Embedding({ numEmbeddings: phonemeCount, embeddingDim: e, paddingIdx: 0 });
    this.decoder = new GRU({ inputSize: e, hiddenSize: hd });
    if (options.attention) {
      this.keys = new Linear({ inFeatures: 2 * he, outFeatures: hd, bias: false });
      this.combine = new Linear({ inFeatures: hd + 2 * he, outFeatures: hd });
    }
    this.out = new Linear({ inFeatures: hd, outFeatures: phonemeCount });
  }

  /** Every trainable parameter, in a fixed order. */
  parameters(): Parameter[] {
    return [
      this.letters,
      this.encoder,
      this.bridge,
      this.phonemes,
      this.decoder,
      this.keys,
      this.combine,
      this.out,
    ]
      .filter((m) => m !== undefined)
      .flatMap((m) => m.parameters());
  }

  /** Runs the encoder over a batch of spellings. */
  private encode(batch: readonly Pair[]): Encoded {
    const { ids, lengths, steps } = encoderInput(batch);
    const n = batch.length;
    const [out, hn] = this.encoder.forward(this.letters.forward(ids), null, { lengths });
    // Final forward state (at each word's last letter) and final backward state (at its first).
    const last = ops.concat([ops.index0(hn, 0), ops.index0(hn, 1)], 1);
    const h0 = ops.reshape(ops.tanh(this.bridge.forward(last)), [1, n, this.options.decoderHidden]);
    if (!this.keys) return { h0 };
    const values = ops.transpose(out, [1, 0, 2]); // [N, Te, 2He]
    const mask = new Float64Array(n * steps);
    for (const [b, len] of lengths.entries()) mask.fill(-1e9, b * steps + len, (b + 1) * steps);
    return { h0, values, keys: this.keys.forward(values), mask: tensor(mask, [n, 1, steps]) };
  }

  /** Logits `[N·Td, C]` (batch-major) from decoder outputs `[Td, N, Hd]`. */
  private readout(decoded: Tensor, enc: Encoded): Tensor {
    const [td, n, hd] = decoded.shape as [number, number, number];
    const d = ops.transpose(decoded, [1, 0, 2]); // [N, Td, Hd]
    if (!this.combine || !enc.keys || !enc.values || !enc.mask) {
      return this.out.forward(ops.reshape(d, [n * td, hd]));
    }
    const te = enc.keys.shape[1]!;
    const scores = ops.sum(
      ops.mul(ops.reshape(d, [n, td, 1, hd]), ops.reshape(enc.keys, [n, 1, te, hd])),
      [3],
    ); // [N, Td, Te]
    const weights = ops.exp(ops.logSoftmax(ops.add(scores, enc.mask)));
    const hv = enc.values.shape[2]!;
    const context = ops.sum(
      ops.mul(ops.reshape(weights, [n, td, te, 1]), ops.reshape(enc.values, [n, 1, te, hv])),
      [2],
    ); // [N, Td, 2He]
    const combined = ops.tanh(this.combine.forward(ops.concat([d, context], 2)));
    return this.out.forward(ops.reshape(combined, [n * td, hd]));
  }

  /** Teacher-forced cross-entropy per phoneme. */
  loss(batch: readonly Pair[]): Tensor {
    const enc = this.encode(batch);
    const { ids, targets } = decoderTeacher(batch);
    const [decoded] = this.decoder.forward(this.phonemes.forward(ids), enc.h0);
    return crossEntropy(this.readout(decoded, enc), targets, { ignoreIndex: 0 });
  }

  /** Greedy decoding: phoneme ids per word, up to `maxSteps`, stopping at the end marker. */
  decode(batch: readonly Pair[], maxSteps = 24): number[][] {
    return tidy(() => {
      const enc = this.encode(batch);
      const n = batch.length;
      let h = enc.h0;
      let previous = new Array<number>(n).fill(BOUNDARY);
      const outputs: number[][] = Array.from({ length: n }, () => []);
      const done = new Array<boolean>(n).fill(false);
      for (let t = 0; t < maxSteps && done.includes(false); t++) {
        const [decoded, hn] = this.decoder.forward(this.phonemes.forward(indices(previous, [1, n])), h);
        h = hn;
        const logits = tidy(() => this.readout(decoded, enc).toArray());
        previous = previous.map((_, b) => {
          let best = 1;
          for (let c = 2; c < phonemeCount; c++) {
            if (logits[b * phonemeCount + c]! > logits[b * phonemeCount + best]!) best = c;
          }
          if (!done[b]) {
            if (best === BOUNDARY) done[b] = true;
            else outputs[b]!.push(best);
          }
          return best;
        });
      }
      return outputs;
    });
  }
}
