/**
 * What each tensor of an ONNX graph is, worked out symbolically, so the reader can tell how PyTorch's
 * exporter wired the layers: which graph input feeds layer 0 and whether it was transposed
 * (`batchFirst`), which layer feeds which, whether initial states are zeros or rows of an input.
 *
 * A "flow" tensor carries labelled axes: a graph input `x` has axes `x:0`, `x:1`, …; a recurrent
 * node's Y has its input's time and batch axes plus `D@n` and `H@n` (node n's directions and hidden
 * size). Transpose, Squeeze, Unsqueeze, Reshape, Slice, Gather and Expand move, merge or select these
 * axes; new axes of size 1 (one direction's `D`, an Unsqueeze) carry no label, so squeezing `D` when
 * there is one direction leaves `[T, N, H]`.
 * Everything else is a constant, zeros, shape arithmetic, or opaque (with the reason).
 */
import { WeightFileError } from '../errors.js';
import type { AttributeProto, NodeProto, TensorProto, ValueInfoProto } from './proto.js';
import { AttributeType, DataType, dimensionSize } from './proto.js';
import { isFloatType, readFloatTensor, readIntTensor } from './tensor.js';

/** One axis: the labels of the original axes merged into it (size-1 ones dropped) and its size if known. */
export interface Axis {
  readonly parts: readonly string[];
  readonly size?: number;
}

/** A tensor computed from a graph input or a recurrent node's Y, with where its axes came from. */
export interface Flow {
  readonly kind: 'flow';
  /** The graph input or `#n` (recurrent node n's Y) it comes from. */
  readonly origin: string;
  readonly axes: readonly Axis[];
  /** Rows [start, end) of the origin's axis 0 it holds, when sliced there. */
  readonly rows?: readonly [number, number];
  /** The initializer of a graph input that has one (its default value). */
  readonly initializer?: TensorProto;
}

/** What a tensor of the graph is. */
export type Value =
  | Flow
  | { readonly kind: 'constant'; readonly tensor: TensorProto }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'shape' }
  | { readonly kind: 'opaque'; readonly why: string };

const fail = (message: string): never => {
  throw new WeightFileError('onnx', message);
};

/** Glue op types the reader understands (beside RNN, GRU and LSTM). */
export const GLUE_OPS = [
  'Transpose',
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Concat',
  'Slice',
  'Gather',
  'Identity',
  'Dropout',
  'Expand',
  'Shape',
  'Constant',
  'ConstantOfShape',
  'Cast',
] as const;

/** The labelled axes of a graph input, sizes from its declared shape where static. */
export function inputFlow(info: ValueInfoProto, initializer: TensorProto | undefined): Flow {
  const dims = info.type?.tensorType?.shape?.dim ?? [];
  // Input axes keep their label even when of size 1, so a batch or sequence of one is still followed.
  const axes = dims.map((d, i) => {
    const size = dimensionSize(d);
    return { parts: [`${info.name}:${i}`], ...(size === undefined ? {} : { size }) };
  });
  return { kind: 'flow', origin: info.name, axes, ...(initializer ? { initializer } : {}) };
}

/** Whether `value` is all zeros (a zero constant, or zeros derived from one). */
export function isZeros(value: Value, where: string): boolean {
  if (value.kind === 'zeros') return true;
  if (value.kind !== 'constant') return false;
  const t = value.tensor;
  const data = isFloatType(t.dataType) ? readFloatTensor(t, where).data : readIntTensor(t, where).data;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

/** An integer list given as a constant input (opset ≥ 13 style) or an INTS attribute (older). */
function intList(
  node: NodeProto,
  values: (name: string) => Value,
  inputIndex: number | undefined,
  attribute: string,
  where: string,
): number[] | undefined {
  const name = inputIndex === undefined ? undefined : node.input[inputIndex];
  if (name !== undefined && name !== '') {
    const v = values(name);
    if (v.kind !== 'constant') return undefined;
    return readIntTensor(v.tensor, `${where} input ${inputIndex} ("${name}")`).data;
  }
  const a = node.attribute.find((x) => x.name === attribute);
  if (a === undefined) return [];
  if (a.type !== AttributeType.INTS)
    fail(`${where}: attribute ${attribute} must be INTS, got type ${a.type}`);
  return a.ints.map(Number);
}

function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a === undefined ? fallback : Number(a.i);
}

