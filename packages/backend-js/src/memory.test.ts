import { describe, expect, it } from 'vitest';
import { createJsBackend } from './index.js';

describe('memory: tidy, keep, dispose, liveTensors', () => {
  it('counts each tensor once and releases a tidy scope', () => {
    const b = createJsBackend();
    const x = b.fromData([1, 2, 3], [3], 'float64');
    expect(b.liveTensors()).toBe(1);
    const y = b.tidy(
      () => {
        const t = b.unary('exp', x);
        const u = b.reshape(t, [3, 1]); // a view is still its own counted tensor
        expect(b.liveTensors()).toBe(3);
        return b.scale(u, 2);
      },
      (r) => [r],
    );
    expect(b.liveTensors()).toBe(2);
    expect(b.read(y)[0]).toBeCloseTo(2 * Math.E, 12);
  });

  it('moves tensors returned through kept to the enclosing scope', () => {
    const b = createJsBackend();
    const outer = b.tidy(
      () => {
        const inner = b.tidy(
          () => b.fromData([1], [1], 'float64'),
          (r) => [r],
        );
        expect(b.liveTensors()).toBe(1);
        return b.scale(inner, 2);
      },
      () => [],
    );
    expect(outer.disposed).toBe(true);
    expect(b.liveTensors()).toBe(0);
  });

  it('keep survives every enclosing scope until disposed', () => {
    const b = createJsBackend();
    let kept = b.fromData([0], [1], 'float64');
    b.tidy(
      () => {
        b.tidy(
          () => {
            kept = b.keep(b.fromData([1], [1], 'float64'));
          },
          () => [],
        );
      },
      () => [],
    );
    expect(b.read(kept)).toEqual(new Float64Array([1]));
    expect(b.liveTensors()).toBe(2);
    b.dispose(kept);
    expect(b.liveTensors()).toBe(1);
  });

  it('releases a scope whose callback throws', () => {
    const b = createJsBackend();
    expect(() =>
      b.tidy(
        () => {
          b.fromData([1], [1], 'float64');
          throw new Error('boom');
        },
        () => [],
      ),
    ).toThrow('boom');
    expect(b.liveTensors()).toBe(0);
  });

  it('valueAndGrads releases its intermediates; 100 calls inside tidy keep the count flat', () => {
    const b = createJsBackend();
    const w = b.fromData([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3], 'float32');
    const x = b.fromData([1, -1, 2, 0.5, 0, 1], [3, 2], 'float32');
    const h0 = b.fromData([0, 0, 0, 0, 0, 0], [3, 2], 'float32');
    const before = b.liveTensors();
    const counts: number[] = [];
    for (let i = 0; i < 100; i++) {
      b.tidy(
        () => {
          const { value, grads } = b.valueAndGrads(() => {
            const y = b.unary('tanh', b.matMul(x, w, false, false));
            const seq = b.fused!.sequence({
              cell: 'gru',
              input: b.reshape(x, [1, 3, 2]),
              h0,
              weightIh: b.reshape(b.concat([w, w], 0), [6, 2]),
              weightHh: b.fromData(new Array(12).fill(0.1), [6, 2], 'float32'),
              reverse: false,
            });
            return b.binary('add', b.sum(y, [0, 1], false), b.sum(seq.hn, [0, 1], false));
          }, [w, x]);
          expect(value.disposed || grads.some((g) => g.disposed)).toBe(false);
        },
        () => [],
      );
      counts.push(b.liveTensors());
    }
    expect(new Set(counts)).toEqual(new Set([before]));
  });
});
