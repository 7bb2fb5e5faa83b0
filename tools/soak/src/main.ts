#!/usr/bin/env node
/**
 * `pnpm soak [--backend js --backend wasm …] [--steps N] [--interleave] [--seed N] [--json FILE]`:
 * trains an LSTM and a GRU for N steps on every chosen backend, prints step, losses, live tensors,
 * heap and RSS (and GPU bytes on webgl) every tenth of the run, then a PASS/FAIL verdict per
 * backend; exits 1 on any FAIL, 2 on bad arguments. README.md explains the checks and bounds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { type BackendName, backendNames, nodeBackendNames } from './backends.js';
import { renderVerdicts, sampleLine, soakDocument } from './report.js';
import { runSoak, type SoakOptions } from './run.js';
import { defaultBounds } from './verdict.js';

function backendList(value: string, previous: BackendName[] = []): BackendName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(backendNames as readonly string[]).includes(n)) {
      throw new InvalidArgumentError(`unknown backend "${n}" (expected one of ${backendNames.join(', ')})`);
    }
  }
  return [...new Set([...previous, ...(names as BackendName[])])];
}

function integer(what: string, min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
      throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}, got "${value}"`);
    }
    return Number(value);
  };
}

async function main(): Promise<number> {
  const program = new Command()
    .name('pnpm soak')
    .description(
      'Long training loops on Recur backends: live tensors, heap and RSS must stay flat, the loss finite',
    )
    .option(
      '--backend <names>',
      `backends, repeatable or comma-separated: ${backendNames.join(', ')} (default: all)`,
      backendList,
    )
    .option('--steps <n>', 'training steps per backend (≥ 20)', integer('--steps', 20), 2000)
    .option(
      '--interleave',
      `run the Node backends (${nodeBackendNames.join(', ')}) in one process, alternating one step on each`,
    )
    .option('--seed <n>', 'seed of the models and the data', integer('--seed', 0), 0)
    .option('--json <file>', 'write the series and verdicts as recur-soak/1 JSON')
    .showHelpAfterError('(run with --help for usage)');
  program.exitOverride();
  try {
    program.parse(process.argv.filter((a, i) => !(i === 2 && a === '--')));
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const opts = program.opts<{
    backend?: BackendName[];
    steps: number;
    interleave?: boolean;
    seed: number;
    json?: string;
  }>();
  const options: SoakOptions = {
    backends: opts.backend ?? [...backendNames],
    steps: opts.steps,
    interleave: opts.interleave === true,
    seed: opts.seed,
    bounds: defaultBounds,
  };
  const loadAtStart = Number(loadavg()[0]!.toFixed(2));
  console.log(
    `soak: ${options.steps} steps on ${options.backends.join(', ')}${options.interleave ? ' (Node backends interleaved in one process)' : ' (each in its own process)'}`,
  );
  const outcome = await runSoak(options, {
    sample: (backend, sample, steps) => console.log(sampleLine(backend, sample, steps)),
    unavailable: (u) => console.log(`${u.backend.padEnd(9)}  unavailable — ${u.reason}`),
  });
  console.log(`\n${renderVerdicts(outcome, options.bounds)}`);
  if (opts.json !== undefined) {
    mkdirSync(dirname(opts.json), { recursive: true });
    writeFileSync(opts.json, `${JSON.stringify(soakDocument(options, outcome, loadAtStart), null, 2)}\n`);
    console.log(`wrote ${opts.json}`);
  }
  const failed = outcome.results.filter((r) => !r.verdict.pass).length;
  console.log(
    `soak: ${outcome.results.length - failed} passed, ${failed} failed, ${outcome.unavailable.length} unavailable`,
  );
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
