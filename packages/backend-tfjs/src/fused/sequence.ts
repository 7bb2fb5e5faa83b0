/**
 * The fused whole-sequence kernel: one direction of one layer as a single `tf.customGrad` node.
 *
 * Forward: the input projection of every step is ONE matmul (`[T·N, I]·[I, G·H]`; with per-gate
 * products one per gate, see {@link GateProducts}); each step then costs one `[N, Hout]·[Hout, G·H]`
 * matmul (or one fused matmul per gate) plus a few elementwise ops, reading its rows without
 * `tf.unstack` (O(T²) on tfjs-wasm; see {@link StepRows}). Only the arguments the recorded gradient
 * reaches enter the node (see `gradient-reach.ts`), so `dx` is skipped for data inputs. When a gradient
 * tape records, the cell's backward factors are computed for all steps at once and saved stacked.
 * Backward: hand-written BPTT, ~7 ops per step, stacking every step's gate gradients so that `dW_ih`,
 * `dW_hh`, `dW_hr`, `dx` and the biases are each one matmul. tfjs's `customGrad` returns a single
 * tensor, so `output`, `hn` and `cn` travel packed in one flat vector and are sliced out with the
 * differentiable primitives.
 */
import type { SequenceArgs, SequenceResult } from '@recur/core';
import type { EngineGuard } from '../engine.js';
import type { GradientReach } from '../gradient-reach.js';
import { differentiable } from '../ops/differentiable.js';
import { type MatMulFn, type ProductFn, tfjsProduct } from '../ops/linalg.js';
import type { TfjsCore, TfTensor } from '../tfjs.js';
import { type BackwardContext, CELLS, type ForwardContext, type GateProducts } from './cells.js';
import { makeSchedule, paddingMask, type Schedule, stepMask } from './schedule.js';

/** The differentiable primitives the kernel uses outside its own node. */
export interface SequencePrimitives {
  readonly slice: (x: TfTensor, begin: readonly number[], size: readonly number[]) => TfTensor;
  readonly reshape: (x: TfTensor, shape: readonly number[]) => TfTensor;
}

/** Argument names in the order they enter the node (and its gradient list). */
const ARG_NAMES: readonly SequenceArgName[] = [
  'input',
  'h0',
  'c0',
  'weightIh',
  'weightHh',
  'biasIh',
  'biasHh',
  'weightHr',
];

/** A differentiable argument of a sequence kernel (spelled out so the public type names its members). */
export type SequenceArgName =
  | 'input'
  | 'h0'
  | 'c0'
  | 'weightIh'
  | 'weightHh'
  | 'biasIh'
  | 'biasHh'
  | 'weightHr';

/** Gradients of a sequence node, by argument (one for every argument given). */
export type SequenceGrads = Partial<Record<SequenceArgName, TfTensor>>;

/** One direction of one layer, checked and planned by the driver, for a {@link SequenceKernel}. */
export interface SequencePlan {
  /** The tfjs namespace of the adapter's engine; every op of the kernel goes through it. */
  readonly tf: TfjsCore;
  /** The adapter's raw matmul (its transpose policy, or the engine's own product). */
  readonly mm: MatMulFn;
  /**
   * The engine's own fused product, where it brings one (see {@link ProductFn}): then every product
   * of the kernel runs on it, with biases and activations in its epilogue and transposed operands
   * read in place. Absent: tfjs's `matMul` and `fused.matMul`.
   */
  readonly product?: ProductFn;
  /** The checked arguments, as the frontend passed them (`input [T, N, I]`, weights in PyTorch's layout). */
  readonly args: SequenceArgs<TfTensor>;
  /** Which steps run, in which order, and which need a padding mask (from `args.lengths`, `args.reverse`). */
  readonly schedule: Schedule;
  /** Whether a gradient tape records: only then must the kernel return `save` and `grad`. */
  readonly recording: boolean;
  /**
   * The arguments whose gradient is wanted (empty unless `recording`); `grad` must return these and
   * may skip the others (e.g. `dx = dG·W_ih` when the input is data, not a function of the weights).
   */
  readonly wants: ReadonlySet<SequenceArgName>;
  /** H (the cell size; `Hout = P` with a projection). */
  readonly hidden: number;
}

