/**
 * HDF5 files (Keras' `model.weights.h5` inside a `.keras` zip, and legacy `.h5` models) through
 * jsfive 0.4: a pure-JavaScript reader (NIST, the authors of h5wasm; a port of pyfive), synchronous from
 * an ArrayBuffer, the same code in Node, browsers and workers, ~190 KB plus pako. h5wasm (the HDF5 C
 * library in WebAssembly, 15 MB unpacked) would need `await ready` and an in-memory file system: an
 * async read path through every caller, for files whose layout Keras fixes (groups, small contiguous
 * float32 datasets, string attributes).
 *
 * jsfive trusts the file, so Recur bounds what it asks of it: the signature is checked first, groups
 * are walked at most {@link MAX_DEPTH} deep and {@link MAX_OBJECTS} objects in all (hard links can make
 * cycles), a dataset's declared shape and dtype are checked (by the caller, against the layer configs)
 * before its values are read, and no dataset may declare more float32 values than the file has bytes
 * for. Whatever jsfive throws becomes a {@link WeightFileError} naming the file part and the object.
 *
 * jsfive also sizes two arrays from header counts before reading what they count: an object header's
 * message count (16 bits) and an attribute's value count (the product of its 64-bit dimensions). Both
 * are checked first by {@link guardJsfive}, which wraps those two methods of jsfive's (unexported)
 * object-header class: a count that the bytes left in the file cannot hold is refused.
 */
import { MAX_TENSOR_ELEMENTS } from '@recur/core';
import { inflateSync } from 'fflate';
import { File, type Group, Dataset as JsfiveDataset } from 'jsfive';
import { WeightFileError } from '../errors.js';
import { fail, show } from './json.js';
import type { DecodedWeight } from './manifest.js';

/** How deep groups are walked (Keras nests weights 5 deep: layers/bidirectional/forward_layer/cell/vars). */
export const MAX_DEPTH = 12;
/** How many groups and datasets a walk visits at most. */
export const MAX_OBJECTS = 10_000;

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `bytes` begin with the HDF5 signature (`\x89HDF\r\n\x1a\n`, at offset 0 as h5py writes it). */
export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Runs a jsfive call; its failure is a WeightFileError naming `part` and `what`. jsfive writes some
 * findings to the console (an attribute type it does not know, with the attribute's name from the
 * file); the call is synchronous, so console.warn and console.log are silenced for exactly its span.
 */
