/**
 * What both fused implementations (plain TypeScript and WebAssembly) share: the sizes of a
 * sequence call, and how it is recorded as one tape node whose backward returns the gradient of
 * every argument it was asked for.
 */

import type { CellKind, SequenceArgs, SequenceResult, TypedArray } from '@recur/core';
import type { Engine } from '../engine.js';
import type { JsTensor } from '../tensor.js';

/** Gates per hidden unit of each cell kind. */
export const GATE_COUNT: Readonly<Record<CellKind, number>> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 };

/** Which argument each input of the tape node is, so the backward can return grads in order. */
export type Role = 'input' | 'h0' | 'c0' | 'weightIh' | 'weightHh' | 'biasIh' | 'biasHh' | 'weightHr';

/** Gradient data by argument, for the roles a backward was asked for. */
export type RoleGrads = Partial<Record<Role, TypedArray>>;

/** Sizes of one sequence call, read from its arguments. */
export interface SequenceSizes {
  /** Steps, batch rows, input width, hidden width, state width (P with projection, else H). */
  readonly T: number;
  readonly N: number;
  readonly I: number;
  readonly H: number;
  readonly Hout: number;
  /** Gate count × H. */
  readonly GH: number;
  readonly isLstm: boolean;
  readonly isGru: boolean;
  /** LSTM with `weightHr`. */
  readonly projected: boolean;
  /** Input `[N, T, I]` and output `[N, T, Hout]` (`SequenceArgs.batchFirst`); buffers inside stay time-major. */
  readonly batchFirst: boolean;
}

/** The sizes of `args`' call (shapes were validated by the frontend). */
export function sequenceSizes(args: SequenceArgs<JsTensor>): SequenceSizes {
  const batchFirst = args.batchFirst === true;
  const [a, b, I] = args.input.shape;
  const [T, N] = batchFirst ? [b, a] : [a, b];
  const GH = args.weightIh.shape[0];
  const isLstm = args.cell === 'lstm';
  return {
    T,
    N,
    I,
    H: GH / GATE_COUNT[args.cell],
    Hout: args.weightHh.shape[1],
    GH,
    isLstm,
    isGru: args.cell === 'gru',
    projected: isLstm && args.weightHr !== undefined,
    batchFirst,
  };
}

/**
 * Wraps a forward's results as tensors and records the call as one tape node. `backward(dys, need)`
 * returns gradient data for the roles `need` accepts; `release` frees what the backward needed and
 * runs exactly once (see `Tape.record`).
 */
export function recordSequence(
  e: Engine,
  args: SequenceArgs<JsTensor>,
  sizes: SequenceSizes,
  result: { output: TypedArray; hn: TypedArray; cn: TypedArray | null },
  backward: (dys: readonly (JsTensor | null)[], need: (role: Role) => boolean) => RoleGrads,
  release?: () => void,
): SequenceResult<JsTensor> {
  const { T, N, H, Hout, isLstm, projected } = sizes;
  const output = e.tensor(result.output, sizes.batchFirst ? [N, T, Hout] : [T, N, Hout]);
  const hn = e.tensor(result.hn, [N, Hout]);
  const cn = result.cn === null ? undefined : e.tensor(result.cn, [N, H]);
  const inputs: JsTensor[] = [];
  const roles: Role[] = [];
  for (const role of ['input', 'h0', 'c0', 'weightIh', 'weightHh', 'biasIh', 'biasHh', 'weightHr'] as const) {
    const t = args[role];
    if (t !== undefined && (role !== 'c0' || isLstm) && (role !== 'weightHr' || projected)) {
      inputs.push(t);
      roles.push(role);
    }
  }
  const outputs = cn === undefined ? [output, hn] : [output, hn, cn];
  e.tape.record(
    `sequence.${args.cell}`,
    inputs,
    outputs,
    (dys, needs) => {
      const need = (role: Role) => {
        const i = roles.indexOf(role);
        return i >= 0 && needs[i];
      };
      const grads = backward(dys, need);
      return roles.map((role, i) => (needs[i] ? e.tensor(grads[role]!, inputs[i].shape) : null));
    },
    release,
  );
  return cn === undefined ? { output, hn } : { output, hn, cn };
}

/** Sums the `rows` rows of a `[rows, width]` matrix (from `offset`), in float64, rounded once. */
export function columnSums(
  a: TypedArray,
  offset: number,
  rows: number,
  width: number,
  like: TypedArray,
): TypedArray {
  const acc = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    const base = offset + r * width;
    for (let j = 0; j < width; j++) acc[j] += a[base + j];
  }
  const out = like instanceof Float32Array ? new Float32Array(width) : new Float64Array(width);
  out.set(acc);
  return out;
}

/** `b_ih + b_hh` (GRU: without `b_hn`, which stays inside `r ⊙ (…)`), or null when there is no bias. */
export function foldedBias(
  args: SequenceArgs<JsTensor>,
  GH: number,
  H: number,
  isGru: boolean,
): TypedArray | null {
  const { biasIh, biasHh } = args;
  if (biasIh === undefined && biasHh === undefined) return null;
  const bias = args.input.data instanceof Float32Array ? new Float32Array(GH) : new Float64Array(GH);
  if (biasIh !== undefined) bias.set(biasIh.data);
  if (biasHh !== undefined) {
    const bhh = biasHh.data;
    const width = isGru ? 2 * H : GH;
    for (let j = 0; j < width; j++) bias[j] += bhh[j];
  }
  return bias;
}
