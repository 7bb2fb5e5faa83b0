/**
 * One time step of each cell, forward, and its hand-written backward (SPEC.md, "Hand-written
 * backward"), factored so that the backward loop is short: after a recorded forward, `factors`
 * computes, for all steps at once, every product that does not depend on the incoming gradient;
 * `backward` then needs ~7 ops per step (tfjs's per-op overhead, not arithmetic, dominates small
 * steps). The sequence driver (`sequence.ts`) owns the loop, the masks and the weight gradients.
 * Weights arrive pre-transposed for the forward (`[in, G·H]`) and in PyTorch's layout for the
 * backward, so no matmul needs a transpose flag.
 */
import type { CellKind } from '@recur/core';
import type { TfjsCore, TfTensor } from '../tfjs.js';

/** Per-call tensors shared by every step of the forward. */
export interface ForwardContext {
  readonly tf: TfjsCore;
  readonly hidden: number;
  /** `W_hhᵀ`, `[Hout, G·H]`. */
  readonly whhT: TfTensor;
  /** GRU only: `b_hh`, which sits inside `r ⊙ (…)` and cannot be folded into the x-projection. */
  readonly biasHh?: TfTensor;
  /** LSTM with projection: `W_hrᵀ`, `[H, P]`. */
  readonly whrT?: TfTensor;
}

/** Per-call tensors shared by every step of the backward (PyTorch layouts). */
export interface BackwardContext {
  readonly tf: TfjsCore;
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
  /** `xp` is this step's x-projection with biases, `[N, G·H]`; `c` is given for the LSTM. */
  forward(ctx: ForwardContext, xp: TfTensor, h: TfTensor, c: TfTensor | undefined): StepForward;
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
    forward({ tf, whhT }, xp, h) {
      const a = tf.add(xp, tf.matMul(h, whhT));
      const hNew = activation === 'tanh' ? tf.tanh(a) : tf.relu(a);
      return { h: hNew, cache: [hNew] };
    },
    factors(tf, [hNew]) {
      // relu: h > 0 ⇔ a > 0, and relu'(0) = 0 as in PyTorch.
      return { perStep: [activation === 'tanh' ? tanhSlope(tf, hNew) : tf.step(hNew, 0)] };
    },
    backward({ tf, weightHh }, [slope], dh) {
      const da = tf.mul(dh, slope);
      return { dgi: da, dgh: da, dhPrev: tf.matMul(da, weightHh) };
    },
  };
}

const lstmCell: CellStep = {
  gates: 4,
  foldsHiddenBias: true,
  forward({ tf, hidden: H, whhT, whrT }, xp, h, c) {
    const a = tf.add(xp, tf.matMul(h, whhT));
    const s = tf.sigmoid(a); // the g columns of s are unused
    const i = col(tf, s, 0, H);
    const f = col(tf, s, H, H);
    const o = col(tf, s, 3 * H, H);
    const g = tf.tanh(col(tf, a, 2 * H, H));
    const cNew = tf.add(tf.mul(f, c!), tf.mul(i, g));
    const tc = tf.tanh(cNew);
    const m = tf.mul(o, tc);
    if (whrT === undefined) return { h: m, c: cNew, cache: [i, f, g, o, tc] };
    return { h: tf.matMul(m, whrT), c: cNew, cache: [i, f, g, o, tc, m] };
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
  backward({ tf, weightHh, weightHr }, [gateFactor, cellFactor, f], dh, dc) {
    const dm = weightHr === undefined ? dh : tf.matMul(dh, weightHr);
    const dcTotal = tf.add(dc!, tf.mul(dm, cellFactor));
    const da = tf.mul(tf.concat([dcTotal, dcTotal, dcTotal, dm], 1), gateFactor);
    return { dgi: da, dgh: da, dhPrev: tf.matMul(da, weightHh), dcPrev: tf.mul(dcTotal, f) };
  },
};

const gruCell: CellStep = {
  gates: 3,
  foldsHiddenBias: false,
  forward({ tf, hidden: H, whhT, biasHh }, xp, h) {
    const hh = tf.matMul(h, whhT);
    const gh = biasHh === undefined ? hh : tf.add(hh, biasHh);
    const rz = tf.sigmoid(tf.add(col(tf, xp, 0, 2 * H), col(tf, gh, 0, 2 * H)));
    const r = col(tf, rz, 0, H);
    const z = col(tf, rz, H, H);
    const ghn = col(tf, gh, 2 * H, H);
    const n = tf.tanh(tf.add(col(tf, xp, 2 * H, H), tf.mul(r, ghn)));
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
  backward({ tf, weightHh }, [inputFactor, hiddenFactor, z], dh) {
    const dh3 = tf.concat([dh, dh, dh], 1);
    const dgh = tf.mul(dh3, hiddenFactor);
    return {
      dgi: tf.mul(dh3, inputFactor),
      dgh,
      dhPrev: tf.add(tf.mul(dh, z), tf.matMul(dgh, weightHh)),
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
