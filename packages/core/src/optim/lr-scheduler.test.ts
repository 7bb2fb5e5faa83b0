/**
 * Every scheduler against PyTorch's lr sequences (fixtures/optim/scheduler-*.json): the lr (and
 * OneCycleLR's momentum or β₁) after construction and every step, the state_dict at one step, and a
 * run resumed from PyTorch's scheduler and optimizer state dicts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import type { OptimizerStateDict, ParamGroupInput } from '../index.js';
import { Adam, lrScheduler, Parameter, SGD, tensor } from '../index.js';

const backend = createJsBackend();
const dir = fileURLToPath(new URL('../../../../fixtures/optim/', import.meta.url));

interface SchedulerSpec {
  kind: string;
  options: Record<string, unknown>;
}
interface SchedulerFixture {
  name: string;
  optimizer: { kind: 'SGD' | 'Adam'; defaults: Record<string, unknown>; groups: Record<string, unknown>[] };
  scheduler: SchedulerSpec;
  lrs: number[][];
  momenta?: number[][];
  metrics?: number[];
  state: { afterStep: number; stateDict: Record<string, unknown>; optimizerStateDict: OptimizerStateDict };
}

const fixtures: SchedulerFixture[] = readdirSync(dir)
  .filter((f) => f.startsWith('scheduler-') && f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(dir + f, 'utf8')));

const lambdas: Record<string, (e: number) => number> = {
  '0.95**epoch': (e) => 0.95 ** e,
  '1/(epoch+1)': (e) => 1 / (e + 1),
  '0.9**epoch': (e) => 0.9 ** e,
  'epoch<5 ? (epoch+1)/5 : 1': (e) => (e < 5 ? (e + 1) / 5 : 1),
};

type AnyScheduler = lrScheduler.LRScheduler | lrScheduler.ReduceLROnPlateau;

function makeOptimizer(f: SchedulerFixture) {
  const groups = f.optimizer.groups.map((g) => ({
    ...g,
    params: [new Parameter(tensor([0], [1], { backend, dtype: 'float64' }))],
  }));
  const Ctor = f.optimizer.kind === 'SGD' ? SGD : Adam;
  return new Ctor(groups as ParamGroupInput<never>[], f.optimizer.defaults as never);
}

function makeScheduler(optimizer: lrScheduler.AnyOptimizer, spec: SchedulerSpec): AnyScheduler {
  const o: Record<string, unknown> = { ...spec.options };
  if ('TMax' in o) {
    o.tMax = o.TMax;
    delete o.TMax;
  }
  if (typeof o.lrLambda === 'string') o.lrLambda = lambdas[o.lrLambda];
  if (Array.isArray(o.lrLambda)) o.lrLambda = o.lrLambda.map((n: string) => lambdas[n]);
  if (spec.kind === 'SequentialLR') {
    o.schedulers = (o.schedulers as SchedulerSpec[]).map((s) => makeScheduler(optimizer, s));
  }
  const Ctor = (lrScheduler as unknown as Record<string, new (opt: unknown, o: unknown) => AnyScheduler>)[
    spec.kind
  ]!;
  return new Ctor(optimizer, o);
}

/** Deep comparison with numbers within 1e-12 relative; PyTorch's "Infinity" strings are ±Infinity. */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (expected === 'Infinity' || expected === '-Infinity') {
    expect(actual, path).toBe(expected === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
  } else if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    const a = actual as number;
    if (Math.abs(a - expected) > 1e-15 + 1e-12 * Math.abs(expected)) {
      expect.fail(`${path}: got ${a}, expected ${expected} (PyTorch)`);
    }
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => {
      expectClose((actual as unknown[])[i], e, `${path}[${i}]`);
    });
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

function stepOnce(f: SchedulerFixture, s: AnyScheduler, k: number): void {
  if (s instanceof lrScheduler.ReduceLROnPlateau) s.step(f.metrics![k]!);
  else s.step();
}

