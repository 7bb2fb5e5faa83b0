/**
 * `tidy` of a Recur tfjs backend. One tfjs engine has one scope stack, shared by every Recur backend
 * on it (tfjs-cpu next to wasm, webgl fused next to unfused): a `tf.tidy` tracks every tensor created
 * inside it, whichever Recur backend made it. `@recur/core`'s `tidy` nests one scope per Recur backend
 * and lists every tensor of the result to each, so each scope keeps every tfjs tensor it is given, not
 * only its own backend's: keeping only its own would release an enclosing backend's result.
 */
import type { TfjsCore, TfTensor } from './tfjs.js';

/** `tf.tidy(fn)` keeping the tfjs tensors among `kept(result)` (other backends' handles are ignored). */
export function scopedTidy<R>(tf: TfjsCore, fn: () => R, kept: (result: R) => readonly unknown[]): R {
  let result!: R;
  tf.tidy(() => {
    result = fn();
    return kept(result).filter((x): x is TfTensor => x instanceof tf.Tensor);
  });
  return result;
}
