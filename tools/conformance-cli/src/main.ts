#!/usr/bin/env node
/**
 * `pnpm conformance [--cases DIR_OR_FILE ...] [--backend NAME ...] [--json REPORT.json] [--dtype DTYPE]`
 * Runs `recur-case/1` files (the committed PyTorch cases by default) on every requested backend that
 * can run here, prints a table of worst errors, optionally writes a `recur-report/1`, and exits 0
 * only when every result of an available backend passed.
 */
import { writeFileSync } from 'node:fs';
import type { CaseResult } from '@recur/conformance';
import { committedCasesDir, committedWeightCasesDir, defaultTolerances, loadCases } from '@recur/conformance';
import type { DType } from '@recur/core';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { backendNames, loadBackend } from './backends.js';
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

async function main(): Promise<number> {
  const program = new Command()
    .name('pnpm conformance')
    .description('Run recur-case/1 conformance cases on Recur backends')
    .option('--cases <paths...>', 'case files or directories (default: the committed PyTorch cases)')
    .option(
      '--backend <names>',
      `backends to run, repeatable or comma-separated: ${backendNames.join(', ')} (default: all available)`,
      parseBackend,
    )
    .option('--json <file>', 'write a recur-report/1 JSON report')
    .option('--no-timing', 'skip the W1 LSTM training-step timing shown beside the errors')
    .option(
      '--dtype <dtype>',
      "compute in this dtype where the backend has it (default: each backend's first, float32)",
    )
    .showHelpAfterError('(run with --help for usage)');
  // Usage errors (unknown backend, bad option) exit with code 2, as every Recur command line does.
  program.exitOverride();
  try {
    program.parse(process.argv.filter((a, i) => !(i === 2 && a === '--')));
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const options = program.opts<{
    cases?: string[];
    backend?: string[];
    json?: string;
    dtype?: DType;
    timing: boolean;
  }>();
  if (options.dtype !== undefined && options.dtype !== 'float32' && options.dtype !== 'float64') {
    program.error(`--dtype must be float32 or float64, got "${options.dtype}"`, { exitCode: 2 });
  }

  const loaded = (() => {
    try {
      return loadCases(options.cases ?? [committedCasesDir, committedWeightCasesDir]);
    } catch (error) {
      return program.error(error instanceof Error ? error.message : String(error), { exitCode: 2 });
    }
  })();
  const requested = options.backend ?? [...backendNames];
  const backends = [];
  const results: CaseResult[] = [];
  const timings = new Map<string, number>();
  for (const name of requested) {
    const b = await loadBackend(name);
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
        results.push(computed[next++]!);
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

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
