/**
 * `recur-conformance [--cases DIR_OR_FILE ...] [--backend NAME ...] [--backend-module PATH_OR_PACKAGE ...]
 * [--json REPORT.json] [--dtype DTYPE] [--no-timing]` (in the repository: `pnpm conformance`).
 * Runs `recur-case/1` files (the PyTorch cases shipped in this package by default) on every requested
 * backend that can run here, prints a table of worst errors, optionally writes a `recur-report/1`,
 * and exits 0 only when every result of an available backend passed (1: a case failed; 2: usage).
 */
import { writeFileSync } from 'node:fs';
import type { DType } from '@recur/core';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { committedCasesDir, committedWeightCasesDir, loadCases } from '../load-cases.js';
import type { CaseResult } from '../run-case.js';
import { defaultTolerances } from '../tolerances.js';
import {
  BackendModuleError,
  backendNames,
  type LoadedBackend,
  loadBackend,
  loadBackendModule,
} from './backends.js';
import { buildReport, renderProblems, renderSummary, renderTable } from './report.js';

function parseBackend(value: string, previous: string[] = []): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(backendNames as readonly string[]).includes(n)) {
      throw new InvalidArgumentError(`unknown backend "${n}" (expected one of ${backendNames.join(', ')})`);
    }
  }
  return [...previous, ...names];
}

/**
 * Runs the command line on `argv` (the arguments after the command) and gives its exit code. A usage
 * error (unknown backend, bad option, missing cases path, a module that is not a backend) prints one
 * line and gives 2, as every Recur command line does.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await conformance(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

async function conformance(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('recur-conformance')
    .description('Run recur-case/1 conformance cases on Recur backends')
    .option(
      '--cases <paths...>',
      'case files or directories (default: the PyTorch cases shipped with @recur/conformance)',
    )
    .option(
      '--backend <names>',
      `built-in backends to run, repeatable or comma-separated: ${backendNames.join(', ')} (default: all of them, or none when --backend-module is given)`,
      parseBackend,
    )
    .option(
      '--backend-module <module>',
      'run the backend a module exports (default export or createBackend: a Backend, or a function returning one): a path relative to the current directory, or a package name; repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json <file>', 'write a recur-report/1 JSON report')
    .option('--no-timing', 'skip the W1 LSTM training-step timing shown beside the errors')
    .option(
      '--dtype <dtype>',
      "compute in this dtype where the backend has it (default: each backend's first, float32)",
    )
    .exitOverride();
  program.parse(
    argv.filter((a, i) => !(i === 0 && a === '--')),
    { from: 'user' },
  );
  const options = program.opts<{
    cases?: string[];
    backend?: string[];
    backendModule?: string[];
    json?: string;
    dtype?: DType;
    timing: boolean;
  }>();
  if (options.dtype !== undefined && options.dtype !== 'float32' && options.dtype !== 'float64') {
    program.error(`recur-conformance: --dtype must be float32 or float64, got "${options.dtype}"`, {
      exitCode: 2,
    });
  }

  const loaded = (() => {
    try {
      return loadCases(options.cases ?? [committedCasesDir, committedWeightCasesDir]);
    } catch (error) {
      return program.error(`recur-conformance: ${error instanceof Error ? error.message : String(error)}`, {
        exitCode: 2,
      });
    }
  })();
  // Modules named by the user load first: one that is not a backend is a usage error, before any work.
  const fromModules: LoadedBackend[] = [];
  for (const specifier of options.backendModule ?? []) {
    try {
      const loaded = await loadBackendModule(specifier);
      fromModules.push({ ...loaded, name: uniqueName(loaded.name, fromModules, options.backend ?? []) });
    } catch (error) {
      if (error instanceof BackendModuleError)
        return program.error(`recur-conformance: ${error.message}`, { exitCode: 2 });
      throw error;
    }
  }
  // Without --backend: every built-in, unless modules were named (then only those).
  const requested = options.backend ?? (fromModules.length > 0 ? [] : [...backendNames]);
  const backends: LoadedBackend[] = [];
  const results: CaseResult[] = [];
  const timings = new Map<string, number>();
  const queue: (string | LoadedBackend)[] = [...requested, ...fromModules];
  for (const item of queue) {
    const b = typeof item === 'string' ? await loadBackend(item) : item;
    const name = b.name;
    backends.push(b);
    if (!('runner' in b)) {
      console.log(`backend ${name}: unavailable — ${b.unavailable}`);
      continue;
    }
    const { runner } = b;
    if (runner.detail !== undefined) console.log(`backend ${name}: ${runner.detail}`);
    const dtype: DType =
      options.dtype && runner.dtypes.includes(options.dtype) ? options.dtype : runner.dtypes[0]!;
    const tolerance = defaultTolerances[dtype];
    const parsed = loaded.flatMap((entry) => ('case' in entry ? [entry.case] : []));
    const computed = await runner.run(parsed, { dtype, tolerance });
    // Speed beside correctness: the W1 (B16 T32 I32 H64) LSTM training step, as `pnpm bench` measures it.
    if (options.timing) timings.set(name, await runner.timeW1Train());
    await runner.close();
    let next = 0;
    for (const entry of loaded) {
      if ('error' in entry) {
        results.push({
          case: entry.name,
          backend: name,
          dtype,
          path: null,
          status: 'error',
          atol: tolerance.atol,
          rtol: tolerance.rtol,
          errors: {},
          message: `${entry.file}: ${entry.error}`,
        });
      } else {
        // Reported under the name shown (a module's backend may share its `name` with another).
        results.push({ ...computed[next++]!, backend: name });
      }
    }
  }
  const report = buildReport(backends, results, timings);
  console.log(renderTable(report));
  console.log(renderSummary(report));
  for (const line of renderProblems(report)) console.log(line);
  if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  const passed = results.filter((r) => r.status === 'pass').length;
  const failed = results.length - passed;
  const unavailable = backends.filter((b) => !('runner' in b)).length;
  console.log(`conformance: ${passed} passed, ${failed} failed, ${unavailable} backend(s) unavailable`);
  return failed === 0 ? 0 : 1;
}

/** `name`, or `name (2)`, … when a built-in or another module already reports under it. */
function uniqueName(name: string, taken: readonly LoadedBackend[], builtins: readonly string[]): string {
  const used = new Set([...builtins, ...taken.map((b) => b.name)]);
  let unique = name;
  for (let i = 2; used.has(unique); i++) unique = `${name} (${i})`;
  return unique;
}