function checkStep(f: SchedulerFixture, opt: ReturnType<typeof makeOptimizer>, s: AnyScheduler, k: number) {
  const groups = opt.paramGroups as unknown as { lr: number; momentum?: number; betas?: number[] }[];
  expectClose(
    groups.map((g) => g.lr),
    f.lrs[k],
    `${f.name} lr after step ${k}`,
  );
  if (k > 0 || !(s instanceof lrScheduler.ReduceLROnPlateau)) {
    expectClose(s.getLastLr(), f.lrs[k], `${f.name} getLastLr() after step ${k}`);
  }
  if (f.momenta) {
    expectClose(
      groups.map((g) => (g.betas ? g.betas[0] : g.momentum)),
      f.momenta[k],
      `${f.name} momentum after step ${k}`,
    );
  }
}

describe('schedulers against PyTorch (fixtures/optim)', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });
  for (const f of fixtures) {
    it(`${f.name}: lr after construction and every step, state_dict at step ${f.state.afterStep}`, () => {
      const opt = makeOptimizer(f);
      const s = makeScheduler(opt, f.scheduler);
      checkStep(f, opt, s, 0);
      for (let k = 0; k < f.lrs.length - 1; k++) {
        opt.step();
        stepOnce(f, s, k);
        checkStep(f, opt, s, k + 1);
        if (k + 1 === f.state.afterStep) {
          expectClose(s.stateDict(), f.state.stateDict, `${f.name} stateDict`);
        }
      }
    });

    it(`${f.name}: resumes from PyTorch's state dicts after step ${f.state.afterStep}`, () => {
      const opt = makeOptimizer(f);
      const s = makeScheduler(opt, f.scheduler);
      opt.loadStateDict(f.state.optimizerStateDict);
      s.loadStateDict(f.state.stateDict);
      expectClose(s.getLastLr(), f.lrs[f.state.afterStep], `${f.name} getLastLr() after loading`);
      for (let k = f.state.afterStep; k < f.lrs.length - 1; k++) {
        stepOnce(f, s, k);
        checkStep(f, opt, s, k + 1);
      }
      // Its own state dict, through JSON, loads again.
      const json = JSON.parse(
        JSON.stringify(s.stateDict(), (_, v) =>
          v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v,
        ),
      );
      s.loadStateDict(json);
    });
  }
});

