/**
 * The primitives of the contract, each a forward computation in float64 plus, for the tape, the
 * gradient of each input. Arguments are well-formed: the frontend validates every shape first.
 */
import type { BinaryOp, UnaryOp } from '@recur/core';
import type { Engine } from './engine.js';
import { type MinimalTensor, mapIndex, sizeOf, stridesOf } from './tensor.js';

type T = MinimalTensor;

/** Value and derivative (from the input `x` and the output `y`) of each unary op. */
const unaryOps: Record<UnaryOp, [(x: number) => number, (x: number, y: number) => number]> = {
  neg: [(x) => -x, () => -1],
  exp: [Math.exp, (_, y) => y],
  log: [Math.log, (x) => 1 / x],
  sqrt: [Math.sqrt, (_, y) => 0.5 / y],
  abs: [Math.abs, (x) => Math.sign(x)], // 0 at 0, as in PyTorch
  tanh: [Math.tanh, (_, y) => 1 - y * y],
  sigmoid: [(x) => 1 / (1 + Math.exp(-x)), (_, y) => y * (1 - y)],
  relu: [(x) => Math.max(0, x), (x) => (x > 0 ? 1 : 0)], // Math.max keeps NaN; gradient 0 at 0
};

/** Value and the two partial derivatives of each binary op. */
const binaryOps: Record<
  BinaryOp,
  [(a: number, b: number) => number, (a: number, b: number) => number, (a: number, b: number) => number]
> = {
  add: [(a, b) => a + b, () => 1, () => 1],
  sub: [(a, b) => a - b, () => 1, () => -1],
  mul: [(a, b) => a * b, (_, b) => b, (a) => a],
  div: [(a, b) => a / b, (_, b) => 1 / b, (a, b) => -a / (b * b)],
};

/** `out[i] = src[map[i]]`. */
const gatherBy = (src: ArrayLike<number>, map: Int32Array): Float64Array => {
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = src[map[i]];
  return out;
};

/** `out[map[i]] += src[i]`, into a new array of `size`. */
const scatterBy = (src: ArrayLike<number>, map: Int32Array, size: number): Float64Array => {
  const out = new Float64Array(size);
  for (let i = 0; i < map.length; i++) out[map[i]] += src[i];
  return out;
};

/** `op(a)·op(b)` of row-major 2-D arrays, where `op` transposes when its flag is set. */
function matmul(
  a: ArrayLike<number>,
  [ar, ac]: readonly number[],
  tA: boolean,
  b: ArrayLike<number>,
  [br, bc]: readonly number[],
  tB: boolean,
): { data: Float64Array; shape: number[] } {
  const [m, k, n] = [tA ? ac : ar, tA ? ar : ac, tB ? br : bc];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++)
        sum += (tA ? a[p * ac + i] : a[i * ac + p]) * (tB ? b[j * bc + p] : b[p * bc + j]);
      out[i * n + j] = sum;
    }
  }
  return { data: out, shape: [m, n] };
}

/** Strides that read an `inShape` array while walking `outShape` (NumPy broadcasting: stride 0). */
function broadcastStrides(outShape: readonly number[], inShape: readonly number[]): number[] {
  const strides = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((_, d) => (d < lead || inShape[d - lead] === 1 ? 0 : strides[d - lead]));
}