/**
 * What a kernel's forward returns: `value` is `output [T·N·Hout] ‖ hn [N·Hout] ‖ cn [N·H]` (LSTM),
 * flat; `grad` maps `d value` (same layout) to the gradient of every argument given.
 */
export interface SequenceNode {
  /** The packed forward result, a flat vector in the layout above. */
  readonly value: TfTensor;
  /** Tensors the backward needs, handed to tfjs's `customGrad` save (only when the plan is `recording`). */
  readonly save?: readonly TfTensor[];
  /** BPTT: from `dy` (layout of `value`) and the saved tensors, the gradient of every wanted argument. */
  readonly grad?: (dy: TfTensor, saved: readonly TfTensor[]) => SequenceGrads;
}

/**
 * The forward (and BPTT) of one fused sequence node. The driver (`createSequence`, internal to the adapter) owns
 * argument checks, the schedule, the `customGrad` node and unpacking its value; an engine may bring
 * its own kernel (webgl: one shader program per step) through the adapter's `sequenceKernel` option.
 * The default is {@link tfjsOpsSequenceKernel}, written with tfjs ops for every engine.
 */
export type SequenceKernel = (plan: SequencePlan) => SequenceNode;

/**
 * How a fused kernel cuts step t's rows out of a time-stacked `[T·N, W]` tensor. `slice`: one
 * `tf.slice` per step (free on tfjs-cpu, native on tfjs-node and webgl). `host`: read the stacked
 * tensor to the host once and upload each step's rows; for tfjs-wasm, whose Slice kernel (like its
 * Unpack and, in effect, Gather) first copies the whole input out of the heap, making per-step
 * slicing O(T²): the host round trip is ~25× faster at T=32 and ~100× at T=128.
 */
export type StepRows = 'slice' | 'host';

/** Returns step t's `[N, W]` rows of `stacked` (`[T·N, W]`) on demand. */
function stepReader(tf: TfjsCore, stacked: TfTensor, batch: number, mode: StepRows): (t: number) => TfTensor {
  const width = dim(stacked, 1);
  if (mode === 'slice') return (t) => tf.slice(stacked, [t * batch, 0], [batch, width]);
  let host: Float32Array | undefined;
  return (t) => {
    host ??= stacked.dataSync() as Float32Array;
    return tf.tensor2d(host.subarray(t * batch * width, (t + 1) * batch * width), [batch, width]);
  };
}

/** Extent of axis `axis` of `x` (tfjs types `shape` as a union of tuples). */
const dim = (x: TfTensor, axis: number): number => (x.shape as readonly number[])[axis];

