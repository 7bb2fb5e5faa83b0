/**
 * Allocation guard for one read: wraps the global ArrayBuffer, typed-array and Array constructors so
 * every request for a sized buffer is seen, and refuses (before allocating) one above the limit. A
 * reader that sizes a buffer from a number in the file, before checking the file holds that much
 * data, is caught here without the fuzz process itself allocating gigabytes.
 *
 * Not seen: engine-internal allocations (JSON.parse, string concatenation, Buffer pools) and arrays
 * grown by push; those grow with work done, which the time limit bounds.
 */

const typedArrays = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;
const buffers = ['ArrayBuffer', 'SharedArrayBuffer'] as const;

/** The largest request seen during a read. */
export interface AllocationRecord {
  /** Elements requested (bytes for ArrayBuffer), 0 when nothing sized was made. */
  elements: number;
  /** Which constructor, e.g. `Float64Array`. */
  by: string;
  /** True when a request was over the limit (and was refused). */
  refused: boolean;
}

/** Thrown in place of an allocation over the limit. */
export class AllocationRefused extends Error {
  override name = 'AllocationRefused';
}

/** Elements a constructor call asks for: a length, an array-like's length, or 0 for a view of a buffer. */
function requested(name: string, args: readonly unknown[]): number {
  const first = args[0];
  if (name === 'Array') return args.length === 1 && typeof first === 'number' ? first : args.length;
  if (first === undefined || first === null) return 0;
  // A primitive is a length (ToIndex: "1e9" asks for 1e9 elements, NaN for none).
  if (typeof first !== 'object' && typeof first !== 'function') {
    const n = Number(first);
    return Number.isNaN(n) ? 0 : n;
  }
  if (
    first instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== 'undefined' && first instanceof SharedArrayBuffer)
  ) {
    return 0;
  }
  const length = (first as { length?: unknown }).length;
  return typeof length === 'number' ? length : 0;
}

/**
 * Runs `read` with the constructors wrapped; `limit` is the most elements one request may ask for.
 * Returns what `read` returned or rethrows what it threw, with the largest request recorded in `record`.
 */
export function guardAllocations<T>(limit: number, record: AllocationRecord, read: () => T): T {
  const global = globalThis as unknown as Record<string, unknown>;
  const originals = new Map<string, unknown>();
  const note = (name: string, args: readonly unknown[]) => {
    const n = requested(name, args);
    if (n > limit) {
      record.refused = true;
      if (!(n <= record.elements)) Object.assign(record, { elements: n, by: name });
      throw new AllocationRefused(`${name} of ${n} elements requested (limit ${limit})`);
    }
    if (n > record.elements) Object.assign(record, { elements: n, by: name });
  };
  for (const name of [...typedArrays, ...buffers, 'Array']) {
    const original = global[name];
    if (typeof original !== 'function') continue;
    originals.set(name, original);
    global[name] = new Proxy(original, {
      construct(target, args, newTarget) {
        note(name, args);
        return Reflect.construct(target, args, newTarget);
      },
      apply(target, self, args) {
        // Array(n) without `new` allocates too; typed arrays cannot be called.
        if (name === 'Array') note(name, args);
        return Reflect.apply(target, self, args);
      },
    });
  }
  try {
    return read();
  } finally {
    for (const [name, original] of originals) global[name] = original;
  }
}
