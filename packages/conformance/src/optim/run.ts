/** Runs an optimizer trajectory or the clipping cases on one backend and compares with PyTorch. */
import type { AnyBackend, DType, OptimizerStateDict, ParamGroupInput } from '@recur/core';
import {
  Adagrad,
  Adam,
  AdamW,
  clipGradNorm,
  clipGradValue,
  optimizerStateDictToJSON,
  Parameter,
  RMSprop,
  SGD,
  tensor,
} from '@recur/core';
import type { Tolerance } from '../compare.js';
import { compareValues } from '../compare.js';
import type { ClipFixture, OptimizerFixture, OptimTensor } from './format.js';

const classes = { SGD, Adam, AdamW, RMSprop, Adagrad } as unknown as Record<
  string,
  new (
    groups: ParamGroupInput[],
    defaults: unknown,
  ) => InstanceType<typeof Adam>
>;

/** What went wrong (empty: every value within tolerance). */
export interface OptimRunResult {
  /** One line per value out of tolerance or error. */
  problems: string[];
}

function makeParams(backend: AnyBackend, dtype: DType, values: readonly (OptimTensor | null)[]): Parameter[] {
  return values.map(
    (v, i) => new Parameter(tensor(v?.data ?? [0], v?.shape ?? [1], { backend, dtype }), `p${i}`),
  );
}

function release(params: Parameter[]): void {
  for (const p of params) {
    p.zeroGrad();
    p.value.dispose();
  }
}

/**
 * The fixture's trajectory on `backend`: every step's parameters, the final state dict, then a fresh
 * optimizer resumed from PyTorch's mid-run state dict and its following steps. Releases everything.
 */
export function runOptimizerFixture(
  backend: AnyBackend,
  f: OptimizerFixture,
  dtype: DType,
  tolerance: Tolerance,
): OptimRunResult {
  const problems: string[] = [];
  const check = (what: string, actual: ArrayLike<number>, expected: ArrayLike<number>) => {
    const r = compareValues(actual, expected, tolerance);
    if (!r.pass) problems.push(`${what}: max abs error ${r.maxAbs.toExponential(2)}`);
  };
  const make = (params: Parameter[]) =>
    new classes[f.optimizer]!(
      f.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]!) })) as ParamGroupInput[],
      f.defaults,
    );
  const run = (params: Parameter[], optimizer: ReturnType<typeof make>, from: number, label: string) => {
    for (let k = from; k < f.grads.length; k++) {
      params.forEach((p, i) => {
        p.zeroGrad();
        const g = f.grads[k]![i];
        if (g) p.grad = tensor(g.data, g.shape, { backend, dtype });
      });
      optimizer.step();
      params.forEach((p, i) => {
        check(`${label}step${k + 1}.params[${i}]`, p.value.toArray(), f.expected[k]![i]!.data);
      });
    }
    compareStateDict(optimizer.stateDict(), f.stateDict, `${label}stateDict`, check, problems);
  };
  const params = makeParams(backend, dtype, f.params);
  const optimizer = make(params);
  const resumedParams = makeParams(backend, dtype, f.expected[f.resume.afterStep - 1]!);
  const resumed = make(resumedParams);
  try {
    run(params, optimizer, 0, '');
    resumed.loadStateDict(f.resume.stateDict);
    run(resumedParams, resumed, f.resume.afterStep, 'resumed.');
  } catch (error) {
    problems.push(`threw: ${(error as Error).message}`);
  } finally {
    optimizer.dispose();
    resumed.dispose();
    release(params);
    release(resumedParams);
  }
  return { problems };
}

function compareStateDict(
  actual: OptimizerStateDict,
  expected: OptimizerStateDict,
  what: string,
  check: (what: string, a: ArrayLike<number>, e: ArrayLike<number>) => void,
  problems: string[],
): void {
  const json = optimizerStateDictToJSON(actual);
  for (const [i, entry] of Object.entries(expected.state)) {
    const mine = json.state[i];
    if (mine === undefined) {
      problems.push(`${what}.state[${i}] is missing`);
      continue;
    }
    for (const [k, v] of Object.entries(entry)) {
      const m = mine[k];
      if (v === null || typeof v !== 'object') continue;
      const e = v as OptimTensor;
      if (k === 'step') {
        if (m !== e.data[0])
          problems.push(`${what}.state[${i}].step: got ${String(m)}, expected ${e.data[0]}`);
      } else if (m === null || typeof m !== 'object') problems.push(`${what}.state[${i}].${k} is missing`);
      else check(`${what}.state[${i}].${k}`, (m as OptimTensor).data, e.data);
    }
  }
  expected.param_groups.forEach((g, gi) => {
    const lr = json.param_groups[gi]?.lr;
    if (lr !== g.lr)
      problems.push(`${what}.param_groups[${gi}].lr: got ${String(lr)}, expected ${String(g.lr)}`);
  });
}

/** Every clipping case on `backend`. Releases everything. */
export function runClipFixture(
  backend: AnyBackend,
  f: ClipFixture,
  dtype: DType,
  tolerance: Tolerance,
): OptimRunResult {
  const problems: string[] = [];
  f.cases.forEach((c, k) => {
    const params = makeParams(backend, dtype, c.grads);
    try {
      params.forEach((p, i) => {
        const g = c.grads[i];
        if (g) p.grad = tensor(g.data, g.shape, { backend, dtype });
      });
      if (c.op === 'norm') {
        const total = clipGradNorm(params, c.options.maxNorm!, { normType: c.options.normType ?? 2 });
        const r = compareValues([total], [c.totalNorm!], tolerance);
        if (!r.pass) problems.push(`case ${k}: total norm ${total}, expected ${c.totalNorm}`);
      } else clipGradValue(params, c.options.clipValue!);
      params.forEach((p, i) => {
        const e = c.expected[i];
        if (!e) {
          if (p.grad !== null) problems.push(`case ${k}: parameters[${i}].grad should stay null`);
          return;
        }
        const r = compareValues(p.grad!.toArray(), e.data, tolerance);
        if (!r.pass)
          problems.push(
            `case ${k} (${c.op}): parameters[${i}].grad max abs error ${r.maxAbs.toExponential(2)}`,
          );
      });
    } catch (error) {
      problems.push(`case ${k}: threw: ${(error as Error).message}`);
    } finally {
      release(params);
    }
  });
  return { problems };
}
