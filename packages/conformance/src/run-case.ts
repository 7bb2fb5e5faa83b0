/**
 * Runs one `recur-case/1` case on one backend: builds the module, runs the forward pass and the
 * case's loss, takes gradients of every parameter and given input, and compares all of it with the
 * reference values. Used by both `describeBackend` and the command line.
 */
import type { AnyBackend, DType, SequencePath, TakenPath, Tensor } from '@recur/core';
import {
  formatShape,
  GRUCell,
  LSTM,
  LSTMCell,
  ops,
  RNNBase,
  RNNCell,
  tensor,
  tidy,
  valueAndGrads,
  zeros,
} from '@recur/core';
import type { CaseModuleInstance } from './build-module.js';
import { buildModule } from './build-module.js';
import type { CaseTensor, ConformanceCase } from './case-format.js';
import type { ErrorStats, Tolerance } from './compare.js';
import { compareValues } from './compare.js';

/** Outcome of one case on one backend (one row of a `recur-report/1`). */
export interface CaseResult {
  /** The case's `name`. */
  case: string;
  /** The backend's `name`. */
  backend: string;
  /** The dtype the backend computed in. */
  dtype: DType;
  /** Which implementation ran the recurrent layers (`null` for cells or on error). */
  path: TakenPath | null;
  /** `pass`: every reference within tolerance; `fail`: some value off or missing; `error`: the case could not run. */
  status: 'pass' | 'fail' | 'error';
  /** The absolute tolerance the case was judged with. */
  atol: number;
  /** The relative tolerance the case was judged with. */
  rtol: number;
  /** Worst errors of every compared tensor by report name (`output`, `hn`, `grad.input`, …); empty on error. */
  errors: Record<string, ErrorStats>;
  /** What failed (`; `-separated) or the error's message; `null` when the case passed. */
  message: string | null;
}

/** Values computed for a case: every compared tensor by report name (`output`, `hn`, `grad.input`, …). */
export interface CaseComputation {
  /** The computed tensors by report name: outputs, `loss` (shape `[]`) and `grad.<name>` for every parameter and input. */
  values: Map<
    string,
    {
      /** The tensor's shape. */
      shape: readonly number[];
      /** Its values, row-major, widened to float64. */
      data: Float64Array;
    }
  >;
  /** Which implementation ran the recurrent layers (`null` for cells). */
  path: TakenPath | null;
}

/** How to run a case. */
export interface RunCaseOptions {
  /** The dtype to compute in. */
  dtype: DType;
  /** The tolerance every compared value is judged with. */
  tolerance: Tolerance;
  /** Implementation of the recurrent layers (default `auto`). */
  path?: SequencePath;
}

function forward(
  module: CaseModuleInstance,
  x: Tensor,
  h0: Tensor | undefined,
  c0: Tensor | undefined,
  lengths: number[] | undefined,
) {
  const fill = (like: Tensor, shape: readonly number[]) =>
    zeros(shape, { backend: like.backend, dtype: like.dtype });
  if (module instanceof LSTMCell) {
    const hx: [Tensor, Tensor] | null = h0 ? [h0, c0 ?? fill(h0, h0.shape)] : null;
    const [h, c] = module.forward(x, hx);
    return { output: h, cn: c };
  }
  if (module instanceof RNNCell || module instanceof GRUCell) return { output: module.forward(x, h0) };
  const options = lengths === undefined ? undefined : { lengths };
  if (module instanceof LSTM) {
    const hx: [Tensor, Tensor] | null = h0
      ? [h0, c0 ?? fill(h0, [h0.shape[0]!, ...h0.shape.slice(1, -1), module.hiddenSize])]
      : null;
    const [output, [hn, cn]] = module.forward(x, hx, options);
    return { output, hn, cn };
  }
  const [output, hn] = module.forward(x, h0, options);
  return { output, hn };
}