const opaque = (why: string): Value => ({ kind: 'opaque', why });

/**
 * The values of `node`'s outputs given its inputs' values (`values` looks one up). Recurrent nodes are
 * not handled here. `where` names the node in errors.
 */
export function evaluateGlue(node: NodeProto, values: (name: string) => Value, where: string): Value[] {
  const inputs = node.input.map((n) => (n === '' ? opaque('an omitted input') : values(n)));
  const x = inputs[0];
  const from = `${node.opType} node ${where}`;
  switch (node.opType) {
    case 'Constant':
      return [constantValue(node.attribute, where)];
    case 'ConstantOfShape': {
      const a = node.attribute.find((v) => v.name === 'value');
      if (a?.t === undefined) return [{ kind: 'zeros' }];
      return [
        isZeros({ kind: 'constant', tensor: a.t }, `${where} attribute value`)
          ? { kind: 'zeros' }
          : opaque(`${from} fills a non-zero value`),
      ];
    }
    case 'Shape':
      return [{ kind: 'shape' }];
    case 'Identity':
      return [x ?? opaque(`${from} has no input`)];
    case 'Dropout':
      // Inference graphs keep Dropout only as an identity (PyTorch exports modules in eval mode).
      return [x ?? opaque(`${from} has no input`), opaque(`the mask of ${from}`)];
    case 'Cast':
    case 'Concat': {
      const zero = (v: Value) => v.kind === 'zeros' || (v.kind === 'constant' && isZeros(v, where));
      if (inputs.length > 0 && inputs.every(zero)) return [{ kind: 'zeros' }];
      if (inputs.length > 0 && inputs.every((v) => v.kind === 'shape' || v.kind === 'constant')) {
        return [{ kind: 'shape' }];
      }
      return [opaque(node.opType === 'Cast' ? `${from} changes the element type` : `${from} joins tensors`)];
    }
    case 'Expand':
      if (x?.kind === 'zeros' || (x?.kind === 'constant' && isZeros(x, where))) return [{ kind: 'zeros' }];
      if (x?.kind === 'flow') return [x]; // broadcasting a state along the batch: the same rows
      return [x?.kind === 'shape' ? x : opaque(`${from} expands a non-zero tensor`)];
    default:
      break;
  }
  if (x === undefined) return [opaque(`${from} has no input`)];
  if (x.kind === 'zeros' || (x.kind === 'constant' && isFloatType(x.tensor.dataType) && isZeros(x, where))) {
    return [{ kind: 'zeros' }];
  }
  if (x.kind === 'shape' || x.kind === 'constant') return [{ kind: 'shape' }];
  if (x.kind !== 'flow') return [x];
  const rank = x.axes.length;
  const axis = (a: number) => (a < 0 ? a + rank : a);
  switch (node.opType) {
    case 'Transpose': {
      const given = intList(node, values, undefined, 'perm', where) ?? [];
      const perm = given.length > 0 ? given : x.axes.map((_, i) => rank - 1 - i);
      if (perm.length !== rank || new Set(perm).size !== rank || perm.some((p) => !(p >= 0 && p < rank))) {
        return [opaque(`${from} has perm [${perm.join(', ')}] for a tensor of rank ${rank}`)];
      }
      return [{ ...x, axes: perm.map((p) => x.axes[p]!), rows: perm[0] === 0 ? x.rows : undefined }];
    }
    case 'Squeeze': {
      const list = intList(node, values, 1, 'axes', where);
      if (list === undefined) return [opaque(`${from} has axes that are not constant`)];
      const drop = list.length > 0 ? list.map(axis) : x.axes.flatMap((a, i) => (a.size === 1 ? [i] : []));
      if (drop.some((d) => x.axes[d]?.size !== 1))
        return [opaque(`${from} squeezes an axis not known to have size 1`)];
      return [
        {
          ...x,
          axes: x.axes.filter((_, i) => !drop.includes(i)),
          rows: drop.includes(0) ? undefined : x.rows,
        },
      ];
    }
    case 'Unsqueeze': {
      const list = intList(node, values, 1, 'axes', where);
      if (list === undefined) return [opaque(`${from} has axes that are not constant`)];
      const outRank = rank + list.length;
      const at = list.map((a) => (a < 0 ? a + outRank : a));
      const axes: Axis[] = [];
      let next = 0;
      for (let i = 0; i < outRank; i++) axes.push(at.includes(i) ? { parts: [], size: 1 } : x.axes[next++]!);
      if (next !== rank)
        return [opaque(`${from} has axes [${list.join(', ')}] that do not fit rank ${rank}`)];
      return [{ ...x, axes, rows: at.includes(0) ? undefined : x.rows }];
    }
    case 'Reshape': {
      const shape = intList(node, values, 1, 'shape', where);
      if (shape === undefined || shape.length === 0)
        return [opaque(`${from} has a shape that is not constant`)];
      const axes = reshapeAxes(x.axes, shape, intAttribute(node, 'allowzero', 0) === 1);
      if (axes === undefined)
        return [opaque(`${from} reshapes to [${shape.join(', ')}] in a way Recur does not follow`)];
      const keepsRows = axes[0] === x.axes[0];
      return [{ ...x, axes, rows: keepsRows ? x.rows : undefined }];
    }
    case 'Slice':
      return [sliceRows(node, x, values, where)];
    case 'Gather': {
      const index = inputs[1];
      const gatherAxis = intAttribute(node, 'axis', 0);
      if (gatherAxis !== 0 || index?.kind !== 'constant' || !onOriginRows(x)) {
        return [opaque(`${from} is not a constant pick of one row along axis 0`)];
      }
      const { shape, data } = readIntTensor(index.tensor, `${where} indices`);
      const size = x.axes[0]?.size;
      const picked = data[0]! < 0 && size !== undefined ? data[0]! + size : data[0]!;
      if (shape.length !== 0 || picked < 0 || (size !== undefined && picked >= size)) {
        return [opaque(`${from} picks more than one row, or a row out of range`)];
      }
      const start = (x.rows?.[0] ?? 0) + picked;
      return [{ ...x, axes: x.axes.slice(1), rows: [start, start + 1] }];
    }
    default:
      return [opaque(`${from} is not glue Recur follows`)];
  }
}

