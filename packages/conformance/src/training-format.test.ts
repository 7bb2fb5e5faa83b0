/** The strict `recur-train/1` reader: every committed fixture parses; malformed ones name their field. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedTrainingDir, listCaseFiles, loadTrainingFixtures } from './load-cases.js';
import type { TrainingFixture as RunnerFixture } from './run-training.js';
import {
  parseTrainingBytes,
  parseTrainingFixture,
  parseTrainingText,
  TrainingFormatError,
} from './training-format.js';

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited as loose JSON.
type Json = any;

const read = (name: string): Json =>
  JSON.parse(readFileSync(join(committedTrainingDir, `${name}.json`), 'utf8'));
/** Embedding(7, 3) → GRU(3, 4) → Linear(4, 4), cross-entropy with ignoreIndex 0, Adam, no clipping. */
const embedName = 'embed-gru-linear-ce-adam-amsgrad-ignore0';
/** LSTM(3, 5, projSize 2) → Linear(2, 3), cross-entropy, AdamW, clipping at norm 2. */
const projName = 'lstm-proj-linear-ce-adamw-clip2';
/** LSTM(2, 3) → Linear(3, 3), cross-entropy, SGD with two groups (rnn, head), OneCycleLR over 40 steps (recorded at 0, 10, 20, 30, 39). */
const cycleName = 'lstm-linear-ce-sgd-groups-onecyclelr-cos';
/** LSTM → LayerNorm(3) → Linear, smoothL1, AdamW, SequentialLR(LinearLR, CosineAnnealingLR), 30 steps. */
const seqName = 'lstm-layernorm-linear-smoothl1-adamw-sequentiallr';
/** RNN(3, 4) → Linear(4, 3) over [5, 2, ·]: nll of logSoftmax with class weights, reduction none (upstream [10]). */
const nllName = 'rnn-linear-nll-weight-none-sgd';
/** GRU → Linear(4, 3), bceWithLogits with weight and posWeight, sum, RMSprop, clipping at 3-norm. */
const bceName = 'gru-linear-bcelogits-posweight-sum-rmsprop-clip3';
/** GRU → Linear, smoothL1 (none), Adam, clipGradValue. */
const clipValueName = 'gru-linear-smoothl1-none-adam-clipvalue';
/** GRU → Linear, Adagrad with groups (head, rnn), nll. */
const adagradName = 'gru-linear-nll-adagrad-groups';
/** LSTM → Linear, crossEntropy of class probabilities [rows, 3], labelSmoothing, sum. */
const probsName = 'lstm-linear-ce-probs-smoothing-sum-adam';
/** GRU → Linear, Adam with groups, ReduceLROnPlateau (abs, cooldown, per-group minLr), 36 steps. */
const plateauName = 'gru-linear-ce-adam-groups-reducelronplateau-abs-cooldown';

