/** Checkpoints: the file layout, exact JSON, checks on reading, and all-or-nothing restoring. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJsBackend } from '@recur/backend-js';
import {
  Adam,
  backward,
  Dropout,
  type DType,
  defaultGenerator,
  Generator,
  Linear,
  LSTM,
  lrScheduler,
  Module,
  type ModuleOptions,
  mseLoss,
  ops,
  SGD,
  type Tensor,
  tensor,
} from '@recur/core';
import { describe, expect, it } from 'vitest';
import { run as recur } from '../cli/run.js';
import { WeightFileError } from '../errors.js';
import { loadCheckpointFile, saveCheckpoint } from '../node.js';
import { readSafetensors } from '../safetensors/read.js';
import { writeSafetensors } from '../safetensors/write.js';
import {
  CHECKPOINT_FORMAT,
  type Checkpoint,
  loadCheckpoint,
  modelGenerators,
  readCheckpoint,
  restoreCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';

const backend = createJsBackend();

class Net extends Module {
  readonly lstm: LSTM;
  readonly drop: Dropout;
  readonly head: Linear;
  constructor(options: ModuleOptions, seed: number, hidden = 4) {
    super(options);
    const on = { backend, dtype: options.dtype };
    this.lstm = this.addModule(
      'lstm',
      new LSTM({
        inputSize: 2,
        hiddenSize: hidden,
        numLayers: 2,
        dropout: 0.2,
        generator: new Generator(seed),
        ...on,
      }),
    );
    this.drop = this.addModule('drop', new Dropout({ p: 0.5, generator: new Generator(seed + 1), ...on }));
    this.head = this.addModule(
      'head',
      new Linear({ inFeatures: hidden, outFeatures: 1, generator: new Generator(seed), ...on }),
    );
  }
  forward(x: Tensor): Tensor {
    const [, [hn]] = this.lstm.forward(x);
    return this.head.forward(this.drop.forward(ops.index0(hn, 1)));
  }
}

function build(seed: number, dtype: DType = 'float32', hidden = 4) {
  const model = new Net({ backend, dtype }, seed, hidden);
  const optimizer = new Adam([
    { params: model.lstm.parameters() },
    { params: model.head.parameters(), lr: 0.01 },
  ]);
  const plateau = new lrScheduler.ReduceLROnPlateau(optimizer, { patience: 1 });
  const step = new lrScheduler.StepLR(optimizer, { stepSize: 2 });
  const data = new Generator(seed + 9);
  const train = (steps: number) => {
    for (let i = 0; i < steps; i++) {
      const x = tensor(
        Array.from({ length: 3 * 2 * 2 }, () => data.normal()),
        [3, 2, 2],
        { backend, dtype },
      );
      optimizer.zeroGrad();
      const loss = backward(
        () => mseLoss(model.forward(x), tensor([0.5, -0.5], [2, 1], { backend, dtype })),
        model.parameters(),
      );
      optimizer.step();
      step.step();
      plateau.step(loss.item());
    }
  };
  return { model, optimizer, schedulers: [step, plateau], data, train };
}
type Run = ReturnType<typeof build>;

/** Everything a restore may change, as plain data. */
function everything(run: Run) {
  const sd = run.optimizer.stateDict();
  return {
    weights: Object.entries(run.model.stateDict()).map(([k, t]) => [k, Array.from(t.toArray())]),
    state: Object.entries(sd.state).map(([i, e]) => [
      i,
      Object.entries(e).map(([k, v]) => [
        k,
        v !== null && typeof v === 'object' && 'toArray' in v ? Array.from(v.toArray()) : v,
      ]),
    ]),
    groups: run.optimizer.paramGroups.map(({ params, ...options }) => ({
      ...options,
      params: params.length,
    })),
    stepCount: run.optimizer.stepCount,
    schedulers: run.schedulers.map((s) => s.stateDict()),
    generators: Object.fromEntries(
      Object.entries({ ...modelGenerators(run.model), data: run.data }).map(([n, g]) => [n, g.getState()]),
    ),
  };
}

