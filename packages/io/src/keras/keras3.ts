/**
 * `readKeras`: Keras 3 `.keras` files (a zip of `config.json`, `metadata.json` and `model.weights.h5`)
 * and legacy `.h5` models (`model.save("x.h5")`: the config in the `model_config` attribute, the
 * weights under `model_weights/<layer>/` named by `weight_names`), read into the same PyTorch-named
 * state dict and Recur module as a tfjs-layers `model.json` (`read.ts`: one mapping for every Keras
 * format). `readKerasWeights` reads a weights-only file (`model.save_weights("x.weights.h5")`) with the
 * `config.json` it belongs to.
 */
import type { Group } from 'jsfive';
import { WeightFileError } from '../errors.js';
import type { InferredModule } from '../infer.js';
import type { WeightFile } from '../tensor-entry.js';
import { isZip, readZipEntries } from '../zip.js';
import {
  attribute,
  child,
  datasets,
  type Hdf5Dataset,
  type Hdf5File,
  isDataset,
  isHdf5,
  keys,
  openHdf5,
  dataset as readDataset,
} from './hdf5.js';
import { isObject, object, parseJson, show } from './json.js';
import { type NamedWeight, readKerasModel } from './read.js';
import { readTopology, type Topology } from './topology.js';

/** A `.keras` archive's entries may total at most this many times its size (Keras stores them uncompressed). */
export const MAX_EXPANSION = 8;

/** What the Keras readers return: the weights under PyTorch's names, and the module that computes the model. */
export type KerasRead = WeightFile & {
  /** The Recur module the model describes: kind and constructor options, from its layer configs. */
  module: InferredModule;
};

const failKeras = (message: string): never => {
  throw new WeightFileError('keras', message);
};

/**
 * Reads a Keras 3 `.keras` file or a legacy Keras `.h5` model (told apart by their first bytes) into
 * PyTorch's names and the Recur module that computes what the model computes: the layer configs are
 * checked and mapped as {@link readTfjsLayers} maps them (LSTM, GRU with `reset_after = true`,
 * SimpleRNN, Bidirectional with `merge_mode = "concat"`, stacked, `Dropout` between layers), and what
 * PyTorch cannot compute is refused naming the layer, the key and its value (`hard_sigmoid`,
 * `reset_after = false`, `go_backwards` alone, other layer classes, …). Throws {@link WeightFileError}
 * (format `keras`) and nothing else, whatever the bytes.
 */
