/**
 * The buffers one fused sequence call works in, and the interface each cell kind implements.
 *
 * Layout conventions (all row-major, in the input's dtype):
 * - Per-time buffers are indexed by the time step t, `[T, N, width]`, whatever the direction.
 * - States live in `T + 1` slots. Step t reads slot `prev(t)` and writes slot `next(t)`:
 *   forward `prev = t, next = t + 1` (slot 0 = h0, slot T = hn); reverse `prev = t + 1, next = t`
 *   (slot T = h0, slot 0 = hn). Either way the states *before* steps 0 … T−1 are T consecutive
 *   slots in time order, so dW_hh is one product over all steps.
 * - A row b is valid at step t iff `t < lengths[b]`; invalid rows copy their state from `prev` to
 *   `next`, leave their output row zero, and get zero gate gradients.
 */

import type { CellKind, TypedArray } from '@recur/core';
import type { GemmTier, PackedMatrix } from '@recur/gemm';

/** Sizes and forward caches of one sequence call. */
export interface SequenceRun {
  readonly cell: CellKind;
  /** Steps, batch rows, input width, hidden width, state width (P with projection, else H). */
  readonly T: number;
  readonly N: number;
  readonly I: number;
  readonly H: number;
  readonly Hout: number;
  /** Gate count × H: the width of the packed pre-activations. */
  readonly GH: number;
  readonly reverse: boolean;
  readonly lengths: Int32Array | undefined;
  readonly gemm: GemmTier;
  /** Input `[T, N, I]`. */
  readonly x: TypedArray;
  /** `[T, N, GH]`: the input projection plus folded biases, overwritten by the cached gate values. */
  readonly gates: TypedArray;
  /** `[T + 1, N, Hout]` state slots. */
  readonly hs: TypedArray;
  /** LSTM: `[T + 1, N, H]` cell-state slots. */
  readonly cs: TypedArray | null;
  /** LSTM with projection: `m_t = o ⊙ tanh(c_t)` before projection, `[T, N, H]` (zero on invalid rows). */
  readonly m: TypedArray | null;
  /** GRU: `gh_n = h_{t−1}·W_hnᵀ + b_hn`, `[T, N, H]`. */
  readonly ghn: TypedArray | null;
  /** GRU: one step's recurrent product `h_{t−1}·W_hhᵀ`, `[N, GH]`. */
  readonly scratch: TypedArray | null;
  /** GRU: `b_hn` (H values), or null without bias. */
  readonly bhn: TypedArray | null;
  /** Output `[T, N, Hout]`. */
  readonly output: TypedArray;
  /** `W_hhᵀ` packed as the right operand of `h·W_hhᵀ`. */
  readonly whhT: PackedMatrix;
  /** `W_hrᵀ` packed as the right operand of `m·W_hrᵀ` (LSTM with projection). */
  readonly whrT: PackedMatrix | null;
}

/** Gradient buffers of one backward pass. */
export interface BackwardRun {
  /** `[N, Hout]`: dL/dh_t at the current step (carried gradient plus this step's output gradient). */
  dh: TypedArray;
  /** `[N, Hout]`: dL/dh_{t−1}, prefilled by the cell; the shared loop adds `dgh·W_hh`. */
  dhPrev: TypedArray;
  /** LSTM: `[N, H]` carried dL/dc, updated in place from c_t to c_{t−1}. */
  readonly dc: TypedArray | null;
  /** `[T, N, GH]`: gradient of the input-path pre-activations (`da`, GRU `dgi`). */
  readonly da: TypedArray;
  /** `[T, N, GH]`: gradient of the recurrent-path pre-activations (GRU `dgh`; the same array otherwise). */
  readonly dgh: TypedArray;
  /** LSTM with projection: `[T, N, P]` dL/dh_t on valid rows (zero elsewhere), for `dW_hr` and `dm`. */
  readonly dhValid: TypedArray | null;
  /** LSTM with projection: `[N, H]` dL/dm_t of one step. */
  readonly dm: TypedArray | null;
  /** LSTM with projection: `W_hr` packed as the right operand of `dh·W_hr`. */
  readonly whr: PackedMatrix | null;
}

/** The per-step math of one cell kind; the surrounding loops live in `sequence.ts`. */
export interface CellKernel {
  /** Gates per hidden unit (1, 3 or 4). */
  readonly gateCount: number;
  /**
   * Step t: adds the recurrent product to the pre-activations, applies the gates, caches what BPTT
   * needs, and writes state slot `next` and output row t.
   */
  forwardStep(run: SequenceRun, t: number, prev: number, next: number): void;
  /**
   * BPTT of step t: from `bw.dh` (and `bw.dc`) writes `bw.da`/`bw.dgh` rows of t, prefills `bw.dhPrev`
   * with every term except `dgh·W_hh`, and moves `bw.dc` to c_{t−1}.
   */
  backwardStep(run: SequenceRun, bw: BackwardRun, t: number, prev: number, next: number): void;
}

/** Whether batch row b takes part in step t. */
export function isValid(run: SequenceRun, b: number, t: number): boolean {
  return run.lengths === undefined || t < run.lengths[b];
}

/** Copies `length` values from `src[from…]` to `dst[to…]`. */
export function copyRow(src: TypedArray, from: number, dst: TypedArray, to: number, length: number): void {
  for (let j = 0; j < length; j++) dst[to + j] = src[from + j];
}

/** Sets `length` values of `dst` from `to` to zero. */
export function zeroRow(dst: TypedArray, to: number, length: number): void {
  for (let j = 0; j < length; j++) dst[to + j] = 0;
}

/**
 * The smallest normal value of `array`'s element type. BPTT flushes carried gradients below it to
 * zero: they decay geometrically going back in time and otherwise spend dozens of steps as
 * subnormals, which x86 CPUs (Intel's above all) compute tens of times slower; a long sequence with
 * a loss on its last step only was 8× slower per step at T = 256 than at T = 128 (docs/math.md,
 * "Subnormal gradients"). The error this makes is below this value.
 */
export function normalFloor(array: TypedArray): number {
  return array instanceof Float32Array ? 1.1754943508222875e-38 : 2.2250738585072014e-308;
}

/** `x`, or 0 when `x` is subnormal in magnitude below `floor` (NaN and ±∞ pass through). */
export function flushBelow(x: number, floor: number): number {
  return x < floor && x > -floor ? 0 : x;
}
