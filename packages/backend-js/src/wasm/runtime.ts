/**
 * One backend's WebAssembly state: its memory and allocator, its instance of the kernel module, and
 * the product driver over them. Created per backend so two backends never share memory or scratch.
 */

import type { CellExports } from './cell-kernels.js';
import { WasmHeap } from './heap.js';
import { HeapGemm, KC, type Panels } from './heap-gemm.js';
import { type KernelExports, type KernelFlavour, kernelModule, SHARED_MAXIMUM_PAGES } from './module.js';
import { PackedWeights } from './packed-weights.js';
import { TILE_BYTES } from './panel-layout.js';
import { Program, type StepOps } from './program.js';
import { ThreadChoice, TRIAL_BELOW_STEP_FLOPS } from './thread-choice.js';
import { MIN_PARALLEL_FLOPS, TwoThreads, WORKER_SPIN_MS } from './threads.js';

/** Sizes below which work stays on one thread (tests lower them to exercise the worker). */
export interface MinParallel {
  /** Flops of one product (`MIN_PARALLEL_FLOPS`), and of a whole batch-split sequence. */
  readonly flops: number;
  /** Hidden units of one cell-kernel call (`MIN_PARALLEL_UNITS`). */
  readonly units: number;
  /**
   * Rows below which work is not split by rows: a sequence's batch (default two micro-tiles, one per
   * thread) and op(A) of a large product (default two packed row blocks).
   */
  readonly rows?: number;
}

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

  /** With two threads: the step programs of the two halves of a batch-split sequence, reused. */
  readonly programs: readonly [Program, Program] | null;

  /** The calls of an unsplit sequence: products and cell kernels as they are (split per call). */
  readonly directOps: StepOps;

  readonly #minSplitRows: number;
  readonly #minSplitFlops: number;
  /** When the last fused call ended (`performance.now()`), for {@link WasmRuntime.chosen}. */
  #lastCallEnd = Number.NEGATIVE_INFINITY;

  /**
   * `minParallel` overrides the sizes below which work stays on one thread (`MIN_PARALLEL_FLOPS`,
   * `MIN_PARALLEL_UNITS` in `threads.ts`); tests use 0 to exercise the worker on small shapes.
   * `choose` (for `threads: 'auto'`) times fused calls on one and two threads and keeps the faster.
   */
  constructor(flavour: KernelFlavour, threads: 1 | 2, minParallel?: MinParallel, choose = false) {
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
    const gemm = this.gemm;
    this.directOps = {
      product: (m, a, b, c, accumulate) => gemm.gemmPacked(m, a, false, b, c, accumulate),
      cells: this.cells,
      copyRows: this.kernels.copyRows,
    };
    const program = () => new Program(heap.alloc(gemm.mc * KC * 4), heap.alloc(TILE_BYTES), gemm.mc);
    this.programs = pool === null ? null : [program(), program()];
    // Products need two row blocks (one per thread) by default; tests lower this with `rows`.
    const minRows = Math.max(2, minParallel?.rows ?? 2 * gemm.mc);
    const minFlops = minParallel?.flops ?? MIN_PARALLEL_FLOPS;
    if (this.programs !== null) {
      gemm.rowSplitter = (m, a, transA, b, c, accumulate) =>
        m >= minRows &&
        2 * m * b.n * b.k >= minFlops &&
        this.#productRowHalves(m, a, transA, b, c, accumulate);
    }
    this.#minSplitRows = minParallel?.rows ?? 2 * flavour.mr;
    this.#minSplitFlops = minFlops;
  }

  /**
   * `C (+)= op(A)·B` as two programs over the halves of op(A)'s rows, one per thread, each packing its
   * own A blocks (see `HeapGemm.rowSplitter`); false, leaving the product to the panel split, when the
   * worker is off for this call. Never called while a sequence is being recorded into the programs:
   * recorded steps call `Program.product`, not the runtime's products.
   */
  #productRowHalves(
    m: number,
    a: number,
    transA: boolean,
    b: Panels,
    c: number,
    accumulate: boolean,
  ): boolean {
    const pool = this.threadPool!;
    if (!pool.enabled) return false;
    const [p0, p1] = this.programs!;
    const half = m >> 1;
    const lda = transA ? m : b.k;
    p0.clear();
    p1.clear();
    p0.productRows(half, a, transA, lda, b, c, accumulate);
    p1.productRows(
      m - half,
      a + 4 * half * (transA ? 1 : lda),
      transA,
      lda,
      b,
      c + 4 * half * b.n,
      accumulate,
    );
    pool.runPrograms(this.programs!);
    return true;
  }

  /**
   * Where a fused sequence of `N` batch rows and `flops` of recurrent products splits its batch
   * between the two threads (each runs every step of its rows, see `program.ts`), or 0 to keep the
   * batch whole: one thread, or two splitting each product's panels. Each half must fill at least one
   * micro-tile: with fewer rows each thread would stream all of `W_hh` per step for a sliver of
   * work, where splitting the panels streams half each.
   */
  splitRows(N: number, flops: number): number {
    const pool = this.threadPool;
    if (pool === null || !pool.enabled || N < Math.max(2, this.#minSplitRows) || flops < this.#minSplitFlops)
      return 0;
    return N >> 1;
  }

  /**
   * Runs one fused call on the thread count chosen for its size class (see {@link ThreadChoice});
   * calls whose per-step product is large run on two threads without trials. With `threads: 'auto'`,
   * a call with small steps that comes after an idle gap longer than the worker spins
   * (`WORKER_SPIN_MS`) runs on one thread without waking the worker: measured with 10 ms gaps on the
   * 2-core VM, a woken worker (cold caches, a halted virtual CPU) made W1 calls 10–40% slower than
   * one thread, where back to back they were up to 25% faster.
   */
  chosen<T>(stepFlops: number, sizeClass: () => string, call: () => T): T {
    const choice = this.threadChoice;
    if (choice === null) return call();
    const idle = performance.now() - this.#lastCallEnd > WORKER_SPIN_MS;
    try {
      if (stepFlops >= TRIAL_BELOW_STEP_FLOPS) return call();
      if (idle) return choice.oneThread(call);
      return choice.run(sizeClass(), call);
    } finally {
      this.#lastCallEnd = performance.now();
    }
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
