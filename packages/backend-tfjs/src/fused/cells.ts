/**
 * One time step of each cell, forward, and its hand-written backward (docs/math.md,
 * "Backpropagation through time, per step"), factored so that the backward loop is short: after a recorded forward, `factors`
 * computes, for all steps at once, every product that does not depend on the incoming gradient;
 * `backward` then needs ~7 ops per step (tfjs's per-op overhead, not arithmetic, dominates small
 * steps). The sequence driver (`sequence.ts`) owns the loop, the masks and the weight gradients.
 * The forward's recurrent products come from the driver (`ctx.recurrent`: joint or per gate, see
 * {@link GateProducts}); the backward's weights arrive in PyTorch's layout, so its matmuls need no
 * transpose flag.
 */
import type { CellKind } from '@recur/core';
import type { MatMulFn, ProductActivation } from '../ops/linalg.js';
import type { TfjsCore, TfTensor } from '../tfjs.js';

/** Per-call tensors shared by every step of the forward. */
export interface ForwardContext {
  readonly tf: TfjsCore;
  /** The adapter's matmul (an engine's own product where it brings one). */
  readonly mm: MatMulFn;
  readonly hidden: number;
  /**
   * `joint` products: `h·W_hhᵀ (+ add)` as one `[N, G·H]` product (`add`: `[N, G·H]` or `[G·H]`); the
   * step's x-projection is one `[N, G·H]` block. Absent with `per-gate` products.
   */
  readonly recurrent?: (h: TfTensor, add?: TfTensor) => TfTensor;
  /**
   * `per-gate` products: `act(add + h·W_hh,kᵀ)` for gate k (`[N, H]`) as ONE tfjs op (a fused matmul
   * with bias and activation); the step's x-projection arrives as one `[N, H]` block per gate.
   */
  readonly gate?: (k: number, h: TfTensor, add: TfTensor | undefined, activation: GateActivation) => TfTensor;
  /**
   * GRU only: `b_hh` where it sits inside `r ⊙ (…)` and cannot be folded into the x-projection: the
   * whole `[G·H]` vector (joint), or per gate with only the n gate's block set (per-gate).
   */
  readonly biasHh?: readonly (TfTensor | undefined)[];
  /** LSTM with projection: `W_hrᵀ`, `[H, P]`. */
  readonly whrT?: TfTensor;
}

/**
 * How a step's gate pre-activations are produced. `joint`: one `[N, G·H]` product, gates cut out as
 * column slices (one matmul dispatch per step; right where slicing is cheap). `per-gate`: one `[N, H]`
 * product per gate from row blocks of the weights, so no column is ever sliced: for tfjs-cpu, whose
 * Slice copies a non-contiguous block element by element through index arrays (~0.8 µs per element,
 * more than the step's whole matmul on W1), while extra matmul dispatches cost ~20 µs each. Each
 * per-gate product is one fused op (matmul + x-projection + activation). With one row (batch 1) the
 * kernel takes the joint product anyway: a single row's gate columns are contiguous.
 */
export type GateProducts = 'joint' | 'per-gate';

/** The activations a gate product applies (see {@link ProductActivation}). */
export type GateActivation = ProductActivation;

/** Per-call tensors shared by every step of the backward (PyTorch layouts). */
export interface BackwardContext {
  readonly tf: TfjsCore;
  /** The adapter's matmul (an engine's own product where it brings one). */
  readonly mm: MatMulFn;
  /** `W_hh`, `[G·H, Hout]`. */
  readonly weightHh: TfTensor;
  /** `W_hr`, `[P, H]`. */
  readonly weightHr?: TfTensor;
}

/** A candidate state and the tensors `factors` needs from this step. */
export interface StepForward {
  readonly h: TfTensor;
  readonly c?: TfTensor;
  readonly cache: TfTensor[];
}

/** What the backward needs, stacked over steps in time order (`[steps·N, …]`). */
export interface Factors {
  /** Read row block by row block in the backward loop, in `backward`'s `factors` order. */
  readonly perStep: TfTensor[];
  /** LSTM with projection: `m_t` stacked, for `dW_hr = Σ dhᵀ·m_t`. */
  readonly projected?: TfTensor;
}

