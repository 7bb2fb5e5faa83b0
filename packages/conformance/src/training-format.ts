/**
 * The `recur-train/1` training fixture format (docs/case-format.md, "Training fixtures"): a small
 * `[Embedding,] recurrent, [LayerNorm,] Linear` model, a loss, an optimizer (with parameter groups), an
 * optional learning-rate scheduler, optional gradient clipping, and PyTorch's loss, lr, total norm,
 * gradients and parameters at each step. The reader is strict like the case reader:
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
export const trainingModules = ['Embedding', 'RNN', 'LSTM', 'GRU', 'LayerNorm', 'Linear'] as const;

/** Loss kinds a training fixture may name (see {@link TrainingFixture.loss}). */
export const trainingLosses = [
  'mse',
  'l1',
  'smoothL1',
  'huber',
  'crossEntropy',
  'nll',
  'bce',
  'bceWithLogits',
] as const;

/** Optimizer kinds a training fixture may name (`@recur/core` and `torch.optim` classes). */
export const trainingOptimizers = ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad'] as const;

/** Scheduler kinds a training fixture may name (`lrScheduler.*` and `torch.optim.lr_scheduler.*`). */
export const trainingSchedulers = [
  'StepLR',
  'MultiStepLR',
  'ExponentialLR',
  'CosineAnnealingLR',
  'LinearLR',
  'LambdaLR',
  'OneCycleLR',
  'ReduceLROnPlateau',
  'SequentialLR',
] as const;

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
  /** Every group's lr used by this step's `optimizer.step()` (before the scheduler steps); exactly when the fixture has a scheduler. */
  lr?: number[];
  /** The (clipped) gradients after backward, by parameter name (may be absent, or list only some). */
  grads?: Record<string, FileTensor>;
  /** Parameters whose grad is set to None before `optimizer.step()` (the optimizer skips them). */
  noGrad?: string[];
  /** Every parameter after the step; required at the last step, optional before. */
  parameters?: Record<string, FileTensor>;
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
  /**
   * The loss of the model's output `out` (`[T, N, C]`, `[N, T, C]` with `batchFirst`, or unbatched `[T, C]`).
   * `mse`, `l1`, `smoothL1`, `huber`, `bce` (of `sigmoid(out)`) and `bceWithLogits` compare `out` with a
   * target of its shape; `crossEntropy` and `nll` (of `logSoftmax(out)`) take `out` reshaped to
   * `[rows, C]` logits and one class id per row (or, for `crossEntropy`, class probabilities `[rows, C]`).
   */
  loss: {
    /** Which loss (`mseLoss`, `l1Loss`, `smoothL1Loss`, `huberLoss`, `crossEntropy`, `nllLoss`, `binaryCrossEntropy`, `binaryCrossEntropyWithLogits`). */
    kind: (typeof trainingLosses)[number];
    /** The target: the output's shape, or class ids `[rows]` / probabilities `[rows, C]` (crossEntropy, nll). */
    target: FileTensor;
    /** PyTorch's `reduction` (default `mean`). */
    reduction?: 'mean' | 'sum' | 'none';
    /** With reduction `none` only (then required): the scalar trained on is `sum(loss ⊙ upstream)`; shaped like the unreduced loss. */
    upstream?: FileTensor;
    /** crossEntropy, nll with class ids: the id that contributes nothing (default -100). */
    ignoreIndex?: number;
    /** Per-class weight `[C]` (crossEntropy, nll; bce and bceWithLogits: broadcast over the last axis). */
    weight?: FileTensor;
    /** bceWithLogits: weight of the positive term per class, `[C]`. */
    posWeight?: FileTensor;
    /** crossEntropy: label smoothing in [0, 1] (default 0). */
    labelSmoothing?: number;
    /** smoothL1: where the loss turns from quadratic to linear (≥ 0, default 1). */
    beta?: number;
    /** huber: where the loss turns from quadratic to linear (> 0, default 1). */
    delta?: number;
  };
  /** The optimizer stepping every parameter of the model. */
  optimizer: {
    /** The `@recur/core` (and `torch.optim`) optimizer class. */
    kind: (typeof trainingOptimizers)[number];
    /**
     * Every option of that kind, camelCase: SGD `lr`, `momentum`, `dampening`, `nesterov`,
     * `weightDecay`; Adam and AdamW `lr`, `betas`, `eps`, `weightDecay`, `amsgrad`; RMSprop `lr`,
     * `alpha`, `eps`, `weightDecay`, `momentum`, `centered`; Adagrad `lr`, `lrDecay`, `weightDecay`,
     * `initialAccumulatorValue`, `eps`. With `groups`, these are the defaults.
     */
    options: Record<string, unknown>;
    /**
     * Parameter groups, in order, each listing its parameters and the options it overrides (camelCase);
     * absent: one group of every parameter in `model.parameters()` order.
     */
    groups?: {
      /** Parameter names (`rnn.weight_ih_l0`); every parameter of the model is in exactly one group. */
      params: string[];
      /** An option of the optimizer's kind overriding the default for this group (`lr`, `weightDecay`, …). */
      [option: string]: unknown;
    }[];
  };
  /** A learning-rate scheduler stepped once after every `optimizer.step()`; absent: none. */
  scheduler?: {
    /** The scheduler class. `ReduceLROnPlateau` is stepped with the step's loss. */
    kind: (typeof trainingSchedulers)[number];
    /**
     * Its options in camelCase as `@recur/core` names them (`stepSize`, `tMax`, `maxLr`, …; no
     * `lastEpoch`). `LambdaLR`'s `lrLambda` is a table of factors, `factor(epoch) = table[min(epoch,
     * length − 1)]`, one for all groups or one per group; `SequentialLR`'s `schedulers` are nested
     * `{kind, options}`.
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
  /** `clip_grad_value_` between backward and the step (instead of `clipGradNorm`, which is then null); absent: none. */
  clipGradValue?: number;
  /** The recorded steps, in order (at least one). */
  steps: TrainingStep[];
}

