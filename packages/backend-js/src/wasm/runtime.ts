/**
 * One backend's WebAssembly state: its memory and allocator, its instance of the kernel module, and
 * the product driver over them. Created per backend so two backends never share memory or scratch.
 */

import type { CellExports } from './cell-kernels.js';
import { WasmHeap } from './heap.js';
import { HeapGemm } from './heap-gemm.js';
import { type KernelExports, type KernelFlavour, kernelModule, SHARED_MAXIMUM_PAGES } from './module.js';
import { PackedWeights } from './packed-weights.js';
import { ThreadChoice, TRIAL_BELOW_STEP_FLOPS } from './thread-choice.js';
import { TwoThreads } from './threads.js';

/** The kernels, their memory and the product driver of one backend. */
export class WasmRuntime {
  readonly heap: WasmHeap;
  readonly kernels: KernelExports;
  readonly gemm: HeapGemm;
  readonly flavour: KernelFlavour;
  /** Threads the products may use (2 = this thread plus one worker sharing the memory). */
  readonly threads: 1 | 2;

  /** Weight panels kept packed across fused calls while their tensors live. */
  readonly weights: PackedWeights;

  /** The two-thread splitter, when `threads` is 2. */
  readonly threadPool: TwoThreads | null;

  /**
   * The cell kernels to call: the instance's own exports, or with two threads the same functions
   * splitting their rows with the worker.
   */
  readonly cells: CellExports;

  /**
   * With `threads: 'auto'` (and two threads), the per-size-class choice between one and two threads
   * for fused sequence calls, measured on the first calls of each class; `null` otherwise.
   */
  readonly threadChoice: ThreadChoice | null;

  /**
   * `minParallel` overrides the sizes below which work stays on one thread (`MIN_PARALLEL_FLOPS`,
   * `MIN_PARALLEL_UNITS` in `threads.ts`); tests use 0 to exercise the worker on small shapes.
   * `choose` (for `threads: 'auto'`) times fused calls on one and two threads and keeps the faster.
   */
  constructor(
    flavour: KernelFlavour,
    threads: 1 | 2,
    minParallel?: { flops: number; units: number },
    choose = false,
  ) {
    this.flavour = flavour;
    this.threads = threads;
    const shared = threads > 1;
    const memory = new WebAssembly.Memory(
      shared ? { initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true } : { initial: 1 },
    );
    const module = kernelModule(flavour, shared);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.kernels = instance.exports as unknown as KernelExports;
    const heap = new WasmHeap(memory);
    this.heap = heap;
    let pool: TwoThreads | null = null;
    this.gemm = new HeapGemm(
      heap,
      this.kernels,
      flavour.mr,
      shared
        ? (gemm) => {
            pool = new TwoThreads(
              heap,
              module,
              this.kernels,
              (work, q0, q1) => gemm.runPanels(work, q0, q1),
              minParallel?.flops,
              minParallel?.units,
            );
            return pool;
          }
        : undefined,
    );
    this.threadPool = pool;
    this.cells = pool === null ? this.kernels : (pool as TwoThreads).cells();
    this.threadChoice = choose && pool !== null ? new ThreadChoice(pool) : null;
    this.weights = new PackedWeights(heap, this.gemm);
  }

  /**
   * Runs one fused call on the thread count chosen for its size class (see {@link ThreadChoice});
   * calls whose per-step product is large run on two threads without trials.
   */
  chosen<T>(stepFlops: number, sizeClass: () => string, call: () => T): T {
    if (this.threadChoice === null || stepFlops >= TRIAL_BELOW_STEP_FLOPS) return call();
    return this.threadChoice.run(sizeClass(), call);
  }

  /** A short description for reports, e.g. `wasm simd128 + relaxed FMA, 6×8 tiles, 1 thread`. */
  describe(): string {
    const { relaxed, mr } = this.flavour;
    const threads =
      this.threads === 1
        ? '1 thread'
        : this.threadChoice !== null
          ? '2 threads, or 1 where measured faster'
          : '2 threads';
    return `wasm simd128 ${relaxed ? '+ relaxed FMA' : 'mul+add'}, ${mr}×8 tiles, ${threads}`;
  }
}
