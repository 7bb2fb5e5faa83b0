/**
 * The fused whole-sequence kernel: one direction of one recurrent layer, forward plus hand-written
 * BPTT recorded as a single tape node.
 *
 * Forward: the input projection of all T steps is one product `[T·N, I]·W_ihᵀ` (biases folded in
 * first), then each step adds `h_{t−1}·W_hhᵀ` and applies the cell's gate math in place. Weights are
 * packed once per call in the layout the step product streams. Backward: walks the steps in reverse
 * with only the recurrent product per step, and leaves every weight gradient to one product over all
 * T·N rows at the end (`daᵀ·X`, `dghᵀ·H_prev`, `dhᵀ·M`).
 */

import type { CellKind, SequenceArgs, SequenceResult, TypedArray } from '@recur/core';
import type { Engine } from '../engine.js';
import { transposeKernel } from '../ops/layout.js';
import { allocLike, type JsTensor } from '../tensor.js';
import { gruKernel } from './gru.js';
import { lstmKernel } from './lstm.js';
import { rnnReluKernel, rnnTanhKernel } from './rnn.js';
import { type BackwardRun, type CellKernel, isValid, type SequenceRun } from './run.js';
import {
  columnSums,
  foldedBias,
  type Role,
  type RoleGrads,
  recordSequence,
  sequenceSizes,
} from './shared.js';

/** The cell kinds this backend fuses, and their step math. */
export const CELL_KERNELS: Readonly<Record<CellKind, CellKernel>> = {
  rnn_tanh: rnnTanhKernel,
  rnn_relu: rnnReluKernel,
  lstm: lstmKernel,
  gru: gruKernel,
};

/** Runs one direction of one layer (see `SequenceArgs`) in plain TypeScript, as one tape node. */
export function runSequence(e: Engine, args: SequenceArgs<JsTensor>): SequenceResult<JsTensor> {
  const kernel = CELL_KERNELS[args.cell];
  const sizes = sequenceSizes(args);
  const { T, N, I, H, Hout, GH, isLstm, isGru, projected, batchFirst } = sizes;
  // The plain kernels work time-major: a batch-first call's rows are transposed in and out here.
  const x = batchFirst ? transposeKernel(args.input.data, [N, T, I], SWAP) : args.input.data;
  const gemm = e.gemm;
  const wih = args.weightIh.data;
  const whh = args.weightHh.data;
  const whr = projected ? args.weightHr!.data : null;

  // Pre-activations of the input path for all steps: biases first, then one product on top.
  const gates = allocLike(x, T * N * GH);
  const bias = foldedBias(args, GH, H, isGru);
  if (bias !== null) for (let row = 0; row < T * N; row++) gates.set(bias, row * GH);
  gemm.gemmPacked(T * N, x, 0, false, gemm.pack(wih, 0, true, I, GH), gates, 0, bias !== null);

  const first = args.reverse ? T : 0;
  const hs = allocLike(x, (T + 1) * N * Hout);
  hs.set(args.h0.data, first * N * Hout);
  const cs = isLstm ? allocLike(x, (T + 1) * N * H) : null;
  // A missing c0 means zeros, like PyTorch's default initial state.
  if (cs !== null && args.c0 !== undefined) cs.set(args.c0.data, first * N * H);

  const run: SequenceRun = {
    cell: args.cell,
    T,
    N,
    I,
    H,
    Hout,
    GH,
    reverse: args.reverse,
    lengths: args.lengths?.slice(),
    gemm,
    x,
    gates,
    hs,
    cs,
    m: projected ? allocLike(x, T * N * H) : null,
    ghn: isGru ? allocLike(x, T * N * H) : null,
    scratch: isGru ? allocLike(x, N * GH) : null,
    bhn: isGru && args.biasHh !== undefined ? args.biasHh.data.subarray(2 * H, 3 * H) : null,
    output: allocLike(x, T * N * Hout),
    whhT: gemm.pack(whh, 0, true, Hout, GH),
    whrT: whr === null ? null : gemm.pack(whr, 0, true, H, Hout),
  };

  for (let s = 0; s < T; s++) {
    const t = args.reverse ? T - 1 - s : s;
    kernel.forwardStep(run, t, args.reverse ? t + 1 : t, args.reverse ? t : t + 1);
  }

  const last = args.reverse ? 0 : T;
  const result = {
    output: batchFirst ? transposeKernel(run.output, [T, N, Hout], SWAP) : run.output,
    hn: hs.slice(last * N * Hout, (last + 1) * N * Hout),
    cn: cs === null ? null : cs.slice(last * N * H, (last + 1) * N * H),
  };
  return recordSequence(e, args, sizes, result, (dys, need) =>
    backward(run, kernel, wih, whh, whr, dys, need, batchFirst),
  );
}