/** The loss of a fixture. */
type TrainingLoss = TrainingFixture['loss'];
/** One parameter group of a fixture's optimizer. */
type TrainingParamGroup = NonNullable<TrainingFixture['optimizer']['groups']>[number];
/** A fixture's scheduler. */
type TrainingScheduler = NonNullable<TrainingFixture['scheduler']>;

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
  'scheduler',
  'clipGradNorm',
  'clipGradValue',
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
  const optimizer = readOptimizer(field(f, 'optimizer'), parameters);
  const groupCount = optimizer.groups?.length ?? 1;
  const stepCount = arrayAt(raise, 'steps', field(f, 'steps')).length;
  const scheduler = has(f, 'scheduler')
    ? readScheduler('scheduler', field(f, 'scheduler'), optimizer.kind, groupCount, stepCount, true)
    : undefined;
  const clipGradNorm = readClip(field(f, 'clipGradNorm'));
  const clipGradValue = has(f, 'clipGradValue')
    ? numberAt(raise, 'clipGradValue', field(f, 'clipGradValue'), 0)
    : undefined;
  if (clipGradValue !== undefined && clipGradNorm !== null)
    raise('clipGradValue', 'clipGradValue needs clipGradNorm null (a fixture clips one way)');
  const steps = readSteps(field(f, 'steps'), layers, parameters, clipGradNorm !== null, {
    scheduled: scheduler !== undefined,
    groupCount,
  });
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
    ...(scheduler === undefined ? {} : { scheduler }),
    clipGradNorm,
    ...(clipGradValue === undefined ? {} : { clipGradValue }),
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
    if ((module === 'Linear' || module === 'LayerNorm') && i === 0)
      raise(at(path, 'module'), `model[0] must be an Embedding or a recurrent module, got ${module}`);
    const previous = layers[i - 1];
    if (previous !== undefined && layer.inFeatures !== previous.outFeatures) {
      const key =
        module === 'Linear' ? 'inFeatures' : module === 'LayerNorm' ? 'normalizedShape' : 'inputSize';
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
  if (module === 'LayerNorm') {
    const o = objectAt(raise, path, value);
    onlyKeys(raise, path, o, ['normalizedShape', 'eps', 'elementwiseAffine']);
    // Normalised over the last axis only: normalizedShape is [features].
    const shape = arrayAt(raise, at(path, 'normalizedShape'), field(o, 'normalizedShape'));
    if (shape.length !== 1)
      mismatch(raise, at(path, 'normalizedShape'), 'one size [features] (the last axis)', shape);
    const features = integerAt(raise, at(at(path, 'normalizedShape'), 0), shape[0], 1);
    const options: Record<string, unknown> = { normalizedShape: [features] };
    if (has(o, 'eps')) options.eps = numberAt(raise, at(path, 'eps'), field(o, 'eps'), 0);
    const affine = has(o, 'elementwiseAffine')
      ? booleanAt(raise, at(path, 'elementwiseAffine'), field(o, 'elementwiseAffine'))
      : true;
    if (has(o, 'elementwiseAffine')) options.elementwiseAffine = affine;
    const entries = (): [string, number[]][] =>
      affine
        ? [
            ['weight', [features]],
            ['bias', [features]],
          ]
        : [];
    return { name, module, options, inFeatures: features, outFeatures: features, entries };
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
      if (shape[shape.length - 1] !== layer.inFeatures) {
        const what = layer.module === 'LayerNorm' ? 'normalizedShape[0]' : 'inFeatures';
        raise('input.shape', `${fits}: the last axis must be ${what} ${layer.inFeatures}`);
      }
      shape = [...shape.slice(0, -1), layer.outFeatures];
    }
  });
  return shape;
}

