import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../index.js';
import { detectFlavour, RELAXED_FLAVOUR } from './module.js';
import { WasmRuntime } from './runtime.js';
import { MARGIN, SAMPLES, sizeClassOf, ThreadChoice, TRIAL_BELOW_STEP_FLOPS } from './thread-choice.js';
import { logicalCores, threadsUnavailable, WORKER_SPIN_MS } from './threads.js';

/** A pool flag and a clock that advances by what the call says it cost on the current thread count. */
function rig(msOnOne: number, msOnTwo: number) {
  const pool = { enabled: true };
  let clock = 0;
  const seen: (1 | 2)[] = [];
  const choice = new ThreadChoice(pool, () => clock);
  const call = () => {
    const threads = pool.enabled ? 2 : 1;
    seen.push(threads);
    clock += threads === 1 ? msOnOne : msOnTwo;
    return threads;
  };
  return { pool, choice, call, seen };
}

describe('threads auto: per size class, the faster thread count by measurement', () => {
  it('keeps one thread where two are slower, after one untimed call and alternating trials', () => {
    const { pool, choice, call, seen } = rig(5.5, 7.75);
    for (let i = 0; i < 20; i++) choice.run('lstm backward', call);
    expect(seen.slice(0, 1 + 2 * SAMPLES)).toEqual([
      2,
      ...Array.from({ length: SAMPLES }, () => [1, 2]).flat(),
    ]);
    expect(seen.slice(1 + 2 * SAMPLES).every((t) => t === 1)).toBe(true);
    expect(pool.enabled).toBe(true); // restored after every call
    expect(choice.choices()).toEqual([
      { sizeClass: 'lstm backward', threads: 1, decided: true, ms1: 5.5, ms2: 7.75 },
    ]);
  });

  it('keeps two threads only when they win by the margin', () => {
    const clear = rig(10, 6);
    for (let i = 0; i < 12; i++) clear.choice.run('a', clear.call);
    expect(clear.choice.choices()[0]!.threads).toBe(2);
    const marginal = rig(10, 10 * MARGIN + 0.01);
    for (let i = 0; i < 12; i++) marginal.choice.run('a', marginal.call);
    expect(marginal.choice.choices()[0]!.threads).toBe(1);
  });

  it('decides each size class on its own and reports undecided ones as two threads', () => {
    const { choice, call } = rig(1, 2);
    for (let i = 0; i < 10; i++) choice.run('small', call);
    choice.run('other', call);
    choice.run('other', call);
    const byClass = Object.fromEntries(choice.choices().map((c) => [c.sizeClass, c]));
    expect(byClass.small).toMatchObject({ threads: 1, decided: true });
    expect(byClass.other).toMatchObject({ threads: 2, decided: false, ms1: 1, ms2: null });
  });

  it('restores two threads when a call throws on one', () => {
    const pool = { enabled: true };
    const choice = new ThreadChoice(pool);
    choice.run('x', () => 0);
    expect(() =>
      choice.run('x', () => {
        expect(pool.enabled).toBe(false);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(pool.enabled).toBe(true);
  });

  it('names size classes in half-octaves of per-step flops and rows', () => {
    expect(sizeClassOf('lstm', 'forward', 2 * 16 * 32 * 128, 16 * 128)).toBe(
      'lstm forward, 2^17 flops per step, 2^11 rows',
    );
    // Nearby sequence lengths share a class; a doubled one does not.
    expect(sizeClassOf('gru', 'backward', 1000, 16 * 100)).toBe(
      sizeClassOf('gru', 'backward', 1000, 16 * 106),
    );
    expect(sizeClassOf('gru', 'backward', 1000, 16 * 100)).not.toBe(
      sizeClassOf('gru', 'backward', 1000, 16 * 200),
    );
  });

  it.runIf(threadsUnavailable() === undefined && logicalCores() >= 2)(
    "createJsBackend() (threads 'auto') records a choice per fused size class; threads: 2 records none",
    async () => {
      const { LSTM, ops, randn, tidy, valueAndGrads } = await import('@recur/core');
      const auto = createJsBackend();
      const fixed = createJsBackend({ threads: 2 });
      expect(auto.kernelInfo.detail).toMatch(/2 threads, or 1 where measured faster \(auto\)$/);
      for (const backend of [auto, fixed]) {
        const lstm = new LSTM({ inputSize: 4, hiddenSize: 8, backend });
        const x = randn([12, 3, 4], { backend });
        const params = [...lstm.parameters()].map((p) => p.value);
        // Calls after an idle gap (the first, or after a GC pause) run on one thread outside the
        // trials: repeat until both classes are decided.
        for (let i = 0; i < 20 * (2 + 2 * SAMPLES); i++) {
          tidy(() => valueAndGrads(() => ops.sum(lstm.forward(x)[0]), params));
          if (i >= 2 + 2 * SAMPLES && backend.threadChoices().every((c) => c.decided)) break;
        }
      }
      const choices = auto.threadChoices();
      expect(choices.map((c) => c.sizeClass).sort()).toEqual([
        'lstm backward, 2^10.5 flops per step, 2^5 rows',
        'lstm forward, 2^10.5 flops per step, 2^5 rows',
      ]);
      for (const c of choices) {
        expect(c.decided).toBe(true);
        expect(c.threads === 1 || c.threads === 2).toBe(true);
        expect(c.ms1).toBeGreaterThan(0);
        expect(c.ms2).toBeGreaterThan(0);
      }
      expect(fixed.threadChoices()).toEqual([]);
      // A large per-step product (W2's 17 MFLOP) runs on two threads without trials.
      const wide = new LSTM({ inputSize: 8, hiddenSize: 256, backend: auto });
      const xw = randn([2, 32, 8], { backend: auto });
      tidy(() => wide.forward(xw));
      expect(auto.threadChoices()).toHaveLength(2);
    },
  );
});

describe('WasmRuntime.chosen with threads: auto', () => {
  // Without worker threads there is no second thread to leave asleep: the title says why it skips.
  const noThreads = threadsUnavailable();
  it.skipIf(noThreads !== undefined)(
    'runs a small call after an idle gap on one thread without waking the worker; large calls always on two' +
      (noThreads === undefined ? '' : ` (skipped: ${noThreads})`),
    async () => {
      detectFlavour();
      const rt = new WasmRuntime(RELAXED_FLAVOUR, 2, undefined, true);
      const pool = rt.threadPool!;
      const seen: boolean[] = [];
      const call = (stepFlops: number) =>
        rt.chosen(
          stepFlops,
          () => 'class',
          () => seen.push(pool.enabled),
        );
      const gap = () => new Promise((resolve) => setTimeout(resolve, 5 * WORKER_SPIN_MS));
      call(1000); // the first call comes after "forever"
      call(1000); // right after one: the size class's own choice (its first call runs as it is)
      await gap();
      call(1000);
      await gap();
      call(TRIAL_BELOW_STEP_FLOPS);
      expect(seen).toEqual([false, true, false, true]);
      expect(pool.enabled).toBe(true);
    },
  );
});
