/**
 * What a `torch.save(state_dict)` pickle may name and call, and what calling it means. The allow-list:
 *
 * - `collections.OrderedDict` (the state dict itself, and each tensor's empty backward-hooks dict),
 * - `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_tensor` (a tensor: storage, offset, size,
 *   stride) and `torch._utils._rebuild_parameter` (an `nn.Parameter` around one, from `keep_vars=True`),
 * - `torch.FloatStorage`, `DoubleStorage`, `HalfStorage`, `BFloat16Storage` (also under `torch.cuda`,
 *   as old checkpoints of GPU tensors name them): storage types, never called, only named in persistent ids.
 *
 * Everything else is refused by name before anything could be called: `os.system`, `builtins.eval`, a
 * whole pickled module (`torch.nn.modules.rnn.LSTM`: the message says to save `state_dict()`), integer,
 * boolean, complex and quantized storages. `torch.storage._load_from_bytes` is not allowed: it serves
 * plain `pickle.dumps` of storages, never `torch.save`, which stores storages as persistent ids.
 */
import { fail } from './fail.js';
import {
  describe,
  PickleDict,
  type PickleHooks,
  PickleObject,
  PickleTuple,
  type PickleValue,
} from './pickle.js';

/** Element types of the storages Recur reads, with their byte widths. */
export const storageDTypes = {
  FloatStorage: { dtype: 'float32', bytes: 4 },
  DoubleStorage: { dtype: 'float64', bytes: 8 },
  HalfStorage: { dtype: 'float16', bytes: 2 },
  BFloat16Storage: { dtype: 'bfloat16', bytes: 2 },
} as const;

/** A storage element type Recur reads. */
export type StorageDType = (typeof storageDTypes)[keyof typeof storageDTypes]['dtype'];

/** Storage types torch has that Recur refuses, with what they hold (for the message). */
const otherStorages: Record<string, string> = {
  ByteStorage: 'uint8',
  CharStorage: 'int8',
  ShortStorage: 'int16',
  IntStorage: 'int32',
  LongStorage: 'int64',
  BoolStorage: 'bool',
  ComplexFloatStorage: 'complex64',
  ComplexDoubleStorage: 'complex128',
  QInt8Storage: 'qint8',
  QUInt8Storage: 'quint8',
  QInt32Storage: 'qint32',
  QUInt4x2Storage: 'quint4x2',
  QUInt2x4Storage: 'quint2x4',
  UntypedStorage: 'untyped bytes',
  TypedStorage: 'a typed storage of unknown type',
};

const READS = 'Recur reads float32, float64, float16 and bfloat16 tensors';

/** An allowed callable global. */
export class TorchCallable extends PickleObject {
  constructor(
    readonly name: 'OrderedDict' | '_rebuild_tensor_v2' | '_rebuild_tensor' | '_rebuild_parameter',
  ) {
    super();
  }
  describe(): string {
    return `the global ${this.name === 'OrderedDict' ? 'collections' : 'torch._utils'}.${this.name}`;
  }
}

/** A storage type (`torch.FloatStorage`, …): only ever named in a persistent id. */
export class StorageType extends PickleObject {
  constructor(
    readonly name: keyof typeof storageDTypes,
    readonly dtype: StorageDType,
    readonly bytes: number,
  ) {
    super();
  }
  describe(): string {
    return `the storage type torch.${this.name}`;
  }
}

/** A storage a persistent id names: its key in the file, element type and size, and the part viewed. */
export class StorageRef extends PickleObject {
  constructor(
    /** Key of the bytes in the file (the zip's `data/<key>`, a legacy file's storage key). */
    readonly key: string,
    readonly type: StorageType,
    /** Elements in the whole storage. */
    readonly size: number,
    /** First element seen through this reference (non-zero only for a legacy storage view). */
    readonly offset: number,
    /** Elements seen through this reference (the whole storage but for a legacy view). */
    readonly numel: number,
  ) {
    super();
  }
  describe(): string {
    return `storage "${this.key}" (${this.size} × ${this.type.dtype})`;
  }
}

/** A tensor: a strided view of a storage, still unread. */
export class TensorRef extends PickleObject {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {
    super();
  }
  describe(): string {
    return `a tensor [${this.shape.join(', ')}] of ${this.storage.type.dtype}`;
  }
}

