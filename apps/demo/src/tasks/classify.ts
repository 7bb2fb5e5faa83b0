/**
 * Many-to-one: is a first name on the female or the male list? Character embeddings feed the
 * recurrent layers over variable-length names (`lengths`); the top layer's final state (both
 * directions when bidirectional) feeds a linear layer with two logits.
 */
import type { DType, Generator, Tensor } from '@recur/core';
import { crossEntropy, Embedding, indices, Linear, tidy } from '@recur/core';
import { encodeName, nameAlphabet, PAD } from '@recur/datasets';
import type { ModelConfig } from '../engine/protocol.js';
import type { LabelledName } from './names-data.js';
import { nameSplits, paddedSteps } from './names-data.js';
import { createRecurrent, runRecurrent, topState } from './recurrent.js';
import type { Task, TaskModel } from './task.js';

/** Size of the character embedding. */
const EMBEDDING = 16;

/** A batch of names. */
export type NameBatch = readonly LabelledName[];

/** Embedding → recurrent layers → Linear(2). */
export interface ClassifierModel extends TaskModel<NameBatch> {
  /** Logits `[N, 2]` (female, male). */
  logits(names: readonly string[]): Tensor;
}

/** Names as time-major ids `[T, N]` padded with PAD, and their lengths. */
function encodeBatch(names: readonly string[]) {
  // Drop the leading boundary marker but keep the closing one: the last step always sees "end of name".
  const encoded = names.map((n) => encodeName(n).slice(1));
  const lengths = encoded.map((e) => e.length);
  const steps = paddedSteps(Math.max(...lengths));
  const ids = new Array<number>(steps * names.length).fill(PAD);
  encoded.forEach((e, b) => {
    e.forEach((id, t) => {
      ids[t * names.length + b] = id;
    });
  });
  return { ids: indices(ids, [steps, names.length]), lengths };
}

function createModel(config: ModelConfig, dtype: DType, generator: Generator): ClassifierModel {
  const embedding = new Embedding({
    numEmbeddings: nameAlphabet.length,
    embeddingDim: EMBEDDING,
    paddingIdx: PAD,
    dtype,
    generator,
  });
  const rnn = createRecurrent({ ...config, inputSize: EMBEDDING, dtype, generator });
  const head = new Linear({
    inFeatures: config.hidden * rnn.numDirections,
    outFeatures: 2,
    dtype,
    generator,
  });
  const logits = (names: readonly string[]) => {
    const { ids, lengths } = encodeBatch(names);
    const { hn } = runRecurrent(rnn, embedding.forward(ids), { lengths });
    return head.forward(topState(rnn, hn));
  };
  return {
    modules: { embedding, rnn, head },
    recurrent: rnn,
    logits,
    loss: (batch) =>
      crossEntropy(
        logits(batch.map((n) => n.name)),
        batch.map((n) => n.label),
      ),
  };
}

/** Probability of "female" for each name. */
export function femaleProbabilities(model: ClassifierModel, names: readonly string[]): number[] {
  const logits = tidy(() => model.logits(names).toArray());
  return names.map((_, b) => 1 / (1 + Math.exp(logits[2 * b + 1]! - logits[2 * b]!)));
}

/** Builds the many-to-one task for `seed`'s split. */
export function classifyTask(seed: number): Task<NameBatch, ClassifierModel> {
  const { train, val } = nameSplits(seed).classify;
  const valNames = val.map((n) => n.name);
  const females = val.filter((n) => n.label === 0).length;
  const majority = Math.max(females, val.length - females) / val.length;
  return {
    name: 'classify',
    createModel,
    batch: (size, generator) => Array.from({ length: size }, () => train[generator.int(train.length)]!),
    evaluate(model, step) {
      // One forward pass gives both numbers: cross-entropy from the logits on the host, in float64.
      const logits = tidy(() => model.logits(valNames).toArray());
      let nats = 0;
      let correct = 0;
      val.forEach((n, b) => {
        const f = logits[2 * b]!;
        const m = logits[2 * b + 1]!;
        const top = Math.max(f, m);
        nats += top + Math.log(Math.exp(f - top) + Math.exp(m - top)) - (n.label === 0 ? f : m);
        if ((m > f ? 1 : 0) === n.label) correct++;
      });
      return {
        step,
        valLoss: nats / val.length,
        view: { task: 'classify', accuracy: correct / val.length, majority },
      };
    },
  };
}
