/**
 * The config of one Keras recurrent layer (`LSTM`, `GRU`, `SimpleRNN`, possibly inside `Bidirectional`)
 * read into what a PyTorch module can express. What changes the function computed and has no PyTorch
 * equivalent is refused, naming the key and its value; keys that only shape training (initializers,
 * regularizers, constraints, `unit_forget_bias`, a dropout `seed`) or only the implementation
 * (`unroll`, `implementation`, `use_cudnn`) are accepted; keys Recur does not know are refused.
 */
import { boolean, fail, integer, isObject, type JsonObject, number, object, show, string } from './json.js';
import type { TopologyLayer } from './topology.js';

/** Keras recurrent layer classes Recur reads, and the PyTorch module each is. */
export const kerasKinds = { LSTM: 'LSTM', GRU: 'GRU', SimpleRNN: 'RNN' } as const;

/** A Keras recurrent layer class. */
export type KerasKind = keyof typeof kerasKinds;

/** One recurrent layer of the stack, checked. */
export interface RecurrentLayer {
  readonly where: string;
  readonly kind: KerasKind;
  /** The layer's (for Bidirectional, the wrapper's) name: its weights are named `name/…`. */
  readonly name: string;
  readonly units: number;
  readonly bidirectional: boolean;
  readonly useBias: boolean;
  /** SimpleRNN's activation (LSTM and GRU: always tanh). */
  readonly nonlinearity: 'tanh' | 'relu';
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  /** `time_major` (tf.keras 2): the layer reads `[T, N, I]`. */
  readonly timeMajor: boolean;
  /** The last dimension of `batch_input_shape` / `batch_shape`, when the config gives one. */
  readonly declaredInputSize?: number;
}

/** Keys that change nothing Recur computes (training-only, implementation-only, or names). */
const benign = [
  'name',
  'trainable',
  'dtype',
  'batch_input_shape',
  'batch_shape',
  'batch_size',
  'input_dim',
  'input_length',
  'kernel_initializer',
  'recurrent_initializer',
  'bias_initializer',
  'kernel_regularizer',
  'recurrent_regularizer',
  'bias_regularizer',
  'activity_regularizer',
  'kernel_constraint',
  'recurrent_constraint',
  'bias_constraint',
  'implementation',
  'unroll',
  'seed',
  'use_cudnn',
  'zero_output_for_mask',
];
/** Keys whose values are checked. */
const checked = [
  'units',
  'activation',
  'use_bias',
  'dropout',
  'recurrent_dropout',
  'return_sequences',
  'return_state',
  'go_backwards',
  'stateful',
  'time_major',
  'num_constants',
];
const perKind: Record<KerasKind, readonly string[]> = {
  LSTM: ['recurrent_activation', 'unit_forget_bias'],
  GRU: ['recurrent_activation', 'reset_after'],
  SimpleRNN: [],
};

const flag = (config: JsonObject, key: string, where: string, fallback = false): boolean =>
  config[key] === undefined || config[key] === null ? fallback : boolean(config[key], `${where}: ${key}`);

/** The dtype of a layer or its policy (Keras 3 writes `{class_name: 'DTypePolicy', config: {name}}`). */
function checkDtype(value: unknown, where: string): void {
  if (value === undefined || value === null) return;
  const name = isObject(value) && isObject(value.config) ? value.config.name : value;
  if (name !== 'float32') {
    fail(
      `${where}: dtype = ${show(value)} is refused: Recur reads layers that compute in float32 (a mixed or 16-bit policy computes differently)`,
    );
  }
}

/** The last dimension of a declared input shape, if it is a number. */
export function declaredFeatures(config: JsonObject, where: string): number | undefined {
  const shape = config.batch_input_shape ?? config.batch_shape;
  if (!Array.isArray(shape) || shape.length === 0) return undefined;
  if (shape.length !== 3)
    fail(
      `${where}: the input shape ${show(shape)} is not [batch, time, features], which a recurrent layer reads`,
    );
  const last = shape[shape.length - 1];
  return last === null ? undefined : integer(last, `${where}: the input's feature size`, 1, 2 ** 31);
}

/**
 * Reads a recurrent layer's config. `role` says where it sits: a layer of its own, or the forward /
 * backward copy inside `Bidirectional` (whose backward copy runs with `go_backwards = true`).
 */
