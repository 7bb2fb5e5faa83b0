/**
 * Issue 15's test: 20 training steps straight give bit-for-bit the weights, optimizer state and lrs of
 * 10 steps, a checkpoint, a fresh model/optimizer/scheduler/generators built from different seeds,
 * a restore, and 10 more steps. The model has dropout (a Dropout module and the LSTM's inter-layer
 * dropout, each with its own generator), batches come from a named generator plus the global one,
 * Adam has two parameter groups, and a StepLR or a OneCycleLR (which also moves Adam's betas) runs.
 */
import { createJsBackend } from '@recur/backend-js';
import {
  Adam,
  type Backend,
  backward,
  crossEntropy,
  Dropout,
  type DType,
  defaultGenerator,
  Generator,
  Linear,
  LSTM,
  lrScheduler,
  Module,
  type ModuleOptions,
  manualSeed,
  ops,
  type Tensor,
  tensor,
} from '@recur/core';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, restoreCheckpoint, writeCheckpoint } from './checkpoint.js';

const T = 5;
const N = 4;
const I = 3;
const H = 6;
const C = 3;

class Net extends Module {
  readonly lstm: LSTM;
  readonly drop: Dropout;
  readonly head: Linear;
  constructor(options: ModuleOptions, seed: number) {
    super(options);
    const on = { backend: options.backend, dtype: options.dtype };
    this.lstm = this.addModule(
      'lstm',
      new LSTM({
        inputSize: I,
        hiddenSize: H,
        numLayers: 2,
        dropout: 0.3,
        generator: new Generator(seed),
        ...on,
      }),
    );
    this.drop = this.addModule('drop', new Dropout({ p: 0.25, generator: new Generator(seed + 1), ...on }));
    this.head = this.addModule(
      'head',
      new Linear({ inFeatures: H, outFeatures: C, generator: new Generator(seed + 2), ...on }),
    );
  }
  forward(x: Tensor): Tensor {
    const [, [hn]] = this.lstm.forward(x);
    return this.head.forward(this.drop.forward(ops.index0(hn, 1)));
  }
}

type SchedulerKind = 'StepLR' | 'OneCycleLR';

interface Run {
  model: Net;
  optimizer: Adam;
  scheduler: lrScheduler.StepLR | lrScheduler.OneCycleLR;
  data: Generator;
  backend: Backend<unknown>;
  dtype: DType;
}

function build(backend: Backend<unknown>, dtype: DType, seed: number, kind: SchedulerKind): Run {
  manualSeed(seed);
  const model = new Net({ backend, dtype }, seed);
  const optimizer = new Adam(
    [
      { params: model.lstm.parameters(), lr: 0.02 },
      { params: model.head.parameters(), lr: 0.01, weightDecay: 1e-3, amsgrad: true },
    ],
    { betas: [0.85, 0.99] },
  );
  const scheduler =
    kind === 'StepLR'
      ? new lrScheduler.StepLR(optimizer, { stepSize: 4, gamma: 0.5 })
      : new lrScheduler.OneCycleLR(optimizer, { maxLr: [0.05, 0.02], totalSteps: 20 });
  return { model, optimizer, scheduler, data: new Generator(seed + 3), backend, dtype };
}

function trainStep({ model, optimizer, scheduler, data, backend, dtype }: Run): void {
  // The named generator makes the batch, the global one its noise.
  const x = Float64Array.from({ length: T * N * I }, () => data.normal() + 0.1 * defaultGenerator().normal());
  const labels = Array.from({ length: N }, () => data.int(C));
  optimizer.zeroGrad();
  const params = model.parameters();
  backward(() => crossEntropy(model.forward(tensor(x, [T, N, I], { backend, dtype })), labels), params);
  optimizer.step();
  scheduler.step();
}

/** Everything compared, as plain arrays (bit-exact comparison through toEqual's Object.is). */
function snapshot(run: Run) {
  const { model, optimizer, scheduler } = run;
  const state = optimizer.stateDict();
  return {
    weights: Object.fromEntries(
      Object.entries(model.stateDict()).map(([k, t]) => [k, Array.from(t.toArray())]),
    ),
    optimizerState: Object.fromEntries(
      Object.entries(state.state).map(([i, e]) => [
        i,
        Object.fromEntries(
          Object.entries(e).map(([k, v]) => [
            k,
            v !== null && typeof v === 'object' && 'toArray' in v ? Array.from(v.toArray()) : v,
          ]),
        ),
      ]),
    ),
    groups: state.param_groups,
    lrs: scheduler.getLastLr(),
    scheduler: scheduler.stateDict(),
    stepCount: optimizer.stepCount,
    generators: [run.data.getState(), defaultGenerator().getState(), run.model.drop.generator.getState()],
  };
}

