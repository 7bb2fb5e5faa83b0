/**
 * The `recur-case/1` conformance case format (see CASE_FORMAT.md): a recurrent module with fixed
 * weights, its inputs, a scalar loss, and PyTorch's outputs and gradients. Parsing checks structure
 * and reports a clear per-case problem instead of crashing on a malformed file.
 */

/** A tensor as stored in a case file. */
export interface CaseTensor {
  shape: number[];
  data: number[];
}

/** Module kinds a case may name. */
export const caseModules = ['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell'] as const;

/** One module kind. */
export type CaseModule = (typeof caseModules)[number];

/** A parsed `recur-case/1` file. */
export interface ConformanceCase {
  format: 'recur-case/1';
  name: string;
  source?: string;
  module: string;
  options: Record<string, unknown>;
  dtype?: string;
  parameters: Record<string, CaseTensor>;
  inputs: { input: CaseTensor; h0?: CaseTensor; c0?: CaseTensor; lengths?: number[] };
  lossWeights: { output?: CaseTensor; hn?: CaseTensor; cn?: CaseTensor };
  expected: {
    output?: CaseTensor;
    hn?: CaseTensor;
    cn?: CaseTensor;
    loss?: number;
    grad?: Record<string, CaseTensor>;
  };
}

function isTensor(value: unknown): value is CaseTensor {
  if (value === null || typeof value !== 'object') return false;
  const t = value as CaseTensor;
  if (!Array.isArray(t.shape) || !Array.isArray(t.data)) return false;
  const size = t.shape.reduce((n, d) => n * d, 1);
  return (
    t.shape.every((d) => Number.isInteger(d) && d >= 0) &&
    t.data.length === size &&
    t.data.every((v) => typeof v === 'number')
  );
}

/** Throws an Error describing the first structural problem of `raw`, else returns it typed. */
export function parseCase(raw: unknown): ConformanceCase {
  if (raw === null || typeof raw !== 'object') throw new Error('case file is not a JSON object');
  const c = raw as ConformanceCase;
  if (c.format !== 'recur-case/1')
    throw new Error(`format must be "recur-case/1", got ${JSON.stringify(c.format)}`);
  if (typeof c.name !== 'string' || c.name === '') throw new Error('name must be a non-empty string');
  if (typeof c.module !== 'string') throw new Error('module must be a string');
  if (c.options === null || typeof c.options !== 'object') throw new Error('options must be an object');
  const tensors = (where: string, record: unknown, required: boolean) => {
    if (record === undefined && !required) return;
    if (record === null || typeof record !== 'object') throw new Error(`${where} must be an object`);
    for (const [k, v] of Object.entries(record)) {
      if (k !== 'lengths' && k !== 'loss' && k !== 'grad' && !isTensor(v)) {
        throw new Error(`${where}.${k} must be {shape, data} with data.length = product of shape`);
      }
    }
  };
  tensors('parameters', c.parameters, true);
  tensors('inputs', c.inputs, true);
  if (!isTensor(c.inputs.input)) throw new Error('inputs.input is required');
  if (c.inputs.lengths !== undefined && !Array.isArray(c.inputs.lengths))
    throw new Error('inputs.lengths must be an array');
  tensors('lossWeights', c.lossWeights ?? {}, true);
  tensors('expected', c.expected, true);
  tensors('expected.grad', c.expected.grad, false);
  if (c.expected.loss !== undefined && typeof c.expected.loss !== 'number')
    throw new Error('expected.loss must be a number');
  return { ...c, lossWeights: c.lossWeights ?? {} };
}

/** A case file that was read: either its parsed case or why it could not be used. */
export type LoadedCase =
  | { file: string; case: ConformanceCase }
  | { file: string; name: string; error: string };

/** Parses the JSON text (or already-parsed value) of case file `file`; a problem becomes an entry. */
export function loadedCase(file: string, content: unknown): LoadedCase {
  const fallbackName = file
    .split(/[\\/]/)
    .pop()!
    .replace(/\.json$/, '');
  try {
    return { file, case: parseCase(typeof content === 'string' ? JSON.parse(content) : content) };
  } catch (error) {
    return { file, name: fallbackName, error: error instanceof Error ? error.message : String(error) };
  }
}
