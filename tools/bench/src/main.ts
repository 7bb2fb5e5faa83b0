#!/usr/bin/env node
/**
 * `pnpm bench [--backend js,wasm] [--cell lstm] [--workload W1,W2,B8T100I16H32L2] [--mode forward,train] [--path fused|composed|both]
 * [--reps N] [--budget-ms MS] [--json FILE] [--report DIR]`: times Recur's recurrent modules on each
 * backend against PyTorch and tfjs-layers in one run, prints the medians and the ratios, and writes
 * a `recur-bench/1` JSON document and a markdown report on request. Exit 2 on bad arguments.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CommanderError } from 'commander';
import { parseOptions, UsageError } from './cli.js';
import { measureColdStarts, recurDistBuilt } from './cold.js';
import { buildLineup, tfjsEngines } from './contenders.js';
import { coreCount, loadNow, machineInfo } from './machine.js';
import { attachPeakShares, type PeakInfo, peakInfo } from './peak.js';
import { progressBar } from './progress.js';
import { recurSource } from './recur-source.js';
import { type BenchDocument, computeRatios } from './results.js';
import { runPlan } from './runner.js';
import { loadTf } from './systems/tfjs-engine.js';
import { tfjsVersion } from './systems/tfjs-layers.js';
import { torchReference } from './systems/torch.js';
import { renderColdStarts, renderProblems, renderRatios, renderResults } from './table.js';

async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return 0; // --help, --version
    if (error instanceof UsageError) {
      process.stderr.write(`pnpm bench: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const started = performance.now();
  const loadAtStart = loadNow();
  if (options.backends.some((b) => b !== 'js') || options.references.includes('tfjs-layers')) {
    // tfjs's PROD flag only silences its console banners ("looks like you are running TensorFlow.js in
    // Node.js"), which would otherwise interleave with the progress bar and the tables.
    (await loadTf()).env().set('PROD', true);
  }
  // The limit, measured first while nothing else of this run is busy (and again at the end, below).
  let peak: PeakInfo | null = null;
  if (options.peak) {
    const { measureWasmSimdPeak } = await import('@recur/backend-js');
    try {
      peak = peakInfo(measureWasmSimdPeak(), loadNow());
    } catch (error) {
      process.stderr.write(`pnpm bench: no WebAssembly SIMD128 peak: ${(error as Error).message}\n`);
    }
  }
  const lineup = await buildLineup(options, coreCount());
  const usesTfjs = lineup.contenders.some((c) => tfjsEngines.includes(c.group) || c.group === 'webgl');
  const progress = progressBar();
  let rows: BenchDocument['results'];
  try {
    rows = await runPlan(
      {
        contenders: lineup.contenders,
        workloads: options.workloads,
        cells: options.cells,
        reps: options.reps,
        budgetMs: options.budgetMs,
        recover: lineup.recover,
      },
      progress,
    );
  } finally {
    progress.stop();
  }
  let coldStart: BenchDocument['coldStart'];
  const streaming = options.workloads.find((w) => w.calls !== undefined);
  try {
    if (streaming !== undefined && options.coldRuns > 0) {
      const torchInfo = lineup.torch?.info;
      const torchEnv: Record<string, string> =
        torchInfo !== undefined && 'blas' in torchInfo && torchInfo.blas.coretypeEnv !== null
          ? { OPENBLAS_CORETYPE: torchInfo.blas.coretypeEnv }
          : {};
      const rowsCold = await measureColdStarts(
        {
          workload: streaming,
          cells: options.cells,
          recur: options.backends.filter((b): b is 'js' | 'wasm' => b === 'js' || b === 'wasm'),
          torch:
            torchInfo !== undefined && !('unavailable' in torchInfo)
              ? { python: options.python, env: torchEnv }
              : null,
          onnxruntime: options.references
            .filter((r) => r.startsWith('onnxruntime'))
            .map((r) => (r === 'onnxruntime-node' ? 'node' : 'web')),
          runs: options.coldRuns,
        },
        (label) => process.stderr.write(`${label}\n`),
      );
      coldStart = {
        workload: streaming.name,
        runs: options.coldRuns,
        recurDistBuilt: recurDistBuilt(),
        rows: rowsCold,
      };
    }
  } finally {
    await lineup.close();
  }
  if (peak !== null) {
    // A ceiling can only be under-measured (a neighbour's burst during the ~1 s it takes): measure
    // again after the run and keep the higher, so no share exceeds 100% because of a slow first try.
    const { measureWasmSimdPeak } = await import('@recur/backend-js');
    const again = peakInfo(measureWasmSimdPeak(), loadNow());
    if (again.gflopsPerThread > peak.gflopsPerThread) peak = { ...again, earlier: peak.gflopsPerThread };
    else peak = { ...peak, later: again.gflopsPerThread };
    attachPeakShares(rows, peak.gflopsPerThread, lineup.kernels);
  }
  const references: BenchDocument['references'] = {};
  const torchSetup = lineup.torch === null ? null : torchReference(lineup.torch.info);
  if (torchSetup !== null) references.torch = torchSetup;
  Object.assign(references, lineup.onnxruntime?.setups() ?? {});
  const unfair = new Set(
    Object.entries(references)
      .filter(([, r]) => !r.fair)
      .map(([name]) => name),
  );
  const ratios = computeRatios(rows, unfair);
  const document: BenchDocument = {
    format: 'recur-bench/1',
    machine: {
      ...machineInfo(
        lineup.torch?.info ?? null,
        usesTfjs ? await tfjsVersion() : null,
        lineup.tfjsSharedEngine,
        loadAtStart,
        lineup.kernels,
      ),
      wasmSimdPeak: peak,
      recurThreadChoices: lineup.threadChoices(),
    },
    settings: {
      command: ['pnpm bench', ...argv].join(' '),
      reps: options.reps ?? 'per-workload',
      budgetMs: options.budgetMs,
      path: options.path,
      recurSource: recurSource(),
      durationS: Math.round((performance.now() - started) / 100) / 10,
      workloads: options.workloads.map(
        ({ name, batch, steps, inputSize, hiddenSize, layers, modes, calls }) => ({
          name,
          batch,
          steps,
          inputSize,
          hiddenSize,
          layers,
          modes: [...modes],
          ...(calls === undefined ? {} : { calls }),
        }),
      ),
    },
    references,
    results: rows,
    ratios,
    ...(coldStart === undefined ? {} : { coldStart }),
  };

  console.log(renderResults(rows));
  for (const [name, setup] of Object.entries(references)) {
    console.log(`${name}: ${setup.note}`);
  }
  console.log('\nRatios: reference median / Recur median (above 1: Recur is faster)');
  console.log(renderRatios(ratios));
  if (coldStart !== undefined) {
    console.log(
      `\nCold start (${coldStart.workload} shape): import → first output, median of ${coldStart.runs} fresh processes`,
    );
    console.log(renderColdStarts(coldStart.rows));
  }
  const notes = renderProblems(rows);
  if (notes) console.log(`\nNot measured:\n${notes}`);
  const source = document.settings.recurSource;
  console.log(
    source === 'dist'
      ? 'Recur packages: dist (compiled, as users import them)'
      : `Recur packages: ${source}: transpiled on load, slower than users' builds on small workloads (run pnpm bench from the repository root)`,
  );
  for (const [system, detail] of Object.entries(document.machine.recurKernels)) {
    console.log(`${system} kernels: ${detail}`);
    const chosen = document.machine.recurThreadChoices?.[system] ?? [];
    const one = chosen.filter((c) => c.threads === 1);
    if (chosen.length > 0) {
      console.log(
        `${system} threads 'auto': ${chosen.length} size classes of fused calls measured, ${one.length} run on 1 thread` +
          one
            .map(
              (c) =>
                `\n  ${c.sizeClass}: 1 thread ${c.ms1?.toFixed(2)} ms, 2 threads ${c.ms2?.toFixed(2)} ms`,
            )
            .join(''),
      );
    }
  }
  if (peak !== null) {
    console.log(
      `WebAssembly SIMD128 peak: ${peak.gflopsPerThread} GFLOP/s per thread (${peak.best.relaxed ? 'relaxed FMA' : 'mul+add'}, ` +
        `${peak.best.accumulators} accumulators; load ${peak.load} when measured); "% of 2×peak" = GFLOP/s over peak × threads`,
    );
  }
  console.log(`\n${document.settings.durationS} s in all`);
  const { loadAverage, cores } = document.machine;
  if (Math.max(loadAverage.start, loadAverage.end) > cores) {
    console.log(
      `note: load average ${loadAverage.start} → ${loadAverage.end} on ${cores} cores: other work shared the ` +
        'machine, so timings are noisy (compare systems by the ratios of one run).',
    );
  }

  if (options.json !== undefined) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`wrote ${options.json}`);
  }
  if (options.report !== undefined) {
    // Loaded only when asked for: the chart library is large.
    const { writeReport } = await import('./report/write.js');
    console.log(`wrote ${await writeReport(options.report, document)}`);
  }
  return 0;
}

main(process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'))).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
