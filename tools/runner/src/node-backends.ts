/**
 * The built-in backends that run in a Node process, by name: the one name → factory table of the
 * examples (`--backend`) and `pnpm soak`. Each factory imports its package only when asked for, so
 * a missing optional engine (tfjs-node's native binding) only matters for its own name.
 *
 * The names, packages and factories are `@recur/conformance/backends`' table (the one the published
 * `recur-conformance` uses); this module only fixes the examples' order and options. The browser demo
 * creates its backends in workers (tfjs-wasm binaries bundled by Vite, WebGL) and keeps its own table
 * (apps/demo/src/engine/backends.ts).
 */
import { createBuiltinBackend } from '@recur/conformance/backends';
import type { AnyBackend } from '@recur/core';

/** The Node backends, in the order the examples list them. */
export const nodeBackendNames = ['js', 'wasm', 'tfjs-cpu', 'tfjs-node'] as const;

/** One of {@link nodeBackendNames}. */
export type NodeBackendName = (typeof nodeBackendNames)[number];

/** Options every factory takes. */
export interface NodeBackendOptions {
  /** Use the backend's fused whole-sequence kernels (default true, as users get it). */
  readonly fused?: boolean;
}

/** The package and factory behind each name, and how to call it. */
export const nodeBackendFactories: Readonly<
  Record<NodeBackendName, (options: { fused: boolean }) => Promise<AnyBackend>>
> = {
  js: (options) => createBuiltinBackend('js', options),
  wasm: (options) => createBuiltinBackend('wasm', options),
  'tfjs-cpu': (options) => createBuiltinBackend('tfjs-cpu', options),
  'tfjs-node': (options) => createBuiltinBackend('tfjs-node', options),
};

/** Whether `name` is one of {@link nodeBackendNames}. */
export function isNodeBackendName(name: string): name is NodeBackendName {
  return (nodeBackendNames as readonly string[]).includes(name);
}

/** Creates the named backend; throws (the engine's own error) when it cannot run here. */
export function createNodeBackend(
  name: NodeBackendName,
  options: NodeBackendOptions = {},
): Promise<AnyBackend> {
  return nodeBackendFactories[name]({ fused: options.fused ?? true });
}

/** One line of an error, for a reason or a report. */
export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
