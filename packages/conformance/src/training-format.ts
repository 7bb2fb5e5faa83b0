/**
 * The `recur-train/1` training fixture format (tools/fixtures/README.md): a small `[Embedding,]
 * recurrent, Linear` model, a loss, an optimizer, optional gradient clipping, and PyTorch's loss,
 * total norm, gradients and parameters after each step. The reader is strict like the case reader:
 * every field is checked (types, ranges, shapes through the model, parameters = the model's
 * state_dict) and any problem is a {@link TrainingFormatError} naming the field.
 */
import {
  arrayAt,
  at,
  booleanAt,
  expectShape,
  FileFormatError,
  type FileTensor,
  field,
  fileNameAt,
  formatShape,
  has,
  integerAt,
  mismatch,
  numberAt,
  objectAt,
  oneOfAt,
  onlyKeys,
  parseJsonBytes,
  parseJsonText,
  type Raise,
  stringAt,
  tensorAt,
} from './format-checks.js';
import {
  describeGeometry,
  isCell,
  outputFeatures,
  type RecurrentGeometry,
  readRecurrentOptions,
  recurrentShapes,
  stateDictEntries,
} from './recurrent-geometry.js';

/** Layer kinds a training model may use. */
export const trainingModules = ['Embedding', 'RNN', 'LSTM', 'GRU', 'Linear'] as const;

/** One layer of the model, registered under `name` like an entry of `nn.ModuleDict`. */
export interface TrainingLayer {
  /** An identifier, unique in the model; prefixes the layer's parameter names (`rnn.weight_ih_l0`). */
  name: string;
  /** The layer kind. */
  module: (typeof trainingModules)[number];
  /** The layer's constructor options as checked (PyTorch's arguments in camelCase, e.g. `inFeatures`, `hiddenSize`). */
  options: Record<string, unknown>;
}

/** One recorded optimizer step. */
export interface TrainingStep {
  /** The loss PyTorch computed at this step, before the update. */
  loss: number;
  /** `clip_grad_norm_`'s total norm; null when the fixture does not clip. */
  totalNorm: number | null;
  /** The (clipped) gradients after backward, by parameter name. */
  grads: Record<string, FileTensor>;
  /** Parameters whose grad is set to None before `optimizer.step()` (the optimizer skips them). */
  noGrad?: string[];
  /** Every parameter after the step. */
  parameters: Record<string, FileTensor>;
}

/** A parsed `recur-train/1` fixture; every tensor fits the model (see {@link parseTrainingFixture}). */
export interface TrainingFixture {
  /** The format tag, always `recur-train/1`. */
  format: 'recur-train/1';
  /** The fixture's unique, file-name-safe name, used in reports. */
  name: string;
  /** What produced the recorded values, e.g. `torch 1.13.0`. */
  source?: string;
  /** The precision the recorded values were computed in. */
  dtype?: 'float32' | 'float64';
  /** The layers, applied in order (an Embedding only first, a Linear never first), e.g. `[Embedding,] LSTM, Linear`. */
  model: TrainingLayer[];
  /** The model's whole `state_dict` before the first step, by `<layer>.<parameter>` name. */
  parameters: Record<string, FileTensor>;
  /**
   * The model's input: token ids (rank 1 or 2) for an Embedding-first model, else the recurrent
   * module's input, `[T, N, inputSize]` (`[N, T, inputSize]` with `batchFirst`) or unbatched `[T, inputSize]`.
   */
  input: FileTensor;
  /** The loss of the model's output. */
  loss:
    | {
        /** Mean squared error (`mseLoss`). */
        kind: 'mse';
        /** The target, shaped like the model's output. */
        target: FileTensor;
      }
    | {
        /** Cross-entropy of the output reshaped to `[-1, C]` logits (`crossEntropy`). */
        kind: 'crossEntropy';
        /** One class id per row of the reshaped logits, `[rows]`, in the flattened order. */
        target: FileTensor;
        /** Target id that contributes neither loss nor gradient (PyTorch `ignore_index`, default -100). */
        ignoreIndex?: number;
      };
  /** The optimizer stepping every parameter of the model. */
  optimizer: {
    /** The `@recur/core` (and `torch.optim`) optimizer class. */
    kind: 'SGD' | 'Adam' | 'AdamW';
    /**
     * Every option of that kind, camelCase: SGD `lr`, `momentum`, `dampening`, `nesterov`,
     * `weightDecay`; Adam and AdamW `lr`, `betas`, `eps`, `weightDecay`, `amsgrad`.
     */
    options: Record<string, unknown>;
  };
  /** `clip_grad_norm_` between backward and the step, or `null` for none. */
  clipGradNorm: {
    /** The largest total norm the gradients are scaled down to (PyTorch `max_norm`). */
    maxNorm: number;
    /** The p of the p-norm, ≥ 1, or `inf` for the largest magnitude (PyTorch `norm_type`). */
    normType: number | 'inf';
  } | null;
  /** The recorded steps, in order (at least one). */
  steps: TrainingStep[];
}

