/**
 * Finding where a NaN or ±Infinity first appears, like PyTorch's anomaly mode
 * (`torch.autograd.set_detect_anomaly`). Off by default because every check reads the tensor back to
 * the host. Turn it on for one module (`checkFinite: true` in its options, or `module.checkFinite = true`),
 * for one `backward` call (`{ checkFinite: true }`), or everywhere with {@link setCheckFinite}.
 */
import { formatShape } from './errors.js';
import type { Tensor } from './tensor/tensor.js';

let everywhere = false;

/** Turns the finite checks of every module and every `backward` call on or off (default off). */
export function setCheckFinite(enabled: boolean): void {
  if (typeof enabled !== 'boolean')
    throw new TypeError(`setCheckFinite: enabled must be a boolean, got ${String(enabled)}`);
  everywhere = enabled;
}

/** Whether {@link setCheckFinite} turned the checks on everywhere. */
export function checkFiniteEverywhere(): boolean {
  return everywhere;
}

/** A NaN or ±Infinity was found by a finite check; the message names where. */
export class NonFiniteError extends Error {
  /** Always 'NonFiniteError', so errors can be told apart after crossing a worker or realm boundary. */
  override name = 'NonFiniteError';
}

/** The first non-finite element of `t` (row-major), with its coordinates, or undefined. */
export function firstNonFinite(t: Tensor):
  | {
      /** Coordinates of the element, one per axis of `t`. */
      index: number[];
      /** The element itself: NaN, Infinity or -Infinity. */
      value: number;
    }
  | undefined {
  const data = t.toArray();
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (!Number.isFinite(value)) {
      const index = new Array<number>(t.rank);
      let rest = i;
      for (let axis = t.rank - 1; axis >= 0; axis--) {
        index[axis] = rest % t.shape[axis]!;
        rest = Math.floor(rest / t.shape[axis]!);
      }
      return { index, value };
    }
  }
  return undefined;
}

/**
 * Throws a {@link NonFiniteError} naming `what` and the first bad element when `t` holds a NaN or
 * ±Infinity; `describe` may name the element better (e.g. a time step) from its coordinates.
 */
export function assertFinite(
  where: string,
  what: string,
  t: Tensor,
  describe: (index: readonly number[]) => string = (index) => `at ${formatShape(index)}`,
): void {
  const bad = firstNonFinite(t);
  if (bad !== undefined) {
    throw new NonFiniteError(`${where} (checkFinite): ${what} holds ${bad.value} ${describe(bad.index)}`);
  }
}
