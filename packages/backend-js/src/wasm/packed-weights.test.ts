import { describe, expect, it } from 'vitest';
import { Engine } from '../engine.js';
import { detectFlavour, RELAXED_FLAVOUR } from './module.js';
import { CAPACITY } from './packed-weights.js';
import { WasmRuntime } from './runtime.js';

describe('packed weights cached per tensor', () => {
  detectFlavour();
  const engine = () => {
    const runtime = new WasmRuntime(RELAXED_FLAVOUR, 1);
    return new Engine({ kernel: 'simd', detail: runtime.describe(), runtime });
  };

  it('packs a weight once per layout, and frees it when the tensor is disposed', () => {
    const e = engine();
    const heap = e.wasm!.heap;
    const cache = e.wasm!.weights;
    const before = heap.liveBytes;
    const w = e.tensor(
      Float32Array.from({ length: 12 }, (_, i) => i),
      [3, 4],
    );
    const a = cache.get(w, true, 4, 3);
    expect(cache.get(w, true, 4, 3)).toBe(a);
    const b = cache.get(w, false, 3, 4);
    expect(b).not.toBe(a);
    expect(cache.size).toBe(2);
    e.memory.dispose(w);
    expect(cache.size).toBe(0);
    expect(heap.liveBytes).toBe(before);
  });

  it('a different tensor with the same values is packed anew (tensors, not values, are the key)', () => {
    const e = engine();
    const cache = e.wasm!.weights;
    const w1 = e.tensor(new Float32Array(8).fill(1), [2, 4]);
    const w2 = e.tensor(new Float32Array(8).fill(2), [2, 4]);
    expect(cache.get(w1, true, 4, 2)).not.toBe(cache.get(w2, true, 4, 2));
  });

  it(`keeps at most ${CAPACITY} packings, dropping the least recently used`, () => {
    const e = engine();
    const heap = e.wasm!.heap;
    const cache = e.wasm!.weights;
    const before = heap.liveBytes;
    const ws = Array.from({ length: CAPACITY + 5 }, () => e.tensor(new Float32Array(64), [8, 8]));
    const first = cache.get(ws[0]!, true, 8, 8);
    for (const w of ws.slice(1)) {
      cache.get(w, true, 8, 8);
      cache.get(ws[0]!, true, 8, 8); // keeps the first one recent
    }
    expect(cache.size).toBe(CAPACITY);
    expect(cache.get(ws[0]!, true, 8, 8)).toBe(first);
    cache.clear();
    expect(heap.liveBytes).toBe(before);
  });

  it('evicts the tensor used longest ago, whatever the order they were packed in', () => {
    const e = engine();
    const cache = e.wasm!.weights;
    const ws = Array.from({ length: CAPACITY + 1 }, () => e.tensor(new Float32Array(64), [8, 8]));
    const packed = ws.slice(0, CAPACITY).map((w) => cache.get(w, true, 8, 8));
    // Use them again in reverse: the last packed is now the one used longest ago.
    for (const w of ws.slice(0, CAPACITY).reverse()) cache.get(w, true, 8, 8);
    cache.get(ws[CAPACITY]!, true, 8, 8);
    expect(cache.size).toBe(CAPACITY);
    expect(cache.get(ws[0]!, true, 8, 8)).toBe(packed[0]);
    expect(cache.get(ws[CAPACITY - 2]!, true, 8, 8)).toBe(packed[CAPACITY - 2]);
    // The evicted one is packed anew on its next use.
    expect(cache.get(ws[CAPACITY - 1]!, true, 8, 8)).not.toBe(packed[CAPACITY - 1]);
    cache.clear();
  });

  it('another shape for the same tensor and orientation replaces its packing, leaking nothing', () => {
    const e = engine();
    const heap = e.wasm!.heap;
    const cache = e.wasm!.weights;
    const before = heap.liveBytes;
    const w = e.tensor(new Float32Array(12), [3, 4]);
    cache.get(w, true, 4, 3);
    const other = cache.get(w, true, 2, 6);
    expect([other.k, other.n]).toEqual([2, 6]);
    expect(cache.size).toBe(1);
    e.memory.dispose(w);
    expect(heap.liveBytes).toBe(before);
  });
});
