/**
 * Runs one target under fast-check: every generated input is judged (see `verdict.ts`), counted for
 * the summary, and the first failure is shrunk by fast-check to a small input that can be replayed
 * from its seed and path.
 */
import fc from 'fast-check';
import type { FuzzLimits, FuzzTarget } from './target.js';
import { judge } from './verdict.js';

/** How to run a target. */
export interface RunOptions {
  /** Generated inputs (default 100,000 in the command line). */
  runs: number;
  /** fast-check seed; the same seed generates the same inputs. */
  seed: number;
  /** Replay one input (fast-check's counterexample path) instead of a whole run. */
  path?: string;
  /** Shrink a failing input to a small one (default true; the harness's own tests skip it for speed). */
  shrink?: boolean;
  limits: FuzzLimits;
  /** Called before each counted input with its index (the watchdog's heartbeat). */
  onInput?: (index: number) => void;
  /** Called after each counted input. */
  onInputDone?: (index: number) => void;
}

/** A failing input, with what replays it. */
export interface FuzzFailure {
  message: string;
  seed: number;
  /** fast-check's counterexample path: `pnpm fuzz --target T --seed S --path P` replays it. */
  path: string;
  /** The (shrunk) input's first bytes, as text. */
  preview: string;
  inputBytes: number;
}

/** What a run of one target found (plain data: it crosses a worker boundary). */
export interface TargetReport {
  target: string;
  description: string;
  seed: number;
  inputs: number;
  accepted: number;
  rejected: number;
  /** Rejections by normalised message kind. */
  rejectionKinds: Record<string, number>;
  slowestMs: number;
  slowestInputBytes: number;
  /** fast-check path of the slowest input (replays it with the same seed). */
  slowestPath: string;
  /** The largest single allocation request seen, in elements, and per input byte. */
  largestAllocation: { elements: number; by: string; inputBytes: number; ratio: number };
  durationMs: number;
  failure: FuzzFailure | null;
}

const previewBytes = 300;

/** A short printable view of an input. */
function preview(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, previewBytes));
  // Control characters are made visible, so a preview never garbles the terminal.
  let shown = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    shown += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return bytes.length > previewBytes ? `${shown}… (${bytes.length} bytes)` : shown;
}

/** Runs `target` for `options.runs` inputs (or replays `options.path`) and reports. */
export function runTarget(target: FuzzTarget, options: RunOptions): TargetReport {
  const report: TargetReport = {
    target: target.name,
    description: target.description,
    seed: options.seed,
    inputs: 0,
    accepted: 0,
    rejected: 0,
    rejectionKinds: {},
    slowestMs: 0,
    slowestInputBytes: 0,
    slowestPath: '',
    largestAllocation: { elements: 0, by: '', inputBytes: 0, ratio: 0 },
    durationMs: 0,
    failure: null,
  };
  // Once an input fails fast-check shrinks it, calling the property again: those calls are not counted.
  let counting = true;
  let lastFailure = '';
  const property = fc.property(target.inputs(), (bytes) => {
    const index = report.inputs;
    if (counting) options.onInput?.(index);
    const v = judge(target, bytes, options.limits);
    if (counting) {
      report.inputs++;
      if (v.outcome === 'accepted') report.accepted++;
      if (v.outcome === 'rejected') {
        report.rejected++;
        report.rejectionKinds[v.detail] = (report.rejectionKinds[v.detail] ?? 0) + 1;
      }
      if (v.ms > report.slowestMs) {
        Object.assign(report, {
          slowestMs: v.ms,
          slowestInputBytes: bytes.length,
          slowestPath: String(index),
        });
      }
      const ratio = v.allocation.elements / Math.max(1, bytes.length);
      if (ratio > report.largestAllocation.ratio) {
        report.largestAllocation = {
          elements: v.allocation.elements,
          by: v.allocation.by,
          inputBytes: bytes.length,
          ratio,
        };
      }
      options.onInputDone?.(index);
    }
    if (v.outcome === 'failure') {
      counting = false;
      lastFailure = v.detail;
      return false;
    }
    return true;
  });
  const start = performance.now();
  const details = fc.check(property, {
    numRuns: options.runs,
    seed: options.seed,
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.path !== undefined || options.shrink === false ? { endOnFailure: true } : {}),
  });
  report.durationMs = performance.now() - start;
  if (details.failed && details.counterexample !== null) {
    const [bytes] = details.counterexample;
    // Judged again so the message is the shrunk input's own, not the last one tried while shrinking.
    const again = judge(target, bytes, options.limits);
    report.failure = {
      message: again.outcome === 'failure' ? again.detail : lastFailure,
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      preview: preview(bytes),
      inputBytes: bytes.length,
    };
  } else if (details.failed) {
    // Failed without a counterexample: fast-check gave up (too many skipped inputs) or was interrupted.
    report.failure = {
      message: 'fast-check stopped without a counterexample',
      seed: details.seed,
      path: '',
      preview: '',
      inputBytes: 0,
    };
  }
  return report;
}
