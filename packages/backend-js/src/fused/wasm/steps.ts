/**
 * One time step of each cell kind on the SIMD tier: the recurrent product, then the emitted gate
 * kernel over each run of valid rows (forward), or the gate kernel then the product (BPTT). The math
 * is that of `fused/lstm.ts`, `fused/gru.ts` and `fused/rnn.ts`; only the loops moved into wasm.
 * Steps allocate nothing: row runs come precomputed in {@link StepRows}, buffers from the run.
 */

import type { CellKind } from '@recur/core';
import { copyFloats, type ForwardScratch, rowAt, type WasmBackward, type WasmRun } from './wasm-run.js';

/** The per-step drivers of one cell kind. */
export interface WasmCellSteps {
  /** Step t: recurrent product into the pre-activations, gate math, state slot `next`. */
  forward(run: WasmRun, fw: ForwardScratch, t: number, prev: number, next: number): void;
  /** BPTT of step t: from `bw.dh` (and `bw.dc`) writes da/dgh rows of t and the whole of `bw.dhPrev`. */
  backward(run: WasmRun, bw: WasmBackward, t: number, prev: number, next: number): void;
}

/** Rows past their length at step t: state slot `prev` passes through to `next` (h, and c for LSTM). */
function carryStates(run: WasmRun, t: number, prev: number, next: number): void {
  const { N, H, Hout } = run.sizes;
  const { idle, idleStart } = run.rows;
  for (let i = idleStart[t]; i < idleStart[t + 1]; i++) {
    const b = idle[i];
    copyFloats(run.rt, rowAt(run.hs, prev * N + b, Hout), rowAt(run.hs, next * N + b, Hout), Hout);
    if (run.cs !== 0) copyFloats(run.rt, rowAt(run.cs, prev * N + b, H), rowAt(run.cs, next * N + b, H), H);
  }
}

/** Zeroes row b of step t in `[T, N, width]` buffers (gate gradients of rows that took no part). */
function zeroIdleRows(run: WasmRun, t: number, buffer: number, width: number): void {
  const { N } = run.sizes;
  const { idle, idleStart } = run.rows;
  for (let i = idleStart[t]; i < idleStart[t + 1]; i++)
    run.rt.heap.zero(rowAt(buffer, t * N + idle[i], width), width);
}

/**
 * Finishes `dhPrev = (cell's own term) + dgh·W_hh`. For cells whose own term is zero on valid rows
 * (LSTM, RNN) the product simply overwrites when every row is valid; otherwise valid rows start from
 * zero (or from the cell's term, GRU) and rows past their length carry dh through unchanged.
 */
function recurrentGradient(run: WasmRun, bw: WasmBackward, t: number, ownTerm: 'zero' | 'written'): void {
  const { N, Hout, GH } = run.sizes;
  const { runs, runStart, idle, idleStart } = run.rows;
  const dghRow = rowAt(bw.dgh, t * N, GH);
  if (ownTerm === 'zero' && run.rows.all(t)) {
    run.rt.gemm.gemmPacked(N, dghRow, false, bw.whh, bw.dhPrev, false);
    return;
  }
  if (ownTerm === 'zero') {
    for (let i = runStart[t]; i < runStart[t + 1]; i += 2) {
      run.rt.heap.zero(rowAt(bw.dhPrev, runs[i], Hout), (runs[i + 1] - runs[i]) * Hout);
    }
  }
  for (let i = idleStart[t]; i < idleStart[t + 1]; i++) {
    copyFloats(run.rt, rowAt(bw.dh, idle[i], Hout), rowAt(bw.dhPrev, idle[i], Hout), Hout);
  }
  run.rt.gemm.gemmPacked(N, dghRow, false, bw.whh, bw.dhPrev, true);
}

