/**
 * The recurrent layers of an ONNX graph, in order, with what connects them: walks the nodes once in
 * graph order (ONNX requires topological order), refuses any op that is neither a recurrent node nor
 * glue, and checks that the recurrent nodes form one chain — layer 0 reads a graph input (possibly
 * transposed: `batchFirst`), layer k reads layer k−1's Y with its directions merged into features — and
 * that initial states, sequence lengths and peepholes are what PyTorch's modules can take.
 */
import { WeightFileError } from '../errors.js';
import type { RecurrentAttributes } from './attributes.js';
import { readRecurrentAttributes } from './attributes.js';
import type { RecurrentKind } from './gates.js';
import type { Axis, Flow, Value } from './glue.js';
import { evaluateGlue, GLUE_OPS, inputFlow, isZeros } from './glue.js';
import type { GraphProto, NodeProto, TensorProto } from './proto.js';

/** One recurrent node, as a layer. */
export interface Layer {
  readonly node: NodeProto;
  /** How the node is named in messages: `LSTM node "/LSTM_1"`. */
  readonly where: string;
  readonly attributes: RecurrentAttributes;
  /** W, R and (when present) B, as stored. */
  readonly W: TensorProto;
  readonly R: TensorProto;
  readonly B?: TensorProto;
}

/** The recurrent part of a graph. */
export interface RecurrentGraph {
  readonly kind: RecurrentKind;
  readonly layers: readonly Layer[];
  /** The graph input layer 0 reads. */
  readonly input: string;
  /** Whether that input is `[N, T, I]` (the exporter transposed it, or `layout = 1`). */
  readonly batchFirst: boolean;
  /** Graph inputs holding the initial states (`h0`, `c0`) and the sequence lengths, when the model takes them. */
  readonly stateInputs: { readonly h0?: string; readonly c0?: string; readonly sequenceLens?: string };
}

const fail = (message: string): never => {
  throw new WeightFileError('onnx', message);
};

const recurrentOps: readonly string[] = ['RNN', 'GRU', 'LSTM'];

/** Names a node for messages. */
function nodeName(node: NodeProto, index: number): string {
  return `${node.opType} node ${node.name ? JSON.stringify(node.name) : `#${index}`}`;
}

/** Finds, orders and checks the recurrent layers of `graph`. */
export function readRecurrentGraph(graph: GraphProto): RecurrentGraph {
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer) {
    if (initializers.has(t.name)) fail(`initializer "${t.name}" is defined twice`);
    initializers.set(t.name, t);
  }
  const values = new Map<string, Value>();
  for (const t of graph.initializer) values.set(t.name, { kind: 'constant', tensor: t });
  // A graph input that is also an initializer is an input with a default value (IR ≥ 4).
  for (const info of graph.input) values.set(info.name, inputFlow(info, initializers.get(info.name)));
  const lookup = (name: string): Value => {
    const v = values.get(name);
    if (v === undefined) {
      return fail(`"${name}" is used before any node produces it (nodes must be in topological order)`);
    }
    return v;
  };

  const recurrent: { node: NodeProto; where: string; index: number }[] = [];
  for (const [index, node] of graph.node.entries()) {
    const where = nodeName(node, index);
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      fail(`${where} is in domain "${node.domain}"; Recur reads only standard ONNX operators`);
    }
    let outputs: Value[];
    if (recurrentOps.includes(node.opType)) {
      recurrent.push({ node, where, index });
      outputs = recurrentOutputs(node, recurrent.length - 1, lookup, where);
    } else if ((GLUE_OPS as readonly string[]).includes(node.opType)) {
      outputs = evaluateGlue(node, lookup, where);
    } else {
      return fail(
        `${where} (${node.opType}) is not part of a PyTorch RNN, LSTM or GRU: readOnnx reads models that are exactly one recurrent module (its nodes and the glue ${GLUE_OPS.join(', ')})`,
      );
    }
    for (const [i, name] of node.output.entries()) {
      if (name === '') continue;
      if (values.has(name)) fail(`${where} writes "${name}", which is already defined`);
      values.set(name, outputs[i] ?? { kind: 'opaque', why: `output ${i} of ${where}` });
    }
  }
  if (recurrent.length === 0) fail('the graph has no RNN, GRU or LSTM node');
  const kind = recurrent[0]!.node.opType as RecurrentKind;
  for (const r of recurrent) {
    if (r.node.opType !== kind)
      fail(`${r.where} mixes with ${kind} nodes: a PyTorch module has one kind of layer`);
  }
  return orderLayers(kind, recurrent, lookup);
}

