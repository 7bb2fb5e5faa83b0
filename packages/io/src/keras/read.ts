/**
 * `readTfjsLayers`: the recurrent stack of a tfjs-layers / Keras `model.json` as a PyTorch-named state
 * dict and the Recur module that computes what the model computes.
 */
import { WeightFileError } from '../errors.js';
import type { InferredKind, InferredModule } from '../infer.js';
import { MODULE_METADATA_KEY, OPTIONS_METADATA_KEY } from '../infer.js';
import type { WeightFile, WeightTensor } from '../tensor-entry.js';
import { kerasGateCount, kernelToTorch, reorderBias } from './gates.js';
import { array, fail, type JsonObject, object, parseJson, show, string } from './json.js';
import {
  type DropoutLayer,
  declaredFeatures,
  isRecurrent,
  kerasKinds,
  type RecurrentLayer,
  readDropout,
  readRecurrentLayer,
} from './layers.js';
import {
  concatenateWeightData,
  type DecodedWeight,
  decodeWeight,
  expectFloat32,
  readWeightSpecs,
  type WeightSpec,
} from './manifest.js';
import { readTopology, type Topology, type TopologyLayer } from './topology.js';

/** Weight data as tfjs gives it: one buffer, or the shards in `weightsManifest` order. */
export type TfjsWeightData = Uint8Array | ArrayBuffer | readonly (Uint8Array | ArrayBuffer)[];

/**
 * Reads a tfjs-layers model: `model` is a `model.json` (its text or bytes, or parsed: `modelTopology` +
 * `weightsManifest`) or the artifacts tfjs' in-memory IO handlers see (`modelTopology` + `weightSpecs`
 * + `weightData`); `weightData` is the weight bytes (the shards concatenated, or the list of shards in
 * manifest order), and may be left out when `model.weightData` holds them.
 *
 * The model must be one recurrent stack: an optional `InputLayer`, then `LSTM`, `GRU` or `SimpleRNN`
 * layers of one kind and size, each possibly in `Bidirectional` (`merge_mode = "concat"`), every layer
 * but the last returning sequences. Returns PyTorch's names (`weight_ih_l0`, `bias_hh_l1_reverse`, …)
 * with W = kernelᵀ, gates reordered (GRU z|r|h → r|z|n), the module kind and options (`batchFirst`
 * true unless `time_major`, `inputSize`, `hiddenSize` = units, `numLayers`, `bidirectional`, `bias`,
 * `nonlinearity`), and `metadata['keras.output']`: `sequence` when the model returns the whole output
 * (Recur's `output`), `final-state` when it returns the last layer's final state (Recur's `h_n` of the
 * last layer, both directions concatenated).
 *
 * Refuses, with a {@link WeightFileError} naming the layer, the key and its value: `hard_sigmoid` or any
 * recurrent activation but sigmoid, activations PyTorch does not compute, a GRU with `reset_after`
 * false (every GRU tfjs-layers builds), non-zero `dropout` / `recurrent_dropout`, `go_backwards`,
 * `stateful`, merge modes but concat, a layer of any other class (Dense, Masking, …), and a malformed or
 * inconsistent manifest (names, shapes, dtypes, byte lengths against the data given).
 */
