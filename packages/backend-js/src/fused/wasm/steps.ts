/**
 * One time step of each cell kind on the SIMD tier, over the batch rows `[r0, r1)`: the recurrent
 * product, then the emitted gate kernel over each run of valid rows (forward), or the gate kernel
 * then the product (BPTT). The math is that of `fused/lstm.ts`, `fused/gru.ts` and `fused/rnn.ts`;
 * only the loops moved into wasm. Rows never meet inside a step, so two threads may each run every
 * step of their own rows (see `wasm/program.ts`). Steps allocate no wasm memory: row runs come precomputed
 * in {@link StepRows}, buffers from the run, and every call goes through the given {@link StepOps}.
 */

import type { CellKind } from '@recur/core';
import type { StepOps } from '../../wasm/program.js';
import { type ForwardScratch, rowAt, type WasmBackward, type WasmRun } from './wasm-run.js';

/** The batch rows `[r0, r1)` a step driver works on, and what it calls. */
export interface StepShare {
  readonly ops: StepOps;
  readonly r0: number;
  readonly r1: number;
}

/** The per-step drivers of one cell kind. */
export interface WasmCellSteps {
  /** Step t: recurrent product into the pre-activations, gate math, state slot `next`. */
  forward(run: WasmRun, fw: ForwardScratch, share: StepShare, t: number, prev: number, next: number): void;
  /** BPTT of step t: from `bw.dh` (and `bw.dc`) writes da/dgh rows of t and `bw.dhPrev`, on the share's rows. */
  backward(run: WasmRun, bw: WasmBackward, share: StepShare, t: number, prev: number, next: number): void;
}

/** Calls `each(b0, b1)` for the runs of valid rows of step t, cut to the share's rows. */
export function forValidRuns(
  run: WasmRun,
  share: StepShare,
  t: number,
  each: (b0: number, b1: number) => void,
): void {
  const { runs, runStart } = run.rows;
  for (let i = runStart[t]; i < runStart[t + 1]; i += 2) {
    const b0 = Math.max(runs[i], share.r0);
    const b1 = Math.min(runs[i + 1], share.r1);
    if (b0 < b1) each(b0, b1);
  }
}

/** Calls `each(b)` for the share's rows that are past their length at step t. */
function forIdleRows(run: WasmRun, share: StepShare, t: number, each: (b: number) => void): void {
  const { idle, idleStart } = run.rows;
  for (let i = idleStart[t]; i < idleStart[t + 1]; i++) {
    const b = idle[i];
    if (b >= share.r0 && b < share.r1) each(b);
  }
}

/** Whether every row of the share takes part in step t. */
function allValid(run: WasmRun, share: StepShare, t: number): boolean {
  const { idle, idleStart } = run.rows;
  for (let i = idleStart[t]; i < idleStart[t + 1]; i++) {
    if (idle[i] >= share.r0 && idle[i] < share.r1) return false;
  }
  return true;
}

/** Copies `count` contiguous floats from `src` to `dst` (one row of `copyRows`). */
function copyFloats(ops: StepOps, dst: number, src: number, count: number): void {
  ops.copyRows(1, count, dst, 0, src, 0);
}

/** Rows past their length at step t: state slot `prev` passes through to `next` (h, and c for LSTM). */
function carryStates(run: WasmRun, share: StepShare, t: number, prev: number, next: number): void {
  const { N, H, Hout } = run.sizes;
  const { ops } = share;
  forIdleRows(run, share, t, (b) => {
    copyFloats(ops, rowAt(run.hs, next * N + b, Hout), rowAt(run.hs, prev * N + b, Hout), Hout);
    if (run.cs !== 0) copyFloats(ops, rowAt(run.cs, next * N + b, H), rowAt(run.cs, prev * N + b, H), H);
  });
}

