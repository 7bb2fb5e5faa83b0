/**
 * The legacy layout of `torch.save` (torch < 1.6, or `_use_new_zipfile_serialization=False`), as
 * `_legacy_save` writes it: five pickles one after another (the magic number, the protocol version 1001,
 * sys_info, the object, the sorted list of storage keys), then for each key an 8-byte little-endian
 * element count and the storage's raw bytes. torch writes those bytes little-endian whatever the machine
 * (its `_write_file` swaps on big-endian hosts), so sys_info's `little_endian` does not change how they
 * are read.
 */
import { fail } from './fail.js';
import { type StorageRef, torchHooks } from './globals.js';
import { describe, PickleDict, PickleList, type PickleValue, unpickle } from './pickle.js';

const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/** A legacy checkpoint's object, and the bytes of each storage by key. */
export interface LegacyCheckpoint {
  readonly root: PickleValue;
  readonly storages: ReadonlyMap<string, Uint8Array>;
}

/** True when `bytes` begin as a legacy checkpoint does: PROTO 2, then LONG1 of the 10-byte magic number. */
export function isLegacy(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a && bytes[3] === 0x0a
  );
}

/** Reads a legacy checkpoint: its pickles, then every storage the pickle named, sizes checked first. */
export function readLegacy(bytes: Uint8Array): LegacyCheckpoint {
  const hooks = torchHooks('legacy');
  const magic = unpickle(bytes, 0, 'the magic-number pickle', hooks);
  if (magic.value !== MAGIC_NUMBER) {
    fail(`not a torch.save file: the first pickle holds ${describe(magic.value)}, not torch's magic number`);
  }
  const version = unpickle(bytes, magic.end, 'the protocol-version pickle', hooks);
  if (version.value !== PROTOCOL_VERSION) {
    fail(`legacy protocol version ${describe(version.value)}; torch writes ${PROTOCOL_VERSION}`);
  }
  const sysInfo = unpickle(bytes, version.end, 'the sys_info pickle', hooks);
  if (!(sysInfo.value instanceof PickleDict)) fail(`sys_info must be a dict, got ${describe(sysInfo.value)}`);
  const main = unpickle(bytes, sysInfo.end, 'the state-dict pickle', hooks);
  const keyList = unpickle(bytes, main.end, 'the storage-key pickle', hooks);
  const keys = storageKeys(keyList.value, hooks.storages);
  const storages = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keyList.end;
  for (const key of keys) {
    const ref = hooks.storages.get(key)!;
    const where = `storage "${key}" at byte ${at}`;
    if (bytes.length - at < 8) fail(`${where}: the file ends before its 8-byte element count`);
    const count = view.getBigUint64(at, true);
    if (count !== BigInt(ref.size)) {
      fail(`${where}: the file gives ${count} elements, the pickle ${ref.size} (corrupt file)`);
    }
    at += 8;
    const length = ref.size * ref.type.bytes;
    if (length > bytes.length - at) {
      fail(
        `${where}: ${ref.size} × ${ref.type.dtype} needs ${length} bytes, only ${bytes.length - at} remain`,
      );
    }
    storages.set(key, bytes.subarray(at, at + length));
    at += length;
  }
  if (at !== bytes.length) fail(`${bytes.length - at} bytes follow the last storage (corrupt file)`);
  return { root: main.value, storages };
}

/** The storage-key list: strings, each named by the pickle, all the pickle named, none twice. */
function storageKeys(value: PickleValue, named: ReadonlyMap<string, StorageRef>): string[] {
  if (!(value instanceof PickleList)) return fail(`the storage keys must be a list, got ${describe(value)}`);
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const key of value.items) {
    if (typeof key !== 'string') return fail(`a storage key must be a str, got ${describe(key)}`);
    if (seen.has(key)) fail(`storage "${key}" is listed twice`);
    if (!named.has(key)) fail(`storage "${key}" is listed but no tensor uses it (corrupt file)`);
    seen.add(key);
    keys.push(key);
  }
  for (const key of named.keys()) {
    if (!seen.has(key)) fail(`storage "${key}" is used by a tensor but missing from the file`);
  }
  return keys;
}
