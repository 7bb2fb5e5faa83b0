/**
 * Tensor bookkeeping: a live count and nested `tidy` scopes, with tfjs's semantics.
 *
 * JavaScript's garbage collector frees the arrays; what this module adds is *accountability*: every
 * tensor is counted once from creation to `dispose`, `tidy` releases what a scope created and did not
 * return, and a released tensor throws when read, so leaks and use-after-free show up in tests.
 */

import type { TypedArray } from '@recur/core';
import { arrayPool } from './array-pool.js';
import type { JsTensor } from './tensor.js';

/** Live-tensor count and the stack of open `tidy` scopes of one backend instance. */
export class Memory {
  #live = 0;
  /** One list per open `tidy`, innermost last; tensors created outside any scope are only counted. */
  readonly #scopes: JsTensor[][] = [];

  /** Counts a newly created tensor and puts it in the innermost scope. Returns it for chaining. */
  track(t: JsTensor): JsTensor {
    this.#live++;
    const scope = this.#scopes[this.#scopes.length - 1];
    if (scope !== undefined) scope.push(t);
    return t;
  }

  /** How many tracked tensors have not been disposed. */
  get live(): number {
    return this.#live;
  }

  /** Called with each tensor as it is released (the wasm tier frees the weight panels it cached). */
  onRelease: ((t: JsTensor) => void) | null = null;

  /** Releases `t`; a second call is a no-op so the count never goes wrong. */
  dispose(t: JsTensor): void {
    if (t.disposed) return;
    this.onRelease?.(t);
    const data = t.release();
    this.#live--;
    if (data !== null && arrayPool.drop(data)) {
      if (this.#holds > 0) this.#held.push(data);
      else arrayPool.recycle(data);
    }
  }

  /** Open {@link Memory.holdRecycling} calls. */
  #holds = 0;
  /** Arrays released while held, recycled when the hold ends. */
  #held: TypedArray[] = [];

  /**
   * Keeps the arrays of tensors released from now on out of the pool until
   * {@link Memory.resumeRecycling}: a recorded backward may still read an array whose tensor was
   * disposed (a `tidy` inside the differentiated function releases intermediates the tape needs).
   */
  holdRecycling(): void {
    this.#holds++;
  }

  /** Ends a {@link Memory.holdRecycling}; the last one recycles what was held. */
  resumeRecycling(): void {
    if (--this.#holds > 0) return;
    const held = this.#held;
    this.#held = [];
    for (const data of held) arrayPool.recycle(data);
  }

  /** Exempts `t` from every enclosing and future `tidy` release. */
  keep(t: JsTensor): JsTensor {
    t.kept = true;
    return t;
  }

  /**
   * Runs `fn` in a new scope. On return, tensors created inside are released unless kept with
   * {@link Memory.keep} or listed by `kept(result)` (which may list other backends' tensors: ignored);
   * listed ones move to the enclosing scope, so an outer `tidy` still owns them. If `fn` throws, everything it created (and did not keep) is released.
   */
  tidy<R>(fn: () => R, kept: (result: R) => readonly unknown[]): R {
    const scope: JsTensor[] = [];
    this.#scopes.push(scope);
    let result: R;
    try {
      result = fn();
    } catch (error) {
      this.#popScope(scope);
      this.#releaseAll(scope, null);
      throw error;
    }
    this.#popScope(scope);
    const survivors = new Set(kept(result));
    this.#releaseAll(scope, survivors);
    const parent = this.#scopes[this.#scopes.length - 1];
    if (parent !== undefined) {
      // Only tensors this scope created move up; others already belong to an outer scope (or none).
      for (const t of scope) if (survivors.has(t) && !t.disposed) parent.push(t);
    }
    return result;
  }

  #popScope(scope: JsTensor[]): void {
    if (this.#scopes.pop() !== scope) {
      throw new Error('tidy scopes were closed out of order (a tidy callback must not leave one open)');
    }
  }

  #releaseAll(scope: readonly JsTensor[], survivors: ReadonlySet<unknown> | null): void {
    for (const t of scope) {
      if (!t.kept && (survivors === null || !survivors.has(t))) this.dispose(t);
    }
  }
}
