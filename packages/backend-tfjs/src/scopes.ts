/**
 * Memory scopes of several Recur backends on one tfjs engine. `@recur/core`'s `tidy` opens one scope
 * per backend, nested (`a.tidy(() => b.tidy(fn))`), and each keeps only its own backend's tensors of
 * the result. Two Recur tfjs backends (webgl fused and unfused, or tfjs-cpu and wasm) share tfjs's
 * single scope stack, so the outer `tf.tidy` would dispose what the inner one kept: an inner scope
 * of another Recur backend therefore hands what it kept to the enclosing one.
 */
import type { TfjsCore, TfTensor } from './tfjs.js';

interface Frame {
  /** The Recur backend that opened the scope. */
  readonly owner: object;
  /** Tensors kept by directly nested scopes of other Recur backends on this engine. */
  readonly passed: TfTensor[];
}

const stacks = new WeakMap<object, Frame[]>();

/** `tf.tidy(fn)` keeping `kept(result)`, for the Recur backend `owner`. */
export function scopedTidy<R>(
  tf: TfjsCore,
  owner: object,
  fn: () => R,
  kept: (result: R) => readonly TfTensor[],
): R {
  const engine = tf.engine();
  let stack = stacks.get(engine);
  if (stack === undefined) {
    stack = [];
    stacks.set(engine, stack);
  }
  const frame: Frame = { owner, passed: [] };
  stack.push(frame);
  let result!: R;
  let keep: TfTensor[] = [];
  try {
    tf.tidy(() => {
      result = fn();
      keep = [...kept(result), ...frame.passed];
      return keep;
    });
  } finally {
    stack.pop();
  }
  const parent = stack[stack.length - 1];
  if (parent !== undefined && parent.owner !== owner) parent.passed.push(...keep);
  return result;
}
