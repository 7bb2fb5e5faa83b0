/**
 * Sequence to sequence (translation-style): spelling → pronunciation on CMUdict. A bidirectional GRU
 * encoder reads the letters (variable lengths), a GRU decoder trained with teacher forcing writes the
 * phonemes, decoded greedily; dot-product attention is on by default (`--attention 0` turns it off).
 * Adam's learning rate follows a one-cycle schedule (`lrScheduler.OneCycleLR`, stepped after each
 * `optimizer.step()`): a short warm-up to `--lr`, then cosine annealing to almost zero by the last step.
 * Scored by phoneme error rate (edit distance / reference length) on held-out words.
 *
 * `pnpm example seq2seq [--attention 1] [--hidden 64] [--batch 64] [--lr 0.003]`
 */
import { Adam, lrScheduler } from '@recur/core';
import { datasets, editDistance, pick, pronunciations, splitIndices } from '@recur/datasets';
import { loadCmudict } from '@recur/datasets/node';
import { runExample } from './lib/cli.js';
import { formatNumber } from './lib/result.js';
import { optimisationStep, trainLoop } from './lib/train.js';
import type { Pair } from './seq2seq/data.js';
import { bucketedBatches, phonemeSymbols, toPair } from './seq2seq/data.js';
import { Speller } from './seq2seq/model.js';

/** Phoneme error rate: total edit distance over total reference length. */
function phonemeErrorRate(model: Speller, pairs: readonly Pair[]): number {
  let errors = 0;
  let length = 0;
  for (let i = 0; i < pairs.length; i += 500) {
    const batch = pairs.slice(i, i + 500);
    model.decode(batch).forEach((ids, b) => {
      errors += editDistance(phonemeSymbols(ids), batch[b]!.reference);
      length += batch[b]!.reference.length;
    });
  }
  return errors / length;
}

await runExample(
  {
    name: 'seq2seq',
    description:
      'spelling to pronunciation on CMUdict: bidirectional GRU encoder, GRU decoder, greedy decoding',
    defaultSteps: 400,
    options: [
      {
        name: 'attention',
        description: '1: dot-product attention over the encoder outputs, 0: none',
        default: 1,
        min: 0,
      },
      {
        name: 'hidden',
        description: 'encoder hidden size per direction (the decoder has twice as many)',
        default: 64,
      },
      { name: 'batch', description: 'batch size', default: 64 },
      {
        name: 'lr',
        description: 'peak Adam learning rate (one-cycle schedule)',
        default: 0.003,
        integer: false,
        min: 0,
      },
      { name: 'eval-words', description: 'held-out words to score (0: all of them)', default: 0, min: 0 },
    ],
  },
  async (ctx) => {
    const { attention, hidden, batch, lr } = ctx.options as Record<string, number>;
    const evalWords = ctx.options['eval-words']!;
    console.log(
      `data: ${datasets.cmudict.description} (${datasets.cmudict.package}; ${datasets.cmudict.dataLicence})`,
    );
    const pairs = pronunciations(loadCmudict(), 12).map(toPair);
    const split = splitIndices(pairs.length, 0.02, ctx.seed);
    const train = pick(pairs, split.train);
    const heldOut = pick(pairs, split.test);
    const test = evalWords > 0 ? heldOut.slice(0, evalWords) : heldOut;
    const check = test.slice(0, 500);
    console.log(
      `${pairs.length} words of up to 12 letters: ${train.length} for training, ${test.length} held out`,
    );
    const model = new Speller({
      embeddingDim: 32,
      encoderHidden: hidden,
      decoderHidden: 2 * hidden,
      attention: attention > 0,
    });
    const params = model.parameters();
    const optimizer = new Adam(params, { lr });
    // One cycle over the whole budget, as torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr,
    // total_steps=steps): warm up for the first 30% of the steps, then anneal to lr / 2.5e4.
    const scheduler = new lrScheduler.OneCycleLR(optimizer, { maxLr: lr, totalSteps: ctx.steps });
    const batches = bucketedBatches(train, batch, ctx.generator);
    trainLoop({
      label: attention > 0 ? 'GRU+attention' : 'GRU',
      steps: ctx.steps,
      evalEvery: 100,
      step: () => {
        const b = batches.next().value;
        const loss = optimisationStep(optimizer, params, () => model.loss(b));
        scheduler.step(); // after optimizer.step(), as in PyTorch
        return loss;
      },
      evaluate: (i) => {
        const rate = `lr ${scheduler.getLastLr()[0]!.toExponential(2)}`;
        if (i % 200 !== 0) return { line: rate };
        const per = phonemeErrorRate(model, check);
        return { line: `${rate}, phoneme error rate ${formatNumber(per)} (500 held-out words)` };
      },
    });
    const per = phonemeErrorRate(model, test);
    for (const p of test.slice(0, 8)) {
      const [ids] = model.decode([p]);
      console.log(
        `${p.word.toLowerCase()}: ${phonemeSymbols(ids!).join(' ')}   (CMUdict: ${p.reference.join(' ')})`,
      );
    }
    console.log(`held-out phoneme error rate ${formatNumber(per)} over ${test.length} words`);
    return [{ metric: 'phoneme_error_rate', value: per, op: '<=', target: 0.25 }];
  },
);
