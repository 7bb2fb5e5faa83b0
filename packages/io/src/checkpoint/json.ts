/**
 * Exact JSON for checkpoint metadata: numbers JSON cannot hold (±Infinity, NaN, -0, e.g.
 * `ReduceLROnPlateau`'s `best`) are written as `{"$float": "Infinity"}` and read back as numbers, so
 * every number round-trips bit for bit. Values are checked on the way in (plain JSON data only) and
 * on the way out (bounded depth, walked without recursion on untrusted input).
 */

/** A JSON value: what `extra` may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Deepest nesting accepted (writing and reading). */
export const MAX_JSON_DEPTH = 64;

const specials: Record<string, number> = {
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  NaN: Number.NaN,
  '-0': -0,
};

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return undefined;
}

/**
 * `value` as exact JSON text. Throws `Error(path: why)` for anything that is not plain data (a
 * function, `undefined` in an array, a typed array, a class instance, a cycle, nesting past
 * {@link MAX_JSON_DEPTH}); `undefined` object properties are left out, as `JSON.stringify` does.
 */
export function encodeJson(value: unknown, path: string): string {
  return JSON.stringify(toPlain(value, path, 0, new Set()));
}

function toPlain(value: unknown, path: string, depth: number, seen: Set<object>): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    const s = special(value);
    return s === undefined ? value : { $float: s };
  }
  if (typeof value !== 'object') throw new Error(`${path}: ${typeof value} is not JSON data`);
  if (depth >= MAX_JSON_DEPTH) throw new Error(`${path}: nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (seen.has(value)) throw new Error(`${path}: refers to itself (a cycle)`);
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((v, i) => {
        if (v === undefined) throw new Error(`${path}[${i}]: undefined is not JSON data`);
        return toPlain(v, `${path}[${i}]`, depth + 1, seen);
      });
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as object).constructor?.name ?? 'object';
      throw new Error(
        `${path}: a ${kind} is not plain JSON data (use plain objects, arrays, numbers, strings, booleans, null)`,
      );
    }
    const out: [string, unknown][] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out.push([k, toPlain(v, `${path}.${k}`, depth + 1, seen)]);
    }
    return Object.fromEntries(out);
  } finally {
    seen.delete(value);
  }
}

/**
 * Parses exact JSON text from an untrusted file: `{"$float": …}` back to numbers, nesting bounded by
 * {@link MAX_JSON_DEPTH}, objects built with own properties only (a `__proto__` key stays a key).
 * Throws `Error(why)`.
 */
export function decodeJson(text: string): JsonValue {
  const parsed: unknown = JSON.parse(text);
  // Iterative: depth is checked before anything deeper is visited.
  const root: { value: unknown } = { value: parsed };
  const stack: [Record<string | number, unknown>, string | number, number][] = [
    [root as unknown as Record<string, unknown>, 'value', 0],
  ];
  while (stack.length > 0) {
    const [holder, key, depth] = stack.pop()!;
    const v = holder[key];
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) throw new Error(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v as unknown as Record<number, unknown>, i, depth + 1]);
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '$float') {
      const s = (v as Record<string, unknown>).$float;
      if (typeof s !== 'string' || !(s in specials) || !Object.hasOwn(specials, s)) {
        throw new Error(`{"$float": …} must hold "Infinity", "-Infinity", "NaN" or "-0"`);
      }
      holder[key] = specials[s];
      continue;
    }
    for (const k of keys) stack.push([v as Record<string, unknown>, k, depth + 1]);
  }
  return root.value as JsonValue;
}
