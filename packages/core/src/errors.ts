/**
 * Errors for bad input. Every message names the argument, what was expected and what was given, so a
 * user can fix the call without reading our source. They are thrown before any work is done.
 */

/** Formats a shape as PyTorch prints it: `[2, 5, 4]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A shape did not match what an operation or module requires. */
export class ShapeError extends RangeError {
  /** Always 'ShapeError', so errors can be told apart after crossing a worker or realm boundary. */
  override name = 'ShapeError';
}

/** Throws a {@link ShapeError}: `where: argument expected …, got shape […]`. */
export function shapeError(
  where: string,
  argument: string,
  expected: string,
  actual: readonly number[],
): never {
  throw new ShapeError(`${where}: ${argument} expected ${expected}, got shape ${formatShape(actual)}`);
}

/** Throws a RangeError for an out-of-range option or argument value. */
export function valueError(where: string, argument: string, expected: string, actual: unknown): never {
  throw new RangeError(`${where}: ${argument} must be ${expected}, got ${describeValue(actual)}`);
}

/** A short, safe rendering of an arbitrary value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value))
    return `[${value.slice(0, 8).map(describeValue).join(', ')}${value.length > 8 ? ', …' : ''}]`;
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return value.constructor?.name ?? 'object';
}

/** True when `value` is an integer in [min, max]. */
export function isIntIn(value: unknown, min: number, max = Number.POSITIVE_INFINITY): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
