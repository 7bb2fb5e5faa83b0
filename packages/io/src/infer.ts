/**
 * Which recurrent module a state dict belongs to, from Recur's metadata when a file carries it, else
 * from PyTorch's parameter names and shapes (`weight_ih_l0 [G·H, I]`, `weight_hh_l0 [G·H, H or P]`,
 * `weight_hr_l0 [P, H]`, `_reverse`, `bias_*`): G = 1, 3, 4 gates means RNN, GRU, LSTM.
 */

/** Module kinds a state dict can be recognised as. */
export type InferredKind = 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';

/** A recognised module: its kind, constructor options, and what the names and shapes cannot tell. */
export interface InferredModule {
  /** The module class to construct (`@recur/core`'s, named as PyTorch's `nn` modules). */
  readonly module: InferredKind;
  /** Options for the module's constructor (`inputSize`, `hiddenSize`, `numLayers`, …). */
  readonly options: Record<string, unknown>;
  /** `metadata` when the file said it, `shapes` when worked out from the parameters. */
  readonly source: 'metadata' | 'shapes';
  /** Options the shapes cannot reveal, left at PyTorch's defaults (e.g. `nonlinearity`, `batchFirst`). */
  readonly unknown: readonly string[];
}

const kinds: readonly InferredKind[] = ['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell'];
const byGates: Record<number, [InferredKind, InferredKind]> = {
  1: ['RNN', 'RNNCell'],
  3: ['GRU', 'GRUCell'],
  4: ['LSTM', 'LSTMCell'],
};

/** Metadata keys Recur writes: the module kind and its options as JSON. */
export const MODULE_METADATA_KEY = 'recur.module';
/** See {@link MODULE_METADATA_KEY}. */
export const OPTIONS_METADATA_KEY = 'recur.options';

/**
 * Recognises the module of `tensors` (name → shape), or returns undefined when they are not exactly
 * one RNN/LSTM/GRU or cell's parameters. Metadata written by Recur wins when it is well-formed.
 */
export function inferModule(
  tensors: Readonly<Record<string, { readonly shape: readonly number[] }>>,
  metadata: Readonly<Record<string, string>> = {},
): InferredModule | undefined {
  const fromMetadata = readMetadata(metadata);
  if (fromMetadata !== undefined) return fromMetadata;
  const shapes = new Map(Object.entries(tensors).map(([n, t]) => [n, [...t.shape]]));
  return shapes.has('weight_ih') ? inferCell(shapes) : inferLayers(shapes);
}

function readMetadata(metadata: Readonly<Record<string, string>>): InferredModule | undefined {
  const module = metadata[MODULE_METADATA_KEY];
  if (module === undefined || !kinds.includes(module as InferredKind)) return undefined;
  let options: unknown;
  try {
    options = JSON.parse(metadata[OPTIONS_METADATA_KEY] ?? '{}');
  } catch {
    return undefined;
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return undefined;
  return { module: module as InferredKind, options: { ...options }, source: 'metadata', unknown: [] };
}

function inferCell(shapes: Map<string, number[]>): InferredModule | undefined {
  const [gh, inputSize] = shapes.get('weight_ih')!;
  const hh = shapes.get('weight_hh');
  if (hh === undefined || gh === undefined || inputSize === undefined) return undefined;
  const hiddenSize = hh[1]!;
  const gates = gh / hiddenSize;
  const kind = byGates[gates]?.[1];
  if (kind === undefined) return undefined;
  const bias = shapes.has('bias_ih');
  const expected = new Map<string, number[]>([
    ['weight_ih', [gh, inputSize]],
    ['weight_hh', [gh, hiddenSize]],
  ]);
  if (bias) {
    expected.set('bias_ih', [gh]);
    expected.set('bias_hh', [gh]);
  }
  if (!sameEntries(shapes, expected)) return undefined;
  return {
    module: kind,
    options: { inputSize, hiddenSize, bias },
    source: 'shapes',
    unknown: kind === 'RNNCell' ? ['nonlinearity'] : [],
  };
}

function inferLayers(shapes: Map<string, number[]>): InferredModule | undefined {
  const ih = shapes.get('weight_ih_l0');
  const hh = shapes.get('weight_hh_l0');
  if (ih?.length !== 2 || hh?.length !== 2) return undefined;
  const hr = shapes.get('weight_hr_l0');
  const hiddenSize = hr !== undefined ? hr[1]! : hh[1]!;
  const projSize = hr !== undefined ? hr[0]! : 0;
  const gates = ih[0]! / hiddenSize;
  const kind = byGates[gates]?.[0];
  if (kind === undefined || (projSize > 0 && kind !== 'LSTM')) return undefined;
  let numLayers = 0;
  while (shapes.has(`weight_ih_l${numLayers}`)) numLayers++;
  const bidirectional = shapes.has('weight_ih_l0_reverse');
  const bias = shapes.has('bias_ih_l0');
  const inputSize = ih[1]!;
  const out = projSize > 0 ? projSize : hiddenSize;
  const gh = gates * hiddenSize;
  const expected = new Map<string, number[]>();
  for (let layer = 0; layer < numLayers; layer++) {
    for (const suffix of bidirectional ? ['', '_reverse'] : ['']) {
      const s = `_l${layer}${suffix}`;
      expected.set(`weight_ih${s}`, [gh, layer === 0 ? inputSize : out * (bidirectional ? 2 : 1)]);
      expected.set(`weight_hh${s}`, [gh, out]);
      if (bias) {
        expected.set(`bias_ih${s}`, [gh]);
        expected.set(`bias_hh${s}`, [gh]);
      }
      if (projSize > 0) expected.set(`weight_hr${s}`, [projSize, hiddenSize]);
    }
  }
  if (!sameEntries(shapes, expected)) return undefined;
  const options: Record<string, unknown> = { inputSize, hiddenSize, numLayers, bias, bidirectional };
  if (kind === 'LSTM') options.projSize = projSize;
  const unknown = ['batchFirst', 'dropout', ...(kind === 'RNN' ? ['nonlinearity'] : [])];
  return { module: kind, options, source: 'shapes', unknown };
}

function sameEntries(actual: Map<string, number[]>, expected: Map<string, number[]>): boolean {
  if (actual.size !== expected.size) return false;
  for (const [name, shape] of expected) {
    const got = actual.get(name);
    if (got === undefined || got.length !== shape.length || !got.every((d, i) => d === shape[i]))
      return false;
  }
  return true;
}
