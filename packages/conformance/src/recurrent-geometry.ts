/**
 * The shapes PyTorch gives a recurrent module: its `state_dict` names and shapes, and the shapes of
 * its states and outputs. The file readers use them to refuse a file whose tensors do not fit its
 * module before the runner builds anything; nothing here depends on a backend.
 */
import {
  at,
  booleanAt,
  field,
  has,
  integerAt,
  mismatch,
  numberAt,
  objectAt,
  oneOfAt,
  type Raise,
} from './format-checks.js';

/** A recurrent module kind as fixture files name it. */
export type RecurrentKind = 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';

/** Sizes of a recurrent module, every default filled in (cells: one layer, one direction). */
export interface RecurrentGeometry {
  kind: RecurrentKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  bidirectional: boolean;
  /** 0 = no projection. */
  projSize: number;
}

/** Gate chunks packed in the weights (PyTorch's layout): LSTM i,f,g,o; GRU r,z,n; RNN one. */
// Core keeps its own count beside the composed cells but does not export it; this is the file side.
export function gatesOf(kind: RecurrentKind): number {
  return kind.startsWith('LSTM') ? 4 : kind.startsWith('GRU') ? 3 : 1;
}

/** True for the single-step cells. */
export function isCell(kind: RecurrentKind): boolean {
  return kind.endsWith('Cell');
}

/** True for the kinds that carry a cell state `c`. */
export function hasCellState(kind: RecurrentKind): boolean {
  return kind.startsWith('LSTM');
}

/** Directions per layer (1 or 2). */
export function directions(g: RecurrentGeometry): number {
  return g.bidirectional ? 2 : 1;
}

/** Features of `h` (the projection size when there is one). */
export function hiddenOut(g: RecurrentGeometry): number {
  return g.projSize > 0 ? g.projSize : g.hiddenSize;
}

/** Features per step of the output: `D · H_out` for modules, `H` for cells. */
export function outputFeatures(g: RecurrentGeometry): number {
  return isCell(g.kind) ? g.hiddenSize : directions(g) * hiddenOut(g);
}

/** `LSTM(inputSize=3, hiddenSize=4, numLayers=2, bidirectional, projSize=2)`, for messages. */
export function describeGeometry(g: RecurrentGeometry): string {
  const parts = [`inputSize=${g.inputSize}`, `hiddenSize=${g.hiddenSize}`];
  if (!isCell(g.kind)) parts.push(`numLayers=${g.numLayers}`);
  if (!g.bias) parts.push('bias=false');
  if (g.bidirectional) parts.push('bidirectional');
  if (g.projSize > 0) parts.push(`projSize=${g.projSize}`);
  return `${g.kind}(${parts.join(', ')})`;
}

/**
 * The module's `state_dict` entries in PyTorch's order, one at a time. A generator, so a reader that
 * stops at the first entry missing from a file never lists more entries than the file holds, however
 * large `numLayers` claims to be.
 */
export function* stateDictEntries(g: RecurrentGeometry): Generator<[string, number[]]> {
  const gates = gatesOf(g.kind) * g.hiddenSize;
  if (isCell(g.kind)) {
    yield ['weight_ih', [gates, g.inputSize]];
    yield ['weight_hh', [gates, g.hiddenSize]];
    if (g.bias) {
      yield ['bias_ih', [gates]];
      yield ['bias_hh', [gates]];
    }
    return;
  }
  const hOut = hiddenOut(g);
  for (let layer = 0; layer < g.numLayers; layer++) {
    for (let d = 0; d < directions(g); d++) {
      const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
      yield [`weight_ih${suffix}`, [gates, layer === 0 ? g.inputSize : directions(g) * hOut]];
      yield [`weight_hh${suffix}`, [gates, hOut]];
      if (g.bias) {
        yield [`bias_ih${suffix}`, [gates]];
        yield [`bias_hh${suffix}`, [gates]];
      }
      if (g.projSize > 0) yield [`weight_hr${suffix}`, [g.projSize, g.hiddenSize]];
    }
  }
}

/** Shapes of a forward pass: input sizes `batch` (null = unbatched) and `steps` (modules only). */
export interface RecurrentShapes {
  /** `h0` and `h_n` (cells: `h`). */
  h: number[];
  /** `c0` and `c_n` (cells: `c`). */
  c: number[];
  /** The output (cells: `h'`). */
  output: number[];
}

