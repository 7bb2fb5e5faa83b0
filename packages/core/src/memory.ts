/**
 * Memory scopes across every backend the frontend has used: `tidy(fn)` releases the tensors created
 * inside `fn` except those in its result, like `tf.tidy`, but sees through frontend objects.
 */
import { usedBackends } from './default-backend.js';
import type { AnyBackend } from './tensor/tensor.js';
import { Tensor } from './tensor/tensor.js';

/** Every Tensor reachable from `value` through arrays and plain objects (what a tidy keeps). */
export function collectTensors(value: unknown, out: Tensor[] = [], seen = new Set<unknown>()): Tensor[] {
  if (value instanceof Tensor) {
    out.push(value);
  } else if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    const items =
      Array.isArray(value) || value instanceof Map ? [...(value as Iterable<unknown>)] : Object.values(value);
    for (const item of items) collectTensors(item, out, seen);
  }
  return out;
}

/**
 * One scope per backend, nested. Every scope is told the handles of *every* tensor in the result, not
 * only its own backend's: backends that share one engine (two Recur backends on tfjs's single scope
 * stack) track each other's tensors, so an inner scope that kept only its own would release an outer
 * backend's result. A backend ignores handles it does not track.
 */
function scoped<R>(backends: readonly AnyBackend[], fn: () => R): R {
  if (backends.length === 0) return fn();
  const [backend, ...rest] = backends;
  return backend!.tidy(
    () => scoped(rest, fn),
    (result) => collectTensors(result).map((t) => t.handle),
  );
}

/**
 * Runs `fn` and releases every tensor it created on any backend, except the tensors found in its
 * result (arrays, plain objects and Maps are searched) and tensors passed to {@link keep}.
 */
export function tidy<R>(fn: () => R): R {
  return scoped(usedBackends(), fn);
}

/** Keeps `t` alive past the enclosing `tidy` scopes; returns it. */
export function keep(t: Tensor): Tensor {
  t.backend.keep(t.handle);
  return t;
}

/** Releases every tensor found in `value`. */
export function dispose(value: unknown): void {
  for (const t of collectTensors(value)) t.dispose();
}
