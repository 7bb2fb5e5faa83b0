/**
 * Export of a loaded module back to bytes: safetensors (with Recur's metadata, so the file says its
 * module and options) or ONNX (refused, with the reason, for a projected LSTM and for cells).
 */
import type { InferredKind } from '@recur/io';
import {
  MODULE_METADATA_KEY,
  OPTIONS_METADATA_KEY,
  WeightFileError,
  writeOnnx,
  writeSafetensors,
} from '@recur/io';
import type { PlainState } from '../engine/protocol.js';

/** The export formats the panel offers. */
export type ExportFormat = 'safetensors' | 'onnx';

/** Bytes to download, or why there are none. */
export type ExportResult =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly fileName: string; readonly mime: string }
  | { readonly ok: false; readonly reason: string };

/** Why ONNX export is refused for this module, or undefined when it is possible. */
export function onnxRefusal(
  kind: InferredKind,
  options: Readonly<Record<string, unknown>>,
): string | undefined {
  if (kind.endsWith('Cell'))
    return `ONNX export needs a sequence module: a ${kind} is one step, with no ONNX op of its own.`;
  if (typeof options.projSize === 'number' && options.projSize > 0) {
    return `ONNX export is refused for a projected LSTM (projSize = ${options.projSize}): ONNX's LSTM has no projection (weight_hr).`;
  }
  return undefined;
}

/** Writes `state` as `format`; `baseName` is the file name without extension. */
export function exportModule(
  format: ExportFormat,
  kind: InferredKind,
  options: Record<string, unknown>,
  state: PlainState,
  baseName: string,
): ExportResult {
  try {
    if (format === 'safetensors') {
      const metadata = { [MODULE_METADATA_KEY]: kind, [OPTIONS_METADATA_KEY]: JSON.stringify(options) };
      return {
        ok: true,
        bytes: writeSafetensors(state, { metadata }),
        fileName: `${baseName}.safetensors`,
        mime: 'application/octet-stream',
      };
    }
    const refusal = onnxRefusal(kind, options);
    if (refusal !== undefined) return { ok: false, reason: refusal };
    const bytes = writeOnnx({ module: kind as 'RNN' | 'LSTM' | 'GRU', options, tensors: state });
    return { ok: true, bytes, fileName: `${baseName}.onnx`, mime: 'application/octet-stream' };
  } catch (error) {
    if (error instanceof WeightFileError) return { ok: false, reason: error.message };
    throw error;
  }
}