const lstmSteps: WasmCellSteps = {
  forward(run, fw, t, prev, next) {
    const { N, H, Hout, GH, projected } = run.sizes;
    const { rt } = run;
    const { runs, runStart, idle, idleStart } = run.rows;
    rt.gemm.gemmPacked(N, rowAt(run.hs, prev * N, Hout), false, fw.whhT, rowAt(run.gates, t * N, GH), true);
    for (let i = runStart[t]; i < runStart[t + 1]; i += 2) {
      const b0 = runs[i];
      // Without projection m_t is h_t itself, written straight into its state slot.
      const hOut = projected ? rowAt(run.m, t * N + b0, H) : rowAt(run.hs, next * N + b0, Hout);
      rt.cells.lstmForward(
        runs[i + 1] - b0,
        H,
        rowAt(run.gates, t * N + b0, GH),
        rowAt(run.cs, prev * N + b0, H),
        rowAt(run.cs, next * N + b0, H),
        hOut,
      );
    }
    carryStates(run, t, prev, next);
    if (!projected) return;
    // m is read by dW_hr = dhᵀ·m over every row: rows past their length must hold zeros, not garbage.
    zeroIdleRows(run, t, run.m, H);
    // h_t = m_t·W_hrᵀ for every row at once, then restore the carried state of rows past their length.
    rt.gemm.gemmPacked(N, rowAt(run.m, t * N, H), false, fw.whrT!, rowAt(run.hs, next * N, Hout), false);
    for (let i = idleStart[t]; i < idleStart[t + 1]; i++) {
      const b = idle[i];
      copyFloats(rt, rowAt(run.hs, prev * N + b, Hout), rowAt(run.hs, next * N + b, Hout), Hout);
    }
  },

  backward(run, bw, t, prev, next) {
    const { N, H, Hout, GH, projected } = run.sizes;
    const { rt } = run;
    const { runs, runStart } = run.rows;
    let dm = bw.dh;
    if (projected) {
      // dW_hr needs dh_t on valid rows only; dm = dh_t·W_hr (zero on rows past their length).
      for (let i = runStart[t]; i < runStart[t + 1]; i += 2) {
        const b0 = runs[i];
        copyFloats(
          rt,
          rowAt(bw.dh, b0, Hout),
          rowAt(bw.dhValid, t * N + b0, Hout),
          (runs[i + 1] - b0) * Hout,
        );
      }
      zeroIdleRows(run, t, bw.dhValid, Hout);
      rt.gemm.gemmPacked(N, rowAt(bw.dhValid, t * N, Hout), false, bw.whr!, bw.dm, false);
      dm = bw.dm;
    }
    for (let i = runStart[t]; i < runStart[t + 1]; i += 2) {
      const b0 = runs[i];
      rt.cells.lstmBackward(
        runs[i + 1] - b0,
        H,
        rowAt(run.gates, t * N + b0, GH),
        rowAt(run.cs, prev * N + b0, H),
        rowAt(run.cs, next * N + b0, H),
        rowAt(dm, b0, H),
        rowAt(bw.dc, b0, H),
        rowAt(bw.da, t * N + b0, GH),
      );
    }
    zeroIdleRows(run, t, bw.da, GH);
    recurrentGradient(run, bw, t, 'zero');
  },
};

const gruSteps: WasmCellSteps = {
  forward(run, fw, t, prev, next) {
    const { N, H, GH } = run.sizes;
    const { rt } = run;
    const { runs, runStart } = run.rows;
    rt.gemm.gemmPacked(N, rowAt(run.hs, prev * N, H), false, fw.whhT, fw.gh, false);
    for (let i = runStart[t]; i < runStart[t + 1]; i += 2) {
      const b0 = runs[i];
      rt.cells.gruForward(
        runs[i + 1] - b0,
        H,
        rowAt(run.gates, t * N + b0, GH),
        rowAt(fw.gh, b0, GH),
        fw.bhn,
        rowAt(run.hs, prev * N + b0, H),
        rowAt(run.hs, next * N + b0, H),
        rowAt(run.ghn, t * N + b0, H),
      );
    }
    carryStates(run, t, prev, next);
  },

  backward(run, bw, t, prev) {
    const { N, H, GH } = run.sizes;
    const { rt } = run;
    const { runs, runStart } = run.rows;
    for (let i = runStart[t]; i < runStart[t + 1]; i += 2) {
      const b0 = runs[i];
      rt.cells.gruBackward(
        runs[i + 1] - b0,
        H,
        rowAt(run.gates, t * N + b0, GH),
        rowAt(run.ghn, t * N + b0, H),
        rowAt(run.hs, prev * N + b0, H),
        rowAt(bw.dh, b0, H),
        rowAt(bw.da, t * N + b0, GH),
        rowAt(bw.dgh, t * N + b0, GH),
        rowAt(bw.dhPrev, b0, H),
      );
    }
    zeroIdleRows(run, t, bw.da, GH);
    zeroIdleRows(run, t, bw.dgh, GH);
    recurrentGradient(run, bw, t, 'written');
  },
};

function rnnSteps(relu: boolean): WasmCellSteps {
  return {
    forward(run, fw, t, prev, next) {
      const { N, H } = run.sizes;
      const { rt } = run;
      const { runs, runStart } = run.rows;
      rt.gemm.gemmPacked(N, rowAt(run.hs, prev * N, H), false, fw.whhT, rowAt(run.gates, t * N, H), true);
      const activate = relu ? rt.cells.reluForward : rt.cells.tanhForward;
      for (let i = runStart[t]; i < runStart[t + 1]; i += 2) {
        const b0 = runs[i];
        activate(runs[i + 1] - b0, H, rowAt(run.gates, t * N + b0, H), rowAt(run.hs, next * N + b0, H));
      }
      carryStates(run, t, prev, next);
    },

    backward(run, bw, t, _prev, next) {
      const { N, H } = run.sizes;
      const { rt } = run;
      const { runs, runStart } = run.rows;
      const derive = relu ? rt.cells.reluBackward : rt.cells.tanhBackward;
      for (let i = runStart[t]; i < runStart[t + 1]; i += 2) {
        const b0 = runs[i];
        derive(
          runs[i + 1] - b0,
          H,
          rowAt(run.hs, next * N + b0, H),
          rowAt(bw.dh, b0, H),
          rowAt(bw.da, t * N + b0, H),
        );
      }
      zeroIdleRows(run, t, bw.da, H);
      recurrentGradient(run, bw, t, 'zero');
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