/** Options each loss kind takes besides `kind`, `target`, `reduction` and `upstream`. */
const lossOptions: Record<TrainingLoss['kind'], readonly string[]> = {
  mse: [],
  l1: [],
  smoothL1: ['beta'],
  huber: ['delta'],
  crossEntropy: ['ignoreIndex', 'weight', 'labelSmoothing'],
  nll: ['ignoreIndex', 'weight'],
  bce: ['weight'],
  bceWithLogits: ['weight', 'posWeight'],
};

/**
 * The loss: an elementwise loss against a target of the output's shape, or crossEntropy / nll over the
 * output reshaped to `[rows, C]`: one class id per row (or class probabilities `[rows, C]`, crossEntropy).
 */
function readLoss(value: unknown, outputShape: number[]): TrainingLoss {
  const o = objectAt(raise, 'loss', value);
  const kind = oneOfAt(raise, 'loss.kind', field(o, 'kind'), trainingLosses);
  onlyKeys(raise, 'loss', o, ['kind', 'target', 'reduction', 'upstream', ...lossOptions[kind]]);
  const loss: TrainingLoss = { kind, target: tensorAt(raise, 'loss.target', field(o, 'target')) };
  const { target } = loss;
  const classes = outputShape[outputShape.length - 1]!;
  const rows = outputShape.slice(0, -1).reduce((n, d) => n * d, 1);
  const classwise = kind === 'crossEntropy' || kind === 'nll';
  const probabilities = kind === 'crossEntropy' && target.shape.length === 2;
  if (has(o, 'ignoreIndex')) {
    loss.ignoreIndex = integerAt(raise, 'loss.ignoreIndex', field(o, 'ignoreIndex'), Number.MIN_SAFE_INTEGER);
    // As PyTorch: an ignoreIndex that could be a class id makes no sense with class probabilities.
    if (probabilities && loss.ignoreIndex >= 0)
      mismatch(raise, 'loss.ignoreIndex', 'negative with class-probability targets', loss.ignoreIndex);
  }
  if (probabilities) {
    expectShape(
      raise,
      'loss.target',
      target,
      [rows, classes],
      `class probabilities of the logits reshaped to [${rows}, ${classes}]`,
    );
  } else if (classwise) {
    // The runner reshapes the logits to [-1, C]; the target lists one class id per row, in that order.
    expectShape(
      raise,
      'loss.target',
      target,
      [rows],
      `one class id per row of the logits reshaped to [${rows}, ${classes}]`,
    );
    const ignored = loss.ignoreIndex ?? -100;
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
  } else {
    expectShape(raise, 'loss.target', target, outputShape, "the model's output shape");
  }
  for (const key of ['weight', 'posWeight'] as const) {
    if (!has(o, key)) continue;
    const t = tensorAt(raise, at('loss', key), field(o, key));
    expectShape(raise, at('loss', key), t, [classes], 'one value per class (the last axis)');
    loss[key] = t;
  }
  if (has(o, 'labelSmoothing'))
    loss.labelSmoothing = numberAt(raise, 'loss.labelSmoothing', field(o, 'labelSmoothing'), 0, 1);
  if (has(o, 'beta')) loss.beta = numberAt(raise, 'loss.beta', field(o, 'beta'), 0);
  if (has(o, 'delta')) {
    const delta = field(o, 'delta');
    if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta))
      mismatch(raise, 'loss.delta', 'a finite number > 0', delta);
    loss.delta = delta;
  }
  if (has(o, 'reduction'))
    loss.reduction = oneOfAt(raise, 'loss.reduction', field(o, 'reduction'), [
      'mean',
      'sum',
      'none',
    ] as const);
  if (loss.reduction === 'none') {
    if (!has(o, 'upstream'))
      raise(
        'loss.upstream',
        'loss.upstream is missing (reduction "none" needs it: the loss trained on is sum(loss ⊙ upstream))',
      );
    loss.upstream = tensorAt(raise, 'loss.upstream', field(o, 'upstream'));
    const shape = classwise ? [rows] : outputShape;
    expectShape(raise, 'loss.upstream', loss.upstream, shape, 'the shape of the unreduced loss');
  } else if (has(o, 'upstream')) {
    raise('loss.upstream', 'loss.upstream is only for reduction "none"');
  }
  return loss;
}

