/**
 * Runs one direction of one recurrent layer over a whole padded sequence, either through the
 * backend's fused kernel or through the composed cell. Both follow `SequenceArgs` semantics.
 */
import type { CellKind, SequenceArgs, SequenceResult } from '../backend.js';
import { add, concat, mul, reshape, slice } from '../tensor/ops.js';
import { Tensor } from '../tensor/tensor.js';
import type { CellWeights } from './composed.js';
import { gruStep, lstmStep, rnnStep } from './composed.js';
import type { SequencePath } from './options.js';

/** Which implementation actually ran. */
export type TakenPath = 'fused' | 'composed';

/** Inputs of one direction of one layer (frontend tensors, time-major unless `batchFirst`). */
export interface DirectionInputs extends CellWeights {
  cell: CellKind;
  /** `[T, N, I]`, or `[N, T, I]` with `batchFirst` (fused path only, see `FusedKernels.batchFirst`). */
  input: Tensor;
  batchFirst?: boolean;
  h0: Tensor;
  c0?: Tensor;
  reverse: boolean;
  lengths?: Int32Array;
}

/** `fused` when the backend fuses `cell` and the caller allows it; throws if `fused` was demanded but is missing. */
export function choosePath(requested: SequencePath, backend: Tensor['backend'], cell: CellKind): TakenPath {
  const available = backend.fused?.cells.includes(cell) ?? false;
  if (requested === 'fused' && !available) {
    throw new Error(`path "fused" requested but backend ${backend.name} has no fused ${cell} kernel`);
  }
  return requested !== 'composed' && available ? 'fused' : 'composed';
}

/** Runs one direction through the chosen path. */
export function runDirection(args: DirectionInputs, path: TakenPath): SequenceResult<Tensor> {
  return path === 'fused' ? runFused(args) : runComposed(args);
}

function runFused(args: DirectionInputs): SequenceResult<Tensor> {
  const backend = args.input.backend;
  const batchFirst = args.batchFirst === true;
  const [lead, second] = args.input.shape as [number, number, number];
  const [steps, batch] = batchFirst ? [second, lead] : [lead, second];
  const h = (t: Tensor | undefined) => t?.handle;
  const kernelArgs: SequenceArgs<unknown> = {
    cell: args.cell,
    input: args.input.handle,
    h0: args.h0.handle,
    c0: h(args.c0),
    weightIh: args.weightIh.handle,
    weightHh: args.weightHh.handle,
    biasIh: h(args.biasIh),
    biasHh: h(args.biasHh),
    weightHr: h(args.weightHr),
    reverse: args.reverse,
    lengths: args.lengths,
    ...(batchFirst ? { batchFirst } : {}),
  };
  const result = backend.fused!.sequence(kernelArgs);
  const hiddenOut = args.h0.shape[1]!;
  const wrap = (handle: unknown, shape: number[]) => new Tensor(backend, handle, shape, args.input.dtype);
  return {
    output: wrap(result.output, batchFirst ? [batch, steps, hiddenOut] : [steps, batch, hiddenOut]),
    hn: wrap(result.hn, [batch, hiddenOut]),
    cn: args.c0 === undefined ? undefined : wrap(result.cn, [...args.c0.shape]),
  };
}

/** Per-step masks for variable lengths: 1 where t < len_b, as `[N, 1]` constants (never differentiated). */
function stepMasks(like: Tensor, lengths: Int32Array, steps: number): { keep: Tensor; hold: Tensor }[] {
  const batch = lengths.length;
  return Array.from({ length: steps }, (_, t) => {
    const keepData = new Float64Array(batch);
    for (let b = 0; b < batch; b++) keepData[b] = t < lengths[b]! ? 1 : 0;
    const holdData = keepData.map((v) => 1 - v);
    const make = (data: Float64Array) =>
      new Tensor(like.backend, like.backend.fromData(data, [batch, 1], like.dtype), [batch, 1], like.dtype);
    return { keep: make(keepData), hold: make(holdData) };
  });
}

function runComposed(args: DirectionInputs): SequenceResult<Tensor> {
  if (args.batchFirst === true) throw new Error('internal: the composed path takes time-major input');
  const [steps, batch, features] = args.input.shape as [number, number, number];
  // Masks only matter for rows shorter than the sequence.
  const masks = args.lengths?.some((len) => len < steps)
    ? stepMasks(args.input, args.lengths, steps)
    : undefined;
  let h = args.h0;
  let c = args.c0;
  const outputs = new Array<Tensor>(steps);
  for (let k = 0; k < steps; k++) {
    const t = args.reverse ? steps - 1 - k : k;
    const x = reshape(slice(args.input, [t, 0, 0], [1, batch, features]), [batch, features]);
    let hNext: Tensor;
    let cNext: Tensor | undefined;
    if (args.cell === 'lstm') [hNext, cNext] = lstmStep(x, h, c!, args);
    else if (args.cell === 'gru') hNext = gruStep(x, h, args);
    else hNext = rnnStep(x, h, args, args.cell === 'rnn_relu' ? 'relu' : 'tanh');
    if (masks === undefined) {
      outputs[t] = hNext;
      h = hNext;
      c = cNext;
    } else {
      // Rows past their length keep their state (so the reverse direction starts at len − 1) and output 0.
      const { keep, hold } = masks[t]!;
      outputs[t] = mul(keep, hNext);
      h = add(outputs[t]!, mul(hold, h));
      if (cNext !== undefined) c = add(mul(keep, cNext), mul(hold, c!));
    }
  }
  const hiddenOut = h.shape[1]!;
  const output = concat(
    outputs.map((o) => reshape(o, [1, batch, hiddenOut])),
    0,
  );
  return { output, hn: h, cn: c };
}
