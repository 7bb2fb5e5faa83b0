/**
 * `tidy` on a backend the frontend first sees inside the tidy. Every test takes a fresh backend instance,
 * so no earlier test has registered it: that is exactly the case where core used to open no scope on it
 * and every intermediate leaked (the existing suites passed only because their backend was registered
 * before their first tidy).
 */
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import {
  backward,
  crossEntropy,
  dispose,
  Generator,
  indices,
  keep,
  Linear,
  LSTM,
  mseLoss,
  ops,
  type Tensor,
  tensor,
  tidy,
} from './index.js';

const on = (backend: ReturnType<typeof createJsBackend>) => ({ backend, dtype: 'float64' as const });

describe('tidy on a backend first used inside it', () => {
  it('releases every intermediate and keeps the result', () => {
    const b = createJsBackend();
    const out = tidy(() => {
      const x = tensor([1, 2, 3], [3], on(b));
      const y = ops.mul(ops.exp(x), x);
      return ops.sum(ops.scale(y, 2), [0]);
    });
    expect(b.liveTensors()).toBe(1);
    expect(out.isDisposed).toBe(false);
    expect(out.item()).toBeCloseTo(2 * (Math.E + 2 * Math.E ** 2 + 3 * Math.E ** 3), 10);
    out.dispose();
    expect(b.liveTensors()).toBe(0);
  });

  it('releases a whole loss computation (the first one used to keep a dozen tensors)', () => {
    const b = createJsBackend();
    const loss = tidy(() =>
      mseLoss(tensor([0.5, -1, 2, 3], [2, 2], on(b)), tensor([0, 1, 2, 2], [2, 2], on(b))),
    );
    expect(b.liveTensors()).toBe(1);
    expect(loss.item()).toBeCloseTo((0.25 + 4 + 0 + 1) / 4, 12);
  });

  it('keeps every tensor of a returned array, object or Map, and nothing else', () => {
    const b = createJsBackend();
    const out = tidy(() => {
      const x = tensor([1, 2], [2], on(b));
      const y = ops.exp(x);
      return { list: [ops.neg(y)], map: new Map([['z', ops.scale(y, 3)]]), x };
    });
    expect(b.liveTensors()).toBe(3);
    expect(out.x.toList()).toEqual([1, 2]);
    expect(out.list[0]!.toList()[0]).toBeCloseTo(-Math.E, 12);
    expect(out.map.get('z')!.toList()[0]).toBeCloseTo(3 * Math.E, 12);
    dispose(out);
    expect(b.liveTensors()).toBe(0);
  });

  it('spares tensors passed to keep, and module parameters created inside', () => {
    const b = createJsBackend();
    let kept: Tensor | undefined;
    const linear = tidy(() => {
      kept = keep(ops.exp(tensor([0], [1], on(b))));
      const layer = new Linear({ inFeatures: 2, outFeatures: 3, generator: new Generator(1), ...on(b) });
      layer.forward(tensor([1, 2], [1, 2], on(b)));
      return layer;
    });
    // The kept tensor plus the weight and bias; the input, the forward pass and exp's input are gone.
    expect(b.liveTensors()).toBe(3);
    expect(kept!.toList()).toEqual([1]);
    expect(linear.parameters().every((p) => !p.value.isDisposed)).toBe(true);
    linear.dispose();
    kept!.dispose();
    expect(b.liveTensors()).toBe(0);
  });

  it('a long loop inside one tidy stays flat and still returns what it made first and last', () => {
    const b = createJsBackend();
    const counts = new Set<number>();
    const [first, last] = tidy(() => {
      const x = tensor([1], [1], on(b));
      let acc = ops.scale(x, 1);
      // Thousands of tensors, most released early: enough to make the frame sweep released handles.
      for (let i = 0; i < 1500; i++) {
        const next = tidy(() => ops.add(ops.scale(acc, 1), x));
        acc.dispose();
        acc = next;
        counts.add(b.liveTensors());
      }
      return [x, acc];
    });
    expect(counts).toEqual(new Set([2]));
    expect(b.liveTensors()).toBe(2);
    expect(first!.toList()).toEqual([1]);
    expect(last!.toList()).toEqual([1501]);
  });

  it('releases everything when the callback throws', () => {
    const b = createJsBackend();
    expect(() =>
      tidy(() => {
        const x = tensor([1, 2, 3], [3], on(b));
        ops.exp(ops.neg(x));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(b.liveTensors()).toBe(0);
  });

  it('training with backward inside a tidy leaves only the parameters and their gradients', () => {
    const b = createJsBackend();
    const generator = new Generator(3);
    const rnn = tidy(() => {
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, generator, ...on(b) });
      const x = tensor(new Array(12).fill(0.1), [2, 2, 3], on(b));
      const loss = backward(() => {
        const [out] = lstm.forward(x);
        return crossEntropy(ops.index0(out, 1), indices([0, 3]));
      }, lstm.parameters());
      expect(Number.isFinite(loss.item())).toBe(true);
      return lstm;
    });
    const params = rnn.parameters();
    expect(b.liveTensors()).toBe(2 * params.length);
    rnn.zeroGrad();
    rnn.dispose();
    expect(b.liveTensors()).toBe(0);
  });
});

describe('nested tidies and a backend that appears in the inner one', () => {
  it('the inner tidy releases its intermediates, the outer one what the inner returned', () => {
    const b = createJsBackend();
    let afterInner = -1;
    const out = tidy(() => {
      const inner = tidy(() => {
        const x = tensor([1, 2, 3], [3], on(b));
        return ops.exp(ops.neg(x));
      });
      afterInner = b.liveTensors();
      return ops.sum(inner, [0]);
    });
    expect(afterInner).toBe(1);
    expect(b.liveTensors()).toBe(1);
    expect(out.item()).toBeCloseTo(Math.exp(-1) + Math.exp(-2) + Math.exp(-3), 12);
  });

  it('a tensor the inner tidy returns survives the outer one when returned again', () => {
    const b = createJsBackend();
    const out = tidy(() => tidy(() => ops.neg(tensor([4], [1], on(b)))));
    expect(b.liveTensors()).toBe(1);
    expect(out.toList()).toEqual([-4]);
  });

  it('a backend first seen in the outer tidy is released across an inner tidy that knows it', () => {
    const b = createJsBackend();
    const out = tidy(() => {
      const x = tensor([1, 2], [2], on(b));
      // By now `b` is registered, so this tidy opens a scope on it; its result escapes into an outer
      // tidy that has none, so the outer tidy must still release it.
      const y = tidy(() => ops.scale(ops.exp(x), 2));
      const z = tidy(() => ops.neg(y));
      return ops.add(z, x);
    });
    expect(b.liveTensors()).toBe(1);
    expect(out.toList()[0]).toBeCloseTo(1 - 2 * Math.E, 12);
  });

  it('an inner throw releases the inner tensors; the outer tidy releases the rest', () => {
    const b = createJsBackend();
    const out = tidy(() => {
      const x = tensor([1], [1], on(b));
      expect(() =>
        tidy(() => {
          ops.exp(x);
          throw new Error('inner');
        }),
      ).toThrow('inner');
      expect(b.liveTensors()).toBe(1);
      return ops.neg(x);
    });
    expect(b.liveTensors()).toBe(1);
    expect(out.toList()).toEqual([-1]);
  });

  it('a known backend and a fresh one in the same tidy are both released', () => {
    const known = createJsBackend();
    tensor([0], [1], on(known)).dispose(); // registers it before the tidy
    const fresh = createJsBackend();
    const [a, c] = tidy(() => {
      const p = ops.exp(tensor([1], [1], on(known)));
      const q = ops.exp(tensor([2], [1], on(fresh)));
      return [ops.neg(p), ops.neg(q)];
    });
    expect(known.liveTensors()).toBe(1);
    expect(fresh.liveTensors()).toBe(1);
    expect(a!.toList()[0]).toBeCloseTo(-Math.E, 12);
    expect(c!.toList()[0]).toBeCloseTo(-(Math.E ** 2), 12);
  });
});
