/**
 * The backends the command line runs: the built-in names (each a package of the user's project,
 * imported when named: optional peer dependencies of `@recur/conformance`) and any module a user
 * names with `--backend-module`. A built-in that cannot run here is listed as `unavailable` with the
 * reason (never silently dropped); a module the user names that is not a backend is a usage error.
 */
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyBackend } from '@recur/core';
import { type BuiltinBackend, builtinBackends, instantiateBackend } from '../backends.js';
import { type CaseRunner, inProcessRunner } from './runner.js';

/** A backend ready to run cases, or the reason it is unavailable here. */
export type LoadedBackend = { name: string; runner: CaseRunner } | { name: string; unavailable: string };

export type { BuiltinBackend } from '../backends.js';
export { backendNames, builtinBackends } from '../backends.js';

const oneLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();

/** Loads one built-in backend by name (`table` is for tests). */
export async function loadBackend(
  name: string,
  table: Readonly<Record<string, BuiltinBackend>> = builtinBackends,
): Promise<LoadedBackend> {
  const builtin = table[name];
  if (builtin === undefined) return { name, unavailable: 'unknown backend' };
  try {
    if ('browser' in builtin) {
      const runner = await (await import('./browser/webgl.js')).loadWebglRunner();
      return 'unavailable' in runner ? { name, unavailable: runner.unavailable } : { name, runner };
    }
    return { name, runner: inProcessRunner(await instantiateBackend(builtin)) };
  } catch (error) {
    return { name, unavailable: oneLine(error) };
  }
}

/** A module named with `--backend-module` that does not give a backend: the one line to print. */
export class BackendModuleError extends Error {
  override name = 'BackendModuleError';
}

/** Every method `Backend<T>` requires (packages/core/src/backend.ts). */
const requiredMethods = [
  'fromData',
  'read',
  'matMul',
  'binary',
  'unary',
  'scale',
  'sum',
  'max',
  'logSoftmax',
  'reshape',
  'transpose',
  'slice',
  'concat',
  'gather',
  'valueAndGrads',
  'tidy',
  'keep',
  'dispose',
  'isDisposed',
  'liveTensors',
] as const;

/** What is wrong with `value` as a backend (empty: nothing). */
function backendProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [`it is ${value === null ? 'null' : typeof value}`];
  const b = value as Record<string, unknown>;
  const problems: string[] = [];
  const dtypes = b.dtypes;
  if (
    !Array.isArray(dtypes) ||
    dtypes.length === 0 ||
    !dtypes.every((d) => d === 'float32' || d === 'float64')
  ) {
    problems.push('dtypes must list float32 and/or float64');
  }
  const missing = requiredMethods.filter((m) => typeof b[m] !== 'function');
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  return problems;
}

/** The URL to import for `specifier`: a path (relative to `cwd`) as a file URL, else a package name. */
export function moduleUrl(specifier: string, cwd: string = process.cwd()): string {
  const isPath =
    isAbsolute(specifier) ||
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier === '.' ||
    /\.[cm]?[jt]s$/.test(specifier);
  return isPath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
}

/**
 * Loads the backend a user module provides: its default export, else its named export
 * `createBackend`; either a `Backend` object or a (possibly async) function returning one. Its report
 * name is the backend's `name`, else the file's base name. Throws {@link BackendModuleError} with one
 * line when the module cannot be imported or gives no backend.
 */
export async function loadBackendModule(
  specifier: string,
  cwd: string = process.cwd(),
): Promise<{ name: string; runner: CaseRunner }> {
  const url = moduleUrl(specifier, cwd);
  let module: Record<string, unknown>;
  try {
    module = await import(url);
  } catch (error) {
    throw new BackendModuleError(`--backend-module ${specifier}: cannot import it: ${oneLine(error)}`);
  }
  const exported = module.default ?? module.createBackend;
  if (exported === undefined) {
    throw new BackendModuleError(
      `--backend-module ${specifier}: no backend export (expected a default export or a named export createBackend: a Backend, or a function returning one)`,
    );
  }
  let backend: unknown = exported;
  if (typeof exported === 'function') {
    try {
      backend = await (exported as () => unknown)();
    } catch (error) {
      throw new BackendModuleError(`--backend-module ${specifier}: its factory threw: ${oneLine(error)}`);
    }
  }
  const problems = backendProblems(backend);
  if (problems.length > 0) {
    throw new BackendModuleError(
      `--backend-module ${specifier}: not a Recur backend (${problems.join('; ')})`,
    );
  }
  const declared = (backend as { name?: unknown }).name;
  const file = basename(specifier);
  const name =
    typeof declared === 'string' && declared !== '' ? declared : basename(file, extname(file)) || specifier;
  return { name, runner: inProcessRunner(backend as AnyBackend) };
}