/** Swaps the two leading axes of a rank-3 array (batch-first ↔ time-major). */
const SWAP = [1, 0, 2] as const;

/** BPTT over the whole sequence; returns the gradient data of every argument `need` asks for. */
function backward(
  run: SequenceRun,
  kernel: CellKernel,
  wih: TypedArray,
  whh: TypedArray,
  whr: TypedArray | null,
  dys: readonly (JsTensor | null)[],
  need: (role: Role) => boolean,
  batchFirst: boolean,
): RoleGrads {
  const { T, N, I, H, Hout, GH, x, gemm, reverse } = run;
  const TN = T * N;
  const dy = dys[0]?.data ?? null;
  const dOut = dy !== null && batchFirst ? transposeKernel(dy, [N, T, Hout], SWAP) : dy;
  const dh = allocLike(x, N * Hout);
  if (dys[1]) dh.set(dys[1].data);
  let dc: TypedArray | null = null;
  if (run.cs !== null) {
    dc = allocLike(x, N * H);
    if (dys[2]) dc.set(dys[2].data);
  }
  const da = allocLike(x, TN * GH);
  const bw: BackwardRun = {
    dh,
    dhPrev: allocLike(x, N * Hout),
    dc,
    da,
    dgh: run.cell === 'gru' ? allocLike(x, TN * GH) : da,
    dhValid: run.m === null ? null : allocLike(x, TN * Hout),
    dm: run.m === null ? null : allocLike(x, N * H),
    whr: whr === null ? null : gemm.pack(whr, 0, false, Hout, H),
  };
  const whhPacked = gemm.pack(whh, 0, false, GH, Hout);
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    if (dOut !== null) {
      for (let b = 0; b < N; b++) {
        if (!isValid(run, b, t)) continue; // padded outputs are constant zeros
        const row = (t * N + b) * Hout;
        for (let j = 0; j < Hout; j++) bw.dh[b * Hout + j] += dOut[row + j];
      }
    }
    kernel.backwardStep(run, bw, t, reverse ? t + 1 : t, reverse ? t : t + 1);
    gemm.gemmPacked(N, bw.dgh, t * N * GH, false, whhPacked, bw.dhPrev, 0, true);
    const carried = bw.dh;
    bw.dh = bw.dhPrev;
    bw.dhPrev = carried;
  }

  const grads: RoleGrads = {};
  if (need('input')) {
    grads.input = allocLike(x, TN * I);
    gemm.gemm(TN, I, GH, da, 0, false, wih, 0, false, grads.input, 0, false);
    if (batchFirst) grads.input = transposeKernel(grads.input, [T, N, I], SWAP);
  }
  if (need('h0')) grads.h0 = bw.dh;
  if (need('c0')) grads.c0 = dc!;
  if (need('weightIh')) {
    grads.weightIh = allocLike(x, GH * I);
    gemm.gemm(GH, I, TN, da, 0, true, x, 0, false, grads.weightIh, 0, false);
  }
  if (need('weightHh')) {
    // The states before steps 0 … T−1 are consecutive slots starting at slot 0 (forward) or 1 (reverse).
    grads.weightHh = allocLike(x, GH * Hout);
    const hPrev = reverse ? N * Hout : 0;
    gemm.gemm(GH, Hout, TN, bw.dgh, 0, true, run.hs, hPrev, false, grads.weightHh, 0, false);
  }
  if (need('biasIh')) grads.biasIh = columnSums(da, 0, TN, GH, x);
  if (need('biasHh')) grads.biasHh = columnSums(bw.dgh, 0, TN, GH, x);
  if (need('weightHr')) {
    grads.weightHr = allocLike(x, Hout * H);
    gemm.gemm(Hout, H, TN, bw.dhValid!, 0, true, run.m!, 0, false, grads.weightHr, 0, false);
  }
  return grads;
}
