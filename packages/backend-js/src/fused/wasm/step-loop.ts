/**
 * The step loop of a fused sequence on the SIMD tier, over the whole batch or over two halves.
 *
 * Rows of a batch never meet inside a recurrence, so with two threads and enough rows the batch is
 * cut in two and each thread runs every step of its half: one hand-off per sequence instead of one or
 * two per step, no serial packing between them, and the gate math never waits for the other thread.
 * The step drivers record each half's calls into a program (`wasm/program.ts`) and the two programs
 * run at once. Otherwise the drivers call the kernels directly over all rows (each product then
 * splitting its panels with the worker when it is large enough).
 */

import type { WasmRuntime } from '../../wasm/runtime.js';
import type { StepShare } from './steps.js';

/**
 * Runs `step(share, s)` for s = 0 … T−1 over the batch's `N` rows: whole when `half` is 0, else rows
 * `[0, half)` and `[half, N)` on two threads (the halves of step s are recorded one after the other,
 * then `endStep(s)`). `half` comes from `WasmRuntime.splitRows`.
 */
export function runStepLoop(
  rt: WasmRuntime,
  N: number,
  T: number,
  half: number,
  step: (share: StepShare, s: number) => void,
  endStep?: (s: number) => void,
): void {
  if (half === 0) {
    const whole: StepShare = { ops: rt.directOps, r0: 0, r1: N };
    for (let s = 0; s < T; s++) {
      step(whole, s);
      endStep?.(s);
    }
    return;
  }
  const programs = rt.programs!;
  for (const program of programs) program.clear();
  const shares: StepShare[] = [
    { ops: programs[0], r0: 0, r1: half },
    { ops: programs[1], r0: half, r1: N },
  ];
  for (let s = 0; s < T; s++) {
    step(shares[0], s);
    step(shares[1], s);
    endStep?.(s);
  }
  rt.threadPool!.runPrograms(programs);
}
