/**
 * One-to-many (generation): one input, the list (female or male), sets a GRU's initial state; the
 * GRU then writes a name character by character. Scored in bits per character on held-out names
 * against a character-bigram model per list; ten samples per list are printed.
 *
 * `pnpm example one-to-many [--hidden 96] [--batch 64] [--lr 0.005]`
 */
import { Adam } from '@recur/core';
import { datasets, listedNames, nameLists, pick, splitIndices } from '@recur/datasets';
import { loadFirstNames } from '@recur/datasets/node';
import { runExample } from './lib/cli.js';
import { formatNumber } from './lib/result.js';
import { minibatches, optimisationStep, trainLoop } from './lib/train.js';
import { fitBigram } from './names/bigram.js';
import { NameModel } from './names/model.js';

await runExample(
  {
    name: 'one-to-many',
    description: 'a character GRU generates first names; the list (female/male) sets its initial state',
    defaultSteps: 1200,
    options: [
      { name: 'hidden', description: 'GRU hidden size', default: 96 },
      { name: 'batch', description: 'batch size', default: 64 },
      { name: 'lr', description: 'Adam learning rate', default: 0.005, integer: false, min: 0 },
    ],
  },
  async (ctx) => {
    const { hidden, batch, lr } = ctx.options as Record<string, number>;
    for (const d of [datasets.femaleNames, datasets.maleNames])
      console.log(`data: ${d.description} (${d.package}; ${d.dataLicence})`);
    const { female, male } = loadFirstNames();
    const names = listedNames(female, male);
    const split = splitIndices(names.length, 0.1, ctx.seed);
    const train = pick(names, split.train);
    const test = pick(names, split.test);
    const bigram = fitBigram(train, nameLists.length);
    const baseline = bigram.bitsPerChar(test);
    console.log(
      `${train.length} training and ${test.length} held-out names; bigram (per list, add-0.5) ${formatNumber(baseline)} bits/char`,
    );

    const model = new NameModel({ lists: nameLists.length, hidden, embeddingDim: 16 });
    const params = model.parameters();
    const optimizer = new Adam(params, { lr });
    const batches = minibatches(train, batch, ctx.generator);
    trainLoop({
      label: 'GRU',
      steps: ctx.steps,
      evalEvery: 250,
      step: () => {
        const b = batches.next().value;
        return optimisationStep(optimizer, params, () => model.loss(b));
      },
      evaluate: () => ({ line: `held-out ${formatNumber(model.bitsPerChar(test))} bits/char` }),
    });
    const bits = model.bitsPerChar(test);
    const known = new Set(names.map((n) => n.name));
    nameLists.forEach((list, id) => {
      const samples = model.sample(id, 10, ctx.generator).map((s) => {
        const display = s.charAt(0).toUpperCase() + s.slice(1);
        return known.has(s) ? display : `${display}*`;
      });
      console.log(`${list}: ${samples.join(', ')}`);
    });
    console.log('(* = not in either list)');
    const ratio = bits / baseline;
    console.log(
      `held-out bits/char: GRU ${formatNumber(bits)}, bigram ${formatNumber(baseline)} (${formatNumber((1 - ratio) * 100)}% lower)`,
    );
    return [{ metric: 'bpc_ratio_to_bigram', value: ratio, op: '<=', target: 0.9 }];
  },
);
