import { describe, expect, it } from 'vitest';
import { ArrayPool, arrayPool, POOL_MIN_BYTES } from './array-pool.js';
import { createJsBackend } from './index.js';

/** Float32 elements of an array large enough to be pooled. */
const LARGE = 4096;

describe('ArrayPool', () => {
  it('hands a recycled array out again: zero-filled, or as it was when asked for an unfilled one', () => {
    const pool = new ArrayPool();
    const a = pool.take('float32', LARGE);
    a.fill(7);
    pool.retain(a);
    expect(pool.drop(a)).toBe(true);
    pool.recycle(a);
    expect(pool.freeBytes).toBe(a.byteLength);
    const b = pool.take('float32', LARGE);
    expect(b).toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(pool.freeBytes).toBe(0);
    b.fill(3);
    pool.retain(b);
    pool.drop(b);
    pool.recycle(b);
    const c = pool.take('float32', LARGE, false);
    expect(c).toBe(a);
    expect(c[0]).toBe(3);
  });

  it('keeps sizes and dtypes apart', () => {
    const pool = new ArrayPool();
    const a = pool.take('float32', LARGE);
    pool.retain(a);
    pool.drop(a);
    pool.recycle(a);
    expect(pool.take('float32', LARGE + 1) === a).toBe(false);
    expect(pool.take('float64', LARGE)).toBeInstanceOf(Float64Array);
    expect(pool.take('float32', LARGE)).toBe(a);
  });

  it('frees an array only when its last holder drops it', () => {
    const pool = new ArrayPool();
    const a = pool.take('float64', LARGE);
    pool.retain(a);
    pool.retain(a);
    expect(pool.drop(a)).toBe(false);
    expect(pool.drop(a)).toBe(true);
    // Arrays it did not allocate, and small ones, are never its to recycle.
    const foreign = new Float32Array(LARGE);
    pool.retain(foreign);
    expect(pool.drop(foreign)).toBe(false);
    const small = pool.take('float32', Math.floor((POOL_MIN_BYTES - 1) / 4));
    pool.retain(small);
    expect(pool.drop(small)).toBe(false);
  });

  it('keeps no more than its cap', () => {
    const pool = new ArrayPool(4 * LARGE);
    const [a, b] = [pool.take('float32', LARGE), pool.take('float32', LARGE)];
    pool.recycle(a);
    pool.recycle(b);
    expect(pool.freeBytes).toBe(4 * LARGE);
    pool.clear();
    expect(pool.freeBytes).toBe(0);
    expect(pool.take('float32', LARGE) === a).toBe(false);
  });
});

describe('array pool in the js backend', () => {
  it('reuses the array of a disposed result for the next one of its size', () => {
    const b = createJsBackend();
    const x = b.fromData(new Float32Array(LARGE).fill(1), [LARGE], 'float32');
    const y = b.unary('exp', x);
    const before = arrayPool.freeBytes;
    b.dispose(y);
    expect(arrayPool.freeBytes).toBe(before + 4 * LARGE);
    const z = b.unary('neg', x);
    expect(arrayPool.freeBytes).toBe(before);
    expect(b.read(z)[LARGE - 1]).toBe(-1);
  });

  it('keeps an array while a view of it lives', () => {
    const b = createJsBackend();
    const x = b.fromData(new Float32Array(LARGE).fill(2), [LARGE], 'float32');
    const y = b.unary('sqrt', x);
    const view = b.reshape(y, [LARGE / 4, 4]);
    b.dispose(y);
    const other = b.unary('neg', x); // would take y's array if the view did not hold it
    expect(b.read(other)[0]).toBe(-2);
    expect(b.read(view)[0]).toBeCloseTo(Math.SQRT2, 6);
  });

  it('holds arrays released during valueAndGrads until its backward is done', () => {
    // exp's backward reads its saved output array; disposing the output inside f must not let a
    // later allocation of the same size overwrite it before the backward runs.
    const b = createJsBackend();
    const values = Float32Array.from({ length: LARGE }, (_, i) => (i % 7) / 7);
    const x = b.fromData(values, [LARGE], 'float32');
    const c = b.fromData(new Float32Array(LARGE).fill(5), [LARGE], 'float32');
    const { value, grads } = b.valueAndGrads(() => {
      const e = b.unary('exp', x);
      const loss = b.sum(e, [0], false);
      b.dispose(e);
      b.tidy(
        () => b.unary('neg', c),
        () => [],
      );
      return loss;
    }, [x]);
    const dx = b.read(grads[0]!);
    for (let i = 0; i < LARGE; i += 997) expect(dx[i]).toBeCloseTo(Math.exp(values[i]), 5);
    b.dispose(value);
    for (const g of grads) if (g) b.dispose(g);
  });
});