function readCell(
  kind: KerasKind,
  config: JsonObject,
  where: string,
  role: 'plain' | 'forward' | 'backward',
): Omit<RecurrentLayer, 'where' | 'name' | 'bidirectional'> {
  const known = [...benign, ...checked, ...perKind[kind]];
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) {
      fail(
        `${where}: ${key} = ${show(config[key])} is not a ${kind} setting Recur knows, so it cannot tell that PyTorch's module computes the same (known: ${known.join(', ')})`,
      );
    }
  }
  checkDtype(config.dtype, where);
  const units = integer(config.units, `${where}: units`, 1, 2 ** 31);
  const activation = config.activation === undefined ? 'tanh' : config.activation;
  let nonlinearity: 'tanh' | 'relu' = 'tanh';
  if (kind === 'SimpleRNN' && (activation === 'tanh' || activation === 'relu')) nonlinearity = activation;
  else if (activation !== 'tanh') {
    fail(
      `${where}: activation = ${show(activation)} is refused: PyTorch's ${kerasKinds[kind]} computes ${kind === 'SimpleRNN' ? '"tanh" or "relu"' : '"tanh"'} there`,
    );
  }
  if (kind !== 'SimpleRNN') {
    const recurrent = config.recurrent_activation;
    if (recurrent === 'hard_sigmoid') {
      fail(
        `${where}: recurrent_activation = "hard_sigmoid" is refused: it is a piecewise-linear approximation of the sigmoid, and PyTorch's ${kind} gates use the exact sigmoid. tfjs-layers defaults to it: build the layer with recurrentActivation: 'sigmoid' (Keras: recurrent_activation='sigmoid') and retrain or fine-tune`,
      );
    }
    if (recurrent !== 'sigmoid') {
      fail(
        `${where}: recurrent_activation = ${show(recurrent)} is refused: PyTorch's ${kind} gates use "sigmoid"${recurrent === undefined ? ' (Keras versions differ in the default, so the config must say)' : ''}`,
      );
    }
  }
  if (kind === 'GRU') {
    const resetAfter = config.reset_after;
    if (resetAfter !== true) {
      fail(
        `${where}: reset_after = ${show(resetAfter)} is refused: that is the "reset before" GRU, hh = tanh(x·W_h + b_h + (r ⊙ h)·U_h), a different function from PyTorch's GRU (reset_after = true: r ⊙ (h·U_h + b_rh)). tfjs-layers only builds reset-before GRUs; Keras 2.x and 3 default to reset_after = true`,
      );
    }
  }
  const rate = (key: string): number =>
    config[key] === undefined || config[key] === null ? 0 : number(config[key], `${where}: ${key}`);
  if (rate('recurrent_dropout') !== 0) {
    fail(
      `${where}: recurrent_dropout = ${rate('recurrent_dropout')} is refused: PyTorch's ${kerasKinds[kind]} has no dropout on the recurrent state`,
    );
  }
  if (rate('dropout') !== 0) {
    fail(
      `${where}: dropout = ${rate('dropout')} is refused: Keras drops this layer's inputs with one mask per sequence (every layer, the first too), while PyTorch's dropout acts between layers with a new mask per time step; set it to 0 (it does nothing at inference)`,
    );
  }
  const goBackwards = flag(config, 'go_backwards', where);
  if (role === 'plain' && goBackwards) {
    fail(
      `${where}: go_backwards = true is refused: no PyTorch module runs only backwards (nn.${kerasKinds[kind]} does so only beside a forward direction, bidirectional = True); reverse the sequence and use a forward layer`,
    );
  }
  if (role !== 'plain' && goBackwards !== (role === 'backward')) {
    fail(
      `${where}: go_backwards = ${goBackwards} in the ${role} layer of Bidirectional is refused: its directions would be swapped from PyTorch's`,
    );
  }
  if (flag(config, 'stateful', where)) {
    fail(
      `${where}: stateful = true is refused: the layer carries its state from one batch to the next, while PyTorch's module starts from the h0 it is given (zeros by default); save the model with stateful = false and pass the state explicitly`,
    );
  }
  if (config.num_constants !== undefined && config.num_constants !== null)
    fail(
      `${where}: num_constants = ${show(config.num_constants)} is refused: PyTorch's modules take no constants`,
    );
  if (kind === 'LSTM' && config.unit_forget_bias !== undefined && config.unit_forget_bias !== null)
    boolean(config.unit_forget_bias, `${where}: unit_forget_bias`); // initialisation only: any value reads
  return {
    kind,
    units,
    useBias: flag(config, 'use_bias', where, true),
    nonlinearity,
    returnSequences: flag(config, 'return_sequences', where),
    returnState: flag(config, 'return_state', where),
    timeMajor: flag(config, 'time_major', where),
    declaredInputSize: declaredFeatures(config, where),
  };
}

