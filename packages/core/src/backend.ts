/**
 * The contract every Recur backend implements: one page, read top to bottom.
 *
 * A backend provides a short list of primitives over its own tensor type `T`, reverse-mode autograd
 * over those primitives, and memory management. Everything else (layers, losses, optimizers, shape
 * rules, gate orders) lives in `@recur/core` above this line. The frontend validates every shape
 * before it calls a primitive, so a backend may assume its arguments are well-formed.
 *
 * An optional `fused` member offers whole-sequence recurrent kernels. It is found by presence and
 * always has a correct fallback: the composed cell built from the primitives is the meaning, and the
 * conformance suite proves fused ≡ composed, values and gradients.
 */

/** Floating-point element types a backend may store. */
export type DType = 'float32' | 'float64';

/** Host-side data of a tensor, row-major. */
export type TypedArray = Float32Array | Float64Array;

/** Unary elementwise primitives. `relu`'s gradient at 0 is 0, as in PyTorch. */
export type UnaryOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'tanh' | 'sigmoid' | 'relu';

/** Binary elementwise primitives with NumPy broadcasting (the frontend checks broadcastability). */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

/** Recurrent cell kinds a fused sequence kernel may implement. */
export type CellKind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

/**
 * One direction of one layer over a whole (padded) sequence, time-major.
 * Shapes: `input [T, N, I]`, `h0 [N, Hout]`, `c0 [N, H]` (LSTM only), weights in PyTorch's packed
 * layout and gate order (`weightIh [G·H, I]`, `weightHh [G·H, Hout]`, `biasIh`/`biasHh [G·H]`,
 * `weightHr [P, H]` for an LSTM with projection, where `Hout = P`).
 */
export interface SequenceArgs<T> {
  /** Which recurrence to run; fixes the gate count G (1, 4 for `lstm`, 3 for `gru`) and gate order. */
  readonly cell: CellKind;
  /** The padded input sequence, `[T, N, I]` (`[N, T, I]` with {@link SequenceArgs.batchFirst}). */
  readonly input: T;
  /** Initial hidden state, `[N, Hout]`. */
  readonly h0: T;
  /** Initial cell state `[N, H]`; LSTM only. */
  readonly c0?: T;
  /** Input-to-hidden weights `[G·H, I]`, PyTorch's `weight_ih_l{k}`. */
  readonly weightIh: T;
  /** Hidden-to-hidden weights `[G·H, Hout]`, PyTorch's `weight_hh_l{k}`. */
  readonly weightHh: T;
  /** Input-to-hidden bias `[G·H]` (`bias_ih_l{k}`); absent when the layer has `bias: false`. */
  readonly biasIh?: T;
  /** Hidden-to-hidden bias `[G·H]` (`bias_hh_l{k}`); absent when the layer has `bias: false`. */
  readonly biasHh?: T;
  /** LSTM projection `[P, H]` (`weight_hr_l{k}`), applied to each new hidden state; only with `projSize`. */
  readonly weightHr?: T;
  /** Run t = T−1 … 0 instead of 0 … T−1. */
  readonly reverse: boolean;
  /**
   * Valid length of each batch row (1 ≤ len ≤ T), or undefined when every row has length T.
   * Steps with t ≥ len_b leave row b's state unchanged and write zeros to its output, so the reverse
   * direction starts at len_b − 1 and `hn` holds each row's state at its last valid step.
   */
  readonly lengths?: Int32Array;
  /**
   * `input` is `[N, T, I]` and `output` must be `[N, T, Hout]`. The frontend sets it only for
   * backends whose {@link FusedKernels.batchFirst} is true, so that batch-first modules skip two
   * transposed copies of the whole sequence per layer stack (and two more in the backward pass).
   */
  readonly batchFirst?: boolean;
}

/** Outputs of a sequence kernel: `output [T, N, Hout]`, `hn [N, Hout]`, `cn [N, H]` (LSTM). */
export interface SequenceResult<T> {
  /** Hidden state at every step, `[T, N, Hout]` (`[N, T, Hout]` when batch-first; zeros past a row's length). */
  readonly output: T;
  /** Final hidden state of each row, `[N, Hout]`. */
  readonly hn: T;
  /** Final cell state of each row, `[N, H]`; LSTM only. */
  readonly cn?: T;
}

/** Optional whole-sequence kernels: forward plus hand-written BPTT, differentiable as one node. */
export interface FusedKernels<T> {
  /** Cells this backend fuses; others take the composed path. */
  readonly cells: readonly CellKind[];
  /** Runs one direction of one layer; differentiable w.r.t. every tensor in `args`. */
  sequence(args: SequenceArgs<T>): SequenceResult<T>;
  /**
   * Whether `sequence` also takes batch-first calls ({@link SequenceArgs.batchFirst}); without it the
   * frontend transposes batch-first sequences to time-major around the kernel.
   */
  readonly batchFirst?: boolean;
}

