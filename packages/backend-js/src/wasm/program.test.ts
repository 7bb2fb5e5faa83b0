import { describe, expect, it } from 'vitest';
import { detectFlavour, RELAXED_FLAVOUR } from './module.js';
import { PROGRAM_FUNCTIONS, Program, RECORD_WORDS, runProgram } from './program.js';
import { WasmRuntime } from './runtime.js';

detectFlavour();

describe('step programs', () => {
  const rt = new WasmRuntime(RELAXED_FLAVOUR, 1);
  const { heap, kernels } = rt;
  const functions = PROGRAM_FUNCTIONS.map(
    (name) => kernels[name as keyof typeof kernels] as (...a: number[]) => void,
  );

  it('records a product and cell kernels, and replaying them computes what direct calls compute', () => {
    const [m, k, n] = [13, 300, 20]; // two k blocks, a partial tile, a partial panel
    const a = heap.allocF32(m * k);
    const w = heap.allocF32(k * n);
    const direct = heap.allocF32(m * n);
    const replayed = heap.allocF32(m * n);
    const copy = heap.allocF32(m * n);
    const fill = (ptr: number, count: number, seed: number) => {
      const view = heap.view(ptr, count);
      for (let i = 0; i < count; i++) view[i] = Math.sin(seed + i * 0.37);
    };
    fill(a, m * k, 1);
    fill(w, k * n, 2);
    fill(direct, m * n, 3);
    heap.write(replayed, heap.read(direct, m * n));
    const panels = rt.gemm.pack(w, false, k, n);
    rt.gemm.gemmPacked(m, a, false, panels, direct, true);
    kernels.tanhForward(m, n, direct, direct);

    const program = new Program(heap.alloc(rt.gemm.mc * 256 * 4), heap.alloc(256), rt.gemm.mc);
    program.product(m, a, panels, replayed, true);
    program.cells.tanhForward(m, n, replayed, replayed);
    program.copyRows(m, n, copy, 4 * n, replayed, 4 * n);
    // packA, macro per k block; tanh; copy. Nothing has run yet.
    expect(program.records).toBe(2 * 2 + 2);
    expect(Array.from(heap.read(copy, m * n)).every((x) => x === 0)).toBe(true);
    runProgram(functions, program.words, 0, program.records);
    expect(heap.read(replayed, m * n)).toEqual(heap.read(direct, m * n));
    expect(heap.read(copy, m * n)).toEqual(heap.read(direct, m * n));
    program.clear();
    expect(program.records).toBe(0);
    rt.gemm.free(panels);
    heap.free(program.aBlock);
  });

  it('grows past its first buffer, keeping every record, and zeroes through zeroInto', () => {
    const program = new Program(64, 128, rt.gemm.mc);
    for (let i = 0; i < 1000; i++) program.zero(4096 + 4 * i, i + 1);
    expect(program.records).toBe(1000);
    const words = program.words;
    expect(words.length).toBe(1000 * RECORD_WORDS);
    const zeroInto = PROGRAM_FUNCTIONS.indexOf('zeroInto');
    expect(Array.from(words.subarray(999 * RECORD_WORDS, 999 * RECORD_WORDS + 4))).toEqual([
      zeroInto,
      1,
      1000,
      4096 + 4 * 999,
    ]);
  });
});

describe('splitting a sequence batch between two threads', () => {
  it('splits only with two threads, at least one tile per half and enough work', () => {
    const one = new WasmRuntime(RELAXED_FLAVOUR, 1);
    expect(one.splitRows(64, 1e9)).toBe(0);
    const two = new WasmRuntime(RELAXED_FLAVOUR, 2);
    const mr = RELAXED_FLAVOUR.mr;
    expect(two.splitRows(2 * mr, 1e9)).toBe(mr);
    expect(two.splitRows(2 * mr - 1, 1e9)).toBe(0);
    expect(two.splitRows(33, 1e9)).toBe(16);
    expect(two.splitRows(64, 1e3)).toBe(0);
    two.threadPool!.enabled = false; // threads: 'auto' measured one thread faster for this call
    expect(two.splitRows(64, 1e9)).toBe(0);
  });
});