/** Builds `sequence(args)` for one adapter. */
export function createSequence(
  tf: TfjsCore,
  mm: MatMulFn,
  guard: EngineGuard,
  reach: GradientReach,
  prims: SequencePrimitives,
  kernel: SequenceKernel,
  product: ProductFn | undefined,
): (args: SequenceArgs<TfTensor>) => SequenceResult<TfTensor> {
  return (args) => {
    guard.activate();
    const isLstm = args.cell === 'lstm';
    const names = ARG_NAMES.filter(
      (n) => args[n] !== undefined && ((n !== 'c0' && n !== 'weightHr') || isLstm),
    );
    for (const n of names) guard.check(args[n], `sequence argument '${n}'`);
    // Only arguments the recorded gradient can reach enter the node: tfjs would otherwise have the
    // node compute (and then drop) the gradient of every one.
    const reached = reach.reaches(names.map((n) => args[n] as TfTensor));
    const wanted = names.filter((_, i) => reached[i]);
    const inputs = wanted.map((n) => args[n] as TfTensor);

    const [steps, batch] = args.input.shape;
    const hOut = dim(args.h0, 1);
    const hidden = args.weightHh.shape[0] / CELLS[args.cell].gates;
    const schedule = makeSchedule(steps, args.lengths, args.reverse);
    // Inside the node tfjs pauses its tape, so ask now whether anyone will need the backward.
    const recording = wanted.length > 0;
    const wants: ReadonlySet<SequenceArgName> = new Set(wanted);

    const plan: SequencePlan = { tf, mm, product, args, schedule, recording, wants, hidden };
    const parts = tf.tidy(() => {
      // Nothing to differentiate: no node at all (tfjs would record one that no gradient uses).
      const packed = !recording
        ? kernel(plan).value
        : differentiable(tf, inputs, () => {
            const node = kernel(plan);
            const grad = node.grad;
            return {
              value: node.value,
              save: node.save,
              grad: (dy, saved) => {
                if (grad === undefined) throw new Error('sequence kernel: no gradient (forward ran untaped)');
                const grads = grad(dy, saved);
                return wanted.map((n) => {
                  const g = grads[n];
                  if (g === undefined) throw new Error(`sequence kernel: no gradient for wanted '${n}'`);
                  return g;
                });
              },
            };
          });
      const outSize = steps * batch * hOut;
      const pieces = [
        prims.reshape(prims.slice(packed, [0], [outSize]), [steps, batch, hOut]),
        prims.reshape(prims.slice(packed, [outSize], [batch * hOut]), [batch, hOut]),
      ];
      if (isLstm) {
        const cSize = batch * hidden;
        pieces.push(prims.reshape(prims.slice(packed, [outSize + batch * hOut], [cSize]), [batch, hidden]));
      }
      return pieces;
    });
    return isLstm ? { output: parts[0], hn: parts[1], cn: parts[2] } : { output: parts[0], hn: parts[1] };
  };
}

/** Where the backward's tensors sit in tfjs's `saved` list. */
interface SavedLayout {
  readonly weightIh: number;
  readonly weightHh: number;
  readonly weightHr: number;
  /** The input rows of the active steps, `[active·N, I]`. */
  readonly x: number;
  /** The state entering each active step, stacked in time order, `[active·N, Hout]`. */
  readonly hPrev: number;
  /** The cell's per-step factors, stacked in time order. */
  readonly factors: readonly number[];
  readonly projected: number;
}

/** How {@link tfjsOpsSequenceKernel} adapts to an engine. */
export interface TfjsOpsKernelOptions {
  /** How step rows are read (default `slice`). */
  readonly stepRows?: StepRows;
  /** How gate pre-activations are formed (default `joint`). */
  readonly gateProducts?: GateProducts;
  /**
   * Add the x-projection's biases inside its matmul, as weights of an extra input column of ones
   * (default `false`: a broadcasting add). For tfjs-cpu, whose broadcasting add walks index arrays
   * per element (~40 ns each, 10% of a W4 LSTM forward), while one more shared column adds 1/I to
   * the product.
   */
  readonly biasInProduct?: boolean;
}

/** The default kernel, written with tfjs ops (every engine). */
export function tfjsOpsSequenceKernel(options: TfjsOpsKernelOptions = {}): SequenceKernel {
  const how = {
    stepRows: options.stepRows ?? 'slice',
    gateProducts: options.gateProducts ?? 'joint',
    biasInProduct: options.biasInProduct ?? false,
  };
  return (plan) => sequenceNode(plan, how);
}