/** A training fixture that does not follow `recur-train/1`; `path` is the offending field. */
export class TrainingFormatError extends FileFormatError {
  /** Always `TrainingFormatError`. */
  override name = 'TrainingFormatError';
}

const raise: Raise = (path, message) => {
  throw new TrainingFormatError(path, message);
};

const topLevelFields = [
  'format',
  'name',
  'source',
  'dtype',
  'model',
  'parameters',
  'input',
  'loss',
  'optimizer',
  'clipGradNorm',
  'steps',
];

/**
 * Checks `raw` (a parsed JSON value) against `recur-train/1` and returns the fixture, built afresh
 * from the checked fields only. Throws a {@link TrainingFormatError} for the first problem found.
 */
export function parseTrainingFixture(raw: unknown): TrainingFixture {
  if (Array.isArray(raw)) raise('', 'a training fixture must be a JSON object, got an array');
  const f = objectAt(raise, '', raw);
  const format = field(f, 'format');
  if (format !== 'recur-train/1') mismatch(raise, 'format', '"recur-train/1"', format);
  onlyKeys(raise, '', f, topLevelFields);
  const name = fileNameAt(raise, 'name', field(f, 'name'));
  const source = has(f, 'source') ? stringAt(raise, 'source', field(f, 'source')) : undefined;
  const dtype = has(f, 'dtype')
    ? oneOfAt(raise, 'dtype', field(f, 'dtype'), ['float32', 'float64'] as const)
    : undefined;
  const layers = readModel(field(f, 'model'));
  const parameters = readParameters(layers, 'parameters', field(f, 'parameters'));
  const input = tensorAt(raise, 'input', field(f, 'input'));
  const outputShape = modelOutputShape(layers, input);
  const loss = readLoss(field(f, 'loss'), outputShape);
  const optimizer = readOptimizer(field(f, 'optimizer'));
  const clipGradNorm = readClip(field(f, 'clipGradNorm'));
  const steps = readSteps(field(f, 'steps'), layers, parameters, clipGradNorm !== null);
  return {
    format: 'recur-train/1',
    name,
    ...(source === undefined ? {} : { source }),
    ...(dtype === undefined ? {} : { dtype }),
    model: layers.map(({ name, module, options }) => ({ name, module, options })),
    parameters,
    input,
    loss,
    optimizer,
    clipGradNorm,
    steps,
  };
}

/** A checked layer, with what the readers below need to know about it. */
interface Layer extends TrainingLayer {
  /** Features the layer takes in (`null` for an Embedding, which takes token ids). */
  inFeatures: number | null;
  /** Features it produces per position. */
  outFeatures: number;
  geometry?: RecurrentGeometry;
  /** Its state_dict entries (names without the layer prefix) with their shapes, lazily. */
  entries: () => Iterable<[string, number[]]>;
}

function readModel(value: unknown): Layer[] {
  const list = arrayAt(raise, 'model', value);
  if (list.length === 0) raise('model', 'model must list at least one layer');
  const layers: Layer[] = [];
  list.forEach((item, i) => {
    const path = at('model', i);
    const o = objectAt(raise, path, item);
    onlyKeys(raise, path, o, ['name', 'module', 'options']);
    const name = stringAt(raise, at(path, 'name'), field(o, 'name'));
    // Names prefix parameter names (`rnn.weight_ih_l0`), as in nn.Module: an identifier, once.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) mismatch(raise, at(path, 'name'), 'an identifier', name);
    if (layers.some((l) => l.name === name))
      raise(at(path, 'name'), `${at(path, 'name')} repeats the name "${name}"`);
    const module = oneOfAt(raise, at(path, 'module'), field(o, 'module'), trainingModules);
    const layer = readLayer(at(path, 'options'), name, module, field(o, 'options'));
    // The runner feeds the input to an Embedding (first only) or to a recurrent module, never to a Linear.
    if (module === 'Embedding' && i > 0)
      raise(at(path, 'module'), `${path} is an Embedding, which must come first`);
    if (module === 'Linear' && i === 0)
      raise(at(path, 'module'), 'model[0] must be an Embedding or a recurrent module, got Linear');
    const previous = layers[i - 1];
    if (previous !== undefined && layer.inFeatures !== previous.outFeatures) {
      const key = module === 'Linear' ? 'inFeatures' : 'inputSize';
      raise(
        at(at(path, 'options'), key),
        `${at(at(path, 'options'), key)} must be ${previous.outFeatures} (the features ${at('model', i - 1)} "${previous.name}" produces), got ${layer.inFeatures}`,
      );
    }
    layers.push(layer);
  });
  return layers;
}

