import { createJsBackend } from '@recur/backend-js';
import { Adam, Generator, GRU, LSTM, RNN, setDefaultBackend } from '@recur/core';
import { addingBatch, teacherForcing } from '@recur/datasets';
import { beforeAll, describe, expect, test } from 'vitest';
import { AddingModel, createRecurrent, gradientProfile, optimisationStep } from './index.js';
import { createNodeBackend, isNodeBackendName, nodeBackendNames } from './node-backends.js';

beforeAll(() => setDefaultBackend(createJsBackend()));

describe('@recur/runner', () => {
  test('createRecurrent builds the module its name says, and refuses others', () => {
    const spec = { inputSize: 3, hidden: 4, generator: new Generator(1) };
    expect(createRecurrent({ ...spec, cell: 'rnn' })).toBeInstanceOf(RNN);
    expect(createRecurrent({ ...spec, cell: 'lstm' })).toBeInstanceOf(LSTM);
    expect(createRecurrent({ ...spec, cell: 'gru' })).toBeInstanceOf(GRU);
    expect(createRecurrent({ ...spec, cell: 'gru', layers: 2, bidirectional: true }).numDirections).toBe(2);
    expect(() => createRecurrent({ ...spec, cell: 'tcn' as 'rnn' })).toThrow(/unknown recurrent cell "tcn"/);
  });

  test('chrono initialisation: the LSTM forget bias is log u ≥ 0 and the gradient reaches far back', () => {
    const generator = new Generator(7);
    const model = new AddingModel('lstm', 8, { generator, chrono: { length: 40, generator } });
    const bias = (model.recurrent as LSTM)
      .namedParameters()
      .find(([n]) => n === 'bias_ih_l0')![1]
      .value.toArray();
    for (let j = 0; j < 8; j++) {
      expect(bias[8 + j]).toBeGreaterThanOrEqual(0);
      expect(bias[j]).toBeCloseTo(-bias[8 + j]!, 6);
    }
    const profile = gradientProfile(model, addingBatch(40, 16, new Generator(8)));
    expect(profile.ratios).toHaveLength(40);
    expect(profile.ratios[0]).toBe(1);
    expect(profile.ratios[39]).toBeGreaterThan(1e-3);
    model.dispose();
  });

  test('optimisationStep lowers the loss of a fixed batch', () => {
    const model = new AddingModel('gru', 8, { generator: new Generator(3) });
    const batch = addingBatch(10, 32, new Generator(4));
    const optimizer = new Adam(model.parameters(), { lr: 0.02 });
    const first = optimisationStep(optimizer, model.parameters(), () => model.loss(batch));
    let last = first;
    for (let i = 0; i < 30; i++)
      last = optimisationStep(optimizer, model.parameters(), () => model.loss(batch));
    expect(last).toBeLessThan(first);
    optimizer.dispose();
    model.dispose();
  });

  test('teacher forcing (from @recur/datasets): inputs lead the targets by one symbol', () => {
    const t = teacherForcing(
      [
        { name: 'ab', list: 0 },
        { name: 'c', list: 1 },
      ],
      4,
    );
    expect(t.steps).toBe(4);
    // Column 0 reads . a b, predicts a b .; column 1 reads . c, predicts c .
    expect(t.inputs.filter((_, i) => i % 2 === 0).slice(0, 3)).toEqual([1, 3, 4]);
    expect(t.targets.filter((_, i) => i % 2 === 0).slice(0, 3)).toEqual([3, 4, 1]);
    expect(t.targets.filter((_, i) => i % 2 === 1).slice(0, 3)).toEqual([5, 1, 0]);
  });

  test('the Node backend table names each built-in once, and creates js', async () => {
    expect(new Set(nodeBackendNames).size).toBe(nodeBackendNames.length);
    expect(isNodeBackendName('webgl')).toBe(false);
    expect((await createNodeBackend('js', { fused: false })).fused).toBeUndefined();
  });
});
