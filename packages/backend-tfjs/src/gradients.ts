/**
 * The adapter's `valueAndGrads` on tfjs's engine, with the js backend's guarantees: a nested call is
 * refused with a clear error (tfjs would record the inner one on the outer tape and silently change
 * the outer gradients), and when `f` or a gradient throws, the tape and the tensors it saved are
 * released (tfjs leaves `activeTape` set and keeps every tensor a `customGrad` saved).
 */
import type { GradientReach } from './gradient-reach.js';
import type { TfjsCore, TfTensor } from './tfjs.js';

/** The part of tfjs's engine state touched here (public fields of `tf.engine().state`). */
interface TapeState {
  gradientDepth: number;
  activeTape: { saved?: TfTensor[] }[] | null;
}

/** The value of `f` and its gradient w.r.t. each of `xs` (zeros where `f` does not use one). */
export function engineValueAndGrads(
  tf: TfjsCore,
  name: string,
  reach: GradientReach,
  f: () => TfTensor,
  xs: readonly TfTensor[],
): { value: TfTensor; grads: TfTensor[] } {
  const state = tf.engine().state as unknown as TapeState;
  if (state.gradientDepth > 0) {
    // One engine, one tape: this also catches a call from another Recur backend on the same engine.
    throw new Error(
      `${name}: valueAndGrads: nested calls are not supported (a gradient is already being recorded)`,
    );
  }
  if (xs.length === 0) return { value: tf.tidy(f), grads: [] };
  try {
    // Unlike tf.valueAndGrads, allow xs that f does not use: their gradient is zeros.
    const { value, grads } = reach.within(xs, () => tf.engine().gradients(f, [...xs], undefined, true));
    return { value, grads: xs.map((x, i) => grads[i] ?? tf.zerosLike(x)) };
  } catch (error) {
    releaseTape(state);
    throw error;
  }
}

/** Disposes what the abandoned tape saved and clears it, as tfjs does after a successful backward. */
function releaseTape(state: TapeState): void {
  if (state.gradientDepth !== 0 || state.activeTape === null) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}
