/**
 * Reverse-mode autodiff: a flat list of nodes recorded while `valueAndGrads` runs `f`, walked backwards.
 *
 * Recording order is execution order, which is already a topological order, so the backward pass is a
 * plain reverse loop (micrograd's `backward()` without the sort). Only ops whose output depends on a
 * differentiated input are recorded, and a node only asks its backward for the inputs that need one.
 */

import type { ValueAndGrads } from '@recur/core';
import type { Memory } from './memory.js';
import { allocLike, type JsTensor, sameShape } from './tensor.js';

/**
 * An op's backward: given the gradients of its outputs (`null` for an output nothing depended on),
 * returns one gradient per input, shaped like that input, or `null` where `needs[i]` is false.
 */
export type Backward = (
  dys: readonly (JsTensor | null)[],
  needs: readonly boolean[],
) => readonly (JsTensor | null)[];

/** One recorded op application. */
interface TapeNode {
  readonly op: string;
  readonly inputs: readonly JsTensor[];
  readonly needs: readonly boolean[];
  readonly outputs: readonly JsTensor[];
  readonly backward: Backward;
  /** Frees what the backward kept alive (e.g. wasm-resident caches); called once the session ends. */
  readonly release: (() => void) | undefined;
}

/** Creates a tracked tensor around `data` (the engine's constructor, so gradients are counted too). */
export type MakeTensor = (data: Float32Array | Float64Array, shape: readonly number[]) => JsTensor;

/** A gradient being summed; `owned` means the tape allocated `t` itself and may add into it in place. */
interface Accumulator {
  t: JsTensor;
  owned: boolean;
}

/** Session ids are global so a tensor's stale `trackedIn` can never match a later backend's session. */
let lastSessionId = 0;

/** The tape of one backend instance. */
export class Tape {
  /** Id of the session being recorded, 0 when not recording. */
  #recording = 0;
  #nodes: TapeNode[] = [];
  readonly #memory: Memory;
  readonly #make: MakeTensor;

  constructor(memory: Memory, make: MakeTensor) {
    this.#memory = memory;
    this.#make = make;
  }

  /** Nodes recorded so far by the running `valueAndGrads` (0 outside one); lets tests see what was recorded. */
  get nodeCount(): number {
    return this.#nodes.length;
  }

  /** Whether `t` depends on an input of the running `valueAndGrads` (false when nothing runs). */
  isTracked(t: JsTensor): boolean {
    return this.#recording !== 0 && t.trackedIn === this.#recording;
  }