/** The forward of the node, returning its packed value and its BPTT gradient. */
function sequenceNode(
  plan: SequencePlan,
  how: { readonly stepRows: StepRows; readonly gateProducts: GateProducts; readonly biasInProduct: boolean },
): SequenceNode {
  const { tf, mm, args, schedule, recording, hidden, product } = plan;
  const { stepRows } = how;
  const cell = CELLS[args.cell];
  const { input, h0, weightIh, weightHh, biasIh, biasHh, lengths } = args;
  const isLstm = args.cell === 'lstm';
  const weightHr = isLstm ? args.weightHr : undefined;
  const [steps, batch, inSize] = input.shape;
  const { active, full } = schedule;

  // Input projection of every active step at once: [active·N, I]·[I, G·H].
  const x2d = tf.reshape(input, [steps * batch, inSize]);
  let xActive = active < steps ? tf.slice(x2d, [0, 0], [active * batch, inSize]) : x2d;
  // Zero the padding once, so whatever it holds (even NaN) reaches neither the steps nor dW_ih.
  if (full < active) xActive = tf.where(paddingMask(tf, lengths!, active), xActive, tf.zerosLike(xActive));
  // One row's gate columns are contiguous (slicing them is free), and one wide product then beats
  // G narrow ones: tfjs-cpu's matmul takes as long for one row as for two.
  const perGate = how.gateProducts === 'per-gate' && batch > 1;
  // Per gate, weights and biases split into row blocks (contiguous: free on every engine).
  const blocks = perGate ? cell.gates : 1;
  const rowBlocks = (w: TfTensor): TfTensor[] =>
    blocks === 1
      ? [w]
      : Array.from({ length: blocks }, (_, k) => tf.slice(w, [k * hidden, 0], [hidden, dim(w, 1)]));
  const biasBlocks = (b: TfTensor | undefined): (TfTensor | undefined)[] =>
    Array.from({ length: blocks }, (_, k) =>
      b === undefined || blocks === 1 ? b : tf.slice(b, [k * hidden], [hidden]),
    );
  // b_hh folds into the x-projection wherever it adds linearly: every gate but GRU's n, which with
  // joint products keeps the whole of b_hh out (it is one vector).
  const ihBias = biasBlocks(biasIh);
  const hhBias = biasBlocks(biasHh);
  const foldsHh = (k: number) =>
    perGate ? !cell.unfoldableHiddenBias.includes(k) : cell.unfoldableHiddenBias.length === 0;
  let withOnes: TfTensor | undefined; // [x | 1], built once for every gate block
  const xpAt = rowBlocks(weightIh).map((w, k) => {
    const biases = [ihBias[k], foldsHh(k) ? hhBias[k] : undefined].filter((b) => b !== undefined);
    let xp: TfTensor;
    if (product !== undefined) {
      // The engine's own product adds the bias row in its epilogue.
      const bias = biases.length < 2 ? biases[0] : tf.add(biases[0], biases[1]);
      xp = product({ a: xActive, b: w, transposeB: true, bias });
    } else if (how.biasInProduct && biases.length > 0) {
      const b = biases.length === 1 ? biases[0] : tf.add(biases[0], biases[1]);
      withOnes ??= tf.concat([xActive, tf.ones([dim(xActive, 0), 1])], 1);
      xp = mm(withOnes, tf.concat([w, tf.reshape(b, [dim(w, 0), 1])], 1), false, true);
    } else {
      xp = mm(xActive, w, false, true);
      for (const b of biases) xp = tf.add(xp, b);
    }
    return stepReader(tf, xp, batch, stepRows);
  });
  const unfolded = hhBias.map((b, k) => (foldsHh(k) ? undefined : b));

  const ctx: ForwardContext = {
    tf,
    mm,
    hidden,
    ...(perGate
      ? { gate: gateProducts(product ?? tfjsProduct(tf), rowBlocks(weightHh)) }
      : { recurrent: jointProduct(tf, weightHh, product) }),
    biasHh: unfolded.some((b) => b !== undefined) ? unfolded : undefined,
    whrT: weightHr === undefined ? undefined : tf.transpose(weightHr),
  };

  let h = h0;
  let c = isLstm ? (args.c0 ?? tf.zeros([batch, hidden])) : undefined;
  const outputs: TfTensor[] = new Array(active);
  // Time-indexed, for the backward: the state entering each step and the step's cache.
  const hPrev: TfTensor[] = new Array(active);
  const cPrev: TfTensor[] = new Array(active);
  const caches: TfTensor[][] = new Array(active);
  for (const t of schedule.order) {
    const step = tf.tidy(() => {
      const r = cell.forward(
        ctx,
        xpAt.map((at) => at(t)),
        h,
        c,
      );
      if (t < full) return { h: r.h, c: r.c, out: r.h, cache: r.cache };
      const valid = stepMask(tf, lengths!, t);
      return {
        h: tf.where(valid, r.h, h),
        c: r.c === undefined ? undefined : tf.where(valid, r.c, c!),
        out: tf.where(valid, r.h, tf.zerosLike(r.h)),
        cache: r.cache,
      };
    });
    if (recording) {
      hPrev[t] = h;
      if (c !== undefined) cPrev[t] = c;
      caches[t] = step.cache;
    } else {
      // Nobody will run the backward: free the cache now (but not the state it may share, e.g. RNN's h).
      tf.dispose(step.cache.filter((x) => x !== step.h && x !== step.out && x !== step.c));
    }
    outputs[t] = step.out;
    h = step.h;
    c = step.c;
  }

  const hOut = dim(h0, 1);
  if (active < steps) outputs.push(tf.zeros([(steps - active) * batch, hOut]));
  const flat = [tf.reshape(tf.concat(outputs, 0), [-1]), tf.reshape(h, [-1])];
  if (c !== undefined) flat.push(tf.reshape(c, [-1]));
  const value = tf.concat(flat, 0);
  if (!recording) return { value };

  // Stack what the backward needs, so tfjs saves (clones) a handful of tensors, not a few per step.
  const saves: TfTensor[] = [];
  const slot = (x: TfTensor): number => saves.push(x) - 1;
  const stackedHPrev = tf.concat(hPrev, 0);
  const factors = cell.factors(
    tf,
    caches[0].map((_, k) =>
      tf.concat(
        caches.map((cache) => cache[k]),
        0,
      ),
    ),
    stackedHPrev,
    isLstm ? tf.concat(cPrev, 0) : undefined,
  );
  const layout: SavedLayout = {
    weightIh: slot(weightIh),
    weightHh: slot(weightHh),
    weightHr: weightHr === undefined ? -1 : slot(weightHr),
    x: slot(xActive),
    hPrev: slot(stackedHPrev),
    factors: factors.perStep.map(slot),
    projected: weightHr === undefined || factors.projected === undefined ? -1 : slot(factors.projected),
  };
  return {
    value,
    save: saves,
    grad: (dy, saved) => bptt(plan, stepRows, dy, saved, layout),
  };
}