function readLayer(path: string, name: string, module: Layer['module'], value: unknown): Layer {
  if (module === 'Embedding') {
    const o = objectAt(raise, path, value);
    onlyKeys(raise, path, o, ['numEmbeddings', 'embeddingDim', 'paddingIdx']);
    const count = integerAt(raise, at(path, 'numEmbeddings'), field(o, 'numEmbeddings'), 1);
    const dim = integerAt(raise, at(path, 'embeddingDim'), field(o, 'embeddingDim'), 1);
    const options: Record<string, unknown> = { numEmbeddings: count, embeddingDim: dim };
    const padding = field(o, 'paddingIdx');
    if (has(o, 'paddingIdx')) {
      options.paddingIdx =
        padding === null ? null : integerAt(raise, at(path, 'paddingIdx'), padding, -count, count - 1);
    }
    return {
      name,
      module,
      options,
      inFeatures: null,
      outFeatures: dim,
      entries: () => [['weight', [count, dim]]],
    };
  }
  if (module === 'Linear') {
    const o = objectAt(raise, path, value);
    onlyKeys(raise, path, o, ['inFeatures', 'outFeatures', 'bias']);
    const inF = integerAt(raise, at(path, 'inFeatures'), field(o, 'inFeatures'), 1);
    const outF = integerAt(raise, at(path, 'outFeatures'), field(o, 'outFeatures'), 1);
    const options: Record<string, unknown> = { inFeatures: inF, outFeatures: outF };
    const bias = has(o, 'bias') ? booleanAt(raise, at(path, 'bias'), field(o, 'bias')) : true;
    if (has(o, 'bias')) options.bias = bias;
    const entries = (): [string, number[]][] => [
      ['weight', [outF, inF]],
      ...(bias ? [['bias', [outF]] as [string, number[]]] : []),
    ];
    return { name, module, options, inFeatures: inF, outFeatures: outF, entries };
  }
  const { options, geometry } = readRecurrentOptions(raise, path, module, value);
  return {
    name,
    module,
    options,
    inFeatures: geometry.inputSize,
    outFeatures: outputFeatures(geometry),
    geometry,
    entries: () => stateDictEntries(geometry),
  };
}

/** Describes a layer for messages: `model[1] "rnn" LSTM(inputSize=3, …)`. */
function layerName(layers: Layer[], i: number): string {
  const l = layers[i]!;
  return `${at('model', i)} "${l.name}" ${l.geometry ? describeGeometry(l.geometry) : l.module}`;
}

/**
 * Parameters: exactly the model's state_dict (`<layer>.<name>`), each with its shape. The walk stops
 * at the first entry missing from the file, so it never lists more entries than the file holds.
 */
function readParameters(layers: Layer[], path: string, value: unknown): Record<string, FileTensor> {
  const p = objectAt(raise, path, value);
  const out: Record<string, FileTensor> = {};
  layers.forEach((layer, i) => {
    for (const [entry, shape] of layer.entries()) {
      const key = `${layer.name}.${entry}`;
      const where = at(path, key);
      if (!has(p, key))
        raise(where, `${where} is missing (${layerName(layers, i)} has it, shape ${formatShape(shape)})`);
      out[key] = tensorAt(raise, where, field(p, key));
      expectShape(raise, where, out[key]!, shape, `${entry} of ${layerName(layers, i)}`);
    }
  });
  for (const key of Object.keys(p)) {
    if (!Object.hasOwn(out, key)) raise(at(path, key), `${at(path, key)} is not a parameter of the model`);
  }
  return out;
}