/** A Constant node's value: `value` (a tensor) or `value_int(s)`/`value_float(s)`. */
function constantValue(attributes: readonly AttributeProto[], where: string): Value {
  const a = attributes[0];
  if (attributes.length !== 1 || a === undefined)
    return opaque(`Constant node ${where} has ${attributes.length} attributes`);
  const tensor = (dataType: number, dims: bigint[], fields: Partial<TensorProto>): Value => ({
    kind: 'constant',
    tensor: {
      name: '',
      dims,
      dataType,
      floatData: [],
      int32Data: [],
      int64Data: [],
      rawData: new Uint8Array(),
      externalData: [],
      dataLocation: 0,
      doubleData: [],
      ...fields,
    },
  });
  switch (a.name) {
    case 'value':
      return a.t === undefined
        ? opaque(`Constant node ${where} has no tensor`)
        : { kind: 'constant', tensor: a.t };
    case 'value_int':
      return tensor(DataType.INT64, [], { int64Data: [a.i] });
    case 'value_ints':
      return tensor(DataType.INT64, [BigInt(a.ints.length)], { int64Data: a.ints });
    case 'value_float':
      return tensor(DataType.FLOAT, [], { floatData: [a.f] });
    case 'value_floats':
      return tensor(DataType.FLOAT, [BigInt(a.floats.length)], { floatData: a.floats });
    default:
      return opaque(`Constant node ${where} holds ${a.name}`);
  }
}

