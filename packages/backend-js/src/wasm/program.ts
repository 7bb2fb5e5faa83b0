/**
 * A step program: a recorded list of kernel calls (packing, product panels, cell kernels, copies)
 * that either thread can run later, against the shared wasm memory, without any JavaScript of ours.
 *
 * Why: the rows of a batch never meet inside a recurrence (row b of h_t depends on row b of h_{t−1}
 * only), so two threads can each run every step of their own half of the batch with no hand-off
 * between steps. The worker, however, is a small program that only knows the kernel exports. So the
 * step drivers run once per half against a recording {@link StepOps}, which turns each call into a
 * fixed-size record; `TwoThreads.runPrograms` then runs both lists, one per thread. Every address is
 * known before the first step (buffers are allocated up front, steps allocate nothing), so recording
 * ahead is exact; each program carries its own packed-A and tile scratch, so whichever thread claims
 * it may run it.
 */

import { CELL_KERNEL_NAMES, type CellExports } from './cell-kernels.js';
import {
  GEMV,
  MACRO,
  PANEL_ARGS,
  type Panels,
  type PanelWork,
  type ProductCalls,
  productCalls,
} from './heap-gemm.js';

/** What the step drivers may do: everything goes through kernels, in wasm memory. */
export interface StepOps {
  /** `C[m×n] (+)= A·B` for row-major A at `a` (`m×k`) and packed B. */
  product(m: number, a: number, b: Panels, c: number, accumulate: boolean): void;
  /** The cell kernels (see `cell-kernels.ts`), including `zeroInto`. */
  readonly cells: CellExports;
  /** `copyRows(rows, width, dst, dstStride, src, srcStride)` (see `layout-kernels.ts`). */
  copyRows(rows: number, width: number, dst: number, dstStride: number, src: number, srcStride: number): void;
}

/** Functions a record may call, by index: the product kernels, then the cell kernels. */
export const PROGRAM_FUNCTIONS: readonly string[] = [
  'packA',
  'macro',
  'gemv',
  'copyRows',
  ...CELL_KERNEL_NAMES,
];
const PACK_A = 0;
const MACRO_FN = 1;
const GEMV_FN = 2;
const COPY_ROWS_FN = 3;
const FIRST_CELL_FN = 4;

/** Int32 words per record: the function index, then up to 12 arguments (`macro` has 12). */
export const RECORD_WORDS = 13;

/** A growing list of kernel calls for one thread's share of a sequence. */
export class Program implements StepOps, ProductCalls {
  readonly aBlock: number;
  readonly #tile: number;
  readonly #mc: number;
  readonly #work: PanelWork = { kind: MACRO, args: new Int32Array(PANEL_ARGS) };
  #words = new Int32Array(64 * RECORD_WORDS);
  #records = 0;
  readonly cells: CellExports;

  /** `aBlock` (`mc × KC` floats) and `tile` are this program's own scratch in wasm memory. */
  constructor(aBlock: number, tile: number, mc: number) {
    this.aBlock = aBlock;
    this.#tile = tile;
    this.#mc = mc;
    this.cells = Object.fromEntries(
      CELL_KERNEL_NAMES.map((name, i) => [
        name,
        (a0: number, a1: number, a2: number, a3: number, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0) =>
          this.#push(FIRST_CELL_FN + i, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, 0, 0),
      ]),
    ) as unknown as CellExports;
  }

  /** Number of recorded calls. */
  get records(): number {
    return this.#records;
  }

  /** The recorded words (`records × RECORD_WORDS`), valid until the next record. */
  get words(): Int32Array {
    return this.#words.subarray(0, this.#records * RECORD_WORDS);
  }

  /** Forgets every record (the buffer is kept for the next sequence). */
  clear(): void {
    this.#records = 0;
  }

  product(m: number, a: number, b: Panels, c: number, accumulate: boolean): void {
    productCalls(this, this.#work, this.#mc, m, a, false, b, c, accumulate);
  }

  /** Rows of `op(A)·B` (see `productCalls`), `lda` being A's stored row length. */
  productRows(
    m: number,
    a: number,
    transA: boolean,
    lda: number,
    b: Panels,
    c: number,
    accumulate: boolean,
  ): void {
    productCalls(this, this.#work, this.#mc, m, a, transA, b, c, accumulate, lda);
  }

  copyRows(
    rows: number,
    width: number,
    dst: number,
    dstStride: number,
    src: number,
    srcStride: number,
  ): void {
    this.#push(COPY_ROWS_FN, rows, width, dst, dstStride, src, srcStride, 0, 0, 0, 0, 0, 0);
  }

  /** {@link ProductCalls.packA}. */
  packA(src: number, rowStride: number, kStride: number, mc: number, kc: number): void {
    this.#push(PACK_A, src, rowStride, kStride, mc, kc, this.aBlock, 0, 0, 0, 0, 0, 0);
  }

  /** {@link ProductCalls.panels}: every panel, on whichever thread runs this program. */
  panels(work: PanelWork, count: number): void {
    const a = work.args;
    if (work.kind === GEMV) {
      this.#push(GEMV_FN, a[0], a[1], a[2], a[3], a[4], a[5], a[6], this.#tile, 0, count, 0, 0);
    } else {
      this.#push(MACRO_FN, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], this.#tile, a[8], 0, count);
    }
  }

  /** {@link ProductCalls.zero}. */
  zero(c: number, count: number): void {
    this.cells.zeroInto(1, count, c);
  }

  #push(
    fn: number,
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    a4: number,
    a5: number,
    a6: number,
    a7: number,
    a8: number,
    a9: number,
    a10: number,
    a11: number,
  ): void {
    let at = this.#records * RECORD_WORDS;
    if (at + RECORD_WORDS > this.#words.length) {
      const grown = new Int32Array(2 * this.#words.length);
      grown.set(this.#words);
      this.#words = grown;
    }
    const w = this.#words;
    w[at++] = fn;
    w[at++] = a0;
    w[at++] = a1;
    w[at++] = a2;
    w[at++] = a3;
    w[at++] = a4;
    w[at++] = a5;
    w[at++] = a6;
    w[at++] = a7;
    w[at++] = a8;
    w[at++] = a9;
    w[at++] = a10;
    w[at] = a11;
    this.#records++;
  }
}

/**
 * Runs `records` calls from `words` (starting at word `start`) with `functions` in
 * {@link PROGRAM_FUNCTIONS} order. The worker runs the same loop in its source text.
 */
export function runProgram(
  functions: readonly ((...args: number[]) => void)[],
  words: Int32Array,
  start: number,
  records: number,
): void {
  for (let r = 0, w = start; r < records; r++, w += RECORD_WORDS) {
    functions[words[w]](
      words[w + 1],
      words[w + 2],
      words[w + 3],
      words[w + 4],
      words[w + 5],
      words[w + 6],
      words[w + 7],
      words[w + 8],
      words[w + 9],
      words[w + 10],
      words[w + 11],
      words[w + 12],
    );
  }
}
