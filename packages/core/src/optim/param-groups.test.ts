/**
 * Parameter groups (PyTorch's param_groups, add_param_group) and loadStateDict's checks: everything
 * is validated before anything changes.
 */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import type { OptimizerStateDict } from '../index.js';
import { Adagrad, Adam, optimizerStateDictToJSON, Parameter, RMSprop, SGD, tensor } from '../index.js';

const backend = createJsBackend();
const dtype = 'float64';

function param(values: number[]): Parameter {
  return new Parameter(tensor(values, [values.length], { backend, dtype }));
}

function grad(p: Parameter, values: number[]): void {
  p.zeroGrad();
  p.grad = tensor(values, [values.length], { backend, dtype });
}

describe('parameter groups', () => {
  it('fills every option from the defaults, and group.lr = x changes that group only', () => {
    const a = param([1, 2]);
    const b = param([3]);
    const opt = new SGD(
      [
        { params: [a], lr: 0.5 },
        { params: [b], momentum: 0.9 },
      ],
      { lr: 0.1 },
    );
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.dampening, g.weightDecay, g.nesterov])).toEqual([
      [0.5, 0, 0, 0, false],
      [0.1, 0.9, 0, 0, false],
    ]);
    expect(opt.params).toEqual([a, b]);
    expect(opt.lr).toBe(0.5);
    opt.paramGroups[1]!.lr = 1;
    grad(a, [1, 1]);
    grad(b, [2]);
    opt.step();
    expect(a.value.toList()).toEqual([0.5, 1.5]);
    expect(b.value.toList()).toEqual([1]);
    // optimizer.lr is group 0's, kept for code written before groups.
    opt.lr = 0.25;
    expect(opt.paramGroups[0]!.lr).toBe(0.25);
    expect(opt.paramGroups[1]!.lr).toBe(1);
  });

  it('addParamGroup: defaults fill the group, its parameters are stepped from then on', () => {
    const a = param([1]);
    const b = param([2]);
    const opt = new Adam([a], { lr: 0.1, weightDecay: 0.01 });
    opt.addParamGroup({ params: [b], lr: 0.2 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.2, weightDecay: 0.01, eps: 1e-8, amsgrad: false });
    expect(opt.params).toEqual([a, b]);
    grad(b, [1]);
    opt.step();
    expect(opt.stateOf(1)?.step).toBe(1);
    expect(opt.stateOf(0)).toBeUndefined();
  });

  it("refuses a parameter in two groups (PyTorch's error), before any change", () => {
    const a = param([1]);
    const b = param([2]);
    expect(() => new SGD([{ params: [a] }, { params: [b, a] }], { lr: 0.1 })).toThrow(
      'SGD: some parameters appear in more than one parameter group: paramGroups[1].params[1] is paramGroups[0].params[0]',
    );
    const opt = new SGD([{ params: [a] }], { lr: 0.1 });
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(
      /^SGD\.addParamGroup: some parameters appear in more than one parameter group: paramGroups\[1\]\.params\[0\] is paramGroups\[0\]\.params\[0\]$/,
    );
    expect(opt.paramGroups.length).toBe(1);
    expect(opt.params).toEqual([a]);
  });

  it('names the group and option of a bad value: at construction, addParamGroup and step', () => {
    const a = param([1]);
    const b = param([2]);
    expect(() => new RMSprop([{ params: [a] }, { params: [b], alpha: -1 }])).toThrow(
      'RMSprop: paramGroups[1].alpha must be a finite number ≥ 0, got -1',
    );
    expect(() => new SGD([{ params: [a] }, { params: [b], lr: 0.1 }])).toThrow(
      /^SGD: paramGroups\[0\]\.lr must be a finite number ≥ 0, got undefined \(SGD has no default lr/,
    );
    expect(() => new Adagrad([{ params: [a], lrDecy: 1 } as never])).toThrow(
      'Adagrad: paramGroups[0].lrDecy is not an option of Adagrad (its options: lr, lrDecay, weightDecay, initialAccumulatorValue, eps)',
    );
    const opt = new Adam([{ params: [a] }, { params: [b] }]);
    expect(() => opt.addParamGroup({ params: [param([0])], betas: [0.9, 1] })).toThrow(
      'Adam.addParamGroup: paramGroups[2].betas[1] must be a finite number in [0, 1), got 1',
    );
    opt.paramGroups[1]!.eps = -1;
    grad(a, [1]);
    expect(() => opt.step()).toThrow('Adam.step: paramGroups[1].eps must be a finite number ≥ 0, got -1');
    expect(a.value.toList()).toEqual([1]);
    expect(opt.stateOf(0)).toBeUndefined();
  });

  it('Adagrad creates its state with the optimizer, as PyTorch', () => {
    const a = param([1, 2]);
    const opt = new Adagrad([a], { initialAccumulatorValue: 0.5 });
    expect(opt.stateOf(0)?.step).toBe(0);
    expect(opt.stateOf(0)?.sum.toList()).toEqual([0.5, 0.5]);
    const sd = optimizerStateDictToJSON(opt.stateDict());
    expect(sd.state['0']).toEqual({ step: 0, sum: { shape: [2], data: [0.5, 0.5] } });
    opt.dispose();
  });
});

