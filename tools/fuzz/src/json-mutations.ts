/**
 * JSON-structure-aware mutations of valid files: a node anywhere in the document is replaced by a
 * value of the wrong type, a huge or negative number, a number JSON cannot hold exactly (`1e999`,
 * `-0`, 2^53 + 1), a deep nesting, or another node; keys are deleted or added (`__proto__`,
 * `constructor`, unknown names); `{shape, data}` tensors get huge or negative shapes over the same
 * little data. These reach the checks behind a syntactically valid file.
 */
import fc, { type Arbitrary } from 'fast-check';

type JsonNode = unknown;
type Path = (string | number)[];

/** Text spliced into the serialised JSON where a marker string stands (what JSON.stringify cannot write). */
const marker = (text: string) => `@@fuzz:${text}@@`;
const markerPattern = /"@@fuzz:([^@"]*)@@"/g;
const deep = (depth: number) => marker(`deep:${depth}`);

/** Every node worth mutating, by path; long arrays of numbers contribute only their ends. */
function nodePaths(root: JsonNode): Path[] {
  const paths: Path[] = [];
  const stack: [JsonNode, Path][] = [[root, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    paths.push(path);
    if (Array.isArray(node)) {
      const numbers = node.length > 3 && typeof node[0] === 'number';
      const indices = numbers ? [0, 1, node.length - 1] : node.keys();
      for (const i of indices) stack.push([node[i], [...path, i]]);
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) stack.push([v, [...path, k]]);
    }
  }
  return paths;
}

function parentOf(
  root: JsonNode,
  path: Path,
): { parent: Record<string | number, unknown>; key: string | number } | null {
  if (path.length === 0) return null;
  let node = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  return { parent: node, key: path[path.length - 1]! };
}

function get(root: JsonNode, path: Path): JsonNode {
  let node = root as Record<string | number, unknown>;
  for (const k of path) node = node[k] as Record<string | number, unknown>;
  return node;
}

/** Sets an own property, even `__proto__` (plain assignment would change the prototype instead). */
function define(object: Record<string | number, unknown>, key: string | number, value: unknown) {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Values that break a reader's assumptions. */
function oddValues(): Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(
      null,
      true,
      false,
      '',
      'x',
      [],
      {},
      0,
      -1,
      0.5,
      1e308,
      2 ** 31,
      2 ** 32,
      2 ** 53 + 2,
      -(2 ** 53),
      'LSTM',
      'float16',
      'recur-case/1',
      'recur-train/1',
      marker('1e999'),
      marker('-1e999'),
      marker('-0'),
      marker('9007199254740993'),
      { shape: [], data: [] },
      { shape: [1e9, 1e9], data: [1] },
    ),
    fc.jsonValue({ maxDepth: 3 }),
    // Mostly a few thousand levels (enough to overflow any recursion), sometimes a hundred thousand.
    fc
      .oneof(
        { arbitrary: fc.integer({ min: 100, max: 5000 }), weight: 9 },
        fc.integer({ min: 5000, max: 100_000 }),
      )
      .map(deep),
    fc.string({ minLength: 256, maxLength: 4096 }),
  );
}

/** Shapes whose size has nothing to do with the data beside them. */
function oddShapes(): Arbitrary<unknown[]> {
  const dim = fc.oneof(
    fc.constantFrom(0, 1, -1, 1e9, 2 ** 31, 2 ** 32, 2 ** 53, 1.5, 1e308),
    fc.integer({ min: -3, max: 1_000_000 }),
  );
  return fc.array(dim, { maxLength: 8 });
}

/** One structural edit. */
interface JsonEdit {
  kind: number;
  at: number;
  other: number;
  key: string;
  value: unknown;
  shape: unknown[];
}

function applyEdit(root: JsonNode, paths: Path[], e: JsonEdit): JsonNode {
  const path = paths[e.at % paths.length]!;
  const node = get(root, path);
  const place = parentOf(root, path);
  // Values may be shared constants of the arbitrary: the document gets its own copy.
  const replace = (shared: unknown) => {
    const value = structuredClone(shared);
    if (place === null) return value;
    define(place.parent, place.key, value);
    return root;
  };
  switch (e.kind) {
    case 0:
      return replace(e.value);
    case 1:
      if (place === null) return root;
      if (Array.isArray(place.parent)) place.parent.splice(place.key as number, 1);
      else delete place.parent[place.key];
      return root;
    case 2:
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return replace(e.value);
      define(node as Record<string, unknown>, e.key, structuredClone(e.value));
      return root;
    case 3:
      if (node !== null && typeof node === 'object' && 'shape' in node) {
        (node as Record<string, unknown>).shape = [...e.shape];
        return root;
      }
      return replace(e.shape);
    case 4:
      if (Array.isArray(node)) {
        node.length = e.other % (node.length + 1);
        return root;
      }
      return replace([node, node]);
    case 5:
      return replace(structuredClone(get(root, paths[e.other % paths.length]!)));
    default:
      return replace(deep(1000 + (e.other % 9000)));
  }
}

/** Serialises a mutated document, splicing in what the markers stand for. */
function serialise(value: JsonNode): string {
  return JSON.stringify(value).replace(markerPattern, (_, text: string) => {
    if (!text.startsWith('deep:')) return text;
    const depth = Number(text.slice(5));
    return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  });
}

/** A valid sample (parsed once) with one to three structural edits, serialised back to bytes. */
export function jsonMutations(samples: readonly Uint8Array[]): Arbitrary<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const documents = samples.map((s) => JSON.parse(decoder.decode(s)) as JsonNode);
  const edit = fc.record({
    kind: fc.nat(6),
    at: fc.nat(),
    other: fc.nat(),
    key: fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'prototype',
      'extra',
      'shape',
      'data',
      'lengths',
      'grad',
      'hn',
    ),
    value: oddValues(),
    shape: oddShapes(),
  });
  return fc
    .record({ sample: fc.nat(documents.length - 1), edits: fc.array(edit, { minLength: 1, maxLength: 3 }) })
    .map(({ sample, edits }) => {
      let doc = structuredClone(documents[sample]);
      // Paths are listed again after each edit: the previous one may have moved or removed nodes.
      for (const e of edits) doc = applyEdit(doc, nodePaths(doc), e);
      return encoder.encode(serialise(doc));
    });
}
