/**
 * Gate orders at the ONNX boundary. ONNX packs LSTM gates i, o, f, c and GRU gates z, r, h; PyTorch
 * (and every Recur backend) packs i, f, g, o and r, z, n. Weights are reordered here, once, on the
 * way in and out (docs/math.md, "Weights from other systems").
 */

/** ONNX operator of each recurrent module kind. */
export type RecurrentKind = 'RNN' | 'LSTM' | 'GRU';

/**
 * For each kind, `torchFromOnnx[j]` is the ONNX chunk that becomes PyTorch chunk `j`
 * (LSTM: i ← i, f ← f, g ← c, o ← o; GRU: r ← r, z ← z, n ← h).
 */
const torchFromOnnx: Record<RecurrentKind, readonly number[]> = {
  RNN: [0],
  LSTM: [0, 2, 3, 1],
  GRU: [1, 0, 2],
};

/** Gates per kind (G): the packed weights have G·hidden_size rows. */
export function gateCount(kind: RecurrentKind): number {
  return torchFromOnnx[kind].length;
}

/**
 * Reorders the G chunks of `rows` rows each (a `[G·rows, cols]` matrix or `[G·rows]` vector, row-major)
 * from ONNX's gate order to PyTorch's (`direction = 'toTorch'`) or back.
 */
export function reorderGates<A extends Float32Array | Float64Array>(
  kind: RecurrentKind,
  values: A,
  rows: number,
  cols: number,
  direction: 'toTorch' | 'toOnnx',
): A {
  const order = torchFromOnnx[kind];
  const chunk = rows * cols;
  const out = new (values.constructor as { new (n: number): A })(values.length);
  for (let torch = 0; torch < order.length; torch++) {
    const onnx = order[torch]!;
    const [from, to] = direction === 'toTorch' ? [onnx, torch] : [torch, onnx];
    out.set(values.subarray(from * chunk, (from + 1) * chunk), to * chunk);
  }
  return out;
}