/** The primitives over `engine`'s tensors. */
export function primitives(engine: Engine) {
  const make = engine.make.bind(engine);

  /** Sum or max over `axes`: the input-to-output index map and the output shapes. */
  function reduction(x: T, axes: readonly number[], keepDims: boolean) {
    const kept = x.shape.map((n, d) => (axes.includes(d) ? 1 : n));
    const outStrides = stridesOf(kept).map((s, d) => (axes.includes(d) ? 0 : s));
    const shape = keepDims ? kept : x.shape.filter((_, d) => !axes.includes(d));
    return { map: mapIndex(x.shape, outStrides), size: sizeOf(kept), shape };
  }

  return {
    matMul(a: T, b: T, tA: boolean, tB: boolean): T {
      const { data, shape } = matmul(a.data, a.shape, tA, b.data, b.shape, tB);
      return make(data, shape, a.dtype, [a, b], (g) => [
        tA
          ? matmul(b.data, b.shape, tB, g, shape, true).data
          : matmul(g, shape, false, b.data, b.shape, !tB).data,
        tB
          ? matmul(g, shape, true, a.data, a.shape, tA).data
          : matmul(a.data, a.shape, !tA, g, shape, false).data,
      ]);
    },

    binary(op: BinaryOp, a: T, b: T): T {
      const [f, da, db] = binaryOps[op];
      const shape = a.shape.length >= b.shape.length ? [...a.shape] : [...b.shape];
      const lead = (s: readonly number[]) => shape.length - s.length;
      for (let d = 0; d < shape.length; d++) {
        const sa = a.shape[d - lead(a.shape)] ?? 1;
        const sb = b.shape[d - lead(b.shape)] ?? 1;
        shape[d] = sa === 1 ? sb : sa;
      }
      const ia = mapIndex(shape, broadcastStrides(shape, a.shape));
      const ib = mapIndex(shape, broadcastStrides(shape, b.shape));
      const out = new Float64Array(ia.length);
      for (let i = 0; i < out.length; i++) out[i] = f(a.data[ia[i]], b.data[ib[i]]);
      return make(out, shape, a.dtype, [a, b], (g) => {
        // Broadcast inputs receive the sum over the axes they were stretched along.
        const ga = new Float64Array(a.data.length);
        const gb = new Float64Array(b.data.length);
        for (let i = 0; i < g.length; i++) {
          const [x, y] = [a.data[ia[i]], b.data[ib[i]]];
          ga[ia[i]] += g[i] * da(x, y);
          gb[ib[i]] += g[i] * db(x, y);
        }
        return [ga, gb];
      });
    },

    unary(op: UnaryOp, x: T): T {
      const [f, df] = unaryOps[op];
      const y = x.data.map(f);
      return make(y, x.shape, x.dtype, [x], (g) => [g.map((gi, i) => gi * df(x.data[i], y[i]))]);
    },

    scale(x: T, factor: number): T {
      return make(
        x.data.map((v) => v * factor),
        x.shape,
        x.dtype,
        [x],
        (g) => [g.map((v) => v * factor)],
      );
    },

    sum(x: T, axes: readonly number[], keepDims: boolean): T {
      const { map, size, shape } = reduction(x, axes, keepDims);
      return make(scatterBy(x.data, map, size), shape, x.dtype, [x], (g) => [gatherBy(g, map)]);
    },

    /** No backward: a constant under autograd, as the contract says. */
    max(x: T, axes: readonly number[], keepDims: boolean): T {
      const { map, size, shape } = reduction(x, axes, keepDims);
      const out = new Float64Array(size).fill(Number.NEGATIVE_INFINITY);
      // NaN wins: once a NaN is in, `v > NaN` is false and it stays.
      for (let i = 0; i < map.length; i++) {
        const v = x.data[i];
        if (v > out[map[i]] || Number.isNaN(v)) out[map[i]] = v;
      }
      return make(out, shape, x.dtype);
    },

    logSoftmax(x: T): T {
      const n = x.shape.at(-1) ?? 1;
      const y = new Float64Array(x.data.length);
      for (let row = 0; row < y.length; row += n) {
        let max = Number.NEGATIVE_INFINITY;
        for (let j = row; j < row + n; j++) max = Math.max(max, x.data[j]);
        let sum = 0;
        for (let j = row; j < row + n; j++) sum += Math.exp(x.data[j] - max);
        const log = max + Math.log(sum);
        for (let j = row; j < row + n; j++) y[j] = x.data[j] - log;
      }
      return make(y, x.shape, x.dtype, [x], (g) => {
        // d/dx: g − softmax · Σ g, per row.
        const gx = new Float64Array(g.length);
        for (let row = 0; row < g.length; row += n) {
          let sum = 0;
          for (let j = row; j < row + n; j++) sum += g[j];
          for (let j = row; j < row + n; j++) gx[j] = g[j] - Math.exp(y[j]) * sum;
        }
        return [gx];
      });
    },

    reshape(x: T, shape: readonly number[]): T {
      return make(x.data, shape, x.dtype, [x], (g) => [g]);
    },

    transpose(x: T, perm: readonly number[]): T {
      const strides = stridesOf(x.shape);
      const map = mapIndex(
        perm.map((p) => x.shape[p]),
        perm.map((p) => strides[p]),
      );
      const shape = perm.map((p) => x.shape[p]);
      return make(gatherBy(x.data, map), shape, x.dtype, [x], (g) => [scatterBy(g, map, x.data.length)]);
    },

    slice(x: T, begin: readonly number[], size: readonly number[]): T {
      const strides = stridesOf(x.shape);
      const map = mapIndex(
        size,
        strides,
        begin.reduce((o, b, d) => o + b * strides[d], 0),
      );
      return make(gatherBy(x.data, map), size, x.dtype, [x], (g) => [scatterBy(g, map, x.data.length)]);
    },

    concat(xs: readonly T[], axis: number): T {
      const shape = [...xs[0].shape];
      shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
      const strides = stridesOf(shape);
      let start = 0;
      const maps = xs.map((x) => {
        const map = mapIndex(x.shape, strides, start * strides[axis]);
        start += x.shape[axis];
        return map;
      });
      const out = new Float64Array(sizeOf(shape));
      xs.forEach((x, k) => {
        for (let i = 0; i < x.data.length; i++) out[maps[k][i]] = x.data[i];
      });
      return make(out, shape, xs[0].dtype, xs, (g) => maps.map((map) => gatherBy(g, map)));
    },

    gather(x: T, indices: Int32Array): T {
      const row = x.shape[0] === 0 ? 0 : x.data.length / x.shape[0];
      const map = new Int32Array(indices.length * row);
      indices.forEach((r, k) => {
        for (let j = 0; j < row; j++) map[k * row + j] = r * row + j;
      });
      const shape = [indices.length, ...x.shape.slice(1)];
      // Repeated rows accumulate their gradients (scatterBy adds).
      return make(gatherBy(x.data, map), shape, x.dtype, [x], (g) => [scatterBy(g, map, x.data.length)]);
    },
  };
}