/** Checks one option value and returns it as checked. */
type OptionCheck = (path: string, value: unknown) => unknown;

const nonNegative: OptionCheck = (path, v) => numberAt(raise, path, v, 0);
const flag: OptionCheck = (path, v) => booleanAt(raise, path, v);
const betasCheck: OptionCheck = (path, v) => {
  const betas = arrayAt(raise, path, v);
  if (betas.length !== 2) mismatch(raise, path, 'a pair [β1, β2]', betas);
  return betas.map((b, i) => numberAt(raise, at(path, i), b, 0, 1, true));
};

/** Every option of each optimizer kind (fixtures write them all in `options`; groups override some). */
const optimizerOptions: Record<TrainingFixture['optimizer']['kind'], Record<string, OptionCheck>> = {
  SGD: {
    lr: nonNegative,
    momentum: nonNegative,
    dampening: nonNegative,
    nesterov: flag,
    weightDecay: nonNegative,
  },
  Adam: { lr: nonNegative, betas: betasCheck, eps: nonNegative, weightDecay: nonNegative, amsgrad: flag },
  AdamW: { lr: nonNegative, betas: betasCheck, eps: nonNegative, weightDecay: nonNegative, amsgrad: flag },
  RMSprop: {
    lr: nonNegative,
    alpha: nonNegative,
    eps: nonNegative,
    weightDecay: nonNegative,
    momentum: nonNegative,
    centered: flag,
  },
  Adagrad: {
    lr: nonNegative,
    lrDecay: nonNegative,
    weightDecay: nonNegative,
    initialAccumulatorValue: nonNegative,
    eps: nonNegative,
  },
};

/**
 * Optimizer options: every key of the kind listed, each in its range; optional parameter groups, which
 * list every parameter of the model exactly once and override some of the options.
 */