/** Slice of a flow along axis 0 with step 1 (how the exporter picks a layer's rows of h0). */
function sliceRows(node: NodeProto, x: Flow, values: (name: string) => Value, where: string): Value {
  const from = `Slice node ${where}`;
  // Opset ≥ 10: starts, ends, axes, steps are inputs 1–4; before, starts/ends/axes are attributes.
  const starts = intList(node, values, 1, 'starts', where);
  const ends = intList(node, values, 2, 'ends', where);
  const axes = intList(node, values, 3, 'axes', where);
  const steps = intList(node, values, 4, 'steps', where);
  if (starts === undefined || ends === undefined || axes === undefined || steps === undefined) {
    return opaque(`${from} has bounds that are not constant`);
  }
  if (!onOriginRows(x)) return opaque(`${from} slices a tensor whose first axis is not its origin's`);
  const onAxes = axes.length > 0 ? axes : starts.map((_, i) => i);
  if (
    starts.length !== 1 ||
    ends.length !== 1 ||
    onAxes.length !== 1 ||
    onAxes[0] !== 0 ||
    steps.some((s) => s !== 1)
  ) {
    return opaque(`${from} is not a slice of rows along axis 0 with step 1`);
  }
  const [offset, available] = x.rows ? [x.rows[0], x.rows[1] - x.rows[0]] : [0, x.axes[0]?.size];
  const clamp = (v: number) => {
    const n = available ?? Number.MAX_SAFE_INTEGER;
    return Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  };
  if (available === undefined && (starts[0]! < 0 || ends[0]! < 0))
    return opaque(`${from} counts from the end of an axis of unknown size`);
  const start = clamp(starts[0]!);
  const end = Math.max(start, clamp(ends[0]!));
  const size = available === undefined && ends[0]! >= Number.MAX_SAFE_INTEGER ? undefined : end - start;
  const first = x.axes[0];
  if (first === undefined) return opaque(`${from} slices a scalar`);
  return {
    ...x,
    axes: [size === undefined ? first : { parts: first.parts, size }, ...x.axes.slice(1)],
    rows: size === undefined ? undefined : [offset + start, offset + end],
  };
}

/** Whether `x`'s axis 0 is its origin's axis 0 (or what is left of it after picking rows). */
function onOriginRows(x: Flow): boolean {
  const parts = x.axes[0]?.parts;
  return parts !== undefined && (parts.length === 0 || (parts.length === 1 && parts[0] === `${x.origin}:0`));
}

/**
 * The axes after reshaping `axes` to `shape` (0 copies an axis unless `allowZero`, −1 takes the rest):
 * each target dimension must be a run of consecutive input axes (merged) or a new axis of size 1.
 * Undefined when it cannot be followed that way (unknown sizes, or axes split apart).
 */
function reshapeAxes(
  axes: readonly Axis[],
  shape: readonly number[],
  allowZero: boolean,
): Axis[] | undefined {
  const rest = shape.indexOf(-1);
  if (shape.some((d, i) => d < -1 || (d === -1 && i !== rest)) || (allowZero && shape.includes(0)))
    return undefined;
  const left = rest < 0 ? shape : shape.slice(0, rest);
  const right = rest < 0 ? [] : shape.slice(rest + 1);
  const out: Axis[] = [];
  let p = 0;
  for (const [j, d] of left.entries()) {
    const taken = take(axes, p, d, j, 1);
    if (taken === undefined) return undefined;
    out.push(taken.axis);
    p = taken.next;
  }
  const tail: Axis[] = [];
  let q = axes.length - 1;
  for (let k = right.length - 1; k >= 0; k--) {
    const j = shape.length - right.length + k;
    const taken = take(axes, q, right[k]!, j, -1);
    if (taken === undefined) return undefined;
    tail.unshift(taken.axis);
    q = taken.next;
  }
  if (rest >= 0) out.push(merge(axes.slice(p, q + 1)));
  else if (p !== q + 1 && !axes.slice(p, q + 1).every((a) => a.size === 1)) return undefined;
  return [...out, ...tail];
}

/**
 * Takes the run of axes from `at` (going `step`, ±1) whose sizes multiply to `d`; 0 copies axis `j`,
 * and 1 takes an axis of size 1 there or makes a new one.
 */
function take(
  axes: readonly Axis[],
  at: number,
  d: number,
  j: number,
  step: 1 | -1,
): { axis: Axis; next: number } | undefined {
  if (d === 0) return at === j && axes[j] !== undefined ? { axis: axes[j]!, next: at + step } : undefined;
  if (d === 1) {
    return axes[at]?.size === 1
      ? { axis: axes[at]!, next: at + step }
      : { axis: { parts: [], size: 1 }, next: at };
  }
  const run: Axis[] = [];
  let product = 1;
  let i = at;
  while (product < d) {
    const a = axes[i];
    if (a?.size === undefined) return undefined;
    run.push(a);
    product *= a.size;
    i += step;
  }
  if (product !== d) return undefined;
  return { axis: merge(step === 1 ? run : run.reverse()), next: i };
}

function merge(run: readonly Axis[]): Axis {
  if (run.length === 1) return run[0]!;
  const sizes = run.map((a) => a.size);
  const size = sizes.every((s) => s !== undefined) ? sizes.reduce((n: number, s) => n * s!, 1) : undefined;
  return { parts: run.flatMap((a) => a.parts), ...(size === undefined ? {} : { size }) };
}
