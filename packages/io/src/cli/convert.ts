/** `recur convert IN OUT`: read one format, write another, carrying the module kind and options. */
import type { InferredKind } from '../infer.js';
import { inferModule, MODULE_METADATA_KEY, OPTIONS_METADATA_KEY } from '../infer.js';
import type { WeightFile } from '../tensor-entry.js';

const kinds: Record<string, InferredKind> = {
  rnn: 'RNN',
  lstm: 'LSTM',
  gru: 'GRU',
  rnncell: 'RNNCell',
  lstmcell: 'LSTMCell',
  grucell: 'GRUCell',
};

/** What the user said about the module, from `--module` and `--options`. */
export interface ModuleOverride {
  readonly module?: string;
  readonly options?: string;
}

/**
 * The metadata to write: the module kind and options the file says or its shapes give, with the user's
 * `--module`/`--options` on top. A user option that contradicts the shapes (e.g. `hiddenSize`) is an
 * error naming both values; options shapes cannot reveal (`batchFirst`, `nonlinearity`) are taken.
 */
export function moduleMetadata(file: WeightFile, override: ModuleOverride): Record<string, string> {
  const inferred = inferModule(file.tensors, file.metadata);
  let module = inferred?.module;
  if (override.module !== undefined) {
    const asked = kinds[override.module.toLowerCase()];
    if (asked === undefined) {
      throw new RangeError(
        `--module must be one of ${Object.keys(kinds).join(', ')}, got "${override.module}"`,
      );
    }
    if (module !== undefined && module !== asked) {
      throw new RangeError(`--module ${override.module} contradicts the file, whose tensors are a ${module}`);
    }
    module = asked;
  }
  let given: Record<string, unknown> = {};
  if (override.options !== undefined) {
    try {
      given = JSON.parse(override.options);
    } catch (error) {
      throw new RangeError(
        `--options must be a JSON object: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new RangeError(`--options must be a JSON object, got ${override.options}`);
    }
  }
  const options: Record<string, unknown> = { ...inferred?.options };
  for (const [key, value] of Object.entries(given)) {
    if (inferred?.source === 'shapes' && key in inferred.options && inferred.options[key] !== value) {
      throw new RangeError(
        `--options ${key} = ${JSON.stringify(value)} contradicts the tensors' shapes, which give ${JSON.stringify(inferred.options[key])}`,
      );
    }
    options[key] = value;
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(file.metadata)) if (k !== 'format') metadata[k] = v;
  if (module !== undefined) {
    metadata[MODULE_METADATA_KEY] = module;
    metadata[OPTIONS_METADATA_KEY] = JSON.stringify(options);
  }
  return metadata;
}