const parts = (run: Run) => ({
  model: run.model,
  optimizer: run.optimizer,
  schedulers: run.schedulers,
  generators: { data: run.data },
});

function trained(seed = 1, dtype: DType = 'float32') {
  const run = build(seed, dtype);
  run.train(3);
  return run;
}

/** Rewrites the checkpoint's safetensors metadata / tensors and returns the new bytes. */
function edit(
  bytes: Uint8Array,
  change: (file: { tensors: Record<string, unknown>; metadata: Record<string, string> }) => void,
) {
  const file = readSafetensors(bytes) as unknown as {
    tensors: Record<string, never>;
    metadata: Record<string, string>;
  };
  change(file);
  const float64 = Object.values(file.tensors).some((t: { data: unknown }) => t.data instanceof Float64Array);
  return writeSafetensors(file.tensors, { metadata: file.metadata, dtype: float64 ? 'float64' : 'float32' });
}

describe('the checkpoint file', () => {
  it('is one safetensors file: prefixed tensors, JSON parts in __metadata__', () => {
    const run = trained();
    const bytes = writeCheckpoint({ ...parts(run), step: 3, extra: { epoch: 1 } });
    const file = readSafetensors(bytes);
    const names = Object.keys(file.tensors);
    expect(names).toContain('model.lstm.weight_ih_l0');
    expect(names).toContain('model.head.bias');
    expect(names).toContain('optimizer.state.0.exp_avg');
    expect(names).toContain('optimizer.state.9.exp_avg_sq');
    expect(Object.values(file.tensors).every((t) => t.stored === 'float32')).toBe(true);
    expect(file.metadata['recur.checkpoint']).toBe(CHECKPOINT_FORMAT);
    expect(Object.keys(file.metadata).sort()).toEqual([
      'format',
      'recur.checkpoint',
      'recur.checkpoint.extra',
      'recur.checkpoint.generators',
      'recur.checkpoint.optimizer',
      'recur.checkpoint.schedulers',
      'recur.checkpoint.step',
    ]);
    const optimizer = JSON.parse(file.metadata['recur.checkpoint.optimizer']!);
    expect(optimizer.type).toBe('Adam');
    expect(optimizer.state['0']).toEqual({ step: 3 });
    expect(optimizer.param_groups[1]).toMatchObject({ initial_lr: 0.01, params: [8, 9] });

    const checkpoint = readCheckpoint(bytes);
    expect(checkpoint.step).toBe(3);
    expect(checkpoint.extra).toEqual({ epoch: 1 });
    expect(checkpoint.schedulers.map((s) => s.type)).toEqual(['StepLR', 'ReduceLROnPlateau']);
    // The global generator, the LSTM's (inter-layer dropout), the Dropout's, and the named one.
    expect(Object.keys(checkpoint.generators)).toEqual(['default', 'model.lstm', 'model.drop', 'data']);
    expect(checkpoint.generators.default).toEqual(defaultGenerator().getState());
    // A checkpoint read back writes the same bytes.
    expect(writeCheckpoint(checkpoint)).toEqual(bytes);
  });

  it('stores float64 runs as F64 and keeps every number exact, ±Infinity, NaN and -0 included', () => {
    const run = build(1, 'float64');
    const bytes = writeCheckpoint({
      model: run.model,
      optimizer: run.optimizer,
      schedulers: run.schedulers,
      extra: {
        inf: Number.POSITIVE_INFINITY,
        list: [Number.NaN, -0, -Infinity, 0.1],
        nested: { deep: [[1e-310]] },
      },
    });
    expect(Object.values(readSafetensors(bytes).tensors).every((t) => t.stored === 'float64')).toBe(true);
    const checkpoint = readCheckpoint(bytes);
    // ReduceLROnPlateau's best starts at Infinity.
    expect(checkpoint.schedulers[1]!.stateDict.best).toBe(Number.POSITIVE_INFINITY);
    expect(checkpoint.extra).toEqual({
      inf: Number.POSITIVE_INFINITY,
      list: [Number.NaN, -0, -Infinity, 0.1],
      nested: { deep: [[1e-310]] },
    });
    expect(Object.is((checkpoint.extra as { list: number[] }).list[1], -0)).toBe(true);
    expect(checkpoint.optimizer?.stateDict.state).toEqual({});
  });

  it('refuses what it cannot save, naming the part', () => {
    const run = build(1);
    const cases: [object, RegExp][] = [
      [{ model: run.model, extra: { f: () => 1 } }, /checkpoint extra: extra\.f: function is not JSON data/],
      [
        { model: run.model, extra: new Float32Array(2) },
        /checkpoint extra: extra: a Float32Array is not plain JSON/,
      ],
      [{ model: run.model, step: -1 }, /checkpoint step: must be a whole number/],
      [
        { model: run.model, generators: { default: new Generator() } },
        /names default, model and model\.\* are taken/,
      ],
      [{ model: run.model, generators: { data: 3 } }, /generators\.data must be a Generator/],
      [{ model: {} }, /checkpoint model: must be a Module/],
    ];
    for (const [source, message] of cases) {
      expect(() => writeCheckpoint(source as never)).toThrow(WeightFileError);
      expect(() => writeCheckpoint(source as never)).toThrow(message);
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => writeCheckpoint({ model: run.model, extra: cycle as never })).toThrow(/a cycle/);
  });
});

