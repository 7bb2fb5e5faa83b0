/**
 * A dropped weight file → what the panel shows: its tensors (name, stored dtype, shape) and the module
 * they make, or one plain sentence saying why the file cannot be used. No DOM here, so it is unit tested.
 */
import type { InferredModule, StoredDType, WeightTensor } from '@recur/io';
import { inferModule, readOnnx, readSafetensors, readTorch, WeightFileError } from '@recur/io';

/** The file formats the panel reads, by how their names end. */
export type FileFormat = 'torch' | 'safetensors' | 'onnx';

/** One tensor as the table lists it. */
export interface TensorRow {
  readonly name: string;
  readonly stored: StoredDType;
  readonly shape: readonly number[];
}

/** A file that was read and holds one recurrent module. */
export interface LoadedFile {
  readonly ok: true;
  readonly fileName: string;
  readonly format: FileFormat;
  readonly rows: readonly TensorRow[];
  readonly tensors: Record<string, WeightTensor>;
  readonly inferred: InferredModule;
}

/** A file that could not be used, with the reason in one sentence. */
export interface UnreadableFile {
  readonly ok: false;
  readonly fileName: string;
  readonly error: string;
  /** Tensors, when the file was read but they are not one module. */
  readonly rows?: readonly TensorRow[];
}

const formatNames: Record<FileFormat, string> = {
  torch: 'a PyTorch checkpoint (torch.save)',
  safetensors: 'a safetensors file',
  onnx: 'an ONNX model',
};

/** The format a file name says (`.pt`/`.pth`, `.safetensors`, `.onnx`), or undefined. */
export function formatOf(fileName: string): FileFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.pt') || lower.endsWith('.pth')) return 'torch';
  if (lower.endsWith('.safetensors')) return 'safetensors';
  if (lower.endsWith('.onnx')) return 'onnx';
  return undefined;
}

/** Reads `bytes` as the format `fileName` names and recognises the module; never throws. */
export function readWeightFile(fileName: string, bytes: Uint8Array): LoadedFile | UnreadableFile {
  const format = formatOf(fileName);
  if (format === undefined) {
    return { ok: false, fileName, error: `${fileName} is not a .pt, .pth, .safetensors or .onnx file.` };
  }
  try {
    const onnx = format === 'onnx' ? readOnnx(bytes) : undefined;
    const file = onnx ?? (format === 'torch' ? readTorch(bytes) : readSafetensors(bytes));
    const rows = Object.entries(file.tensors).map(([name, t]) => ({
      name,
      stored: t.stored,
      shape: t.shape,
    }));
    const inferred = onnx?.module ?? inferModule(file.tensors, file.metadata);
    if (inferred === undefined) {
      return {
        ok: false,
        fileName,
        rows,
        error: `${fileName} holds tensors, but they are not the parameters of one RNN, LSTM or GRU (or cell).`,
      };
    }
    return { ok: true, fileName, format, rows, tensors: file.tensors, inferred };
  } catch (error) {
    if (!(error instanceof WeightFileError)) throw error;
    return {
      ok: false,
      fileName,
      error: `${fileName} could not be read as ${formatNames[format]}: ${plain(error)}`,
    };
  }
}

/** The reader's message without its `format:` prefix, ending with a full stop. */
function plain(error: WeightFileError): string {
  const text = error.message.startsWith(`${error.format}: `)
    ? error.message.slice(error.format.length + 2)
    : error.message;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
