/**
 * The state of one fused sequence on the SIMD tier: every buffer lives in wasm memory (byte
 * addresses), with the layouts of `fused/run.ts` (per-time buffers `[T, N, width]`, states in T + 1
 * slots, step t reads slot `prev` and writes slot `next`).
 *
 * Variable lengths: the kernels work on runs of consecutive valid rows; rows past their length copy
 * their state from `prev` to `next` and get zero gate gradients, exactly as in the plain path.
 */

import type { CellKind } from '@recur/core';
import type { HeapScope } from '../../wasm/heap.js';
import type { Panels } from '../../wasm/heap-gemm.js';
import type { WasmRuntime } from '../../wasm/runtime.js';
import type { SequenceSizes } from '../shared.js';

/** Forward buffers of one call (byte addresses; 0 = absent), kept until its backward has run. */
export interface WasmRun {
  readonly cell: CellKind;
  readonly sizes: SequenceSizes;
  readonly reverse: boolean;
  /** Valid rows per step. */
  readonly rows: StepRows;
  readonly rt: WasmRuntime;
  /** Owns every buffer below; released by the tape once the backward is done. */
  readonly caches: HeapScope;
  /** Input `[T, N, I]` (a batch-first caller's rows are moved here time-major). */
  readonly x: number;
  /** `[T, N, GH]`: input projection plus folded biases, overwritten by the gate values. */
  readonly gates: number;
  /** `[T + 1, N, Hout]` state slots. */
  readonly hs: number;
  /** LSTM: `[T + 1, N, H]` cell-state slots. */
  readonly cs: number;
  /** LSTM with projection: `m_t = o ⊙ tanh(c_t)`, `[T, N, H]`, zero on invalid rows. */
  readonly m: number;
  /** GRU: `gh_n + b_hn`, `[T, N, H]`. */
  readonly ghn: number;
}

/** Per-step buffers of the forward pass only (freed when it ends). */
export interface ForwardScratch {
  /** `W_hhᵀ` packed for `h·W_hhᵀ`. */
  readonly whhT: Panels;
  /** `W_hrᵀ` packed for `m·W_hrᵀ` (LSTM with projection). */
  readonly whrT: Panels | null;
  /** GRU: one step's `h·W_hhᵀ`, `[N, GH]`. */
  readonly gh: number;
  /** GRU: `b_hn` (H floats, zeros without bias). */
  readonly bhn: number;
}

/** Gradient buffers of one backward pass. */
export interface WasmBackward {
  /** `[N, Hout]` dL/dh_t (carried plus this step's output gradient); swapped with dhPrev each step. */
  dh: number;
  /** `[N, Hout]` dL/dh_{t−1}. */
  dhPrev: number;
  /** LSTM: `[N, H]` carried dL/dc. */
  readonly dc: number;
  /** `[T, N, GH]` input-path pre-activation gradients. */
  readonly da: number;
  /** `[T, N, GH]` recurrent-path ones (GRU; equal to `da` otherwise). */
  readonly dgh: number;
  /** LSTM with projection: `[T, N, P]` dL/dh_t on valid rows, zero elsewhere. */
  readonly dhValid: number;
  /** LSTM with projection: `[N, H]` dL/dm_t. */
  readonly dm: number;
  /** `W_hh` packed for `dgh·W_hh`. */
  readonly whh: Panels;
  /** `W_hr` packed for `dh·W_hr` (LSTM with projection). */
  readonly whr: Panels | null;
}

/**
 * Which batch rows take part in each step, worked out once per call so that steps allocate nothing:
 * step t's valid rows are the runs `[runs[i], runs[i + 1])` for `i` from `runStart[t]` to
 * `runStart[t + 1]` (step 2), and its rows past their length are `idle[i]` for `i` from
 * `idleStart[t]` to `idleStart[t + 1]`.
 */
export class StepRows {
  readonly runs: Int32Array;
  readonly runStart: Int32Array;
  readonly idle: Int32Array;
  readonly idleStart: Int32Array;

  /** The last full-batch instance made by {@link StepRows.of}, reused while T and N stay the same. */
  static #lastFull: StepRows | null = null;

  /**
   * The rows of a call: with no lengths every row takes part in every step, and the instance of the
   * previous call of the same T and N is reused (a streaming caller makes the same call thousands of
   * times; the arrays are never written after construction).
   */
  static of(T: number, N: number, lengths: Int32Array | undefined): StepRows {
    if (lengths !== undefined) return new StepRows(T, N, lengths);
    const last = StepRows.#lastFull;
    if (last !== null && last.runStart.length === T + 1 && last.runs[1] === N) return last;
    const rows = new StepRows(T, N, undefined);
    StepRows.#lastFull = rows;
    return rows;
  }

  constructor(T: number, N: number, lengths: Int32Array | undefined) {
    if (lengths === undefined && N > 0) {
      // Every row takes part in every step: one run per step, no idle rows. Filled directly (the
      // general loop below built JavaScript arrays, about 1 µs of a 16 µs streaming call).
      this.runs = new Int32Array(2 * T);
      this.runStart = new Int32Array(T + 1);
      for (let t = 0; t < T; t++) {
        this.runs[2 * t + 1] = N;
        this.runStart[t + 1] = 2 * t + 2;
      }
      this.idle = new Int32Array(0);
      this.idleStart = new Int32Array(T + 1);
      return;
    }
    const runs: number[] = [];
    const idle: number[] = [];
    this.runStart = new Int32Array(T + 1);
    this.idleStart = new Int32Array(T + 1);
    for (let t = 0; t < T; t++) {
      this.runStart[t] = runs.length;
      this.idleStart[t] = idle.length;
      let b = 0;
      while (b < N) {
        if (lengths !== undefined && t >= lengths[b]) {
          idle.push(b++);
          continue;
        }
        const b0 = b;
        while (b < N && (lengths === undefined || t < lengths[b])) b++;
        runs.push(b0, b);
      }
    }
    this.runStart[T] = runs.length;
    this.idleStart[T] = idle.length;
    this.runs = Int32Array.from(runs);
    this.idle = Int32Array.from(idle);
  }

  /** Whether every row takes part in step t. */
  all(t: number): boolean {
    return this.idleStart[t] === this.idleStart[t + 1];
  }
}

/** Byte address of row `row` of a `[rows, width]` float32 buffer at `base`. */
export function rowAt(base: number, row: number, width: number): number {
  return base + 4 * row * width;
}
