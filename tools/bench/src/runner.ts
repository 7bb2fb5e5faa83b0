/**
 * Runs the measurements. For each workload (cheapest first), cell and mode, the contenders run group
 * by group (`host`: the Recur js backend and PyTorch; then one group per tfjs engine), and within a
 * group they alternate: every contender is warmed up, then repetition k of each is timed before
 * repetition k+1 of any, so slow drifts of a shared machine hit them alike. A tfjs engine is switched
 * only between groups, a few times per workload, never between repetitions.
 */
import { type Observed, predictStepMs, repsWithinBudget, wantsMoreWarmup } from './budget.js';
import type { ResultRow } from './results.js';
import { roundMs, summarize } from './stats.js';
import { oneLine } from './systems/backends.js';
import type { Contender, PreparedStep } from './systems/types.js';
import { type Cell, flopsPerStep, type Mode, type Workload } from './workloads.js';

/** What to run and how long it may take. */
export interface RunPlan {
  readonly contenders: readonly Contender[];
  readonly workloads: readonly Workload[];
  readonly cells: readonly Cell[];
  /** Timed repetitions; `undefined` = each workload's default. */
  readonly reps: number | undefined;
  /** Time allowed per measurement, ms; `null` = unlimited. */
  readonly budgetMs: number | null;
  /**
   * Called after a measurement of `group` failed: restarts the group's engine if the failure killed
   * it (tfjs-wasm aborts when its heap fills) and returns a note saying so, or `null` if it is healthy.
   */
  readonly recover?: (group: string) => Promise<string | null>;
}

/** Called as measurements finish, for the progress bar. */
export interface RunProgress {
  start(total: number): void;
  /** A measurement is about to start. */
  update(label: string): void;
  /** One measurement (one contender on one cell/workload/mode) is done. */
  done(row: ResultRow): void;
}

/** A prediction above this multiple of the budget skips a measurement without running it. */
const predictionMargin = 2;

interface Slot {
  contender: Contender;
  row: ResultRow;
  prepared?: PreparedStep;
  samples: number[];
  reps: number;
}

/** Spin after a settle pause, so that the next contender starts on a running CPU (see `settle`). */
const WARM_MS = 2;

/**
 * Waits `ms` asleep, so that a reference's thread pool goes idle on free cores, then `WARM_MS` busy: a
 * process that slept lets its virtual CPU halt, and whoever ran next started cold (an LSTM W1 forward
 * pass on one thread took 2.59 ms after a 12 ms sleep against 1.74 ms after a 12 ms spin and 1.60 ms
 * back to back, on the 2-core VM). Spinning through the whole pause instead kept onnxruntime's and
 * PyTorch's pools spinning longer (a third thread on two cores), and PyTorch's next step ran 3× slower.
 */
