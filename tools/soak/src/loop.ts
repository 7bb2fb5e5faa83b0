/**
 * The soak loop: runs every subject for `steps` steps, alone or interleaved one step at a time,
 * and takes a sample of each at fixed steps (about a hundred per run, between steps, after a forced
 * garbage collection). An error stops only the subject that threw; the others go on.
 */
import { oneLine } from './backends.js';
import type { NonFinite, Sample, Series } from './series.js';
import type { Subject } from './subject.js';

/** When samples are taken and lines printed. */
export interface Schedule {
  /** Sample every this many steps (and at the print steps and the last step). */
  readonly sampleEvery: number;
  /** Print a line every this many steps (and at the last step). */
  readonly printEvery: number;
}

/** About 100 samples and 10 printed lines per run. */
export function scheduleFor(steps: number): Schedule {
  const printEvery = Math.max(1, Math.round(steps / 10));
  return { printEvery, sampleEvery: Math.max(1, Math.floor(printEvery / 10)) };
}

/** Whether a sample is taken after `step`. */
export function isSampleStep(step: number, steps: number, schedule: Schedule): boolean {
  return step === steps || step % schedule.sampleEvery === 0 || step % schedule.printEvery === 0;
}

/** Whether the sample after `step` is printed. */
export function isPrintStep(step: number, steps: number, schedule: Schedule): boolean {
  return step === 0 || step === steps || step % schedule.printEvery === 0;
}

interface State {
  readonly subject: Subject;
  readonly samples: Sample[];
  nonFinite: NonFinite | null;
  error: string | null;
  trainMs: number;
  mse: number;
  ce: number;
}

/**
 * Soaks `subjects` for `steps` steps each. With `interleave`, every step runs once on each subject
 * in turn (one process, alternating backends); otherwise each runs its steps in chunks between
 * samples. `onSample` sees every sample as it is taken.
 */
export async function soak(
  subjects: readonly Subject[],
  steps: number,
  interleave: boolean,
  onSample: (backend: string, sample: Sample) => void,
): Promise<Series[]> {
  const schedule = scheduleFor(steps);
  const states: State[] = subjects.map((subject) => ({
    subject,
    samples: [],
    nonFinite: null,
    error: null,
    trainMs: 0,
    mse: Number.NaN,
    ce: Number.NaN,
  }));
  const sample = async (state: State, step: number) => {
    try {
      const probe = await state.subject.probe();
      const s: Sample = { step, ...probe, mse: state.mse, ce: state.ce, trainMs: state.trainMs };
      state.samples.push(s);
      onSample(state.subject.backend, s);
    } catch (error) {
      state.error = `probe after step ${step}: ${oneLine(error)}`;
    }
  };
  const advance = async (state: State, first: number, count: number) => {
    try {
      const r = await state.subject.run(first, count);
      state.trainMs += r.ms;
      state.mse = r.losses.mse;
      state.ce = r.losses.ce;
      if (state.nonFinite === null && r.nonFinite !== null) {
        state.nonFinite = { step: r.nonFinite.step, ...r.nonFinite.losses };
      }
    } catch (error) {
      state.error = `step ${first}${count > 1 ? `–${first + count - 1}` : ''}: ${oneLine(error)}`;
    }
  };
  const live = () => states.filter((s) => s.error === null);

  for (const state of states) await sample(state, 0);
  let done = 0;
  while (done < steps && live().length > 0) {
    let next = done + 1;
    while (!isSampleStep(next, steps, schedule)) next++;
    if (interleave) {
      for (let step = done + 1; step <= next; step++) {
        for (const state of live()) await advance(state, step, 1);
      }
    } else {
      for (const state of live()) await advance(state, done + 1, next - done);
    }
    for (const state of live()) await sample(state, next);
    done = next;
  }

  const series: Series[] = [];
  for (const state of states) {
    let detail: string;
    try {
      detail = await state.subject.detail();
    } catch (error) {
      detail = `detail unavailable: ${oneLine(error)}`;
    }
    series.push({
      backend: state.subject.backend,
      steps,
      mode: state.subject.mode,
      detail,
      samples: state.samples,
      nonFinite: state.nonFinite,
      error: state.error,
    });
  }
  return series;
}