/** Zeroes row b of step t in `[T, N, width]` buffers (gate gradients of rows that took no part). */
function zeroIdleRows(run: WasmRun, share: StepShare, t: number, buffer: number, width: number): void {
  const { N } = run.sizes;
  forIdleRows(run, share, t, (b) => share.ops.cells.zeroInto(1, width, rowAt(buffer, t * N + b, width)));
}

/**
 * Finishes `dhPrev = (cell's own term) + dgh·W_hh`. For cells whose own term is zero on valid rows
 * (LSTM, RNN) the product simply overwrites when every row is valid; otherwise valid rows start from
 * zero (or from the cell's term, GRU) and rows past their length carry dh through unchanged.
 */
function recurrentGradient(
  run: WasmRun,
  bw: WasmBackward,
  share: StepShare,
  t: number,
  ownTerm: 'zero' | 'written',
): void {
  const { N, Hout, GH } = run.sizes;
  const { ops, r0, r1 } = share;
  const dghRows = rowAt(bw.dgh, t * N + r0, GH);
  const dhPrevRows = rowAt(bw.dhPrev, r0, Hout);
  if (ownTerm === 'zero' && allValid(run, share, t)) {
    ops.product(r1 - r0, dghRows, bw.whh, dhPrevRows, false);
    return;
  }
  if (ownTerm === 'zero') {
    forValidRuns(run, share, t, (b0, b1) => ops.cells.zeroInto(b1 - b0, Hout, rowAt(bw.dhPrev, b0, Hout)));
  }
  forIdleRows(run, share, t, (b) => copyFloats(ops, rowAt(bw.dhPrev, b, Hout), rowAt(bw.dh, b, Hout), Hout));
  ops.product(r1 - r0, dghRows, bw.whh, dhPrevRows, true);
}

const lstmSteps: WasmCellSteps = {
  forward(run, fw, share, t, prev, next) {
    const { N, H, Hout, GH, projected } = run.sizes;
    const { ops, r0, r1 } = share;
    ops.product(r1 - r0, rowAt(run.hs, prev * N + r0, Hout), fw.whhT, rowAt(run.gates, t * N + r0, GH), true);
    forValidRuns(run, share, t, (b0, b1) => {
      // Without projection m_t is h_t itself, written straight into its state slot.
      const hOut = projected ? rowAt(run.m, t * N + b0, H) : rowAt(run.hs, next * N + b0, Hout);
      ops.cells.lstmForward(
        b1 - b0,
        H,
        rowAt(run.gates, t * N + b0, GH),
        rowAt(run.cs, prev * N + b0, H),
        rowAt(run.cs, next * N + b0, H),
        hOut,
      );
    });
    carryStates(run, share, t, prev, next);
    if (!projected) return;
    // m is read by dW_hr = dhᵀ·m over every row: rows past their length must hold zeros, not garbage.
    zeroIdleRows(run, share, t, run.m, H);
    // h_t = m_t·W_hrᵀ for every row at once, then restore the carried state of rows past their length.
    ops.product(r1 - r0, rowAt(run.m, t * N + r0, H), fw.whrT!, rowAt(run.hs, next * N + r0, Hout), false);
    forIdleRows(run, share, t, (b) =>
      copyFloats(ops, rowAt(run.hs, next * N + b, Hout), rowAt(run.hs, prev * N + b, Hout), Hout),
    );
  },

  backward(run, bw, share, t, prev, next) {
    const { N, H, Hout, GH, projected } = run.sizes;
    const { ops, r0, r1 } = share;
    let dm = bw.dh;
    if (projected) {
      // dW_hr needs dh_t on valid rows only; dm = dh_t·W_hr (zero on rows past their length).
      forValidRuns(run, share, t, (b0, b1) =>
        copyFloats(ops, rowAt(bw.dhValid, t * N + b0, Hout), rowAt(bw.dh, b0, Hout), (b1 - b0) * Hout),
      );
      zeroIdleRows(run, share, t, bw.dhValid, Hout);
      ops.product(r1 - r0, rowAt(bw.dhValid, t * N + r0, Hout), bw.whr!, rowAt(bw.dm, r0, H), false);
      dm = bw.dm;
    }
    forValidRuns(run, share, t, (b0, b1) => {
      ops.cells.lstmBackward(
        b1 - b0,
        H,
        rowAt(run.gates, t * N + b0, GH),
        rowAt(run.cs, prev * N + b0, H),
        rowAt(run.cs, next * N + b0, H),
        rowAt(dm, b0, H),
        rowAt(bw.dc, b0, H),
        rowAt(bw.da, t * N + b0, GH),
      );
    });
    zeroIdleRows(run, share, t, bw.da, GH);
    recurrentGradient(run, bw, share, t, 'zero');
  },
};

