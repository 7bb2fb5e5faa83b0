/**
 * The wasm kernels' memory: one `WebAssembly.Memory` per backend, grown on demand, carved up by a
 * small first-fit allocator kept on the JavaScript side.
 *
 * Why an allocator: a fused sequence keeps its caches (gate values, states) resident in wasm memory
 * from its forward pass to its backward pass, and several sequences (layers, directions) are alive at
 * once. Blocks are freed when their owner is done, neighbours coalesce, and the memory only grows to
 * the high-water mark of one training step: a long training loop reuses the same bytes (tests check
 * that 200 steps keep the memory flat). WebAssembly memory cannot shrink; it is released with the
 * backend.
 */

import { arrayPool, POOL_MIN_BYTES } from '../array-pool.js';

/** 64 KiB, the unit of `WebAssembly.Memory` sizes. */
const PAGE = 65536;
/** Block alignment: a cache line, so no two blocks share one and vectors never straddle a line needlessly. */
const ALIGN = 64;
/** Addresses below this are never handed out, so 0 can mean "no buffer". */
const RESERVED = 64;

/** Bytes a block of `bytes` takes: whole cache lines, at least one. */
function blockSize(bytes: number): number {
  return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
}

/** A free range `[start, start + size)`. */
interface FreeRange {
  start: number;
  size: number;
}

/** Memory plus allocator; views are refreshed whenever the memory grows. */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Free ranges sorted by address, coalesced. */
  readonly #free: FreeRange[] = [];
  /** Size of every live block, by address. */
  readonly #live = new Map<number, number>();
  #f32: Float32Array;
  #buffer: ArrayBufferLike;

  constructor(memory: WebAssembly.Memory) {
    this.memory = memory;
    this.#buffer = memory.buffer;
    this.#f32 = new Float32Array(this.#buffer);
    const end = this.#buffer.byteLength;
    if (end > RESERVED) this.#free.push({ start: RESERVED, size: end - RESERVED });
  }

  /** A float32 view of the whole memory (re-read after any {@link WasmHeap.alloc}: growth replaces it). */
  get f32(): Float32Array {
    return this.#f32;
  }

  /** Current memory size in bytes. */
  get byteLength(): number {
    return this.#buffer.byteLength;
  }

  /** Bytes in live blocks (for tests and leak reports). */
  get liveBytes(): number {
    let total = 0;
    for (const size of this.#live.values()) total += size;
    return total;
  }

  /** Number of live blocks. */
  get liveBlocks(): number {
    return this.#live.size;
  }

  /** A block of at least `bytes` bytes (contents undefined), 64-byte aligned. */
  alloc(bytes: number): number {
    const size = blockSize(bytes);
    for (let i = 0; i < this.#free.length; i++) {
      const range = this.#free[i];
      if (range.size < size) continue;
      const start = range.start;
      range.start += size;
      range.size -= size;
      if (range.size === 0) this.#free.splice(i, 1);
      this.#live.set(start, size);
      return start;
    }
    return this.#allocByGrowing(size);
  }

  /** A block of `count` float32 values. */
  allocF32(count: number): number {
    return this.alloc(4 * count);
  }

  /** Returns a block to the free list (merging with free neighbours). Freeing 0 is a no-op. */
  free(ptr: number): void {
    if (ptr === 0) return;
    const size = this.#live.get(ptr);
    if (size === undefined) throw new Error(`wasm heap: free of ${ptr}, which is not a live block`);
    this.#live.delete(ptr);
    this.#insertFree(ptr, size);
  }

  /** Copies `src` into the heap at byte address `ptr`. */
  write(ptr: number, src: Float32Array): void {
    this.#f32.set(src, ptr >> 2);
  }

  /** A copy of `count` float32 values at `ptr`. */
  read(ptr: number, count: number): Float32Array {
    // Large results may come from the pool (they usually become tensors): every element is written.
    if (4 * count < POOL_MIN_BYTES) return this.#f32.slice(ptr >> 2, (ptr >> 2) + count);
    const out = arrayPool.take('float32', count, false) as Float32Array;
    out.set(this.#f32.subarray(ptr >> 2, (ptr >> 2) + count));
    return out;
  }

  /** A view of `count` float32 values at `ptr`, valid until the next allocation. */
  view(ptr: number, count: number): Float32Array {
    return this.#f32.subarray(ptr >> 2, (ptr >> 2) + count);
  }

  /** Sets `count` float32 values at `ptr` to zero. */
  zero(ptr: number, count: number): void {
    this.#f32.fill(0, ptr >> 2, (ptr >> 2) + count);
  }

  #allocByGrowing(size: number): number {
    // Extend a free range that ends at the top of memory, if there is one.
    const end = this.#buffer.byteLength;
    const last = this.#free[this.#free.length - 1];
    const tailFree = last !== undefined && last.start + last.size === end ? last.size : 0;
    const start = Math.max(end - tailFree, RESERVED);
    const needed = start + size - end;
    // Grow by at least a quarter of the current size, so repeated growth stays amortised O(1).
    const pages = Math.max(Math.ceil(needed / PAGE), Math.ceil(end / PAGE / 4), 1);
    try {
      this.memory.grow(pages);
    } catch (error) {
      const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
      throw new Error(
        `js backend (simd kernels): cannot grow WebAssembly memory from ${mib(end)} by ${mib(pages * PAGE)} ` +
          `for a ${mib(size)} block (${mib(this.liveBytes)} in use): ${(error as Error).message}`,
      );
    }
    this.#buffer = this.memory.buffer;
    this.#f32 = new Float32Array(this.#buffer);
    this.#insertFree(end, pages * PAGE);
    return this.alloc(size);
  }

  #insertFree(start: number, size: number): void {
    const free = this.#free;
    let i = 0;
    while (i < free.length && free[i].start < start) i++;
    free.splice(i, 0, { start, size });
    // Merge with the next range, then with the previous one.
    if (i + 1 < free.length && start + size === free[i + 1].start) {
      free[i].size += free[i + 1].size;
      free.splice(i + 1, 1);
    }
    if (i > 0 && free[i - 1].start + free[i - 1].size === start) {
      free[i - 1].size += free[i].size;
      free.splice(i, 1);
    }
  }
}

/** Blocks freed together: the buffers of one sequence's forward pass, or of one backward pass. */
export class HeapScope {
  readonly #heap: WasmHeap;
  readonly #blocks: number[] = [];

  constructor(heap: WasmHeap) {
    this.#heap = heap;
  }

  /** A block of `count` float32 values owned by this scope. */
  f32(count: number): number {
    const ptr = this.#heap.allocF32(Math.max(count, 1));
    this.#blocks.push(ptr);
    return ptr;
  }

  /**
   * Blocks of `counts[i]` float32 values (at least one each), carved from one allocation, each
   * 64-byte aligned: one search of the free list and one free instead of one per block (a streaming
   * call allocates six buffers or more; the free list's splices showed in its profile).
   */
  f32s(counts: readonly number[]): number[] {
    const sizes = counts.map((count) => blockSize(4 * count));
    let at = this.#heap.alloc(sizes.reduce((sum, size) => sum + size, 0));
    this.#blocks.push(at);
    return sizes.map((size) => {
      const ptr = at;
      at += size;
      return ptr;
    });
  }

  /** Frees every block of the scope (idempotent). */
  release(): void {
    for (const ptr of this.#blocks) this.#heap.free(ptr);
    this.#blocks.length = 0;
  }
}