/** Which persistent ids to expect: the zip layout's 5-tuples or the legacy layout's 6-tuples. */
export type Layout = 'zip' | 'legacy';

/** The hooks for one file, and the storages its pickle named (key → first reference). */
export interface TorchHooks extends PickleHooks {
  readonly storages: ReadonlyMap<string, StorageRef>;
}

/** Hooks that accept exactly a state dict of floating-point tensors. */
export function torchHooks(layout: Layout): TorchHooks {
  const storages = new Map<string, StorageRef>();
  return {
    storages,
    global: resolveGlobal,
    reduce,
    build,
    persistentLoad(pid, at) {
      const ref = layout === 'zip' ? zipStorage(pid, at) : legacyStorage(pid, at);
      // One key, one storage: torch itself refuses two dtypes for one storage; a second size is corrupt.
      const seen = storages.get(ref.key);
      if (seen === undefined) storages.set(ref.key, ref);
      else if (seen.type.dtype !== ref.type.dtype || seen.size !== ref.size) {
        fail(`${at}: ${seen.describe()} is named again as ${ref.describe()}`);
      }
      return ref;
    },
  };
}

function resolveGlobal(module: string, name: string): PickleValue {
  const full = `${module}.${name}`;
  if (module === 'collections' && name === 'OrderedDict') return new TorchCallable('OrderedDict');
  if (module === 'torch._utils') {
    if (name === '_rebuild_tensor_v2' || name === '_rebuild_tensor' || name === '_rebuild_parameter') {
      return new TorchCallable(name);
    }
  }
  if (module === 'torch' || module === 'torch.cuda') {
    if (Object.hasOwn(storageDTypes, name)) {
      const { dtype, bytes } = storageDTypes[name as keyof typeof storageDTypes];
      return new StorageType(name as keyof typeof storageDTypes, dtype, bytes);
    }
    if (Object.hasOwn(otherStorages, name)) {
      fail(`refusing storage type ${full} (${otherStorages[name]}): ${READS}`);
    }
  }
  if (module.startsWith('torch.nn.') || module === '__main__') {
    fail(
      `refusing pickle global ${full}: the file holds a whole pickled module (torch.save(model)), ` +
        'not a state dict; save model.state_dict() instead (torch.save(model.state_dict(), path))',
    );
  }
  return fail(
    `refusing pickle global ${full}: a state dict needs only OrderedDict, tensors and float storages`,
  );
}

function reduce(callable: PickleValue, args: PickleTuple, at: string): PickleValue {
  if (!(callable instanceof TorchCallable)) return fail(`${at}: ${describe(callable)} cannot be called`);
  const a = args.items;
  switch (callable.name) {
    case 'OrderedDict':
      // pickle writes an OrderedDict as OrderedDict() followed by SETITEMS.
      if (a.length !== 0) fail(`${at}: OrderedDict is called with ${a.length} arguments; expected none`);
      return new PickleDict(true);
    case '_rebuild_tensor':
      if (a.length !== 4) fail(`${at}: _rebuild_tensor takes 4 arguments, got ${a.length}`);
      return rebuildTensor(a, at);
    case '_rebuild_tensor_v2':
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).
      if (a.length !== 6 && a.length !== 7)
        fail(`${at}: _rebuild_tensor_v2 takes 6 or 7 arguments, got ${a.length}`);
      if (typeof a[4] !== 'boolean') fail(`${at}: requires_grad must be a bool, got ${describe(a[4]!)}`);
      if (!(a[5] instanceof PickleDict)) fail(`${at}: backward_hooks must be a dict, got ${describe(a[5]!)}`);
      if (a.length === 7 && a[6] !== null && !(a[6] instanceof PickleDict)) {
        fail(`${at}: the tensor metadata must be a dict or None, got ${describe(a[6]!)}`);
      }
      return rebuildTensor(a, at);
    case '_rebuild_parameter':
      // (data, requires_grad, backward_hooks): the tensor is all a state dict needs.
      if (a.length !== 3) fail(`${at}: _rebuild_parameter takes 3 arguments, got ${a.length}`);
      if (!(a[0] instanceof TensorRef)) fail(`${at}: a parameter must wrap a tensor, got ${describe(a[0]!)}`);
      return a[0]!;
  }
}

