/**
 * Memory and autograd of the minimal backend.
 *
 * Memory: every tensor is counted in `live` and registered with the innermost open scope (a `tidy`
 * or a `valueAndGrads`). Closing a scope releases what it registered, except what the caller keeps;
 * kept tensors move to the enclosing scope, so an outer `tidy` still owns them.
 *
 * Autograd: while `valueAndGrads` runs `f`, every primitive appends a node to the tape: its inputs,
 * its output and a function from the output's gradient to each input's gradient (host arrays). The
 * backward pass walks the tape in reverse, summing gradients per tensor.
 */
import type { DType } from '@recur/core';
import { MinimalTensor } from './tensor.js';

/** d output → d input, one entry per input (`undefined`: no gradient flows to it). */
export type Backward = (grad: Float64Array) => (Float64Array | undefined)[];

interface TapeNode {
  readonly inputs: readonly MinimalTensor[];
  readonly output: MinimalTensor;
  readonly backward: Backward;
}

export class Engine {
  private readonly live = new Set<MinimalTensor>();
  private readonly scopes: MinimalTensor[][] = [];
  private tape: TapeNode[] | null = null;

  /**
   * A new tensor holding `values` as `dtype` (float32 data is rounded once, here). With `backward`,
   * and while a gradient is being recorded, the op that made it is taped.
   */
  make(
    values: ArrayLike<number>,
    shape: readonly number[],
    dtype: DType,
    inputs: readonly MinimalTensor[] = [],
    backward?: Backward,
  ): MinimalTensor {
    const data = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
    const t = new MinimalTensor(data, [...shape], dtype);
    this.live.add(t);
    this.scopes.at(-1)?.push(t);
    if (this.tape !== null && backward !== undefined) this.tape.push({ inputs, output: t, backward });
    return t;
  }

  dispose(t: MinimalTensor): void {
    t.disposed = true;
    this.live.delete(t);
  }

  liveTensors(): number {
    return this.live.size;
  }

  /** Runs `fn` in a new scope; on return, releases what it made except `keep(result)`. */
  scoped<R>(fn: () => R, keep: (result: R) => readonly unknown[]): R {
    const scope: MinimalTensor[] = [];
    this.scopes.push(scope);
    let result: R;
    try {
      result = fn();
    } catch (error) {
      this.scopes.pop();
      this.release(scope, new Set());
      throw error;
    }
    this.scopes.pop();
    this.release(scope, new Set(keep(result)));
    return result;
  }

  private release(scope: readonly MinimalTensor[], keep: ReadonlySet<unknown>): void {
    const parent = this.scopes.at(-1);
    for (const t of scope) {
      if (t.kept || t.disposed) continue;
      if (keep.has(t)) parent?.push(t);
      else this.dispose(t);
    }
  }

  /** The value of `f` (a scalar) and its gradient with respect to each of `xs`. */
  valueAndGrads(f: () => MinimalTensor, xs: readonly MinimalTensor[]) {
    if (this.tape !== null) throw new Error('valueAndGrads: nested calls are not supported');
    const tape: TapeNode[] = [];
    this.tape = tape;
    let value: MinimalTensor;
    try {
      // Tensors made inside `f` are released on return, except the value (and those `keep` kept).
      value = this.scoped(f, (v) => [v]);
    } finally {
      this.tape = null;
    }
    const grads = new Map<MinimalTensor, Float64Array>([[value, Float64Array.of(1)]]);
    for (let i = tape.length - 1; i >= 0; i--) {
      const node = tape[i];
      const grad = grads.get(node.output);
      if (grad === undefined) continue;
      node.backward(grad).forEach((g, k) => {
        if (g === undefined) return;
        const input = node.inputs[k];
        const sum = grads.get(input);
        if (sum === undefined) grads.set(input, Float64Array.from(g));
        else for (let j = 0; j < g.length; j++) sum[j] += g[j];
      });
    }
    return {
      value,
      grads: xs.map((x) => this.make(grads.get(x) ?? new Float64Array(x.data.length), x.shape, x.dtype)),
    };
  }
}