async function backendOf(name: string): Promise<Backend<unknown>> {
  if (name === 'js') return createJsBackend();
  if (name === 'wasm') return (await import('@recur/backend-wasm')).createWasmBackend();
  return (await import('@recur/backend-tfjs-cpu')).createTfjsCpuBackend();
}

function straightVsResumed(backend: Backend<unknown>, dtype: DType, kind: SchedulerKind) {
  const straight = build(backend, dtype, 1, kind);
  for (let i = 0; i < 20; i++) trainStep(straight);
  const expected = snapshot(straight);

  const first = build(backend, dtype, 1, kind);
  for (let i = 0; i < 10; i++) trainStep(first);
  const bytes = writeCheckpoint({
    model: first.model,
    optimizer: first.optimizer,
    schedulers: [first.scheduler],
    generators: { data: first.data },
    step: 10,
    extra: { note: 'halfway' },
  });
  // Different seeds everywhere: only the checkpoint can make the rest identical.
  const resumed = build(backend, dtype, 777, kind);
  expect(snapshot(resumed).weights).not.toEqual(snapshot(first).weights);
  const checkpoint = readCheckpoint(bytes);
  expect(checkpoint.step).toBe(10);
  expect(checkpoint.extra).toEqual({ note: 'halfway' });
  restoreCheckpoint(checkpoint, {
    model: resumed.model,
    optimizer: resumed.optimizer,
    schedulers: [resumed.scheduler],
    generators: { data: resumed.data },
  });
  expect(snapshot(resumed)).toEqual(snapshot(first));
  for (let i = 0; i < 10; i++) trainStep(resumed);
  return { expected, actual: snapshot(resumed) };
}

describe('resume from a checkpoint, bit for bit (backend-js)', () => {
  const cases: [DType, SchedulerKind][] = [
    ['float32', 'StepLR'],
    ['float32', 'OneCycleLR'],
    ['float64', 'StepLR'],
    ['float64', 'OneCycleLR'],
  ];
  it.each(cases)('%s, Adam with two groups, %s: 20 steps = 10 + save + load + 10', (dtype, kind) => {
    const { expected, actual } = straightVsResumed(createJsBackend(), dtype, kind);
    expect(actual).toEqual(expected);
    // The run did train: lrs moved and the model's generators were drawn from.
    expect(expected.stepCount).toBe(20);
  });

  it('without the checkpoint the runs differ (the test can fail)', () => {
    const backend = createJsBackend();
    const a = build(backend, 'float64', 1, 'StepLR');
    for (let i = 0; i < 20; i++) trainStep(a);
    const b = build(backend, 'float64', 1, 'StepLR');
    for (let i = 0; i < 10; i++) trainStep(b);
    const c = build(backend, 'float64', 777, 'StepLR');
    const bytes = writeCheckpoint({
      model: b.model,
      optimizer: b.optimizer,
      schedulers: [b.scheduler],
      generators: { data: b.data },
    });
    const checkpoint = readCheckpoint(bytes);
    // Everything but the dropout generator of the Dropout module: the masks differ, so do the weights.
    const { 'model.drop': _dropped, ...others } = checkpoint.generators;
    c.model.drop.generator.manualSeed(5);
    restoreCheckpoint(
      { ...checkpoint, generators: { ...others, 'model.drop': new Generator(5).getState() } },
      {
        model: c.model,
        optimizer: c.optimizer,
        schedulers: [c.scheduler],
        generators: { data: c.data },
      },
    );
    for (let i = 0; i < 10; i++) trainStep(c);
    expect(snapshot(c).weights).not.toEqual(snapshot(a).weights);
  });
});

describe.each(['wasm', 'tfjs-cpu'])('resume on %s (float32)', (name) => {
  it('is deterministic, and 20 steps = 10 + save + load + 10', async () => {
    const backend = await backendOf(name);
    // One run after the other: each build seeds the global generator the batches draw from.
    const a = build(backend, 'float32', 1, 'OneCycleLR');
    for (let i = 0; i < 20; i++) trainStep(a);
    const b = build(backend, 'float32', 1, 'OneCycleLR');
    for (let i = 0; i < 20; i++) trainStep(b);
    expect(snapshot(a)).toEqual(snapshot(b));
    const { expected, actual } = straightVsResumed(backend, 'float32', 'OneCycleLR');
    expect(actual).toEqual(expected);
  }, 60_000);
});
