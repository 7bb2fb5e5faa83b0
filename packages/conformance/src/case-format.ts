/**
 * The `recur-case/1` conformance case format (see docs/case-format.md): a recurrent module with fixed
 * weights, its inputs, a scalar loss, and PyTorch's outputs and gradients. The reader is strict: it
 * accepts every file the format allows and refuses anything else with a {@link CaseFormatError}
 * naming the field, what was expected and what was found, so the runner never meets a value it does
 * not expect (and a malformed file is one per-case error, never a crash).
 */
import {
  arrayAt,
  at,
  describe,
  expectShape,
  FileFormatError,
  type FileTensor,
  field,
  fileNameAt,
  formatShape,
  has,
  integerAt,
  type JsonObject,
  mismatch,
  numberAt,
  objectAt,
  onlyKeys,
  parseJsonBytes,
  parseJsonText,
  type Raise,
  stringAt,
  tensorAt,
} from './format-checks.js';
import {
  describeGeometry,
  hasCellState,
  isCell,
  type RecurrentGeometry,
  type RecurrentShapes,
  readRecurrentOptions,
  recurrentShapes,
  stateDictEntries,
} from './recurrent-geometry.js';

/** A tensor as stored in a case file: row-major `data` of `shape`. */
export type CaseTensor = FileTensor;

/** Module kinds a case may name. */
export const caseModules = ['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell'] as const;

/** One module kind. */
export type CaseModule = (typeof caseModules)[number];

/** Constructor options of a case's module: PyTorch's arguments in camelCase, as the file gives them. */
export interface CaseOptions {
  /** Features per input step, the last axis of `inputs.input` (PyTorch `input_size`, ≥ 1). */
  inputSize: number;
  /** Features of the hidden state `h` (PyTorch `hidden_size`, ≥ 1). */
  hiddenSize: number;
  /** Stacked recurrent layers (PyTorch `num_layers`, default 1); modules only, not cells. */
  numLayers?: number;
  /** Whether the module has the `bias_ih` / `bias_hh` parameters (default true). */
  bias?: boolean;
  /** Input and output are `[N, T, *]` instead of `[T, N, *]` (PyTorch `batch_first`, default false); modules only. */
  batchFirst?: boolean;
  /** Dropout probability between layers, in [0, 1]; cases run in eval mode, so it does not act. Modules only. */
  dropout?: number;
  /** Runs each layer in both directions, D = 2 (PyTorch `bidirectional`, default false); modules only. */
  bidirectional?: boolean;
  /** LSTM only (0 = none). */
  projSize?: number;
  /** RNN and RNNCell only. */
  nonlinearity?: 'tanh' | 'relu';
}

/** A parsed `recur-case/1` file; every tensor fits the module (see {@link parseCase}). */
export interface ConformanceCase {
  /** The format tag, always `recur-case/1`. */
  format: 'recur-case/1';
  /** The case's unique, file-name-safe name, used in reports. */
  name: string;
  /** What produced the expected values, e.g. `torch 1.13.0`. */
  source?: string;
  /** The module kind to build. */
  module: CaseModule;
  /** The module's constructor options. */
  options: CaseOptions;
  /** The precision the reference values were computed in. */
  dtype?: 'float32' | 'float64';
  /** The module's whole `state_dict` by PyTorch name (`weight_ih_l0`, …), each with PyTorch's shape. */
  parameters: Record<string, CaseTensor>;
  /** The weight file the parameters were read from (relative to the case file), when the case names one. */
  weights?: string;
  /** What the module is run on, as PyTorch receives it. */
  inputs: {
    /**
     * The input sequence: `[T, N, inputSize]` (`[N, T, inputSize]` with `batchFirst`) or unbatched
     * `[T, inputSize]` for modules; `[N, inputSize]` or `[inputSize]` for cells.
     */
    input: CaseTensor;
    /**
     * Initial hidden state (omitted = zeros): `[numLayers·D, N, H_out]` for modules (`H_out` is
     * `projSize` when set, else `hiddenSize`), `[N, hiddenSize]` for cells; no `N` axis when unbatched.
     */
    h0?: CaseTensor;
    /** Initial LSTM / LSTMCell cell state, shaped like `h0` but with `hiddenSize` features; only given with `h0`. */
    c0?: CaseTensor;
    /** Per-batch-row sequence lengths in [1, T] (`pack_padded_sequence(enforce_sorted=False)` semantics); modules, batched input only. */
    lengths?: number[];
  };
  /**
   * Weights of the scalar loss `Σ output ⊙ W_output + Σ h_n ⊙ W_hn + Σ c_n ⊙ W_cn`, each shaped like
   * the output it weights; an absent term is not part of the loss.
   */
  lossWeights: {
    /** Weights of the output (for cells: the new `h`). */
    output?: CaseTensor;
    /** Weights of the final hidden state `h_n` (modules only). */
    hn?: CaseTensor;
    /** Weights of the final cell state `c_n` (LSTM, LSTMCell: the new `c`). */
    cn?: CaseTensor;
  };
  /** PyTorch's reference values; at least one is present. */
  expected: {
    /** The output (for cells: the new `h`). */
    output?: CaseTensor;
    /** The final hidden state `h_n`, shaped like `h0` (modules only). */
    hn?: CaseTensor;
    /** The final cell state `c_n` (LSTM; for LSTMCell: the new `c`). */
    cn?: CaseTensor;
    /** The scalar loss built from `lossWeights`. */
    loss?: number;
    /** d loss / d each input given (`input`, `h0`, `c0`) and parameter, by name, each shaped like its tensor. */
    grad?: Record<string, CaseTensor>;
  };
}

