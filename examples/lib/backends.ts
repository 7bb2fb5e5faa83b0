/**
 * Backend selection by name for the examples. The name → factory table has one home,
 * `@recur/runner/node-backends` (shared with `pnpm soak`); this adds the examples' one-line error.
 */
import type { AnyBackend } from '@recur/core';
import type { NodeBackendName } from '@recur/runner/node-backends';
import { createNodeBackend, isNodeBackendName, nodeBackendNames, oneLine } from '@recur/runner/node-backends';

/** Names accepted by `--backend`. */
export const backendNames = nodeBackendNames;

/** A backend name. */
export type BackendName = NodeBackendName;

/** Whether `name` is a backend the examples know. */
export function isBackendName(name: string): name is BackendName {
  return isNodeBackendName(name);
}

/**
 * Creates the named backend (with its fused kernels unless `fused` is false). Throws an Error whose
 * message is one line when the backend cannot run here.
 */
export async function loadBackend(name: BackendName, options: { fused?: boolean } = {}): Promise<AnyBackend> {
  try {
    return await createNodeBackend(name, { fused: options.fused ?? true });
  } catch (error) {
    throw new Error(`backend ${name} is unavailable here: ${oneLine(error)}`);
  }
}
