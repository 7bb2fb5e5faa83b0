/**
 * `@recur/conformance/backends`: the built-in backend names and how to create each one, in one table
 * for every Node tool (`recur-conformance`, the examples, `pnpm soak`, `pnpm bench`). Each backend is a
 * package of the caller's project (an optional peer dependency of `@recur/conformance`), imported only
 * when its name is asked for, so a missing or unusable engine only affects its own name.
 *
 * ```ts
 * import { createBuiltinBackend } from '@recur/conformance/backends';
 * const backend = await createBuiltinBackend('wasm', { fused: false });
 * ```
 *
 * @packageDocumentation
 */
import type { AnyBackend } from '@recur/core';

/** A built-in name: the package that provides it and the factory it exports, or the browser. */
export type BuiltinBackend =
  | {
      /** The npm package that provides the backend, e.g. `@recur/backend-wasm`. */
      package: string;
      /** The factory it exports, e.g. `createWasmBackend`. */
      factory: string;
    }
  | {
      /** Runs in a headless Chromium page (only `recur-conformance` drives one). */
      browser: 'webgl';
    };

/** The built-in names, in report order. */
export const builtinBackends: Readonly<Record<string, BuiltinBackend>> = {
  js: { package: '@recur/backend-js', factory: 'createJsBackend' },
  'tfjs-cpu': { package: '@recur/backend-tfjs-cpu', factory: 'createTfjsCpuBackend' },
  wasm: { package: '@recur/backend-wasm', factory: 'createWasmBackend' },
  'tfjs-node': { package: '@recur/backend-tfjs-node', factory: 'createTfjsNodeBackend' },
  // In headless Chromium: WebGL needs a browser.
  webgl: { browser: 'webgl' },
};

/** Every built-in backend name, in report order. */
export const backendNames: readonly string[] = Object.keys(builtinBackends);

/** The built-in names that run in a Node process (every one but `webgl`), in report order. */
export const nodeBackendNames: readonly string[] = backendNames.filter(
  (name) => !('browser' in builtinBackends[name]!),
);

/** Whether `error` says that `specifier` itself (not something it imports) cannot be found. */
export function isMissingPackage(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(message)) &&
    message.includes(`'${specifier}'`)
  );
}

/** The package a built-in backend needs is not installed in the caller's project. */
export class MissingBackendPackageError extends Error {
  /** Always `'MissingBackendPackageError'`, so the error can be told apart after crossing a worker boundary. */
  override name = 'MissingBackendPackageError';
  /** @param packageName - The package to install, e.g. `@recur/backend-wasm`. */
  constructor(readonly packageName: string) {
    super(`install ${packageName}`);
  }
}

/**
 * Imports `entry.package` and calls its `entry.factory` with `options`. Throws
 * {@link MissingBackendPackageError} when the package is not installed, an Error when it exports no such
 * factory, and otherwise the engine's own error (tfjs-node without its native binding).
 */
export async function instantiateBackend(
  entry: { package: string; factory: string },
  options?: object,
): Promise<AnyBackend> {
  let module: Record<string, unknown>;
  try {
    module = (await import(entry.package)) as Record<string, unknown>;
  } catch (error) {
    if (isMissingPackage(error, entry.package)) throw new MissingBackendPackageError(entry.package);
    throw error;
  }
  const factory = module[entry.factory];
  if (typeof factory !== 'function') throw new Error(`${entry.package} exports no ${entry.factory}`);
  return (await (factory as (options?: object) => unknown)(options)) as AnyBackend;
}

/**
 * Creates the built-in Node backend `name` with the factory's `options` (e.g. `{ fused: false }`).
 * Throws a RangeError for a name that is not a Node built-in, and otherwise what
 * {@link instantiateBackend} throws.
 */
export async function createBuiltinBackend(name: string, options?: object): Promise<AnyBackend> {
  const builtin = builtinBackends[name];
  if (builtin === undefined || 'browser' in builtin) {
    throw new RangeError(
      `createBuiltinBackend: name must be one of ${nodeBackendNames.join(', ')}, got ${JSON.stringify(name)}`,
    );
  }
  return instantiateBackend(builtin, options);
}
