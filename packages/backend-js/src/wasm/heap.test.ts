import { describe, expect, it } from 'vitest';
import { HeapScope, WasmHeap } from './heap.js';

describe('wasm heap allocator', () => {
  it('hands out aligned, disjoint blocks and never address 0', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1 }));
    const blocks = [1, 3, 64, 65, 1000].map((bytes) => ({ ptr: heap.alloc(bytes), bytes }));
    for (const { ptr } of blocks) {
      expect(ptr).toBeGreaterThan(0);
      expect(ptr % 64).toBe(0);
    }
    const sorted = blocks.slice().sort((a, b) => a.ptr - b.ptr);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i].ptr).toBeGreaterThanOrEqual(sorted[i - 1].ptr + sorted[i - 1].bytes);
    }
    expect(heap.liveBlocks).toBe(5);
  });

  it('reuses freed space and coalesces neighbours', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1 }));
    const a = heap.alloc(1024);
    const b = heap.alloc(1024);
    const c = heap.alloc(1024);
    heap.free(a);
    heap.free(c);
    heap.free(b);
    expect(heap.liveBytes).toBe(0);
    // All three merged back: one 3 KB block fits where a was.
    expect(heap.alloc(3072)).toBe(a);
  });

  it('grows the memory when needed and refreshes its view', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1 }));
    const before = heap.byteLength;
    const small = heap.allocF32(4);
    heap.write(small, Float32Array.from([1, 2, 3, 4]));
    const big = heap.allocF32(100_000);
    expect(heap.byteLength).toBeGreaterThan(before);
    expect(heap.f32.length * 4).toBe(heap.byteLength);
    expect(Array.from(heap.read(small, 4))).toEqual([1, 2, 3, 4]);
    heap.view(big, 100_000).fill(7);
    expect(heap.read(big + 4 * 99_999, 1)[0]).toBe(7);
  });

  it('rejects freeing something that is not a live block', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1 }));
    const a = heap.alloc(64);
    heap.free(a);
    expect(() => heap.free(a)).toThrow(/not a live block/);
    expect(() => heap.free(0)).not.toThrow();
  });

  it('frees a scope’s blocks together, once', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1 }));
    const scope = new HeapScope(heap);
    scope.f32(10);
    scope.f32(0);
    expect(heap.liveBlocks).toBe(2);
    scope.release();
    scope.release();
    expect(heap.liveBlocks).toBe(0);
  });

  it('carves a scope’s blocks of one call from a single allocation, aligned and disjoint', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1 }));
    const scope = new HeapScope(heap);
    const counts = [17, 0, 16, 1, 100];
    const ptrs = scope.f32s(counts);
    expect(heap.liveBlocks).toBe(1);
    for (let i = 0; i < ptrs.length; i++) {
      expect(ptrs[i] % 64).toBe(0);
      // Each block holds its floats (at least one) before the next begins.
      if (i > 0) expect(ptrs[i]).toBeGreaterThanOrEqual(ptrs[i - 1] + 4 * Math.max(counts[i - 1], 1));
    }
    // Writing every block in full leaves the others intact.
    for (const [i, ptr] of ptrs.entries()) heap.view(ptr, Math.max(counts[i], 1)).fill(i + 1);
    for (const [i, ptr] of ptrs.entries()) {
      expect(Array.from(heap.view(ptr, Math.max(counts[i], 1))).every((v) => v === i + 1)).toBe(true);
    }
    scope.release();
    expect(heap.liveBlocks).toBe(0);
  });
});