function readOptimizer(value: unknown, parameters: Record<string, FileTensor>): TrainingFixture['optimizer'] {
  const o = objectAt(raise, 'optimizer', value);
  onlyKeys(raise, 'optimizer', o, ['kind', 'options', 'groups']);
  const kind = oneOfAt(raise, 'optimizer.kind', field(o, 'kind'), trainingOptimizers);
  const checks = optimizerOptions[kind];
  const keys = Object.keys(checks);
  const path = 'optimizer.options';
  const given = objectAt(raise, path, field(o, 'options'));
  onlyKeys(raise, path, given, keys);
  const options: Record<string, unknown> = {};
  for (const key of keys) options[key] = checks[key]!(at(path, key), field(given, key));
  const nesterov = (where: string, merged: Record<string, unknown>) => {
    // torch.optim.SGD refuses Nesterov momentum without momentum or with dampening.
    if (merged.nesterov && ((merged.momentum as number) <= 0 || merged.dampening !== 0)) {
      raise(where, `${where} needs momentum > 0 and dampening 0 (as torch.optim.SGD)`);
    }
  };
  if (kind === 'SGD') nesterov(at(path, 'nesterov'), options);
  if (!has(o, 'groups')) return { kind, options };
  const list = arrayAt(raise, 'optimizer.groups', field(o, 'groups'));
  if (list.length === 0) raise('optimizer.groups', 'optimizer.groups must list at least one group');
  const owner = new Map<string, number>();
  const groups = list.map((item, g) => {
    const gPath = at('optimizer.groups', g);
    const go = objectAt(raise, gPath, item);
    onlyKeys(raise, gPath, go, ['params', ...keys]);
    const names = arrayAt(raise, at(gPath, 'params'), field(go, 'params'));
    if (names.length === 0)
      raise(at(gPath, 'params'), `${at(gPath, 'params')} must list at least one parameter`);
    names.forEach((n, i) => {
      const where = at(at(gPath, 'params'), i);
      if (typeof n !== 'string' || !Object.hasOwn(parameters, n))
        mismatch(raise, where, 'a parameter name', n);
      if (owner.has(n)) raise(where, `${where} "${n}" is already in optimizer.groups[${owner.get(n)}]`);
      owner.set(n, g);
    });
    // torch 1.13's Adagrad fills every state's `sum` with the constructor's value, whatever the group says.
    if (kind === 'Adagrad' && has(go, 'initialAccumulatorValue'))
      raise(
        at(gPath, 'initialAccumulatorValue'),
        `${at(gPath, 'initialAccumulatorValue')} is not allowed: torch.optim.Adagrad ignores a group's initialAccumulatorValue (it uses the constructor's for every group)`,
      );
    const group: TrainingParamGroup = { params: names as string[] };
    for (const key of keys) if (has(go, key)) group[key] = checks[key]!(at(gPath, key), field(go, key));
    if (kind === 'SGD') nesterov(at(gPath, 'nesterov'), { ...options, ...group });
    return group;
  });
  for (const name of Object.keys(parameters)) {
    if (!owner.has(name))
      raise('optimizer.groups', `optimizer.groups must list every parameter; "${name}" is in none`);
  }
  return { kind, options, groups };
}

/** A number ≥ min, or an array of one per parameter group. */
function perGroupAt(path: string, value: unknown, groups: number, min = 0): number | number[] {
  if (!Array.isArray(value)) return numberAt(raise, path, value, min);
  if (value.length !== groups)
    mismatch(raise, path, `a number or ${groups} numbers (one per parameter group)`, value);
  return value.map((v, i) => numberAt(raise, at(path, i), v, min));
}

/** A strictly positive finite number. */
const positive: OptionCheck = (path, v) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0))
    mismatch(raise, path, 'a finite number > 0', v);
  return v;
};
const integer =
  (min: number): OptionCheck =>
  (path, v) =>
    integerAt(raise, path, v, min);
const integers: OptionCheck = (path, v) =>
  arrayAt(raise, path, v).map((x, i) => integerAt(raise, at(path, i), x, 0));
const unit: OptionCheck = (path, v) => numberAt(raise, path, v, 0, 1);

/**
 * Checks a scheduler (`top`: the fixture's own, not one nested in a SequentialLR) against the optimizer
 * (its kind, its number of groups) and the number of steps.
 */