const gruSteps: WasmCellSteps = {
  forward(run, fw, share, t, prev, next) {
    const { N, H, GH } = run.sizes;
    const { ops, r0, r1 } = share;
    ops.product(r1 - r0, rowAt(run.hs, prev * N + r0, H), fw.whhT, rowAt(fw.gh, r0, GH), false);
    forValidRuns(run, share, t, (b0, b1) => {
      ops.cells.gruForward(
        b1 - b0,
        H,
        rowAt(run.gates, t * N + b0, GH),
        rowAt(fw.gh, b0, GH),
        fw.bhn,
        rowAt(run.hs, prev * N + b0, H),
        rowAt(run.hs, next * N + b0, H),
        rowAt(run.ghn, t * N + b0, H),
      );
    });
    carryStates(run, share, t, prev, next);
  },

  backward(run, bw, share, t, prev) {
    const { N, H, GH } = run.sizes;
    forValidRuns(run, share, t, (b0, b1) => {
      share.ops.cells.gruBackward(
        b1 - b0,
        H,
        rowAt(run.gates, t * N + b0, GH),
        rowAt(run.ghn, t * N + b0, H),
        rowAt(run.hs, prev * N + b0, H),
        rowAt(bw.dh, b0, H),
        rowAt(bw.da, t * N + b0, GH),
        rowAt(bw.dgh, t * N + b0, GH),
        rowAt(bw.dhPrev, b0, H),
      );
    });
    zeroIdleRows(run, share, t, bw.da, GH);
    zeroIdleRows(run, share, t, bw.dgh, GH);
    recurrentGradient(run, bw, share, t, 'written');
  },
};

function rnnSteps(relu: boolean): WasmCellSteps {
  return {
    forward(run, fw, share, t, prev, next) {
      const { N, H } = run.sizes;
      const { ops, r0, r1 } = share;
      ops.product(r1 - r0, rowAt(run.hs, prev * N + r0, H), fw.whhT, rowAt(run.gates, t * N + r0, H), true);
      const activate = relu ? ops.cells.reluForward : ops.cells.tanhForward;
      forValidRuns(run, share, t, (b0, b1) =>
        activate(b1 - b0, H, rowAt(run.gates, t * N + b0, H), rowAt(run.hs, next * N + b0, H)),
      );
      carryStates(run, share, t, prev, next);
    },

    backward(run, bw, share, t, _prev, next) {
      const { N, H } = run.sizes;
      const derive = relu ? share.ops.cells.reluBackward : share.ops.cells.tanhBackward;
      forValidRuns(run, share, t, (b0, b1) =>
        derive(b1 - b0, H, rowAt(run.hs, next * N + b0, H), rowAt(bw.dh, b0, H), rowAt(bw.da, t * N + b0, H)),
      );
      zeroIdleRows(run, share, t, bw.da, H);
      recurrentGradient(run, bw, share, t, 'zero');
    },
  };
}

/** Step drivers by cell kind. */
export const WASM_STEPS: Readonly<Record<CellKind, WasmCellSteps>> = {
  rnn_tanh: rnnSteps(false),
  rnn_relu: rnnSteps(true),
  lstm: lstmSteps,
  gru: gruSteps,
};