describe('options are checked before anything changes', () => {
  const make = () => new SGD([new Parameter(tensor([0], [1], { backend, dtype: 'float64' }))], { lr: 0.1 });
  const cases: [string, (o: SGD) => unknown, string | RegExp][] = [
    [
      'StepLR stepSize 0',
      (o) => new lrScheduler.StepLR(o, { stepSize: 0 }),
      'StepLR: stepSize must be an integer ≥ 1, got 0',
    ],
    [
      'StepLR gamma NaN',
      (o) => new lrScheduler.StepLR(o, { stepSize: 2, gamma: Number.NaN }),
      'StepLR: gamma must be a finite number ≥ 0, got NaN',
    ],
    [
      'MultiStepLR milestone -1',
      (o) => new lrScheduler.MultiStepLR(o, { milestones: [2, -1] }),
      'MultiStepLR: milestones[1] must be an integer ≥ 0, got -1',
    ],
    [
      'ExponentialLR no gamma',
      (o) => new lrScheduler.ExponentialLR(o, {} as never),
      'ExponentialLR: gamma must be a finite number ≥ 0, got undefined',
    ],
    [
      'CosineAnnealingLR tMax 0.5',
      (o) => new lrScheduler.CosineAnnealingLR(o, { tMax: 0.5 }),
      'CosineAnnealingLR: tMax must be an integer ≥ 1, got 0.5',
    ],
    [
      'LinearLR startFactor 0',
      (o) => new lrScheduler.LinearLR(o, { startFactor: 0 }),
      'LinearLR: startFactor must be a number in (0, 1], got 0',
    ],
    [
      'LinearLR endFactor 2',
      (o) => new lrScheduler.LinearLR(o, { endFactor: 2 }),
      'LinearLR: endFactor must be a number in [0, 1], got 2',
    ],
    [
      'LambdaLR two lambdas for one group',
      (o) => new lrScheduler.LambdaLR(o, { lrLambda: [() => 1, () => 1] }),
      /^LambdaLR: lrLambda must be a function or an array of 1 functions \(one per group\)/,
    ],
    [
      'OneCycleLR no total',
      (o) => new lrScheduler.OneCycleLR(o, { maxLr: 1 }),
      'OneCycleLR: totalSteps must be given (or epochs and stepsPerEpoch), got undefined',
    ],
    [
      'OneCycleLR pctStart 2',
      (o) => new lrScheduler.OneCycleLR(o, { maxLr: 1, totalSteps: 10, pctStart: 2 }),
      'OneCycleLR: pctStart must be a number in [0, 1], got 2',
    ],
    [
      'OneCycleLR annealStrategy',
      (o) => new lrScheduler.OneCycleLR(o, { maxLr: 1, totalSteps: 10, annealStrategy: 'exp' as never }),
      'OneCycleLR: annealStrategy must be "cos" or "linear", got "exp"',
    ],
    [
      'OneCycleLR maxLr per group',
      (o) => new lrScheduler.OneCycleLR(o, { maxLr: [1, 2], totalSteps: 10 }),
      'OneCycleLR: maxLr must be a number or an array of 1 (one per parameter group), got [1, 2]',
    ],
    [
      'ReduceLROnPlateau factor 1',
      (o) => new lrScheduler.ReduceLROnPlateau(o, { factor: 1 }),
      'ReduceLROnPlateau: factor must be a number in [0, 1), got 1',
    ],
    [
      'ReduceLROnPlateau mode',
      (o) => new lrScheduler.ReduceLROnPlateau(o, { mode: 'up' as never }),
      'ReduceLROnPlateau: mode must be "min" or "max", got "up"',
    ],
    [
      'ReduceLROnPlateau patience',
      (o) => new lrScheduler.ReduceLROnPlateau(o, { patience: -1 }),
      'ReduceLROnPlateau: patience must be an integer ≥ 0, got -1',
    ],
    [
      'SequentialLR milestones',
      (o) =>
        new lrScheduler.SequentialLR(o, {
          schedulers: [new lrScheduler.ExponentialLR(o, { gamma: 0.5 })],
          milestones: [3],
        }),
      'SequentialLR: milestones must be an array of 0 integers (one fewer than schedulers), got [3]',
    ],
    [
      'not an optimizer',
      () => new lrScheduler.StepLR({} as never, { stepSize: 1 }),
      'StepLR: optimizer must be an Optimizer (SGD, Adam, …), got Object',
    ],
  ];
  for (const [label, construct, message] of cases) {
    it(label, () => {
      const o = make();
      const before = structuredClone(o.paramGroups.map(({ params: _, ...g }) => g));
      const isSequential = label.startsWith('SequentialLR');
      expect(() => construct(o)).toThrow(message);
      if (!isSequential) expect(o.paramGroups.map(({ params: _, ...g }) => g)).toEqual(before);
    });
  }

  it('loadStateDict refuses a bad state dict, changing nothing', () => {
    const o = make();
    const s = new lrScheduler.StepLR(o, { stepSize: 3 });
    s.step();
    const before = s.stateDict();
    expect(() => s.loadStateDict({ ...before, last_epoch: 'x', gamma: undefined, extra: 1 })).toThrow(
      /^StepLR\.loadStateDict: unexpected key "extra"; gamma must be a finite number, got undefined; last_epoch must be an integer ≥ -1, got "x"$/,
    );
    expect(s.stateDict()).toEqual(before);
  });
});