export function readTfjsLayers(
  model: unknown,
  weightData?: TfjsWeightData,
): WeightFile & {
  /** The Recur module the file describes: kind and constructor options, worked out from its layers. */
  module: InferredModule;
} {
  const text = model instanceof Uint8Array ? utf8(model, 'the model JSON') : model;
  const root = object(typeof text === 'string' ? parseJson(text, 'the model JSON') : text, 'the model JSON');
  if (root.format !== undefined && root.format !== 'layers-model') {
    fail(
      `format = ${show(root.format)}: Recur reads tfjs "layers-model" files (Keras layers); a "graph-model" is a TensorFlow graph with no layer configs to check`,
    );
  }
  if (root.modelTopology === undefined || root.modelTopology === null)
    fail(
      'the model JSON has no modelTopology (the Keras layers); weights alone do not say which module they are',
    );
  const specList = weightSpecList(root);
  const data = concatenateWeightData(
    weightData ??
      (root.weightData as TfjsWeightData) ??
      fail('no weight data was given, and the model JSON holds none (weightData)'),
  );
  const topology = readTopology(root.modelTopology);
  let specs: WeightSpec[] = [];
  const read = readKerasModel(topology, () => {
    specs = readWeightSpecs(specList.specs, specList.where, data.length);
    return specs.map((spec) => ({ ...spec, decode: () => decodeWeight(spec, data) }));
  });
  const metadata = read.metadata;
  for (const key of ['generatedBy', 'convertedBy'] as const) {
    if (typeof root[key] === 'string') metadata[`tfjs.${key}`] = root[key] as string;
  }
  const quantized = specs.filter((s) => s.encoding !== 'float32' && s.group !== 'optimizer');
  if (quantized.length > 0)
    metadata['tfjs.quantization'] = JSON.stringify(
      Object.fromEntries(quantized.map((s) => [s.name, s.encoding])),
    );
  return read;
}

/**
 * One stored weight of a Keras layer, named as tfjs names it (`lstm/lstm_cell/kernel`,
 * `bidirectional/forward_lstm/lstm_cell/bias`): its declared shape and dtype, checked before
 * `decode()` reads the values.
 */
export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  /** `float32` for the weights Recur reads; anything else is refused, naming it. */
  readonly dtype: string;
  /** `"optimizer"` for optimizer state, which is skipped. */
  readonly group?: string;
  decode(): DecodedWeight;
}

/**
 * The recurrent stack a Keras topology describes (tfjs-layers' `modelTopology`, Keras 3's
 * `config.json`, a legacy `.h5` file's `model_config`), with its weights, as a PyTorch-named state
 * dict, the Recur module and the `keras.*` metadata: what every Keras reader shares. `weights()` is
 * called once the layers have been checked.
 */
export function readKerasModel(
  topology: Topology,
  weights: () => readonly NamedWeight[],
): WeightFile & {
  /** The Recur module the file describes: kind and constructor options, worked out from its layers. */
  module: InferredModule;
} {
  const stack = readStack(topology.layers);
  const { tensors, inputSize } = stackTensors(stack, weights());

  const first = stack.layers[0]!;
  const last = stack.layers[stack.layers.length - 1]!;
  const kind: InferredKind = kerasKinds[first.kind];
  const options: Record<string, unknown> = {
    inputSize,
    hiddenSize: first.units,
    numLayers: stack.layers.length,
    bias: stack.layers.some((l) => l.useBias),
    batchFirst: !first.timeMajor,
    dropout: stack.dropout.rate,
    bidirectional: first.bidirectional,
  };
  if (kind === 'RNN') options.nonlinearity = first.nonlinearity;
  if (kind === 'LSTM') options.projSize = 0;

  const metadata: Record<string, string> = {
    [MODULE_METADATA_KEY]: kind,
    [OPTIONS_METADATA_KEY]: JSON.stringify(options),
    'keras.output': last.returnSequences ? 'sequence' : 'final-state',
    'keras.layers': JSON.stringify(stack.layers.map((l) => l.name)),
  };
  if (stack.dropout.note !== undefined) metadata['keras.dropout'] = stack.dropout.note;
  if (last.returnState) metadata['keras.return_state'] = 'true';
  if (topology.kerasVersion !== undefined) metadata['keras.version'] = topology.kerasVersion;
  if (topology.backend !== undefined) metadata['keras.backend'] = topology.backend;
  return { tensors, metadata, module: { module: kind, options, source: 'shapes', unknown: [] } };
}

/**
 * Reads a `model.json` file and the weight shards it names: `json` is the file's bytes, `neighbour(path)`
 * gives the bytes of a file the manifest names (a relative path, checked to stay beside the model:
 * no absolute paths, `..` or URLs).
 */
