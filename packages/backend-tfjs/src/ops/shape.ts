/** Data-movement primitives: `reshape`, `transpose`, `slice`, `concat`, `gather`. */
import type { TfjsCore, TfTensor } from '../tfjs.js';
import { differentiable } from './differentiable.js';
import type { MatMulFn } from './linalg.js';

/** The differentiable `reshape` primitive. */
export function createReshape(tf: TfjsCore): (x: TfTensor, shape: readonly number[]) => TfTensor {
  return (x, shape) =>
    differentiable(tf, [x], () => ({
      value: tf.reshape(x, [...shape]),
      grad: (dy) => [tf.reshape(dy, x.shape)],
    }));
}

/** The differentiable `transpose` primitive: the gradient applies the inverse permutation. */
export function createTranspose(tf: TfjsCore): (x: TfTensor, perm: readonly number[]) => TfTensor {
  return (x, perm) =>
    differentiable(tf, [x], () => {
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => {
        inverse[p] = i;
      });
      return { value: tf.transpose(x, [...perm]), grad: (dy) => [tf.transpose(dy, inverse)] };
    });
}

/** The differentiable `slice` primitive: the gradient zero-pads `dy` back to the input's shape. */
export function createSlice(
  tf: TfjsCore,
): (x: TfTensor, begin: readonly number[], size: readonly number[]) => TfTensor {
  return (x, begin, size) =>
    differentiable(tf, [x], () => {
      const paddings = x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as [number, number]);
      return { value: tf.slice(x, [...begin], [...size]), grad: (dy) => [tf.pad(dy, paddings)] };
    });
}

/** The differentiable `concat` primitive: the gradient slices `dy` back into the pieces. */
export function createConcat(tf: TfjsCore): (xs: readonly TfTensor[], axis: number) => TfTensor {
  return (xs, axis) =>
    differentiable(tf, xs, () => {
      const ax = axis < 0 ? axis + xs[0].rank : axis;
      return {
        value: xs.length === 1 ? tf.clone(xs[0]) : tf.concat([...xs], ax),
        grad: (dy) => {
          const begin = dy.shape.map(() => 0);
          return xs.map((x) => {
            const piece = tf.slice(dy, begin, x.shape);
            begin[ax] += x.shape[ax];
            return piece;
          });
        },
      };
    });
}

/**
 * How `gather`'s gradient scatters `dy` back to rows: `segment-sum` uses tfjs's
 * `unsortedSegmentSum` kernel; `host` reads `dy` and scatter-adds on the host, O(indices × width)
 * (works on every engine, e.g. wasm, which lacks `UnsortedSegmentSum`; the default there, since
 * wasm memory is host memory); `one-hot` multiplies by a `[rows, indices]` one-hot matrix built on
 * the host (every engine, but `rows × indices` floats and a matmul: slow for large vocabularies).
 */
export type GatherGradient = 'segment-sum' | 'host' | 'one-hot';

/** The differentiable `gather` primitive (rows of axis 0; repeated indices accumulate). */
export function createGather(
  tf: TfjsCore,
  mm: MatMulFn,
  gradient: GatherGradient,
): (x: TfTensor, indices: Int32Array) => TfTensor {
  return (x, indices) => {
    const idx = Int32Array.from(indices); // our copy: the caller may reuse its array
    return differentiable(tf, [x], () => ({
      value: tf.gather(x, tf.tensor1d(idx, 'int32'), 0),
      grad: (dy) => {
        const rows = x.shape[0];
        if (gradient === 'segment-sum') {
          return [tf.unsortedSegmentSum(dy, tf.tensor1d(idx, 'int32'), rows)];
        }
        const k = idx.length;
        const width = x.size / Math.max(rows, 1);
        if (gradient === 'host') {
          const dyData = dy.dataSync();
          const dx = new Float32Array(rows * width);
          for (let j = 0; j < k; j++) {
            const from = j * width;
            const to = idx[j]! * width;
            for (let c = 0; c < width; c++) dx[to + c]! += dyData[from + c]!;
          }
          return [tf.tensor(dx, x.shape, 'float32')];
        }
        const oneHot = new Float32Array(rows * k);
        idx.forEach((r, j) => {
          oneHot[r * k + j] = 1;
        });
        const dx = mm(tf.tensor2d(oneHot, [rows, k]), tf.reshape(dy, [k, width]), false, false);
        return [tf.reshape(dx, x.shape)];
      },
    }));
  };
}