describe('reading an untrusted checkpoint', () => {
  const bytes = writeCheckpoint({ ...parts(trained()), step: 3 });
  const cases: [
    string,
    (f: { tensors: Record<string, unknown>; metadata: Record<string, string> }) => void,
    RegExp,
  ][] = [
    ['no tag', (f) => delete f.metadata['recur.checkpoint'], /checkpoint format: not a Recur checkpoint/],
    [
      'another version',
      (f) => (f.metadata['recur.checkpoint'] = 'recur-checkpoint/9'),
      /unsupported format "recur-checkpoint\/9"/,
    ],
    [
      'bad JSON',
      (f) => (f.metadata['recur.checkpoint.optimizer'] = '{'),
      /checkpoint optimizer: .* is not valid JSON/,
    ],
    [
      'deep JSON',
      (f) => (f.metadata['recur.checkpoint.extra'] = `${'['.repeat(100)}${']'.repeat(100)}`),
      /checkpoint extra: .*nested deeper than 64/,
    ],
    [
      'bad $float',
      (f) => (f.metadata['recur.checkpoint.extra'] = '{"$float":"1e999"}'),
      /checkpoint extra:.*\$float/,
    ],
    [
      'stray tensor',
      (f) => (f.tensors.weights = f.tensors['model.head.bias']),
      /checkpoint tensors: tensor "weights" belongs to no part/,
    ],
    [
      'optimizer tensor, no optimizer',
      (f) => delete f.metadata['recur.checkpoint.optimizer'],
      /checkpoint optimizer: tensor "optimizer\.state\.0\.exp_avg" is stored but the checkpoint has no optimizer/,
    ],
    [
      'tensor for an unknown state',
      (f) => (f.tensors['optimizer.state.77.exp_avg'] = f.tensors['model.head.bias']),
      /state\.77 is not in recur\.checkpoint\.optimizer/,
    ],
    [
      'state both ways',
      (f) =>
        (f.metadata['recur.checkpoint.optimizer'] = f.metadata['recur.checkpoint.optimizer']!.replace(
          '"step":3',
          '"step":3,"exp_avg":1',
        )),
      /stored both as a tensor and in the JSON/,
    ],
    [
      'optimizer stepCount',
      (f) =>
        (f.metadata['recur.checkpoint.optimizer'] = f.metadata['recur.checkpoint.optimizer']!.replace(
          '"stepCount":3',
          '"stepCount":-3',
        )),
      /checkpoint optimizer: stepCount must be a whole number/,
    ],
    [
      'generator state',
      (f) =>
        (f.metadata['recur.checkpoint.generators'] =
          '{"data":{"algorithm":"xoshiro128**","state":[0,0,0,0],"spareNormal":null}}'),
      /checkpoint generators\.data: state\.state must not be all zero/,
    ],
    [
      'scheduler shape',
      (f) => (f.metadata['recur.checkpoint.schedulers'] = '[{"type":"StepLR"}]'),
      /checkpoint schedulers\[0\]: must be \{ type, stateDict \}/,
    ],
    [
      'step',
      (f) => (f.metadata['recur.checkpoint.step'] = '1.5'),
      /checkpoint step: must be a whole number ≥ 0, got 1\.5/,
    ],
  ];
  it.each(cases)('%s: a WeightFileError naming the part', (_, change, message) => {
    const damaged = edit(bytes, change);
    expect(() => readCheckpoint(damaged)).toThrow(WeightFileError);
    expect(() => readCheckpoint(damaged)).toThrow(message);
  });

  it('damaged safetensors bytes fail in the safetensors reader', () => {
    expect(() => readCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(WeightFileError);
    expect(() => readCheckpoint(new Uint8Array(3))).toThrow(/fewer than the 8-byte header length/);
  });

  it('a __proto__ key in the JSON stays a key', () => {
    const damaged = edit(
      bytes,
      (f) => (f.metadata['recur.checkpoint.extra'] = '{"__proto__":{"polluted":1}}'),
    );
    const extra = readCheckpoint(damaged).extra as Record<string, unknown>;
    expect(Object.hasOwn(extra, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('restoring, all or nothing', () => {
  it('a restore that fails leaves model, optimizer, schedulers and generators exactly as they were', () => {
    const source = trained(1);
    const bytes = writeCheckpoint(parts(source));
    const checkpoint = readCheckpoint(bytes);
    const failures: [string, (c: Checkpoint) => Checkpoint, RegExp, ((r: Run) => object)?][] = [
      // Caught by the up-front checks.
      [
        'model shape',
        (c) => c,
        /checkpoint model: "lstm\.weight_ih_l0": shape \[16, 2\] in the checkpoint, \[20, 2\]/,
        (r) => ({
          model: new Net({ backend }, 5, 5),
          optimizer: r.optimizer,
          schedulers: r.schedulers,
          generators: { data: r.data },
        }),
      ],
      [
        'missing generator',
        (c) => c,
        /no state for generator "shuffle"/,
        (r) => ({ ...parts(r), generators: { data: r.data, shuffle: new Generator() } }),
      ],
      [
        'extra generator',
        (c) => c,
        /the checkpoint has generator "data" but no such generator/,
        (r) => ({ ...parts(r), generators: {} }),
      ],
      [
        'optimizer kind',
        (c) => c,
        /checkpoint optimizer: the checkpoint holds a Adam optimizer, not a SGD/,
        (r) => ({ ...parts(r), optimizer: new SGD(r.model.parameters(), { lr: 0.1 }) }),
      ],
      [
        'scheduler kind',
        (c) => c,
        /checkpoint schedulers\[0\]: the checkpoint holds a StepLR, not a ReduceLROnPlateau/,
        (r) => ({ ...parts(r), schedulers: [...r.schedulers].reverse() }),
      ],
      [
        'scheduler count',
        (c) => c,
        /checkpoint schedulers: the checkpoint has 2 \(StepLR, ReduceLROnPlateau\) but 1 were given/,
        (r) => ({ ...parts(r), schedulers: [r.schedulers[0]!] }),
      ],
      [
        'optimizer missing',
        (c) => c,
        /has a Adam optimizer but none was given/,
        (r) => ({ model: r.model, schedulers: r.schedulers, generators: { data: r.data } }),
      ],
      // Refused by a loadStateDict after others were loaded: those are put back.
      [
        'optimizer option',
        (c) => ({
          ...c,
          optimizer: {
            ...c.optimizer!,
            stateDict: {
              ...c.optimizer!.stateDict,
              param_groups: c.optimizer!.stateDict.param_groups.map((g, i) =>
                i === 1 ? { ...g, eps: -1 } : g,
              ),
            },
          },
        }),
        /checkpoint optimizer: Adam\.loadStateDict: .*eps must be a finite number ≥ 0/,
      ],
      [
        'scheduler state',
        (c) => ({
          ...c,
          schedulers: [
            c.schedulers[0]!,
            { ...c.schedulers[1]!, stateDict: { ...c.schedulers[1]!.stateDict, patience: 'soon' } },
          ],
        }),
        /checkpoint schedulers\[1\]: ReduceLROnPlateau\.loadStateDict: patience must be/,
      ],
      [
        'model data',
        (c) => ({
          ...c,
          model: { ...c.model, 'head.bias': { ...c.model['head.bias']!, data: new Float32Array(0) } },
        }),
        /checkpoint model: Net\.loadStateDict: "head\.bias": expected 1 values, got 0/,
      ],
      [
        'generator state',
        (c) => ({
          ...c,
          generators: { ...c.generators, data: { ...c.generators.data!, spareNormal: Number.NaN } },
        }),
        /checkpoint generators\.data: state\.spareNormal must be a finite number or null/,
      ],
    ];
    for (const [name, damage, message, targets] of failures) {
      const target = trained(2); // different seeds, trained: there is state to lose
      const before = everything(target);
      const call = () => restoreCheckpoint(damage(checkpoint), (targets?.(target) ?? parts(target)) as never);
      expect(call, name).toThrow(WeightFileError);
      expect(call, name).toThrow(message);
      expect(everything(target), name).toEqual(before);
    }
  });

  it('restores everything, and with strict: false the model alone', () => {
    const source = trained(1);
    const bytes = writeCheckpoint({ ...parts(source), step: 3 });
    const target = trained(2);
    expect(loadCheckpoint(bytes, parts(target)).step).toBe(3);
    expect(everything(target)).toEqual(everything(source));

    const fresh = build(3);
    const dropBefore = fresh.model.drop.generator.getState();
    expect(() => restoreCheckpoint(readCheckpoint(bytes), { model: fresh.model })).toThrow(
      /optimizer but none was given/,
    );
    restoreCheckpoint(readCheckpoint(bytes), { model: fresh.model }, { strict: false });
    expect(everything(fresh).weights).toEqual(everything(source).weights);
    expect(fresh.model.drop.generator.getState()).not.toEqual(dropBefore);
    expect(fresh.optimizer.stepCount).toBe(0);
  });

  it('saveCheckpoint / loadCheckpointFile write and read a file by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-ckpt-'));
    try {
      const source = trained(1);
      const path = join(dir, 'run.ckpt.safetensors');
      saveCheckpoint(path, { ...parts(source), step: 3, extra: { best: 0.5 } });
      expect(readdirSync(dir)).toEqual(['run.ckpt.safetensors']);
      expect(new Uint8Array(readFileSync(path))).toEqual(
        writeCheckpoint({ ...parts(source), step: 3, extra: { best: 0.5 } }),
      );
      const target = build(2);
      expect(loadCheckpointFile(path, parts(target)).extra).toEqual({ best: 0.5 });
      expect(everything(target)).toEqual(everything(source));
      expect(loadCheckpointFile(path).step).toBe(3);

      // recur inspect says it is a checkpoint and lists its parts.
      const out: string[] = [];
      expect(
        recur(
          ['inspect', path],
          (l) => out.push(l),
          (l) => out.push(l),
        ),
      ).toBe(0);
      expect(out[0]).toMatch(/run\.ckpt\.safetensors: safetensors, 30 tensors/);
      expect(out).toContain('  optimizer.state.0.exp_avg     float32   [16, 2]');
      expect(out.slice(out.indexOf('checkpoint: recur-checkpoint/1'))).toEqual([
        'checkpoint: recur-checkpoint/1',
        '  model: 10 tensors, 293 values',
        '  optimizer: Adam, 3 steps, 2 parameter groups (lr 0.0001, 0.001), state for 10 parameters',
        '  schedulers: StepLR (last_epoch 3), ReduceLROnPlateau (last_epoch 3)',
        '  generators: default, model.lstm, model.drop, data',
        '  step: 3',
        '  extra: {"best":0.5}',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
