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

/** The packed panels of recently used weight tensors of one runtime. */
export class PackedWeights {
  readonly #heap: WasmHeap;
  readonly #gemm: HeapGemm;
  /** Per tensor, its packings by layout; Map order is recency (oldest first). */
  readonly #byTensor = new Map<JsTensor, Map<string, Panels>>();
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
    const layout = `${transposed ? 't' : 'n'}${k}x${n}`;
    let packings = this.#byTensor.get(w);
    const hit = packings?.get(layout);
    if (packings !== undefined) {
      // Most recently used goes last.
      this.#byTensor.delete(w);
      this.#byTensor.set(w, packings);
    }
    if (hit !== undefined) return hit;
    const source = this.#heap.allocF32(k * n);
    let panels: Panels;
    try {
      this.#heap.write(source, w.data as Float32Array);
      panels = this.#gemm.pack(source, transposed, k, n);
    } finally {
      this.#heap.free(source);
    }
    if (packings === undefined) {
      packings = new Map();
      this.#byTensor.set(w, packings);
    }
    packings.set(layout, panels);
    this.#count++;
    this.#evict(w);
    return panels;
  }

  /** Frees the panels of `w` (called when the tensor is disposed). */
  forget(w: JsTensor): void {
    const packings = this.#byTensor.get(w);
    if (packings === undefined) return;
    this.#byTensor.delete(w);
    for (const panels of packings.values()) this.#gemm.free(panels);
    this.#count -= packings.size;
  }

  /** Frees every packing. */
  clear(): void {
    for (const w of [...this.#byTensor.keys()]) this.forget(w);
  }

  /** Drops the least recently used tensors (never `keep`) until at most {@link CAPACITY} packings remain. */
  #evict(keep: JsTensor): void {
    for (const w of this.#byTensor.keys()) {
      if (this.#count <= CAPACITY) return;
      if (w !== keep) this.forget(w);
    }
  }
}
