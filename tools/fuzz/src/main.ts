#!/usr/bin/env node
/**
 * `pnpm fuzz [--target NAME ...] [--runs N] [--seed S] [--path P] [--time-limit MS] [--list]`
 * Fuzzes every file reader in `targets/` (or those named) with fast-check: each input must give a
 * valid value or the reader's own error, within the time limit and without an allocation larger than
 * a small multiple of the input. Prints a summary per target; exits 1 on any failure, 2 on bad usage.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { runIsolated } from './isolated.js';
import { loadTargets } from './registry.js';
import { renderReport } from './summary.js';
import { defaultLimits } from './target.js';

function integer(what: string, min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}, got "${value}"`);
    }
    return Number(value);
  };
}

function names(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

async function main(): Promise<number> {
  const targets = await loadTargets();
  const program = new Command()
    .name('pnpm fuzz')
    .description('Fuzz every file reader: own clear error or a valid value, bounded time and allocation')
    .option(
      '--target <names>',
      `targets, repeatable or comma-separated: ${targets.map((t) => t.name).join(', ')}`,
      names,
    )
    .option('--runs <n>', 'generated inputs per target', integer('--runs', 1), 100_000)
    .option('--seed <s>', 'fast-check seed (default: a fresh one, printed)', integer('--seed', 0))
    .option('--path <p>', "replay one input: fast-check's counterexample path (with --seed and one --target)")
    .option(
      '--time-limit <ms>',
      'per-input time limit',
      integer('--time-limit', 1),
      defaultLimits.timeLimitMs,
    )
    .option('--list', 'list the targets and exit')
    .showHelpAfterError('(run with --help for usage)');
  // Usage errors exit with code 2, as every Recur command line does.
  program.exitOverride();
  try {
    program.parse(process.argv.filter((a, i) => !(i === 2 && a === '--')));
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const o = program.opts<{
    target?: string[];
    runs: number;
    seed?: number;
    path?: string;
    timeLimit: number;
    list?: boolean;
  }>();
  if (o.list) {
    for (const t of targets) console.log(`${t.name}: ${t.description}`);
    return 0;
  }
  const unknown = (o.target ?? []).filter((n) => !targets.some((t) => t.name === n));
  if (unknown.length > 0) {
    program.error(
      `unknown target ${unknown.map((n) => `"${n}"`).join(', ')} (expected one of ${targets.map((t) => t.name).join(', ')})`,
      {
        exitCode: 2,
      },
    );
  }
  const chosen = o.target ? targets.filter((t) => o.target!.includes(t.name)) : targets;
  if (o.path !== undefined && (o.seed === undefined || chosen.length !== 1)) {
    program.error('--path replays one input: give it with --seed and exactly one --target', { exitCode: 2 });
  }
  // One seed for the whole run, printed in every summary, so any run can be repeated exactly.
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const limits = { ...defaultLimits, timeLimitMs: o.timeLimit };
  let failures = 0;
  for (const target of chosen) {
    const progress = process.stderr.isTTY
      ? (done: number) =>
          process.stderr.write(
            `\r${target.name}: ${done.toLocaleString('en-US')} / ${o.runs.toLocaleString('en-US')}`,
          )
      : undefined;
    const report = await runIsolated(
      { name: target.name },
      {
        runs: o.runs,
        seed,
        ...(o.path === undefined ? {} : { path: o.path }),
        limits,
        hangMs: Math.max(10_000, 10 * limits.timeLimitMs),
        ...(progress ? { onProgress: progress } : {}),
      },
    );
    if (progress) process.stderr.write('\r\x1b[K');
    for (const line of renderReport(report)) console.log(line);
    if (report.failure) failures++;
  }
  console.log(`fuzz: ${chosen.length - failures} passed, ${failures} failed`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