/** Runs the case and returns every value the case has a reference for (throws on any problem). */
export function computeCase(
  backend: AnyBackend,
  c: ConformanceCase,
  dtype: DType,
  path: SequencePath = 'auto',
): CaseComputation {
  const module = buildModule(backend, c, dtype, path);
  try {
    return tidy(() => {
      const make = (t: CaseTensor | undefined) =>
        t === undefined ? undefined : tensor(t.data, t.shape, { backend, dtype });
      const x = make(c.inputs.input)!;
      const h0 = make(c.inputs.h0);
      const c0 = make(c.inputs.c0);
      const named = module.namedParameters();
      const wrt: [string, Tensor][] = [
        ...named.map(([n, p]): [string, Tensor] => [n, p.value]),
        ['input', x],
        ...(h0 ? [['h0', h0] as [string, Tensor]] : []),
        ...(c0 ? [['c0', c0] as [string, Tensor]] : []),
      ];
      const values: CaseComputation['values'] = new Map();
      const put = (name: string, t: Tensor) =>
        values.set(name, { shape: t.shape, data: Float64Array.from(t.toArray()) });
      const { value, grads } = valueAndGrads(
        () => {
          const outputs: Record<string, Tensor | undefined> = forward(module, x, h0, c0, c.inputs.lengths);
          // Tensors made inside f are released when it returns: read the outputs here.
          for (const key of ['output', 'hn', 'cn'] as const) if (outputs[key]) put(key, outputs[key]!);
          let loss = zeros([], { backend, dtype });
          for (const key of ['output', 'hn', 'cn'] as const) {
            const weights = c.lossWeights[key];
            const out = outputs[key];
            if (weights === undefined || out === undefined) continue;
            if (formatShape(out.shape) !== formatShape(weights.shape)) {
              throw new Error(
                `${key} has shape ${formatShape(out.shape)} but lossWeights.${key} has ${formatShape(weights.shape)}`,
              );
            }
            loss = ops.add(loss, ops.sum(ops.mul(out, make(weights)!)));
          }
          return loss;
        },
        wrt.map(([, t]) => t),
      );
      put('loss', value);
      for (const [i, [name]] of wrt.entries()) put(`grad.${name}`, grads[i]!);
      return { values, path: module instanceof RNNBase ? module.lastPath : null };
    });
  } finally {
    module.dispose();
  }
}

/** Every reference tensor of a case, by report name. */
export function expectedValues(c: ConformanceCase): Map<string, CaseTensor> {
  const out = new Map<string, CaseTensor>();
  for (const key of ['output', 'hn', 'cn'] as const) if (c.expected[key]) out.set(key, c.expected[key]!);
  if (c.expected.loss !== undefined) out.set('loss', { shape: [], data: [c.expected.loss] });
  for (const [name, t] of Object.entries(c.expected.grad ?? {})) out.set(`grad.${name}`, t);
  return out;
}

/** Compares computed values with references; shape mismatches and missing values fail with a message. */
export function compareComputation(
  computed: CaseComputation['values'],
  expected: Map<string, CaseTensor>,
  tolerance: Tolerance,
): {
  /** Every reference was produced, with its shape, and within tolerance. */
  pass: boolean;
  /** Worst errors of every tensor compared (those with a matching shape), by report name. */
  errors: Record<string, ErrorStats>;
  /** One message per missing, misshapen or out-of-tolerance value; empty when `pass`. */
  problems: string[];
} {
  const errors: Record<string, ErrorStats> = {};
  const problems: string[] = [];
  for (const [name, ref] of expected) {
    const got = computed.get(name);
    if (got === undefined) {
      problems.push(`${name}: not produced`);
      continue;
    }
    if (formatShape(got.shape) !== formatShape(ref.shape)) {
      problems.push(`${name}: shape ${formatShape(got.shape)}, expected ${formatShape(ref.shape)}`);
      continue;
    }
    const r = compareValues(got.data, ref.data, tolerance);
    errors[name] = { maxAbs: r.maxAbs, maxRel: r.maxRel };
    if (!r.pass)
      problems.push(
        `${name}: max abs error ${r.maxAbs.toExponential(2)} exceeds atol ${tolerance.atol} + rtol ${tolerance.rtol}·|ref|`,
      );
  }
  return { pass: problems.length === 0, errors, problems };
}

/** Runs one case and reports pass, fail (with the worst errors) or error (with the message). */
export function runCase(backend: AnyBackend, c: ConformanceCase, options: RunCaseOptions): CaseResult {
  const base = {
    case: c.name,
    backend: backend.name,
    dtype: options.dtype,
    atol: options.tolerance.atol,
    rtol: options.tolerance.rtol,
  };
  try {
    const computed = computeCase(backend, c, options.dtype, options.path);
    const verdict = compareComputation(computed.values, expectedValues(c), options.tolerance);
    return {
      ...base,
      path: computed.path,
      status: verdict.pass ? 'pass' : 'fail',
      errors: verdict.errors,
      message: verdict.pass ? null : verdict.problems.join('; '),
    };
  } catch (error) {
    return {
      ...base,
      path: null,
      status: 'error',
      errors: {},
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
