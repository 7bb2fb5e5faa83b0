/**
 * What a fuzz target is: a file reader, the raw inputs to throw at it, and how to recognise the
 * reader's own error. A new reader is fuzzed by dropping one file into `targets/` whose default export
 * is a {@link FuzzTarget}; the harness checks the same properties for all of them.
 */
import type { Arbitrary } from 'fast-check';

/** One reader under fuzzing. */
export interface FuzzTarget {
  /** Short name used by `--target` (e.g. `recur-case`). */
  name: string;
  /** What is read, for the summary (e.g. `recur-case/1 files: parseCaseBytes`). */
  description: string;
  /** Raw inputs: mutations of valid files and random bytes (see `inputs.ts`). */
  inputs: () => Arbitrary<Uint8Array>;
  /** The reader: returns a value or throws. It gets the bytes exactly as a file would give them. */
  read: (bytes: Uint8Array) => unknown;
  /** True for the reader's own, clear error (a named error class); anything else thrown is a failure. */
  isOwnError: (error: unknown) => boolean;
  /**
   * Optional check of an accepted value: returns why it is not valid (what the reader promises its
   * caller, e.g. every tensor's data length equals the product of its shape), or undefined.
   */
  checkAccepted?: (value: unknown) => string | undefined;
}

/** Per-input limits every target is held to. */
export interface FuzzLimits {
  /** An input whose read takes longer than this fails (measured). */
  timeLimitMs: number;
  /** A single allocation request of more elements than `allocationFactor × input bytes + allocationSlack` fails. */
  allocationFactor: number;
  /** Elements any read may request regardless of input size (small inputs still get small buffers). */
  allocationSlack: number;
}

/** The defaults: 1 s per input; 4 elements per input byte plus 4096. */
export const defaultLimits: FuzzLimits = { timeLimitMs: 1000, allocationFactor: 4, allocationSlack: 4096 };