function readScheduler(
  path: string,
  value: unknown,
  optimizerKind: TrainingFixture['optimizer']['kind'],
  groups: number,
  steps: number,
  top: boolean,
): TrainingScheduler {
  const o = objectAt(raise, path, value);
  onlyKeys(raise, path, o, ['kind', 'options']);
  const kindPath = at(path, 'kind');
  const kind = oneOfAt(raise, kindPath, field(o, 'kind'), trainingSchedulers);
  if (!top && (kind === 'SequentialLR' || kind === 'ReduceLROnPlateau'))
    raise(kindPath, `${kindPath} ${kind} cannot be inside a SequentialLR`);
  const oPath = at(path, 'options');
  const given = objectAt(raise, oPath, field(o, 'options'));
  const perGroup: OptionCheck = (p, v) => perGroupAt(p, v, groups);
  // key → [check, required]
  const specs: Record<TrainingScheduler['kind'], Record<string, [OptionCheck, boolean]>> = {
    StepLR: { stepSize: [integer(1), true], gamma: [nonNegative, false] },
    MultiStepLR: { milestones: [integers, true], gamma: [nonNegative, false] },
    ExponentialLR: { gamma: [nonNegative, true] },
    CosineAnnealingLR: { tMax: [integer(1), true], etaMin: [nonNegative, false] },
    LinearLR: {
      startFactor: [
        (p, v) => {
          const x = positive(p, v) as number;
          if (x > 1) mismatch(raise, p, 'a number in (0, 1]', v);
          return x;
        },
        false,
      ],
      endFactor: [unit, false],
      totalIters: [integer(1), false],
    },
    LambdaLR: {
      lrLambda: [
        (p, v) => {
          const table = (tp: string, t: unknown) => {
            const list = arrayAt(raise, tp, t);
            if (list.length === 0) mismatch(raise, tp, 'a non-empty table of factors', t);
            return list.map((x, i) => numberAt(raise, at(tp, i), x, 0));
          };
          const list = arrayAt(raise, p, v);
          if (!Array.isArray(list[0])) return table(p, v);
          if (list.length !== groups)
            mismatch(raise, p, `one table or ${groups} tables (one per parameter group)`, v);
          return list.map((t, i) => table(at(p, i), t));
        },
        true,
      ],
    },
    OneCycleLR: {
      maxLr: [perGroup, true],
      totalSteps: [integer(1), false],
      epochs: [integer(1), false],
      stepsPerEpoch: [integer(1), false],
      pctStart: [unit, false],
      annealStrategy: [(p, v) => oneOfAt(raise, p, v, ['cos', 'linear'] as const), false],
      cycleMomentum: [flag, false],
      baseMomentum: [perGroup, false],
      maxMomentum: [perGroup, false],
      divFactor: [positive, false],
      finalDivFactor: [positive, false],
      threePhase: [flag, false],
    },
    ReduceLROnPlateau: {
      mode: [(p, v) => oneOfAt(raise, p, v, ['min', 'max'] as const), false],
      factor: [(p, v) => numberAt(raise, p, v, 0, 1, true), false],
      patience: [integer(0), false],
      threshold: [nonNegative, false],
      thresholdMode: [(p, v) => oneOfAt(raise, p, v, ['rel', 'abs'] as const), false],
      cooldown: [integer(0), false],
      minLr: [perGroup, false],
      eps: [nonNegative, false],
    },
    SequentialLR: {
      schedulers: [
        (p, v) => {
          const list = arrayAt(raise, p, v);
          if (list.length === 0) mismatch(raise, p, 'at least one scheduler', v);
          return list.map((s, i) => readScheduler(at(p, i), s, optimizerKind, groups, steps, false));
        },
        true,
      ],
      milestones: [integers, true],
    },
  };
  const spec = specs[kind];
  onlyKeys(raise, oPath, given, Object.keys(spec));
  const options: Record<string, unknown> = {};
  for (const [key, [check, required]] of Object.entries(spec)) {
    if (has(given, key) || required) options[key] = check(at(oPath, key), field(given, key));
  }
  if (kind === 'OneCycleLR') {
    const total =
      (options.totalSteps as number | undefined) ??
      (options.epochs !== undefined && options.stepsPerEpoch !== undefined
        ? (options.epochs as number) * (options.stepsPerEpoch as number)
        : undefined);
    if (total === undefined)
      raise(
        at(oPath, 'totalSteps'),
        `${at(oPath, 'totalSteps')} is missing (or give epochs and stepsPerEpoch)`,
      );
    // PyTorch refuses to step past totalSteps; the fixture steps once per recorded step.
    if (top && steps > total)
      raise(at(oPath, 'totalSteps'), `${at(oPath, 'totalSteps')} must be ≥ the ${steps} steps, got ${total}`);
    if ((options.cycleMomentum ?? true) && optimizerKind === 'Adagrad')
      raise(
        at(oPath, 'cycleMomentum'),
        `${at(oPath, 'cycleMomentum')} must be false with Adagrad (it has no momentum)`,
      );
  }
  if (kind === 'SequentialLR') {
    const count = (options.schedulers as unknown[]).length;
    const milestones = options.milestones as number[];
    if (milestones.length !== count - 1)
      mismatch(
        raise,
        at(oPath, 'milestones'),
        `${count - 1} milestones (one fewer than schedulers)`,
        milestones,
      );
    milestones.forEach((m, i) => {
      if (i > 0 && m < milestones[i - 1]!)
        mismatch(raise, at(at(oPath, 'milestones'), i), `≥ ${milestones[i - 1]} (ascending)`, m);
    });
  }
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

/**
 * Steps: loss, total norm (null exactly when not clipping by norm), the groups' lr (exactly when
 * scheduled), gradients (optional), parameters after it (optional, except at the last step).
 */
function readSteps(
  value: unknown,
  layers: Layer[],
  parameters: Record<string, FileTensor>,
  clips: boolean,
  { scheduled, groupCount }: { scheduled: boolean; groupCount: number },
): TrainingStep[] {
  const list = arrayAt(raise, 'steps', value);
  if (list.length === 0) raise('steps', 'steps must list at least one step');
  return list.map((item, k) => {
    const path = at('steps', k);
    const o = objectAt(raise, path, item);
    onlyKeys(raise, path, o, ['loss', 'totalNorm', 'lr', 'grads', 'noGrad', 'parameters']);
    const loss = numberAt(raise, at(path, 'loss'), field(o, 'loss'));
    const norm = field(o, 'totalNorm');
    let totalNorm: number | null = null;
    if (clips) totalNorm = numberAt(raise, at(path, 'totalNorm'), norm, 0);
    else if (norm !== null) mismatch(raise, at(path, 'totalNorm'), 'null (clipGradNorm is null)', norm);
    const step: TrainingStep = { loss, totalNorm };
    if (scheduled) {
      const lr = arrayAt(raise, at(path, 'lr'), field(o, 'lr'));
      if (lr.length !== groupCount)
        mismatch(raise, at(path, 'lr'), `${groupCount} learning rates (one per parameter group)`, lr);
      step.lr = lr.map((v, i) => numberAt(raise, at(at(path, 'lr'), i), v, 0));
    } else if (has(o, 'lr')) {
      raise(at(path, 'lr'), `${at(path, 'lr')} is only for a fixture with a scheduler`);
    }
    if (has(o, 'grads')) {
      const grads = objectAt(raise, at(path, 'grads'), field(o, 'grads'));
      const checkedGrads: Record<string, FileTensor> = {};
      for (const key of Object.keys(grads)) {
        const where = at(at(path, 'grads'), key);
        if (!Object.hasOwn(parameters, key)) raise(where, `${where} is not a parameter of the model`);
        checkedGrads[key] = tensorAt(raise, where, field(grads, key));
        expectShape(
          raise,
          where,
          checkedGrads[key]!,
          parameters[key]!.shape,
          `the shape of parameters.${key}`,
        );
      }
      step.grads = checkedGrads;
    }
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
    if (has(o, 'parameters') || k === list.length - 1) {
      // The final weights are always there; earlier steps may leave them out (long runs stay small).
      step.parameters = readParameters(layers, at(path, 'parameters'), field(o, 'parameters'));
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