/** Y of recurrent node n: its input's time and batch axes, then `D@n`, `H@n` in the layout's order. */
function recurrentOutputs(
  node: NodeProto,
  n: number,
  lookup: (name: string) => Value,
  where: string,
): Value[] {
  const x = node.input[0] ? lookup(node.input[0]) : undefined;
  const layoutAttribute = node.attribute.find((a) => a.name === 'layout');
  const layout = layoutAttribute?.i === 1n ? 1 : 0;
  const hidden = node.attribute.find((a) => a.name === 'hidden_size');
  const direction = node.attribute.find((a) => a.name === 'direction');
  const directions = direction && new TextDecoder().decode(direction.s) === 'bidirectional' ? 2 : 1;
  const states = [1, 2].map(() => ({ kind: 'opaque', why: `a final state of ${where}` }) as const);
  if (x?.kind !== 'flow' || x.axes.length !== 3 || hidden === undefined)
    return [{ kind: 'opaque', why: `Y of ${where}` }, ...states];
  const d: Axis = directions === 2 ? { parts: [`D@${n}`], size: 2 } : { parts: [], size: 1 };
  const h: Axis = { parts: [`H@${n}`], size: Number(hidden.i) };
  const [a0, a1] = [x.axes[0]!, x.axes[1]!];
  const axes = layout === 0 ? [a0, d, a1, h] : [a0, a1, d, h];
  return [{ kind: 'flow', origin: `#${n}`, axes }, ...states];
}

function orderLayers(
  kind: RecurrentKind,
  nodes: readonly { node: NodeProto; where: string; index: number }[],
  lookup: (name: string) => Value,
): RecurrentGraph {
  const layers: Layer[] = [];
  const parsed = nodes.map((r) => ({ ...r, attributes: readRecurrentAttributes(r.node, kind, r.where) }));
  // Layer 0 reads a graph input; each next layer reads the previous one's Y.
  const inputOf = parsed.map((r) => sequenceInput(r.node, r.where, lookup));
  const first = inputOf.findIndex((x) => !x.origin.startsWith('#'));
  if (first < 0) fail('no recurrent node reads a graph input');
  let current = first;
  const order = [first];
  for (;;) {
    const next = inputOf.findIndex((x) => x.origin === `#${current}`);
    if (next < 0) break;
    if (inputOf.filter((x) => x.origin === `#${current}`).length > 1) {
      fail(`${parsed[current]!.where} feeds more than one recurrent node: Recur reads one stack of layers`);
    }
    order.push(next);
    current = next;
  }
  if (order.length !== parsed.length) {
    const stray = parsed.find((_, i) => !order.includes(i))!;
    fail(`${stray.where} is not in the chain of layers that starts at ${parsed[first]!.where}`);
  }
  const x0 = inputOf[first]!;
  const layout0 = parsed[first]!.attributes.layout;
  const [timeAxis, batchAxis] = layout0 === 0 ? [x0.axes[0]!, x0.axes[1]!] : [x0.axes[1]!, x0.axes[0]!];
  const batchFirst = readBatchFirst(x0, timeAxis, batchAxis, parsed[first]!.where);
  for (const [k, i] of order.entries()) {
    const r = parsed[i]!;
    const x = inputOf[i]!;
    const a = r.attributes;
    if (k > 0) {
      const prev = parsed[order[k - 1]!]!;
      const features =
        prev.attributes.directions === 2 ? [`D@${order[k - 1]}`, `H@${order[k - 1]}`] : [`H@${order[k - 1]}`];
      const [t, n, f] = a.layout === 0 ? x.axes : [x.axes[1]!, x.axes[0]!, x.axes[2]!];
      if (!same(t, timeAxis) || !same(n, batchAxis) || !sameParts(f!.parts, features)) {
        fail(
          `${r.where} reads X with axes [${x.axes.map(show).join(', ')}], not [time, batch, features] of ${prev.where}'s Y (${features.join('·')}): the glue between layers is not PyTorch's`,
        );
      }
    }
    if (
      a.directions !== parsed[first]!.attributes.directions ||
      a.hiddenSize !== parsed[first]!.attributes.hiddenSize ||
      a.nonlinearity !== parsed[first]!.attributes.nonlinearity
    ) {
      fail(
        `${r.where} differs from ${parsed[first]!.where} in direction, hidden_size or activations: a PyTorch module's layers are alike`,
      );
    }
    layers.push({ node: r.node, where: r.where, attributes: a, ...weights(r.node, r.where, lookup) });
  }
  return {
    kind,
    layers,
    input: x0.origin,
    batchFirst,
    stateInputs: readStateInputs(kind, layers, lookup),
  };
}

