/**
 * Backend selection by name for the examples. Loaders import lazily, so a missing optional engine
 * (tfjs-node's native binding) only matters when it is asked for, and then says why.
 */
import type { AnyBackend } from '@recur/core';

/** Names accepted by `--backend`. */
export const backendNames = ['js', 'wasm', 'tfjs-cpu', 'tfjs-node'] as const;

/** A backend name. */
export type BackendName = (typeof backendNames)[number];

type Loader = (options: { fused: boolean }) => Promise<AnyBackend>;

const loaders: Record<BackendName, Loader> = {
  js: async ({ fused }) => (await import('@recur/backend-js')).createJsBackend({ fused }) as AnyBackend,
  wasm: async ({ fused }) =>
    (await (await import('@recur/backend-wasm')).createWasmBackend({ fused })) as AnyBackend,
  'tfjs-cpu': async ({ fused }) =>
    (await (await import('@recur/backend-tfjs-cpu')).createTfjsCpuBackend({ fused })) as AnyBackend,
  'tfjs-node': async ({ fused }) =>
    (await (await import('@recur/backend-tfjs-node')).createTfjsNodeBackend({ fused })) as AnyBackend,
};

/** Whether `name` is a backend the examples know. */
export function isBackendName(name: string): name is BackendName {
  return (backendNames as readonly string[]).includes(name);
}

/**
 * Creates the named backend (with its fused kernels unless `fused` is false). Throws an Error whose
 * message is one line when the backend cannot run here.
 */
export async function loadBackend(name: BackendName, options: { fused?: boolean } = {}): Promise<AnyBackend> {
  try {
    return await loaders[name]({ fused: options.fused ?? true });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
    throw new Error(`backend ${name} is unavailable here: ${reason}`);
  }
}
