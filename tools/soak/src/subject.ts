/**
 * A backend being soaked, as the loop sees it: run some steps, take a memory probe, close. The Node
 * subject trains in this process; the webgl one drives a page in headless Chromium
 * (`browser/webgl.ts`).
 */
import { readFileSync } from 'node:fs';
import type { AnyBackend } from '@recur/core';
import type { Sample, Series } from './series.js';
import { createSoakTraining, runSteps, type StepsResult } from './workload.js';

/** Memory as a sample records it. */
export type Probe = Pick<Sample, 'liveTensors' | 'heapUsed' | 'rss' | 'gpuBytes'>;

/** One backend under soak. */
export interface Subject {
  readonly backend: string;
  readonly mode: Series['mode'];
  /** What it runs on and the path each model took (meaningful after the first step). */
  detail(): Promise<string>;
  /** Runs `count` steps numbered from `firstStep`. */
  run(firstStep: number, count: number): Promise<StepsResult>;
  /** Collects garbage where the runtime allows it, then measures. */
  probe(): Promise<Probe>;
  close(): Promise<void>;
}

/** V8's `gc`, present when Node runs with `--expose-gc` (the soak's child processes do). */
const gc = (globalThis as { gc?: () => void }).gc;

/** Heap and RSS of this process, after a full collection so that the heap is what is still alive. */
export function processMemory(): { heapUsed: number; rss: number } {
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** The recurrent paths of the two models, for a detail line. */
export function describePaths(paths: { lstm: string | null; gru: string | null }): string {
  return `LSTM ${paths.lstm ?? '?'}, GRU ${paths.gru ?? '?'}`;
}

/** Trains on `backend` in this process. */
export function nodeSubject(backend: AnyBackend, mode: 'alone' | 'interleaved', seed: number): Subject {
  const training = createSoakTraining(backend, seed);
  const info = (backend as { kernelInfo?: { detail?: string } }).kernelInfo?.detail;
  return {
    backend: backend.name,
    mode,
    detail: async () => `${info ? `${info}; ` : ''}${describePaths(training.paths())}`,
    run: async (firstStep, count) => runSteps(training, firstStep, count),
    probe: async () => ({ liveTensors: backend.liveTensors(), ...processMemory(), gpuBytes: null }),
    close: async () => training.dispose(),
  };
}

/** Resident set size of `pid` in bytes from /proc (Linux), or null. */
export function rssOf(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
