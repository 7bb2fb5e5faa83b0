/**
 * A bit-exact picture of what a failed call must not change: every parameter's value and gradient,
 * every optimizer's state, step counts and learning rate, and the live-tensor count of every backend.
 * Reading it creates no tensor (values are copied to the host through `toArray`).
 */
import type { AnyBackend, Tensor } from '@recur/core';
import { Tensor as TensorClass } from '@recur/core';
import type { AnyOptimizer, BadInputWorld } from './types.js';

/** A tensor's identity and bytes, or why it could not be read. */
interface TensorPicture {
  readonly tensor: Tensor;
  readonly shape: string;
  readonly bytes?: Uint8Array;
  readonly values?: readonly number[];
  readonly unreadable?: string;
}

/** One optimizer's counters and, per parameter index, its state (numbers and tensors by key). */
interface OptimizerPicture {
  readonly name: string;
  readonly lr: number;
  readonly stepCount: number;
  readonly state: (Map<string, number | TensorPicture | undefined> | undefined)[];
}

/** Everything {@link compareSnapshots} compares. */
export interface Snapshot {
  readonly parameters: Map<string, { value: TensorPicture; grad: TensorPicture | null }>;
  readonly optimizers: OptimizerPicture[];
  readonly live: Map<AnyBackend, number>;
}

function picture(t: Tensor): TensorPicture {
  const shape = `[${t.shape.join(', ')}] ${t.dtype} on ${t.backend.name}`;
  if (t.isDisposed) return { tensor: t, shape, unreadable: 'disposed' };
  try {
    const values = t.toArray();
    // A copy of the raw bytes: bit-exact, so −0 ≠ 0 and one NaN payload ≠ another would show.
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
    return { tensor: t, shape, bytes, values: Array.from(values) };
  } catch (error) {
    return { tensor: t, shape, unreadable: error instanceof Error ? error.message : String(error) };
  }
}

function optimizerPicture(optimizer: AnyOptimizer, index: number): OptimizerPicture {
  return {
    name: `${optimizer.constructor.name} #${index}`,
    lr: optimizer.lr,
    stepCount: optimizer.stepCount,
    state: optimizer.params.map((_, i) => {
      const state = optimizer.stateOf(i);
      if (state === undefined) return undefined;
      return new Map(
        Object.entries(state).map(([key, v]) => [key, v instanceof TensorClass ? picture(v) : v] as const),
      );
    }),
  };
}

/** Takes the snapshot of `world`. */
export function takeSnapshot(world: BadInputWorld): Snapshot {
  const parameters = new Map<string, { value: TensorPicture; grad: TensorPicture | null }>();
  world.modules.forEach((m, k) => {
    for (const [name, p] of m.namedParameters()) {
      parameters.set(`${m.constructor.name} #${k} ${name}`, {
        value: picture(p.value),
        grad: p.grad === null ? null : picture(p.grad),
      });
    }
  });
  return {
    parameters,
    optimizers: world.optimizers.map(optimizerPicture),
    live: new Map(world.backends.map((b) => [b, b.liveTensors()])),
  };
}

/** Why `after` differs from `before` for one tensor, or undefined when it is the same, bit for bit. */
function tensorChange(before: TensorPicture, after: TensorPicture): string | undefined {
  if (after.unreadable !== undefined && before.unreadable === undefined)
    return `can no longer be read (${after.unreadable})`;
  // A failed call must not even swap a tensor for an equal one: callers may hold the old one.
  if (before.tensor !== after.tensor) return `was replaced by another tensor (${after.shape})`;
  if (before.shape !== after.shape) return `changed from ${before.shape} to ${after.shape}`;
  const a = before.bytes;
  const b = after.bytes;
  if (a === undefined || b === undefined) return undefined;
  if (a.length !== b.length || a.some((byte, i) => byte !== b[i])) {
    const i = (before.values ?? []).findIndex((v, k) => !Object.is(v, after.values?.[k]));
    return i < 0
      ? 'changed in its bits'
      : `changed at element ${i}: ${before.values?.[i]} → ${after.values?.[i]}`;
  }
  return undefined;
}

/** Every difference between two snapshots of one world, as readable problems (none: unchanged). */
export function compareSnapshots(before: Snapshot, after: Snapshot): string[] {
  const problems: string[] = [];
  for (const [name, was] of before.parameters) {
    const now = after.parameters.get(name);
    if (now === undefined) {
      problems.push(`parameter ${name} disappeared`);
      continue;
    }
    const value = tensorChange(was.value, now.value);
    if (value !== undefined) problems.push(`the value of ${name} ${value}`);
    if ((was.grad === null) !== (now.grad === null)) {
      problems.push(
        `the gradient of ${name} ${was.grad === null ? 'was null and is now set' : 'became null'}`,
      );
    } else if (was.grad !== null && now.grad !== null) {
      const grad = tensorChange(was.grad, now.grad);
      if (grad !== undefined) problems.push(`the gradient of ${name} ${grad}`);
    }
  }
  for (const name of after.parameters.keys())
    if (!before.parameters.has(name)) problems.push(`parameter ${name} appeared`);
  before.optimizers.forEach((was, k) => {
    const now = after.optimizers[k]!;
    if (!Object.is(was.lr, now.lr)) problems.push(`${was.name}: lr changed from ${was.lr} to ${now.lr}`);
    if (was.stepCount !== now.stepCount)
      problems.push(`${was.name}: stepCount changed from ${was.stepCount} to ${now.stepCount}`);
    was.state.forEach((state, i) => {
      const next = now.state[i];
      if ((state === undefined) !== (next === undefined)) {
        problems.push(
          `${was.name}: the state of params[${i}] ${state === undefined ? 'appeared' : 'vanished'}`,
        );
        return;
      }
      if (state === undefined || next === undefined) return;
      const keys = new Set([...state.keys(), ...next.keys()]);
      for (const key of keys) {
        const a = state.get(key);
        const b = next.get(key);
        const where = `${was.name}: state[${i}].${key}`;
        if (typeof a === 'object' && typeof b === 'object') {
          const change = tensorChange(a, b);
          if (change !== undefined) problems.push(`${where} ${change}`);
        } else if (!Object.is(a, b)) {
          problems.push(`${where} changed from ${describe(a)} to ${describe(b)}`);
        }
      }
    });
  });
  for (const [backend, count] of before.live) {
    const now = after.live.get(backend) ?? backend.liveTensors();
    if (now !== count) {
      const diff = now - count;
      problems.push(
        `backend ${backend.name}: ${Math.abs(diff)} tensor${Math.abs(diff) === 1 ? '' : 's'} ${diff > 0 ? 'leaked' : 'released'} by the failed call (live ${count} → ${now})`,
      );
    }
  }
  return problems;
}

function describe(v: number | TensorPicture | undefined): string {
  return typeof v === 'object' ? `a tensor ${v.shape}` : String(v);
}