export function guard<T>(part: string, what: string, run: () => T): T {
  const { warn, log } = console;
  console.warn = console.log = () => {};
  try {
    return run();
  } catch (error) {
    if (error instanceof WeightFileError) throw error;
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : show(error);
    return fail(`${part}: ${what} cannot be read (${message || 'corrupt HDF5 structure'})`);
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

/** An open HDF5 file: `part` names it in messages (`model.weights.h5`). */
export interface Hdf5File {
  readonly part: string;
  readonly root: Group;
  readonly byteLength: number;
}

/** The empty file h5py 3.16 writes (800 bytes, raw deflate): opened once to reach jsfive's header class. */
const EMPTY_HDF5 =
  '6/RwcePlkuJiAAEODgYWBgEGZPAfChSYUfkw+QQozQilO6D0CiaYOCNYTgIqLgg1H11dSJCrK7L56PaMgpENPFwdA0B0BJTPAaVPMKGqg6XDACrZCwA=';

interface HeaderMethods {
  _parse_v1_objects(buf: ArrayBuffer, offset: number): unknown;
  _attr_value(dtype: unknown, buf: ArrayBuffer, count: number, offset: number): unknown;
}

let guarded = false;

/**
 * Checks the counts jsfive sizes arrays from before it allocates them: an object header (version 1)
 * lists at most one message per 8 bytes left in the file, and an attribute holds at most one value per
 * byte left. Installed once, before the first untrusted file is parsed; it changes nothing for a valid
 * file.
 */
function guardJsfive(): void {
  if (guarded) return;
  guarded = true;
  const empty = inflateSync(Uint8Array.from(atob(EMPTY_HDF5), (c) => c.charCodeAt(0)));
  const root = new File(empty.buffer as ArrayBuffer, 'empty') as unknown as { _dataobjects: object };
  const proto = Object.getPrototypeOf(root._dataobjects) as HeaderMethods;
  const { _parse_v1_objects: parseV1, _attr_value: attrValue } = proto;
  if (typeof parseV1 !== 'function' || typeof attrValue !== 'function')
    throw new Error('jsfive changed: its object-header methods are not where Recur checks them');
  proto._parse_v1_objects = function (this: unknown, buf, offset) {
    if (buf instanceof ArrayBuffer && offset >= 0 && offset + 4 <= buf.byteLength) {
      const count = new DataView(buf).getUint16(offset + 2, true);
      if (count * 8 > buf.byteLength - offset)
        throw new Error(
          `the object header at byte ${offset} lists ${count} messages, more than the file holds`,
        );
    }
    return parseV1.call(this, buf, offset);
  };
  proto._attr_value = function (this: unknown, dtype, buf, count, offset) {
    // `buf` is the file, or a value's bytes from the global heap (an ArrayBuffer or a view of one).
    const size = (buf as { byteLength?: unknown } | null)?.byteLength;
    const left = typeof size === 'number' ? size - offset : 0;
    if (!(typeof count === 'number' && count >= 0 && count <= left))
      throw new Error(`an attribute declares ${count} values where ${Math.max(left, 0)} bytes are left`);
    return attrValue.call(this, dtype, buf, count, offset);
  };
}

/** Opens `bytes` as HDF5 (signature first), failing with `part` named. */
export function openHdf5(bytes: Uint8Array, part: string): Hdf5File {
  if (!isHdf5(bytes))
    fail(`${part} is not an HDF5 file (it does not begin with the HDF5 signature \\x89HDF\\r\\n\\x1a\\n)`);
  guardJsfive();
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const root = guard(part, 'the superblock and root group', () => new File(buffer, part));
  return { part, root, byteLength: bytes.length };
}

/** A dataset found by a walk: its path from the walk's start and its declared shape and dtype. */
export interface Hdf5Dataset {
  /** Path from the group walked (`cell/vars/0`). */
  readonly path: string;
  readonly shape: readonly number[];
  /** `float32`, `float64`, … for IEEE floats; the HDF5 type described otherwise. */
  readonly dtype: string;
  /** Reads the values (float32 only: call after checking `dtype` and `shape`). */
  decode(): DecodedWeight;
}

/** The child `name` of `group`, a group or a dataset. */
export function child(file: Hdf5File, group: Group, name: string): Group | JsfiveDataset {
  return guard(file.part, `${show(`${group.name}/${name}`.replace(/^\/+/, '/'))}`, () => group.get(name));
}

/** The names in `group`. */
export function keys(file: Hdf5File, group: Group): string[] {
  const list = guard(file.part, `the members of group ${show(group.name)}`, () => group.keys);
  if (!Array.isArray(list) || list.some((k) => typeof k !== 'string'))
    fail(`${file.part}: group ${show(group.name)} lists members that are not names`);
  return list;
}

/** The attribute `name` of `node`, or undefined. */
export function attribute(file: Hdf5File, node: Group | JsfiveDataset, name: string): unknown {
  const attrs = guard(file.part, `the attributes of ${show(node.name)}`, () => node.attrs);
  return typeof attrs === 'object' && attrs !== null && Object.hasOwn(attrs, name) ? attrs[name] : undefined;
}

/** Whether `node` is a dataset (else a group). */
export function isDataset(node: unknown): node is JsfiveDataset {
  return node instanceof JsfiveDataset;
}

/** Every dataset under `group` (depth-first, names sorted), bounded in depth and count. */
export function datasets(file: Hdf5File, group: Group): Hdf5Dataset[] {
  const out: Hdf5Dataset[] = [];
  let visited = 0;
  const walk = (g: Group, prefix: string, depth: number): void => {
    for (const name of keys(file, g).sort()) {
      if (++visited > MAX_OBJECTS)
        fail(`${file.part}: more than ${MAX_OBJECTS} groups and datasets under ${show(group.name)}`);
      const node = child(file, g, name);
      const path = prefix === '' ? name : `${prefix}/${name}`;
      if (isDataset(node)) out.push(dataset(file, node, path));
      else if (depth >= MAX_DEPTH)
        fail(`${file.part}: groups nest deeper than ${MAX_DEPTH} at ${show(path)} (Keras nests 5 deep)`);
      else walk(node, path, depth + 1);
    }
  };
  walk(group, '', 1);
  return out;
}

const floatTypes: Record<string, string> = {
  '<f2': 'float16',
  '<f4': 'float32',
  '>f4': 'float32',
  '<f8': 'float64',
  '>f8': 'float64',
};

/** A dataset's declared shape and dtype, checked; its values read only by `decode()`. */
export function dataset(file: Hdf5File, node: JsfiveDataset, path: string): Hdf5Dataset {
  const where = `${file.part}: dataset ${show(node.name)}`;
  const rawShape = guard(file.part, `the shape of dataset ${show(node.name)}`, () => node.shape);
  if (!Array.isArray(rawShape) || rawShape.length > 8)
    fail(`${where} has shape ${show(rawShape)}; expected a list of at most 8 dimensions`);
  const shape = (rawShape as unknown[]).map((d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0 || d > MAX_TENSOR_ELEMENTS)
      fail(`${where} has dimension ${show(d)}; expected an integer in [0, ${MAX_TENSOR_ELEMENTS}]`);
    return d as number;
  });
  const rawType = guard(file.part, `the dtype of dataset ${show(node.name)}`, () => node.dtype);
  const dtype = typeof rawType === 'string' ? (floatTypes[rawType] ?? rawType) : show(rawType);
  return {
    path,
    shape,
    dtype,
    decode() {
      const size = shape.reduce((n, d) => n * d, 1);
      if (dtype !== 'float32') fail(`${where} is ${show(dtype)}; Recur reads float32 weights`);
      if (size * 4 > file.byteLength)
        fail(`${where} declares ${size} float32 values, more than the ${file.byteLength}-byte file holds`);
      const values = guard(file.part, `the values of dataset ${show(node.name)}`, () => node.value);
      if (
        !(Array.isArray(values) || values instanceof Float32Array || values instanceof Float64Array) ||
        values.length !== size
      )
        fail(`${where} holds ${show(values)}, not the ${size} values its shape [${shape.join(', ')}] says`);
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        const v = (values as ArrayLike<unknown>)[i];
        if (typeof v !== 'number') fail(`${where}: value ${i} is ${show(v)}, not a number`);
        data[i] = v as number;
      }
      return { shape, data, stored: 'float32' };
    },
  };
}
