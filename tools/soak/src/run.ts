/**
 * Runs a soak: one child process per backend (or one for every Node backend with `interleave`),
 * one after the other so that they do not compete for the cores, and judges each series.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BackendName, isNodeBackend } from './backends.js';
import { isPrintStep, scheduleFor } from './loop.js';
import type { ChildConfig, ChildMessage } from './protocol.js';
import type { Sample, Series } from './series.js';
import { type Bounds, defaultBounds, judge, type Verdict } from './verdict.js';

/** What to soak. */
export interface SoakOptions {
  readonly backends: readonly BackendName[];
  readonly steps: number;
  readonly interleave: boolean;
  readonly seed: number;
  readonly bounds?: Bounds;
}

/** A backend that could not run here, and why. */
export interface Unavailable {
  readonly backend: string;
  readonly reason: string;
}

/** Every series with its verdict, and the backends that could not run. */
export interface SoakOutcome {
  readonly results: readonly { readonly series: Series; readonly verdict: Verdict }[];
  readonly unavailable: readonly Unavailable[];
}

/** What the caller hears while the soak runs. */
export interface SoakListener {
  /** A sample at a print step (about every tenth of the run). */
  sample?(backend: string, sample: Sample, steps: number): void;
  unavailable?(u: Unavailable): void;
}

const root = fileURLToPath(new URL('../../..', import.meta.url));
const childPath = fileURLToPath(new URL('./child.ts', import.meta.url));

/** The children to start: each backend alone, or the Node ones together and webgl apart. */
export function childConfigs(options: SoakOptions): ChildConfig[] {
  const { steps, seed, interleave } = options;
  if (!interleave) return options.backends.map((b) => ({ backends: [b], steps, seed, interleave }));
  const node = options.backends.filter(isNodeBackend);
  const others = options.backends.filter((b) => !isNodeBackend(b));
  return [
    ...(node.length > 0 ? [{ backends: node, steps, seed, interleave }] : []),
    ...others.map((b) => ({ backends: [b], steps, seed, interleave: false })),
  ];
}

/** Runs one child to its end; a crash becomes an error series for each backend it had not finished. */
function runChild(
  config: ChildConfig,
  listener: SoakListener,
): Promise<{ series: Series[]; unavailable: Unavailable[] }> {
  const schedule = scheduleFor(config.steps);
  return new Promise((resolve) => {
    const child = fork(childPath, [JSON.stringify(config)], {
      cwd: root,
      // tsx for TypeScript (and the repo's path aliases); gc() so heap samples are what is still alive.
      execArgv: ['--import', 'tsx', '--expose-gc'],
      // tfjs prints a banner on stdout in Node; the child has nothing else to say there.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const series: Series[] = [];
    const unavailable: Unavailable[] = [];
    const samples = new Map<string, Sample[]>();
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'unavailable') {
        unavailable.push({ backend: message.backend, reason: message.reason });
        listener.unavailable?.(unavailable.at(-1)!);
      } else if (message.kind === 'sample') {
        samples.set(message.backend, [...(samples.get(message.backend) ?? []), message.sample]);
        if (isPrintStep(message.sample.step, config.steps, schedule)) {
          listener.sample?.(message.backend, message.sample, config.steps);
        }
      } else {
        series.push(message.series);
      }
    });
    child.on('exit', (code, signal) => {
      for (const backend of config.backends) {
        if (series.some((s) => s.backend === backend) || unavailable.some((u) => u.backend === backend))
          continue;
        const last = stderr.trim().split('\n').slice(-3).join(' | ');
        series.push({
          backend,
          steps: config.steps,
          mode: config.interleave ? 'interleaved' : backend === 'webgl' ? 'browser' : 'alone',
          detail: '',
          samples: samples.get(backend) ?? [],
          nonFinite: null,
          error: `the soak process ended (${signal ?? `exit code ${code}`}) before reporting${last ? `: ${last}` : ''}`,
        });
      }
      resolve({ series, unavailable });
    });
  });
}

/** Runs the soak and judges every backend that ran. */
export async function runSoak(options: SoakOptions, listener: SoakListener = {}): Promise<SoakOutcome> {
  const results: { series: Series; verdict: Verdict }[] = [];
  const unavailable: Unavailable[] = [];
  for (const config of childConfigs(options)) {
    const r = await runChild(config, listener);
    unavailable.push(...r.unavailable);
    for (const s of r.series) results.push({ series: s, verdict: judge(s, options.bounds ?? defaultBounds) });
  }
  return { results, unavailable };
}