/** X of a recurrent node: a flow of rank 3. */
function sequenceInput(node: NodeProto, where: string, lookup: (name: string) => Value): Flow {
  const name = node.input[0];
  if (!name) return fail(`${where} has no input X`);
  const x = lookup(name);
  if (x.kind !== 'flow' || x.axes.length !== 3) {
    return fail(
      `${where} reads X ("${name}"), which is ${x.kind === 'opaque' ? x.why : x.kind === 'flow' ? `of rank ${x.axes.length}` : `a ${x.kind}`}: X must come from a graph input or the previous layer through PyTorch's glue`,
    );
  }
  return x;
}

/** Layer 0's X as the graph input's axes: [in:0, in:1, in:2] is time-major, [in:1, in:0, in:2] batch-major. */
function readBatchFirst(x: Flow, time: Axis, batch: Axis, where: string): boolean {
  const feature = x.axes[2]!;
  const label = (a: Axis) => (a.parts.length === 1 ? a.parts[0] : a.parts.length === 0 ? '1' : undefined);
  const [t, n, f] = [label(time), label(batch), label(feature)];
  const o = x.origin;
  if (f === `${o}:2` && t === `${o}:0` && (n === `${o}:1` || n === '1')) return false;
  if (f === `${o}:2` && t === `${o}:1` && (n === `${o}:0` || n === '1')) return true;
  // Unbatched input [T, I], given a batch axis of 1 by Unsqueeze.
  if (f === `${o}:1` && t === `${o}:0` && n === '1') return false;
  return fail(
    `${where} reads graph input "${o}" with axes [${x.axes.map(show).join(', ')}]; PyTorch's exporter passes it as is or transposed by [1, 0, 2]`,
  );
}

function show(a: Axis): string {
  return a.parts.length === 0 ? '1' : a.parts.join('·');
}

function same(a: Axis | undefined, b: Axis): boolean {
  return a !== undefined && sameParts(a.parts, b.parts);
}

