/**
 * Reading `torch.save(module.state_dict())` checkpoints, zip (torch ≥ 1.6) or legacy layout, with a
 * restricted unpickler: nothing in the file is ever executed, and every size, offset and stride is
 * checked against the bytes present before anything is allocated or read.
 */
import { WeightFileError } from '../errors.js';
import type { WeightFile, WeightTensor } from '../tensor-entry.js';
import { fail } from './fail.js';
import { TensorRef, torchHooks } from './globals.js';
import { isLegacy, readLegacy } from './legacy.js';
import { describe, PickleDict, type PickleValue, unpickle } from './pickle.js';
import { readView, viewElements } from './tensors.js';
import { isZip, readArchive } from './zip.js';

/**
 * Parses a PyTorch checkpoint of a state dict (`torch.save(module.state_dict(), path)`), in the zip
 * layout or the legacy one. Returns the tensors in the state dict's order and empty metadata; float64
 * tensors come back as Float64Array, float32, float16 and bfloat16 as Float32Array (16-bit values widened
 * exactly). Non-contiguous views and tensors sharing one storage are read as PyTorch would.
 *
 * Throws {@link WeightFileError} and nothing else, whatever the bytes: for a whole pickled module
 * (`torch.save(model)`, the message says to save `model.state_dict()`), any pickle global outside the
 * state-dict allow-list (`refusing pickle global os.system`), integer or other non-float storages, a
 * big-endian `byteorder`, a storage missing from the file, a view past its storage's end, a truncated or
 * corrupt file, or a zip entry whose declared size is out of proportion to the file (a zip bomb).
 */
export function readTorch(bytes: Uint8Array): WeightFile {
  if (!(bytes instanceof Uint8Array)) {
    fail(`expected the file's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  try {
    return read(bytes);
  } catch (error) {
    if (error instanceof WeightFileError) throw error;
    // Every failure is meant to be a WeightFileError already; this keeps the promise if one is missed.
    return fail(
      `unexpected failure (please report it): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function read(bytes: Uint8Array): WeightFile {
  if (isZip(bytes)) {
    const archive = readArchive(bytes);
    const hooks = torchHooks('zip');
    const root = unpickle(archive.pickle, 0, `${archive.folder}/data.pkl`, hooks).value;
    return collect(root, bytes.length, (ref) => {
      const key = ref.storage.key;
      const data = archive.storage(key);
      if (data === undefined)
        fail(`storage "${key}" is missing from the archive (no ${archive.folder}/data/${key})`);
      const expected = ref.storage.size * ref.storage.type.bytes;
      if (data!.length !== expected) {
        fail(
          `${archive.folder}/data/${key} has ${data!.length} bytes; ${ref.storage.size} × ${ref.storage.type.dtype} needs ${expected}`,
        );
      }
      return data!;
    });
  }
  if (isLegacy(bytes)) {
    const { root, storages } = readLegacy(bytes);
    return collect(root, bytes.length, (ref) => storages.get(ref.storage.key)!);
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return fail(
    `not a torch.save checkpoint: expected a zip archive (50 4b 03 04) or a legacy pickle (80 02 8a 0a), got ${head || 'an empty file'}`,
  );
}

/**
 * The state dict's tensors in order. Their elements may total at most the file's size in bytes: real
 * checkpoints need at most half of that, and the bound stops repeated or overlapping (stride-0) views of
 * one storage from asking for more memory than the file could describe.
 */
function collect(
  root: PickleValue,
  fileBytes: number,
  storageOf: (ref: TensorRef) => Uint8Array,
): WeightFile {
  if (!(root instanceof PickleDict)) {
    fail(`the checkpoint holds ${describe(root)}, not a state dict (a dict of tensors)`);
  }
  const entries: [string, TensorRef, number][] = [];
  let total = 0;
  for (const [name, value] of (root as PickleDict).entries) {
    if (typeof name !== 'string') fail(`a state-dict key must be a str, got ${describe(name)}`);
    if (!(value instanceof TensorRef)) {
      fail(
        `entry "${name}" is ${describe(value)}, not a tensor: Recur reads a state dict (name → tensor); ` +
          'for a checkpoint holding one, save that state dict alone',
      );
    }
    const elements = viewElements(name as string, value as TensorRef);
    total += elements;
    if (total > fileBytes) {
      fail(
        `the tensors view ${total} elements by "${name}", more than the file's ${fileBytes} bytes can hold ` +
          '(repeated or overlapping views of a storage)',
      );
    }
    entries.push([name as string, value as TensorRef, elements]);
  }
  const tensors: Record<string, WeightTensor> = Object.create(null);
  for (const [name, ref, elements] of entries) tensors[name] = readView(ref, storageOf(ref), elements);
  return { tensors, metadata: {} };
}
