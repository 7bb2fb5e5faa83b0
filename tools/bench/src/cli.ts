/**
 * `pnpm bench` arguments. Every value is checked here; a bad one ends the run with exit code 2 and
 * a one-line error before anything is measured.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { type BackendName, backendNames, nodeBackendNames } from './systems/backends.js';
import {
  type Cell,
  cells,
  type Mode,
  modes,
  parseWorkload,
  type Workload,
  workloadNames,
  workloads,
} from './workloads.js';

/** The references `--reference` accepts. */
export const referenceNames = ['torch', 'tfjs-layers', 'onnxruntime-node', 'onnxruntime-web'] as const;

/** Parsed and checked options. */
export interface BenchOptions {
  backends: BackendName[];
  cells: Cell[];
  /** Each with only the modes asked for (`--mode`); workloads left with none are dropped. */
  workloads: Workload[];
  references: (typeof referenceNames)[number][];
  path: 'fused' | 'composed' | 'both';
  reps: number | undefined;
  budgetMs: number | null;
  python: string;
  torchThreads: number | undefined;
  jsThreads: 1 | 2 | 'auto';
  /** Fresh processes per system and cell for the cold starts (with W5; 0 skips them). */
  coldRuns: number;
  /** Measure the WebAssembly SIMD128 peak first (`--no-peak` skips it). */
  peak: boolean;
  json: string | undefined;
  report: string | undefined;
}

function listOf<T extends string>(what: string, allowed: readonly T[], extra: readonly string[] = []) {
  return (value: string): T[] => {
    const names = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${what}`);
    for (const n of names) {
      if (!(allowed as readonly string[]).includes(n) && !extra.includes(n)) {
        throw new InvalidArgumentError(
          `unknown ${what} "${n}" (expected one of ${[...allowed, ...extra].join(', ')})`,
        );
      }
    }
    return [...new Set(names)] as T[];
  };
}

/** `--workload`: named workloads and shapes of one's own, checked by {@link parseWorkload}. */
function workloadList(value: string): Workload[] {
  const specs = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (specs.length === 0) throw new InvalidArgumentError('expected a comma-separated list of workloads');
  const parsed: Workload[] = [];
  for (const spec of specs) {
    try {
      const w = parseWorkload(spec);
      if (!parsed.some((p) => p.name === w.name)) parsed.push(w);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  }
  return parsed;
}

function integer(what: string, min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
      throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}, got "${value}"`);
    }
    return Number(value);
  };
}

function pathOption(value: string): BenchOptions['path'] {
  if (value !== 'fused' && value !== 'composed' && value !== 'both') {
    throw new InvalidArgumentError(`expected fused, composed or both, got "${value}"`);
  }
  return value;
}

function jsThreadsOption(value: string): BenchOptions['jsThreads'] {
  if (value === '1' || value === '2') return Number(value) as 1 | 2;
  if (value === 'auto') return value;
  throw new InvalidArgumentError(`expected 1, 2 or auto, got "${value}"`);
}

/** The command-line interface (exported for `--help` in docs and tests). */
export function benchCommand(): Command {
  return new Command()
    .name('pnpm bench')
    .description(
      "Times Recur's LSTM/GRU/RNN (forward and training step) on each backend against PyTorch and tfjs-layers",
    )
    .option(
      '--backend <names>',
      `Recur backends, comma-separated: ${backendNames.join(', ')} (default: all but webgl, which runs in headless Chromium)`,
      listOf('backend', backendNames),
    )
    .option('--cell <names>', `cells: ${cells.join(', ')} (default: all)`, listOf('cell', cells))
    .option(
      '--workload <names>',
      `workloads: ${workloadNames.join(', ')} (default: all), or shapes of your own like B8T100I16H32L2 (batch, steps, input, hidden, layers)`,
      workloadList,
    )
    .option('--mode <names>', `modes: ${modes.join(', ')} (default: both)`, listOf('mode', modes))
    .option(
      '--reference <names>',
      'references: torch, tfjs-layers (on the tfjs engine of each selected backend; tfjs-cpu for js), onnxruntime-node, onnxruntime-web (forward only, 1 and 2 threads), or none (default: all)',
      listOf('reference', referenceNames, ['none']),
    )
    .option(
      '--path <path>',
      'Recur path: fused (= auto: fused where the backend has it), composed, or both',
      pathOption,
      'fused',
    )
    .option(
      '--reps <n>',
      'timed repetitions per measurement (default: W1/W4 20, W2 15, W3 5)',
      integer('--reps', 1),
    )
    .option(
      '--budget-ms <ms>',
      'time allowed per measurement: fewer repetitions, or skipped when one step exceeds it; 0 = unlimited',
      integer('--budget-ms', 0),
      20000,
    )
    .option('--python <path>', 'Python interpreter for the PyTorch reference', '/usr/bin/python3')
    .option(
      '--torch-threads <n>',
      'torch.set_num_threads (default: every core)',
      integer('--torch-threads', 1),
    )
    .option(
      '--js-threads <n>',
      "threads of the js backend's SIMD kernels: 1, 2 or auto (createJsBackend's default)",
      jsThreadsOption,
      'auto',
    )
    .option(
      '--cold-runs <n>',
      'with W5: fresh processes per system and cell timing import → first output (0 skips the cold starts)',
      integer('--cold-runs', 0),
      3,
    )
    .option('--no-peak', 'skip measuring the WebAssembly SIMD128 peak (and the shares of it)')
    .option('--json <file>', 'write a recur-bench/1 JSON document')
    .option('--report <dir>', 'write a markdown report with SVG charts into this directory')
    .allowExcessArguments(false);
}

/** Thrown for arguments the run cannot start with; `main` prints it and exits 2. */
export class UsageError extends Error {}

/**
 * Parses `argv` (user arguments only). Commander prints its own one-line error for malformed
 * arguments; both cases end in a `UsageError` (exit 2). `--help` exits 0 from Commander.
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const program = benchCommand()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) throw error;
      throw new UsageError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  const o = program.opts<{
    backend?: BackendName[];
    cell?: Cell[];
    workload?: Workload[];
    mode?: Mode[];
    reference?: string[];
    path: BenchOptions['path'];
    reps?: number;
    budgetMs: number;
    python: string;
    torchThreads?: number;
    jsThreads: BenchOptions['jsThreads'];
    peak: boolean;
    coldRuns: number;
    json?: string;
    report?: string;
  }>();
  const references = (o.reference ?? [...referenceNames]).filter(
    (r) => r !== 'none',
  ) as BenchOptions['references'];
  const wantedModes = o.mode ?? [...modes];
  const selected = (o.workload ?? [...workloads])
    .map((w) => ({ ...w, modes: w.modes.filter((m) => wantedModes.includes(m)) }))
    .filter((w) => w.modes.length > 0);
  if (selected.length === 0) {
    throw new UsageError(
      `nothing to measure: no selected workload runs mode ${wantedModes.join(', ')} (W4 is forward only)`,
    );
  }
  return {
    backends: o.backend ?? [...nodeBackendNames],
    cells: o.cell ?? [...cells],
    workloads: selected,
    references,
    path: o.path,
    reps: o.reps,
    budgetMs: o.budgetMs === 0 ? null : o.budgetMs,
    python: o.python,
    torchThreads: o.torchThreads,
    jsThreads: o.jsThreads,
    peak: o.peak,
    coldRuns: o.coldRuns,
    json: o.json,
    report: o.report,
  };
}
