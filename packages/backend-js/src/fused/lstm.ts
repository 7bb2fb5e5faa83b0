/**
 * LSTM step math (gate order i, f, g, o; optional projection `h = m·W_hrᵀ`), forward and BPTT as in
 * docs/math.md. The forward overwrites each step's pre-activations with (i, f, g, o), which with the cell
 * states is all the backward needs; tanh(c_t) is recomputed rather than stored.
 */

import { sigmoid } from '../ops/unary.js';
import {
  type BackwardRun,
  type CellKernel,
  copyRow,
  flushBelow,
  isValid,
  normalFloor,
  type SequenceRun,
  zeroRow,
} from './run.js';

/** LSTM forward and backward steps. */
export const lstmKernel: CellKernel = {
  gateCount: 4,

  forwardStep(run: SequenceRun, t: number, prev: number, next: number): void {
    const { N, H, Hout, GH, gates, hs, output, m, gemm } = run;
    const cs = run.cs!;
    const projected = m !== null;
    const gOff = t * N * GH;
    gemm.gemmPacked(N, hs, prev * N * Hout, false, run.whhT, gates, gOff, true);
    for (let b = 0; b < N; b++) {
      const cPrev = (prev * N + b) * H;
      const cNext = (next * N + b) * H;
      const hNext = (next * N + b) * Hout;
      if (!isValid(run, b, t)) {
        copyRow(cs, cPrev, cs, cNext, H);
        if (!projected) copyRow(hs, (prev * N + b) * Hout, hs, hNext, Hout);
        continue;
      }
      const g = gOff + b * GH;
      const out = (t * N + b) * Hout;
      const mRow = (t * N + b) * H;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(gates[g + j]);
        const f = sigmoid(gates[g + H + j]);
        const gg = Math.tanh(gates[g + 2 * H + j]);
        const o = sigmoid(gates[g + 3 * H + j]);
        gates[g + j] = i;
        gates[g + H + j] = f;
        gates[g + 2 * H + j] = gg;
        gates[g + 3 * H + j] = o;
        const c = f * cs[cPrev + j] + i * gg;
        cs[cNext + j] = c;
        const mv = o * Math.tanh(c);
        if (projected) {
          m[mRow + j] = mv;
        } else {
          hs[hNext + j] = mv;
          output[out + j] = mv;
        }
      }
    }
    if (!projected) return;
    // h_t = m_t·W_hrᵀ for every row at once, then restore the carried state of invalid rows.
    gemm.gemmPacked(N, m, t * N * H, false, run.whrT!, hs, next * N * Hout, false);
    for (let b = 0; b < N; b++) {
      const hNext = (next * N + b) * Hout;
      if (isValid(run, b, t)) copyRow(hs, hNext, output, (t * N + b) * Hout, Hout);
      else copyRow(hs, (prev * N + b) * Hout, hs, hNext, Hout);
    }
  },

  backwardStep(run: SequenceRun, bw: BackwardRun, t: number, prev: number, next: number): void {
    const { N, H, Hout, GH, gates, gemm } = run;
    const cs = run.cs!;
    const { dh, dhPrev, da } = bw;
    const dc = bw.dc!;
    let dm = dh;
    if (run.m !== null) {
      // dW_hr needs dh_t on valid rows only; dm = dh_t·W_hr (zero on invalid rows).
      const dhValid = bw.dhValid!;
      const base = t * N * Hout;
      for (let b = 0; b < N; b++) {
        if (isValid(run, b, t)) copyRow(dh, b * Hout, dhValid, base + b * Hout, Hout);
      }
      gemm.gemmPacked(N, dhValid, base, false, bw.whr!, bw.dm!, 0, false);
      dm = bw.dm!;
    }
    const dmWidth = run.m !== null ? H : Hout;
    const floor = normalFloor(dc);
    for (let b = 0; b < N; b++) {
      if (!isValid(run, b, t)) {
        // The state passed through unchanged: so does its gradient (dc stays as it is).
        copyRow(dh, b * Hout, dhPrev, b * Hout, Hout);
        continue;
      }
      zeroRow(dhPrev, b * Hout, Hout);
      const g = t * N * GH + b * GH;
      const cNext = (next * N + b) * H;
      const cPrev = (prev * N + b) * H;
      const dmRow = b * dmWidth;
      for (let j = 0; j < H; j++) {
        const i = gates[g + j];
        const f = gates[g + H + j];
        const gg = gates[g + 2 * H + j];
        const o = gates[g + 3 * H + j];
        const tc = Math.tanh(cs[cNext + j]);
        const dmv = flushBelow(dm[dmRow + j], floor);
        const dcv = dc[b * H + j] + dmv * o * (1 - tc * tc);
        da[g + j] = flushBelow(dcv * gg * i * (1 - i), floor);
        da[g + H + j] = flushBelow(dcv * cs[cPrev + j] * f * (1 - f), floor);
        da[g + 2 * H + j] = flushBelow(dcv * i * (1 - gg * gg), floor);
        da[g + 3 * H + j] = flushBelow(dmv * tc * o * (1 - o), floor);
        dc[b * H + j] = flushBelow(dcv * f, floor);
      }
    }
  },
};
