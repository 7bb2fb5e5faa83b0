/**
 * The layers of a Keras model topology (`modelTopology` of a tfjs-layers `model.json`, as tfjs-layers'
 * `model.save` and the tensorflowjs converter write it), in the order data flows through them.
 * A `Sequential` model lists them in order; a functional model (`Model` / `Functional`) must be one
 * chain — one input layer, each layer fed by the one before it and nothing else, one output layer —
 * or it is not one recurrent module.
 */
import { array, fail, isObject, type JsonObject, object, show, string } from './json.js';

/** One layer of the topology: its Keras class, its config, and how messages name it. */
export interface TopologyLayer {
  readonly className: string;
  readonly config: JsonObject;
  /** `layer 1 (LSTM "lstm_2")`. */
  readonly where: string;
}

/** What the topology says besides its layers. */
export interface Topology {
  readonly modelClass: string;
  readonly layers: readonly TopologyLayer[];
  /** `keras_version` and `backend` as written (e.g. `tfjs-layers 4.22.0`, `tensor_flow.js`). */
  readonly kerasVersion?: string;
  readonly backend?: string;
}

/**
 * Reads `modelTopology` (the whole topology object: `{class_name, config, …}` or `{model_config, …}`),
 * or Keras 3's `config.json`, or a legacy `.h5` file's `model_config`; `label` names it in messages.
 */
export function readTopology(topology: unknown, label = 'modelTopology'): Topology {
  let model = object(topology, label);
  const kerasVersion = typeof model.keras_version === 'string' ? model.keras_version : undefined;
  const backend = typeof model.backend === 'string' ? model.backend : undefined;
  // The tensorflowjs converter nests the model under `model_config` (beside `training_config`).
  if (model.model_config !== undefined) model = object(model.model_config, `${label}.model_config`);
  const where = model === topology ? label : `${label}.model_config`;
  const modelClass = string(model.class_name, `${where}.class_name`);
  let entries: { raw: JsonObject; at: string }[];
  if (modelClass === 'Sequential') {
    // Keras before 2.2.3 wrote the layer list itself as `config`.
    const config = model.config;
    const list = Array.isArray(config)
      ? config
      : array(object(config, `${where}.config`).layers, `${where}.config.layers`);
    entries = list.map((raw, i) => ({
      raw: object(raw, `${where}.config.layers[${i}]`),
      at: `${where}.config.layers[${i}]`,
    }));
  } else if (modelClass === 'Model' || modelClass === 'Functional') {
    entries = functionalChain(object(model.config, `${where}.config`), `${where}.config`);
  } else {
    return fail(
      `${where}.class_name is ${show(modelClass)}: Recur reads Sequential models and functional models (Model, Functional) that are one chain of layers`,
    );
  }
  const layers = entries.map(({ raw, at }, i) => {
    const className = string(raw.class_name, `${at}.class_name`);
    const config = object(raw.config, `${at} (${className}).config`);
    const name = typeof config.name === 'string' ? config.name : typeof raw.name === 'string' ? raw.name : '';
    return { className, config, where: `layer ${i} (${className} ${JSON.stringify(name)})` };
  });
  if (layers.length === 0) fail(`${where} has no layers`);
  return { modelClass, layers, kerasVersion, backend };
}

