/** SGD's momentum buffer follows PyTorch when a parameter has no gradient at some steps. */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import { Parameter, SGD, tensor } from '../index.js';

const backend = createJsBackend();
const dtype = 'float64';

describe('SGD with momentum', () => {
  it('skips a parameter whose grad is null: value and momentum buffer untouched', () => {
    const p = new Parameter(tensor([1, -1], [2], { backend, dtype }));
    const optimizer = new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.2 });
    const step = (grad: number[] | null) => {
      p.zeroGrad();
      if (grad) p.grad = tensor(grad, [2], { backend, dtype });
      optimizer.step();
    };
    step(null);
    expect(optimizer.stateOf(0)).toBeUndefined();
    expect(p.value.toList()).toEqual([1, -1]);
    step([0.5, 1]); // buf = g (no dampening at the first buffer, as in PyTorch)
    const buffer = optimizer.stateOf(0)!.momentum_buffer!;
    expect(buffer.toList()).toEqual([0.5, 1]);
    step(null);
    expect(optimizer.stateOf(0)!.momentum_buffer).toBe(buffer);
    expect(buffer.toList()).toEqual([0.5, 1]);
    step([1, 0]); // buf = 0.9·buf + 0.8·g
    expect(optimizer.stateOf(0)!.momentum_buffer!.toList()).toEqual([0.9 * 0.5 + 0.8 * 1, 0.9 * 1 + 0.8 * 0]);
    const expected = [1 - 0.1 * 0.5 - 0.1 * (0.9 * 0.5 + 0.8), -1 - 0.1 * 1 - 0.1 * 0.9];
    p.value.toList().forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 15);
    });
    expect(optimizer.stepCount).toBe(4);
    optimizer.zeroGrad();
    optimizer.dispose();
    p.value.dispose();
  });

  it('keeps no state tensor without momentum', () => {
    const p = new Parameter(tensor([1], [1], { backend, dtype }));
    const optimizer = new SGD([p], { lr: 0.5 });
    p.grad = tensor([2], [1], { backend, dtype });
    optimizer.step();
    expect(p.value.toList()).toEqual([0]);
    expect(optimizer.stateOf(0)).toEqual({});
    optimizer.zeroGrad();
    p.value.dispose();
  });
});
