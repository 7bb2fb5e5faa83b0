/** `readOnnx`: the RNN, GRU or LSTM of an ONNX model as a PyTorch-named state dict and module options. */
import { WeightFileError } from '../errors.js';
import type { InferredModule } from '../infer.js';
import { MODULE_METADATA_KEY, OPTIONS_METADATA_KEY } from '../infer.js';
import type { WeightFile, WeightTensor } from '../tensor-entry.js';
import { gateCount, reorderGates } from './gates.js';
import type { Layer, RecurrentGraph } from './layers.js';
import { readRecurrentGraph } from './layers.js';
import type { ModelProto, TensorProto } from './proto.js';
import { decodeModel } from './proto.js';
import { readFloatTensor, tensorDims } from './tensor.js';

const fail = (message: string): never => {
  throw new WeightFileError('onnx', message);
};

/** Oldest default-domain opset read: RNN, GRU and LSTM took their present form in opset 7. */
export const MIN_READ_OPSET = 7;

/**
 * Reads the recurrent module of an ONNX model (`.onnx` bytes): the RNN, GRU or LSTM nodes, one per
 * layer, and the glue PyTorch's exporter puts around them (Transpose, Reshape, Squeeze, Unsqueeze,
 * Concat, Slice, Gather, and the Shape/Expand arithmetic that builds zero initial states).
 *
 * Returns the weights under PyTorch's `state_dict` names (gates reordered from ONNX's LSTM i|o|f|c and
 * GRU z|r|h to i|f|g|o and r|z|n; `B` split into `bias_ih` and `bias_hh`; the second direction as
 * `_reverse`), the module kind and options (`inputSize`, `hiddenSize`, `numLayers`, `bias`,
 * `bidirectional`, `batchFirst` from the input's transpose or `layout`, `nonlinearity` for RNN), also
 * written to `metadata` as `recur.module` / `recur.options`, with the graph inputs holding `h0`, `c0`
 * and sequence lengths when the model takes them (`onnx.h0`, `onnx.c0`, `onnx.sequence_lens`).
 *
 * Refuses, with a {@link WeightFileError} naming the node, the attribute or input, and its value:
 * GRU with `linear_before_reset = 0`, `clip`, `input_forget`, peepholes, activations other than
 * PyTorch's, a `reverse`-only direction, non-zero constant initial states, ops that are not part of
 * one recurrent module, and any malformed or inconsistent tensor (dims, data lengths, dtypes).
 */
export function readOnnx(bytes: Uint8Array): WeightFile & {
  /** The Recur module the graph computes: kind and constructor options, worked out from its recurrent node. */
  module: InferredModule;
} {
  if (!(bytes instanceof Uint8Array)) fail(`expected the model's bytes as a Uint8Array, got ${typeof bytes}`);
  const model = decodeModel(bytes);
  const opset = defaultOpset(model);
  const graph = model.graph ?? fail('the model has no graph');
  const recurrent = readRecurrentGraph(graph);
  const { kind, layers } = recurrent;
  const first = layers[0]!.attributes;
  const directions = first.directions;
  const hiddenSize = first.hiddenSize;
  const inputSize = layerInputSize(layers[0]!);
  const bias = layers.some((l) => l.B !== undefined);
  const tensors: Record<string, WeightTensor> = {};
  for (const [k, layer] of layers.entries()) {
    const expectedInput = k === 0 ? inputSize : directions * hiddenSize;
    Object.assign(tensors, layerTensors(kind, layer, k, expectedInput, bias));
  }
  const options: Record<string, unknown> = {
    inputSize,
    hiddenSize,
    numLayers: layers.length,
    bias,
    bidirectional: directions === 2,
    batchFirst: recurrent.batchFirst,
  };
  if (kind === 'RNN') options.nonlinearity = first.nonlinearity;
  if (kind === 'LSTM') options.projSize = 0;
  return {
    tensors,
    metadata: modelMetadata(model, opset, recurrent, options),
    module: { module: kind, options, source: 'shapes', unknown: ['dropout'] },
  };
}