function problem(raw: unknown): TrainingFormatError {
  try {
    parseTrainingFixture(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(TrainingFormatError);
    return error as TrainingFormatError;
  }
  throw new Error('parseTrainingFixture accepted the file');
}

function edited(name: string, edit: (f: Json) => void): Json {
  const f = structuredClone(read(name));
  edit(f);
  return f;
}

describe('parseTrainingFixture', () => {
  it('parses every committed fixture into what runTrainingFixture takes', () => {
    const files = listCaseFiles([committedTrainingDir]);
    expect(files.length).toBeGreaterThanOrEqual(40);
    for (const file of files) {
      const fixture: RunnerFixture = parseTrainingBytes(readFileSync(file));
      expect(fixture).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    }
  });

  it('loads a directory, naming the file of a malformed fixture', () => {
    expect(loadTrainingFixtures([committedTrainingDir]).length).toBeGreaterThanOrEqual(12);
    const file = listCaseFiles([committedTrainingDir])[0]!;
    expect(() => loadTrainingFixtures([join(committedTrainingDir, 'nope.json')])).toThrow(/not found/);
    expect(loadTrainingFixtures([file])[0]!.format).toBe('recur-train/1');
    const bad = join(mkdtempSync(join(tmpdir(), 'recur-train-')), 'bad.json');
    writeFileSync(bad, JSON.stringify(edited(projName, (f) => (f.optimizer.options.lr = -1))));
    expect(() => loadTrainingFixtures([bad])).toThrow(
      `${bad}: optimizer.options.lr must be a finite number ≥ 0, got -1`,
    );
  });

  it('accepts a step that sets some gradients to None before optimizer.step()', () => {
    const f = edited(projName, (x) => (x.steps[1].noGrad = ['head.bias']));
    expect(parseTrainingFixture(f).steps[1]!.noGrad).toEqual(['head.bias']);
  });

  it('refuses a malformed fixture, naming the field, the expected and the actual value', () => {
    const cases: [string, (f: Json) => void, string, RegExp][] = [
      [projName, (f) => (f.format = 'recur-case/1'), 'format', /must be "recur-train\/1"/],
      [projName, (f) => (f.model[0].options.hiddenSize = 'x'), 'model[0].options.hiddenSize', /got "x"/],
      [projName, (f) => (f.model[0].module = 'Transformer'), 'model[0].module', /"Embedding" or "RNN"/],
      [
        projName,
        (f) => (f.model[1].options.inFeatures = 5),
        'model[1].options.inFeatures',
        /must be 2 \(the features/,
      ],
      [projName, (f) => f.model.reverse(), 'model[0].module', /must be an Embedding or a recurrent module/],
      [projName, (f) => (f.model[1].name = 'rnn'), 'model[1].name', /repeats the name "rnn"/],
      [projName, (f) => delete f.parameters['head.bias'], 'parameters."head.bias"', /is missing/],
      [projName, (f) => (f.input.shape = [1e9, 1e9, 3]), 'input.data', /but data holds 30 values/],
      [projName, (f) => (f.input.shape = [10, 4]), 'input.data', /\[10, 4\] \(40 values\)/],
      [projName, (f) => (f.input.shape = [5, 3, 2]), 'input.shape', /last axis must be inputSize 3/],
      [projName, (f) => (f.loss.target.data[0] = 3), 'loss.target.data[0]', /in \[0, 2\] \(a class id/],
      [projName, (f) => (f.loss.ignoreIndex = 'none'), 'loss.ignoreIndex', /must be an integer/],
      [embedName, (f) => (f.input.data[0] = 7), 'input.data[0]', /in \[0, 6\] \(a token id/],
      [embedName, (f) => (f.optimizer.options.betas = [0.9]), 'optimizer.options.betas', /a pair/],
      [embedName, (f) => (f.optimizer.options.betas[1] = 1), 'optimizer.options.betas[1]', /in \[0, 1\)/],
      [embedName, (f) => (f.optimizer.kind = 'Rprop'), 'optimizer.kind', /"AdamW" or "RMSprop" or "Adagrad"/],
      [embedName, (f) => (f.steps[0].totalNorm = 1), 'steps[0].totalNorm', /null \(clipGradNorm is null\)/],
      [projName, (f) => (f.steps[0].totalNorm = null), 'steps[0].totalNorm', /finite number ≥ 0, got null/],
      [projName, (f) => (f.clipGradNorm.normType = 0.5), 'clipGradNorm.normType', /≥ 1, got 0.5/],
      [
        projName,
        (f) => delete f.steps[3].parameters['rnn.weight_hr_l0'],
        'steps[3].parameters."rnn.weight_hr_l0"',
        /missing/,
      ],
      [
        projName,
        (f) => (f.steps[2].grads.x = f.steps[2].grads['head.bias']),
        'steps[2].grads.x',
        /not a parameter/,
      ],
      [projName, (f) => (f.steps[1].noGrad = ['head.bias', 'head.bias']), 'steps[1].noGrad[1]', /repeats/],
      [projName, (f) => (f.steps = []), 'steps', /at least one step/],
    ];
    for (const [name, edit, path, message] of cases) {
      const e = problem(edited(name, edit));
      expect([e.path, e.message]).toEqual([path, expect.stringMatching(message)]);
    }
    expect(problem([read(projName)]).message).toBe('a training fixture must be a JSON object, got an array');
    expect(() => parseTrainingText('{')).toThrow(/^the file is not valid JSON/);
  });

  it('reads groups, schedulers, per-step lr, sparse steps, the new losses, LayerNorm and clipGradValue', () => {
    const cycle = parseTrainingFixture(read(cycleName));
    expect(cycle.optimizer.groups?.map((g) => g.params.length)).toEqual([4, 2]);
    expect(cycle.scheduler?.kind).toBe('OneCycleLR');
    expect(cycle.steps).toHaveLength(40);
    expect(cycle.steps.every((s) => s.lr?.length === 2)).toBe(true);
    expect(cycle.steps.flatMap((s, k) => (s.parameters ? [k] : []))).toEqual([0, 10, 20, 30, 39]);
    const seq = parseTrainingFixture(read(seqName));
    expect(seq.model.map((l) => l.module)).toEqual(['LSTM', 'LayerNorm', 'Linear']);
    expect(Object.keys(seq.parameters)).toContain('norm.bias');
    expect(parseTrainingFixture(read(nllName)).loss.upstream?.shape).toEqual([10]);
    expect(parseTrainingFixture(read(clipValueName)).clipGradValue).toBeGreaterThan(0);
    expect(parseTrainingFixture(read(probsName)).loss.target.shape).toEqual([8, 3]);
  });

  it('refuses malformed new fields, naming the field', () => {
    const cases: [string, (f: Json) => void, string, RegExp][] = [
      // parameter groups
      [cycleName, (f) => f.optimizer.groups[1].params.pop(), 'optimizer.groups', /"head.bias" is in none/],
      [
        cycleName,
        (f) => f.optimizer.groups[1].params.push('rnn.weight_ih_l0'),
        'optimizer.groups[1].params[2]',
        /already in optimizer.groups\[0\]/,
      ],
      [cycleName, (f) => (f.optimizer.groups[0].params = []), 'optimizer.groups[0].params', /at least one/],
      [
        cycleName,
        (f) => (f.optimizer.groups[1].betas = [0.9, 0.99]),
        'optimizer.groups[1].betas',
        /unknown field/,
      ],
      [cycleName, (f) => (f.optimizer.groups[1].lr = -0.1), 'optimizer.groups[1].lr', /≥ 0, got -0.1/],
      [cycleName, (f) => (f.optimizer.groups = []), 'optimizer.groups', /at least one group/],
      [
        cycleName,
        (f) => Object.assign(f.optimizer.groups[1], { nesterov: true, dampening: 0.5 }),
        'optimizer.groups[1].nesterov',
        /needs momentum > 0 and dampening 0/,
      ],
      [
        adagradName,
        (f) => (f.optimizer.groups[0].initialAccumulatorValue = 0.3),
        'optimizer.groups[0].initialAccumulatorValue',
        /ignores a group's initialAccumulatorValue/,
      ],
      [adagradName, (f) => delete f.optimizer.options.lrDecay, 'optimizer.options.lrDecay', /is missing/],
      [bceName, (f) => (f.optimizer.options.centered = 1), 'optimizer.options.centered', /a boolean/],
      // schedulers and per-step lr
      [cycleName, (f) => (f.scheduler.kind = 'CyclicLR'), 'scheduler.kind', /"StepLR" or/],
      [cycleName, (f) => (f.scheduler.options.lastEpoch = 3), 'scheduler.options.lastEpoch', /unknown field/],
      [
        cycleName,
        (f) => (f.scheduler.options.totalSteps = 39),
        'scheduler.options.totalSteps',
        /≥ the 40 steps/,
      ],
      [
        cycleName,
        (f) => (f.scheduler.options.maxLr = [0.1]),
        'scheduler.options.maxLr',
        /one per parameter group/,
      ],
      [
        cycleName,
        (f) => delete f.scheduler.options.totalSteps,
        'scheduler.options.totalSteps',
        /epochs and stepsPerEpoch/,
      ],
      [
        cycleName,
        (f) => (f.scheduler.options.annealStrategy = 'exp'),
        'scheduler.options.annealStrategy',
        /"cos" or "linear"/,
      ],
      [cycleName, (f) => delete f.steps[7].lr, 'steps[7].lr', /is missing/],
      [cycleName, (f) => f.steps[7].lr.pop(), 'steps[7].lr', /2 learning rates/],
      [cycleName, (f) => (f.steps[7].lr[1] = -1), 'steps[7].lr[1]', /≥ 0, got -1/],
      [cycleName, (f) => delete f.scheduler, 'steps[0].lr', /only for a fixture with a scheduler/],
      [cycleName, (f) => delete f.steps[39].parameters, 'steps[39].parameters', /is missing/],
      [
        seqName,
        (f) => (f.scheduler.options.schedulers[1] = { kind: 'ReduceLROnPlateau', options: {} }),
        'scheduler.options.schedulers[1].kind',
        /cannot be inside a SequentialLR/,
      ],
      [
        seqName,
        (f) => f.scheduler.options.milestones.push(9),
        'scheduler.options.milestones',
        /1 milestones/,
      ],
      [
        seqName,
        (f) => (f.scheduler.options.schedulers[0].options.startFactor = 0),
        'scheduler.options.schedulers[0].options.startFactor',
        /> 0/,
      ],
      [plateauName, (f) => (f.scheduler.options.factor = 1), 'scheduler.options.factor', /in \[0, 1\)/],
      [
        plateauName,
        (f) => (f.scheduler.options.minLr = [0, 0, 0]),
        'scheduler.options.minLr',
        /one per parameter group/,
      ],
      [plateauName, (f) => (f.scheduler.options.mode = 'low'), 'scheduler.options.mode', /"min" or "max"/],
      [
        cycleName,
        (f) => (f.scheduler = { kind: 'StepLR', options: { stepSize: 0 } }),
        'scheduler.options.stepSize',
        /≥ 1/,
      ],
      [
        cycleName,
        (f) => (f.scheduler = { kind: 'LambdaLR', options: { lrLambda: [[1], [1], [1]] } }),
        'scheduler.options.lrLambda',
        /one table or 2 tables/,
      ],
      [
        cycleName,
        (f) => (f.scheduler = { kind: 'LambdaLR', options: { lrLambda: [] } }),
        'scheduler.options.lrLambda',
        /non-empty table/,
      ],
      [
        adagradName,
        (f) => (f.scheduler = { kind: 'OneCycleLR', options: { maxLr: 0.1, totalSteps: 10 } }),
        'scheduler.options.cycleMomentum',
        /with Adagrad/,
      ],
      // losses
      [nllName, (f) => (f.loss.kind = 'kl'), 'loss.kind', /"mse" or "l1"/],
      [nllName, (f) => (f.loss.reduction = 'avg'), 'loss.reduction', /"mean" or "sum" or "none"/],
      [nllName, (f) => delete f.loss.upstream, 'loss.upstream', /reduction "none" needs it/],
      [nllName, (f) => (f.loss.upstream.shape = [5, 2]), 'loss.upstream.shape', /the unreduced loss/],
      [nllName, (f) => (f.loss.weight.shape = [1, 3]), 'loss.weight.shape', /one value per class/],
      [nllName, (f) => (f.loss.labelSmoothing = 0.1), 'loss.labelSmoothing', /unknown field/],
      [bceName, (f) => (f.loss.upstream = f.loss.target), 'loss.upstream', /only for reduction "none"/],
      [bceName, (f) => (f.loss.posWeight.data[0] = 'x'), 'loss.posWeight.data[0]', /finite number/],
      [probsName, (f) => (f.loss.labelSmoothing = 2), 'loss.labelSmoothing', /in \[0, 1\]/],
      [probsName, (f) => (f.loss.ignoreIndex = 0), 'loss.ignoreIndex', /negative with class-probability/],
      [probsName, (f) => (f.loss.target.shape = [8, 2]), 'loss.target.data', /\[8, 2\]/],
      [clipValueName, (f) => (f.loss.beta = -1), 'loss.beta', /≥ 0, got -1/],
      [clipValueName, (f) => (f.loss.delta = 1), 'loss.delta', /unknown field/],
      // LayerNorm
      [
        seqName,
        (f) => (f.model[1].options.normalizedShape = [4]),
        'model[1].options.normalizedShape',
        /must be 3/,
      ],
      [
        seqName,
        (f) => (f.model[1].options.normalizedShape = [1, 3]),
        'model[1].options.normalizedShape',
        /one size/,
      ],
      [seqName, (f) => (f.model[1].options.bias = true), 'model[1].options.bias', /unknown field/],
      [seqName, (f) => f.model.unshift(f.model.splice(1, 1)[0]), 'model[0].module', /got LayerNorm/],
      [seqName, (f) => delete f.parameters['norm.weight'], 'parameters."norm.weight"', /is missing/],
      [
        seqName,
        (f) => (f.model[1].options.elementwiseAffine = false),
        'parameters."norm.weight"',
        /not a parameter/,
      ],
      // clipping by value
      [clipValueName, (f) => (f.clipGradValue = -1), 'clipGradValue', /≥ 0, got -1/],
      [bceName, (f) => (f.clipGradValue = 1), 'clipGradValue', /needs clipGradNorm null/],
    ];
    for (const [name, edit, path, message] of cases) {
      const e = problem(edited(name, edit));
      expect([name, e.path, e.message]).toEqual([name, path, expect.stringMatching(message)]);
    }
  });

  it('never throws anything but a TrainingFormatError on a mutated fixture (seeded)', () => {
    // A small deterministic fuzz: replace or delete one field of a new-style fixture, parse.
    let seed = 20261203;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const values: unknown[] = [
      -1,
      0,
      0.5,
      1,
      2,
      1e9,
      -1e300,
      'x',
      'inf',
      null,
      true,
      [],
      {},
      [0],
      [1e9, 1e9],
      { shape: [], data: [] },
    ];
    const names = [cycleName, seqName, nllName, bceName, clipValueName, adagradName, probsName, plateauName];
    const originals = new Map(names.map((n) => [n, read(n)]));
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const f = structuredClone(originals.get(pick(names)));
      // Walk to a random container, preferring the new fields, then change one of its entries.
      let node: Json = f;
      let key: string | number = pick(['optimizer', 'scheduler', 'loss', 'model', 'steps', 'clipGradValue']);
      for (let depth = 0; depth < 6 && node[key] !== null && typeof node[key] === 'object'; depth++) {
        const keys: (string | number)[] = Array.isArray(node[key])
          ? [...node[key].keys()]
          : Object.keys(node[key]);
        if (keys.length === 0 || random() < 0.2) break;
        node = node[key];
        key = pick(keys);
      }
      if (random() < 0.2 && !Array.isArray(node)) delete node[key];
      else node[key] = structuredClone(pick(values));
      try {
        parseTrainingFixture(f);
      } catch (error) {
        if (!(error instanceof TrainingFormatError)) throw error;
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(200);
    expect(() => parseTrainingText('{')).toThrow(/^the file is not valid JSON/);
  });
});
