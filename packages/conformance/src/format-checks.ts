/**
 * Field checks shared by the strict file readers (`recur-case/1`, `recur-train/1`). Every problem is
 * reported through the reader's own `raise`, with the field path, what was expected and what was found.
 * Nothing here allocates in proportion to a number read from a file: a shape's size is compared with
 * the data actually present before anything is derived from it, and values are described in bounded
 * text (no recursion into the value, so a deeply nested file cannot overflow the stack).
 */

/** A tensor as stored in a Recur fixture file: row-major `data` of `shape`. */
export interface FileTensor {
  /** The dimensions, e.g. `[T, N, inputSize]`; `[]` for a scalar. */
  shape: number[];
  /** The values in row-major order, finite, as many as the product of `shape`. */
  data: number[];
}

/**
 * The base of the strict readers' own errors (`CaseFormatError`, `TrainingFormatError`): the message
 * names the field, the expected and the actual value; `path` is the field (empty for the whole file).
 */
export class FileFormatError extends Error {
  /** The offending field, e.g. `options.hiddenSize` or `steps[2].grads.head.weight` (empty for the whole file). */
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** Throws the reader's own error for the field at `path`. */
export type Raise = (path: string, message: string) => never;

/** A JSON object read from a file (plain object, not an array). */
export type JsonObject = Record<string, unknown>;

const maxShownString = 40;
const maxShownItems = 8;

/** A short rendering of a file value for an error message; never recursive and never long. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const shown = value.length > maxShownString ? `${value.slice(0, maxShownString)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) {
    // Small arrays of plain values are shown; anything else is summarised, never walked into.
    const plain = value.every((v) => v === null || (typeof v !== 'object' && typeof v !== 'string'));
    if (value.length <= maxShownItems && plain) return `[${value.map(describe).join(', ')}]`;
    return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  return 'an object';
}

/** Joins a field path: `inputs` + `lengths` → `inputs.lengths`; the root is the empty path. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  // Keys that are not identifiers (or that mislead, like "a.b") are quoted so the path stays unambiguous.
  const shown = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key.slice(0, maxShownString));
  return path === '' ? shown : `${path}.${shown}`;
}

/** `what` for a message: the path, or `the file` for the root. */
function named(path: string): string {
  return path === '' ? 'the file' : path;
}

/** Raises `<path> must be <expected>, got <actual>` (or `<path> is missing` when absent). */
export function mismatch(raise: Raise, path: string, expected: string, actual: unknown): never {
  if (actual === undefined) return raise(path, `${named(path)} is missing (expected ${expected})`);
  return raise(path, `${named(path)} must be ${expected}, got ${describe(actual)}`);
}

/** Own keys only: a key named `toString` or `__proto__` in a file is data, never inherited behaviour. */
export function has(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** The own value of `key`, or undefined (inherited properties are never read). */
export function field(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A JSON object (not null, not an array). */
export function objectAt(raise: Raise, path: string, value: unknown): JsonObject {
  if (Array.isArray(value)) return mismatch(raise, path, 'a JSON object', value);
  if (value === null || typeof value !== 'object') return mismatch(raise, path, 'a JSON object', value);
  return value as JsonObject;
}

/** Refuses, by name, any key of `object` that is not in `allowed`. */
export function onlyKeys(raise: Raise, path: string, object: JsonObject, allowed: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      const where = path === '' ? '' : ` in ${path}`;
      raise(
        at(path, key),
        `unknown field ${JSON.stringify(key.slice(0, maxShownString))}${where} (expected one of ${allowed.join(', ')})`,
      );
    }
  }
}

/** A string. */
export function stringAt(raise: Raise, path: string, value: unknown): string {
  if (typeof value !== 'string') return mismatch(raise, path, 'a string', value);
  return value;
}

/** A fixture's name: used in reports and may become a file name, so no separators or control characters. */
export function fileNameAt(raise: Raise, path: string, value: unknown): string {
  const name = stringAt(raise, path, value);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (name === '' || name === '.' || name === '..' || name.length > 255 || /[/\\\u0000-\u001f]/.test(name)) {
    mismatch(
      raise,
      path,
      'a file-name-safe string (1–255 characters, no / or \\ or control characters)',
      name,
    );
  }
  return name;
}

/** A boolean. */
export function booleanAt(raise: Raise, path: string, value: unknown): boolean {
  if (typeof value !== 'boolean') return mismatch(raise, path, 'a boolean', value);
  return value;
}

/** One of a few strings. */
export function oneOfAt<T extends string>(raise: Raise, path: string, value: unknown, allowed: readonly T[]) {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    return mismatch(raise, path, allowed.map((a) => JSON.stringify(a)).join(' or '), value);
  }
  return value as T;
}

