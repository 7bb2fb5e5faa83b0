/**
 * `@recur/io/node`: weight files by path, in Node. The format follows the extension (see
 * {@link codecForPath}); everything else is the byte-level API of `@recur/io`.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  Checkpoint,
  CheckpointParts,
  CheckpointTargets,
  RestoreCheckpointOptions,
} from './checkpoint/checkpoint.js';
import { readCheckpoint, restoreCheckpoint, writeCheckpoint } from './checkpoint/checkpoint.js';
import { codecForPath } from './formats.js';
import type { StoredDType, WeightFile, WeightTensor } from './tensor-entry.js';

/**
 * Reads the weight file at `path` in the format its extension names; for a tfjs-layers `model.json`,
 * with the weight shards its manifest names, from the same folder.
 */
export function readWeightFile(path: string): WeightFile {
  const codec = codecForPath(path);
  if (codec.readWithNeighbours !== undefined) {
    const folder = dirname(path);
    return codec.readWithNeighbours(
      new Uint8Array(readFileSync(path)),
      (name) => new Uint8Array(readFileSync(join(folder, name))),
    );
  }
  if (codec.read === undefined) throw new RangeError(`${codec.format} files cannot be read`);
  return codec.read(new Uint8Array(readFileSync(path)));
}

/** Writes `tensors` to `path` in the format its extension names, with string `metadata`. */
export function writeWeightFile(
  path: string,
  tensors: Readonly<Record<string, WeightTensor>>,
  options: { metadata?: Record<string, string>; dtype?: StoredDType } = {},
): void {
  const codec = codecForPath(path);
  if (codec.write === undefined) {
    throw new RangeError(
      `Recur cannot write ${codec.format} files${codec.writeRefusal ? `: ${codec.writeRefusal}` : ''}`,
    );
  }
  writeFileSync(path, codec.write(tensors, { metadata: options.metadata ?? {}, dtype: options.dtype }));
}

/**
 * Writes a checkpoint ({@link writeCheckpoint}) to `path` (by convention `*.ckpt.safetensors`): to a
 * temporary file beside it first, then renamed over `path`, so a crash mid-write never leaves a
 * half-written checkpoint in place of the last good one.
 */
export function saveCheckpoint(path: string, source: CheckpointParts | Checkpoint): void {
  const bytes = writeCheckpoint(source);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Reads the checkpoint at `path` ({@link readCheckpoint}); with `targets`, restores it into them too
 * ({@link restoreCheckpoint}, all or nothing). Returns the checkpoint (for its `step` and `extra`).
 */
export function loadCheckpointFile(
  path: string,
  targets?: CheckpointTargets,
  options?: RestoreCheckpointOptions,
): Checkpoint {
  const checkpoint = readCheckpoint(new Uint8Array(readFileSync(path)));
  if (targets !== undefined) restoreCheckpoint(checkpoint, targets, options);
  return checkpoint;
}

export { codecForPath, type FormatCodec, knownFormats } from './formats.js';
