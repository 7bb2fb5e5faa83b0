/**
 * Every optimizer: a step that throws changes nothing (weights, gradients, state, stepCount, live
 * tensors), duplicate parameters and invalid options are refused with errors naming them.
 */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import type { AnyBackend, Backend, Optimizer } from '../index.js';
import { Adam, AdamW, backward, Linear, mseLoss, Parameter, SGD, Tensor, tensor } from '../index.js';

const backend = createJsBackend();
const dtype = 'float64';

type AnyOptimizer = Optimizer<Record<string, Tensor | number | undefined>>;

/** The optimizers under test, each with options that give every state key something to hold. */
const makers: Record<string, (params: Parameter[]) => AnyOptimizer> = {
  SGD: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }) as unknown as AnyOptimizer,
  Adam: (p) => new Adam(p, { lr: 0.1, weightDecay: 0.01 }) as unknown as AnyOptimizer,
  'Adam amsgrad': (p) => new Adam(p, { lr: 0.1, amsgrad: true }) as unknown as AnyOptimizer,
  AdamW: (p) => new AdamW(p, { lr: 0.1 }) as unknown as AnyOptimizer,
};

/** Three parameters with gradients, on `on`. */
function makeParams(on: AnyBackend = backend): Parameter[] {
  return [
    new Parameter(tensor([0.5, -1, 2, 0.25], [2, 2], { backend: on, dtype })),
    new Parameter(tensor([1, -2, 3], [3], { backend: on, dtype })),
    new Parameter(tensor([-0.75], [1], { backend: on, dtype })),
  ];
}

function setGrads(params: Parameter[], scaleBy = 1): void {
  params.forEach((p, i) => {
    p.zeroGrad();
    const values = p.value.toList().map((v, k) => scaleBy * (0.3 * v - 0.1 * (i + k) + 0.05));
    p.grad = tensor(values, p.value.shape, { backend: p.value.backend, dtype: p.value.dtype });
  });
}

/** Everything a step may change, by identity and by value. */
function snapshot(optimizer: AnyOptimizer, params: Parameter[]) {
  return {
    stepCount: optimizer.stepCount,
    live: backend.liveTensors(),
    values: params.map((p) => ({ tensor: p.value, data: p.value.toList() })),
    grads: params.map((p) => ({
      tensor: p.grad,
      data: p.grad && !p.grad.isDisposed ? p.grad.toList() : null,
    })),
    state: params.map((_, i) =>
      Object.entries(optimizer.stateOf(i) ?? {}).map(([k, v]) => [
        k,
        v instanceof Tensor ? { tensor: v, data: v.toList() } : v,
      ]),
    ),
  };
}

function release(optimizer: AnyOptimizer, params: Parameter[]): void {
  optimizer.dispose();
  for (const p of params) {
    p.zeroGrad();
    p.value.dispose();
  }
}

/**
 * Takes one good step (so state exists), breaks the step with `breakIt`, checks that `step()` throws
 * `message` and changes nothing, then repairs it and checks the trajectory equals an optimizer that
 * never failed.
 */
function expectFailedStepChangesNothing(
  make: (params: Parameter[]) => AnyOptimizer,
  breakIt: (params: Parameter[], optimizer: AnyOptimizer) => void,
  message: RegExp,
) {
  const params = makeParams();
  const reference = makeParams();
  const optimizer = make(params);
  const referenceOptimizer = make(reference);
  for (const [ps, opt] of [
    [params, optimizer],
    [reference, referenceOptimizer],
  ] as const) {
    setGrads(ps);
    opt.step();
    setGrads(ps, -2);
  }
  breakIt(params, optimizer);
  const before = snapshot(optimizer, params);
  expect(() => optimizer.step()).toThrow(message);
  expect(snapshot(optimizer, params)).toEqual(before);
  // The identities too: toEqual alone would accept equal copies.
  const after = snapshot(optimizer, params);
  after.values.forEach((v, i) => {
    expect(v.tensor).toBe(before.values[i]!.tensor);
  });
  after.grads.forEach((g, i) => {
    expect(g.tensor).toBe(before.grads[i]!.tensor);
  });

  // Repaired, the next step continues exactly where the reference is.
  setGrads(params, -2);
  optimizer.lr = referenceOptimizer.lr;
  optimizer.step();
  referenceOptimizer.step();
  expect(optimizer.stepCount).toBe(2);
  params.forEach((p, i) => {
    expect(p.value.toList()).toEqual(reference[i]!.value.toList());
  });
  release(optimizer, params);
  release(referenceOptimizer, reference);
}

