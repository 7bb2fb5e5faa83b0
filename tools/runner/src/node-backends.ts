/**
 * The built-in backends that run in a Node process, by name: the one name → factory table of the
 * examples (`--backend`) and `pnpm soak`. Each factory imports its package only when asked for, so
 * a missing optional engine (tfjs-node's native binding) only matters for its own name.
 *
 * The browser demo creates its backends in workers (tfjs-wasm binaries bundled by Vite, WebGL) and
 * keeps its own table (apps/demo/src/engine/backends.ts); the published conformance CLI keeps its
 * `builtinBackends` (peer-dependency packages it may not find), which it does not export.
 */
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
  js: async ({ fused }) => (await import('@recur/backend-js')).createJsBackend({ fused }) as AnyBackend,
  wasm: async ({ fused }) =>
    (await (await import('@recur/backend-wasm')).createWasmBackend({ fused })) as AnyBackend,
  'tfjs-cpu': async ({ fused }) =>
    (await (await import('@recur/backend-tfjs-cpu')).createTfjsCpuBackend({ fused })) as AnyBackend,
  'tfjs-node': async ({ fused }) =>
    (await (await import('@recur/backend-tfjs-node')).createTfjsNodeBackend({ fused })) as AnyBackend,
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
