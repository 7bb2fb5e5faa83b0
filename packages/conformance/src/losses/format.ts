/**
 * The `recur-loss/1` format (docs/case-format.md, "Loss cases"): one file per loss function, each with
 * many cases: input, target (a float tensor, or class ids), options, and PyTorch's loss and gradients.
 * The reader is strict like the other readers: any problem is a {@link LossFormatError} naming the field.
 */
import {
  arrayAt,
  at,
  FileFormatError,
  type FileTensor,
  field,
  fileNameAt,
  has,
  integerAt,
  type JsonObject,
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
} from '../format-checks.js';

/** The loss functions a `recur-loss/1` file may name (`@recur/core`'s names). */
export const lossNames = [
  'mseLoss',
  'l1Loss',
  'smoothL1Loss',
  'huberLoss',
  'nllLoss',
  'crossEntropy',
  'binaryCrossEntropy',
  'binaryCrossEntropyWithLogits',
] as const;

/** One of {@link lossNames}. */
export type LossName = (typeof lossNames)[number];

/** Options of one case, as the loss function takes them (tensors as file tensors). */
export interface LossCaseOptions {
  /** How the loss is reduced. */
  reduction: 'mean' | 'sum' | 'none';
  /** Per-class (`nllLoss`, `crossEntropy`) or per-element (binary losses) weight. */
  weight?: FileTensor;
  /** `binaryCrossEntropyWithLogits`'s weight of the positive term. */
  posWeight?: FileTensor;
  /** Class id whose rows are ignored (`nllLoss`, `crossEntropy`). */
  ignoreIndex?: number;
  /** `crossEntropy`'s label smoothing in [0, 1]. */
  labelSmoothing?: number;
  /** `smoothL1Loss`'s threshold (≥ 0). */
  beta?: number;
  /** `huberLoss`'s threshold (> 0). */
  delta?: number;
}

/** PyTorch's results for one case. */
export interface LossCaseExpected {
  /** The loss: shape `[]`, or the per-element (per-row) losses with reduction `none`. */
  loss: FileTensor;
  /** Gradients of the loss (of `sum(loss ⊙ gradOutput)` with `none`). */
  grad: {
    /** With respect to the input. */
    input: FileTensor;
    /** With respect to a float target, when recorded. */
    target?: FileTensor;
  };
}

/** One case: the loss of `input` against `target` (or `targetIds`) with `options`, and PyTorch's results. */
export interface LossCase {
  /** Unique in its file. */
  name: string;
  /** The loss's first argument. */
  input: FileTensor;
  /** A float target (same shape as the input); absent when `targetIds` is given. */
  target?: FileTensor;
  /** Integer class ids; absent when `target` is given. */
  targetIds?: FileTensor;
  /** The options passed to the loss function and module. */
  options: LossCaseOptions;
  /** Dtypes the case is meaningful in (default both); e.g. float64 only when float32 cannot hold the input. */
  dtypes?: ('float32' | 'float64')[];
  /** With reduction `none`: the upstream gradient; the gradients are those of `sum(loss ⊙ gradOutput)`. */
  gradOutput?: FileTensor;
  /** PyTorch's loss and gradients. */
  expected: LossCaseExpected;
}

/** A parsed `recur-loss/1` file. */
export interface LossFile {
  /** Always `recur-loss/1`. */
  format: 'recur-loss/1';
  /** The loss function every case calls. */
  loss: LossName;
  /** What produced the expected values, e.g. `torch 1.13.0`. */
  source?: string;
  /** The precision the references were computed in. */
  dtype?: 'float32' | 'float64';
  /** The cases, in file order. */
  cases: LossCase[];
}

/** A `recur-loss/1` file, or why it could not be read. */
export type LoadedLossFile = LoadedLossFileOk | LoadedLossFileError;

/** A `recur-loss/1` file that was read. */
export interface LoadedLossFileOk {
  /** Where it came from. */
  file: string;
  /** Its parsed content. */
  losses: LossFile;
}

/** A `recur-loss/1` file that could not be read. */
export interface LoadedLossFileError {
  /** Where it came from. */
  file: string;
  /** Why, with the file and the field named. */
  error: string;
}

/** A malformed `recur-loss/1` file: the message names the field. */
export class LossFormatError extends FileFormatError {
  /** Always 'LossFormatError'. */
  override name = 'LossFormatError';
}