/**
 * A case file that does not follow `recur-case/1`. `path` is the offending field (`inputs.lengths[0]`,
 * empty for the file as a whole); the message names it, the expected and the actual value.
 */
export class CaseFormatError extends FileFormatError {
  /** Always `CaseFormatError`. */
  override name = 'CaseFormatError';
}

const raise: Raise = (path, message) => {
  throw new CaseFormatError(path, message);
};

const topLevelFields = [
  'format',
  'name',
  'source',
  'module',
  'options',
  'dtype',
  'parameters',
  'weights',
  'inputs',
  'lossWeights',
  'expected',
];

/**
 * Checks `raw` (a parsed JSON value) against `recur-case/1` and returns the case, built afresh from
 * the checked fields only. Throws a {@link CaseFormatError} for the first problem found.
 */
export function parseCase(raw: unknown, parseOptions: ParseCaseOptions = {}): ConformanceCase {
  if (Array.isArray(raw)) raise('', 'a case file must be a JSON object, got an array');
  const c = objectAt(raise, '', raw);
  const format = field(c, 'format');
  if (format !== 'recur-case/1') mismatch(raise, 'format', '"recur-case/1"', format);
  onlyKeys(raise, '', c, topLevelFields);
  const name = fileNameAt(raise, 'name', field(c, 'name'));
  const source = has(c, 'source') ? stringAt(raise, 'source', field(c, 'source')) : undefined;
  const module = field(c, 'module');
  if (typeof module !== 'string' || !(caseModules as readonly string[]).includes(module)) {
    // describe, not String: String([[[…]]]) recurses as deep as the file nests.
    raise('module', `unknown module ${describe(module)} (expected one of ${caseModules.join(', ')})`);
  }
  const kind = module as CaseModule;
  const { options, geometry } = readRecurrentOptions(raise, 'options', kind, field(c, 'options'));
  const dtype = readDtype(c);
  const weights = has(c, 'weights') ? stringAt(raise, 'weights', field(c, 'weights')) : undefined;
  const parameters = readParameters(
    geometry,
    weights === undefined ? field(c, 'parameters') : loadWeights(c, weights, parseOptions),
  );
  const { inputs, shapes } = readInputs(geometry, field(c, 'inputs'));
  const lossWeights = has(c, 'lossWeights') ? readLossWeights(geometry, shapes, field(c, 'lossWeights')) : {};
  const expected = readExpected(geometry, shapes, inputs, parameters, field(c, 'expected'));
  return {
    format: 'recur-case/1',
    name,
    ...(source === undefined ? {} : { source }),
    module: kind,
    // readRecurrentOptions checked every key CaseOptions lists, with its type and range.
    options: options as unknown as CaseOptions,
    ...(dtype === undefined ? {} : { dtype }),
    parameters,
    ...(weights === undefined ? {} : { weights }),
    inputs,
    lossWeights,
    expected,
  };
}