/** Gradients of one step w.r.t. the gate pre-activations and the previous state. */
export interface StepBackward {
  /** d(x-projection pre-activation), `[N, G·H]`: feeds `dW_ih`, `db_ih`, `dx`. */
  readonly dgi: TfTensor;
  /** d(h-projection pre-activation), `[N, G·H]`: feeds `dW_hh`, `db_hh`. */
  readonly dgh: TfTensor;
  readonly dhPrev: TfTensor;
  readonly dcPrev?: TfTensor;
}

/** One recurrent cell. */
export interface CellStep {
  /** Gate count G. */
  readonly gates: number;
  /** Whether `b_hh` adds linearly and can be folded into the x-projection (all but GRU). */
  readonly foldsHiddenBias: boolean;
  /** Gates whose `b_hh` block cannot be folded (GRU's n gate); with per-gate products the others fold. */
  readonly unfoldableHiddenBias: readonly number[];
  /**
   * `xp` is this step's x-projection with biases, `[N, G·H]` (joint) or one `[N, H]` block per gate
   * (per-gate, see {@link ForwardContext}); `c` is given for the LSTM.
   */
  forward(ctx: ForwardContext, xp: readonly TfTensor[], h: TfTensor, c: TfTensor | undefined): StepForward;
  /** From each cache entry and the states entering each step, all stacked in time order. */
  factors(tf: TfjsCore, caches: readonly TfTensor[], hPrev: TfTensor, cPrev: TfTensor | undefined): Factors;
  /** `dh`/`dc`: gradients w.r.t. this step's candidate state (already masked). */
  backward(
    ctx: BackwardContext,
    factors: readonly TfTensor[],
    dh: TfTensor,
    dc: TfTensor | undefined,
  ): StepBackward;
}

const col = (tf: TfjsCore, x: TfTensor, begin: number, width: number): TfTensor =>
  tf.slice(x, [0, begin], [x.shape[0], width]);

/** σ'(a) from s = σ(a). */
const sigmoidSlope = (tf: TfjsCore, s: TfTensor) => tf.mul(s, tf.sub(1, s));
/** tanh'(a) from y = tanh(a). */
const tanhSlope = (tf: TfjsCore, y: TfTensor) => tf.sub(1, tf.square(y));

function rnnCell(activation: 'tanh' | 'relu'): CellStep {
  return {
    gates: 1,
    foldsHiddenBias: true,
    unfoldableHiddenBias: [],
    forward({ tf, recurrent, gate }, [xp], h) {
      let hNew: TfTensor;
      if (gate !== undefined) {
        hNew = gate(0, h, xp, activation);
      } else {
        const a = recurrent!(h, xp);
        hNew = activation === 'tanh' ? tf.tanh(a) : tf.relu(a);
      }
      return { h: hNew, cache: [hNew] };
    },
    factors(tf, [hNew]) {
      // relu: h > 0 ⇔ a > 0, and relu'(0) = 0 as in PyTorch.
      return { perStep: [activation === 'tanh' ? tanhSlope(tf, hNew) : tf.step(hNew, 0)] };
    },
    backward({ tf, mm, weightHh }, [slope], dh) {
      const da = tf.mul(dh, slope);
      return { dgi: da, dgh: da, dhPrev: mm(da, weightHh, false, false) };
    },
  };
}