/** Hand-written backpropagation through time. */
function bptt(
  plan: SequencePlan,
  stepRows: StepRows,
  dy: TfTensor,
  saved: readonly TfTensor[],
  layout: SavedLayout,
): SequenceGrads {
  const { tf, mm, args, schedule, hidden, wants } = plan;
  const cell = CELLS[args.cell];
  const isLstm = args.cell === 'lstm';
  const [steps, batch, inSize] = args.input.shape;
  const hOut = dim(args.h0, 1);
  const { active, full } = schedule;
  const ctx: BackwardContext = {
    tf,
    mm,
    weightHh: saved[layout.weightHh],
    weightHr: layout.weightHr < 0 ? undefined : saved[layout.weightHr],
  };

  const outSize = steps * batch * hOut;
  const rowsOf = (stacked: TfTensor) => stepReader(tf, stacked, batch, stepRows);
  const dOutAt = rowsOf(tf.reshape(tf.slice(dy, [0], [outSize]), [steps * batch, hOut]));
  const factorsAt = layout.factors.map((i) => rowsOf(saved[i]));
  let gh = tf.reshape(tf.slice(dy, [outSize], [batch * hOut]), [batch, hOut]);
  let gc = isLstm
    ? tf.reshape(tf.slice(dy, [outSize + batch * hOut], [batch * hidden]), [batch, hidden])
    : undefined;

  const dgi: TfTensor[] = new Array(active);
  const dgh: TfTensor[] = new Array(active);
  const dhAll: TfTensor[] = new Array(active);
  for (let k = schedule.order.length - 1; k >= 0; k--) {
    const t = schedule.order[k];
    const step = tf.tidy(() => {
      const valid = t < full ? undefined : stepMask(tf, args.lengths!, t);
      // Rows past their length take no gradient from this step and pass the carried one through.
      const rows = (x: TfTensor, otherwise: TfTensor) =>
        valid === undefined ? x : tf.where(valid, x, otherwise);
      const zeroRows = (x: TfTensor) => rows(x, tf.zerosLike(x));
      const dh = zeroRows(tf.add(gh, dOutAt(t)));
      const dc = gc === undefined ? undefined : zeroRows(gc);
      const r = cell.backward(
        ctx,
        factorsAt.map((at) => at(t)),
        dh,
        dc,
      );
      return {
        dgi: r.dgi,
        dgh: r.dgh,
        gh: rows(r.dhPrev, gh),
        gc: r.dcPrev === undefined || gc === undefined ? undefined : rows(r.dcPrev, gc),
        dh,
      };
    });
    dgi[t] = step.dgi;
    dgh[t] = step.dgh;
    dhAll[t] = step.dh;
    gh = step.gh;
    gc = step.gc;
  }

  // Every weight gradient is one stacked product over all active steps.
  const dGi = tf.concat(dgi, 0);
  const dGh = cell.foldsHiddenBias ? dGi : tf.concat(dgh, 0);
  const grads: SequenceGrads = { h0: gh, c0: gc };
  if (wants.has('input')) {
    let dx = mm(dGi, saved[layout.weightIh], false, false);
    if (active < steps) dx = tf.concat([dx, tf.zeros([(steps - active) * batch, inSize])], 0);
    grads.input = tf.reshape(dx, [steps, batch, inSize]);
  }
  if (wants.has('weightIh')) grads.weightIh = mm(dGi, saved[layout.x], true, false);
  if (wants.has('weightHh')) grads.weightHh = mm(dGh, saved[layout.hPrev], true, false);
  if (wants.has('biasIh')) grads.biasIh = columnSums(tf, mm, dGi);
  if (wants.has('biasHh')) grads.biasHh = columnSums(tf, mm, dGh);
  if (wants.has('weightHr')) grads.weightHr = mm(tf.concat(dhAll, 0), saved[layout.projected], true, false);
  return grads;
}

