/**
 * The fused sequence on the SIMD tier (float32): the same algorithm as `fused/sequence.ts`, with
 * every buffer resident in wasm memory from the input projection to the end of BPTT.
 *
 * Per call, the input is copied in once and the weights come packed from the runtime's cache (packed
 * once per weight tensor, see `wasm/packed-weights.ts`); each step then
 * runs one product and one gate kernel without leaving wasm memory and without allocating. The
 * forward caches stay resident until the tape releases the node (after its backward, or at once when
 * nothing is being differentiated), so memory returns to the allocator for the next call.
 */

import type { SequenceArgs, SequenceResult } from '@recur/core';
import type { Engine } from '../../engine.js';
import type { JsTensor } from '../../tensor.js';
import { HeapScope } from '../../wasm/heap.js';
import type { WasmRuntime } from '../../wasm/runtime.js';
import { sizeClassOf } from '../../wasm/thread-choice.js';
import { recordSequence, type SequenceSizes, sequenceSizes } from '../shared.js';
import { wasmBackward } from './backward.js';
import { readBatchFirst, writeTimeMajor } from './layout.js';
import { runStepLoop } from './step-loop.js';
import { type StepShare, WASM_STEPS } from './steps.js';
import { type ForwardScratch, rowAt, StepRows, type WasmRun } from './wasm-run.js';

/** Runs one direction of one layer in the wasm kernels (float32 arguments only), as one tape node. */
export function runWasmSequence(
  e: Engine,
  rt: WasmRuntime,
  args: SequenceArgs<JsTensor>,
): SequenceResult<JsTensor> {
  const sizes = sequenceSizes(args);
  return rt.chosen(
    stepFlops(sizes),
    () => fusedSizeClass(args.cell, 'forward', sizes),
    () => forwardOn(e, rt, args, sizes),
  );
}

/** Flops of one step's recurrent product. */
function stepFlops(sizes: SequenceSizes): number {
  return 2 * sizes.N * sizes.Hout * sizes.GH;
}

/** The size class `threads: 'auto'` decides by: per-step recurrent product and rows of the sequence. */
function fusedSizeClass(cell: string, pass: 'forward' | 'backward', sizes: SequenceSizes): string {
  return sizeClassOf(cell, pass, stepFlops(sizes), sizes.T * sizes.N);
}

function forwardOn(
  e: Engine,
  rt: WasmRuntime,
  args: SequenceArgs<JsTensor>,
  sizes: SequenceSizes,
): SequenceResult<JsTensor> {
  const { T, N, I, H, Hout, GH, isLstm, isGru, projected } = sizes;
  const { heap, gemm } = rt;
  const steps = WASM_STEPS[args.cell];
  rt.threadPool?.wake();
  const caches = new HeapScope(heap);
  const scratch = new HeapScope(heap);
  try {
    // Allocate everything first: the float32 view is only stable between allocations.
    const [x, gates, hs, cs, m, ghn] = caches.f32s([
      T * N * I,
      T * N * GH,
      (T + 1) * N * Hout,
      isLstm ? (T + 1) * N * H : 0,
      projected ? T * N * H : 0,
      isGru ? T * N * H : 0,
    ]);
    const run: WasmRun = {
      cell: args.cell,
      sizes,
      reverse: args.reverse,
      rows: StepRows.of(T, N, args.lengths),
      rt,
      caches,
      x,
      gates,
      hs,
      cs: isLstm ? cs : 0,
      m: projected ? m : 0,
      ghn: isGru ? ghn : 0,
    };
    const [gh, bhn] = isGru ? scratch.f32s([N * GH, H]) : [0, 0];
    if (sizes.batchFirst) writeTimeMajor(rt, run.x, args.input.data as Float32Array, T, N, I);
    else heap.write(run.x, args.input.data as Float32Array);
    if (isGru) {
      if (args.biasHh !== undefined)
        heap.write(bhn, (args.biasHh.data as Float32Array).subarray(2 * H, 3 * H));
      else heap.zero(bhn, H);
    }

    // Split between two threads, each half projects its own rows step by step (below), while they
    // are hot in cache; otherwise one product over all T·N rows. Either way on top of the bias row,
    // broadcast by copyRows.
    const half = rt.splitRows(N, T * stepFlops(sizes));
    // Weights come packed from the runtime's cache (packed on first use, freed with their tensor).
    const wihT = rt.weights.get(args.weightIh, true, I, GH);
    const biasRow = writeFoldedBias(rt, scratch, args, GH, H, isGru);
    if (half === 0) {
      if (biasRow !== 0) rt.kernels.copyRows(T * N, GH, run.gates, 4 * GH, biasRow, 0);
      gemm.gemmPacked(T * N, run.x, false, wihT, run.gates, biasRow !== 0);
    }
    /** The input path of step t for the share's rows: the bias broadcast, then `x_t·W_ihᵀ` on top. */
    const project = ({ ops, r0, r1 }: StepShare, t: number) => {
      const gates = rowAt(run.gates, t * N + r0, GH);
      if (biasRow !== 0) ops.copyRows(r1 - r0, GH, gates, 4 * GH, biasRow, 0);
      ops.product(r1 - r0, rowAt(run.x, t * N + r0, I), wihT, gates, biasRow !== 0);
    };

    const first = args.reverse ? T : 0;
    heap.write(rowAt(run.hs, first * N, Hout), args.h0.data as Float32Array);
    if (isLstm) {
      // A missing c0 means zeros, like PyTorch's default initial state.
      if (args.c0 !== undefined) heap.write(rowAt(run.cs, first * N, H), args.c0.data as Float32Array);
      else heap.zero(rowAt(run.cs, first * N, H), N * H);
    }

    const whhT = rt.weights.get(args.weightHh, true, Hout, GH);
    const whrT = projected ? rt.weights.get(args.weightHr!, true, H, Hout) : null;
    const fw: ForwardScratch = { whhT, whrT, gh, bhn };
    runStepLoop(rt, N, T, half, (share, s) => {
      const t = args.reverse ? T - 1 - s : s;
      if (half > 0) project(share, t);
      steps.forward(run, fw, share, t, args.reverse ? t + 1 : t, args.reverse ? t : t + 1);
    });
    scratch.release();
    const result = readResults(run);
    return recordSequence(
      e,
      args,
      sizes,
      result,
      (dys, need) =>
        rt.chosen(
          stepFlops(sizes),
          () => fusedSizeClass(args.cell, 'backward', sizes),
          () => wasmBackward(run, args, dys, need),
        ),
      () => caches.release(),
    );
  } catch (error) {
    scratch.release();
    caches.release();
    throw error;
  }
}

