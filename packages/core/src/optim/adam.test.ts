/**
 * Adam/AdamW keep PyTorch's per-parameter `step`: a parameter whose grad is null is skipped and its
 * count does not advance, so its first update is bias-corrected with its own step 1.
 */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, Parameter, tensor } from '../index.js';

const backend = createJsBackend();
const dtype = 'float64';

function param(values: number[]): Parameter {
  return new Parameter(tensor(values, [values.length], { backend, dtype }));
}

function setGrad(p: Parameter, values: number[]): void {
  p.zeroGrad();
  p.grad = tensor(values, [values.length], { backend, dtype });
}

describe('per-parameter step', () => {
  for (const [label, make] of [
    ['Adam', (ps: Parameter[]) => new Adam(ps, { lr: 0.1 })],
    ['Adam amsgrad', (ps: Parameter[]) => new Adam(ps, { lr: 0.1, amsgrad: true })],
    ['AdamW', (ps: Parameter[]) => new AdamW(ps, { lr: 0.1, weightDecay: 0 })],
  ] as const) {
    it(`${label}: a parameter first updated at step 3 moves by lr, as at its own step 1`, () => {
      const a = param([1, 2]);
      const b = param([0.5, -0.5, 3]);
      const optimizer = make([a, b]);
      // A reference optimizer that only ever sees `a`: `a`'s trajectory must not depend on `b`.
      const alone = param([1, 2]);
      const aloneOptimizer = make([alone]);
      for (const g of [
        [0.3, -0.2],
        [0.1, 0.4],
      ]) {
        setGrad(a, g);
        setGrad(alone, g);
        b.zeroGrad();
        optimizer.step();
        aloneOptimizer.step();
      }
      expect(optimizer.stateOf(1)).toBeUndefined();
      setGrad(a, [-0.2, 0.1]);
      setGrad(alone, [-0.2, 0.1]);
      setGrad(b, [0.5, -2, 1e-3]);
      optimizer.step();
      aloneOptimizer.step();

      // m̂ = g and v̂ = g² at a parameter's first update: the step is lr·g/(|g| + ε) ≈ lr·sign(g).
      // A global step count (3) would give 0.064 instead of 0.1.
      const moved = b.value.toList().map((v, i) => [0.5, -0.5, 3][i]! - v);
      const eps = 1e-8;
      expect(moved[0]).toBeCloseTo((0.1 * 0.5) / (0.5 + eps), 14);
      expect(moved[1]).toBeCloseTo((0.1 * -2) / (2 + eps), 14);
      expect(moved[2]).toBeCloseTo((0.1 * 1e-3) / (1e-3 + eps), 14);
      expect(a.value.toList()).toEqual(alone.value.toList());
      expect(optimizer.stateOf(0)?.step).toBe(3);
      expect(optimizer.stateOf(1)?.step).toBe(1);
      expect(optimizer.stepCount).toBe(3);

      // A step where b has no grad leaves b and its state (the same tensors, the same values) alone.
      const state = optimizer.stateOf(1)!;
      const values = b.value.toList();
      const moments = [state.exp_avg.toList(), state.exp_avg_sq.toList()];
      setGrad(a, [0.2, 0.2]);
      b.zeroGrad();
      optimizer.step();
      expect(optimizer.stateOf(1)).toBe(state);
      expect([state.exp_avg.toList(), state.exp_avg_sq.toList()]).toEqual(moments);
      expect(b.value.toList()).toEqual(values);
      expect(optimizer.stateOf(0)?.step).toBe(4);
      expect(optimizer.stateOf(1)?.step).toBe(1);
      expect(optimizer.stepCount).toBe(4);

      for (const opt of [optimizer, aloneOptimizer]) {
        opt.zeroGrad();
        opt.dispose();
      }
      for (const p of [a, b, alone]) p.value.dispose();
    });
  }

  it('keeps PyTorch state keys: max_exp_avg_sq only with amsgrad', () => {
    for (const amsgrad of [false, true]) {
      const p = param([1]);
      const optimizer = new Adam([p], { amsgrad });
      setGrad(p, [0.5]);
      optimizer.step();
      expect(Object.keys(optimizer.stateOf(0)!)).toEqual(
        amsgrad ? ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['step', 'exp_avg', 'exp_avg_sq'],
      );
      optimizer.zeroGrad();
      optimizer.dispose();
      p.value.dispose();
    }
  });

  it('releases replaced state: live tensors do not grow with the number of steps', () => {
    const p = param([1, 2, 3]);
    const optimizer = new Adam([p], { amsgrad: true, weightDecay: 0.1 });
    const counts: number[] = [];
    for (let k = 0; k < 4; k++) {
      setGrad(p, [0.1 * k, -0.2, 0.3]);
      optimizer.step();
      p.zeroGrad();
      counts.push(backend.liveTensors());
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    optimizer.dispose();
    p.value.dispose();
  });
});