/** The layers of a functional model in data-flow order, after checking that they form one chain. */
function functionalChain(config: JsonObject, where: string): { raw: JsonObject; at: string }[] {
  const list = array(config.layers, `${where}.layers`);
  const byName = new Map<string, { raw: JsonObject; at: string }>();
  const source = new Map<string, string | undefined>();
  for (const [i, item] of list.entries()) {
    const raw = object(item, `${where}.layers[${i}]`);
    const name = string(
      raw.name ?? object(raw.config, `${where}.layers[${i}].config`).name,
      `${where}.layers[${i}].name`,
    );
    if (byName.has(name)) fail(`${where}.layers: two layers are named ${show(name)}`);
    const at = `${where}.layers[${i}] ${show(name)}`;
    byName.set(name, { raw, at });
    source.set(name, inboundLayer(raw.inbound_nodes, at));
  }
  const inputs = array(config.input_layers, `${where}.input_layers`);
  const outputs = array(config.output_layers, `${where}.output_layers`);
  const first = endpointName(inputs, `${where}.input_layers`, 'input');
  const last = endpointName(outputs, `${where}.output_layers`, 'output');
  const order = [first];
  const seen = new Set(order);
  for (let current = first; current !== last; ) {
    const next = [...source].filter(([, from]) => from === current).map(([name]) => name);
    if (next.length === 0)
      fail(
        `${where}: nothing reads the output of layer ${show(current)}, so it never reaches the output ${show(last)}`,
      );
    if (next.length > 1)
      fail(
        `${where}: layer ${show(current)} feeds ${next.length} layers (${next.map((n) => show(n)).join(', ')}): Recur reads one chain of layers`,
      );
    current = next[0]!;
    if (seen.has(current)) fail(`${where}: layer ${show(current)} is reached twice`);
    seen.add(current);
    order.push(current);
  }
  if (source.get(first) !== undefined) fail(`${where}: the input layer ${show(first)} has an inbound layer`);
  const stray = [...byName.keys()].find((name) => !seen.has(name));
  if (stray !== undefined)
    fail(
      `${where}: layer ${show(stray)} is not on the chain from ${show(first)} to ${show(last)}: Recur reads one chain of layers`,
    );
  return order.map((name) => byName.get(name)!);
}

/**
 * Whether a call's keyword arguments leave the layer computing what it computes at inference: none,
 * or only null ones, or `training: false` (Keras 3 records the default of Dropout's `training`);
 * `training: true` would drop at inference too.
 */
function inferenceCall(kwargs: JsonObject): boolean {
  return Object.entries(kwargs).every(
    ([key, value]) => value === null || (key === 'training' && value === false),
  );
}

/** The single `[name, 0, 0]` of `input_layers` / `output_layers` (Keras 3 writes one as `[name, 0, 0]` itself). */
function endpointName(list: readonly unknown[], where: string, what: string): string {
  if (typeof list[0] === 'string') return list[0];
  if (list.length !== 1) fail(`${where} lists ${list.length} ${what}s; a Recur module has one ${what}`);
  const entry = array(list[0], `${where}[0]`);
  return string(entry[0], `${where}[0][0]`);
}

/**
 * The one layer feeding a layer (undefined for an input layer), from Keras 2's
 * `[[["name", node, tensor, {kwargs}]]]` or Keras 3's `[{args: [{config: {keras_history: [name, node, tensor]}}], kwargs}]`.
 */
function inboundLayer(nodes: unknown, where: string): string | undefined {
  const list = nodes === undefined ? [] : array(nodes, `${where}.inbound_nodes`);
  if (list.length === 0) return undefined;
  if (list.length > 1)
    fail(`${where} is called ${list.length} times (shared layer); Recur reads one chain of layers`);
  const node = list[0];
  if (Array.isArray(node)) {
    if (node.length !== 1)
      fail(
        `${where} takes ${node.length} inputs: Recur reads one chain of layers, each fed by the one before it`,
      );
    const inbound = array(node[0], `${where}.inbound_nodes[0][0]`);
    const kwargs = inbound[3];
    if (isObject(kwargs) && !inferenceCall(kwargs))
      fail(
        `${where} is called with ${Object.keys(kwargs).join(', ')} (${show(kwargs)}); Recur reads layers called on their input alone`,
      );
    return string(inbound[0], `${where}.inbound_nodes[0][0][0]`);
  }
  const call = object(node, `${where}.inbound_nodes[0]`);
  const args = array(call.args, `${where}.inbound_nodes[0].args`);
  if (args.length !== 1)
    fail(`${where} is called with ${args.length} arguments; Recur reads layers called on their input alone`);
  const kwargs = call.kwargs === undefined ? {} : object(call.kwargs, `${where}.inbound_nodes[0].kwargs`);
  if (!inferenceCall(kwargs))
    fail(`${where} is called with ${show(call.kwargs)}; Recur reads layers called on their input alone`);
  const tensor = object(args[0], `${where}.inbound_nodes[0].args[0]`);
  const history = array(
    object(tensor.config, `${where}.inbound_nodes[0].args[0].config`).keras_history,
    `${where}.inbound_nodes[0].args[0].config.keras_history`,
  );
  return string(history[0], `${where}.inbound_nodes[0].args[0].config.keras_history[0]`);
}
