/**
 * Elman RNN step math, `h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)`. The backward needs only h_t:
 * tanh' = 1 − h², and relu'(a) = [a > 0] = [h > 0] (so relu'(0) = 0, as in PyTorch).
 */

import type { TypedArray } from '@recur/core';
import {
  type BackwardRun,
  type CellKernel,
  copyRow,
  flushBelow,
  isValid,
  normalFloor,
  type SequenceRun,
} from './run.js';

/** RNN forward and backward steps for `act` = tanh or relu. */
function rnnKernel(relu: boolean): CellKernel {
  return {
    gateCount: 1,

    forwardStep(run: SequenceRun, t: number, prev: number, next: number): void {
      const { N, H, gates, hs, output } = run;
      const gOff = t * N * H;
      run.gemm.gemmPacked(N, hs, prev * N * H, false, run.whhT, gates, gOff, true);
      for (let b = 0; b < N; b++) {
        const hNext = (next * N + b) * H;
        if (!isValid(run, b, t)) {
          copyRow(hs, (prev * N + b) * H, hs, hNext, H);
          continue;
        }
        // With one gate, pre-activation row (t, b) and output row (t, b) share an offset.
        const row = gOff + b * H;
        if (relu) activateRelu(gates, row, hs, hNext, output, H);
        else activateTanh(gates, row, hs, hNext, output, H);
      }
    },

    backwardStep(run: SequenceRun, bw: BackwardRun, t: number, _prev: number, next: number): void {
      const { N, H, hs } = run;
      const { dh, dhPrev, da } = bw;
      const floor = normalFloor(dh);
      for (let b = 0; b < N; b++) {
        if (!isValid(run, b, t)) {
          copyRow(dh, b * H, dhPrev, b * H, H);
          continue;
        }
        const row = (t * N + b) * H;
        const hNext = (next * N + b) * H;
        for (let j = 0; j < H; j++) {
          const h = hs[hNext + j];
          const d = flushBelow(dh[b * H + j], floor);
          da[row + j] = relu ? (h > 0 ? d : 0) : flushBelow(d * (1 - h * h), floor);
          dhPrev[b * H + j] = 0;
        }
      }
    },
  };
}

function activateTanh(
  a: TypedArray,
  from: number,
  hs: TypedArray,
  to: number,
  out: TypedArray,
  H: number,
): void {
  const o = to - from;
  for (let j = from; j < from + H; j++) {
    const h = Math.tanh(a[j]);
    hs[j + o] = h;
    out[j] = h;
  }
}

function activateRelu(
  a: TypedArray,
  from: number,
  hs: TypedArray,
  to: number,
  out: TypedArray,
  H: number,
): void {
  const o = to - from;
  for (let j = from; j < from + H; j++) {
    const h = Math.max(a[j], 0);
    hs[j + o] = h;
    out[j] = h;
  }
}

/** `rnn_tanh` steps. */
export const rnnTanhKernel: CellKernel = rnnKernel(false);
/** `rnn_relu` steps. */
export const rnnReluKernel: CellKernel = rnnKernel(true);
