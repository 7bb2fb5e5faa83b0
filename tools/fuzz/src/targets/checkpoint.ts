/**
 * Fuzz target: `@recur/io`'s checkpoint reader (`readCheckpoint`, `recur-checkpoint/1` files: safetensors
 * with the optimizer, schedulers, generator states, step and extra as JSON in `__metadata__`). Samples
 * are written here by `writeCheckpoint` (no backend needed: a read checkpoint is plain data). Inputs: the
 * JSON of one metadata part mutated structurally, the whole header mutated, byte-level mutations of whole
 * files, random bytes, and the valid files.
 */
import {
  readCheckpoint,
  readSafetensors,
  WeightFileError,
  writeCheckpoint,
  writeSafetensors,
} from '@recur/io';
import fc, { type Arbitrary } from 'fast-check';
import { byteMutations } from '../byte-mutations.js';
import { randomInputs } from '../inputs.js';
import { jsonMutations } from '../json-mutations.js';
import type { FuzzTarget } from '../target.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function tensorOf(shape: number[], float64: boolean, seed: number) {
  const size = shape.reduce((n, d) => n * d, 1);
  const data = float64 ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = Math.sin(seed + i);
  return { shape, data, stored: float64 ? ('float64' as const) : ('float32' as const) };
}

function samples(): Uint8Array[] {
  const generator = (a: number) => ({
    algorithm: 'xoshiro128**' as const,
    state: [a, a + 1, 2 ** 32 - 1 - a, 7] as [number, number, number, number],
    spareNormal: a % 2 === 0 ? null : -0.25,
  });
  const full = (float64: boolean) =>
    writeCheckpoint({
      format: 'recur-checkpoint/1',
      model: {
        'lstm.weight_ih_l0': tensorOf([8, 3], float64, 1),
        'lstm.weight_hh_l0': tensorOf([8, 2], float64, 2),
        'head.bias': tensorOf([1], float64, 3),
      },
      optimizer: {
        type: 'Adam',
        stepCount: 4,
        stateDict: {
          state: {
            '0': { step: 4, exp_avg: tensorOf([8, 3], float64, 4), exp_avg_sq: tensorOf([8, 3], float64, 5) },
            '2': { step: 3, exp_avg: tensorOf([1], float64, 6), exp_avg_sq: tensorOf([1], float64, 7) },
          },
          param_groups: [
            {
              lr: 0.01,
              betas: [0.9, 0.999],
              eps: 1e-8,
              weight_decay: 0,
              amsgrad: false,
              initial_lr: 0.02,
              params: [0, 1],
            },
            {
              lr: 0.001,
              betas: [0.9, 0.999],
              eps: 1e-8,
              weight_decay: 0.1,
              amsgrad: false,
              initial_lr: 0.002,
              params: [2],
            },
          ],
        },
      },
      schedulers: [
        {
          type: 'StepLR',
          stateDict: {
            step_size: 2,
            gamma: 0.5,
            base_lrs: [0.02, 0.002],
            last_epoch: 4,
            _step_count: 5,
            _last_lr: [0.01, 0.001],
          },
        },
        {
          type: 'ReduceLROnPlateau',
          stateDict: { best: Number.POSITIVE_INFINITY, num_bad_epochs: 0, mode: 'min' },
        },
      ],
      generators: { default: generator(1), 'model.drop': generator(2), data: generator(3) },
      step: 4,
      extra: { epoch: 1, history: [0.5, Number.NaN, -0], note: 'fuzz' },
    });
  const minimal = writeCheckpoint({
    format: 'recur-checkpoint/1',
    model: { weight: tensorOf([2, 2], true, 9) },
    schedulers: [],
    generators: {},
  });
  return [full(false), full(true), minimal];
}

/** One metadata value (a part's JSON) replaced by `text`, the tensors kept. */
function withMetadata(file: Uint8Array, key: string, text: string): Uint8Array {
  const read = readSafetensors(file);
  return writeSafetensors(read.tensors, {
    metadata: { ...read.metadata, [key]: text },
    dtype: Object.values(read.tensors)[0]?.stored === 'float64' ? 'float64' : 'float32',
  });
}

function header(file: Uint8Array): Uint8Array {
  const length = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return file.subarray(8, 8 + length);
}

function reframe(file: Uint8Array, newHeader: Uint8Array): Uint8Array {
  const old = header(file);
  const data = file.subarray(8 + old.length);
  const out = new Uint8Array(8 + newHeader.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(newHeader.length), true);
  out.set(newHeader, 8);
  out.set(data, 8 + newHeader.length);
  return out;
}

function inputs(): Arbitrary<Uint8Array> {
  const files = samples();
  const full = files[0]!;
  const meta = readSafetensors(full).metadata;
  const keys = Object.keys(meta).filter((k) => k.startsWith('recur.checkpoint.'));
  // Each part's JSON mutated on its own, inside an otherwise valid file.
  const partMutations = fc.oneof(
    ...keys.map((key) =>
      jsonMutations([encoder.encode(meta[key]!)]).map((text) =>
        withMetadata(full, key, decoder.decode(text)),
      ),
    ),
  );
  const headerMutations = fc
    .tuple(fc.nat(files.length - 1), jsonMutations(files.map(header)))
    .map(([i, h]) => reframe(files[i]!, h));
  return fc.oneof(
    { arbitrary: partMutations, weight: 40 },
    { arbitrary: headerMutations, weight: 20 },
    { arbitrary: byteMutations(files), weight: 25 },
    { arbitrary: randomInputs(), weight: 10 },
    { arbitrary: fc.constantFrom(...files), weight: 5 },
  );
}

/** What `readCheckpoint` promises: every tensor (model and optimizer state) a float array of its shape's size. */
function checkAccepted(value: unknown): string | undefined {
  const c = value as ReturnType<typeof readCheckpoint>;
  const tensors: [string, { shape: readonly number[]; data: unknown }][] = Object.entries(c.model).map(
    ([k, t]) => [`model.${k}`, t],
  );
  for (const [i, entry] of Object.entries(c.optimizer?.stateDict.state ?? {})) {
    for (const [k, v] of Object.entries(entry)) {
      if (v !== null && typeof v === 'object') tensors.push([`optimizer.state.${i}.${k}`, v as never]);
      else if (v !== null && typeof v !== 'number')
        return `optimizer.state.${i}.${k}: neither a tensor, a number nor null`;
    }
  }
  for (const [name, t] of tensors) {
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `${name}: bad shape`;
    if (!(t.data instanceof Float32Array || t.data instanceof Float64Array))
      return `${name}: not a float array`;
    if (t.shape.reduce((n, d) => n * d, 1) !== t.data.length) return `${name}: size differs from shape`;
  }
  if (c.step !== undefined && !(Number.isSafeInteger(c.step) && c.step >= 0))
    return 'step: not a whole number ≥ 0';
  return undefined;
}

const target: FuzzTarget = {
  name: 'checkpoint',
  description: 'recur-checkpoint/1 training checkpoints (@recur/io readCheckpoint)',
  inputs,
  read: readCheckpoint,
  isOwnError: (error) => error instanceof WeightFileError,
  checkAccepted,
};

export default target;
