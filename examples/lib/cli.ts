/**
 * The command line every example shares:
 * `pnpm example <name> [--backend js|wasm|tfjs-cpu|tfjs-node] [--seed N] [--steps N] [--out DIR]`
 * plus the example's own options. Bad input is one line on stderr and exit code 2; the run ends with
 * the `result:` line and exit code 0 (PASS) or 1 (FAIL).
 */
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyBackend } from '@recur/core';
import { Generator, manualSeed, setDefaultBackend } from '@recur/core';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { BackendName } from './backends.js';
import { backendNames, isBackendName, loadBackend } from './backends.js';
import type { Check } from './result.js';
import { resultLine } from './result.js';

/** An option of one example beyond the shared ones (always a number). */
export interface NumberOption {
  /** Option name without dashes, e.g. `length`. */
  readonly name: string;
  readonly description: string;
  readonly default: number;
  /** Accept integers only (default true). */
  readonly integer?: boolean;
  /** Smallest accepted value (default 1). */
  readonly min?: number;
}

/** What an example declares about itself. */
export interface ExampleDefinition {
  /** The name used with `pnpm example`. */
  readonly name: string;
  /** One line on what it shows. */
  readonly description: string;
  /** Default training budget (`--steps`): the setting that meets the target. */
  readonly defaultSteps: number;
  /** Extra numeric options. */
  readonly options?: readonly NumberOption[];
}

/** Everything a running example gets. */
export interface ExampleContext {
  readonly backend: AnyBackend;
  readonly backendName: BackendName;
  readonly seed: number;
  readonly steps: number;
  /** Directory for written files (exists and is writable). */
  readonly out: string;
  /** Values of the example's own options, by name. */
  readonly options: Readonly<Record<string, number>>;
  /** Seeded generator for data order and sampling (model init uses the global one, seeded too). */
  readonly generator: Generator;
  /** Loads another backend of the same engine (e.g. without fused kernels) for comparisons. */
  loadBackend(options: { fused: boolean }): Promise<AnyBackend>;
}

/**
 * Default directory for written files: `examples/dist`, which git and biome already ignore (charts
 * are generated output, like a build's).
 */
export const defaultOutDir = fileURLToPath(new URL('../dist', import.meta.url));

class UsageError extends Error {}

function parseNumber(flag: string, integer: boolean, min: number) {
  return (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
      throw new InvalidArgumentError(
        `${flag} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${raw}"`,
      );
    }
    return v;
  };
}

function checkOutDir(dir: string): string {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.W_OK);
    // Permission bits do not stop root: only an actual write proves the directory is writable.
    const probe = resolve(path, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`--out ${dir} is not a writable directory (${code})`);
  }
  return path;
}

function parseArgs(def: ExampleDefinition, argv: readonly string[]) {
  const program = new Command()
    .name(`pnpm example ${def.name}`)
    .description(def.description)
    .option('--backend <name>', `backend: ${backendNames.join(', ')}`, 'js')
    .option(
      '--seed <n>',
      'seed for initialisation, shuffling and the train/test split',
      parseNumber('--seed', true, 0),
      1,
    )
    .option('--steps <n>', 'training budget in steps', parseNumber('--steps', true, 1), def.defaultSteps)
    .option('--out <dir>', 'directory for written files', defaultOutDir)
    .allowExcessArguments(false)
    .configureOutput({ writeErr: (s) => process.stderr.write(`${s.trim().split('\n')[0]}\n`) })
    .exitOverride();
  for (const o of def.options ?? []) {
    program.option(
      `--${o.name} <n>`,
      o.description,
      parseNumber(`--${o.name}`, o.integer ?? true, o.min ?? 1),
      o.default,
    );
  }
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    // Commander has already printed its one-line message (or the help, for --help).
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    throw error;
  }
  const o = program.opts<Record<string, string | number>>();
  const backend = String(o.backend);
  if (!isBackendName(backend)) {
    throw new UsageError(`unknown backend "${backend}" (expected one of ${backendNames.join(', ')})`);
  }
  // Commander stores `--eval-words` as `evalWords`; examples read their options by the flag's name.
  const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
  const own = Object.fromEntries((def.options ?? []).map((x) => [x.name, Number(o[camel(x.name)])]));
  return {
    backendName: backend,
    seed: Number(o.seed),
    steps: Number(o.steps),
    out: checkOutDir(String(o.out)),
    options: own,
  };
}

/**
 * Parses the command line, loads the backend, seeds everything, runs `body`, prints its checks as
 * the `result:` line and the time taken, and exits 0 on PASS, 1 on FAIL, 2 on bad input.
 */
export async function runExample(
  def: ExampleDefinition,
  body: (ctx: ExampleContext) => Promise<readonly Check[]>,
  argv: readonly string[] = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  let backend: AnyBackend;
  try {
    args = parseArgs(def, argv);
    backend = await loadBackend(args.backendName).catch((error: Error) => {
      throw new UsageError(error.message);
    });
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${def.name}: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  setDefaultBackend(backend);
  manualSeed(args.seed);
  const fused = backend.fused !== undefined;
  console.log(
    `${def.name} on backend ${backend.name} (${fused ? 'fused kernels' : 'composed only'}), seed ${args.seed}, steps ${args.steps}`,
  );
  const started = performance.now();
  const checks = await body({
    ...args,
    backend,
    generator: new Generator(args.seed),
    loadBackend: (o) => loadBackend(args.backendName, o),
  });
  const { line, pass } = resultLine(checks);
  console.log(`time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(line);
  process.exitCode = pass ? 0 : 1;
}
