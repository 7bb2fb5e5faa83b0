/**
 * The benchmark's workloads (issue 5) and their analytic FLOP counts. Everything is float32 and
 * batch-first; W4 is batch-1 latency and runs forward only.
 */

/** A recurrent cell, by its Recur/PyTorch name (`rnn` is the tanh Elman RNN). */
export type Cell = 'lstm' | 'gru' | 'rnn';

/** What one step measures: a forward pass, or forward + `mean(out²)` + gradients of every weight. */
export type Mode = 'forward' | 'train';

/** One benchmark shape: batch, time steps, input features, hidden size, stacked layers. */
export interface Workload {
  readonly name: string;
  readonly batch: number;
  readonly steps: number;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly layers: number;
  /** Modes this workload runs (W4 is forward-only latency). */
  readonly modes: readonly Mode[];
  /**
   * Streaming (W5): calls per step, each one time step with the state carried from the previous call;
   * a step's time is then the median per call. Absent for whole-sequence workloads.
   */
  readonly calls?: number;
  /** Timed repetitions when `--reps` is not given (fewer for the large ones; the budget caps slow systems). Medians of two-thread runs on a shared machine need a dozen or more. */
  readonly defaultReps: number;
}

/** The extents of a workload, without its name and run settings. */
export type WorkloadShape = Pick<Workload, 'batch' | 'steps' | 'inputSize' | 'hiddenSize' | 'layers'>;

/** Every cell, in report order. */
export const cells: readonly Cell[] = ['lstm', 'gru', 'rnn'];

/** Every mode, in report order. */
export const modes: readonly Mode[] = ['forward', 'train'];

/** The workloads W1–W5, in report order. */
export const workloads: readonly Workload[] = [
  { name: 'W1', batch: 16, steps: 32, inputSize: 32, hiddenSize: 64, layers: 1, modes, defaultReps: 20 },
  { name: 'W2', batch: 32, steps: 64, inputSize: 128, hiddenSize: 256, layers: 1, modes, defaultReps: 15 },
  { name: 'W3', batch: 64, steps: 128, inputSize: 256, hiddenSize: 512, layers: 2, modes, defaultReps: 5 },
  {
    name: 'W4',
    batch: 1,
    steps: 256,
    inputSize: 64,
    hiddenSize: 128,
    layers: 1,
    modes: ['forward'],
    defaultReps: 20,
  },
  {
    name: 'W5',
    batch: 1,
    steps: 1,
    inputSize: 64,
    hiddenSize: 128,
    layers: 1,
    modes: ['forward'],
    defaultReps: 5,
    calls: 2000,
  },
];

/** The names `--workload` accepts. */
export const workloadNames = workloads.map((w) => w.name);

/** Looks a workload up by name (`W1`…`W5`); throws on an unknown name. */
export function workloadByName(name: string): Workload {
  const w = workloads.find((x) => x.name === name);
  if (w === undefined)
    throw new RangeError(`unknown workload "${name}" (expected one of ${workloadNames.join(', ')})`);
  return w;
}

/** `B16T32I32H64L2`: batch, time steps, input, hidden, optional layers (1); `x`/`_` may separate them. */
const SHAPE_SPEC = /^B(\d+)[x_]?T(\d+)[x_]?I(\d+)[x_]?H(\d+)(?:[x_]?L(\d+))?$/i;

/**
 * A workload from `--workload`: a named one (`W1`…`W4`, any case) or a shape of your own,
 * `B<batch>T<steps>I<input>H<hidden>[L<layers>]` (e.g. `B8T100I16H32L2`), which runs forward and
 * training and is named by its canonical spec. Throws a `RangeError` naming the problem otherwise.
 */
export function parseWorkload(spec: string): Workload {
  const named = workloads.find((w) => w.name === spec.toUpperCase());
  if (named !== undefined) return named;
  const m = SHAPE_SPEC.exec(spec);
  if (m === null) {
    throw new RangeError(
      `unknown workload "${spec}" (expected one of ${workloadNames.join(', ')}, or a shape like B16T32I32H64L1)`,
    );
  }
  const [batch, steps, inputSize, hiddenSize] = m.slice(1, 5).map(Number);
  const layers = m[5] === undefined ? 1 : Number(m[5]);
  const extents = { B: batch, T: steps, I: inputSize, H: hiddenSize, L: layers };
  for (const [letter, value] of Object.entries(extents)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`workload "${spec}": ${letter} must be an integer ≥ 1, got ${value}`);
    }
  }
  const shape = { batch, steps, inputSize, hiddenSize, layers };
  const name = `B${batch}T${steps}I${inputSize}H${hiddenSize}L${layers}`;
  return { name, ...shape, modes, defaultReps: defaultRepsFor(shape) };
}

/** Repetitions for a shape of your own: as many as the batched named workload closest in FLOPs. */
function defaultRepsFor(shape: WorkloadShape): number {
  const flops = flopsPerStep(shape, 'rnn', 'forward');
  const distance = (w: Workload) => Math.abs(Math.log(flopsPerStep(w, 'rnn', 'forward') / flops));
  const batched = workloads.filter((w) => w.batch > 1);
  return batched.reduce((best, w) => (distance(w) < distance(best) ? w : best)).defaultReps;
}

/** Gates per cell: G in the FLOP count. */
export const gateCount: Readonly<Record<Cell, number>> = { lstm: 4, gru: 3, rnn: 1 };

/**
 * Analytic FLOPs of one step: per time step, layer and direction `2·B·(I_l + H)·G·H` (the two
 * matrix products; elementwise work is ignored), times 3 for training (backward ≈ 2× forward).
 */
export function flopsPerStep(w: WorkloadShape, cell: Cell, mode: Mode): number {
  let forward = 0;
  for (let layer = 0; layer < w.layers; layer++) {
    const inputSize = layer === 0 ? w.inputSize : w.hiddenSize;
    forward += 2 * w.batch * (inputSize + w.hiddenSize) * gateCount[cell] * w.hiddenSize * w.steps;
  }
  return mode === 'train' ? 3 * forward : forward;
}

/** `B16 T32 I32 H64 L1`: the workload's shape in the notation. */
export function describeWorkload(w: WorkloadShape & { calls?: number }): string {
  const shape = `B${w.batch} T${w.steps} I${w.inputSize} H${w.hiddenSize} L${w.layers}`;
  return w.calls === undefined ? shape : `${shape}, ${w.calls} calls carrying the state (median per call)`;
}
