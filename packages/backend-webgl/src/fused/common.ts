/**
 * The parts every fused cell shares: the input projection hoisted out of the time loop, the packed
 * value tfjs's `customGrad` returns, and the input gradient. All run once per sequence.
 */
import { paddingMask, type SequencePlan, type TfTensor } from '@recur/backend-tfjs';
import { dim, type Gpu } from './gpu.js';

/** What the step loop reads: the (cleaned) input rows and their projection. */
export interface Projected {
  /** The active steps' input rows `[A·N, I]`, padding zeroed (kept for `dW_ih = daᵀ·x`). */
  readonly x: TfTensor;
  /** `x·W_ihᵀ + b_ih (+ b_hh)`, `[A·N, G·H]`, unpacked for the step programs. */
  readonly xp: TfTensor;
}

/** Whether some step touches only some rows: only then do programs test lengths. */
export const isMasked = ({ schedule }: SequencePlan): boolean => schedule.full < schedule.active;

/** Row lengths as floats `[N]` for the programs' `lengths` input, or undefined when unmasked. */
export function lengthsInput(plan: SequencePlan): TfTensor | undefined {
  return isMasked(plan) ? plan.tf.tensor1d(Float32Array.from(plan.args.lengths!), 'float32') : undefined;
}

/** Zeroes the rows of `[A·N, W]` that are padding (no-op when unmasked). */
export function zeroPadding(plan: SequencePlan, x: TfTensor): TfTensor {
  if (!isMasked(plan)) return x;
  const { tf, args, schedule } = plan;
  return tf.where(paddingMask(tf, args.lengths!, schedule.active), x, tf.zerosLike(x));
}

/** The input projection of every active step at once: ONE product instead of one per step. */
export function projectInput(gpu: Gpu, plan: SequencePlan, foldHiddenBias: boolean): Projected {
  const { tf, mm, args, schedule } = plan;
  const [steps, batch, inSize] = args.input.shape;
  const rows = schedule.active * batch;
  const x2d = tf.reshape(args.input, [steps * batch, inSize]);
  // Zero the padding once, so whatever it holds (even NaN) reaches neither the steps nor dW_ih.
  const x = zeroPadding(plan, rows < steps * batch ? tf.slice(x2d, [0, 0], [rows, inSize]) : x2d);
  let xp = mm(x, args.weightIh, false, true);
  for (const b of foldHiddenBias ? [args.biasIh, args.biasHh] : [args.biasIh]) {
    if (b !== undefined) xp = tf.add(xp, b);
  }
  return { x, xp: gpu.unpacked(xp) };
}

/**
 * The node's value: `output [T·N·Hout] ‖ hn ‖ cn`, flat. `hSteps` holds every active step's output
 * `[A·N, Hout]` in time order (frozen rows still hold their state: zeroed here).
 */
export function packValue(plan: SequencePlan, hSteps: TfTensor, hn: TfTensor, cn?: TfTensor): TfTensor {
  const { tf, args, schedule } = plan;
  const [steps, batch] = args.input.shape;
  const hOut = dim(hn, 1);
  let out = zeroPadding(plan, hSteps);
  if (schedule.active < steps) out = tf.concat([out, tf.zeros([(steps - schedule.active) * batch, hOut])], 0);
  const parts = [out, hn, ...(cn === undefined ? [] : [cn])].map((p) => tf.reshape(p, [-1]));
  return tf.concat(parts, 0);
}

/** The pieces of `d value`: the output gradient `[T·N, Hout]` (unpacked) and `d hn`, `d cn`. */
export function splitGradient(
  gpu: Gpu,
  plan: SequencePlan,
  dy: TfTensor,
  hOut: number,
): { dout: TfTensor; dhn: TfTensor; dcn?: TfTensor } {
  const { tf, args, hidden } = plan;
  const [steps, batch] = args.input.shape;
  const outSize = steps * batch * hOut;
  const dout = gpu.unpacked(tf.slice(dy, [0], [outSize]), steps * batch);
  const dhn = gpu.unpacked(tf.slice(dy, [outSize], [batch * hOut]), batch);
  if (args.cell !== 'lstm') return { dout, dhn };
  const dcn = gpu.unpacked(tf.slice(dy, [outSize + batch * hOut], [batch * hidden]), batch);
  return { dout, dhn, dcn };
}

/**
 * `dx = dGi·W_ih` for the active steps, zeros for the rest, as `[T, N, I]`; skipped (undefined) when
 * no gradient reaches the input (plain data).
 */
export function inputGradient(plan: SequencePlan, dGi: TfTensor, weightIh: TfTensor): TfTensor | undefined {
  const { tf, mm, args, schedule, wants } = plan;
  if (!wants.has('input')) return undefined;
  const [steps, batch, inSize] = args.input.shape;
  let dx = mm(dGi, weightIh, false, false);
  if (schedule.active < steps) dx = tf.concat([dx, tf.zeros([(steps - schedule.active) * batch, inSize])], 0);
  return tf.reshape(dx, [steps, batch, inSize]);
}

/**
 * Σ over rows of `[rows, W]` (a bias gradient), as `ones[1, rows]·x`: one dispatch, where tfjs's
 * Sum takes more passes as the rows grow.
 */
export function columnSums({ tf, mm }: SequencePlan, x: TfTensor): TfTensor {
  const [rows, width] = x.shape as number[];
  return tf.reshape(mm(tf.ones([1, rows]), x, false, false), [width]);
}
