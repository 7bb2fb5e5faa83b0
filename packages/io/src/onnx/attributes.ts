/**
 * The attributes of an ONNX RNN, GRU or LSTM node, read into what a PyTorch module can express.
 * Anything PyTorch's modules compute differently is refused, naming the attribute and its value:
 * a GRU without `linear_before_reset = 1`, `clip`, `input_forget`, activations other than the
 * defaults (RNN: Tanh or Relu), `activation_alpha`/`activation_beta`, a `reverse`-only direction.
 * Never approximated.
 */
import { WeightFileError } from '../errors.js';
import type { RecurrentKind } from './gates.js';
import type { AttributeProto, NodeProto } from './proto.js';
import { AttributeType } from './proto.js';

/** What a recurrent node says about its layer. */
export interface RecurrentAttributes {
  readonly hiddenSize: number;
  /** 1 for `forward`, 2 for `bidirectional`. */
  readonly directions: 1 | 2;
  /** 0: X is `[T, N, I]`, Y `[T, D, N, H]`; 1: X is `[N, T, I]`, Y `[N, T, D, H]` (opset 14+). */
  readonly layout: 0 | 1;
  /** The RNN activation (`tanh` for LSTM and GRU, whose gates are fixed). */
  readonly nonlinearity: 'tanh' | 'relu';
}

const fail = (message: string): never => {
  throw new WeightFileError('onnx', message);
};

const typeNames: Record<number, string> = Object.fromEntries(
  Object.entries(AttributeType).map(([name, code]) => [code, name]),
);

/** Activations per direction ONNX assumes when `activations` is absent (and PyTorch computes). */
const defaultActivations: Record<RecurrentKind, readonly string[]> = {
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  RNN: ['Tanh'],
};

const known: Record<RecurrentKind, readonly string[]> = {
  LSTM: ['input_forget'],
  GRU: ['linear_before_reset'],
  RNN: [],
};
const common = [
  'hidden_size',
  'direction',
  'activations',
  'activation_alpha',
  'activation_beta',
  'clip',
  'layout',
];

const decoder = new TextDecoder();

function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The attribute's value for messages: `2`, `"reverse"`, `["HardSigmoid", "Tanh"]`, `[0.5]`. */
function show(a: AttributeProto): string {
  switch (a.type) {
    case AttributeType.INT:
      return String(a.i);
    case AttributeType.FLOAT:
      return String(a.f);
    case AttributeType.STRING:
      return JSON.stringify(text(a.s));
    case AttributeType.STRINGS:
      return JSON.stringify(a.strings.map(text));
    case AttributeType.FLOATS:
      return `[${a.floats.join(', ')}]`;
    case AttributeType.INTS:
      return `[${a.ints.join(', ')}]`;
    default:
      return `(an attribute of type ${typeNames[a.type] ?? a.type})`;
  }
}

/**
 * Reads and checks the attributes of recurrent `node` (its op_type is `kind`); `where` names the node
 * in errors.
 */