/** Follows the input's shape through the layers (checking each fits) and returns the model's output shape. */
function modelOutputShape(layers: Layer[], input: FileTensor): number[] {
  let shape = input.shape;
  layers.forEach((layer, i) => {
    const fits = `input has shape ${formatShape(input.shape)}, so ${layerName(layers, i)} gets ${formatShape(shape)}`;
    if (layer.module === 'Embedding') {
      const count = layer.options.numEmbeddings as number;
      if (shape.length < 1 || shape.length > 2)
        raise('input.shape', `${fits}: token ids must have rank 1 or 2`);
      for (let k = 0; k < input.data.length; k++) {
        integerAt(
          raise,
          at('input.data', k),
          input.data[k],
          0,
          count - 1,
          ' (a token id below numEmbeddings)',
        );
      }
      shape = [...shape, layer.outFeatures];
    } else if (layer.geometry !== undefined) {
      const g = layer.geometry;
      if (shape.length !== 2 && shape.length !== 3)
        raise('input.shape', `${fits}: it needs rank 3 (batched) or 2`);
      if (shape[shape.length - 1] !== g.inputSize)
        raise('input.shape', `${fits}: the last axis must be inputSize ${g.inputSize}`);
      const batched = shape.length === 3 && !isCell(g.kind);
      const batch = batched ? shape[g.batchFirst ? 0 : 1]! : null;
      const steps = shape[batched && g.batchFirst ? 1 : 0]!;
      shape = recurrentShapes(g, batch, steps).output;
    } else {
      if (shape[shape.length - 1] !== layer.inFeatures)
        raise('input.shape', `${fits}: the last axis must be inFeatures ${layer.inFeatures}`);
      shape = [...shape.slice(0, -1), layer.outFeatures];
    }
  });
  return shape;
}

/** MSE against a target of the output's shape, or cross-entropy of class ids over the flattened positions. */
function readLoss(value: unknown, outputShape: number[]): TrainingFixture['loss'] {
  const o = objectAt(raise, 'loss', value);
  const kind = oneOfAt(raise, 'loss.kind', field(o, 'kind'), ['mse', 'crossEntropy'] as const);
  if (kind === 'mse') {
    onlyKeys(raise, 'loss', o, ['kind', 'target']);
    const target = tensorAt(raise, 'loss.target', field(o, 'target'));
    expectShape(raise, 'loss.target', target, outputShape, "the model's output shape");
    return { kind, target };
  }
  onlyKeys(raise, 'loss', o, ['kind', 'target', 'ignoreIndex']);
  const ignoreIndex = has(o, 'ignoreIndex')
    ? integerAt(raise, 'loss.ignoreIndex', field(o, 'ignoreIndex'), Number.MIN_SAFE_INTEGER)
    : undefined;
  const target = tensorAt(raise, 'loss.target', field(o, 'target'));
  // The runner reshapes the logits to [-1, C]; the target lists one class id per row, in that order.
  const classes = outputShape[outputShape.length - 1]!;
  const rows = outputShape.slice(0, -1).reduce((n, d) => n * d, 1);
  expectShape(
    raise,
    'loss.target',
    target,
    [rows],
    `one class id per row of the logits reshaped to [${rows}, ${classes}]`,
  );
  const ignored = ignoreIndex ?? -100;
  target.data.forEach((id, k) => {
    if (id !== ignored)
      integerAt(
        raise,
        at('loss.target.data', k),
        id,
        0,
        classes - 1,
        ` (a class id, or ignoreIndex ${ignored})`,
      );
  });
  return ignoreIndex === undefined ? { kind, target } : { kind, target, ignoreIndex };
}

