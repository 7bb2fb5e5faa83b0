/**
 * Backend selection. `@recur/core` imports no backend, so the default is whatever the application
 * sets once (`setDefaultBackend(createJsBackend())`); a module or tensor may also name its backend.
 */
import type { Backend } from './backend.js';
import type { AnyBackend } from './tensor/tensor.js';

let defaultBackend: AnyBackend | undefined;
const knownBackends = new Set<AnyBackend>();

/** Makes `backend` the one used when a module or tensor names none. */
export function setDefaultBackend<T>(backend: Backend<T>): void {
  defaultBackend = backend as AnyBackend;
  registerBackend(defaultBackend);
}

/** The default backend, or a clear error telling how to set one. */
export function getDefaultBackend(): AnyBackend {
  if (defaultBackend === undefined) {
    throw new Error(
      'No Recur backend selected: call setDefaultBackend(createJsBackend()) (from @recur/backend-js) ' +
        'or pass { backend } to the module or tensor',
    );
  }
  return defaultBackend;
}

/** `backend` when given, else the default. Records it so `tidy` can open scopes on it. */
export function resolveBackend<T>(backend?: Backend<T>): AnyBackend {
  const chosen = backend === undefined ? getDefaultBackend() : (backend as AnyBackend);
  registerBackend(chosen);
  return chosen;
}

/** Remembers a backend the frontend has handed tensors to. */
export function registerBackend(backend: AnyBackend): void {
  knownBackends.add(backend);
}

/** Every backend the frontend has used in this process. */
export function usedBackends(): readonly AnyBackend[] {
  return [...knownBackends];
}
