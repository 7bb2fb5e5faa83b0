/** The one error type of every weight-file reader and writer. */

/** Formats Recur reads and writes. */
export type WeightFormat = 'safetensors' | 'torch' | 'onnx' | 'tfjs-layers' | 'keras';

/**
 * A weight file could not be read (malformed, truncated, unsupported or unsafe content) or written.
 * The message names the format, the place in the file, what was expected and what was found; readers
 * throw nothing else, whatever the bytes.
 */
export class WeightFileError extends Error {
  /** Always `WeightFileError`. */
  override name = 'WeightFileError';

  /** `format` is the file format, `message` what is wrong (the format is prefixed to it). */
  constructor(
    /** The format of the file being read or written. */
    readonly format: WeightFormat,
    message: string,
  ) {
    super(`${format}: ${message}`);
  }
}
