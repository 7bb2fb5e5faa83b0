/**
 * Memory scopes across every backend the frontend has used: `tidy(fn)` releases the tensors created
 * inside `fn` except those in its result, like `tf.tidy`, but sees through frontend objects.
 *
 * Backends known when a tidy starts get a scope of their own; tensors on a backend that joins while the
 * tidy runs are released by the frontend itself (see `tidy-frames.ts`).
 */
import { usedBackends } from './default-backend.js';
import type { AnyBackend } from './tensor/tensor.js';
import { Tensor } from './tensor/tensor.js';
import { closeFrame, openFrame, releaseFromFrames } from './tidy-frames.js';

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
  const backends = usedBackends();
  // The frame wraps the backend scopes: it records what they cannot (tensors on backends that join
  // while `fn` runs) and, closing last, releases that the way they release their own.
  const frame = openFrame(backends);
  let result: R;
  try {
    result = scoped(backends, fn);
  } catch (error) {
    closeFrame(frame, null);
    throw error;
  }
  closeFrame(frame, () => handlesByBackend(result));
  return result;
}

/** The handles of the tensors in `result`, per backend (what the frontend's frame must spare). */
function handlesByBackend(result: unknown): Map<AnyBackend, Set<unknown>> {
  const out = new Map<AnyBackend, Set<unknown>>();
  for (const t of collectTensors(result)) {
    const handles = out.get(t.backend) ?? new Set<unknown>();
    handles.add(t.handle);
    out.set(t.backend, handles);
  }
  return out;
}

/**
 * Keeps `t` alive past the enclosing `tidy` scopes; returns it. Call this rather than
 * `t.backend.keep(t.handle)`: a tidy that began before `t`'s backend was first used releases `t` itself,
 * and only this tells it not to.
 */
export function keep(t: Tensor): Tensor {
  t.backend.keep(t.handle);
  releaseFromFrames(t.backend, t.handle);
  return t;
}

/** Releases every tensor found in `value`. */
export function dispose(value: unknown): void {
  for (const t of collectTensors(value)) t.dispose();
}
