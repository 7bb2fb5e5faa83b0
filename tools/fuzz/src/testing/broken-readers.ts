/**
 * Deliberately broken readers of `recur-case/1` files, each with one classic fault, fed the same
 * inputs as the real target. The harness must catch every one: they prove the properties can fail.
 */

import type { FuzzTarget } from '../target.js';
import recurCase from '../targets/recur-case.js';

/** The error the broken readers throw on purpose (their "own" clear error). */
export class BrokenReaderError extends Error {
  override name = 'BrokenReaderError';
}

const decoder = new TextDecoder();

function parseOrOwnError(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    throw new BrokenReaderError('not JSON');
  }
}

/** Visits every `{shape, data}`-looking object, iteratively. */
function eachTensor(root: unknown, visit: (t: { shape: unknown; data: unknown }) => void) {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if ('shape' in node && 'data' in node) visit(node as { shape: unknown; data: unknown });
    for (const v of Object.values(node)) stack.push(v);
  }
}

function broken(
  name: string,
  read: (bytes: Uint8Array) => unknown,
  checkAccepted?: FuzzTarget['checkAccepted'],
) {
  return {
    name,
    description: `deliberately broken: ${name}`,
    inputs: recurCase.inputs,
    read,
    // Readers that end by calling the real one may also throw its error.
    isOwnError: (error: unknown) => error instanceof BrokenReaderError || recurCase.isOwnError(error),
    ...(checkAccepted ? { checkAccepted } : {}),
  } satisfies FuzzTarget;
}

/** Allocates each tensor's buffer from its shape before checking the data is there. */
export const allocatesFromShape = broken('allocates-from-shape', (bytes) => {
  const raw = parseOrOwnError(bytes);
  eachTensor(raw, (t) => {
    if (!Array.isArray(t.shape)) return;
    const size = t.shape.reduce((n: number, d) => n * Number(d), 1);
    if (Number.isSafeInteger(size) && size >= 0) new Float64Array(size);
  });
  return recurCase.read(bytes);
});

/** Reads nested fields without checking they exist: a TypeError on many malformed files. */
export const trustsStructure = broken('trusts-structure', (bytes) => {
  const raw = parseOrOwnError(bytes) as { inputs: { input: { shape: number[] } } };
  if (raw.inputs.input.shape.length > 3) throw new BrokenReaderError('rank');
  return raw;
});

/** Walks the document recursively: deep nesting overflows the stack. */
export const recursesIntoValues = broken('recurses-into-values', (bytes) => {
  const count = (v: unknown): number =>
    v !== null && typeof v === 'object' ? 1 + Object.values(v).reduce((n: number, x) => n + count(x), 0) : 1;
  return count(parseOrOwnError(bytes));
});

/** Accepts anything with the right format: the accepted value breaks the tensor invariants. */
export const checksOnlyFormat = broken(
  'checks-only-format',
  (bytes) => {
    const raw = parseOrOwnError(bytes) as { format?: unknown };
    if (raw === null || typeof raw !== 'object' || raw.format !== 'recur-case/1')
      throw new BrokenReaderError('format');
    return raw;
  },
  recurCase.checkAccepted,
);

/** Slow on inputs holding a particular token (1e999): the per-input time limit catches it. */
export const slowOnToken = broken('slow-on-token', (bytes) => {
  const text = decoder.decode(bytes);
  if (text.includes('1e999')) {
    const until = performance.now() + 30;
    while (performance.now() < until) {
      // Busy: a pathological path in a real reader.
    }
  }
  return recurCase.read(bytes);
});
