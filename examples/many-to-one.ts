/**
 * Many-to-one (sentiment-style text classification): spam or not, from the subject and body of the
 * SpamAssassin mails. Each mail's word embeddings are batched with `padSequence` and fed to a GRU with
 * their `lengths`; the mean of its outputs and its final state, layer-normalised, feed a linear classifier.
 *
 * `pnpm example many-to-one [--hidden 48] [--tokens 100] [--vocabulary 4000] [--batch 64] [--lr 0.004]`
 */
import type { Parameter, Tensor } from '@recur/core';
import {
  Adam,
  crossEntropy,
  Embedding,
  GRU,
  LayerNorm,
  Linear,
  ops,
  padSequence,
  tensor,
  tidy,
} from '@recur/core';
import { buildVocabulary, datasets, PAD, pick, prepareMail, splitIndices } from '@recur/datasets';
import { loadSpamAssassin } from '@recur/datasets/node';
import { runExample } from './lib/cli.js';
import { formatNumber } from './lib/result.js';
import { minibatches, optimisationStep, trainLoop } from './lib/train.js';

/** A mail as ids, with its label. */
interface Example {
  readonly ids: number[];
  readonly label: number;
}

/** Embedding → GRU (with lengths) → [mean of outputs ‖ final state] → LayerNorm → Linear → 2 logits. */
class SpamClassifier {
  readonly embedding: Embedding;
  readonly gru: GRU;
  readonly norm: LayerNorm;
  readonly head: Linear;

  constructor(vocabularySize: number, embeddingDim: number, hidden: number) {
    this.embedding = new Embedding({ numEmbeddings: vocabularySize, embeddingDim, paddingIdx: PAD });
    this.gru = new GRU({ inputSize: embeddingDim, hiddenSize: hidden });
    // The mean of the outputs is much smaller than the final state (it averages ±1 values over up to
    // 100 steps): LayerNorm puts the two on one scale before the classifier.
    this.norm = new LayerNorm(2 * hidden);
    this.head = new Linear({ inFeatures: 2 * hidden, outFeatures: 2 });
  }

  /** Every trainable parameter, in a fixed order. */
  parameters(): Parameter[] {
    return [
      ...this.embedding.parameters(),
      ...this.gru.parameters(),
      ...this.norm.parameters(),
      ...this.head.parameters(),
    ];
  }

  /** Logits `[N, 2]` for a batch of mails. */
  forward(batch: readonly Example[]): Tensor {
    const lengths = batch.map((e) => e.ids.length);
    // Embed every mail's ids in one lookup, split back into one [L_i, E] sequence per mail and pad
    // them into a time-major [T, N, E] batch (T = the longest mail), as torch.nn.utils.rnn.pad_sequence.
    const embedded = this.embedding.forward(batch.flatMap((e) => e.ids)); // [ΣL_i, E]
    const x = padSequence(ops.split(embedded, lengths, 0)); // [T, N, E], zeros after each mail
    const [out, hn] = this.gru.forward(x, null, { lengths });
    // Padded steps output zeros, so the sum over time divided by each length is the mean over real steps.
    const inverseLengths = tensor(
      lengths.map((l) => 1 / l),
      [lengths.length, 1],
    );
    const mean = ops.mul(ops.sum(out, [0]), inverseLengths);
    return this.head.forward(this.norm.forward(ops.concat([mean, ops.index0(hn, 0)], 1)));
  }
}

/** Fraction of `examples` classified correctly (batched, no gradients kept). */
function accuracy(model: SpamClassifier, examples: readonly Example[]): number {
  let correct = 0;
  for (let i = 0; i < examples.length; i += 256) {
    const batch = examples.slice(i, i + 256);
    const logits = tidy(() => model.forward(batch).toArray());
    batch.forEach((e, b) => {
      if ((logits[2 * b + 1]! > logits[2 * b]! ? 1 : 0) === e.label) correct++;
    });
  }
  return correct / examples.length;
}

await runExample(
  {
    name: 'many-to-one',
    description: 'spam or not from the subject and body of SpamAssassin mails: embedding + GRU with lengths',
    defaultSteps: 300,
    options: [
      { name: 'hidden', description: 'GRU hidden size', default: 48 },
      { name: 'tokens', description: 'tokens kept per mail (subject first)', default: 100 },
      {
        name: 'vocabulary',
        description: 'most frequent training tokens kept (the rest are <unk>)',
        default: 4000,
        min: 3,
      },
      { name: 'batch', description: 'batch size', default: 64 },
      { name: 'lr', description: 'Adam learning rate', default: 0.004, integer: false, min: 0 },
    ],
  },
  async (ctx) => {
    const { hidden, tokens, vocabulary: vocabularySize, batch, lr } = ctx.options as Record<string, number>;
    console.log(
      `data: ${datasets.spam.description} (${datasets.spam.package}; ${datasets.spam.dataLicence})`,
    );
    const mails = loadSpamAssassin().map((m) => prepareMail(m, tokens));
    const split = splitIndices(mails.length, 0.2, ctx.seed);
    const train = pick(mails, split.train);
    const test = pick(mails, split.test);
    const vocabulary = buildVocabulary(
      train.map((m) => m.tokens),
      // 4000 words keep the accuracy and the embedding's gradient cheap (tfjs-wasm computes it as a one-hot matmul).
      { maxSize: vocabularySize, minCount: 2 },
    );
    const encode = (ms: typeof mails): Example[] =>
      ms.map((m) => ({ ids: vocabulary.encode(m.tokens), label: m.label }));
    const trainSet = encode(train);
    const testSet = encode(test);
    const majority =
      Math.max(...[0, 1].map((c) => testSet.filter((e) => e.label === c).length)) / testSet.length;
    console.log(
      `${trainSet.length} training and ${testSet.length} test mails, vocabulary ${vocabulary.tokens.length}; ` +
        `majority-class baseline accuracy ${formatNumber(majority)}`,
    );

    const model = new SpamClassifier(vocabulary.tokens.length, 32, hidden);
    const params = model.parameters();
    const optimizer = new Adam(params, { lr });
    const batches = minibatches(trainSet, batch, ctx.generator);
    trainLoop({
      label: 'GRU',
      steps: ctx.steps,
      evalEvery: 200,
      step: () => {
        const b = batches.next().value;
        return optimisationStep(optimizer, params, () =>
          crossEntropy(
            model.forward(b),
            b.map((e) => e.label),
          ),
        );
      },
      evaluate: () => ({ line: `test accuracy ${formatNumber(accuracy(model, testSet))}` }),
    });
    const acc = accuracy(model, testSet);
    console.log(`test accuracy ${formatNumber(acc)} (majority class ${formatNumber(majority)})`);
    return [{ metric: 'test_accuracy', value: acc, op: '>=', target: 0.94 }];
  },
);
