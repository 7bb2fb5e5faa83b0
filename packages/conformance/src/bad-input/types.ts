/** The shape of one bad-input case and of the world it runs in. */
import type { AnyBackend, DType, Module, Optimizer, ParameterState } from '@recur/core';

/** Any optimizer, as the matrix snapshots it (its state is read, never written). */
export type AnyOptimizer = Optimizer<ParameterState>;

/** Where a case runs: the backend under test, the dtype, and a second instance of the same kind. */
export interface BadInputEnv {
  /** The backend under test. */
  readonly backend: AnyBackend;
  /** The dtype the case's tensors are made in. */
  readonly dtype: DType;
  /**
   * A second instance of the backend under test (same kind, separate tensors), when one could be made:
   * cases that mix instances need it.
   */
  readonly other?: AnyBackend;
}

/** What a case needs beyond the backend and dtype under test; without it the case is skipped, saying why. */
export type BadInputNeed = 'second instance' | 'second dtype';

/**
 * Everything a bad call must leave exactly as it was: the parameters (values and gradients) of
 * `modules`, the state of `optimizers`, and the live-tensor counts of `backends`.
 */
export interface BadInputWorld {
  /** Modules whose parameter values and gradients must not change. */
  readonly modules: readonly Module[];
  /** Optimizers whose state, `stepCount` and `lr` must not change. */
  readonly optimizers: readonly AnyOptimizer[];
  /** Backends whose live-tensor counts must not change (the backend under test first). */
  readonly backends: readonly AnyBackend[];
  /** Releases every tensor the world and the case's arguments hold. */
  dispose(): void;
}

/**
 * One bad call. `setup` builds the world and the bad arguments (so they exist before the live counts
 * are taken); `call` makes the bad call, which must throw an error matching every pattern of `expect`
 * (the argument's name, the expected and the actual value or shape) and change nothing.
 */
export interface BadInputCase<W extends BadInputWorld = BadInputWorld> {
  /** The case's name in reports, e.g. the call and what is wrong with its argument. */
  readonly name: string;
  /** What the case needs to run; without it the case is skipped (see `badInputSkipReason`). */
  readonly needs?: readonly BadInputNeed[];
  /** Builds the world and the bad arguments, before the snapshot and live counts are taken. */
  setup(env: BadInputEnv): W;
  /** Makes the bad call; it must throw, and its return value (if it does not) is released. */
  call(world: W): unknown;
  /** Patterns the thrown error's message must all match. */
  readonly expect: readonly RegExp[];
}
