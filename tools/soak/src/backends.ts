/**
 * The backend names `--backend` accepts, and how each Node backend is created: through the one
 * name → factory table, `@recur/runner/node-backends` (shared with the examples; lazy imports, so a
 * missing optional engine only affects its own backend). The soak keeps its own report order.
 */
import type { AnyBackend } from '@recur/core';
import { createNodeBackend as createRunnerBackend } from '@recur/runner/node-backends';

/** The backends that run in a Node process. */
export const nodeBackendNames = ['js', 'tfjs-cpu', 'wasm', 'tfjs-node'] as const;

/** Every backend `--backend` accepts: the Node ones and `webgl`, which runs in headless Chromium. */
export const backendNames = [...nodeBackendNames, 'webgl'] as const;

export type BackendName = (typeof backendNames)[number];
export type NodeBackendName = (typeof nodeBackendNames)[number];

/** Creates a Node backend with its defaults (as users get it). Throws with the reason if it cannot run here. */
export function createNodeBackend(name: NodeBackendName): Promise<AnyBackend> {
  return createRunnerBackend(name);
}

/** Whether `name` runs in Node (everything but webgl). */
export function isNodeBackend(name: BackendName): name is NodeBackendName {
  return name !== 'webgl';
}

/** One line of an error, for a reason or a report. */
export { oneLine } from '@recur/runner/node-backends';
