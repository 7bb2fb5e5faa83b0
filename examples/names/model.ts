/**
 * The names model (one-to-many): the list id sets the GRU's initial state, and the GRU then models
 * the name one character at a time. Reusable by the demo: build, train step by step, score, sample.
 */
import type { Generator, Parameter, Tensor } from '@recur/core';
import { crossEntropy, Embedding, GRU, indices, Linear, ops, tidy } from '@recur/core';
import type { ListedName } from '@recur/datasets';
import { decodeName, NAME_BOUNDARY, nameAlphabet, PAD, teacherForcing } from '@recur/datasets';

/** Sizes of a {@link NameModel}. */
export interface NameModelOptions {
  /** Number of lists (the one input). */
  readonly lists: number;
  readonly hidden: number;
  readonly embeddingDim: number;
}

/** Inputs `[T, N]` (boundary + letters) and targets `[T·N]` (letters + boundary, padding ignored). */
function teacherForcingBatch(names: readonly ListedName[]) {
  // The ids come from @recur/datasets, the one home of teacher forcing shared with the demo.
  const { inputs, targets, steps } = teacherForcing(names);
  return { inputs: indices(inputs, [steps, names.length]), targets, steps };
}

/** List embedding → h0; character embedding → GRU → Linear → next-character logits. */
export class NameModel {
  readonly listState: Embedding;
  readonly chars: Embedding;
  readonly gru: GRU;
  readonly head: Linear;

  /** A model of the given sizes, initialised from the global seeded generator. */
  constructor(readonly options: NameModelOptions) {
    const { lists, hidden, embeddingDim } = options;
    this.listState = new Embedding({ numEmbeddings: lists, embeddingDim: hidden });
    this.chars = new Embedding({ numEmbeddings: nameAlphabet.length, embeddingDim, paddingIdx: PAD });
    this.gru = new GRU({ inputSize: embeddingDim, hiddenSize: hidden });
    this.head = new Linear({ inFeatures: hidden, outFeatures: nameAlphabet.length });
  }

  /** Every trainable parameter, in a fixed order. */
  parameters(): Parameter[] {
    return [
      ...this.listState.parameters(),
      ...this.chars.parameters(),
      ...this.gru.parameters(),
      ...this.head.parameters(),
    ];
  }

  /** `h0 [1, N, H]` from the list ids (tanh keeps it in the GRU state's range). */
  private initialState(lists: readonly number[]): Tensor {
    const h = ops.tanh(this.listState.forward(lists));
    return ops.reshape(h, [1, lists.length, this.options.hidden]);
  }

  /** Mean cross-entropy (nats per symbol) of `names` under teacher forcing. */
  loss(names: readonly ListedName[]): Tensor {
    const { inputs, targets, steps } = teacherForcingBatch(names);
    const [out] = this.gru.forward(this.chars.forward(inputs), this.initialState(names.map((n) => n.list)));
    const logits = this.head.forward(ops.reshape(out, [steps * names.length, this.options.hidden]));
    return crossEntropy(logits, targets, { ignoreIndex: PAD });
  }

  /** Bits per character over `names` (every predicted symbol, the end marker included). */
  bitsPerChar(names: readonly ListedName[], batchSize = 512): number {
    let nats = 0;
    let symbols = 0;
    for (let i = 0; i < names.length; i += batchSize) {
      const batch = names.slice(i, i + batchSize);
      const count = batch.reduce((s, n) => s + n.name.length + 1, 0);
      nats += tidy(() => this.loss(batch).item()) * count;
      symbols += count;
    }
    return nats / symbols / Math.LN2;
  }

  /** Samples `count` names from `list`, one character at a time (softmax sampling at `temperature`). */
  sample(list: number, count: number, generator: Generator, temperature = 1, maxLength = 20): string[] {
    return tidy(() => {
      let h = this.initialState(new Array(count).fill(list));
      let previous = new Array<number>(count).fill(NAME_BOUNDARY);
      const generated: number[][] = Array.from({ length: count }, () => []);
      const done = new Array<boolean>(count).fill(false);
      for (let t = 0; t < maxLength && done.includes(false); t++) {
        const [out, hn] = this.gru.forward(this.chars.forward(indices(previous, [1, count])), h);
        h = hn;
        const logits = this.head.forward(ops.reshape(out, [count, this.options.hidden])).toArray();
        const v = nameAlphabet.length;
        previous = previous.map((_, b) => {
          // Padding is never a character: sample among ids 1 … v−1.
          const row = Array.from({ length: v - 1 }, (_, j) => logits[b * v + j + 1]! / temperature);
          const top = Math.max(...row);
          const weights = row.map((z) => Math.exp(z - top));
          let u = generator.random() * weights.reduce((a, c) => a + c, 0);
          let id = 1;
          for (let j = 0; j < weights.length; j++) {
            u -= weights[j]!;
            if (u <= 0) {
              id = j + 1;
              break;
            }
          }
          if (!done[b]) {
            if (id === NAME_BOUNDARY) done[b] = true;
            else generated[b]!.push(id);
          }
          return id;
        });
      }
      return generated.map((ids) => decodeName(ids));
    });
  }
}
