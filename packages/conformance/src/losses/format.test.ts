/** The `recur-loss/1` reader: the committed files parse, malformed ones are refused naming the field. */
import { describe, expect, it } from 'vitest';
import { LossFormatError, parseLossFile } from './format.js';
import { committedLossesDir, loadLossFiles } from './load.js';

const good = () => ({
  format: 'recur-loss/1',
  loss: 'smoothL1Loss',
  cases: [
    {
      name: 'a',
      input: { shape: [2], data: [0.5, -1] },
      target: { shape: [2], data: [0, 0] },
      options: { reduction: 'none', beta: 1 },
      gradOutput: { shape: [2], data: [1, 1] },
      expected: {
        loss: { shape: [2], data: [0.125, 0.5] },
        grad: { input: { shape: [2], data: [0.5, -1] } },
      },
    },
  ],
});

describe('recur-loss/1', () => {
  it('reads every committed file: every loss, 300+ cases', () => {
    const files = loadLossFiles([committedLossesDir]);
    expect(files.flatMap((f) => ('error' in f ? [f.error] : []))).toEqual([]);
    const losses = files.flatMap((f) => ('losses' in f ? [f.losses] : []));
    expect(losses.map((f) => f.loss).sort()).toEqual(
      [
        'binaryCrossEntropy',
        'binaryCrossEntropyWithLogits',
        'crossEntropy',
        'huberLoss',
        'l1Loss',
        'mseLoss',
        'nllLoss',
        'smoothL1Loss',
      ].sort(),
    );
    expect(losses.reduce((n, f) => n + f.cases.length, 0)).toBeGreaterThan(300);
  });

  const refused: [string, (f: ReturnType<typeof good>) => void, RegExp][] = [
    ['format', (f) => (f.format = 'recur-loss/2'), /^format must be "recur-loss\/1"/],
    ['loss', (f) => (f.loss = 'kl'), /^loss must be "mseLoss" or/],
    [
      'option of another loss',
      (f) => ((f.cases[0]!.options as Record<string, unknown>).delta = 1),
      /unknown field "delta" in cases\[0\]\.options/,
    ],
    [
      'negative beta',
      (f) => (f.cases[0]!.options.beta = -1),
      /cases\[0\]\.options\.beta must be a finite number ≥ 0/,
    ],
    [
      'target shape',
      (f) => (f.cases[0]!.target = { shape: [1], data: [0] }),
      /cases\[0\]\.target must have the input's shape \[2\]/,
    ],
    [
      'ids for a float loss',
      (f) => Object.assign(f.cases[0]!, { targetIds: { shape: [], data: [0] } }),
      /exactly one of target/,
    ],
    [
      'gradOutput without none',
      (f) => (f.cases[0]!.options.reduction = 'sum'),
      /gradOutput must be given exactly when/,
    ],
    [
      'data length',
      (f) => (f.cases[0]!.input.data = [1]),
      /cases\[0\]\.input has shape \[2\] \(2 values\) but data holds 1 value/,
    ],
    ['duplicate name', (f) => f.cases.push(structuredClone(f.cases[0]!)), /duplicate case name "a"/],
  ];
  for (const [what, spoil, message] of refused) {
    it(`refuses ${what}`, () => {
      const f = good();
      expect(() => parseLossFile(f)).not.toThrow();
      spoil(f);
      expect(() => parseLossFile(f)).toThrow(LossFormatError);
      expect(() => parseLossFile(f)).toThrow(message);
    });
  }
});