describe('a step that throws changes nothing', () => {
  for (const [name, make] of Object.entries(makers)) {
    describe(name, () => {
      it('a grad on another backend instance', () => {
        const other = createJsBackend();
        expectFailedStepChangesNothing(
          make,
          (params) => {
            params[1]!.zeroGrad();
            params[1]!.grad = tensor([1, 2, 3], [3], { backend: other, dtype });
          },
          /step: params\[1\]\.grad lives on backend "js #\d+" but params\[1\] lives on "js #1"/,
        );
      });

      it('a disposed grad', () => {
        expectFailedStepChangesNothing(
          make,
          (params) => params[2]!.grad!.dispose(),
          /step: params\[2\]\.grad \(Tensor\(float64 \[1\] on js\)\) has been disposed/,
        );
      });

      it('a grad of the wrong shape', () => {
        expectFailedStepChangesNothing(
          make,
          (params) => {
            params[0]!.zeroGrad();
            params[0]!.grad = tensor([1, 2, 3, 4], [4], { backend, dtype });
          },
          /step: params\[0\]\.grad has shape \[4\] but params\[0\] has shape \[2, 2\]/,
        );
      });

      it('a grad of another dtype', () => {
        expectFailedStepChangesNothing(
          make,
          (params) => {
            params[1]!.zeroGrad();
            params[1]!.grad = tensor([1, 2, 3], [3], { backend, dtype: 'float32' });
          },
          /step: params\[1\]\.grad has dtype float32 but params\[1\] is float64/,
        );
      });

      for (const lr of [Number.POSITIVE_INFINITY, Number.NaN, -0.5]) {
        it(`lr set to ${lr} between steps`, () => {
          expectFailedStepChangesNothing(
            make,
            (_, optimizer) => {
              optimizer.lr = lr;
            },
            new RegExp(`^${name.split(' ')[0]}\\.step: lr must be a finite number ≥ 0, got ${lr}$`),
          );
        });
      }

      it('an error half-way through computing: what was computed is released, nothing assigned', () => {
        // A backend whose scale() throws on demand, after the first parameter's update has been built.
        let calls = 0;
        let failAt = Number.POSITIVE_INFINITY;
        const flaky: AnyBackend = {
          ...(backend as AnyBackend),
          scale: (x, factor) => {
            if (++calls === failAt) throw new Error('injected failure');
            return (backend as AnyBackend).scale(x, factor);
          },
        };
        // How many scale() calls one step makes (a probe run), to fail the real run in its middle.
        const probe = makeParams(flaky);
        const probeOptimizer = make(probe);
        setGrads(probe);
        probeOptimizer.step();
        setGrads(probe, -2);
        calls = 0;
        probeOptimizer.step();
        const perStep = calls;
        release(probeOptimizer, probe);

        const params = makeParams(flaky);
        const optimizer = make(params);
        setGrads(params);
        optimizer.step();
        setGrads(params, -2);
        const before = snapshot(optimizer, params);
        calls = 0;
        failAt = Math.ceil(perStep / 2) + 1;
        expect(() => optimizer.step()).toThrow('injected failure');
        expect(snapshot(optimizer, params)).toEqual(before);
        failAt = Number.POSITIVE_INFINITY;
        release(optimizer, params);
      });
    });
  }

  it('a module moved to another backend after the optimizer state was created', () => {
    const other = createJsBackend();
    const head = new Linear({ inFeatures: 2, outFeatures: 1, backend, dtype });
    const optimizer = new Adam(head.parameters(), { lr: 0.01 });
    const train = (on: AnyBackend) => {
      head.zeroGrad();
      backward(
        () =>
          mseLoss(
            head.forward(tensor([1, 2, 3, 4], [2, 2], { backend: on, dtype })),
            tensor([0, 1], [2, 1], { backend: on, dtype }),
          ),
        head.parameters(),
      ).dispose();
    };
    train(backend);
    optimizer.step();
    head.to(other as Backend<unknown>, dtype);
    train(other);
    const values = head.parameters().map((p) => p.value.toList());
    const state = optimizer.stateOf(0)!;
    const liveBefore = [backend.liveTensors(), other.liveTensors()];
    expect(() => optimizer.step()).toThrow(
      /^Adam\.step: the optimizer's parameters moved to another backend or dtype: params\[0\] now lives on "js #\d+" \(float64\), but its optimizer state \(exp_avg, exp_avg_sq\) lives on the old one, "js #1" \(float64\)/,
    );
    expect(head.parameters().map((p) => p.value.toList())).toEqual(values);
    expect(optimizer.stateOf(0)).toBe(state);
    expect(optimizer.stepCount).toBe(1);
    expect([backend.liveTensors(), other.liveTensors()]).toEqual(liveBefore);
    optimizer.dispose();
    head.dispose();
  });
});

