/**
 * One Recur benchmark step on any backend: a module with PyTorch's initialisation from a seeded
 * generator, a random batch-first input, and either a forward pass or a training step (forward +
 * `mean(out²)` + the gradient of every weight, no optimizer step), all released after each step.
 */
import {
  type AnyBackend,
  Generator,
  ops,
  type RNNBase,
  randn,
  type SequencePath,
  type Tensor,
  tidy,
  valueAndGrads,
} from '@recur/core';
import { createRecurrent } from '@recur/runner';
import type { Cell, Mode, Workload } from '../workloads.js';

/** A prepared Recur measurement: `run()` performs one step synchronously. */
export interface RecurStep {
  /** Runs one step (everything it creates is released before it returns). */
  run(): void;
  /** The implementation the last step took (`null` before the first). */
  readonly path: 'fused' | 'composed' | null;
  /** Releases the module's parameters and the input. */
  dispose(): void;
}

/** The modules' common forward signature, as far as the benchmark needs it. */
type Forward = (input: Tensor, state?: unknown) => [Tensor, unknown];

/** A module of the benchmark's kind: PyTorch's initialisation from `generator`, float32, batch-first. */
export function buildRecurModule(
  backend: AnyBackend,
  cell: Cell,
  w: Workload,
  generator: Generator,
  path: SequencePath = 'auto',
): RNNBase {
  return createRecurrent({
    cell,
    inputSize: w.inputSize,
    hidden: w.hiddenSize,
    layers: w.layers,
    batchFirst: true,
    backend,
    dtype: 'float32',
    generator,
    path,
  });
}

/** The tensors of a state (`h` or `[h, c]`). */
function stateTensors(state: unknown): Tensor[] {
  return Array.isArray(state) ? (state as Tensor[]) : state === undefined ? [] : [state as Tensor];
}

/** A prepared streaming measurement (W5): one time step per call, the state carried between calls. */
export interface RecurStream {
  /** One call: `[B, 1, I]` in, the state of the previous call carried; returns nothing. */
  call(): void;
  /** The outputs of the first `n` calls from a zero state, each `[B, 1, H]` flattened (for checks). */
  firstOutputs(n: number): Float32Array[];
  /** Starts again from a zero state. */
  reset(): void;
  readonly module: RNNBase;
  readonly input: Tensor;
  dispose(): void;
}

/** Builds a streaming measurement: a module, one `[B, 1, I]` input reused by every call, no state yet. */
export function prepareRecurStream(backend: AnyBackend, cell: Cell, w: Workload, seed = 0): RecurStream {
  const generator = new Generator(seed);
  const module = buildRecurModule(backend, cell, w, generator);
  const forward: Forward = (input, state) =>
    (module as unknown as { forward: Forward }).forward(input, state);
  const input = randn([w.batch, 1, w.inputSize], { backend, generator });
  let state: unknown;
  const release = () => {
    for (const t of stateTensors(state)) t.dispose();
    state = undefined;
  };
  const step = (): Tensor => {
    const [output, next] = forward(input, state);
    release();
    state = next;
    return output;
  };
  return {
    module,
    input,
    call() {
      step().dispose();
    },
    firstOutputs(n) {
      release();
      const out: Float32Array[] = [];
      for (let i = 0; i < n; i++) {
        const o = step();
        out.push(Float32Array.from(o.toArray() as ArrayLike<number>));
        o.dispose();
      }
      release();
      return out;
    },
    reset: release,
    dispose() {
      release();
      module.dispose();
      input.dispose();
    },
  };
}

/**
 * Builds the module and input of one measurement on `backend` (float32, batch-first). `readOutput`
 * also reads a forward step's output back, so that an asynchronous engine (webgl) has finished the
 * step when `run` returns (a training step always reads its loss).
 */
export function prepareRecurStep(
  backend: AnyBackend,
  cell: Cell,
  w: Workload,
  mode: Mode,
  path: SequencePath = 'auto',
  seed = 0,
  readOutput = false,
): RecurStep {
  const generator = new Generator(seed);
  const module = buildRecurModule(backend, cell, w, generator, path);
  const forward: Forward = (input) => (module as unknown as { forward: Forward }).forward(input);
  const input = randn([w.batch, w.steps, w.inputSize], { backend, generator });
  const weights = module.parameters().map((p) => p.value);

  const run =
    mode === 'forward'
      ? () => {
          tidy(() => {
            const [output] = forward(input);
            if (readOutput) output.toArray();
          });
        }
      : () => {
          tidy(() => {
            const { value } = valueAndGrads(() => {
              const [output] = forward(input);
              return ops.mean(ops.mul(output, output));
            }, weights);
            // Reading the loss makes sure the step has finished on engines that could defer work.
            value.item();
          });
        };
  return {
    run,
    get path() {
      return module.lastPath;
    },
    dispose() {
      module.dispose();
      input.dispose();
    },
  };
}
