/**
 * Matrix products on operands that already live in wasm memory (byte addresses), blocked around the
 * emitted kernels. The fused sequence kernels call this directly so their per-step products never copy
 * anything; `gemm/wasm-gemm.ts` wraps it for typed arrays.
 *
 * Blocking (GotoBLAS/BLIS order): k in blocks of {@link KC} so one packed B panel block (KC × 8
 * floats, 8 KB) stays in L1 while a packed A block of up to {@link mcFor} rows × KC (~96 KB) sits in
 * L2. A single row (batch-1 steps) skips packing A and takes the GEMV kernel.
 */

import type { WasmHeap } from './heap.js';
import type { KernelExports } from './module.js';
import { NR, TILE_BYTES } from './panel-layout.js';

/** k block: 256 floats × 8 columns = one 8 KB B panel block, a quarter of L1. */
export const KC = 256;

/** Rows of op(A) packed per block: 16 micro-tiles of `mr` rows (96 × 256 × 4 B = 96 KB, in L2). */
export function mcFor(mr: number): number {
  return 16 * mr;
}

/** op(B) packed into 8-column panels (see `gemm-kernels.ts`), resident in wasm memory. */
export interface Panels {
  /** Byte address of panel 0. */
  readonly ptr: number;
  readonly k: number;
  readonly n: number;
  /** Number of panels, `ceil(n / 8)`. */
  readonly count: number;
  /** Bytes from one panel to the next (`k · 32`). */
  readonly stride: number;
}

/** Splits a product's panels between threads; the single-threaded default runs them all here. */
export interface PanelRunner {
  /**
   * Runs `work` over panels `[0, panels)`, possibly splitting the range with other threads that call
   * the same kernels on the same memory. `flops` lets small products stay on one thread.
   */
  run(panels: number, flops: number, work: PanelWork): void;
}

/** Which kernel a {@link PanelWork} calls. */
export const MACRO = 0;
export const GEMV = 1;

/**
 * One product's panel loop, described so any thread can run a range of it: `kind` {@link MACRO}
 * with `args` `(mc, kc, a, b, panelStride, c, ldc, accumulate, n)`, or {@link GEMV} with
 * `(k, a, b, panelStride, c, n, accumulate)`. Reused from call to call (products allocate nothing).
 */
export interface PanelWork {
  kind: number;
  readonly args: Int32Array;
}

/** Arguments a {@link PanelWork} holds at most. */
export const PANEL_ARGS = 9;

/**
 * Where the calls of one product go: {@link HeapGemm} runs them at once (splitting panels with a
 * worker when it has one), a recorded `Program` (see `program.ts`) lists them for a thread to run
 * later. Both follow the one blocking order of {@link productCalls}.
 */
export interface ProductCalls {
  /** Byte address of the packed-A block that `packA` fills and the `macro` calls read. */
  readonly aBlock: number;
  /** `packA(src, rowStride, kStride, mc, kc)` into {@link ProductCalls.aBlock}. */
  packA(src: number, rowStride: number, kStride: number, mc: number, kc: number): void;
  /** Runs (or records) `work` over panels `[0, count)`; `flops` lets small ones stay on one thread. */
  panels(work: PanelWork, count: number, flops: number): void;
  /** Writes `count` zero floats at `c`. */
  zero(c: number, count: number): void;
}

/**
 * The calls of `C[m×n] (+)= op(A)·B` for packed B, in order: k in blocks of {@link KC}, rows of op(A)
 * in blocks of `mc` packed into `calls.aBlock`, each block's panels one {@link PanelWork}; a single
 * row takes the GEMV kernel without packing. `work` is reused (its args are overwritten per block).
 * `lda` is the stored row length of A: `k`, or with `transA` the row count of the whole op(A) this
 * product may be a slice of (so a range of its rows can be computed on its own).
 */
export function productCalls(
  calls: ProductCalls,
  work: PanelWork,
  mc: number,
  m: number,
  a: number,
  transA: boolean,
  b: Panels,
  c: number,
  accumulate: boolean,
  lda: number = transA ? m : b.k,
): void {
  const { k, n } = b;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) calls.zero(c, m * n);
    return;
  }
  const acc = accumulate ? 1 : 0;
  const args = work.args;
  if (m === 1 && (!transA || lda === 1)) {
    // A single row of op(A) is contiguous, unless it is a column of a wider stored A (a row slice).
    work.kind = GEMV;
    args[0] = k;
    args[1] = a;
    args[2] = b.ptr;
    args[3] = b.stride;
    args[4] = c;
    args[5] = n;
    args[6] = acc;
    calls.panels(work, b.count, 2 * n * k);
    return;
  }
  const rowStride = transA ? 1 : lda;
  const kStride = transA ? lda : 1;
  work.kind = MACRO;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = Math.min(KC, k - pc);
    for (let ic = 0; ic < m; ic += mc) {
      const rows = Math.min(mc, m - ic);
      calls.packA(a + 4 * (ic * rowStride + pc * kStride), rowStride, kStride, rows, kc);
      args[0] = rows;
      args[1] = kc;
      args[2] = calls.aBlock;
      args[3] = b.ptr + pc * NR * 4;
      args[4] = b.stride;
      args[5] = c + 4 * ic * n;
      args[6] = 4 * n;
      args[7] = pc === 0 ? acc : 1;
      args[8] = n;
      calls.panels(work, b.count, 2 * rows * n * kc);
    }
  }
}