/** A safe integer in [min, max]. */
export function integerAt(
  raise: Raise,
  path: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  why = '',
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    return mismatch(raise, path, `an integer ${range}${why}`, value);
  }
  return value;
}

/** A finite number in [min, max] (or [min, max) with `maxOpen`). */
export function numberAt(
  raise: Raise,
  path: string,
  value: unknown,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
  maxOpen = false,
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    (maxOpen ? value < max : value <= max);
  if (!ok) {
    const range =
      min === Number.NEGATIVE_INFINITY && max === Number.POSITIVE_INFINITY
        ? ''
        : max === Number.POSITIVE_INFINITY
          ? ` ≥ ${min}`
          : ` in [${min}, ${max}${maxOpen ? ')' : ']'}`;
    return mismatch(raise, path, `a finite number${range}`, value);
  }
  return value;
}

/** An array (its items are checked by the caller). */
export function arrayAt(raise: Raise, path: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) return mismatch(raise, path, 'an array', value);
  return value;
}

/** Formats a shape as PyTorch prints it, `[2, 5, 4]`; a shape read from a file may be long, so it is cut. */
export function formatShape(shape: readonly unknown[]): string {
  if (shape.length > maxShownItems)
    return `[${shape.slice(0, maxShownItems).map(describe).join(', ')}, … (rank ${shape.length})]`;
  return `[${shape.map(describe).join(', ')}]`;
}

/**
 * A `{shape, data}` tensor: dims are non-negative safe integers, `data` holds finite numbers, and
 * `data.length` equals the product of the shape. The product is compared with the number of values
 * present before anything else is done with it, so a shape can never make a reader (or the runner
 * after it) allocate more than the file itself holds. Returns a fresh `{shape, data}` sharing the
 * file's arrays.
 */
export function tensorAt(raise: Raise, path: string, value: unknown): FileTensor {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return mismatch(raise, path, 'a tensor {shape, data}', value);
  }
  const object = value as JsonObject;
  onlyKeys(raise, path, object, ['shape', 'data']);
  const shape = arrayAt(raise, at(path, 'shape'), field(object, 'shape'));
  const data = arrayAt(raise, at(path, 'data'), field(object, 'data'));
  // A float product of safe integers: exact up to 2^53, and beyond that far above any real data length.
  let size = 1;
  shape.forEach((d, i) => {
    integerAt(raise, at(at(path, 'shape'), i), d, 0);
    size *= d as number;
  });
  if (size !== data.length) {
    raise(
      at(path, 'data'),
      `${path} has shape ${formatShape(shape)} (${size} values) but data holds ${data.length} value${data.length === 1 ? '' : 's'}`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      mismatch(raise, at(at(path, 'data'), i), 'a finite number', v);
  }
  return { shape: shape as number[], data: data as number[] };
}

/** Raises unless `tensor` (at `path`) has exactly `shape`; `why` says where the expected shape comes from. */
export function expectShape(
  raise: Raise,
  path: string,
  tensor: FileTensor,
  shape: readonly number[],
  why: string,
): void {
  const same = tensor.shape.length === shape.length && tensor.shape.every((d, i) => d === shape[i]);
  if (!same) {
    raise(
      at(path, 'shape'),
      `${path} must have shape ${formatShape(shape)} (${why}), got ${formatShape(tensor.shape)}`,
    );
  }
}

/** Parses JSON text, reporting a syntax error through `raise` as `the file is not valid JSON: …`. */
export function parseJsonText(raise: Raise, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return raise('', `the file is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Decodes UTF-8 bytes (a leading byte-order mark is dropped) and parses them as JSON. Malformed
 * UTF-8 is refused rather than replaced, so a name can never silently change.
 */
export function parseJsonBytes(raise: Raise, bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return raise('', 'the file is not UTF-8 text');
  }
  return parseJsonText(raise, text);
}
