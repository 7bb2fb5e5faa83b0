/**
 * Keras ↔ PyTorch weights of one direction of one layer, at the boundary (docs/math.md, "Weights
 * from other systems"). With row vectors x [N, I], h [N, H] and G gates:
 *
 *   Keras:   a = x·kernel + h·recurrent_kernel + b            kernel [I, G·H], recurrent_kernel [H, G·H]
 *   PyTorch: a = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh              W_ih [G·H, I],  W_hh [G·H, H]
 *
 * so W_ih = kernelᵀ and W_hh = recurrent_kernelᵀ, gate chunk by gate chunk (columns of Keras, rows of
 * PyTorch). The chunk orders:
 *
 * - LSTM: Keras i | f | c | o (keras/src/layers/rnn/lstm.py, tfjs-layers LSTMCell: i = σ(z0), f = σ(z1),
 *   c = f⊙c + i⊙tanh(z2), o = σ(z3), h = o⊙tanh(c)) is PyTorch's i | f | g | o: the same order. Keras has
 *   one bias [4H]: b_ih = bias, b_hh = 0 (their sum is all either computes).
 * - SimpleRNN: h = act(x·kernel + b + h·recurrent_kernel): b_ih = bias, b_hh = 0.
 * - GRU with reset_after = true (keras/src/layers/rnn/gru.py): bias [2, 3H] = (input bias, recurrent bias);
 *   z = σ(x_z + b_z + h·U_z + b_rz), r = σ(x_r + b_r + h·U_r + b_rr), hh = tanh(x_h + b_h + r ⊙ (h·U_h + b_rh)),
 *   h' = z⊙h + (1−z)⊙hh. PyTorch: r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r ⊙ gh_n),
 *   h' = (1−z)⊙n + z⊙h — the same function with chunks z | r | h → r | z | n, b_ih = bias[0], b_hh = bias[1].
 *   (reset_after = false puts r inside the product, (r⊙h)·U_h: another function, refused in layers.ts.)
 */
import type { KerasKind } from './layers.js';

/** `torchFromKeras[kind][j]` is the Keras chunk that becomes PyTorch chunk `j`. */
const torchFromKeras: Record<KerasKind, readonly number[]> = {
  SimpleRNN: [0],
  LSTM: [0, 1, 2, 3],
  GRU: [1, 0, 2],
};

/** Gates per kind (G). */
export function kerasGateCount(kind: KerasKind): number {
  return torchFromKeras[kind].length;
}

/** A Keras `[rows, G·H]` kernel (row-major) as PyTorch's `[G·H, rows]` weight, chunks reordered. */
export function kernelToTorch(
  kind: KerasKind,
  kernel: Float32Array,
  rows: number,
  hidden: number,
): Float32Array {
  const order = torchFromKeras[kind];
  const cols = order.length * hidden;
  const out = new Float32Array(kernel.length);
  for (const [j, k] of order.entries()) {
    for (let h = 0; h < hidden; h++) {
      const to = (j * hidden + h) * rows;
      const from = k * hidden + h;
      for (let i = 0; i < rows; i++) out[to + i] = kernel[i * cols + from]!;
    }
  }
  return out;
}

/** PyTorch's `[G·H, rows]` weight as a Keras `[rows, G·H]` kernel: the inverse of {@link kernelToTorch}. */
export function kernelToKeras(
  kind: KerasKind,
  weight: Float32Array,
  rows: number,
  hidden: number,
): Float32Array {
  const order = torchFromKeras[kind];
  const cols = order.length * hidden;
  const out = new Float32Array(weight.length);
  for (const [j, k] of order.entries()) {
    for (let h = 0; h < hidden; h++) {
      const from = (j * hidden + h) * rows;
      const to = k * hidden + h;
      for (let i = 0; i < rows; i++) out[i * cols + to] = weight[from + i]!;
    }
  }
  return out;
}

/** A Keras `[G·H]` bias (row) in PyTorch's chunk order, or back with `direction = 'toKeras'`. */
export function reorderBias(
  kind: KerasKind,
  bias: Float32Array,
  hidden: number,
  direction: 'toTorch' | 'toKeras' = 'toTorch',
): Float32Array {
  const out = new Float32Array(bias.length);
  for (const [j, k] of torchFromKeras[kind].entries()) {
    const [from, to] = direction === 'toTorch' ? [k, j] : [j, k];
    out.set(bias.subarray(from * hidden, (from + 1) * hidden), to * hidden);
  }
  return out;
}
