/**
 * Tensor argument checks shared by ops, modules, losses and optimizers. They run before any work, so a
 * bad argument costs nothing and changes nothing, and each error names the argument.
 */
import { usedBackends } from '../default-backend.js';
import { describeValue } from '../errors.js';
import type { AnyBackend } from './tensor.js';
import { Tensor } from './tensor.js';

/**
 * A backend as errors name it: its name, plus `#k` (the order in which the frontend met it) when
 * several instances of one kind are in use, so "js and js" reads as two instances.
 */
export function backendLabel(backend: AnyBackend): string {
  const sameKind = usedBackends().filter((b) => b.name === backend.name);
  if (sameKind.length < 2) return backend.name;
  const index = sameKind.indexOf(backend);
  return index < 0 ? `${backend.name} (unregistered instance)` : `${backend.name} #${index + 1}`;
}

/** Throws unless `t` is a live (not disposed) {@link Tensor}. */
export function checkLiveTensor(where: string, argument: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) {
    throw new TypeError(`${where}: ${argument} must be a Tensor, got ${describeValue(t)}`);
  }
  if (t.isDisposed) {
    throw new Error(
      `${where}: ${argument} (${t.toString()}) has been disposed; a tensor released by dispose() or by ` +
        'an enclosing tidy() cannot be used again (keep() it, or create it again)',
    );
  }
}

/** Why two backends differ, for an error message (`js #1 and js #2: two instances of one kind`). */
export function describeBackendMismatch(a: AnyBackend, b: AnyBackend): string {
  const labels = `${backendLabel(a)} and ${backendLabel(b)}`;
  return a.name === b.name
    ? `${labels}: two instances of the same backend, which cannot share tensors`
    : labels;
}

/**
 * Throws unless `t` is a live tensor on `backend` with `dtype`: the checks of a module's input, which
 * must live where the module's parameters live.
 */
export function checkModuleInput(
  where: string,
  argument: string,
  t: unknown,
  backend: AnyBackend,
  dtype: string,
): asserts t is Tensor {
  checkLiveTensor(where, argument, t);
  if (t.backend !== backend) {
    throw new Error(
      `${where}: ${argument} lives on backend "${backendLabel(t.backend)}" but the module's parameters live on ` +
        `"${backendLabel(backend)}"; create it there or move the module with .to(backend)`,
    );
  }
  if (t.dtype !== dtype) {
    throw new TypeError(
      `${where}: ${argument} has dtype ${t.dtype} but the module's parameters are ${dtype}`,
    );
  }
}