async function settle(ms: number): Promise<void> {
  await sleep(ms);
  const end = performance.now() + WARM_MS;
  while (performance.now() < end) {
    // Spin: wake this CPU up again.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many measurements a plan makes (contenders × cells × modes of each workload). */
export function countMeasurements(plan: RunPlan): number {
  return plan.workloads.reduce(
    (n, w) =>
      n +
      plan.cells.length *
        w.modes.reduce((k, mode) => k + plan.contenders.filter((c) => runs(c, mode, w)).length, 0),
    0,
  );
}

/** Whether a contender runs a mode (the inference peers run forward only) and workload (streaming: W5). */
function runs(c: Contender, mode: Mode, w: Workload): boolean {
  if (w.calls !== undefined && c.streams !== true) return false;
  return c.modes === undefined || c.modes.includes(mode);
}

/** Runs the plan and returns one row per contender, cell, workload and mode. */
export async function runPlan(plan: RunPlan, progress: RunProgress): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const history = new Map<string, Observed[]>();
  const groups = [...new Set(plan.contenders.map((c) => c.group))];
  // Cheapest first, so that larger workloads can be predicted from smaller ones.
  const order = [...plan.workloads].sort(
    (a, b) => flopsPerStep(a, 'lstm', 'forward') - flopsPerStep(b, 'lstm', 'forward'),
  );
  progress.start(countMeasurements(plan));
  for (const w of order) {
    for (const cell of plan.cells) {
      for (const mode of w.modes) {
        for (const group of groups) {
          const members = plan.contenders.filter((c) => c.group === group && runs(c, mode, w));
          if (members.length === 0) continue;
          rows.push(...(await measureWithRecovery(group, members, cell, w, mode, plan, history, progress)));
        }
      }
    }
  }
  // Report order: workloads as numbered, then cells, modes and contenders as given.
  const rank = (r: ResultRow) =>
    [
      plan.workloads.findIndex((x) => x.name === r.workload),
      plan.cells.indexOf(r.cell),
      r.mode === 'forward' ? 0 : 1,
    ] as const;
  return rows
    .map((r, i) => ({ r, i, k: rank(r) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i)
    .map((x) => x.r);
}

/**
 * Measures a group; if a failure killed the group's engine, restarts it and measures again the
 * members whose failure was only a consequence (the first to fail stays failed, with a note).
 */
async function measureWithRecovery(
  group: string,
  members: readonly Contender[],
  cell: Cell,
  w: Workload,
  mode: Mode,
  plan: RunPlan,
  history: Map<string, Observed[]>,
  progress: RunProgress,
): Promise<ResultRow[]> {
  const first = await measureGroup(members, cell, w, mode, plan, history, progress);
  if (first.culprit < 0 || plan.recover === undefined) return first.rows;
  const note = await plan.recover(group);
  if (note === null) return first.rows;
  const culprit = first.rows[first.culprit]!;
  culprit.reason = `${culprit.reason}; ${note}`;
  const again = members.filter((_, i) => i !== first.culprit && first.rows[i]!.status === 'failed');
  if (again.length === 0) return first.rows;
  const retried = await measureGroup(again, cell, w, mode, plan, history, progress, false);
  return first.rows.map((row, i) => {
    const k = again.indexOf(members[i]!);
    return k < 0 ? row : retried.rows[k]!;
  });
}

function historyKey(c: Contender, cell: Cell, mode: Mode): string {
  return `${c.system}|${c.requestedPath}|${cell}|${mode}`;
}

async function measureGroup(
  members: readonly Contender[],
  cell: Cell,
  w: Workload,
  mode: Mode,
  plan: RunPlan,
  history: Map<string, Observed[]>,
  progress: RunProgress,
  countProgress = true,
): Promise<{ rows: ResultRow[]; culprit: number }> {
  const flops = flopsPerStep(w, cell, mode);
  const requestedReps = plan.reps ?? w.defaultReps;
  // A streaming step (W5) makes `calls` calls and reports the median per call: warm-up and budget
  // count the whole step.
  const calls = w.calls ?? 1;
  const label = `${w.name} ${cell} ${mode}`;
  const slots: Slot[] = members.map((contender) => ({
    contender,
    samples: [],
    reps: 0,
    row: {
      system: contender.system,
      path: null,
      requested:
        contender.requestedPath === null ? null : contender.requestedPath === 'fused' ? 'auto' : 'composed',
      kernel: contender.kernel,
      cell,
      workload: w.name,
      mode,
      ms: null,
      gflops: null,
      status: 'ok',
      reps: 0,
      warmup: 0,
    },
  }));
  // Every member's steps are followed by the longest pause any member needs, so that each one starts
  // its steps from the same state. With the pause after the references' steps only, the member placed
  // right after Recur always ran on a busy CPU while the others ran after a sleep (onnxruntime-node on
  // one thread, in that place, measured a W1 LSTM forward pass at 0.69 ms; after a pause, 0.86 ms).
  const groupSettleMs = Math.max(0, ...slots.map((s) => s.contender.settleMs ?? 0));
  const settleAfter = async () => {
    if (groupSettleMs > 0) await settle(groupSettleMs);
  };
  let culprit = -1;
  const fail = (s: Slot, status: 'failed' | 'skipped', reason: string) => {
    s.row.status = status;
    s.row.reason = reason;
    if (status === 'failed' && culprit < 0) culprit = slots.indexOf(s);
  };

  // Prepare and warm up each contender in turn.
  for (const s of slots) {
    const c = s.contender;
    progress.update(`${label}: ${c.system}${c.requestedPath === 'composed' ? ' (composed)' : ''} warm-up`);
    if (c.unavailable !== undefined) {
      fail(s, 'skipped', c.unavailable);
      continue;
    }
    const predicted = predictStepMs(history.get(historyKey(c, cell, mode)) ?? [], flops, w.batch);
    if (
      plan.budgetMs !== null &&
      predicted !== undefined &&
      predicted.ms * calls > predictionMargin * plan.budgetMs
    ) {
      fail(
        s,
        'skipped',
        `over budget (~${Math.round(predicted.ms * calls)} ms per step, estimated from ${predicted.from})`,
      );
      continue;
    }
    try {
      s.prepared = await c.prepare(cell, w, mode);
      let elapsed = 0;
      let last = 0;
      while (wantsMoreWarmup(s.row.warmup, elapsed)) {
        last = await s.prepared.step();
        await settleAfter();
        elapsed += last * calls;
        s.row.warmup++;
        // One slow step is enough to know the budget is blown.
        if (plan.budgetMs !== null && last * calls > plan.budgetMs) break;
      }
      s.row.path = s.prepared.path();
      history.set(historyKey(c, cell, mode), [
        ...(history.get(historyKey(c, cell, mode)) ?? []),
        { flops, ms: last, workload: w.name, batch: w.batch },
      ]);
      if (plan.budgetMs !== null && last * calls > plan.budgetMs) {
        fail(s, 'skipped', `over budget (${Math.round(last * calls)} ms per step)`);
      } else {
        s.reps = repsWithinBudget(requestedReps, last * calls, plan.budgetMs);
      }
    } catch (error) {
      fail(s, 'failed', oneLine(error));
    }
  }

  // Alternate the timed repetitions.
  const maxReps = Math.max(0, ...slots.map((s) => s.reps));
  for (let k = 0; k < maxReps; k++) {
    for (const s of slots) {
      if (s.row.status !== 'ok' || k >= s.reps || s.prepared === undefined) continue;
      progress.update(`${label}: ${s.contender.system} rep ${k + 1}/${s.reps}`);
      try {
        s.samples.push(await s.prepared.step());
        await settleAfter();
      } catch (error) {
        fail(s, 'failed', oneLine(error));
      }
    }
  }

  for (const s of slots) {
    if (s.prepared !== undefined) {
      await s.prepared.dispose().catch(() => undefined);
    }
    if (s.row.status === 'ok') {
      const timing = summarize(s.samples);
      s.row.ms = { min: roundMs(timing.min), median: roundMs(timing.median), max: roundMs(timing.max) };
      s.row.reps = s.samples.length;
      s.row.gflops = Number((flops / (timing.median * 1e6)).toFixed(3));
      // Later workloads are predicted from the median, a better figure than the last warm-up step.
      const h = history.get(historyKey(s.contender, cell, mode)) ?? [];
      h[h.length - 1] = { flops, ms: timing.median, workload: w.name, batch: w.batch };
    }
    if (countProgress) progress.done(s.row);
  }
  return { rows: slots.map((s) => s.row), culprit };
}
