/** clipGradNorm and clipGradValue against PyTorch (fixtures/optim/clip.json), and their checks. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue, Parameter, tensor } from '../index.js';

const backend = createJsBackend();
const dtype = 'float64';
interface TensorJSON {
  shape: number[];
  data: number[];
}
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../fixtures/optim/clip.json', import.meta.url)), 'utf8'),
) as {
  cases: {
    op: 'norm' | 'value';
    options: { maxNorm?: number; normType?: number | 'inf'; clipValue?: number };
    grads: (TensorJSON | null)[];
    expected: (TensorJSON | null)[];
    totalNorm: number | null;
  }[];
};

function withGrads(grads: (TensorJSON | null)[]): Parameter[] {
  return grads.map((g, i) => {
    const p = new Parameter(
      tensor(new Float64Array(g?.data.length ?? i + 1), g?.shape ?? [i + 1], { backend, dtype }),
    );
    if (g) p.grad = tensor(g.data, g.shape, { backend, dtype });
    return p;
  });
}

function release(params: Parameter[]): void {
  for (const p of params) {
    p.zeroGrad();
    p.value.dispose();
  }
}

describe('against PyTorch', () => {
  fixture.cases.forEach((c, k) => {
    it(`${k}: clip_grad_${c.op}_ ${JSON.stringify(c.options)}`, () => {
      const params = withGrads(c.grads);
      if (c.op === 'norm') {
        const total = clipGradNorm(params, c.options.maxNorm!, { normType: c.options.normType ?? 2 });
        expect(total).toBeCloseTo(c.totalNorm!, 12);
      } else {
        clipGradValue(params, c.options.clipValue!);
      }
      params.forEach((p, i) => {
        const e = c.expected[i];
        if (e === null || e === undefined) expect(p.grad).toBeNull();
        else {
          p.grad!.toList().forEach((v, j) => {
            expect(v).toBeCloseTo(e.data[j]!, 12);
          });
        }
      });
      release(params);
    });
  });
});

describe('options and checks', () => {
  it('keeps the positional normType of before', () => {
    const params = withGrads([{ shape: [2], data: [3, -4] }]);
    expect(clipGradNorm(params, 10, 1)).toBe(7);
    expect(clipGradNorm(params, 10, 'inf')).toBe(4);
    release(params);
  });

  it('errorIfNonfinite throws before any change; without it the gradients are scaled as PyTorch', () => {
    const params = withGrads([
      { shape: [2], data: [Number.POSITIVE_INFINITY, 1] },
      { shape: [1], data: [2] },
    ]);
    expect(() => clipGradNorm(params, 1, { errorIfNonfinite: true })).toThrow(
      /^clipGradNorm: the total norm of order 2 for gradients from parameters is non-finite \(Infinity\)/,
    );
    expect(params[1]!.grad!.toList()).toEqual([2]);
    expect(clipGradNorm(params, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(params[1]!.grad!.toList()).toEqual([0]);
    release(params);
  });

  it('refuses bad arguments, naming them', () => {
    const params = withGrads([{ shape: [1], data: [1] }]);
    expect(() => clipGradValue(params, -1)).toThrow('clipGradValue: clipValue must be a number ≥ 0, got -1');
    expect(() => clipGradValue(params, Number.NaN)).toThrow(
      'clipGradValue: clipValue must be a number ≥ 0, got NaN',
    );
    expect(() => clipGradValue({} as never, 1)).toThrow(
      'clipGradValue: parameters must be an array of parameters (module.parameters()), got Object',
    );
    expect(() => clipGradNorm(params, 1, { errorIfNonfinite: 1 as never })).toThrow(
      'clipGradNorm: errorIfNonfinite must be a boolean, got 1',
    );
    expect(() => clipGradNorm(params, 1, { normType: 0.5 })).toThrow(
      'clipGradNorm: normType must be a number ≥ 1 or Infinity, got 0.5',
    );
    const disposed = withGrads([
      { shape: [1], data: [5] },
      { shape: [1], data: [5] },
    ]);
    disposed[1]!.grad!.dispose();
    expect(() => clipGradValue(disposed, 1)).toThrow(/clipGradValue: parameters\[1\]\.grad/);
    expect(disposed[0]!.grad!.toList()).toEqual([5]);
    disposed[1]!.grad = null;
    release(disposed);
    release(params);
  });

  it('accepts a single parameter, as PyTorch accepts one tensor', () => {
    const [p] = withGrads([{ shape: [3], data: [-2, 0.5, 2] }]);
    clipGradValue(p!, 1);
    expect(p!.grad!.toList()).toEqual([-1, 0.5, 1]);
    release([p!]);
  });
});