/**
 * `b_ih + b_hh` (GRU: without `b_hn`, which stays inside `r ⊙ (…)`) as one row in wasm memory, or 0
 * when there is no bias. Summed by the `addInto` kernel rather than a JavaScript loop over arrays of
 * either float type and a copy in: same-process A/B, a streaming call (W5) went 21.4 → 20.6 µs (GRU)
 * and 15.6 → 14.2 µs (RNN), LSTM within noise.
 */
function writeFoldedBias(
  rt: WasmRuntime,
  scratch: HeapScope,
  args: SequenceArgs<JsTensor>,
  GH: number,
  H: number,
  isGru: boolean,
): number {
  const { biasIh, biasHh } = args;
  if (biasIh === undefined && biasHh === undefined) return 0;
  const width = isGru ? 2 * H : GH;
  const [row, hh] = scratch.f32s([GH, biasHh !== undefined ? width : 0]);
  if (biasIh !== undefined) rt.heap.write(row, biasIh.data as Float32Array);
  else rt.heap.zero(row, GH);
  if (biasHh !== undefined) {
    rt.heap.write(hh, (biasHh.data as Float32Array).subarray(0, width));
    rt.kernels.addInto(1, width, row, hh);
  }
  return row;
}

/** Copies output, hn and cn out of wasm memory; padded output rows are zeros. */
function readResults(run: WasmRun): { output: Float32Array; hn: Float32Array; cn: Float32Array | null } {
  const { T, N, H, Hout } = run.sizes;
  const { heap } = run.rt;
  const last = run.reverse ? 0 : T;
  const states = {
    hn: heap.read(rowAt(run.hs, last * N, Hout), N * Hout),
    cn: run.cs === 0 ? null : heap.read(rowAt(run.cs, last * N, H), N * H),
  };
  // Output row t is state slot next(t): slots 1 … T forward, 0 … T−1 reverse, consecutive either way.
  const first = rowAt(run.hs, run.reverse ? 0 : N, Hout);
  const { batchFirst } = run.sizes;
  const output = batchFirst ? readBatchFirst(run.rt, first, T, N, Hout) : heap.read(first, T * N * Hout);
  const { idle, idleStart } = run.rows;
  for (let t = 0; t < T; t++) {
    for (let i = idleStart[t]; i < idleStart[t + 1]; i++) {
      const row = batchFirst ? idle[i] * T + t : t * N + idle[i];
      output.fill(0, row * Hout, (row + 1) * Hout);
    }
  }
  return { output, ...states };
}
