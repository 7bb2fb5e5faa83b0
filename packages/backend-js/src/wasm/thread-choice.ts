/**
 * `threads: 'auto'`: whether a fused sequence call of a given size runs on two threads or one, decided
 * by timing it both ways on this machine rather than by a fixed threshold.
 *
 * Fixed size thresholds (`MIN_PARALLEL_FLOPS`, `MIN_PARALLEL_UNITS`) keep tiny products on one thread,
 * but they cannot see everything a second thread costs around a job: its hand-off, the worker spinning
 * on for a while after each job next to this thread's serial work, shared memory. On one 2-core Intel
 * machine a B16 T128 I32 H32 LSTM training step took 7.7 ms on two threads and 5.7 ms on one; on an AMD
 * one the two were equal (8.6 ms). So in `auto` mode every fused call is keyed by its size class, and
 * the first calls of each class whose steps are small ({@link TRIAL_BELOW_STEP_FLOPS}) alternate one and
 * two threads; after {@link SAMPLES} timings of each,
 * the class keeps the faster (two threads only when at least {@link MARGIN} faster, since one thread
 * leaves a core to everything else). Training and inference repeat a few shapes thousands of times, so
 * the trial calls are a negligible share; the choices are listed by {@link ThreadChoice.choices}.
 */

import type { TwoThreads } from './threads.js';

/** Timed calls per thread count before a size class is decided (so 1 + 2·2 calls: within `pnpm bench`'s warm-up). */
export const SAMPLES = 2;
/**
 * Calls whose per-step recurrent product reaches this many flops split every step with the worker and
 * gain from it on any idle pair of cores (W2: 17 MFLOP per step, 1.3–1.8×): they run on two threads
 * without trials. Below it the steps stay on one thread and only the whole-sequence products may
 * split, which is where a second thread measured slower.
 */
export const TRIAL_BELOW_STEP_FLOPS = 4_000_000;
/** Two threads are kept only when their best time is below this share of one thread's. */
export const MARGIN = 0.95;
/** Size classes remembered; calls of further classes run on two threads by the size thresholds. */
const MAX_CLASSES = 256;

/** A decided (or still measured) size class of fused calls. */
export interface ThreadChoiceRecord {
  /** e.g. `lstm backward, 2^17 flops per step, 2^11 rows`. */
  readonly sizeClass: string;
  /** The thread count this class runs on: 2 until decided. */
  readonly threads: 1 | 2;
  /** Whether the trial calls are over. */
  readonly decided: boolean;
  /** Best time (ms) seen on one thread, `null` before the first. */
  readonly ms1: number | null;
  /** Best time (ms) seen on two threads, `null` before the first. */
  readonly ms2: number | null;
}

interface SizeClass {
  calls: number;
  readonly one: number[];
  readonly two: number[];
  decided: 1 | 2 | null;
}

/** Chooses per size class between one and two threads for a runtime's {@link TwoThreads}. */
export class ThreadChoice {
  readonly #pool: Pick<TwoThreads, 'enabled'>;
  readonly #now: () => number;
  readonly #classes = new Map<string, SizeClass>();

  /** `now` is the clock (tests pass their own). */
  constructor(pool: Pick<TwoThreads, 'enabled'>, now: () => number = () => performance.now()) {
    this.#pool = pool;
    this.#now = now;
  }

  /**
   * Runs `call` (one fused sequence call of size class `sizeClass`) on the thread count chosen for it,
   * timing it while the class is still being decided.
   */
  run<T>(sizeClass: string, call: () => T): T {
    let entry = this.#classes.get(sizeClass);
    if (entry === undefined) {
      if (this.#classes.size >= MAX_CLASSES) return call();
      entry = { calls: 0, one: [], two: [], decided: null };
      this.#classes.set(sizeClass, entry);
    }
    entry.calls++;
    if (entry.decided !== null) return this.#on(entry.decided, call);
    // The first call of a class pays for allocation and compilation: run it, time nothing.
    if (entry.calls === 1) return call();
    const threads: 1 | 2 = entry.calls % 2 === 0 ? 1 : 2;
    const started = this.#now();
    const result = this.#on(threads, call);
    (threads === 1 ? entry.one : entry.two).push(this.#now() - started);
    if (entry.one.length >= SAMPLES && entry.two.length >= SAMPLES) {
      entry.decided = Math.min(...entry.two) < MARGIN * Math.min(...entry.one) ? 2 : 1;
    }
    return result;
  }

  /** Runs `call` on one thread, outside any size class's trials. */
  oneThread<T>(call: () => T): T {
    return this.#on(1, call);
  }

  /** Every size class seen so far, with its choice and the times it was made from. */
  choices(): ThreadChoiceRecord[] {
    return [...this.#classes].map(([sizeClass, c]) => ({
      sizeClass,
      threads: c.decided ?? 2,
      decided: c.decided !== null,
      ms1: c.one.length > 0 ? Math.min(...c.one) : null,
      ms2: c.two.length > 0 ? Math.min(...c.two) : null,
    }));
  }

  #on<T>(threads: 1 | 2, call: () => T): T {
    if (threads === 2) return call();
    this.#pool.enabled = false;
    try {
      return call();
    } finally {
      this.#pool.enabled = true;
    }
  }
}

/**
 * The size class of a fused call: cell, pass, and the per-step product and row count in half-octaves
 * (calls within ~40% of each other share a class, so varying sequence lengths do not each re-measure).
 */
export function sizeClassOf(
  cell: string,
  pass: 'forward' | 'backward',
  stepFlops: number,
  rows: number,
): string {
  const half = (x: number) => Math.round(2 * Math.log2(Math.max(x, 1))) / 2;
  return `${cell} ${pass}, 2^${half(stepFlops)} flops per step, 2^${half(rows)} rows`;
}
