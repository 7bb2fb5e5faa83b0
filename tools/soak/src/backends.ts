/**
 * The backend names `--backend` accepts, and how each Node backend is created.
 *
 * The name → factory table has no exported home yet: tools/bench, tools/conformance-cli, examples
 * and apps/demo each keep theirs inside their own src. This is the smallest table the soak needs
 * (lazy imports, so a missing optional engine only affects its own backend); it should give way to
 * a shared one when a package exports it.
 */
import type { AnyBackend } from '@recur/core';

/** The backends that run in a Node process. */
export const nodeBackendNames = ['js', 'tfjs-cpu', 'wasm', 'tfjs-node'] as const;

/** Every backend `--backend` accepts: the Node ones and `webgl`, which runs in headless Chromium. */
export const backendNames = [...nodeBackendNames, 'webgl'] as const;

export type BackendName = (typeof backendNames)[number];
export type NodeBackendName = (typeof nodeBackendNames)[number];

const factories: Record<NodeBackendName, () => Promise<AnyBackend>> = {
  js: async () => (await import('@recur/backend-js')).createJsBackend() as AnyBackend,
  'tfjs-cpu': async () =>
    (await (await import('@recur/backend-tfjs-cpu')).createTfjsCpuBackend()) as AnyBackend,
  wasm: async () => (await (await import('@recur/backend-wasm')).createWasmBackend()) as AnyBackend,
  'tfjs-node': async () =>
    (await (await import('@recur/backend-tfjs-node')).createTfjsNodeBackend()) as AnyBackend,
};

/** Creates a Node backend with its defaults (as users get it). Throws with the reason if it cannot run here. */
export function createNodeBackend(name: NodeBackendName): Promise<AnyBackend> {
  return factories[name]();
}

/** Whether `name` runs in Node (everything but webgl). */
export function isNodeBackend(name: BackendName): name is NodeBackendName {
  return name !== 'webgl';
}

/** One line of an error, for a reason or a report. */
export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