/** Optimizer options: every key of the kind listed (fixtures write them all), each in its range. */
function readOptimizer(value: unknown): TrainingFixture['optimizer'] {
  const o = objectAt(raise, 'optimizer', value);
  onlyKeys(raise, 'optimizer', o, ['kind', 'options']);
  const kind = oneOfAt(raise, 'optimizer.kind', field(o, 'kind'), ['SGD', 'Adam', 'AdamW'] as const);
  const path = 'optimizer.options';
  const given = objectAt(raise, path, field(o, 'options'));
  const number = (key: string, max = Number.POSITIVE_INFINITY, maxOpen = false) =>
    numberAt(raise, at(path, key), field(given, key), 0, max, maxOpen);
  if (kind === 'SGD') {
    onlyKeys(raise, path, given, ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay']);
    const options = {
      lr: number('lr'),
      momentum: number('momentum'),
      dampening: number('dampening'),
      nesterov: booleanAt(raise, at(path, 'nesterov'), field(given, 'nesterov')),
      weightDecay: number('weightDecay'),
    };
    // torch.optim.SGD refuses Nesterov momentum without momentum or with dampening.
    if (options.nesterov && (options.momentum <= 0 || options.dampening !== 0)) {
      raise(
        at(path, 'nesterov'),
        `${at(path, 'nesterov')} needs momentum > 0 and dampening 0 (as torch.optim.SGD)`,
      );
    }
    return { kind, options };
  }
  onlyKeys(raise, path, given, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad']);
  const betas = arrayAt(raise, at(path, 'betas'), field(given, 'betas'));
  if (betas.length !== 2) mismatch(raise, at(path, 'betas'), 'a pair [β1, β2]', betas);
  const options = {
    lr: number('lr'),
    betas: betas.map((b, i) => numberAt(raise, at(at(path, 'betas'), i), b, 0, 1, true)),
    eps: number('eps'),
    weightDecay: number('weightDecay'),
    amsgrad: booleanAt(raise, at(path, 'amsgrad'), field(given, 'amsgrad')),
  };
  return { kind, options };
}

function readClip(value: unknown): TrainingFixture['clipGradNorm'] {
  if (value === null) return null;
  const o = objectAt(raise, 'clipGradNorm', value);
  onlyKeys(raise, 'clipGradNorm', o, ['maxNorm', 'normType']);
  const maxNorm = numberAt(raise, 'clipGradNorm.maxNorm', field(o, 'maxNorm'), 0);
  const type = field(o, 'normType');
  const normType = type === 'inf' ? 'inf' : numberAt(raise, 'clipGradNorm.normType', type, 1);
  return { maxNorm, normType };
}

/** Steps: loss, total norm (null exactly when not clipping), gradients and all parameters after it. */
function readSteps(
  value: unknown,
  layers: Layer[],
  parameters: Record<string, FileTensor>,
  clips: boolean,
): TrainingStep[] {
  const list = arrayAt(raise, 'steps', value);
  if (list.length === 0) raise('steps', 'steps must list at least one step');
  return list.map((item, k) => {
    const path = at('steps', k);
    const o = objectAt(raise, path, item);
    onlyKeys(raise, path, o, ['loss', 'totalNorm', 'grads', 'noGrad', 'parameters']);
    const loss = numberAt(raise, at(path, 'loss'), field(o, 'loss'));
    const norm = field(o, 'totalNorm');
    let totalNorm: number | null = null;
    if (clips) totalNorm = numberAt(raise, at(path, 'totalNorm'), norm, 0);
    else if (norm !== null) mismatch(raise, at(path, 'totalNorm'), 'null (clipGradNorm is null)', norm);
    const grads = objectAt(raise, at(path, 'grads'), field(o, 'grads'));
    const checkedGrads: Record<string, FileTensor> = {};
    for (const key of Object.keys(grads)) {
      const where = at(at(path, 'grads'), key);
      if (!Object.hasOwn(parameters, key)) raise(where, `${where} is not a parameter of the model`);
      checkedGrads[key] = tensorAt(raise, where, field(grads, key));
      expectShape(raise, where, checkedGrads[key]!, parameters[key]!.shape, `the shape of parameters.${key}`);
    }
    const step: TrainingStep = {
      loss,
      totalNorm,
      grads: checkedGrads,
      parameters: readParameters(layers, at(path, 'parameters'), field(o, 'parameters')),
    };
    if (has(o, 'noGrad')) {
      const noGrad = arrayAt(raise, at(path, 'noGrad'), field(o, 'noGrad'));
      const seen = new Set<string>();
      noGrad.forEach((n, i) => {
        const where = at(at(path, 'noGrad'), i);
        if (typeof n !== 'string' || !Object.hasOwn(parameters, n))
          mismatch(raise, where, 'a parameter name', n);
        if (seen.has(n as string)) raise(where, `${where} repeats "${n}"`);
        seen.add(n as string);
      });
      step.noGrad = noGrad as string[];
    }
    return step;
  });
}

/** Parses the JSON text of a training fixture; invalid JSON is a {@link TrainingFormatError} too. */
export function parseTrainingText(text: string): TrainingFixture {
  return parseTrainingFixture(parseJsonText(raise, text));
}

/** Parses the bytes of a training fixture (UTF-8 JSON). */
export function parseTrainingBytes(bytes: Uint8Array): TrainingFixture {
  return parseTrainingFixture(parseJsonBytes(raise, bytes));
}