export function readRecurrentAttributes(
  node: NodeProto,
  kind: RecurrentKind,
  where: string,
): RecurrentAttributes {
  const attributes = new Map<string, AttributeProto>();
  for (const a of node.attribute) {
    if (![...common, ...known[kind]].includes(a.name)) {
      fail(
        `${where}: attribute ${a.name} = ${show(a)} is not an attribute of ONNX ${kind} that Recur knows (known: ${[...common, ...known[kind]].join(', ')})`,
      );
    }
    if (attributes.has(a.name)) fail(`${where}: attribute ${a.name} is given twice`);
    attributes.set(a.name, a);
  }
  const get = (name: string, type: number): AttributeProto | undefined => {
    const a = attributes.get(name);
    if (a !== undefined && a.type !== type) {
      fail(
        `${where}: attribute ${name} must be of type ${typeNames[type]}, got ${typeNames[a.type] ?? `type ${a.type}`}`,
      );
    }
    return a;
  };

  const hidden = get('hidden_size', AttributeType.INT);
  if (hidden === undefined)
    fail(`${where}: attribute hidden_size is missing (Recur needs it to check W and R)`);
  const hiddenSize = Number(hidden!.i);
  if (!(hidden!.i >= 1n && hidden!.i <= 2n ** 31n))
    fail(`${where}: hidden_size must be ≥ 1, got ${hidden!.i}`);

  const direction = get('direction', AttributeType.STRING);
  const directionName = direction === undefined ? 'forward' : text(direction.s);
  if (directionName === 'reverse') {
    fail(
      `${where}: direction = "reverse" has no PyTorch module: nn.${kind} runs a reverse direction only beside a forward one (bidirectional); reverse the sequence and use a forward ${kind} instead`,
    );
  }
  if (directionName !== 'forward' && directionName !== 'bidirectional') {
    fail(
      `${where}: direction must be "forward", "bidirectional" or "reverse", got ${JSON.stringify(directionName)}`,
    );
  }
  const directions = directionName === 'bidirectional' ? 2 : 1;

  const clip = get('clip', AttributeType.FLOAT);
  if (clip !== undefined) {
    fail(
      `${where}: clip = ${clip.f} is refused: ONNX clips the gate pre-activations to ±${clip.f}, PyTorch's ${kind} never clips`,
    );
  }
  for (const name of ['activation_alpha', 'activation_beta']) {
    const a = get(name, AttributeType.FLOATS);
    if (a !== undefined) {
      fail(
        `${where}: ${name} = ${show(a)} is refused: PyTorch's ${kind} uses its activations without parameters`,
      );
    }
  }
  if (kind === 'LSTM') {
    const inputForget = get('input_forget', AttributeType.INT);
    if (inputForget !== undefined && inputForget.i !== 0n) {
      fail(
        `${where}: input_forget = ${inputForget.i} is refused: it couples the input and forget gates, which PyTorch's LSTM keeps separate`,
      );
    }
  }
  if (kind === 'GRU') {
    const lbr = get('linear_before_reset', AttributeType.INT);
    const value = lbr === undefined ? 0n : lbr.i;
    if (value !== 1n) {
      fail(
        `${where}: linear_before_reset = ${value}${lbr === undefined ? ' (absent, the ONNX default)' : ''} is refused: that is the "reset before" GRU, n = tanh(W_n x + b_in + (r ⊙ h)·R_nᵀ + b_hn), a different function from PyTorch's GRU (linear_before_reset = 1)`,
      );
    }
  }
  const layoutAttribute = get('layout', AttributeType.INT);
  const layout = layoutAttribute === undefined ? 0n : layoutAttribute.i;
  if (layout !== 0n && layout !== 1n) fail(`${where}: layout must be 0 or 1, got ${layout}`);

  return {
    hiddenSize,
    directions,
    layout: layout === 1n ? 1 : 0,
    nonlinearity: readActivations(get('activations', AttributeType.STRINGS), kind, directions, where),
  };
}

function readActivations(
  attribute: AttributeProto | undefined,
  kind: RecurrentKind,
  directions: number,
  where: string,
): 'tanh' | 'relu' {
  if (attribute === undefined) return 'tanh';
  const names = attribute.strings.map(text);
  const defaults = defaultActivations[kind];
  const refuse = (why: string): never =>
    fail(`${where}: activations = ${JSON.stringify(names)} is refused: ${why}`);
  if (names.length !== defaults.length * directions) {
    refuse(`${kind} with ${directions} direction(s) needs ${defaults.length * directions} names`);
  }
  const lower = names.map((n) => n.toLowerCase());
  if (kind === 'RNN') {
    if (lower.every((n) => n === 'tanh')) return 'tanh';
    if (lower.every((n) => n === 'relu')) return 'relu';
    return refuse('PyTorch\'s RNN computes "Tanh" or "Relu", the same in every direction');
  }
  const expected = Array.from({ length: directions }, () => defaults).flat();
  if (lower.some((n, i) => n !== expected[i]!.toLowerCase())) {
    refuse(`PyTorch's ${kind} computes exactly ${JSON.stringify(expected)}`);
  }
  return 'tanh';
}