function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (entry === undefined)
    fail('the model imports no version of the default ONNX operator set (opset_import)');
  const version = Number(entry!.version);
  if (version < MIN_READ_OPSET) {
    fail(
      `opset_import version is ${version}; Recur reads opset ${MIN_READ_OPSET} and later (RNN/GRU/LSTM as they are since)`,
    );
  }
  return version;
}

/** Layer 0's input size: W's last dimension. */
function layerInputSize(layer: Layer): number {
  const dims = tensorDims(layer.W, `${layer.where} input W`);
  if (dims.length !== 3)
    fail(`${layer.where}: input W must have 3 dims [D, G·hidden_size, input_size], got [${dims.join(', ')}]`);
  if (dims[2]! < 1) fail(`${layer.where}: input W has input_size ${dims[2]}, expected ≥ 1`);
  return dims[2]!;
}

/** Checks a weight's dims before its data is read. */
function expectDims(tensor: TensorProto, expected: readonly number[], what: string): void {
  const dims = tensorDims(tensor, what);
  if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) {
    fail(`${what} has dims [${dims.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

function layerTensors(
  kind: RecurrentGraph['kind'],
  layer: Layer,
  k: number,
  inputSize: number,
  bias: boolean,
): Record<string, WeightTensor> {
  const { directions: D, hiddenSize: H } = layer.attributes;
  const G = gateCount(kind);
  const gh = G * H;
  const where = layer.where;
  expectDims(layer.W, [D, gh, inputSize], `${where} input W ([directions, ${G}·hidden_size, input_size])`);
  expectDims(layer.R, [D, gh, H], `${where} input R ([directions, ${G}·hidden_size, hidden_size])`);
  if (layer.B !== undefined)
    expectDims(layer.B, [D, 2 * gh], `${where} input B ([directions, 2·${G}·hidden_size])`);
  const W = readFloatTensor(layer.W, `${where} input W`);
  const R = readFloatTensor(layer.R, `${where} input R`);
  const B = layer.B === undefined ? undefined : readFloatTensor(layer.B, `${where} input B`);
  const out: Record<string, WeightTensor> = {};
  for (let d = 0; d < D; d++) {
    const suffix = `_l${k}${d === 1 ? '_reverse' : ''}`;
    const part = (
      t: WeightTensor,
      start: number,
      length: number,
      rows: number,
      cols: number,
      shape: number[],
    ) => ({
      shape,
      data: reorderGates(kind, t.data.subarray(start, start + length), rows, cols, 'toTorch'),
      stored: t.stored,
    });
    out[`weight_ih${suffix}`] = part(W, d * gh * inputSize, gh * inputSize, H, inputSize, [gh, inputSize]);
    out[`weight_hh${suffix}`] = part(R, d * gh * H, gh * H, H, H, [gh, H]);
    if (bias) {
      // A layer without B has zero biases: exactly PyTorch's bias_ih = bias_hh = 0.
      const source = B ?? {
        shape: [D, 2 * gh],
        data: W.stored === 'float64' ? new Float64Array(D * 2 * gh) : new Float32Array(D * 2 * gh),
        stored: W.stored,
      };
      out[`bias_ih${suffix}`] = part(source, d * 2 * gh, gh, H, 1, [gh]);
      out[`bias_hh${suffix}`] = part(source, d * 2 * gh + gh, gh, H, 1, [gh]);
    }
  }
  return out;
}

function modelMetadata(
  model: ModelProto,
  opset: number,
  recurrent: RecurrentGraph,
  options: Record<string, unknown>,
): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const { key, value } of model.metadataProps) metadata[key] = value;
  metadata[MODULE_METADATA_KEY] = recurrent.kind;
  metadata[OPTIONS_METADATA_KEY] = JSON.stringify(options);
  if (model.producerName) metadata['onnx.producer'] = `${model.producerName} ${model.producerVersion}`.trim();
  metadata['onnx.opset'] = String(opset);
  metadata['onnx.input'] = recurrent.input;
  const { h0, c0, sequenceLens } = recurrent.stateInputs;
  if (h0 !== undefined) metadata['onnx.h0'] = h0;
  if (c0 !== undefined) metadata['onnx.c0'] = c0;
  if (sequenceLens !== undefined) metadata['onnx.sequence_lens'] = sequenceLens;
  return metadata;
}
