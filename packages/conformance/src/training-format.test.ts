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
    expect(files.length).toBeGreaterThanOrEqual(12);
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
});
