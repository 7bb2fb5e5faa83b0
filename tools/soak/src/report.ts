/** What `pnpm soak` prints and writes: a line per backend every tenth of the run, a verdict table, JSON. */
import { cpus, loadavg } from 'node:os';
import Table from 'cli-table3';
import { scheduleFor } from './loop.js';
import type { SoakOptions, SoakOutcome } from './run.js';
import type { Sample } from './series.js';
import { type Bounds, type Check, defaultBounds } from './verdict.js';
import { soakShape } from './workload.js';

const MB = 1024 * 1024;

function mb(bytes: number | null): string {
  return bytes === null ? '—' : `${(bytes / MB).toFixed(2)} MB`;
}

/** Steps per second of training (sampling excluded), from the last sample. */
export function stepsPerSecond(samples: readonly Sample[]): number | null {
  const last = samples.at(-1);
  return last === undefined || last.step === 0 || last.trainMs <= 0
    ? null
    : last.step / (last.trainMs / 1000);
}

/** One progress line: step, losses, live tensors, heap, RSS (and GPU bytes on webgl), speed so far. */
export function sampleLine(backend: string, s: Sample, steps: number): string {
  const width = String(steps).length;
  const loss = s.step === 0 ? 'loss —' : `loss mse ${s.mse.toPrecision(4)} ce ${s.ce.toPrecision(4)}`;
  const speed = stepsPerSecond([s]);
  return [
    backend.padEnd(9),
    `step ${String(s.step).padStart(width)}/${steps}`,
    loss,
    `live tensors ${s.liveTensors}`,
    `heap ${mb(s.heapUsed)}`,
    `RSS ${mb(s.rss)}`,
    ...(s.gpuBytes === null ? [] : [`GPU ${mb(s.gpuBytes)}`]),
    ...(speed === null ? [] : [`${speed.toFixed(1)} steps/s`]),
  ].join('  ');
}

function startEnd(
  samples: readonly Sample[],
  read: (s: Sample) => number | null,
  format: (n: number | null) => string,
) {
  return samples.length === 0 ? '—' : `${format(read(samples[0]!))} → ${format(read(samples.at(-1)!))}`;
}

/** The verdict table, then each failed check and each backend's detail line. */
export function renderVerdicts(outcome: SoakOutcome, bounds: Bounds = defaultBounds): string {
  const table = new Table({
    head: ['backend', 'ran', 'verdict', 'live tensors (0 → warm-up → end)', 'heap', 'RSS', 'GPU', 'steps/s'],
    style: { head: [], border: [], compact: true },
  });
  const lines: string[] = [];
  for (const { series, verdict } of outcome.results) {
    const s = series.samples;
    const warm = s.find((x) => x.step >= Math.ceil(series.steps * bounds.warmup));
    const live =
      s.length === 0 ? '—' : `${s[0]!.liveTensors} → ${warm?.liveTensors ?? '—'} → ${s.at(-1)!.liveTensors}`;
    const speed = stepsPerSecond(s);
    table.push([
      series.backend,
      series.mode,
      verdict.pass ? 'PASS' : 'FAIL',
      live,
      startEnd(s, (x) => x.heapUsed, mb),
      startEnd(s, (x) => x.rss, mb),
      s[0]?.gpuBytes == null ? '—' : startEnd(s, (x) => x.gpuBytes, mb),
      speed === null ? '—' : speed.toFixed(1),
    ]);
    if (series.detail) lines.push(`${series.backend}: ${series.detail}`);
    for (const c of verdict.checks.filter((x: Check) => !x.pass)) {
      lines.push(`${series.backend}: FAIL ${c.name}: ${c.detail}`);
    }
  }
  for (const u of outcome.unavailable) {
    table.push([u.backend, '—', 'unavailable', '', '', '', '', '']);
    lines.push(`${u.backend}: unavailable — ${u.reason}`);
  }
  return [table.toString(), ...lines].join('\n');
}

/** The `recur-soak/1` document `--json` writes: settings, machine, and per backend its series and verdict. */
export function soakDocument(options: SoakOptions, outcome: SoakOutcome, loadAtStart: number) {
  const bounds = options.bounds ?? defaultBounds;
  return {
    format: 'recur-soak/1',
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      platform: `${process.platform} ${process.arch}`,
      node: process.version,
      loadAverage: { start: loadAtStart, end: Number(loadavg()[0]!.toFixed(2)) },
    },
    settings: {
      steps: options.steps,
      interleave: options.interleave,
      seed: options.seed,
      workload: soakShape,
      bounds,
      schedule: scheduleFor(options.steps),
    },
    backends: [
      ...outcome.results.map(({ series, verdict }) => ({
        backend: series.backend,
        status: 'ran' as const,
        verdict: verdict.pass ? ('PASS' as const) : ('FAIL' as const),
        checks: verdict.checks,
        mode: series.mode,
        detail: series.detail,
        stepsPerSecond: stepsPerSecond(series.samples),
        error: series.error,
        nonFinite: series.nonFinite,
        samples: series.samples,
      })),
      ...outcome.unavailable.map((u) => ({
        backend: u.backend,
        status: 'unavailable' as const,
        reason: u.reason,
      })),
    ],
  };
}
