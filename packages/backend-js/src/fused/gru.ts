/**
 * GRU step math (gate order r, z, n; `b_hn` inside `r ⊙ (…)`), forward and BPTT as in docs/math.md.
 * `b_hr` and `b_hz` are folded into the input projection (only their sum with `b_ir`, `b_iz`
 * matters); `b_hn` cannot be, because r multiplies it, so `gh_n` is computed and cached per step.
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
} from './run.js';

/** GRU forward and backward steps. */
export const gruKernel: CellKernel = {
  gateCount: 3,

  forwardStep(run: SequenceRun, t: number, prev: number, next: number): void {
    const { N, H, GH, gates, hs, output, bhn } = run;
    const ghn = run.ghn!;
    const scratch = run.scratch!;
    run.gemm.gemmPacked(N, hs, prev * N * H, false, run.whhT, scratch, 0, false);
    for (let b = 0; b < N; b++) {
      const hPrev = (prev * N + b) * H;
      const hNext = (next * N + b) * H;
      if (!isValid(run, b, t)) {
        copyRow(hs, hPrev, hs, hNext, H);
        continue;
      }
      const g = (t * N + b) * GH;
      const s = b * GH;
      const row = (t * N + b) * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(gates[g + j] + scratch[s + j]);
        const z = sigmoid(gates[g + H + j] + scratch[s + H + j]);
        const ghnv = scratch[s + 2 * H + j] + (bhn === null ? 0 : bhn[j]);
        const n = Math.tanh(gates[g + 2 * H + j] + r * ghnv);
        const h = (1 - z) * n + z * hs[hPrev + j];
        gates[g + j] = r;
        gates[g + H + j] = z;
        gates[g + 2 * H + j] = n;
        ghn[row + j] = ghnv;
        hs[hNext + j] = h;
        output[row + j] = h;
      }
    }
  },

  backwardStep(run: SequenceRun, bw: BackwardRun, t: number, prev: number): void {
    const { N, H, GH, gates, hs } = run;
    const ghn = run.ghn!;
    const { dh, dhPrev, da, dgh } = bw;
    const floor = normalFloor(dh);
    for (let b = 0; b < N; b++) {
      if (!isValid(run, b, t)) {
        copyRow(dh, b * H, dhPrev, b * H, H);
        continue;
      }
      const g = (t * N + b) * GH;
      const row = (t * N + b) * H;
      const hPrev = (prev * N + b) * H;
      for (let j = 0; j < H; j++) {
        const r = gates[g + j];
        const z = gates[g + H + j];
        const n = gates[g + 2 * H + j];
        const dhv = flushBelow(dh[b * H + j], floor);
        const dan = flushBelow(dhv * (1 - z) * (1 - n * n), floor);
        const dar = flushBelow(dan * ghn[row + j] * r * (1 - r), floor);
        const daz = flushBelow(dhv * (hs[hPrev + j] - n) * z * (1 - z), floor);
        da[g + j] = dar;
        da[g + H + j] = daz;
        da[g + 2 * H + j] = dan;
        dgh[g + j] = dar;
        dgh[g + H + j] = daz;
        dgh[g + 2 * H + j] = flushBelow(dan * r, floor);
        dhPrev[b * H + j] = flushBelow(dhv * z, floor);
      }
    }
  },
};