export function readKeras(bytes: Uint8Array): KerasRead {
  return asKeras(() => {
    if (!(bytes instanceof Uint8Array))
      failKeras(`expected the file's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
    if (isZip(bytes)) return readArchive(bytes);
    if (isHdf5(bytes)) return readLegacyModel(bytes);
    return failKeras(
      'neither a Keras 3 .keras archive (a zip, "PK\\x03\\x04") nor an HDF5 .h5 file ("\\x89HDF"): the file is something else, or damaged at its start',
    );
  });
}

/**
 * Reads a weights-only file (Keras 3 `model.save_weights("x.weights.h5")`, or a Keras 2 `save_weights`
 * `.h5`) with the model's config (`config.json` of a `.keras` archive, or `model.to_json()`: bytes,
 * text or parsed), which says what the weights are.
 */
export function readKerasWeights(weights: Uint8Array, config: Uint8Array | string | object): KerasRead {
  return asKeras(() => {
    if (!(weights instanceof Uint8Array))
      failKeras(`expected the weights' bytes as a Uint8Array, got ${typeof weights}`);
    const topology = readTopology(parseConfig(config, 'the config'), 'the config');
    const file = openHdf5(weights, 'the weights file');
    const legacy = attribute(file, file.root, 'layer_names') !== undefined;
    const read = readKerasModel(topology, () =>
      legacy ? legacyWeights(file, file.root, '') : nativeWeights(file, topology),
    );
    read.metadata['keras.format'] = legacy ? 'h5-weights' : 'weights.h5';
    return read;
  });
}

function readArchive(bytes: Uint8Array): KerasRead {
  const names = ['config.json', 'metadata.json', 'model.weights.h5'];
  let npz = false;
  const entries = readZipEntries(bytes, {
    wanted: (name) => names.includes(name),
    seen: (name) => {
      if (name === 'model.weights.npz') npz = true;
    },
    maxExpansion: MAX_EXPANSION,
    storedAs: 'Keras stores .keras entries uncompressed',
    fail: failKeras,
  });
  if (entries['config.json'] === undefined)
    failKeras('the zip archive has no config.json: not a Keras 3 .keras file');
  if (entries['model.weights.h5'] === undefined)
    failKeras(
      npz
        ? 'the .keras archive stores its weights as model.weights.npz; Recur reads model.weights.h5 (what model.save writes)'
        : 'the .keras archive has no model.weights.h5',
    );
  const config = parseConfig(entries['config.json']!, 'config.json');
  const topology = readTopology(config, 'config.json');
  const info =
    entries['metadata.json'] === undefined ? {} : parseConfig(entries['metadata.json'], 'metadata.json');
  const read = readKerasModel(topology, () =>
    nativeWeights(openHdf5(entries['model.weights.h5']!, 'model.weights.h5'), topology),
  );
  read.metadata['keras.format'] = 'keras';
  if (typeof info.keras_version === 'string') read.metadata['keras.version'] = info.keras_version;
  return read;
}

function readLegacyModel(bytes: Uint8Array): KerasRead {
  const file = openHdf5(bytes, 'the .h5 file');
  const configText = attribute(file, file.root, 'model_config');
  if (configText === undefined) {
    failKeras(
      'the .h5 file has no model_config attribute: it holds weights only (save_weights), which do not say what the layers compute; save the model with model.save("x.keras"), or pass its config.json to readKerasWeights',
    );
  }
  if (typeof configText !== 'string')
    failKeras(`the .h5 file's model_config attribute is ${show(configText)}, not JSON text`);
  const topology = readTopology(parseConfig(configText as string, 'model_config'), 'model_config');
  const read = readKerasModel(topology, () => {
    const weights = child(file, file.root, 'model_weights');
    if (isDataset(weights)) return failKeras('the .h5 file: model_weights is a dataset, not a group');
    return legacyWeights(file, weights, 'model_weights/');
  });
  read.metadata['keras.format'] = 'h5';
  for (const key of ['keras_version', 'backend'] as const) {
    const value = attribute(file, file.root, key);
    if (typeof value === 'string')
      read.metadata[`keras.${key === 'keras_version' ? 'version' : key}`] = value;
  }
  return read;
}

/** The roles of a Keras 3 recurrent cell's variables, in the order `model.weights.h5` numbers them. */
const cellRoles = ['kernel', 'recurrent_kernel', 'bias'];

/**
 * Keras 3's layout (`model.weights.h5`, `.weights.h5`): `layers/<container>/cell/vars/<i>`, inside
 * Bidirectional `layers/<container>/forward_layer/cell/vars/<i>`, where the container is named after
 * the layer's class, not its name (see {@link containerNames}); each dataset is renamed as tfjs names
 * it (`lstm_3/cell/kernel`, `bidirectional/forward_layer/cell/bias`). Optimizer state is skipped; any
 * other dataset keeps its path, so it is refused as belonging to no recurrent layer.
 */
function nativeWeights(file: Hdf5File, topology: Topology): NamedWeight[] {
  const layerNames = containerNames(topology);
  const out: NamedWeight[] = [];
  for (const top of keys(file, file.root)) {
    if (top === 'optimizer') continue;
    const node = child(file, file.root, top);
    if (isDataset(node)) {
      out.push(named(top, readDataset(file, node, top)));
      continue;
    }
    if (top !== 'layers') {
      for (const d of datasets(file, node)) out.push(named(`${top}/${d.path}`, d));
      continue;
    }
    for (const container of keys(file, node)) {
      const group = child(file, node, container);
      const layer = layerNames.get(container) ?? `layers/${container}`;
      if (isDataset(group)) {
        out.push(named(layer, readDataset(file, group, container)));
        continue;
      }
      for (const d of datasets(file, group)) {
        const match = /^(?:(.*)\/)?cell\/vars\/(\d+)$/.exec(d.path);
        const role = match === null ? undefined : cellRoles[Number(match[2])];
        out.push(
          named(
            role === undefined
              ? `${layer}/${d.path}`
              : `${layer}/${match![1] ? `${match![1]}/` : ''}cell/${role}`,
            d,
          ),
        );
      }
    }
  }
  return out;
}

/**
 * The legacy layout (`model.save("x.h5")`, Keras 2 `save_weights`): `layer_names` lists the layers,
 * each layer's group lists its datasets in `weight_names` (Keras 3: `sequential/lstm/lstm_cell/kernel`,
 * Keras 2: `lstm/lstm_cell/kernel:0`), named from the layer's own name on (`lstm/lstm_cell/kernel`).
 */
function legacyWeights(file: Hdf5File, group: Group, at: string): NamedWeight[] {
  const layerNames = stringList(attribute(file, group, 'layer_names'), `${file.part}: ${at}layer_names`);
  const out: NamedWeight[] = [];
  for (const layer of layerNames) {
    const layerGroup = child(file, group, layer);
    if (isDataset(layerGroup))
      return failKeras(`${file.part}: ${at}${layer} is a dataset, not a layer's group`);
    const weightNames = stringList(
      attribute(file, layerGroup, 'weight_names') ?? [],
      `${file.part}: ${at}${layer} weight_names`,
    );
    for (const name of weightNames) {
      const node = child(file, layerGroup, name);
      if (!isDataset(node)) return failKeras(`${file.part}: ${at}${layer}/${name} is a group, not a dataset`);
      const segments = name.split('/');
      const from = segments.indexOf(layer);
      const rest = from >= 0 ? segments.slice(from + 1) : segments;
      out.push(named(`${layer}/${rest.join('/')}`, readDataset(file, node, name)));
    }
  }
  return out;
}

/**
 * Keras 3 (saving_lib `_save_container_state`) files each layer of a model under its class name in
 * snake case, numbered per class in the model's layer order (`lstm`, `lstm_1`, `dropout`, …: layer
 * names are auto-generated and would not be reproducible): the container name → the layer's name.
 */
function containerNames(topology: Topology): Map<string, string> {
  const used = new Map<string, number>();
  const out = new Map<string, string>();
  for (const layer of topology.layers) {
    const base = snakeCase(layer.className);
    const count = used.get(base);
    used.set(base, count === undefined ? 0 : count + 1);
    const container = count === undefined ? base : `${base}_${count + 1}`;
    if (typeof layer.config.name === 'string') out.set(container, layer.config.name);
  }
  return out;
}

/** Keras' `naming.to_snake_case`: `SimpleRNN` → `simple_rnn`, `InputLayer` → `input_layer`. */
function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function named(name: string, d: Hdf5Dataset): NamedWeight {
  return { name, shape: d.shape, dtype: d.dtype, decode: () => d.decode() };
}

function stringList(value: unknown, where: string): string[] {
  const list = ArrayBuffer.isView(value) ? [] : value;
  if (!Array.isArray(list) || list.length > 100_000 || list.some((v) => typeof v !== 'string'))
    return failKeras(`${where} is ${show(value)}, not a list of names`);
  return list as string[];
}

function parseConfig(value: unknown, what: string): Record<string, unknown> {
  let parsed = value;
  if (value instanceof Uint8Array) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(value);
    } catch {
      return failKeras(`${what} is not UTF-8 text`);
    }
    parsed = parseJson(text, what);
  } else if (typeof value === 'string') parsed = parseJson(value, what);
  if (!isObject(parsed)) return failKeras(`${what} must be a JSON object, got ${show(parsed)}`);
  return object(parsed, what) as Record<string, unknown>;
}

/** Runs a read; every failure becomes a `keras` WeightFileError (the shared Keras code names tfjs-layers). */
function asKeras<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof WeightFileError) {
      if (error.format === 'keras') throw error;
      throw new WeightFileError('keras', error.message.slice(error.format.length + 2));
    }
    throw new WeightFileError(
      'keras',
      `unexpected failure (please report it): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