/** Products over heap-resident operands. */
export class HeapGemm implements ProductCalls {
  readonly #heap: WasmHeap;
  readonly #k: KernelExports;
  /** Rows of op(A) per packed block ({@link mcFor} of the kernels' tile height). */
  readonly mc: number;
  /** Packed-A block of the calling thread, allocated once. */
  readonly aBlock: number;
  /** Partial-tile scratch of the calling thread. */
  readonly #tile: number;
  readonly #runner: PanelRunner | null;
  readonly #work: PanelWork = { kind: MACRO, args: new Int32Array(PANEL_ARGS) };

  /**
   * `runner`, when given, builds the thread splitter from this driver (it runs its own share through
   * {@link HeapGemm.runPanels}); without one every product runs on the calling thread.
   */
  constructor(heap: WasmHeap, kernels: KernelExports, mr: number, runner?: (gemm: HeapGemm) => PanelRunner) {
    this.#heap = heap;
    this.#k = kernels;
    this.mc = mcFor(mr);
    this.aBlock = heap.alloc(this.mc * KC * 4);
    this.#tile = heap.alloc(TILE_BYTES);
    this.#runner = runner?.(this) ?? null;
  }

  /** Packs op(B) (`k×n`; stored `k×n`, or `n×k` when `transB`) from `src` into new panels. */
  pack(src: number, transB: boolean, k: number, n: number): Panels {
    const count = Math.ceil(n / NR);
    const ptr = this.#heap.alloc(Math.max(count * k * NR * 4, 4));
    // op(B)[p, j] = src[p·kStride + j·colStride]
    this.#k.packB(src, transB ? 1 : n, transB ? k : 1, k, n, ptr);
    return { ptr, k, n, count, stride: k * NR * 4 };
  }

  /** Frees panels made by {@link HeapGemm.pack}. */
  free(panels: Panels): void {
    this.#heap.free(panels.ptr);
  }

  /**
   * `C[m×n] (+)= op(A)·B` for packed B: A at `a` is `m×k` (or `k×m` when `transA`), C at `c` is
   * row-major `m×n`. Without `accumulate`, C is overwritten.
   */
  gemmPacked(m: number, a: number, transA: boolean, b: Panels, c: number, accumulate: boolean): void {
    if (this.rowSplitter?.(m, a, transA, b, c, accumulate) === true) return;
    productCalls(this, this.#work, this.mc, m, a, transA, b, c, accumulate);
  }

  /**
   * With two threads, splits large products by rows of op(A) instead (each thread packs its own A
   * blocks: no serial packing, one hand-off per product); returns false to leave a product to the
   * panel split. Set by the runtime, which owns the step programs it records into.
   */
  rowSplitter:
    | ((m: number, a: number, transA: boolean, b: Panels, c: number, accumulate: boolean) => boolean)
    | null = null;

  /** {@link ProductCalls.packA}: packs into this thread's block at once. */
  packA(src: number, rowStride: number, kStride: number, mc: number, kc: number): void {
    this.#k.packA(src, rowStride, kStride, mc, kc, this.aBlock);
  }

  /** {@link ProductCalls.panels}: runs them now, split with the worker when there is one. */
  panels(work: PanelWork, count: number, flops: number): void {
    if (this.#runner !== null) this.#runner.run(count, flops, work);
    else this.runPanels(work, 0, count, this.#tile);
  }

  /** {@link ProductCalls.zero}. */
  zero(c: number, count: number): void {
    this.#heap.zero(c, count);
  }

  /** `C (+)= op(A)·op(B)` with B packed on the fly (and freed). */
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    transA: boolean,
    b: number,
    transB: boolean,
    c: number,
    accumulate: boolean,
  ): void {
    if (m === 0 || n === 0) return;
    const panels = this.pack(b, transB, k, n);
    try {
      this.gemmPacked(m, a, transA, panels, c, accumulate);
    } finally {
      this.free(panels);
    }
  }

  /** Runs panels `[q0, q1)` of `work` on this thread with scratch `tile` (also used by runners). */
  runPanels(work: PanelWork, q0: number, q1: number, tile: number = this.#tile): void {
    const a = work.args;
    if (work.kind === GEMV) this.#k.gemv(a[0], a[1], a[2], a[3], a[4], a[5], a[6], tile, q0, q1);
    else this.#k.macro(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], tile, a[8], q0, q1);
  }
}
