/**
 * Weight formats by file extension: how each is read and, where Recur can, written. One table, used by
 * the Node helpers and the `recur` command line.
 */
import type { WeightFormat } from './errors.js';
import { readKeras } from './keras/keras3.js';
import { readTfjsLayersFiles } from './keras/read.js';
import { readOnnx } from './onnx/read.js';
import { writeOnnxTensors } from './onnx/write.js';
import { readSafetensors } from './safetensors/read.js';
import { writeSafetensors } from './safetensors/write.js';
import type { StoredDType, WeightFile, WeightTensor } from './tensor-entry.js';
import { readTorch } from './torch/read.js';

/** How one format is read and written. */
export interface FormatCodec {
  /** The format this entry reads and writes. */
  readonly format: WeightFormat;
  /** How file names end, lower case: extensions with the dot (`.safetensors`), or a name (`model.json`). */
  readonly extensions: readonly string[];
  /** Parses a file's bytes (throws only `WeightFileError`). */
  readonly read?: (bytes: Uint8Array) => WeightFile;
  /**
   * Parses a file that names other files beside it (a tfjs-layers `model.json` and its weight shards):
   * `bytes` is the file's, `neighbour(path)` the bytes of a file it names by a relative path (the reader
   * checks that the path stays beside it). Used instead of `read` when present.
   */
  readonly readWithNeighbours?: (
    bytes: Uint8Array,
    neighbour: (relativePath: string) => Uint8Array,
  ) => WeightFile;
  /** Serialises tensors with string metadata; absent when Recur cannot write the format. */
  readonly write?: (
    tensors: Readonly<Record<string, WeightTensor>>,
    options: { metadata: Record<string, string>; dtype?: StoredDType },
  ) => Uint8Array;
  /** Why the format cannot be written (said when asked to). */
  readonly writeRefusal?: string;
}

const codecs: readonly FormatCodec[] = [
  {
    format: 'safetensors',
    extensions: ['.safetensors'],
    read: readSafetensors,
    write: (tensors, options) => writeSafetensors(tensors, options),
  },
  {
    format: 'torch',
    extensions: ['.pt', '.pth', '.bin', '.ckpt'],
    read: readTorch,
    writeRefusal:
      'a torch.save file is a pickle, which Recur only reads (safely); write .safetensors, which PyTorch loads with safetensors.torch.load_file',
  },
  {
    format: 'onnx',
    extensions: ['.onnx'],
    read: readOnnx,
    write: writeOnnxTensors,
  },
  {
    format: 'tfjs-layers',
    extensions: ['model.json'],
    readWithNeighbours: readTfjsLayersFiles,
    writeRefusal:
      'Recur reads tfjs-layers models but does not write them; write .safetensors, or .onnx, which tfjs and Keras can import',
  },
  {
    // Keras 3 `.keras` archives and legacy `.h5` models (a weights-only `.weights.h5` is refused, naming
    // readKerasWeights, which takes the config beside it).
    format: 'keras',
    extensions: ['.keras', '.h5', '.hdf5'],
    read: readKeras,
    writeRefusal:
      'Recur reads Keras models but does not write them; write .safetensors, or .onnx, which Keras can import',
  },
];

/** Every known format. */
export function knownFormats(): readonly FormatCodec[] {
  return codecs;
}

/** The codec for `path`'s extension, or a RangeError listing the known extensions. */
export function codecForPath(path: string): FormatCodec {
  const lower = path.toLowerCase();
  const codec = codecs.find((c) => c.extensions.some((e) => lower.endsWith(e)));
  if (codec === undefined) {
    const known = codecs.flatMap((c) => c.extensions).join(', ');
    throw new RangeError(`cannot tell the format of "${path}" from its extension (known: ${known})`);
  }
  return codec;
}

/** Reads a weight file's `bytes` in the format `path`'s extension names (browsers: no file system needed). */
export function readWeightBytes(path: string, bytes: Uint8Array): WeightFile {
  const codec = codecForPath(path);
  if (codec.read === undefined) throw new RangeError(`${codec.format} files cannot be read from bytes alone`);
  return codec.read(bytes);
}