/** The result of {@link Backend.valueAndGrads}. */
export interface ValueAndGrads<T> {
  /** The scalar `f()` returned, shape `[]`. */
  readonly value: T;
  /** d f / d `xs[i]` at index i, each with the shape and dtype of `xs[i]`. */
  readonly grads: T[];
}

/**
 * A Recur backend over tensor type `T`. Methods are written as methods (not function properties) so
 * that a `Backend<MyTensor>` is usable where the frontend holds a `Backend<unknown>`.
 */
export interface Backend<T> {
  /** Short name used in reports: `js`, `tfjs-cpu`, `wasm`, `tfjs-node`, `webgl`. */
  readonly name: string;
  /** Element types this backend can compute in, best first. */
  readonly dtypes: readonly DType[];
  /** Whole-sequence kernels, when the backend has them. */
  readonly fused?: FusedKernels<T>;

  // ---- data ---------------------------------------------------------------------------------------
  /** A new tensor holding a copy of `data` (length = product of `shape`). */
  fromData(data: ArrayLike<number>, shape: readonly number[], dtype: DType): T;
  /** The tensor's values, row-major, synchronously. */
  read(x: T): TypedArray;

  // ---- primitives (each differentiable unless noted) -------------------------------------------------
  /** 2-D product `op(a)·op(b)`, where `op` transposes when its flag is set. */
  matMul(a: T, b: T, transposeA: boolean, transposeB: boolean): T;
  /** Elementwise binary op with NumPy broadcasting; gradients are summed back to each input's shape. */
  binary(op: BinaryOp, a: T, b: T): T;
  /** Elementwise unary op. */
  unary(op: UnaryOp, x: T): T;
  /** `x · factor` for a host-side scalar. */
  scale(x: T, factor: number): T;
  /** Sum over `axes` (pass every axis to reduce to a scalar); reduced dims stay as 1 when `keepDims`. */
  sum(x: T, axes: readonly number[], keepDims: boolean): T;
  /** Maximum over `axes`. A constant under autograd (zero gradient): used for norms and stable softmax. */
  max(x: T, axes: readonly number[], keepDims: boolean): T;
  /** `log(softmax(x))` along the last axis. */
  logSoftmax(x: T): T;
  /** Same data, new shape (same element count). */
  reshape(x: T, shape: readonly number[]): T;
  /** Permute axes: output axis i is input axis `perm[i]`. */
  transpose(x: T, perm: readonly number[]): T;
  /** The block starting at `begin` with extent `size` (every axis given). */
  slice(x: T, begin: readonly number[], size: readonly number[]): T;
  /** Join tensors along `axis`; all other dims equal. */
  concat(xs: readonly T[], axis: number): T;
  /** Rows of `x` along axis 0 at `indices` (repeats allowed; gradient accumulates). */
  gather(x: T, indices: Int32Array): T;

  // ---- autograd -------------------------------------------------------------------------------------
  /**
   * Runs `f`, which must return a scalar (shape `[]`), and returns its value and d f / d `xs[i]`
   * (zeros where `f` does not depend on `xs[i]`). Gradients have the shapes and dtypes of `xs`.
   * As in tfjs, tensors created inside `f` are released on return, except the value and tensors
   * passed to `keep`; read anything else you need inside `f`.
   */
  valueAndGrads(f: () => T, xs: readonly T[]): ValueAndGrads<T>;

  // ---- memory ---------------------------------------------------------------------------------------
  /**
   * Runs `fn`; every tensor created inside and not listed by `kept(result)` (nor kept with `keep`)
   * is released when it returns, and also when `fn` throws. `kept` lists the handles of every tensor
   * in the result, whatever backend it lives on (backends sharing one engine track each other's
   * tensors); ignore the handles that are not yours.
   */
  tidy<R>(fn: () => R, kept: (result: R) => readonly unknown[]): R;
  /** Exempts `x` from release by the enclosing `tidy` scopes. */
  keep(x: T): T;
  /** Releases `x` now. Releasing twice is harmless. */
  dispose(x: T): void;
  /**
   * Whether `x` has been released (by `dispose` or a `tidy` scope). The frontend asks before any work,
   * so a released tensor gets an error naming the argument instead of failing half-way.
   */
  isDisposed(x: T): boolean;
  /** How many tensors this backend holds right now (for leak checks; tfjs engines count the whole engine). */
  liveTensors(): number;
}
