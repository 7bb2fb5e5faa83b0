/**
 * The Recur backends the bench knows, by name. Each loader returns a ready backend or the reason it
 * cannot run here (reported as `skipped`, never silently dropped).
 */
import { createBuiltinBackend } from '@recur/conformance/backends';
import type { AnyBackend } from '@recur/core';

/** The backends that run in this Node process, in report order. */
export const nodeBackendNames = ['js', 'tfjs-cpu', 'wasm', 'tfjs-node'] as const;

/**
 * Every backend name `--backend` accepts, in report order: the Node ones and `webgl`, which runs in
 * headless Chromium (`webgl.ts`).
 */
export const backendNames = [...nodeBackendNames, 'webgl'] as const;

/** A Recur backend name. */
export type BackendName = (typeof backendNames)[number];

/** A Recur backend that runs in this Node process. */
export type NodeBackendName = (typeof nodeBackendNames)[number];

/**
 * The tfjs engine each Node tfjs-based backend computes on (`null` for js), which is also its run
 * group (webgl's group is its browser page, see `webgl.ts`).
 */
export const backendEngine: Readonly<Record<NodeBackendName, 'cpu' | 'wasm' | 'tensorflow' | null>> = {
  js: null,
  'tfjs-cpu': 'cpu',
  wasm: 'wasm',
  'tfjs-node': 'tensorflow',
};

/** A loaded backend, or why it is unavailable. */
export type LoadedBackend = { backend: AnyBackend } | { unavailable: string };

// The one name → package → factory table (lazy imports: a missing optional engine, like tfjs-node's
// native binding, only affects its own backend); only js takes a bench option.
const loaders: Record<NodeBackendName, (options: LoadOptions) => Promise<AnyBackend>> = {
  js: ({ jsThreads }) => createBuiltinBackend('js', { threads: jsThreads }),
  'tfjs-cpu': () => createBuiltinBackend('tfjs-cpu'),
  wasm: () => createBuiltinBackend('wasm'),
  'tfjs-node': () => createBuiltinBackend('tfjs-node'),
};

/** One line of an error, for a `reason` field. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

/** Backend settings the bench exposes. */
export interface LoadOptions {
  /** `createJsBackend`'s `threads` (default `auto`, as for users). */
  readonly jsThreads?: 1 | 2 | 'auto';
}

/** Loads one Recur backend by name (fused kernels on; modules choose their path). */
export async function loadBackend(name: NodeBackendName, options: LoadOptions = {}): Promise<LoadedBackend> {
  try {
    return { backend: await loaders[name](options) };
  } catch (error) {
    return { unavailable: oneLine(error) };
  }
}