const lstmCell: CellStep = {
  gates: 4,
  foldsHiddenBias: true,
  unfoldableHiddenBias: [],
  forward({ tf, mm, hidden: H, recurrent, gate, whrT }, xp, h, c) {
    let i: TfTensor, f: TfTensor, g: TfTensor, o: TfTensor;
    if (gate !== undefined) {
      i = gate(0, h, xp[0], 'sigmoid');
      f = gate(1, h, xp[1], 'sigmoid');
      g = gate(2, h, xp[2], 'tanh');
      o = gate(3, h, xp[3], 'sigmoid');
    } else {
      const a = recurrent!(h, xp[0]);
      const s = tf.sigmoid(a); // the g columns of s are unused
      i = col(tf, s, 0, H);
      f = col(tf, s, H, H);
      o = col(tf, s, 3 * H, H);
      g = tf.tanh(col(tf, a, 2 * H, H));
    }
    const cNew = tf.add(tf.mul(f, c!), tf.mul(i, g));
    const tc = tf.tanh(cNew);
    const m = tf.mul(o, tc);
    if (whrT === undefined) return { h: m, c: cNew, cache: [i, f, g, o, tc] };
    return { h: mm(m, whrT, false, false), c: cNew, cache: [i, f, g, o, tc, m] };
  },
  factors(tf, [i, f, g, o, tc, m], _hPrev, cPrev) {
    // da = [dc⊙g⊙σ'_i | dc⊙c_{t−1}⊙σ'_f | dc⊙i⊙tanh'_g | dm⊙tanh(c)⊙σ'_o] = [dc|dc|dc|dm] ⊙ gateFactor,
    // with dc = dc_carried + dm⊙o⊙tanh'(c) = dc_carried + dm⊙cellFactor.
    const gateFactor = tf.concat(
      [
        tf.mul(g, sigmoidSlope(tf, i)),
        tf.mul(cPrev!, sigmoidSlope(tf, f)),
        tf.mul(i, tanhSlope(tf, g)),
        tf.mul(tc, sigmoidSlope(tf, o)),
      ],
      1,
    );
    const cellFactor = tf.mul(o, tanhSlope(tf, tc));
    return { perStep: [gateFactor, cellFactor, f], projected: m };
  },
  backward({ tf, mm, weightHh, weightHr }, [gateFactor, cellFactor, f], dh, dc) {
    const dm = weightHr === undefined ? dh : mm(dh, weightHr, false, false);
    const dcTotal = tf.add(dc!, tf.mul(dm, cellFactor));
    const da = tf.mul(tf.concat([dcTotal, dcTotal, dcTotal, dm], 1), gateFactor);
    return { dgi: da, dgh: da, dhPrev: mm(da, weightHh, false, false), dcPrev: tf.mul(dcTotal, f) };
  },
};

const gruCell: CellStep = {
  gates: 3,
  foldsHiddenBias: false,
  unfoldableHiddenBias: [2],
  forward({ tf, hidden: H, recurrent, gate, biasHh }, xp, h) {
    let r: TfTensor, z: TfTensor, ghn: TfTensor, xpn: TfTensor;
    if (gate !== undefined) {
      // b_hr and b_hz are folded into xp; b_hn stays inside r ⊙ (h·W_hnᵀ + b_hn).
      r = gate(0, h, xp[0], 'sigmoid');
      z = gate(1, h, xp[1], 'sigmoid');
      ghn = gate(2, h, biasHh?.[2], 'linear');
      xpn = xp[2];
    } else {
      const gh = recurrent!(h, biasHh?.[0]);
      const rz = tf.sigmoid(tf.add(col(tf, xp[0], 0, 2 * H), col(tf, gh, 0, 2 * H)));
      r = col(tf, rz, 0, H);
      z = col(tf, rz, H, H);
      ghn = col(tf, gh, 2 * H, H);
      xpn = col(tf, xp[0], 2 * H, H);
    }
    const n = tf.tanh(tf.add(xpn, tf.mul(r, ghn)));
    const hNew = tf.add(n, tf.mul(z, tf.sub(h, n))); // (1−z)⊙n + z⊙h
    return { h: hNew, cache: [r, z, n, ghn] };
  },
  factors(tf, [r, z, n, ghn], hPrev) {
    // dan = dh⊙u, daz = dh⊙v, dar = dan⊙gh_n⊙σ'_r = dh⊙u⊙w, dgh_n = dan⊙r:
    // dgi = [dh|dh|dh] ⊙ [u⊙w | v | u], dgh = [dh|dh|dh] ⊙ [u⊙w | v | u⊙r].
    const u = tf.mul(tf.sub(1, z), tanhSlope(tf, n));
    const v = tf.mul(tf.sub(hPrev, n), sigmoidSlope(tf, z));
    const uw = tf.mul(u, tf.mul(ghn, sigmoidSlope(tf, r)));
    return { perStep: [tf.concat([uw, v, u], 1), tf.concat([uw, v, tf.mul(u, r)], 1), z] };
  },
  backward({ tf, mm, weightHh }, [inputFactor, hiddenFactor, z], dh) {
    const dh3 = tf.concat([dh, dh, dh], 1);
    const dgh = tf.mul(dh3, hiddenFactor);
    return {
      dgi: tf.mul(dh3, inputFactor),
      dgh,
      dhPrev: tf.add(tf.mul(dh, z), mm(dgh, weightHh, false, false)),
    };
  },
};

/** The fused cells, by kind. */
export const CELLS: Readonly<Record<CellKind, CellStep>> = {
  rnn_tanh: rnnCell('tanh'),
  rnn_relu: rnnCell('relu'),
  lstm: lstmCell,
  gru: gruCell,
};