  /** Whether any of `ts` is tracked, i.e. whether an op on them must be recorded. */
  anyTracked(ts: readonly JsTensor[]): boolean {
    if (this.#recording === 0) return false;
    for (const t of ts) if (t.trackedIn === this.#recording) return true;
    return false;
  }

  /**
   * Records `op` if one of `inputs` is tracked (otherwise does nothing, so ops may call this
   * unconditionally), and marks `outputs` as tracked.
   *
   * `release`, when given, frees resources the backward needs (e.g. caches resident in wasm memory).
   * It runs exactly once: right away when nothing is recorded, otherwise when the running
   * `valueAndGrads` ends (after the backward pass, or when `f` throws). A backward may free the same
   * resources earlier; `release` must then do nothing more.
   */
  record(
    op: string,
    inputs: readonly JsTensor[],
    outputs: readonly JsTensor[],
    backward: Backward,
    release?: () => void,
  ): void {
    if (!this.anyTracked(inputs)) {
      release?.();
      return;
    }
    const needs = inputs.map((t) => t.trackedIn === this.#recording);
    for (const y of outputs) y.trackedIn = this.#recording;
    this.#nodes.push({ op, inputs, needs, outputs, backward, release });
  }

  /**
   * Runs `f` while recording, then backpropagates from its scalar result. Everything created inside
   * (forward intermediates and gradient temporaries) is released on return except `value`, the
   * returned `grads` and tensors `keep`-ed by `f`, as in tfjs.
   */
  valueAndGrads(f: () => JsTensor, xs: readonly JsTensor[]): ValueAndGrads<JsTensor> {
    if (this.#recording !== 0) {
      throw new Error('valueAndGrads: nested calls are not supported by the js backend');
    }
    // Arrays released during the session stay out of the pool until its backward closures are gone.
    this.#memory.holdRecycling();
    try {
      return this.#sessionScope(f, xs);
    } finally {
      this.#memory.resumeRecycling();
    }
  }

  #sessionScope(f: () => JsTensor, xs: readonly JsTensor[]): ValueAndGrads<JsTensor> {
    return this.#memory.tidy(
      () => {
        const id = ++lastSessionId;
        for (const x of xs) {
          void x.data; // throws a clear error for a disposed input before any work is done
          x.trackedIn = id;
        }
        this.#recording = id;
        this.#nodes = [];
        let nodes: TapeNode[] = [];
        try {
          let value: JsTensor;
          try {
            value = f();
          } finally {
            this.#recording = 0;
            nodes = this.#nodes;
            this.#nodes = [];
          }
          if (value.shape.length !== 0) {
            throw new Error(
              `valueAndGrads: f must return a scalar (shape []), got shape [${value.shape.join(',')}]`,
            );
          }
          return { value, grads: this.#backpropagate(nodes, value, xs, id) };
        } finally {
          for (const node of nodes) node.release?.();
        }
      },
      (r) => [r.value, ...r.grads],
    );
  }

  #backpropagate(
    nodes: readonly TapeNode[],
    value: JsTensor,
    xs: readonly JsTensor[],
    id: number,
  ): JsTensor[] {
    const grads = new Map<JsTensor, Accumulator>();
    if (value.trackedIn === id) {
      const seed = allocLike(value.data, 1);
      seed[0] = 1;
      grads.set(value, { t: this.#make(seed, []), owned: true });
    }
    for (let n = nodes.length - 1; n >= 0; n--) {
      const node = nodes[n];
      let any = false;
      const dys = node.outputs.map((y) => {
        const acc = grads.get(y);
        if (acc === undefined) return null;
        any = true;
        grads.delete(y); // every consumer of y came later, so y's gradient is complete
        return acc.t;
      });
      if (!any) continue;
      const dxs = node.backward(dys, node.needs);
      for (let i = 0; i < node.inputs.length; i++) {
        const dx = dxs[i];
        if (!node.needs[i] || dx === null || dx === undefined) continue;
        this.#accumulate(grads, node, i, dx);
      }
    }
    return this.#collect(grads, value, xs);
  }

  #accumulate(grads: Map<JsTensor, Accumulator>, node: TapeNode, i: number, dx: JsTensor): void {
    const x = node.inputs[i];
    if (!sameShape(dx.shape, x.shape) || dx.dtype !== x.dtype) {
      throw new Error(
        `valueAndGrads: the backward of '${node.op}' returned a gradient [${dx.shape.join(',')}] ${dx.dtype} ` +
          `for input ${i} (${x.describe()})`,
      );
    }
    const acc = grads.get(x);
    if (acc === undefined) {
      grads.set(x, { t: dx, owned: false });
      return;
    }
    if (acc.owned) {
      addInto(acc.t.data, dx.data);
      return;
    }
    // The first gradient may be shared with another input (e.g. add passes dy to both): copy once.
    const sum = allocLike(acc.t.data, acc.t.size);
    addTo(sum, acc.t.data, dx.data);
    grads.set(x, { t: this.#make(sum, x.shape), owned: true });
  }

  /** One distinct gradient tensor per entry of `xs`, zeros where the value does not depend on it. */
  #collect(grads: Map<JsTensor, Accumulator>, value: JsTensor, xs: readonly JsTensor[]): JsTensor[] {
    const returned = new Set<JsTensor>([value]);
    return xs.map((x) => {
      const acc = grads.get(x);
      let g = acc === undefined ? this.#make(allocLike(x.data, x.size), x.shape) : acc.t;
      if (returned.has(g)) {
        // The same tensor listed twice (or two inputs sharing one dy): each result must be disposable alone.
        const copy = allocLike(g.data, g.size);
        copy.set(g.data);
        g = this.#make(copy, g.shape);
      }
      returned.add(g);
      return g;
    });
  }
}

/** `target = a + b`, elementwise, in one pass (the copy-then-add it replaces touched `target` twice). */
function addTo(
  target: Float32Array | Float64Array,
  a: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
): void {
  for (let i = 0; i < target.length; i++) target[i] = a[i] + b[i];
}

/** `target += source`, elementwise. */
function addInto(target: Float32Array | Float64Array, source: Float32Array | Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}
