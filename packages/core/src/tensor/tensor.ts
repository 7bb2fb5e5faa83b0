/**
 * The frontend's tensor: a backend's handle plus the shape and dtype the frontend's shape rules
 * computed for it. Modules and ops only ever see this type, whatever backend runs underneath.
 */
import type { Backend, DType, TypedArray } from '../backend.js';
import { formatShape } from '../errors.js';
import { adoptTensor } from '../tidy-frames.js';
import { sizeOf } from './shape.js';

/** Any backend, as the frontend holds it. */
export type AnyBackend = Backend<unknown>;

/** A tensor on one backend. Immutable: operations return new tensors. */
export class Tensor {
  /** @internal Use the creation functions (`tensor`, `zeros`, …) instead. */
  constructor(
    /** The backend that owns the data. */
    readonly backend: AnyBackend,
    /** The backend's own tensor object. */
    readonly handle: unknown,
    /** Dimensions, outermost first. */
    readonly shape: readonly number[],
    /** Element type. */
    readonly dtype: DType,
  ) {
    // Every tensor the frontend makes passes here, so an open `tidy` with no scope on this backend
    // (it joined after the tidy began) still gets to release it.
    adoptTensor(backend, handle);
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** The values, row-major, copied to the host synchronously. */
  toArray(): TypedArray {
    return this.backend.read(this.handle);
  }

  /** The values as a plain number array (row-major). */
  toList(): number[] {
    return Array.from(this.toArray());
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new RangeError(
        `Tensor.item: expected a tensor with one element, got shape ${formatShape(this.shape)}`,
      );
    }
    return this.toArray()[0]!;
  }

  /** Whether the tensor has been released (by `dispose` or an enclosing `tidy`); it can no longer be used. */
  get isDisposed(): boolean {
    return this.backend.isDisposed(this.handle);
  }

  /** Releases the backend memory now (optional in `tidy` scopes). */
  dispose(): void {
    this.backend.dispose(this.handle);
  }

  /** e.g. `Tensor(float32 [2, 3] on js)`. */
  toString(): string {
    return `Tensor(${this.dtype} ${formatShape(this.shape)} on ${this.backend.name})`;
  }
}