function rebuildTensor(a: readonly PickleValue[], at: string): TensorRef {
  const [storage, offset, size, stride] = a;
  if (!(storage instanceof StorageRef)) return fail(`${at}: expected a storage, got ${describe(storage!)}`);
  const offsetValue = count(offset!, 'storage_offset', at);
  const shape = ints(size!, 'size', at);
  const strides = ints(stride!, 'stride', at);
  if (shape.length !== strides.length) {
    fail(`${at}: size has ${shape.length} dimensions but stride has ${strides.length}`);
  }
  return new TensorRef(storage, offsetValue, shape, strides);
}

/** A non-negative int that indexes memory (refused past 2⁵³). */
function count(value: PickleValue, what: string, at: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return fail(`${at}: ${what} must be a non-negative int, got ${describe(value)}`);
  }
  return value;
}

function ints(value: PickleValue, what: string, at: string): number[] {
  if (!(value instanceof PickleTuple))
    return fail(`${at}: ${what} must be a tuple of ints, got ${describe(value)}`);
  return value.items.map((v, i) => count(v, `${what}[${i}]`, at));
}

function build(target: PickleValue, state: PickleValue, at: string): void {
  // state_dict() returns an OrderedDict whose `_metadata` attribute (module versions) arrives as BUILD
  // with a dict of attributes; they say nothing about the tensors and are dropped.
  if (target instanceof PickleDict && state instanceof PickleDict) return;
  fail(`${at}: BUILD of ${describe(target)} with ${describe(state)} is refused`);
}

function storageKey(value: PickleValue, at: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64 || value.includes('/')) {
    return fail(`${at}: a storage key must be a short str without "/", got ${describe(value)}`);
  }
  return value;
}

function storageType(value: PickleValue, at: string): StorageType {
  if (!(value instanceof StorageType)) return fail(`${at}: expected a storage type, got ${describe(value)}`);
  return value;
}

function pidItems(pid: PickleValue, at: string): readonly PickleValue[] {
  if (!(pid instanceof PickleTuple))
    return fail(`${at}: a persistent id must be a tuple, got ${describe(pid)}`);
  const [kind] = pid.items;
  if (kind === 'module') {
    fail(
      `${at}: the file holds a whole pickled module (torch.save(model)), not a state dict; ` +
        'save model.state_dict() instead (torch.save(model.state_dict(), path))',
    );
  }
  if (kind !== 'storage') fail(`${at}: unknown persistent id kind ${describe(kind ?? null)}`);
  return pid.items;
}

/** `('storage', storage_type, key, location, numel)`: the zip layout. */
function zipStorage(pid: PickleValue, at: string): StorageRef {
  const items = pidItems(pid, at);
  if (items.length !== 5) fail(`${at}: a storage id has 5 fields in a zip checkpoint, got ${items.length}`);
  const [, type, key, location, numel] = items;
  if (typeof location !== 'string')
    fail(`${at}: a storage location must be a str, got ${describe(location!)}`);
  const size = count(numel!, 'numel', at);
  return new StorageRef(storageKey(key!, at), storageType(type!, at), size, 0, size);
}

/**
 * `('storage', storage_type, root_key, location, numel, view_metadata)`: the legacy layout, where
 * `view_metadata` is None or `(view_key, offset, view_numel)` for the storage views of torch < 1.0.
 */
function legacyStorage(pid: PickleValue, at: string): StorageRef {
  const items = pidItems(pid, at);
  if (items.length !== 6)
    fail(`${at}: a storage id has 6 fields in a legacy checkpoint, got ${items.length}`);
  const [, typeValue, key, location, numel, view] = items;
  if (typeof location !== 'string')
    fail(`${at}: a storage location must be a str, got ${describe(location!)}`);
  const type = storageType(typeValue!, at);
  const rootKey = storageKey(key!, at);
  const size = count(numel!, 'numel', at);
  if (view === null) return new StorageRef(rootKey, type, size, 0, size);
  if (!(view instanceof PickleTuple) || view.items.length !== 3) {
    return fail(`${at}: view metadata must be None or (key, offset, size), got ${describe(view!)}`);
  }
  const viewOffset = count(view.items[1]!, 'the view offset', at);
  const viewNumel = count(view.items[2]!, 'the view size', at);
  if (viewOffset + viewNumel > size) {
    fail(
      `${at}: a view of elements ${viewOffset}–${viewOffset + viewNumel} is past storage "${rootKey}" (${size})`,
    );
  }
  return new StorageRef(rootKey, type, size, viewOffset, viewNumel);
}
