/**
 * The meaning of each recurrent cell, built from the backend's primitives (docs/math.md, PyTorch's gate
 * orders). Fused kernels must agree with these, values and gradients; the suite checks it.
 */
import type { CellKind } from '../backend.js';
import { add, matmul, mul, relu, sigmoid, slice, sub, tanh } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';

/** The weights of one direction of one layer, in PyTorch's packed layout. */
export interface CellWeights {
  /** Input-to-hidden weights `[G·H, I]` (PyTorch's `weight_ih`), G gate chunks stacked. */
  weightIh: Tensor;
  /** Hidden-to-hidden weights `[G·H, Hout]` (PyTorch's `weight_hh`). */
  weightHh: Tensor;
  /** Input-to-hidden bias `[G·H]` (`bias_ih`); absent without bias. */
  biasIh?: Tensor;
  /** Hidden-to-hidden bias `[G·H]` (`bias_hh`); absent without bias. */
  biasHh?: Tensor;
  /** LSTM projection `[P, H]` (`weight_hr`) applied to each new hidden state; only with `projSize`. */
  weightHr?: Tensor;
}

/** Number of gate chunks in the packed weights. */
export function gateCount(cell: CellKind): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/** `x·Wᵀ + b` for a batch of rows. */
function affine(x: Tensor, weight: Tensor, bias: Tensor | undefined): Tensor {
  const y = matmul(x, weight, false, true);
  return bias === undefined ? y : add(y, bias);
}

/** Columns [k·H, (k+1)·H) of `a [N, G·H]`: the k-th gate chunk. */
function chunk(a: Tensor, k: number, hidden: number): Tensor {
  return slice(a, [0, k * hidden], [a.shape[0]!, hidden]);
}

/** One step of `RNNCell`: `h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`. */
export function rnnStep(x: Tensor, h: Tensor, w: CellWeights, nonlinearity: 'tanh' | 'relu'): Tensor {
  const a = add(affine(x, w.weightIh, w.biasIh), affine(h, w.weightHh, w.biasHh));
  return nonlinearity === 'tanh' ? tanh(a) : relu(a);
}

/** One step of `LSTMCell` (gates i, f, g, o; optional projection `h = m·W_hrᵀ`). Returns `[h', c']`. */
export function lstmStep(x: Tensor, h: Tensor, c: Tensor, w: CellWeights): [Tensor, Tensor] {
  const hidden = c.shape[1]!;
  const a = add(affine(x, w.weightIh, w.biasIh), affine(h, w.weightHh, w.biasHh));
  const i = sigmoid(chunk(a, 0, hidden));
  const f = sigmoid(chunk(a, 1, hidden));
  const g = tanh(chunk(a, 2, hidden));
  const o = sigmoid(chunk(a, 3, hidden));
  const cNext = add(mul(f, c), mul(i, g));
  const m = mul(o, tanh(cNext));
  const hNext = w.weightHr === undefined ? m : matmul(m, w.weightHr, false, true);
  return [hNext, cNext];
}

/** One step of `GRUCell` (gates r, z, n; `b_hn` inside `r ⊙ (…)`). */
export function gruStep(x: Tensor, h: Tensor, w: CellWeights): Tensor {
  const hidden = h.shape[1]!;
  const gi = affine(x, w.weightIh, w.biasIh);
  const gh = affine(h, w.weightHh, w.biasHh);
  const r = sigmoid(add(chunk(gi, 0, hidden), chunk(gh, 0, hidden)));
  const z = sigmoid(add(chunk(gi, 1, hidden), chunk(gh, 1, hidden)));
  const n = tanh(add(chunk(gi, 2, hidden), mul(r, chunk(gh, 2, hidden))));
  // h' = (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)
  return add(n, mul(z, sub(h, n)));
}