/** Options of {@link parseCase}. */
export interface ParseCaseOptions {
  /**
   * Reads the weight file a case names in `"weights"` (a path relative to the case file) and returns
   * its tensors by state-dict name. Without it, such a case is refused (a browser has no files).
   */
  readonly readWeights?: (path: string) => Record<
    string,
    {
      /** The tensor's shape, PyTorch's for that `state_dict` entry. */
      readonly shape: readonly number[];
      /** Its values in row-major order. */
      readonly data: ArrayLike<number>;
    }
  >;
}

/** The parameters of a case that gives `"weights"` instead of `"parameters"`, read through the loader. */
function loadWeights(c: JsonObject, path: string, options: ParseCaseOptions): unknown {
  if (has(c, 'parameters')) raise('weights', 'weights and parameters are both given; give one of them');
  if (options.readWeights === undefined) {
    raise(
      'weights',
      `weights names the file "${path}", but this loader cannot read files (use loadCases in Node)`,
    );
  }
  let tensors: ReturnType<NonNullable<ParseCaseOptions['readWeights']>>;
  try {
    tensors = options.readWeights!(path);
  } catch (error) {
    return raise(
      'weights',
      `weights "${path}" cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // The reader's values become plain tensors, checked by readParameters like inline ones.
  return Object.fromEntries(
    Object.entries(tensors).map(([name, t]) => [name, { shape: [...t.shape], data: Array.from(t.data) }]),
  );
}

function readDtype(c: JsonObject): 'float32' | 'float64' | undefined {
  if (!has(c, 'dtype')) return undefined;
  const dtype = field(c, 'dtype');
  if (dtype !== 'float32' && dtype !== 'float64')
    return mismatch(raise, 'dtype', '"float32" or "float64"', dtype);
  return dtype;
}

/** The module's whole `state_dict`, each with PyTorch's shape; nothing missing, nothing else. */
function readParameters(g: RecurrentGeometry, value: unknown): Record<string, CaseTensor> {
  const p = objectAt(raise, 'parameters', value);
  const out: Record<string, CaseTensor> = {};
  const module = describeGeometry(g);
  // Entries are produced one at a time and the first missing one stops the walk, so a huge
  // numLayers costs no more than the entries the file really has.
  for (const [name, shape] of stateDictEntries(g)) {
    const path = at('parameters', name);
    if (!has(p, name)) raise(path, `${path} is missing (${module} has it, shape ${formatShape(shape)})`);
    const t = tensorAt(raise, path, field(p, name));
    expectShape(raise, path, t, shape, `${name} of ${module}`);
    out[name] = t;
  }
  for (const key of Object.keys(p)) {
    if (!Object.hasOwn(out, key))
      raise(at('parameters', key), `${at('parameters', key)} is not a parameter of ${module}`);
  }
  return out;
}

/** The input (its rank says batched or not), optional h0 / c0 and lengths, checked against the module. */
function readInputs(
  g: RecurrentGeometry,
  value: unknown,
): { inputs: ConformanceCase['inputs']; shapes: RecurrentShapes } {
  const o = objectAt(raise, 'inputs', value);
  const cell = isCell(g.kind);
  onlyKeys(raise, 'inputs', o, [
    'input',
    'h0',
    ...(hasCellState(g.kind) ? ['c0'] : []),
    ...(cell ? [] : ['lengths']),
  ]);
  const input = tensorAt(raise, 'inputs.input', field(o, 'input'));
  const rank = input.shape.length;
  const batchedRank = cell ? 2 : 3;
  if (rank !== batchedRank && rank !== batchedRank - 1) {
    const layout = cell
      ? '2 ([N, inputSize]) or 1 (unbatched [inputSize])'
      : `3 (${g.batchFirst ? '[N, T, inputSize]' : '[T, N, inputSize]'}) or 2 (unbatched [T, inputSize])`;
    raise(
      'inputs.input.shape',
      `inputs.input must have rank ${layout}, got shape ${formatShape(input.shape)}`,
    );
  }
  expectShape(
    raise,
    'inputs.input',
    input,
    [...input.shape.slice(0, -1), g.inputSize],
    `the last axis is inputSize of ${describeGeometry(g)}`,
  );
  const batched = rank === batchedRank;
  const batch = batched ? input.shape[cell || g.batchFirst ? 0 : 1]! : null;
  const steps = cell ? 1 : input.shape[batched && g.batchFirst ? 1 : 0]!;
  const shapes = recurrentShapes(g, batch, steps);
  const why = `for ${describeGeometry(g)} and input ${formatShape(input.shape)}`;
  const inputs: ConformanceCase['inputs'] = { input };
  if (has(o, 'h0')) {
    inputs.h0 = tensorAt(raise, 'inputs.h0', field(o, 'h0'));
    expectShape(raise, 'inputs.h0', inputs.h0, shapes.h, why);
  }
  if (has(o, 'c0')) {
    // PyTorch takes (h0, c0) together; a c0 alone would be ignored by the runner.
    if (!has(o, 'h0')) raise('inputs.c0', 'inputs.c0 needs inputs.h0 (PyTorch takes (h0, c0) together)');
    inputs.c0 = tensorAt(raise, 'inputs.c0', field(o, 'c0'));
    expectShape(raise, 'inputs.c0', inputs.c0, shapes.c, why);
  }
  if (has(o, 'lengths')) inputs.lengths = readLengths(field(o, 'lengths'), batch, steps, input.shape);
  return { inputs, shapes };
}

/** pack_padded_sequence lengths: one integer in [1, T] per batch row, batched input only. */
function readLengths(value: unknown, batch: number | null, steps: number, inputShape: number[]): number[] {
  if (batch === null) {
    raise(
      'inputs.lengths',
      `inputs.lengths needs batched input (rank 3), got input shape ${formatShape(inputShape)}`,
    );
  }
  const lengths = arrayAt(raise, 'inputs.lengths', value);
  if (lengths.length !== batch) {
    raise(
      'inputs.lengths',
      `inputs.lengths must have one entry per batch row (${batch}), got ${lengths.length} entr${lengths.length === 1 ? 'y' : 'ies'}`,
    );
  }
  for (let i = 0; i < lengths.length; i++) {
    integerAt(raise, at('inputs.lengths', i), lengths[i], 1, steps, ' (the sequence length)');
  }
  return lengths as number[];
}

/** The tensors of `lossWeights` / `expected` a module produces, with the shape each must have. */
function producedShapes(g: RecurrentGeometry, shapes: RecurrentShapes): [string, number[]][] {
  return [
    ['output', shapes.output],
    ...(isCell(g.kind) ? [] : ([['hn', shapes.h]] as [string, number[]][])),
    ...(hasCellState(g.kind) ? ([['cn', shapes.c]] as [string, number[]][]) : []),
  ];
}

/** Loss weights: each term optional, each with the shape of the output it weights. */
function readLossWeights(
  g: RecurrentGeometry,
  shapes: RecurrentShapes,
  value: unknown,
): ConformanceCase['lossWeights'] {
  const o = objectAt(raise, 'lossWeights', value);
  const produced = producedShapes(g, shapes);
  onlyKeys(
    raise,
    'lossWeights',
    o,
    produced.map(([k]) => k),
  );
  const out: Record<string, CaseTensor> = {};
  for (const [key, shape] of produced) {
    if (!has(o, key)) continue;
    const path = at('lossWeights', key);
    out[key] = tensorAt(raise, path, field(o, key));
    expectShape(raise, path, out[key]!, shape, `the shape of ${describeGeometry(g)}'s ${key}`);
  }
  return out;
}

/** References: outputs, loss and gradients of the inputs given and of the parameters; at least one. */
function readExpected(
  g: RecurrentGeometry,
  shapes: RecurrentShapes,
  inputs: ConformanceCase['inputs'],
  parameters: Record<string, CaseTensor>,
  value: unknown,
): ConformanceCase['expected'] {
  const o = objectAt(raise, 'expected', value);
  const produced = producedShapes(g, shapes);
  onlyKeys(raise, 'expected', o, [...produced.map(([k]) => k), 'loss', 'grad']);
  const out: ConformanceCase['expected'] = {};
  const tensors = out as Record<string, CaseTensor>;
  for (const [key, shape] of produced) {
    if (!has(o, key)) continue;
    const path = at('expected', key);
    tensors[key] = tensorAt(raise, path, field(o, key));
    expectShape(raise, path, tensors[key]!, shape, `${describeGeometry(g)}'s ${key}`);
  }
  if (has(o, 'loss')) out.loss = numberAt(raise, 'expected.loss', field(o, 'loss'));
  if (has(o, 'grad')) out.grad = readGradients(g, inputs, parameters, field(o, 'grad'));
  const references =
    (['output', 'hn', 'cn'] as const).filter((k) => out[k] !== undefined).length +
    (out.loss === undefined ? 0 : 1) +
    Object.keys(out.grad ?? {}).length;
  // A case with nothing to compare would pass on any backend.
  if (references === 0) {
    raise('expected', 'expected holds no reference value (give at least one of output, hn, cn, loss, grad)');
  }
  return out;
}

/** Gradients, each named after an input given or a parameter, with that tensor's shape. */
function readGradients(
  g: RecurrentGeometry,
  inputs: ConformanceCase['inputs'],
  parameters: Record<string, CaseTensor>,
  value: unknown,
): Record<string, CaseTensor> {
  const o = objectAt(raise, 'expected.grad', value);
  const out: Record<string, CaseTensor> = {};
  for (const key of Object.keys(o)) {
    const path = at('expected.grad', key);
    const of =
      key === 'input' || key === 'h0' || key === 'c0'
        ? inputs[key]
        : Object.hasOwn(parameters, key)
          ? parameters[key]
          : undefined;
    if (of === undefined) {
      raise(
        path,
        key === 'h0' || key === 'c0'
          ? `${path} needs inputs.${key} (gradients are taken for the inputs given)`
          : `${path} is neither an input nor a parameter of ${describeGeometry(g)}`,
      );
    }
    out[key] = tensorAt(raise, path, field(o, key));
    expectShape(
      raise,
      path,
      out[key]!,
      of.shape,
      Object.hasOwn(inputs, key) ? `the shape of inputs.${key}` : `the shape of parameters.${key}`,
    );
  }
  return out;
}

/** Parses the JSON text of a case file; invalid JSON is a {@link CaseFormatError} like any other problem. */
export function parseCaseText(text: string): ConformanceCase {
  return parseCase(parseJsonText(raise, text));
}

/** Parses the bytes of a case file (UTF-8 JSON), as the command line reads them from disk. */
export function parseCaseBytes(bytes: Uint8Array): ConformanceCase {
  return parseCase(parseJsonBytes(raise, bytes));
}

/** A case file that was read: either its parsed case or why it could not be used. */
export type LoadedCase =
  | {
      /** The path of the case file. */
      file: string;
      /** The parsed case. */
      case: ConformanceCase;
    }
  | {
      /** The path of the case file. */
      file: string;
      /** The case's own `name` when readable, else the file's name without `.json`. */
      name: string;
      /** Why the file could not be used (the reader's message, naming the field). */
      error: string;
    };

/**
 * Parses case file `file` from its bytes, its JSON text or its already-parsed value; any problem
 * becomes an entry with the message (never a crash), so one bad file costs one row of a report. The
 * entry is named after the file's own `name` when that is readable, else after the file.
 */
export function loadedCase(file: string, content: unknown, options: ParseCaseOptions = {}): LoadedCase {
  let raw: unknown;
  try {
    raw =
      content instanceof Uint8Array
        ? parseJsonBytes(raise, content)
        : typeof content === 'string'
          ? parseJsonText(raise, content)
          : content;
    return { file, case: parseCase(raw, options) };
  } catch (error) {
    return {
      file,
      name: entryName(file, raw),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The `name` a malformed case gives itself, if it is a usable one; else the file's name. */
function entryName(file: string, raw: unknown): string {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    try {
      return fileNameAt(raise, 'name', field(raw as JsonObject, 'name'));
    } catch {
      // An unusable name is reported by parseCase already; the file name stands in for it.
    }
  }
  return file
    .split(/[\\/]/)
    .pop()!
    .replace(/\.json$/, '');
}