const raise: Raise = (path, message) => {
  throw new LossFormatError(path, message);
};

/** Options each loss accepts (besides `reduction`). */
const optionKeys: Record<LossName, readonly string[]> = {
  mseLoss: [],
  l1Loss: [],
  smoothL1Loss: ['beta'],
  huberLoss: ['delta'],
  nllLoss: ['weight', 'ignoreIndex'],
  crossEntropy: ['weight', 'ignoreIndex', 'labelSmoothing'],
  binaryCrossEntropy: ['weight'],
  binaryCrossEntropyWithLogits: ['weight', 'posWeight'],
};

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function expectShapeOf(path: string, t: FileTensor, shape: readonly number[], why: string): void {
  if (!sameShape(t.shape, shape)) {
    raise(path, `${path} must have ${why} [${shape.join(', ')}], got shape [${t.shape.join(', ')}]`);
  }
}

function readOptions(path: string, loss: LossName, value: unknown): LossCaseOptions {
  const o = objectAt(raise, path, value);
  onlyKeys(raise, path, o, ['reduction', ...optionKeys[loss]]);
  const out: LossCaseOptions = {
    reduction: oneOfAt(raise, at(path, 'reduction'), field(o, 'reduction'), ['mean', 'sum', 'none'] as const),
  };
  if (has(o, 'weight')) out.weight = tensorAt(raise, at(path, 'weight'), field(o, 'weight'));
  if (has(o, 'posWeight')) out.posWeight = tensorAt(raise, at(path, 'posWeight'), field(o, 'posWeight'));
  if (has(o, 'ignoreIndex'))
    out.ignoreIndex = integerAt(
      raise,
      at(path, 'ignoreIndex'),
      field(o, 'ignoreIndex'),
      Number.MIN_SAFE_INTEGER,
    );
  if (has(o, 'labelSmoothing'))
    out.labelSmoothing = numberAt(raise, at(path, 'labelSmoothing'), field(o, 'labelSmoothing'), 0, 1);
  if (has(o, 'beta')) out.beta = numberAt(raise, at(path, 'beta'), field(o, 'beta'), 0);
  if (has(o, 'delta'))
    out.delta = numberAt(raise, at(path, 'delta'), field(o, 'delta'), 0, Number.POSITIVE_INFINITY);
  return out;
}

