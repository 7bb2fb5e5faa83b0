/**
 * One read under the harness's eyes: times it, guards its allocations, and says whether the outcome
 * is allowed (a value, or the reader's own error) or a failure, and why.
 */
import { type AllocationRecord, guardAllocations } from './allocation.js';
import type { FuzzLimits, FuzzTarget } from './target.js';

/** What one input did. */
export interface Verdict {
  outcome: 'accepted' | 'rejected' | 'failure';
  /** For a rejection: the normalised kind of the reader's error; for a failure: what went wrong. */
  detail: string;
  ms: number;
  allocation: AllocationRecord;
}

/** `TypeError: Cannot read properties of undefined` (first line, cut short). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]!.slice(0, 200)}`;
  return `a thrown ${typeof error}: ${String(error).slice(0, 200)}`;
}

/** A field path at the start of a message: `parameters.weight_ih_l0.data[3]`, `steps[1].grads."a.b"`. */
const leadingPath = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\."(?:[^"\\]|\\.)*"|\[\d+\])*/;

/** A path with indices and record keys (names with digits or quotes) generalised: `parameters.*.data[i]`. */
function generalisePath(path: string): string {
  return path
    .replace(/\[\d+\]/g, '[i]')
    .replace(/\."(?:[^"\\]|\\.)*"/g, '.*')
    .replace(/\.[A-Za-z_$][\w$]*\d[\w$]*/g, '.*');
}

/**
 * The kind of a rejection, for the summary: the leading field path generalised, standalone numbers
 * and quoted text replaced, and the message cut before the actual value (`, got …`), an expected
 * list (` (expected …`) or a parser's detail (`: …`).
 */
export function rejectionKind(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // A reader's prefix (`safetensors: …`) is kept: the cut at ': ' below is for details after the problem.
  const prefix = /^[\w-]+: /.exec(message)?.[0] ?? '';
  const body = message.slice(prefix.length);
  const path = leadingPath.exec(body)?.[0] ?? '';
  const kind = (prefix + generalisePath(path) + body.slice(path.length))
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/(?<![\w.-])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w])/gi, '#')
    .split(/, got |, but | \(expected |(?<!^[\w-]+): /)[0]!;
  return kind.length > 90 ? `${kind.slice(0, 89)}…` : kind;
}

/** A read slower than this is timed again before it counts: a first time may include a GC pause. */
const retimeAboveMs = 20;

/**
 * The read's time, as the least of the first timing and two more: a garbage-collection pause caused
 * by earlier inputs lands on whichever read is running and says nothing about this one.
 */
function retimed(target: FuzzTarget, bytes: Uint8Array, first: number): number {
  let ms = first;
  for (let k = 0; k < 2 && ms > retimeAboveMs; k++) {
    const start = performance.now();
    try {
      target.read(bytes);
    } catch {
      // The outcome was judged on the first read; only the time matters here.
    }
    ms = Math.min(ms, performance.now() - start);
  }
  return ms;
}

/** Reads `bytes` with `target` and judges the outcome against `limits`. */
export function judge(target: FuzzTarget, bytes: Uint8Array, limits: FuzzLimits): Verdict {
  const allocation: AllocationRecord = { elements: 0, by: '', refused: false };
  const limit = limits.allocationFactor * bytes.length + limits.allocationSlack;
  let value: unknown;
  let thrown: unknown;
  let threw = false;
  const start = performance.now();
  try {
    value = guardAllocations(limit, allocation, () => target.read(bytes));
  } catch (error) {
    threw = true;
    thrown = error;
  }
  const ms = retimed(target, bytes, performance.now() - start);
  const fail = (detail: string): Verdict => ({ outcome: 'failure', detail, ms, allocation });
  // Checked first: a reader that swallowed the refusal still asked for the memory.
  if (allocation.refused) {
    return fail(
      `requested a ${allocation.by} of ${allocation.elements} elements for a ${bytes.length}-byte input (limit ${limit})`,
    );
  }
  if (ms > limits.timeLimitMs) return fail(`took ${ms.toFixed(0)} ms (limit ${limits.timeLimitMs} ms)`);
  if (threw) {
    if (!target.isOwnError(thrown))
      return fail(`threw ${describeError(thrown)} (not the reader's own error)`);
    return { outcome: 'rejected', detail: rejectionKind(thrown), ms, allocation };
  }
  const invalid = target.checkAccepted?.(value);
  if (invalid !== undefined) return fail(`accepted an invalid value: ${invalid}`);
  return { outcome: 'accepted', detail: '', ms, allocation };
}
