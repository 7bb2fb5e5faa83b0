/**
 * The backends the command line knows, by report name. Each loader either returns a ready backend or
 * says why it cannot run on this machine (listed as `unavailable`, never silently dropped).
 */
import type { AnyBackend } from '@recur/core';
import { type CaseRunner, inProcessRunner } from './runner.js';

/** A backend ready to run cases, or the reason it is unavailable here. */
export type LoadedBackend = { name: string; runner: CaseRunner } | { name: string; unavailable: string };

type Loader = () => Promise<CaseRunner | { unavailable: string }>;

const here =
  (create: () => Promise<AnyBackend> | AnyBackend): Loader =>
  async () =>
    inProcessRunner(await create());

// Loaders import lazily so that a missing optional engine only affects its own backend.
const loaders: Record<string, Loader> = {
  js: here(async () => (await import('@recur/backend-js')).createJsBackend() as AnyBackend),
  'tfjs-cpu': here(
    async () => (await (await import('@recur/backend-tfjs-cpu')).createTfjsCpuBackend()) as AnyBackend,
  ),
  wasm: here(async () => (await (await import('@recur/backend-wasm')).createWasmBackend()) as AnyBackend),
  'tfjs-node': here(
    async () => (await (await import('@recur/backend-tfjs-node')).createTfjsNodeBackend()) as AnyBackend,
  ),
  // In headless Chromium: WebGL needs a browser.
  webgl: async () => (await import('./browser/webgl.js')).loadWebglRunner(),
};

/** Every backend name the runner accepts, in report order. */
export const backendNames = ['js', 'tfjs-cpu', 'wasm', 'tfjs-node', 'webgl'] as const;

/** Loads one backend by name. */
export async function loadBackend(name: string): Promise<LoadedBackend> {
  const loader = loaders[name];
  if (loader === undefined) return { name, unavailable: 'unknown backend' };
  try {
    const runner = await loader();
    return 'unavailable' in runner ? { name, unavailable: runner.unavailable } : { name, runner };
  } catch (error) {
    return {
      name,
      unavailable: (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim(),
    };
  }
}