export function readTfjsLayersFiles(
  json: Uint8Array,
  neighbour: (relativePath: string) => Uint8Array,
): WeightFile & {
  /** The Recur module the file describes: kind and constructor options, worked out from its layers. */
  module: InferredModule;
} {
  if (!(json instanceof Uint8Array))
    fail(`expected the model.json bytes as a Uint8Array, got ${typeof json}`);
  const root = object(parseJson(utf8(json, 'model.json'), 'model.json'), 'model.json');
  const groups = array(
    root.weightsManifest ?? fail('model.json has no weightsManifest naming its weight files'),
    'weightsManifest',
  );
  const shards: Uint8Array[] = [];
  for (const [g, group] of groups.entries()) {
    const paths = array(object(group, `weightsManifest[${g}]`).paths, `weightsManifest[${g}].paths`);
    for (const [p, raw] of paths.entries()) {
      const path = string(raw, `weightsManifest[${g}].paths[${p}]`);
      if (path === '' || /^[/\\]|^[A-Za-z]:|:\/\/|(^|[/\\])\.\.([/\\]|$)/.test(path)) {
        fail(
          `weightsManifest[${g}].paths[${p}] = ${show(path)} is refused: weight files are read beside model.json (a relative path without "..")`,
        );
      }
      try {
        shards.push(neighbour(path));
      } catch (error) {
        if (error instanceof WeightFileError) throw error;
        fail(
          `weight file ${show(path)} named by weightsManifest[${g}] cannot be read: ${(error as Error).message}`,
        );
      }
    }
  }
  return readTfjsLayers(root, shards);
}

/** UTF-8 bytes as text, or a failure naming `what`. */
function utf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(`${what} is not UTF-8 text`);
  }
}

/** The weight specs of a model.json (`weightsManifest` groups, in order) or of artifacts (`weightSpecs`). */
function weightSpecList(root: JsonObject): { specs: unknown[]; where: string } {
  if (root.weightsManifest !== undefined) {
    const groups = array(root.weightsManifest, 'weightsManifest');
    const specs: unknown[] = [];
    for (const [g, group] of groups.entries())
      specs.push(...array(object(group, `weightsManifest[${g}]`).weights, `weightsManifest[${g}].weights`));
    return {
      specs,
      where: groups.length === 1 ? 'weightsManifest[0].weights' : 'weightsManifest[*].weights',
    };
  }
  if (root.weightSpecs !== undefined)
    return { specs: [...array(root.weightSpecs, 'weightSpecs')], where: 'weightSpecs' };
  return fail('the model JSON has neither weightsManifest nor weightSpecs: it says nothing of its weights');
}

interface Stack {
  readonly layers: readonly RecurrentLayer[];
  /** Layer 0's declared feature size (InputLayer or the layer's own input shape), if any. */
  readonly declaredInputSize?: number;
  /** PyTorch's `dropout` for the stack's Dropout layers, and what became of them (absent: none). */
  readonly dropout: { readonly rate: number; readonly note?: string };
}

