/**
 * Packed weight panels kept across fused calls, keyed by the weight tensor.
 *
 * Every fused sequence call used to copy its weights into wasm memory and pack them into panels:
 * for a streaming call (W5: one step, B1 I64 H128 LSTM) that was 98k floats copied and packed to
 * compute ~0.2 MFLOP, about 45% of the call. Tensors are immutable (the contract has no in-place
 * write, and `read` returns a copy), so the panels of a weight tensor stay valid for as long as the
 * tensor lives: they are reused by every call that passes the same tensor (forward passes take W
 * transposed, BPTT as stored: one packing each), and freed when it is
 * disposed or when more than {@link CAPACITY} weights are cached (least recently used first; a
 * training step makes new weight tensors, so old ones leave either way).
 */

import type { JsTensor } from '../tensor.js';
import type { WasmHeap } from './heap.js';
import type { HeapGemm, Panels } from './heap-gemm.js';

/** Weights kept packed: enough for a few layers in both directions, forward and backward layouts. */
export const CAPACITY = 32;

/** The packings of one tensor (op(W) as stored and transposed) and when it was last used. */
interface Entry {
  stored: Panels | null;
  transposed: Panels | null;
  used: number;
}

/** The packed panels of recently used weight tensors of one runtime. */
export class PackedWeights {
  readonly #heap: WasmHeap;
  readonly #gemm: HeapGemm;
  /**
   * Per tensor, its packings. Recency is a counter stamped on each use rather than Map order: moving
   * a key to the end (delete, set) and a layout string per lookup showed in a streaming call's profile.
   */
  readonly #byTensor = new Map<JsTensor, Entry>();
  #clock = 0;
  #count = 0;

  constructor(heap: WasmHeap, gemm: HeapGemm) {
    this.#heap = heap;
    this.#gemm = gemm;
  }

  /** Packings held (for tests). */
  get size(): number {
    return this.#count;
  }

  /**
   * Panels of op(W) (`k×n`; W stored `k×n`, or `n×k` when `transposed`) for the float32 tensor `w`,
   * packed on first use. The caller must not free them.
   */
  get(w: JsTensor, transposed: boolean, k: number, n: number): Panels {
    let entry = this.#byTensor.get(w);
    if (entry !== undefined) {
      entry.used = ++this.#clock;
      const hit = transposed ? entry.transposed : entry.stored;
      if (hit !== null && hit.k === k && hit.n === n) return hit;
    }
    const source = this.#heap.allocF32(k * n);
    let panels: Panels;
    try {
      this.#heap.write(source, w.data as Float32Array);
      panels = this.#gemm.pack(source, transposed, k, n);
    } finally {
      this.#heap.free(source);
    }
    if (entry === undefined) {
      entry = { stored: null, transposed: null, used: ++this.#clock };
      this.#byTensor.set(w, entry);
    }
    // Another k×n for the same tensor and orientation replaces the old packing.
    const old = transposed ? entry.transposed : entry.stored;
    if (old !== null) {
      this.#gemm.free(old);
      this.#count--;
    }
    if (transposed) entry.transposed = panels;
    else entry.stored = panels;
    this.#count++;
    this.#evict(w);
    return panels;
  }

  /** Frees the panels of `w` (called when the tensor is disposed). */
  forget(w: JsTensor): void {
    const entry = this.#byTensor.get(w);
    if (entry === undefined) return;
    this.#byTensor.delete(w);
    for (const panels of [entry.stored, entry.transposed]) {
      if (panels === null) continue;
      this.#gemm.free(panels);
      this.#count--;
    }
  }

  /** Frees every packing. */
  clear(): void {
    for (const w of [...this.#byTensor.keys()]) this.forget(w);
  }

  /** Drops the least recently used tensors (never `keep`) until at most {@link CAPACITY} packings remain. */
  #evict(keep: JsTensor): void {
    while (this.#count > CAPACITY) {
      let oldest: JsTensor | null = null;
      let oldestUse = Number.POSITIVE_INFINITY;
      for (const [w, entry] of this.#byTensor) {
        if (w !== keep && entry.used < oldestUse) {
          oldest = w;
          oldestUse = entry.used;
        }
      }
      if (oldest === null) return;
      this.forget(oldest);
    }
  }
}