function readCase(path: string, loss: LossName, value: unknown): LossCase {
  const o = objectAt(raise, path, value);
  onlyKeys(raise, path, o, [
    'name',
    'input',
    'target',
    'targetIds',
    'options',
    'dtypes',
    'gradOutput',
    'expected',
  ]);
  const name = fileNameAt(raise, at(path, 'name'), field(o, 'name'));
  const input = tensorAt(raise, at(path, 'input'), field(o, 'input'));
  const ids = loss === 'nllLoss' || loss === 'crossEntropy';
  const c: LossCase = {
    name,
    input,
    options: readOptions(at(path, 'options'), loss, field(o, 'options')),
    expected: { loss: { shape: [], data: [] }, grad: { input } },
  };
  if (has(o, 'target') === has(o, 'targetIds') || (!ids && has(o, 'targetIds'))) {
    raise(
      path,
      `${path} must have exactly one of target${ids ? ' (class probabilities) and targetIds (class ids)' : ''}` +
        `${ids ? '' : ' (targetIds is for nllLoss and crossEntropy)'}`,
    );
  }
  if (has(o, 'target')) {
    c.target = tensorAt(raise, at(path, 'target'), field(o, 'target'));
    if (loss === 'nllLoss')
      raise(at(path, 'target'), 'nllLoss takes class ids (targetIds), not a float target');
    expectShapeOf(at(path, 'target'), c.target, input.shape, "the input's shape");
  } else {
    const t = tensorAt(raise, at(path, 'targetIds'), field(o, 'targetIds'));
    t.data.forEach((v, k) => {
      integerAt(raise, at(at(at(path, 'targetIds'), 'data'), k), v, -(2 ** 31), 2 ** 31 - 1);
    });
    expectShapeOf(at(path, 'targetIds'), t, input.shape.slice(0, -1), 'one id per row of the input, shape');
    c.targetIds = t;
  }
  if (has(o, 'dtypes')) {
    const dtypes = arrayAt(raise, at(path, 'dtypes'), field(o, 'dtypes'));
    if (dtypes.length === 0) mismatch(raise, at(path, 'dtypes'), 'a non-empty array', dtypes);
    c.dtypes = dtypes.map((d, k) =>
      oneOfAt(raise, at(at(path, 'dtypes'), k), d, ['float32', 'float64'] as const),
    );
  }
  const none = c.options.reduction === 'none';
  if (has(o, 'gradOutput') !== none) {
    raise(
      at(path, 'gradOutput'),
      `${at(path, 'gradOutput')} must be given exactly when options.reduction is "none"`,
    );
  }
  const e = objectAt(raise, at(path, 'expected'), field(o, 'expected'));
  onlyKeys(raise, at(path, 'expected'), e, ['loss', 'grad']);
  const expectedLoss = tensorAt(raise, at(at(path, 'expected'), 'loss'), field(e, 'loss'));
  if (!none) expectShapeOf(at(at(path, 'expected'), 'loss'), expectedLoss, [], 'a reduced (scalar) shape');
  const g = objectAt(raise, at(at(path, 'expected'), 'grad'), field(e, 'grad'));
  onlyKeys(raise, at(at(path, 'expected'), 'grad'), g, ['input', 'target']);
  const gradPath = at(at(path, 'expected'), 'grad');
  const gradInput = tensorAt(raise, at(gradPath, 'input'), field(g, 'input'));
  expectShapeOf(at(gradPath, 'input'), gradInput, input.shape, "the input's shape");
  c.expected = { loss: expectedLoss, grad: { input: gradInput } };
  if (has(g, 'target')) {
    if (c.target === undefined) raise(at(gradPath, 'target'), 'a target gradient needs a float target');
    const gradTarget = tensorAt(raise, at(gradPath, 'target'), field(g, 'target'));
    expectShapeOf(at(gradPath, 'target'), gradTarget, input.shape, "the input's shape");
    c.expected.grad.target = gradTarget;
  }
  if (none) {
    const gradOutput = tensorAt(raise, at(path, 'gradOutput'), field(o, 'gradOutput'));
    expectShapeOf(at(path, 'gradOutput'), gradOutput, expectedLoss.shape, "the loss's shape");
    c.gradOutput = gradOutput;
  }
  return c;
}

/** Strictly parses a `recur-loss/1` JSON value; throws a {@link LossFormatError} naming the field. */
export function parseLossFile(value: unknown): LossFile {
  const o: JsonObject = objectAt(raise, '', value);
  onlyKeys(raise, '', o, ['format', 'loss', 'source', 'dtype', 'cases']);
  if (field(o, 'format') !== 'recur-loss/1') mismatch(raise, 'format', '"recur-loss/1"', field(o, 'format'));
  const loss = oneOfAt(raise, 'loss', field(o, 'loss'), lossNames);
  const out: LossFile = { format: 'recur-loss/1', loss, cases: [] };
  if (has(o, 'source')) out.source = stringAt(raise, 'source', field(o, 'source'));
  if (has(o, 'dtype'))
    out.dtype = oneOfAt(raise, 'dtype', field(o, 'dtype'), ['float32', 'float64'] as const);
  const cases = arrayAt(raise, 'cases', field(o, 'cases'));
  const seen = new Set<string>();
  cases.forEach((c, k) => {
    const parsed = readCase(at('cases', k), loss, c);
    if (seen.has(parsed.name))
      raise(at(at('cases', k), 'name'), `duplicate case name ${JSON.stringify(parsed.name)}`);
    seen.add(parsed.name);
    out.cases.push(parsed);
  });
  return out;
}

/** Parses `recur-loss/1` JSON text. */
export function parseLossText(text: string): LossFile {
  return parseLossFile(parseJsonText(raise, text));
}

/** Parses `recur-loss/1` bytes (UTF-8, refused otherwise). */
export function parseLossBytes(bytes: Uint8Array): LossFile {
  return parseLossFile(parseJsonBytes(raise, bytes));
}

/** Parses one file's value into a {@link LoadedLossFile}: the parsed file, or its error with the file named. */
export function loadedLossFile(file: string, value: unknown): LoadedLossFile {
  try {
    return { file, losses: value instanceof Uint8Array ? parseLossBytes(value) : parseLossFile(value) };
  } catch (error) {
    return { file, error: `${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
}