/** The recurrent layers after an optional InputLayer, checked to form one PyTorch module. */
function readStack(topologyLayers: readonly TopologyLayer[]): Stack {
  let rest = topologyLayers;
  let declared: number | undefined;
  if (rest[0]?.className === 'InputLayer') {
    const input = rest[0];
    for (const key of ['sparse', 'ragged'] as const) {
      if (input.config[key] === true)
        fail(`${input.where}: ${key} = true is refused: Recur reads dense input`);
    }
    declared = declaredFeatures(input.config, input.where);
    rest = rest.slice(1);
  }
  const foreign = rest.find((l) => !isRecurrent(l) && l.className !== 'Dropout');
  if (foreign !== undefined) {
    fail(
      `${foreign.where} is a ${foreign.className} layer: Recur reads models that are exactly one recurrent stack (an optional InputLayer, then LSTM, GRU or SimpleRNN layers, possibly Bidirectional); save the recurrent part as a model of its own and run the ${foreign.className} after it`,
    );
  }
  const dropouts: (DropoutLayer & { gap: number })[] = [];
  const recurrent: TopologyLayer[] = [];
  for (const l of rest) {
    if (l.className === 'Dropout') dropouts.push({ ...readDropout(l), gap: recurrent.length });
    else recurrent.push(l);
  }
  if (recurrent.length === 0) fail('the model has no LSTM, GRU or SimpleRNN layer');
  const layers = recurrent.map(readRecurrentLayer);
  const named = new Map<string, string>();
  for (const layer of layers) {
    const other = named.get(layer.name);
    if (other !== undefined)
      fail(
        `${layer.where} and ${other} are both named ${show(layer.name)}: their weights could not be told apart`,
      );
    named.set(layer.name, layer.where);
  }
  const first = layers[0]!;
  for (const [k, layer] of layers.entries()) {
    const same = <K extends keyof RecurrentLayer>(key: K, what: string) => {
      if (layer[key] !== first[key]) {
        fail(
          `${layer.where} differs from ${first.where} in ${what} (${show(layer[key])}, not ${show(first[key])}): a PyTorch module's layers are alike`,
        );
      }
    };
    if (layer.kind !== first.kind) {
      fail(
        `${layer.where} is a ${layer.kind} after a ${first.kind} (${first.where}): a PyTorch module has one kind of layer`,
      );
    }
    same('units', 'units');
    same('bidirectional', 'being Bidirectional');
    same('nonlinearity', 'activation');
    same('timeMajor', 'time_major');
    if (k < layers.length - 1 && !layer.returnSequences) {
      fail(
        `${layer.where}: return_sequences = false is refused: the next layer of a stacked PyTorch module reads every step of this one's output, not its last step`,
      );
    }
    if (k < layers.length - 1 && layer.returnState) {
      fail(
        `${layer.where}: return_state = true on a layer that is not the last is refused: only the last layer's output leaves the module`,
      );
    }
    if (
      k > 0 &&
      layer.declaredInputSize !== undefined &&
      layer.declaredInputSize !== (first.bidirectional ? 2 : 1) * first.units
    ) {
      fail(
        `${layer.where} declares ${layer.declaredInputSize} input features, but the layer before it gives ${(first.bidirectional ? 2 : 1) * first.units}`,
      );
    }
  }
  return {
    layers,
    declaredInputSize: declared ?? first.declaredInputSize,
    dropout: stackDropout(dropouts, layers.length),
  };
}

/**
 * Keras' Dropout returns its input unchanged at inference, so the module computes the model's output
 * without it, exactly. When there is one Dropout in every gap between recurrent layers, all of one rate
 * and without `noise_shape`, it is also PyTorch's `dropout = rate` in training (both drop each element
 * of a layer's output independently, scaled by 1 / (1 − rate)); otherwise (before the first or after the
 * last layer, rates that differ, a missing gap, a noise shape) PyTorch has nothing that drops there, so
 * they are left out (`dropout = 0`) and `keras.dropout` says so.
 */
function stackDropout(
  dropouts: readonly (DropoutLayer & { gap: number })[],
  count: number,
): Stack['dropout'] {
  if (dropouts.length === 0) return { rate: 0 };
  const names = dropouts.map((d) => show(d.name)).join(', ');
  const rate = dropouts[0]!.rate;
  const why =
    count === 1
      ? 'a one-layer module has no gap between layers'
      : dropouts.some((d) => d.gap === 0 || d.gap === count)
        ? 'a Dropout before the first or after the last recurrent layer'
        : dropouts.length !== count - 1 || new Set(dropouts.map((d) => d.gap)).size !== count - 1
          ? 'PyTorch drops between every pair of layers, once'
          : dropouts.some((d) => d.rate !== rate)
            ? 'the rates differ'
            : dropouts.some((d) => d.noiseShape)
              ? 'a noise_shape shares the mask across steps'
              : undefined;
  if (why === undefined)
    return {
      rate,
      note: `Dropout layers ${names} between the recurrent layers are PyTorch's dropout = ${rate}: identity at inference, the same random drop in training`,
    };
  return {
    rate: 0,
    note: `Dropout layers ${names} are identity at inference and were left out; PyTorch's dropout option cannot express them (${why}), so training this module drops nothing there`,
  };
}

