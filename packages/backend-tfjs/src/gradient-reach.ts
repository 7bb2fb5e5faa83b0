/**
 * Which tensors the gradient being recorded can reach. tfjs's `customGrad` computes the gradient of
 * every input it is given, needed or not, so a fused sequence node would always pay for `dx = dG·W_ih`
 * (a ninth of an RNN training step's arithmetic) even when the input is plain data, as it is for the
 * first layer of almost every model. The adapter's `valueAndGrads` records its `xs` here; a fused node
 * then asks which of its arguments depend on them and leaves the others out of its gradient.
 */
import type { TfjsCore, TfTensor } from './tfjs.js';

/** The part of tfjs's engine state read here (public fields of `tf.engine().state`). */
interface TapeState {
  readonly gradientDepth: number;
  readonly activeTape: readonly {
    readonly inputs: Readonly<Record<string, TfTensor>>;
    readonly outputs: readonly TfTensor[];
  }[];
}

/** Tracks the adapter's gradient computations. */
export interface GradientReach {
  /** Runs `fn` as the gradient computation w.r.t. `xs` (nested calls stack). */
  within<T>(xs: readonly TfTensor[], fn: () => T): T;
  /**
   * For each tensor: can the gradient being recorded flow into it? `false` for all when no tape
   * records; `true` for all when unsure (a gradient tfjs runs itself, or a nested one), so an answer
   * can only cost time, never a missing gradient.
   */
  reaches(tensors: readonly TfTensor[]): boolean[];
}

/** Creates the tracker of one adapter. */
export function createGradientReach(tf: TfjsCore): GradientReach {
  const stack: ReadonlySet<number>[] = [];
  return {
    within(xs, fn) {
      stack.push(new Set(xs.map((x) => x.id)));
      try {
        return fn();
      } finally {
        stack.pop();
      }
    },
    reaches(tensors) {
      const state = tf.engine().state as unknown as TapeState;
      if (state.gradientDepth === 0) return tensors.map(() => false);
      const xs = stack.at(-1);
      // Only a single-level gradient started by this adapter has a known xs and tape.
      if (xs === undefined || stack.length !== 1 || state.gradientDepth !== 1) return tensors.map(() => true);
      const reached = new Set(xs);
      // The tape is in execution order, so one pass propagates dependence from xs forward.
      for (const node of state.activeTape) {
        if (Object.values(node.inputs).some((t) => reached.has(t.id))) {
          for (const out of node.outputs) reached.add(out.id);
        }
      }
      return tensors.map((t) => reached.has(t.id));
    },
  };
}