describe('parameters', () => {
  for (const [name, make] of Object.entries(makers)) {
    it(`${name} refuses a parameter listed twice, naming both positions`, () => {
      const [a, b, c] = makeParams();
      expect(() => make([a!, b!, a!])).toThrow(
        /params must list each parameter once, got the same parameter as params\[0\] and params\[2\]$/,
      );
      expect(() => make([a!, b!, b!, c!, a!])).toThrow(
        /as params\[1\] and params\[2\], as params\[0\] and params\[4\]$/,
      );
      for (const p of [a!, b!, c!]) p.value.dispose();
    });

    it(`${name} refuses an empty list and things that are not parameters`, () => {
      expect(() => make([])).toThrow(/params must be a non-empty array of parameters/);
      const t = tensor([1], [1], { backend, dtype });
      expect(() => make([t as unknown as Parameter])).toThrow(
        /params\[0\] must be a Parameter \(from module.parameters\(\)\), got Tensor/,
      );
      t.dispose();
    });
  }
});

describe('options are finite numbers in range, checked at construction', () => {
  const p = () => [new Parameter(tensor([1], [1], { backend, dtype }))];
  const bad = [Number.POSITIVE_INFINITY, Number.NaN, -1, '0.1'] as const;
  const shown = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  for (const value of bad) {
    it(`refuses ${shown(value)}`, () => {
      const v = value as never;
      expect(() => new SGD(p(), { lr: v })).toThrow(
        `SGD: lr must be a finite number ≥ 0, got ${shown(value)}`,
      );
      expect(() => new SGD(p(), { lr: 0.1, momentum: v })).toThrow(
        `SGD: momentum must be a finite number ≥ 0, got ${shown(value)}`,
      );
      expect(() => new SGD(p(), { lr: 0.1, dampening: v })).toThrow(`SGD: dampening must be a finite`);
      expect(() => new SGD(p(), { lr: 0.1, weightDecay: v })).toThrow(`SGD: weightDecay must be a finite`);
      for (const [Ctor, label] of [
        [Adam, 'Adam'],
        [AdamW, 'AdamW'],
      ] as const) {
        expect(() => new Ctor(p(), { lr: v })).toThrow(
          `${label}: lr must be a finite number ≥ 0, got ${shown(value)}`,
        );
        expect(() => new Ctor(p(), { eps: v })).toThrow(`${label}: eps must be a finite number ≥ 0`);
        expect(() => new Ctor(p(), { weightDecay: v })).toThrow(`${label}: weightDecay must be a finite`);
        expect(() => new Ctor(p(), { betas: [v, 0.999] })).toThrow(
          `${label}: betas[0] must be a finite number in [0, 1), got ${shown(value)}`,
        );
        expect(() => new Ctor(p(), { betas: [0.9, v] })).toThrow(`${label}: betas[1] must be a finite`);
      }
    });
  }

  it('refuses betas of 1, a missing lr and non-boolean flags', () => {
    expect(() => new Adam(p(), { betas: [0.9, 1] })).toThrow(
      'Adam: betas[1] must be a finite number in [0, 1), got 1',
    );
    expect(() => new SGD(p(), undefined as never)).toThrow(
      'SGD: lr must be a finite number ≥ 0, got undefined',
    );
    expect(() => new Adam(p(), { amsgrad: 1 as never })).toThrow('Adam: amsgrad must be a boolean, got 1');
    expect(() => new SGD(p(), { lr: 0.1, nesterov: true })).toThrow(
      'SGD: nesterov must be used with momentum > 0 and dampening = 0, got momentum 0, dampening 0',
    );
  });

  it('checks options changed after construction before any change', () => {
    const params = p();
    const optimizer = new Adam(params, { lr: 0.1 });
    params[0]!.grad = tensor([1], [1], { backend, dtype });
    (optimizer as unknown as { eps: number }).eps = Number.POSITIVE_INFINITY;
    expect(() => optimizer.step()).toThrow('Adam.step: eps must be a finite number ≥ 0, got Infinity');
    expect(params[0]!.value.toList()).toEqual([1]);
    expect(optimizer.stepCount).toBe(0);
    expect(optimizer.stateOf(0)).toBeUndefined();
    params[0]!.zeroGrad();
    params[0]!.value.dispose();
  });
});