/**
 * Joint products: `h ↦ h·W_hhᵀ (+ add)`. On the engine's own product, one kernel reading `W_hh` in
 * place; otherwise with `W_hhᵀ` transposed once per call (tfjs-wasm's flagged matmul is slow).
 */
function jointProduct(
  tf: TfjsCore,
  weightHh: TfTensor,
  product: ProductFn | undefined,
): NonNullable<ForwardContext['recurrent']> {
  if (product !== undefined) return (h, add) => product({ a: h, b: weightHh, transposeB: true, bias: add });
  const whhT = tf.transpose(weightHh);
  return (h, add) => {
    const hh = tf.matMul(h, whhT);
    return add === undefined ? hh : tf.add(add, hh);
  };
}

/**
 * Per-gate products: `act(add + h·W_hh,kᵀ)` as one fused product per gate, reading `W_hh`'s row
 * block k through the transpose flag (per-gate is for engines where the flag costs nothing).
 */
function gateProducts(
  product: ProductFn,
  gateBlocks: readonly TfTensor[],
): NonNullable<ForwardContext['gate']> {
  return (k, h, add, activation) =>
    product({ a: h, b: gateBlocks[k], transposeB: true, bias: add, activation });
}

/** Σ over rows of `[rows, W]`, as `ones[1, rows]·x` (tfjs-wasm's Sum over axis 0 is ~8× slower). */
function columnSums(tf: TfjsCore, mm: MatMulFn, x: TfTensor): TfTensor {
  const [rows, width] = x.shape as number[];
  return tf.reshape(mm(tf.ones([1, rows]), x, false, false), [width]);
}
