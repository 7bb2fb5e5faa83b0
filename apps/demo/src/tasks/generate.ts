/**
 * One-to-many: generate first names from a chosen list. The list id (the one input) is embedded
 * into the initial state of every layer; the recurrent layers then model the name one character at
 * a time (teacher forcing in training, sampling at a temperature afterwards).
 */
import type { DType, Generator, Tensor } from '@recur/core';
import { crossEntropy, Embedding, indices, Linear, ops, Generator as Rng, tidy } from '@recur/core';
import type { ListedName } from '@recur/datasets';
import { decodeName, NAME_BOUNDARY, nameAlphabet, nameLists, PAD, teacherForcing } from '@recur/datasets';
import type { ModelConfig, SampleOptions } from '../engine/protocol.js';
import { nameSplits, STEP_MULTIPLE } from './names-data.js';
import { createRecurrent, runRecurrent } from './recurrent.js';
import type { Task, TaskModel } from './task.js';

const EMBEDDING = 16;
const MAX_LENGTH = 16;

/** A batch of names with their lists. */
export type ListedBatch = readonly ListedName[];

/** List embedding → h0; character embedding → recurrent layers → Linear → next-character logits. */
export interface GeneratorModel extends TaskModel<ListedBatch> {
  /** `count` names from `list`, sampled at `temperature` with `generator`. */
  sample(list: number, count: number, temperature: number, generator: Generator): string[];
}

function createModel(config: ModelConfig, dtype: DType, generator: Generator): GeneratorModel {
  const { hidden, layers } = config;
  const vocabulary = nameAlphabet.length;
  const listState = new Embedding({
    numEmbeddings: nameLists.length,
    embeddingDim: layers * hidden,
    dtype,
    generator,
  });
  const chars = new Embedding({
    numEmbeddings: vocabulary,
    embeddingDim: EMBEDDING,
    paddingIdx: PAD,
    dtype,
    generator,
  });
  // Generation reads left to right: a reverse direction would see the characters it must predict.
  const rnn = createRecurrent({ ...config, bidirectional: false, inputSize: EMBEDDING, dtype, generator });
  const head = new Linear({ inFeatures: hidden, outFeatures: vocabulary, dtype, generator });

  /** `h0 [L, N, H]` from the list ids; tanh keeps it in the range of a recurrent state. */
  const initialState = (lists: readonly number[]): Tensor => {
    const h = ops.tanh(listState.forward(lists));
    return ops.transpose(ops.reshape(h, [lists.length, layers, hidden]), [1, 0, 2]);
  };

  const loss = (batch: ListedBatch): Tensor => {
    const { inputs, targets, steps } = teacherForcing(batch, STEP_MULTIPLE);
    const n = batch.length;
    const x = chars.forward(indices(inputs, [steps, n]));
    const { output } = runRecurrent(rnn, x, { h0: initialState(batch.map((b) => b.list)) });
    const logits = head.forward(ops.reshape(output, [steps * n, hidden]));
    return crossEntropy(logits, targets, { ignoreIndex: PAD });
  };

  const sample = (list: number, count: number, temperature: number, rng: Generator): string[] =>
    tidy(() => {
      let h = initialState(new Array(count).fill(list));
      let c: Tensor | undefined;
      let previous = new Array<number>(count).fill(NAME_BOUNDARY);
      const generated: number[][] = Array.from({ length: count }, () => []);
      const done = new Array<boolean>(count).fill(false);
      for (let t = 0; t < MAX_LENGTH && done.includes(false); t++) {
        const x = chars.forward(indices(previous, [1, count]));
        const out = runRecurrent(rnn, x, { h0: h, c0: c });
        h = out.hn;
        c = out.cn;
        const logits = head.forward(ops.reshape(out.output, [count, hidden])).toArray();
        previous = previous.map((_, b) => {
          const id = drawCharacter(logits.subarray(b * vocabulary, (b + 1) * vocabulary), temperature, rng);
          if (!done[b]) {
            if (id === NAME_BOUNDARY) done[b] = true;
            else generated[b]!.push(id);
          }
          return id;
        });
      }
      return generated.map((ids) => decodeName(ids));
    });

  return { modules: { list_state: listState, chars, rnn, head }, recurrent: rnn, loss, sample };
}

/** Draws an id from softmax(logits / temperature), never the padding id; temperature 0 takes the argmax. */
function drawCharacter(logits: ArrayLike<number>, temperature: number, rng: Generator): number {
  let best = 1;
  for (let j = 2; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
  if (temperature <= 0) return best;
  const weights = Array.from({ length: logits.length - 1 }, (_, j) =>
    Math.exp((logits[j + 1]! - logits[best]!) / temperature),
  );
  let u = rng.random() * weights.reduce((a, w) => a + w, 0);
  for (let j = 0; j < weights.length; j++) {
    u -= weights[j]!;
    if (u <= 0) return j + 1;
  }
  return weights.length;
}

/** Builds the one-to-many task for `seed`'s split. */
export function generateTask(seed: number): Task<ListedBatch, GeneratorModel> {
  const { train, val } = nameSplits(seed).generate;
  return {
    name: 'generate',
    createModel,
    batch: (size, generator) => Array.from({ length: size }, () => train[generator.int(train.length)]!),
    evaluate(model, step, options: SampleOptions) {
      const valLoss = tidy(() => model.loss(val).item());
      // A fixed seed: the page shows how the same draws turn into names as training goes on.
      const samples = model.sample(options.list, options.count, options.temperature, new Rng(seed + 1));
      return { step, valLoss, view: { task: 'generate', samples, bitsPerChar: valLoss / Math.LN2 } };
    },
  };
}
