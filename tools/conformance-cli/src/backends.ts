/**
 * The backends the command line knows, by report name. Each loader either returns a ready backend or
 * says why it cannot run on this machine (listed as `unavailable`, never silently dropped).
 */
import type { AnyBackend } from '@recur/core';

/** A backend ready to run, or the reason it is unavailable here. */
export type LoadedBackend = { name: string; backend: AnyBackend } | { name: string; unavailable: string };

type Loader = () => Promise<AnyBackend>;

// Loaders import lazily so that a missing optional engine only affects its own backend.
const loaders: Record<string, Loader> = {
  js: async () => (await import('@recur/backend-js')).createJsBackend() as AnyBackend,
  'tfjs-cpu': async () =>
    (await (await import('@recur/backend-tfjs-cpu')).createTfjsCpuBackend()) as AnyBackend,
  wasm: async () => (await (await import('@recur/backend-wasm')).createWasmBackend()) as AnyBackend,
  'tfjs-node': async () =>
    (await (await import('@recur/backend-tfjs-node')).createTfjsNodeBackend()) as AnyBackend,
};

/** Every backend name the runner accepts, in report order. */
export const backendNames = ['js', 'tfjs-cpu', 'wasm', 'tfjs-node', 'webgl'] as const;

/** Reasons for names that are accepted but cannot run in this process. */
const notBuilt: Record<string, string> = {
  webgl: 'needs a browser with WebGL 2; the browser runner is not built yet',
};

/** Loads one backend by name. */
export async function loadBackend(name: string): Promise<LoadedBackend> {
  const loader = loaders[name];
  if (loader === undefined) return { name, unavailable: notBuilt[name] ?? 'unknown backend' };
  try {
    return { name, backend: await loader() };
  } catch (error) {
    return {
      name,
      unavailable: (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim(),
    };
  }
}