function sameParts(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** W, R and B of a node: constants (initializers, Constant nodes, or inputs with a default). */
function weights(
  node: NodeProto,
  where: string,
  lookup: (name: string) => Value,
): { W: TensorProto; R: TensorProto; B?: TensorProto } {
  const constant = (index: number, role: string): TensorProto | undefined => {
    const name = node.input[index];
    if (!name) return undefined;
    const v = lookup(name);
    if (v.kind === 'constant') return v.tensor;
    if (v.kind === 'flow' && v.initializer !== undefined) return v.initializer;
    return fail(
      `${where}: input ${role} ("${name}") must be a constant of the model (an initializer), got ${v.kind === 'flow' ? 'a graph input' : v.kind}`,
    );
  };
  const W = constant(1, 'W') ?? fail(`${where} has no input W`);
  const R = constant(2, 'R') ?? fail(`${where} has no input R`);
  const B = constant(3, 'B');
  return B === undefined ? { W, R } : { W, R, B };
}

/**
 * Initial states, sequence lengths and peepholes, checked layer by layer: an initial state is zeros
 * (omitted, a zero constant, or zeros built from a shape) in every layer, or rows [k·D, (k+1)·D) of the
 * same graph input in layer k; lengths come from one graph input in every layer or in none; peepholes
 * must be absent or zero.
 */
function readStateInputs(
  kind: RecurrentKind,
  layers: readonly Layer[],
  lookup: (name: string) => Value,
): RecurrentGraph['stateInputs'] {
  const roles: [number, string, 'h0' | 'c0'][] = [[5, 'initial_h', 'h0']];
  if (kind === 'LSTM') roles.push([6, 'initial_c', 'c0']);
  const found: { h0?: string; c0?: string; sequenceLens?: string } = {};
  for (const [index, role, key] of roles) {
    const sources = layers.map((layer, k) => stateSource(layer, k, index, role, lookup));
    const inputs = new Set(sources);
    if (inputs.size > 1) {
      fail(
        `${role} comes from ${[...inputs].map((s) => (s === undefined ? 'zeros' : `input "${s}"`)).join(' in some layers and ')} in others: PyTorch's ${kind} takes every layer's state from one ${key} or none`,
      );
    }
    const input = sources[0];
    if (input !== undefined) found[key] = input;
  }
  const lens = layers.map((layer) => {
    const name = layer.node.input[4];
    if (!name) return undefined;
    const v = lookup(name);
    if (v.kind === 'flow' && !v.origin.startsWith('#') && v.axes.length === 1 && v.initializer === undefined)
      return v.origin;
    return fail(
      `${layer.where}: sequence_lens ("${name}") must be a graph input: ${v.kind === 'constant' ? 'lengths fixed inside the model' : 'lengths computed inside the model'} cannot be carried over; Recur takes lengths per call (packPaddedSequence)`,
    );
  });
  if (new Set(lens).size > 1)
    fail('sequence_lens is given to some layers and not others, or from different inputs');
  if (lens[0] !== undefined) found.sequenceLens = lens[0];
  if (kind === 'LSTM') {
    for (const layer of layers) {
      const name = layer.node.input[7];
      if (!name) continue;
      const v = lookup(name);
      if (!(v.kind === 'constant' && isZeros(v, `${layer.where} input P`)) && v.kind !== 'zeros') {
        fail(
          `${layer.where}: input P (peepholes, "${name}") is refused: it is ${v.kind === 'constant' ? 'not all zeros' : 'not a constant'}, and PyTorch's LSTM has no peephole connections`,
        );
      }
    }
  }
  return found;
}

/** The graph input layer k's state comes from, or undefined for zeros; refuses anything else. */
function stateSource(
  layer: Layer,
  k: number,
  index: number,
  role: string,
  lookup: (name: string) => Value,
): string | undefined {
  const name = layer.node.input[index];
  if (!name) return undefined;
  const v = lookup(name);
  if (v.kind === 'zeros' || (v.kind === 'constant' && isZeros(v, `${layer.where} input ${role}`)))
    return undefined;
  const refuse = (why: string): never =>
    fail(
      `${layer.where}: ${role} ("${name}") is refused: ${why}; PyTorch's modules start from zeros or from h0/c0 given to forward`,
    );
  if (v.kind !== 'flow' || v.origin.startsWith('#')) {
    return refuse(
      v.kind === 'constant'
        ? 'it is a non-zero constant'
        : v.kind === 'opaque'
          ? v.why
          : 'it is computed inside the model',
    );
  }
  if (layer.attributes.layout === 1)
    refuse('with layout = 1 the model takes states as [N, D, H], PyTorch as [D·L, N, H]');
  if (
    v.initializer !== undefined &&
    !isZeros({ kind: 'constant', tensor: v.initializer }, `initializer "${v.origin}"`)
  ) {
    refuse(`the default value of input "${v.origin}" is not zeros`);
  }
  const d = layer.attributes.directions;
  const [start, end] = v.rows ?? [0, v.axes[0]?.size ?? d];
  const axesOk =
    v.axes.length === 3 &&
    sameParts(v.axes[1]!.parts, [`${v.origin}:1`]) &&
    sameParts(v.axes[2]!.parts, [`${v.origin}:2`]);
  if (start !== k * d || end !== (k + 1) * d || !axesOk) {
    refuse(
      `layer ${k} must take rows [${k * d}, ${(k + 1) * d}) of input "${v.origin}" as they are, it takes rows [${start}, ${end}) with axes [${v.axes.map(show).join(', ')}]`,
    );
  }
  return v.origin;
}
