import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { createJsBackend } from './index.js';
import { binary } from './ops/binary.js';
import { unary } from './ops/unary.js';
import { expectClose } from './testing/gradcheck.js';

describe('valueAndGrads', () => {
  it('returns the value and exact gradients of a small expression', () => {
    const b = createJsBackend();
    const x = b.fromData([1, 2, 3], [3], 'float64');
    const w = b.fromData([0.5, -1, 2], [3], 'float64');
    // f = Σ x·w + Σ x² → df/dx = w + 2x, df/dw = x
    const { value, grads } = b.valueAndGrads(
      () => b.sum(b.binary('add', b.binary('mul', x, w), b.binary('mul', x, x)), [0], false),
      [x, w],
    );
    expect(Array.from(b.read(value))).toEqual([0.5 - 2 + 6 + 14]);
    expectClose(b.read(grads[0]), [2.5, 3, 8], 0);
    expectClose(b.read(grads[1]), [1, 2, 3], 0);
  });

  it('gives zeros (shaped and typed like the input) for inputs the value does not depend on', () => {
    const b = createJsBackend();
    const x = b.fromData([1, 2], [2], 'float32');
    const unused = b.fromData([1, 2, 3, 4, 5, 6], [2, 3], 'float32');
    const { grads } = b.valueAndGrads(() => b.sum(x, [0], false), [x, unused]);
    expect(grads[1].shape).toEqual([2, 3]);
    expect(b.read(grads[1])).toEqual(new Float32Array(6));
  });

  it('returns distinct tensors when one input is listed twice or two inputs share a gradient', () => {
    const b = createJsBackend();
    const x = b.fromData([2], [], 'float64');
    const y = b.fromData([3], [], 'float64');
    const { value, grads } = b.valueAndGrads(() => b.binary('add', x, y), [x, y, x]);
    expect(new Set([value, ...grads]).size).toBe(4);
    b.dispose(grads[0]);
    expect(Array.from(b.read(grads[1]))).toEqual([1]);
    expect(Array.from(b.read(grads[2]))).toEqual([1]);
  });

  it('differentiates f = x itself', () => {
    const b = createJsBackend();
    const x = b.fromData([4], [], 'float64');
    const { value, grads } = b.valueAndGrads(() => x, [x]);
    expect(value).toBe(x);
    expect(Array.from(b.read(grads[0]))).toEqual([1]);
  });

  it('rejects a non-scalar result, naming its shape', () => {
    const b = createJsBackend();
    const x = b.fromData([1, 2], [2], 'float64');
    expect(() => b.valueAndGrads(() => b.unary('exp', x), [x])).toThrow(/scalar.*shape \[2\]/);
    expect(b.liveTensors()).toBe(1);
  });

  it('rejects nested calls with a clear error', () => {
    const b = createJsBackend();
    const x = b.fromData([1], [], 'float64');
    expect(() => b.valueAndGrads(() => b.valueAndGrads(() => x, [x]).value, [x])).toThrow(/nested/);
    // The backend is usable afterwards.
    expect(b.read(b.valueAndGrads(() => b.scale(x, 3), [x]).grads[0])[0]).toBe(3);
  });

  it('names the op and the input when a backward returns a gradient of the wrong shape', () => {
    const e = new Engine();
    const x = e.tensor(new Float64Array([1, 2]), [2]);
    expect(() =>
      e.tape.valueAndGrads(() => {
        const y = e.tensor(new Float64Array([3]), []);
        e.tape.record('brokenOp', [x], [y], () => [e.tensor(new Float64Array(3), [3])]);
        return y;
      }, [x]),
    ).toThrow(/'brokenOp'.*\[3\].*input 0.*\[2\]/);
  });

  it('records nothing outside valueAndGrads and no node for untracked inputs', () => {
    const e = new Engine();
    const x = e.tensor(new Float64Array([1, 2]), [2]);
    const c = e.tensor(new Float64Array([3, 4]), [2]);
    unary(e, 'exp', x);
    expect(e.tape.nodeCount).toBe(0);
    const counts: number[] = [];
    e.tape.valueAndGrads(() => {
      const constant = unary(e, 'exp', c); // depends on no tracked input: not recorded
      counts.push(e.tape.nodeCount);
      const y = binary(e, 'mul', x, constant);
      counts.push(e.tape.nodeCount);
      return e.tensor(new Float64Array([y.data[0]]), []);
    }, [x]);
    expect(counts).toEqual([0, 1]);
  });

  it('throws a clear error for a disposed tensor, as input or as an op argument', () => {
    const b = createJsBackend();
    const x = b.fromData([1, 2], [2], 'float64');
    b.dispose(x);
    b.dispose(x); // twice is harmless
    expect(() => b.read(x)).toThrow(/JsTensor #\d+ \[2\] float64 was used after it was disposed/);
    expect(() => b.unary('exp', x)).toThrow(/disposed/);
    expect(() => b.valueAndGrads(() => b.sum(x, [0], false), [x])).toThrow(/disposed/);
    expect(b.liveTensors()).toBe(0);
  });
});
