/** `RNNCell`, `LSTMCell`, `GRUCell`: one time step, PyTorch's `nn.*Cell`. */
import { formatShape, isIntIn, shapeError, valueError } from '../errors.js';
import type { ModuleOptions } from '../nn/module.js';
import { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { checkModuleInput } from '../tensor/check.js';
import { zeros } from '../tensor/create.js';
import { reshape } from '../tensor/ops.js';
import { sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CellWeights } from './composed.js';
import { gruStep, lstmStep, rnnStep } from './composed.js';
import { checkStatePair } from './state-pair.js';

/** Options of every cell (PyTorch's `nn.*Cell` arguments). */
export interface CellOptions extends ModuleOptions {
  /** Features of the input. */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /** Use `bias_ih`/`bias_hh` (default true). */
  bias?: boolean;
  /** Generator for initialisation (default: the global one). */
  generator?: Generator;
}

/** `RNNCell` options. */
export interface RNNCellOptions extends CellOptions {
  /** `tanh` (default) or `relu`. */
  nonlinearity?: 'tanh' | 'relu';
}

/** Shared parameters and input checks of the cells. */
abstract class CellBase extends Module {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Whether the cell has biases. */
  readonly bias: boolean;
  private readonly params: {
    weightIh: Parameter;
    weightHh: Parameter;
    biasIh?: Parameter;
    biasHh?: Parameter;
  };

  protected constructor(
    private readonly cellName: string,
    gates: number,
    options: CellOptions,
  ) {
    super(options);
    if (options === null || typeof options !== 'object')
      valueError(cellName, 'options', 'an object', options);
    if (!isIntIn(options.inputSize, 1))
      valueError(cellName, 'inputSize', 'an integer ≥ 1', options.inputSize);
    if (!isIntIn(options.hiddenSize, 1))
      valueError(cellName, 'hiddenSize', 'an integer ≥ 1', options.hiddenSize);
    const bias = options.bias ?? true;
    if (typeof bias !== 'boolean') valueError(cellName, 'bias', 'a boolean', bias);
    this.inputSize = options.inputSize;
    this.hiddenSize = options.hiddenSize;
    this.bias = bias;
    const generator = options.generator ?? defaultGenerator();
    const bound = 1 / Math.sqrt(this.hiddenSize);
    const gh = gates * this.hiddenSize;
    this.checkParameterShapes({ weight_ih: [gh, this.inputSize], weight_hh: [gh, this.hiddenSize] });
    const add = (name: string, shape: number[]) =>
      this.addParameter(name, shape, (data) => {
        for (let i = 0; i < data.length; i++) data[i] = generator.uniform(-bound, bound);
      });
    this.params = {
      weightIh: add('weight_ih', [gh, this.inputSize]),
      weightHh: add('weight_hh', [gh, this.hiddenSize]),
    };
    if (bias) {
      this.params.biasIh = add('bias_ih', [gh]);
      this.params.biasHh = add('bias_hh', [gh]);
    }
  }

  /** Current weights as tensors. */
  protected weights(): CellWeights {
    return {
      weightIh: this.params.weightIh.value,
      weightHh: this.params.weightHh.value,
      biasIh: this.params.biasIh?.value,
      biasHh: this.params.biasHh?.value,
    };
  }

  private checkTensor(argument: string, t: unknown): asserts t is Tensor {
    checkModuleInput(`${this.cellName}.forward`, argument, t, this.backend, this.dtype);
  }

  /** Checks `input` (`[N, I]` or unbatched `[I]`); creates nothing. */
  protected checkInput(input: unknown): {
    /** N, the number of rows (1 for unbatched input). */
    batch: number;
    /** Whether `input` was `[I]`, so outputs drop the batch axis again. */
    unbatched: boolean;
  } {
    this.checkParametersLive(`${this.cellName}.forward`);
    this.checkTensor('input', input);
    if ((input.rank !== 1 && input.rank !== 2) || input.shape[input.rank - 1] !== this.inputSize) {
      shapeError(
        `${this.cellName}.forward`,
        'input',
        `[N, ${this.inputSize}] or unbatched [${this.inputSize}]`,
        input.shape,
      );
    }
    const unbatched = input.rank === 1;
    return { batch: unbatched ? 1 : input.shape[0]!, unbatched };
  }

  /** Checks a state argument when given (`[N, H]`, or `[H]` for unbatched input); creates nothing. */
  protected checkState(argument: string, state: unknown, batch: number, unbatched: boolean): void {
    if (state === undefined) return;
    this.checkTensor(argument, state);
    const expected = unbatched ? [this.hiddenSize] : [batch, this.hiddenSize];
    if (!sameShape(state.shape, expected))
      shapeError(`${this.cellName}.forward`, argument, `shape ${formatShape(expected)}`, state.shape);
  }

  /** The checked input with a batch axis. */
  protected batchedInput(input: Tensor, unbatched: boolean): Tensor {
    return unbatched ? reshape(input, [1, this.inputSize]) : input;
  }

  /** The checked state with a batch axis, or zeros when omitted. */
  protected batchedState(state: Tensor | undefined, batch: number, unbatched: boolean): Tensor {
    if (state === undefined)
      return zeros([batch, this.hiddenSize], { backend: this.backend, dtype: this.dtype });
    return unbatched ? reshape(state, [1, this.hiddenSize]) : state;
  }

  /**
   * The forward pass of a cell with one state (RNNCell, GRUCell): checks, optional finite checks, then
   * `step` on batched tensors, with the batch axis removed again for unbatched input.
   */
  protected singleStateStep(
    input: Tensor,
    h: Tensor | undefined,
    step: (x: Tensor, h: Tensor, weights: CellWeights) => Tensor,
  ): Tensor {
    const where = `${this.cellName}.forward`;
    const { batch, unbatched } = this.checkInput(input);
    this.checkState('h', h, batch, unbatched);
    this.checkFiniteInputs(where, { input, h });
    return this.finiteChecked(
      where,
      () => {
        const x = this.batchedInput(input, unbatched);
        const state = this.batchedState(h, batch, unbatched);
        return this.unbatch(step(x, state, this.weights()), unbatched);
      },
      (out) => ({ "h'": out }),
    );
  }

  /** Removes the batch axis again for unbatched calls. */
  protected unbatch(t: Tensor, unbatched: boolean): Tensor {
    return unbatched ? reshape(t, [this.hiddenSize]) : t;
  }
}

/** One step of an Elman RNN; `forward(input, h?)` returns `h'`. */
export class RNNCell extends CellBase {
  /** `tanh` or `relu`. */
  readonly nonlinearity: 'tanh' | 'relu';

  /** Creates the cell with PyTorch's default initialisation. */
  constructor(options: RNNCellOptions) {
    const nonlinearity = options?.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu')
      valueError('RNNCell', 'nonlinearity', '"tanh" or "relu"', nonlinearity);
    super('RNNCell', 1, options);
    this.nonlinearity = nonlinearity;
  }

  /** `input [N, I]` or `[I]`, `h [N, H]` or `[H]` (zeros when omitted) → `h'`. */
  forward(input: Tensor, h?: Tensor | null): Tensor {
    return this.singleStateStep(input, h ?? undefined, (x, state, w) =>
      rnnStep(x, state, w, this.nonlinearity),
    );
  }
}

/** One LSTM step; `forward(input, [h, c]?)` returns `[h', c']`. */
export class LSTMCell extends CellBase {
  /** Creates the cell with PyTorch's default initialisation. */
  constructor(options: CellOptions) {
    super('LSTMCell', 4, options);
  }

  /** `input [N, I]` or `[I]`, `hx = [h, c]` (zeros when omitted) → `[h', c']`. */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const { batch, unbatched } = this.checkInput(input);
    const pair = checkStatePair('LSTMCell.forward', hx, ['h', 'c']);
    this.checkState('hx[0] (h)', pair?.[0], batch, unbatched);
    this.checkState('hx[1] (c)', pair?.[1], batch, unbatched);
    const where = 'LSTMCell.forward';
    this.checkFiniteInputs(where, { input, h: pair?.[0], c: pair?.[1] });
    return this.finiteChecked(
      where,
      (): [Tensor, Tensor] => {
        const x = this.batchedInput(input, unbatched);
        const h = this.batchedState(pair?.[0], batch, unbatched);
        const c = this.batchedState(pair?.[1], batch, unbatched);
        const [hNext, cNext] = lstmStep(x, h, c, this.weights());
        return [this.unbatch(hNext, unbatched), this.unbatch(cNext, unbatched)];
      },
      ([hNext, cNext]) => ({ "h'": hNext, "c'": cNext }),
    );
  }
}

/** One GRU step; `forward(input, h?)` returns `h'`. */
export class GRUCell extends CellBase {
  /** Creates the cell with PyTorch's default initialisation. */
  constructor(options: CellOptions) {
    super('GRUCell', 3, options);
  }

  /** `input [N, I]` or `[I]`, `h [N, H]` or `[H]` (zeros when omitted) → `h'`. */
  forward(input: Tensor, h?: Tensor | null): Tensor {
    return this.singleStateStep(input, h ?? undefined, gruStep);
  }
}
