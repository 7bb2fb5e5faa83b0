/**
 * BPTT of a fused sequence on the SIMD tier, over the forward's wasm-resident caches. Same algorithm
 * as the plain path (`fused/sequence.ts`): per step one gate kernel and one product `dgh·W_hh`; the
 * weight gradients are single products over all T·N rows at the end, with the transposed operands
 * (`daᵀ`, `dghᵀ`) read in place by the packing routine rather than materialised.
 */

import type { SequenceArgs } from '@recur/core';
import type { JsTensor } from '../../tensor.js';
import { HeapScope } from '../../wasm/heap.js';
import type { Role, RoleGrads } from '../shared.js';
import { readBatchFirst, writeTimeMajor } from './layout.js';
import { runStepLoop } from './step-loop.js';
import { forValidRuns, WASM_STEPS } from './steps.js';
import { rowAt, type WasmBackward, type WasmRun } from './wasm-run.js';

/** Gradients of the arguments `need` asks for; frees the forward caches when done. */
export function wasmBackward(
  run: WasmRun,
  args: SequenceArgs<JsTensor>,
  dys: readonly (JsTensor | null)[],
  need: (role: Role) => boolean,
): RoleGrads {
  const { T, N, H, Hout, GH, isLstm, isGru, projected } = run.sizes;
  const { rt } = run;
  const { heap } = rt;
  const TN = T * N;
  const steps = WASM_STEPS[run.cell];
  rt.threadPool?.wake();
  const scope = new HeapScope(heap);
  try {
    const dOut = dys[0] === null ? 0 : scope.f32(TN * Hout);
    if (dOut !== 0) {
      const dy = dys[0]!.data as Float32Array;
      if (run.sizes.batchFirst) writeTimeMajor(rt, dOut, dy, T, N, Hout);
      else heap.write(dOut, dy);
    }
    const da = scope.f32(TN * GH);
    const bw: WasmBackward = {
      dh: scope.f32(N * Hout),
      dhPrev: scope.f32(N * Hout),
      dc: isLstm ? scope.f32(N * H) : 0,
      da,
      dgh: isGru ? scope.f32(TN * GH) : da,
      dhValid: projected ? scope.f32(TN * Hout) : 0,
      dm: projected ? scope.f32(N * H) : 0,
      // Packed by the runtime's cache, as in the forward pass (freed with the weight tensors).
      whh: rt.weights.get(args.weightHh, false, GH, Hout),
      whr: projected ? rt.weights.get(args.weightHr!, false, Hout, H) : null,
    };
    writeOrZero(run, bw.dh, dys[1], N * Hout);
    if (isLstm) writeOrZero(run, bw.dc, dys[2], N * H);
    // BPTT runs the steps backwards: loop index s is step T − 1 − s.
    const stepOf = (s: number) => (run.reverse ? s : T - 1 - s);
    runStepLoop(
      rt,
      N,
      T,
      rt.splitRows(N, 2 * T * N * Hout * GH),
      (share, s) => {
        const t = stepOf(s);
        if (dOut !== 0) {
          // Padded outputs are constant zeros: only valid rows receive the output gradient.
          forValidRuns(run, share, t, (b0, b1) =>
            share.ops.cells.addInto(b1 - b0, Hout, rowAt(bw.dh, b0, Hout), rowAt(dOut, t * N + b0, Hout)),
          );
        }
        steps.backward(run, bw, share, t, run.reverse ? t + 1 : t, run.reverse ? t : t + 1);
      },
      () => {
        const carried = bw.dh;
        bw.dh = bw.dhPrev;
        bw.dhPrev = carried;
      },
    );
    return weightGradients(run, args, bw, scope, need);
  } finally {
    scope.release();
    // The caches are no longer needed: free them now rather than at the end of the session.
    run.caches.release();
  }
}

/** Copies a state gradient into wasm memory, or zeros when nothing depended on that output. */
function writeOrZero(run: WasmRun, ptr: number, dy: JsTensor | null | undefined, count: number): void {
  if (dy) run.rt.heap.write(ptr, dy.data as Float32Array);
  else run.rt.heap.zero(ptr, count);
}

/** The products over all T·N rows, and the copies out of wasm memory. */
function weightGradients(
  run: WasmRun,
  args: SequenceArgs<JsTensor>,
  bw: WasmBackward,
  scope: HeapScope,
  need: (role: Role) => boolean,
): RoleGrads {
  const { T, N, I, H, Hout, GH } = run.sizes;
  const { heap, gemm } = run.rt;
  const TN = T * N;
  const grads: RoleGrads = {};
  // One output buffer per product, copied out right after it is computed.
  const product = (count: number, compute: (out: number) => void): Float32Array => {
    const out = scope.f32(count);
    compute(out);
    return heap.read(out, count);
  };
  if (need('input')) {
    const wih = scope.f32(GH * I);
    heap.write(wih, args.weightIh.data as Float32Array);
    const dx = scope.f32(TN * I);
    gemm.gemm(TN, I, GH, bw.da, false, wih, false, dx, false);
    // dx leaves in the caller's layout (rows past a length hold zeros either way: their da is zero).
    grads.input = run.sizes.batchFirst ? readBatchFirst(run.rt, dx, T, N, I) : heap.read(dx, TN * I);
  }
  if (need('h0')) grads.h0 = heap.read(bw.dh, N * Hout);
  if (need('c0')) grads.c0 = heap.read(bw.dc, N * H);
  if (need('weightIh')) {
    grads.weightIh = product(GH * I, (out) => gemm.gemm(GH, I, TN, bw.da, true, run.x, false, out, false));
  }
  if (need('weightHh')) {
    // The states before steps 0 … T−1 are consecutive slots starting at slot 0 (forward) or 1 (reverse).
    const hPrev = rowAt(run.hs, run.reverse ? N : 0, Hout);
    grads.weightHh = product(GH * Hout, (out) =>
      gemm.gemm(GH, Hout, TN, bw.dgh, true, hPrev, false, out, false),
    );
  }
  const sums = (rows: number): Float32Array => {
    const acc = scope.f32(2 * GH); // GH float64 values
    return product(GH, (out) => run.rt.kernels.columnSums(TN, GH, rows, acc, out));
  };
  if (need('biasIh')) grads.biasIh = sums(bw.da);
  if (need('biasHh')) grads.biasHh = sums(bw.dgh);
  if (need('weightHr')) {
    grads.weightHr = product(Hout * H, (out) =>
      gemm.gemm(Hout, H, TN, bw.dhValid, true, run.m, false, out, false),
    );
  }
  return grads;
}