const isKerasKind = (name: string): name is KerasKind => Object.hasOwn(kerasKinds, name);

/** Whether a topology layer is a recurrent layer Recur reads (possibly inside Bidirectional). */
export function isRecurrent(layer: TopologyLayer): boolean {
  return isKerasKind(layer.className) || layer.className === 'Bidirectional';
}

/** Reads a recurrent topology layer (`LSTM`, `GRU`, `SimpleRNN`, or `Bidirectional` around one). */
export function readRecurrentLayer(layer: TopologyLayer): RecurrentLayer {
  const { className, config, where } = layer;
  const name = string(config.name, `${where}: name`);
  if (name.includes('/'))
    fail(`${where}: the layer name ${show(name)} contains "/", which weight names use as a separator`);
  if (isKerasKind(className))
    return { where, name, bidirectional: false, ...readCell(className, config, where, 'plain') };
  if (className !== 'Bidirectional') return fail(`${where} is not a recurrent layer`);
  const known = [
    'name',
    'trainable',
    'dtype',
    'layer',
    'backward_layer',
    'merge_mode',
    'batch_input_shape',
    'batch_shape',
  ];
  for (const key of Object.keys(config)) {
    if (!known.includes(key))
      fail(
        `${where}: ${key} = ${show(config[key])} is not a Bidirectional setting Recur knows (known: ${known.join(', ')})`,
      );
  }
  checkDtype(config.dtype, where);
  const mergeMode = config.merge_mode === undefined ? 'concat' : config.merge_mode;
  if (mergeMode !== 'concat') {
    fail(
      `${where}: merge_mode = ${show(mergeMode)} is refused: PyTorch's bidirectional modules concatenate the two directions (merge_mode = "concat")`,
    );
  }
  const inner = object(config.layer, `${where}: layer`);
  const innerClass = string(inner.class_name, `${where}: layer.class_name`);
  if (!isKerasKind(innerClass))
    return fail(
      `${where} wraps a ${show(innerClass)} layer; Recur reads Bidirectional LSTM, GRU and SimpleRNN`,
    );
  const innerWhere = `${where}, its ${innerClass}`;
  const forward = readCell(innerClass, object(inner.config, `${innerWhere}: config`), innerWhere, 'forward');
  if (config.backward_layer !== undefined && config.backward_layer !== null) {
    // Keras 3 always writes the backward copy; Keras 2 when it was given. It must be the same cell.
    const backward = object(config.backward_layer, `${where}: backward_layer`);
    const backwardClass = string(backward.class_name, `${where}: backward_layer.class_name`);
    const backWhere = `${where}, its backward ${backwardClass}`;
    if (backwardClass !== innerClass)
      fail(
        `${backWhere}: a ${backwardClass} backward of a ${innerClass} forward layer has no PyTorch module`,
      );
    const back = readCell(innerClass, object(backward.config, `${backWhere}: config`), backWhere, 'backward');
    for (const key of [
      'units',
      'useBias',
      'nonlinearity',
      'returnSequences',
      'returnState',
      'timeMajor',
    ] as const) {
      if (back[key] !== forward[key])
        fail(
          `${backWhere}: ${key} = ${show(back[key])} differs from the forward layer's ${show(forward[key])}`,
        );
    }
  }
  return {
    where,
    name,
    bidirectional: true,
    ...forward,
    declaredInputSize: declaredFeatures(config, where) ?? forward.declaredInputSize,
  };
}

/** A Dropout layer of the stack, checked. */
export interface DropoutLayer {
  readonly name: string;
  readonly rate: number;
  /** Whether `noise_shape` is set (one mask shared along some axes, e.g. every time step). */
  readonly noiseShape: boolean;
}

/** Reads a `Dropout` layer (identity at inference; see read.ts for what becomes of it). */
export function readDropout(layer: TopologyLayer): DropoutLayer {
  const { config, where } = layer;
  const known = ['name', 'trainable', 'dtype', 'rate', 'noise_shape', 'seed'];
  for (const key of Object.keys(config)) {
    if (!known.includes(key))
      fail(
        `${where}: ${key} = ${show(config[key])} is not a Dropout setting Recur knows (known: ${known.join(', ')})`,
      );
  }
  const rate = number(config.rate, `${where}: rate`);
  if (rate < 0 || rate >= 1) fail(`${where}: rate = ${rate} is not in [0, 1)`);
  return {
    name: string(config.name, `${where}: name`),
    rate,
    noiseShape: config.noise_shape !== undefined && config.noise_shape !== null,
  };
}
