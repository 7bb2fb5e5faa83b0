/**
 * RMSprop, Adagrad, Adam, AdamW and SGD with parameter groups against PyTorch's trajectories
 * (fixtures/optim/optimizer-*.json, tools/fixtures/optim.py): parameters after every step (some grads
 * null), the final state_dict(), and a run resumed from PyTorch's mid-run state_dict().
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { describe, expect, it } from 'vitest';
import type { OptimizerStateDict, ParamGroupInput } from '../index.js';
import {
  Adagrad,
  Adam,
  AdamW,
  type Optimizer,
  optimizerStateDictToJSON,
  Parameter,
  RMSprop,
  SGD,
  tensor,
} from '../index.js';

const backend = createJsBackend();
const dtype = 'float64';
const dir = fileURLToPath(new URL('../../../../fixtures/optim/', import.meta.url));

interface TensorJSON {
  shape: number[];
  data: number[];
}
interface OptimizerFixture {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  defaults: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[];
  params: TensorJSON[];
  grads: (TensorJSON | null)[][];
  expected: TensorJSON[][];
  resume: { afterStep: number; stateDict: OptimizerStateDict };
  stateDict: OptimizerStateDict;
}

const fixtures: OptimizerFixture[] = readdirSync(dir)
  .filter((f) => f.startsWith('optimizer-') && f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(dir + f, 'utf8')));

type AnyOptimizer = Optimizer<Record<string, never>>;
const classes = { SGD, Adam, AdamW, RMSprop, Adagrad } as unknown as Record<
  string,
  new (
    groups: ParamGroupInput[],
    defaults: unknown,
  ) => AnyOptimizer
>;

function makeParams(values: TensorJSON[]): Parameter[] {
  return values.map((v) => new Parameter(tensor(v.data, v.shape, { backend, dtype })));
}

function makeOptimizer(f: OptimizerFixture, params: Parameter[]): AnyOptimizer {
  const groups = f.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]!) }));
  return new classes[f.optimizer]!(groups as ParamGroupInput[], f.defaults);
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Math.abs(a - e) > 1e-12 + 1e-10 * Math.abs(e)) {
      expect.fail(`${what}[${i}]: got ${a}, expected ${e} (PyTorch)`);
    }
  }
}

/** Compares a state dict (made JSON) with PyTorch's: same keys, numbers within 1e-10 relative. */
function expectSameStateDict(actual: OptimizerStateDict, expected: OptimizerStateDict, what: string): void {
  const json = optimizerStateDictToJSON(actual);
  expect(json.param_groups.length).toBe(expected.param_groups.length);
  json.param_groups.forEach((g, i) => {
    const e = expected.param_groups[i]!;
    expect(Object.keys(g).sort(), `${what} param_groups[${i}] keys`).toEqual(Object.keys(e).sort());
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === 'number') close([g[k] as number], [v], `${what} param_groups[${i}].${k}`);
      else expect(g[k], `${what} param_groups[${i}].${k}`).toEqual(v);
    }
  });
  expect(Object.keys(json.state).sort(), `${what} state indices`).toEqual(Object.keys(expected.state).sort());
  for (const [i, entry] of Object.entries(expected.state)) {
    const mine = json.state[i]!;
    expect(Object.keys(mine).sort(), `${what} state[${i}] keys`).toEqual(Object.keys(entry).sort());
    for (const [k, v] of Object.entries(entry)) {
      const m = mine[k];
      if (v === null) expect(m, `${what} state[${i}].${k}`).toBeNull();
      else if (typeof v === 'number') expect(m).toBe(v);
      else {
        const t = v as TensorJSON;
        if (k === 'step') expect(m, `${what} state[${i}].step`).toBe(t.data[0]);
        else {
          expect((m as TensorJSON).shape).toEqual(t.shape);
          close((m as TensorJSON).data, t.data, `${what} state[${i}].${k}`);
        }
      }
    }
  }
}

function setGrads(params: Parameter[], grads: (TensorJSON | null)[]): void {
  params.forEach((p, i) => {
    p.zeroGrad();
    const g = grads[i];
    if (g) p.grad = tensor(g.data, g.shape, { backend, dtype });
  });
}

function release(optimizer: AnyOptimizer, params: Parameter[]): void {
  optimizer.dispose();
  for (const p of params) {
    p.zeroGrad();
    p.value.dispose();
  }
}

describe('optimizers against PyTorch trajectories (fixtures/optim)', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });
  for (const f of fixtures) {
    it(`${f.name}: every step and the final state_dict`, () => {
      const live = backend.liveTensors();
      const params = makeParams(f.params);
      const optimizer = makeOptimizer(f, params);
      expect(optimizer.paramGroups.length).toBe(f.groups.length);
      f.grads.forEach((grads, k) => {
        setGrads(params, grads);
        optimizer.step();
        params.forEach((p, i) => {
          close(p.value.toArray(), f.expected[k]![i]!.data, `${f.name} step ${k + 1} params[${i}]`);
        });
      });
      expectSameStateDict(optimizer.stateDict(), f.stateDict, f.name);
      release(optimizer, params);
      expect(backend.liveTensors()).toBe(live);
    });

    it(`${f.name}: resumes from PyTorch's state_dict after step ${f.resume.afterStep}`, () => {
      const live = backend.liveTensors();
      const k0 = f.resume.afterStep;
      const params = makeParams(f.expected[k0 - 1]!);
      const optimizer = makeOptimizer(f, params);
      for (const g of optimizer.paramGroups) g.lr = 123;
      optimizer.loadStateDict(f.resume.stateDict);
      optimizer.paramGroups.forEach((g, i) => {
        expect(g.lr).toBe(f.resume.stateDict.param_groups[i]!.lr);
      });
      for (let k = k0; k < f.grads.length; k++) {
        setGrads(params, f.grads[k]!);
        optimizer.step();
        params.forEach((p, i) => {
          close(p.value.toArray(), f.expected[k]![i]!.data, `${f.name} resumed step ${k + 1} params[${i}]`);
        });
      }
      expectSameStateDict(optimizer.stateDict(), f.stateDict, `${f.name} resumed`);
      // Its own state dict, through JSON, loads into a fresh optimizer and gives the same state dict.
      const params2 = makeParams(f.params);
      const again = makeOptimizer(f, params2);
      again.loadStateDict(JSON.parse(JSON.stringify(optimizerStateDictToJSON(optimizer.stateDict()))));
      expectSameStateDict(again.stateDict(), f.stateDict, `${f.name} reloaded`);
      release(again, params2);
      release(optimizer, params);
      expect(backend.liveTensors()).toBe(live);
    });
  }
});