/** The weights of every layer, by PyTorch name. */
function stackTensors(
  stack: Stack,
  specs: readonly NamedWeight[],
): { tensors: Record<string, WeightTensor>; inputSize: number } {
  const claimed = new Set<string>();
  const layerSpecs = stack.layers.map((layer) => {
    const directions = directionSpecs(layer, specs);
    for (const d of directions) for (const s of Object.values(d)) if (s !== undefined) claimed.add(s.name);
    return directions;
  });
  const stray = specs.find((s) => !claimed.has(s.name) && s.group !== 'optimizer');
  if (stray !== undefined) {
    fail(
      `weight "${stray.name}" belongs to none of the recurrent layers (${stack.layers.map((l) => show(l.name)).join(', ')}): the model holds more than one recurrent stack`,
    );
  }
  // Shapes first, for every layer, then the values.
  const bias = stack.layers.some((l) => l.useBias);
  const first = stack.layers[0]!;
  const G = kerasGateCount(first.kind);
  const H = first.units;
  const D = first.bidirectional ? 2 : 1;
  const inputSize = layerSpecs[0]![0]!.kernel.shape[0] ?? 0;
  if (inputSize < 1)
    fail(
      `${first.where}: kernel "${layerSpecs[0]![0]!.kernel.name}" has shape [${layerSpecs[0]![0]!.kernel.shape.join(', ')}], expected [input features ≥ 1, ${G}·${H}]`,
    );
  if (stack.declaredInputSize !== undefined && stack.declaredInputSize !== inputSize) {
    fail(
      `the model declares ${stack.declaredInputSize} input features, but ${first.where}'s kernel has ${inputSize} rows`,
    );
  }
  for (const [k, layer] of stack.layers.entries()) {
    const rows = k === 0 ? inputSize : D * H;
    for (const s of layerSpecs[k]!) {
      expectShape(s.kernel, [rows, G * H], layer.where, 'kernel [input features, gates·units]');
      expectShape(s.recurrent, [H, G * H], layer.where, 'recurrent_kernel [units, gates·units]');
      if (s.bias !== undefined)
        expectShape(
          s.bias,
          layer.kind === 'GRU' ? [2, G * H] : [G * H],
          layer.where,
          layer.kind === 'GRU' ? 'bias [2, 3·units] (reset_after)' : 'bias [gates·units]',
        );
    }
  }
  const tensors: Record<string, WeightTensor> = {};
  for (const [k, layer] of stack.layers.entries()) {
    const rows = k === 0 ? inputSize : D * H;
    for (const [d, s] of layerSpecs[k]!.entries()) {
      const suffix = `_l${k}${d === 1 ? '_reverse' : ''}`;
      const kernel = s.kernel.decode();
      const recurrent = s.recurrent.decode();
      tensors[`weight_ih${suffix}`] = torchTensor(
        kernelToTorch(layer.kind, kernel.data, rows, H),
        [G * H, rows],
        kernel,
      );
      tensors[`weight_hh${suffix}`] = torchTensor(
        kernelToTorch(layer.kind, recurrent.data, H, H),
        [G * H, H],
        recurrent,
      );
      if (!bias) continue;
      // A layer without bias (use_bias = false beside layers with one) adds zeros: exactly PyTorch's.
      const b = s.bias === undefined ? undefined : s.bias.decode();
      const zeros = { shape: [G * H], data: new Float32Array(G * H), stored: kernel.stored } as DecodedWeight;
      const [ih, hh] =
        b === undefined
          ? [zeros.data, zeros.data]
          : layer.kind === 'GRU'
            ? [b.data.subarray(0, G * H), b.data.subarray(G * H)]
            : [b.data, zeros.data];
      tensors[`bias_ih${suffix}`] = torchTensor(reorderBias(layer.kind, ih, H), [G * H], b ?? zeros);
      tensors[`bias_hh${suffix}`] = torchTensor(reorderBias(layer.kind, hh, H), [G * H], b ?? zeros);
    }
  }
  return { tensors, inputSize };
}