describe('loadStateDict checks everything before changing anything', () => {
  function trained() {
    const a = param([1, 2]);
    const b = param([3]);
    const opt = new Adam([{ params: [a] }, { params: [b], lr: 0.01, amsgrad: true }], { lr: 0.1 });
    grad(a, [0.5, -1]);
    grad(b, [2]);
    opt.step();
    return { a, b, opt, sd: optimizerStateDictToJSON(opt.stateDict()) };
  }
  const edit = (sd: OptimizerStateDict, fn: (sd: OptimizerStateDict) => void) => {
    const copy = structuredClone(sd);
    fn(copy);
    return copy;
  };

  const bad: [string, (sd: OptimizerStateDict) => void, RegExp][] = [
    [
      'a group too many',
      (sd) => sd.param_groups.push({ ...sd.param_groups[0]!, params: [7] }),
      /different number of parameter groups: expected 2, got 3/,
    ],
    [
      'a group of the wrong size',
      (sd) => sd.param_groups[1]!.params.push(5),
      /param_groups\[1\] has 2 parameters but the optimizer's group 1 has 1/,
    ],
    [
      'a bad option',
      (sd) => (sd.param_groups[0]!.lr = -1),
      /param_groups\[0\]\.lr must be a finite number ≥ 0, got -1/,
    ],
    ['a missing option', (sd) => delete sd.param_groups[0]!.eps, /param_groups\[0\] is missing "eps"/],
    [
      'an unknown group key',
      (sd) => (sd.param_groups[0]!.nesterov = true),
      /param_groups\[0\] has an unexpected key "nesterov"/,
    ],
    [
      'maximize',
      (sd) => (sd.param_groups[0]!.maximize = true),
      /param_groups\[0\]\.maximize must be false \(maximize is not supported\)/,
    ],
    [
      'a misshapen state tensor',
      (sd) => (sd.state['0']!.exp_avg = { shape: [3], data: [1, 2, 3] }),
      /state\[0\]\.exp_avg: expected shape \[2\], got \[3\]/,
    ],
    [
      'a missing state tensor',
      (sd) => delete sd.state['1']!.max_exp_avg_sq,
      /state\[1\] is missing "max_exp_avg_sq"/,
    ],
    [
      'an unknown state key',
      (sd) => (sd.state['0']!.momentum_buffer = null),
      /state\[0\] has an unexpected key "momentum_buffer"/,
    ],
    ['a fractional step', (sd) => (sd.state['0']!.step = 1.5), /state\[0\]\.step must be a whole number ≥ 0/],
    [
      'a state index no group lists',
      (sd) => (sd.state['9'] = sd.state['0']!),
      /state\[9\]: no parameter group lists index "9"/,
    ],
  ];
  for (const [label, breakIt, message] of bad) {
    it(`refuses ${label}`, () => {
      const { a, b, opt, sd } = trained();
      const before = JSON.stringify(optimizerStateDictToJSON(opt.stateDict()));
      const groupsBefore = structuredClone(opt.paramGroups.map(({ params: _, ...o }) => o));
      const live = backend.liveTensors();
      expect(() => opt.loadStateDict(edit(sd, breakIt))).toThrow(message);
      expect(() => opt.loadStateDict(edit(sd, breakIt))).toThrow(/^Adam\.loadStateDict: /);
      expect(JSON.stringify(optimizerStateDictToJSON(opt.stateDict()))).toBe(before);
      expect(opt.paramGroups.map(({ params: _, ...o }) => o)).toEqual(groupsBefore);
      expect(backend.liveTensors()).toBe(live);
      opt.dispose();
      a.value.dispose();
      b.value.dispose();
    });
  }

  it('accepts step as a one-element tensor and tensors on any backend, copying them', () => {
    const { a, b, opt, sd } = trained();
    const other = createJsBackend();
    const t = tensor([9, 8], [2], { backend: other, dtype: 'float32' });
    const loaded = edit(sd, (s) => {
      s.state['0']!.step = { shape: [], data: [4] };
    });
    loaded.state['0']!.exp_avg = t;
    opt.loadStateDict(loaded);
    expect(opt.stateOf(0)?.step).toBe(4);
    expect(opt.stateOf(0)?.exp_avg.toList()).toEqual([9, 8]);
    expect(opt.stateOf(0)?.exp_avg.backend).toBe(backend);
    expect(t.isDisposed).toBe(false);
    t.dispose();
    opt.dispose();
    a.value.dispose();
    b.value.dispose();
  });
});

describe('Adagrad initial accumulator with groups', () => {
  it("fills every constructor-time sum with the constructor's value, as torch.optim.Adagrad does", () => {
    // torch 1.13: Adagrad([{'params': [p], 'initial_accumulator_value': 0.5}], lr=0.1,
    // initial_accumulator_value=0.1) gives state['sum'] = [0.1, 0.1] and, after a step with grad 1,
    // p = -0.1 / (sqrt(1.1) + 1e-10) = [-0.0953, -0.0953].
    const p = param([0, 0]);
    const opt = new Adagrad([{ params: [p], initialAccumulatorValue: 0.5 }], {
      lr: 0.1,
      initialAccumulatorValue: 0.1,
    });
    expect(opt.stateOf(0)?.sum.toList()).toEqual([0.1, 0.1]);
    grad(p, [1, 1]);
    opt.step();
    for (const v of p.value.toList() as number[]) expect(v).toBeCloseTo(-0.1 / (Math.sqrt(1.1) + 1e-10), 14);
  });
});