/** The state and output shapes PyTorch uses for `batch` rows (null = unbatched) of `steps` steps. */
export function recurrentShapes(g: RecurrentGeometry, batch: number | null, steps: number): RecurrentShapes {
  const rows = batch === null ? [] : [batch];
  if (isCell(g.kind)) {
    const h = [...rows, g.hiddenSize];
    return { h, c: h, output: h };
  }
  const stack = g.numLayers * directions(g);
  const features = outputFeatures(g);
  const output =
    batch === null ? [steps, features] : g.batchFirst ? [batch, steps, features] : [steps, batch, features];
  return { h: [stack, ...rows, hiddenOut(g)], c: [stack, ...rows, g.hiddenSize], output };
}

/** Option names a recurrent module takes in a fixture file (PyTorch's arguments in camelCase). */
const moduleOptionNames = [
  'inputSize',
  'hiddenSize',
  'numLayers',
  'bias',
  'batchFirst',
  'dropout',
  'bidirectional',
  'projSize',
  'nonlinearity',
];
const cellOptionNames = ['inputSize', 'hiddenSize', 'bias', 'nonlinearity'];

/**
 * Checks the options object of a recurrent module of `kind` (every value's type and range, unknown
 * names refused) and returns them as given, plus the geometry with defaults filled in. `projSize: 0`
 * and `nonlinearity: "tanh"` are accepted on every kind that has the option's default meaning.
 */
export function readRecurrentOptions(
  raise: Raise,
  path: string,
  kind: RecurrentKind,
  value: unknown,
): { options: Record<string, number | boolean | string>; geometry: RecurrentGeometry } {
  const o = objectAt(raise, path, value);
  const allowed = isCell(kind) ? cellOptionNames : moduleOptionNames;
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      raise(
        at(path, key),
        `unknown option ${JSON.stringify(key.slice(0, 40))} for ${kind} (expected one of ${allowed.join(', ')})`,
      );
    }
  }
  const given = (key: string) => field(o, key);
  const options: Record<string, number | boolean | string> = {};
  const keep = <T extends number | boolean | string>(
    key: string,
    read: (v: unknown) => T,
    fallback: T,
  ): T => {
    if (!has(o, key)) return fallback;
    const v = read(given(key));
    options[key] = v;
    return v;
  };
  const size = (key: string) => (v: unknown) => integerAt(raise, at(path, key), v, 1);
  const flag = (key: string) => (v: unknown) => booleanAt(raise, at(path, key), v);
  // Required by PyTorch's constructors; checked first so the ranges below can name them.
  const inputSize = integerAt(raise, at(path, 'inputSize'), given('inputSize'), 1);
  const hiddenSize = integerAt(raise, at(path, 'hiddenSize'), given('hiddenSize'), 1);
  options.inputSize = inputSize;
  options.hiddenSize = hiddenSize;
  const numLayers = keep('numLayers', size('numLayers'), 1);
  const bias = keep('bias', flag('bias'), true);
  const batchFirst = keep('batchFirst', flag('batchFirst'), false);
  keep('dropout', (v) => numberAt(raise, at(path, 'dropout'), v, 0, 1), 0);
  const bidirectional = keep('bidirectional', flag('bidirectional'), false);
  const projSize = keep(
    'projSize',
    (v) =>
      kind === 'LSTM'
        ? integerAt(raise, at(path, 'projSize'), v, 0, hiddenSize - 1, ' (less than hiddenSize)')
        : integerAt(raise, at(path, 'projSize'), v, 0, 0, ' (only LSTM projects)'),
    0,
  );
  keep(
    'nonlinearity',
    (v) =>
      kind === 'RNN' || kind === 'RNNCell'
        ? oneOfAt(raise, at(path, 'nonlinearity'), v, ['tanh', 'relu'] as const)
        : v === 'tanh'
          ? v
          : mismatch(raise, at(path, 'nonlinearity'), '"tanh" (only RNN and RNNCell take "relu")', v),
    'tanh',
  );
  const geometry: RecurrentGeometry = {
    kind,
    inputSize,
    hiddenSize,
    numLayers,
    bias,
    batchFirst,
    bidirectional,
    projSize,
  };
  return { options, geometry };
}
