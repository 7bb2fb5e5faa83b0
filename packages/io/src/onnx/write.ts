/**
 * `writeOnnx`: a Recur RNN, LSTM or GRU as an ONNX model with PyTorch's interface — inputs `input`
 * and optionally `h0` (`c0`), outputs `output`, `hn` (`cn`), in PyTorch's shapes — built as PyTorch's
 * exporter builds it: one ONNX node per layer, Squeeze or Transpose+Reshape between layers, and a
 * Transpose around the whole for `batchFirst` (so any opset from 13 runs it, `layout` unused).
 */
import type { GRU, LSTM, RNN, TensorData } from '@recur/core';
import { WeightFileError } from '../errors.js';
import { inferModule, MODULE_METADATA_KEY, OPTIONS_METADATA_KEY } from '../infer.js';
import { gateCount, reorderGates } from './gates.js';
import type { AttributeProto, NodeProto, TensorProto, ValueInfoProto } from './proto.js';
import { AttributeType, DataType, encodeModel } from './proto.js';
import type { CheckedSource, OnnxModuleSource } from './source.js';
import { checkSource } from './source.js';
import { floatTensorProto, int64TensorProto } from './tensor.js';

/** Options of {@link writeOnnx}. */
export interface WriteOnnxOptions {
  /** Default-domain opset to declare, 13 to 21 (default 17). */
  readonly opset?: number;
  /** Input and output `[N, T, F]` instead of `[T, N, F]` (default: the module's `batchFirst`). */
  readonly batchFirst?: boolean;
  /** Element type of the weights, the input and the outputs (default `float32`). */
  readonly dtype?: 'float32' | 'float64';
  /**
   * Take `h0` (and `c0` for LSTM) as inputs `[D·numLayers, N, H]`, as `forward(input, h0)` does
   * (default false: the model starts from zeros, as `forward(input)`). ONNX has no optional graph
   * inputs a runtime can both take and leave out (an input with a default initializer is not offered
   * by ONNX Runtime's JavaScript API), so export one model per use.
   */
  readonly initialStates?: boolean;
  /** Extra `metadata_props` (Recur adds `recur.module` and `recur.options`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Opsets `writeOnnx` writes: 13 gives Squeeze/Unsqueeze/Slice their input forms. */
export const WRITE_OPSETS = { min: 13, max: 21 } as const;

const fail = (message: string): never => {
  throw new WeightFileError('onnx', message);
};

/** The ONNX IR version that came with each opset (onnx/docs/Versioning.md). */
function irVersion(opset: number): number {
  if (opset <= 13) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

/**
 * Exports a Recur `RNN`, `LSTM` or `GRU` (or `{ module, options, tensors }`) to ONNX bytes: every
 * layer, both directions, `batchFirst`. The model's `output`, `hn` and `cn` are what the module's
 * forward returns for `input` (and `h0`, `c0`). A projected LSTM (`projSize > 0`) is refused: ONNX's
 * LSTM has no projection. Dropout is an inference no-op and is not exported. Unbatched input has no
 * export: ONNX's recurrent ops take a batch axis (give one of size 1).
 */
export function writeOnnx(
  source: RNN | LSTM | GRU | OnnxModuleSource,
  options: WriteOnnxOptions = {},
): Uint8Array {
  const s = checkSource(source);
  const opset = options.opset ?? 17;
  if (!(Number.isInteger(opset) && opset >= WRITE_OPSETS.min && opset <= WRITE_OPSETS.max)) {
    fail(
      `opset must be an integer in [${WRITE_OPSETS.min}, ${WRITE_OPSETS.max}], got ${JSON.stringify(opset)}`,
    );
  }
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64')
    fail(`dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  const batchFirst = options.batchFirst ?? s.batchFirst;
  if (typeof batchFirst !== 'boolean')
    fail(`batchFirst must be a boolean, got ${JSON.stringify(batchFirst)}`);
  const initialStates = options.initialStates ?? false;
  if (typeof initialStates !== 'boolean')
    fail(`initialStates must be a boolean, got ${JSON.stringify(initialStates)}`);
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (typeof value !== 'string') fail(`metadata.${key} must be a string, got ${typeof value}`);
  }
  const graph = buildGraph(s, dtype, batchFirst, initialStates);
  const recurOptions: Record<string, unknown> = {
    inputSize: s.inputSize,
    hiddenSize: s.hiddenSize,
    numLayers: s.numLayers,
    bias: s.bias,
    bidirectional: s.bidirectional,
    batchFirst,
    ...(s.kind === 'RNN' ? { nonlinearity: s.nonlinearity } : {}),
  };
  const metadata = {
    ...options.metadata,
    [MODULE_METADATA_KEY]: s.kind,
    [OPTIONS_METADATA_KEY]: JSON.stringify(recurOptions),
  };
  return encodeModel({
    irVersion: BigInt(irVersion(opset)),
    opsetImport: [{ domain: '', version: BigInt(opset) }],
    producerName: '@recur/io',
    docString: `A Recur ${s.kind} exported by writeOnnx: inputs input${initialStates ? `, h0${s.kind === 'LSTM' ? ', c0' : ''}` : ''}; outputs output, hn${s.kind === 'LSTM' ? ', cn' : ''}, as PyTorch's nn.${s.kind}.forward`,
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}

/** Builds nodes in order; each helper returns the name of the tensor it produced. */
class GraphBuilder {
  readonly nodes: (Omit<Partial<NodeProto>, 'attribute'> & { attribute?: Partial<AttributeProto>[] })[] = [];
  readonly initializers: Partial<TensorProto>[] = [];

  node(opType: string, inputs: string[], output: string, attributes: Partial<AttributeProto>[] = []): string {
    this.nodes.push({ opType, name: output, input: inputs, output: [output], attribute: attributes });
    return output;
  }

  ints(name: string, values: number[]): string {
    this.initializers.push(int64TensorProto(name, [values.length], values));
    return name;
  }
}

const intsAttribute = (name: string, values: number[]): Partial<AttributeProto> => ({
  name,
  type: AttributeType.INTS,
  ints: values.map(BigInt),
});
const intAttribute = (name: string, value: number): Partial<AttributeProto> => ({
  name,
  type: AttributeType.INT,
  i: BigInt(value),
});

function buildGraph(
  s: CheckedSource,
  dtype: 'float32' | 'float64',
  batchFirst: boolean,
  initialStates: boolean,
) {
  const g = new GraphBuilder();
  const D = s.bidirectional ? 2 : 1;
  const H = s.hiddenSize;
  const L = s.numLayers;
  const elemType = dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
  const sequenceDims = batchFirst ? ['batch', 'time'] : ['time', 'batch'];
  const inputs: Partial<ValueInfoProto>[] = [valueInfo('input', elemType, [...sequenceDims, s.inputSize])];
  let x = batchFirst
    ? g.node('Transpose', ['input'], 'input_time_major', [intsAttribute('perm', [1, 0, 2])])
    : 'input';

  const stateNames = s.kind === 'LSTM' ? ['h0', 'c0'] : ['h0'];
  const states: string[] = [];
  if (initialStates) {
    for (const name of stateNames) {
      inputs.push(valueInfo(name, elemType, [D * L, 'batch', H]));
      states.push(name);
    }
  }
  const finals: string[][] = stateNames.map(() => []);
  for (let k = 0; k < L; k++) {
    const [W, R, B] = layerWeights(g, s, k, dtype);
    const layerStates = states.map((state, i) =>
      L === 1
        ? state
        : g.node(
            'Slice',
            [
              state,
              g.ints(`${stateNames[i]}_l${k}_start`, [k * D]),
              g.ints(`${stateNames[i]}_l${k}_end`, [(k + 1) * D]),
              g.ints(`${stateNames[i]}_l${k}_axes`, [0]),
            ],
            `${stateNames[i]}_l${k}`,
          ),
    );
    const attributes: Partial<AttributeProto>[] = [intAttribute('hidden_size', H)];
    if (D === 2)
      attributes.push({
        name: 'direction',
        type: AttributeType.STRING,
        s: new TextEncoder().encode('bidirectional'),
      });
    if (s.kind === 'GRU') attributes.push(intAttribute('linear_before_reset', 1));
    if (s.kind === 'RNN' && s.nonlinearity === 'relu') {
      attributes.push({
        name: 'activations',
        type: AttributeType.STRINGS,
        strings: Array.from({ length: D }, () => new TextEncoder().encode('Relu')),
      });
    }
    const outputs = [`Y_l${k}`, ...stateNames.map((n) => `${n.replace('0', 'n')}_l${k}`)];
    g.nodes.push({
      opType: s.kind,
      name: `${s.kind}_l${k}`,
      input: [x, W, R, B, '', ...layerStates],
      output: outputs,
      attribute: attributes,
    });
    for (const [i, o] of outputs.slice(1).entries()) finals[i]!.push(o);
    // Y is [T, D, N, H]; the next layer (and `output`) take [T, N, D·H], forward half first.
    x =
      D === 1
        ? g.node('Squeeze', [outputs[0]!, g.ints(`Y_l${k}_axes`, [1])], `y_l${k}`)
        : g.node(
            'Reshape',
            [
              g.node('Transpose', [outputs[0]!], `Y_l${k}_tnd`, [intsAttribute('perm', [0, 2, 1, 3])]),
              g.ints(`Y_l${k}_shape`, [0, 0, -1]),
            ],
            `y_l${k}`,
          );
  }
  g.node(
    batchFirst ? 'Transpose' : 'Identity',
    [x],
    'output',
    batchFirst ? [intsAttribute('perm', [1, 0, 2])] : [],
  );
  const outputs = [valueInfo('output', elemType, [...sequenceDims, D * H])];
  stateNames.forEach((name, i) => {
    const out = name.replace('0', 'n');
    g.node(L === 1 ? 'Identity' : 'Concat', finals[i]!, out, L === 1 ? [] : [intAttribute('axis', 0)]);
    outputs.push(valueInfo(out, elemType, [D * L, 'batch', H]));
  });
  return {
    name: `recur_${s.kind.toLowerCase()}`,
    node: g.nodes,
    initializer: g.initializers,
    input: inputs,
    output: outputs,
  } as never;
}

/** W [D, G·H, I], R [D, G·H, H] and B [D, 2·G·H] of layer k in ONNX's gate order; '' for no B. */
function layerWeights(
  g: GraphBuilder,
  s: CheckedSource,
  k: number,
  dtype: 'float32' | 'float64',
): [string, string, string] {
  const D = s.bidirectional ? 2 : 1;
  const H = s.hiddenSize;
  const gh = gateCount(s.kind) * H;
  const inputSize = k === 0 ? s.inputSize : D * H;
  const stack = (base: string, cols: number) => {
    const out = new Float64Array(D * gh * cols);
    for (let d = 0; d < D; d++) {
      const values = Float64Array.from(s.weights.get(`${base}_l${k}${d === 1 ? '_reverse' : ''}`)!);
      out.set(reorderGates(s.kind, values, H, cols, 'toOnnx'), d * gh * cols);
    }
    return out;
  };
  const W = `W_l${k}`;
  const R = `R_l${k}`;
  g.initializers.push(floatTensorProto(W, [D, gh, inputSize], stack('weight_ih', inputSize), dtype));
  g.initializers.push(floatTensorProto(R, [D, gh, H], stack('weight_hh', H), dtype));
  if (!s.bias) return [W, R, ''];
  const ih = stack('bias_ih', 1);
  const hh = stack('bias_hh', 1);
  const b = new Float64Array(D * 2 * gh);
  for (let d = 0; d < D; d++) {
    b.set(ih.subarray(d * gh, (d + 1) * gh), d * 2 * gh);
    b.set(hh.subarray(d * gh, (d + 1) * gh), d * 2 * gh + gh);
  }
  g.initializers.push(floatTensorProto(`B_l${k}`, [D, 2 * gh], b, dtype));
  return [W, R, `B_l${k}`];
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): Partial<ValueInfoProto> {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: BigInt(d) } : { dimParam: d })) },
      },
    },
  };
}

/**
 * The `recur` command line's ONNX writer: the module kind and options from Recur's metadata or the
 * tensors' names and shapes (see `inferModule`), stored as float32 or float64; other metadata is kept
 * as `metadata_props`.
 */
export function writeOnnxTensors(
  tensors: Readonly<Record<string, TensorData>>,
  options: { metadata: Record<string, string>; dtype?: string },
): Uint8Array {
  const inferred = inferModule(tensors, options.metadata);
  if (inferred === undefined) {
    fail(
      'the tensors are not one RNN, LSTM or GRU (names or shapes differ), so there is no module to export',
    );
  }
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') fail(`ONNX export stores float32 or float64, got ${dtype}`);
  const metadata = Object.fromEntries(
    Object.entries(options.metadata).filter(([k]) => k !== MODULE_METADATA_KEY && k !== OPTIONS_METADATA_KEY),
  );
  const { module, options: moduleOptions } = inferred!;
  return writeOnnx(
    { module, options: moduleOptions, tensors },
    { dtype: dtype as 'float32' | 'float64', metadata },
  );
}