function torchTensor(data: Float32Array, shape: number[], from: DecodedWeight): WeightTensor {
  return { data, shape, stored: from.stored };
}

function expectShape(spec: NamedWeight, expected: readonly number[], where: string, what: string): void {
  expectFloat32(spec, where);
  if (spec.shape.length !== expected.length || spec.shape.some((d, i) => d !== expected[i])) {
    fail(
      `${where}: "${spec.name}" has shape [${spec.shape.join(', ')}], expected ${what} = [${expected.join(', ')}]`,
    );
  }
}

const isWeightRole = (leaf: string): leaf is 'kernel' | 'recurrent_kernel' | 'bias' =>
  leaf === 'kernel' || leaf === 'recurrent_kernel' || leaf === 'bias';

interface DirectionSpecs {
  readonly kernel: NamedWeight;
  readonly recurrent: NamedWeight;
  readonly bias?: NamedWeight;
}

/**
 * The kernel, recurrent kernel and bias of each direction of `layer`, by name: `name/kernel`, or with
 * the cell's scope `name/lstm_cell/kernel` (tf.keras ≥ 2.2); inside Bidirectional
 * `name/forward_…/[cell/]kernel` and `name/backward_…/[cell/]kernel`.
 */
function directionSpecs(layer: RecurrentLayer, specs: readonly NamedWeight[]): DirectionSpecs[] {
  const mine = specs.filter((s) => s.group !== 'optimizer' && s.name.startsWith(`${layer.name}/`));
  const parts = layer.bidirectional ? (['forward', 'backward'] as const) : ([undefined] as const);
  return parts.map((part) => {
    const found: Partial<Record<'kernel' | 'recurrent_kernel' | 'bias', NamedWeight>> = {};
    const label = part === undefined ? '' : ` (${part} direction)`;
    for (const s of mine) {
      const segments = s.name.split('/').slice(1);
      if (part !== undefined) {
        if (!/^(forward|backward)_/.test(segments[0] ?? ''))
          fail(
            `${layer.where}: weight "${s.name}" is in neither the forward_… nor the backward_… layer of Bidirectional`,
          );
        if (!segments[0]!.startsWith(`${part}_`)) continue;
        segments.shift();
      }
      const leaf = (segments[segments.length - 1] ?? '').replace(/:0$/, '');
      if (segments.length > 2 || !isWeightRole(leaf)) {
        return fail(
          `${layer.where}: weight "${s.name}" is not a kernel, recurrent_kernel or bias of the layer${label}`,
        );
      }
      if (found[leaf] !== undefined)
        fail(`${layer.where}: weights "${found[leaf]!.name}" and "${s.name}" are both its ${leaf}${label}`);
      found[leaf] = s;
    }
    const missing = (what: string): never =>
      fail(
        `${layer.where}: the weights name no ${what}${label} (looked for "${layer.name}/${part === undefined ? '' : `${part}_…/`}${what}")`,
      );
    if (found.bias !== undefined && !layer.useBias)
      fail(`${layer.where}: use_bias = false, but the weights hold a bias ("${found.bias.name}")`);
    return {
      kernel: found.kernel ?? missing('kernel'),
      recurrent: found.recurrent_kernel ?? missing('recurrent_kernel'),
      bias: layer.useBias ? (found.bias ?? missing('bias')) : undefined,
    };
  });
}
